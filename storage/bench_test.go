package storage

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/types"
)

// Benchmarks run on the real filesystem, in the test's temporary directory.

func benchTable() *TableSpec {
	return &TableSpec{
		ID:   1000,
		Name: "bench",
		Columns: []ColumnSpec{
			{ID: 1, Name: "id", Type: types.Int8Type},
			{ID: 2, Name: "name", Type: types.TextType},
			{ID: 3, Name: "score", Type: types.Float8Type},
		},
		PrimaryKey: []int{0},
	}
}

func benchRow(i int64) []types.Datum {
	return []types.Datum{i, fmt.Sprintf("name-%08d", i), float64(i) / 3}
}

func openBench(b *testing.B, sync bool) *DB {
	b.Helper()
	opts := DefaultOptions()
	opts.Sync = sync
	opts.GCInterval = 0
	db, err := Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkPointGet reads random rows by primary key from a 100k-row table
// whose data is flushed to sstables (and cached), against a Go map of the
// same rows.
func BenchmarkPointGet(b *testing.B) {
	const rows = 100_000
	b.Run("storage", func(b *testing.B) {
		db := openBench(b, false)
		ts := benchTable()
		txn := db.Begin()
		for i := range int64(rows) {
			if _, err := txn.InsertRow(ts, benchRow(i)); err != nil {
				b.Fatal(err)
			}
		}
		mustCommit(b, txn)
		if err := db.pdb.Flush(); err != nil {
			b.Fatal(err)
		}
		reader := db.Begin()
		defer reader.Rollback()
		r := rand.New(rand.NewPCG(1, 1))
		pk := []types.Datum{int64(0)}
		b.ResetTimer()
		for b.Loop() {
			pk[0] = r.Int64N(rows)
			if _, _, ok, err := reader.GetRow(ts, pk); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		m := make(map[int64][]types.Datum, rows)
		for i := range int64(rows) {
			m[i] = benchRow(i)
		}
		r := rand.New(rand.NewPCG(1, 1))
		b.ResetTimer()
		for b.Loop() {
			if _, ok := m[r.Int64N(rows)]; !ok {
				b.Fatal("missing")
			}
		}
	})
}

// BenchmarkCommit measures single-row insert transactions with fsync on,
// from 1 and 16 concurrent committers, against raw Pebble Set+Sync writes
// from as many goroutines.
func BenchmarkCommit(b *testing.B) {
	for _, writers := range []int{1, 16} {
		b.Run(fmt.Sprintf("storage/writers=%d", writers), func(b *testing.B) {
			db := openBench(b, true)
			ts := benchTable()
			var next atomic.Int64
			runWriters(b, writers, func() error {
				txn := db.Begin()
				if _, err := txn.InsertRow(ts, benchRow(next.Add(1))); err != nil {
					return err
				}
				_, err := txn.Commit()
				return err
			})
		})
		b.Run(fmt.Sprintf("pebble/writers=%d", writers), func(b *testing.B) {
			db := openBench(b, true)
			var next atomic.Uint64
			runWriters(b, writers, func() error {
				k := binary.BigEndian.AppendUint64([]byte("k"), next.Add(1))
				return db.pdb.Set(k, []byte("name-00000000 0.333333"), pebble.Sync)
			})
		})
	}
}

// runWriters runs b.N calls of op spread over writers goroutines and
// reports commits per second.
func runWriters(b *testing.B, writers int, op func() error) {
	var remaining atomic.Int64
	remaining.Store(int64(b.N))
	var wg sync.WaitGroup
	b.ResetTimer()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for remaining.Add(-1) >= 0 {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkBulkInsert loads 1M rows in one transaction (a COPY), against
// one raw Pebble batch of the same keys and values.
func BenchmarkBulkInsert(b *testing.B) {
	const rows = 1_000_000
	b.Run("storage", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := openBench(b, true)
			ts := benchTable()
			b.StartTimer()
			txn := db.Begin()
			for i := range int64(rows) {
				if _, err := txn.InsertRow(ts, benchRow(i)); err != nil {
					b.Fatal(err)
				}
			}
			mustCommit(b, txn)
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("pebble", func(b *testing.B) {
		ts := benchTable()
		codec, _ := ts.codec()
		for b.Loop() {
			b.StopTimer()
			db := openBench(b, true)
			b.StartTimer()
			batch := db.pdb.NewBatch()
			var key, val []byte
			for i := range int64(rows) {
				key, _ = ts.rowKey(benchRow(i))
				key = appendVersionKey(key, nil, 1)
				val, _ = codec.Encode(val[:0], benchRow(i))
				if err := batch.Set(key, val, nil); err != nil {
					b.Fatal(err)
				}
			}
			if err := batch.Commit(pebble.Sync); err != nil {
				b.Fatal(err)
			}
			batch.Close()
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
