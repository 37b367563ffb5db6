package exec

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// An append-only workflow's result is its output log: ReadResult and
// ResultScan read the rows of the atoms committed up to their snapshot,
// duplicates included, across log entries and batches, and refuse a log
// that retracts a row.
func TestAppendOnlyResultReads(t *testing.T) {
	opts := storage.DefaultOptions()
	opts.Sync = false
	opts.GCInterval = 0
	db, err := storage.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	const obj = 700
	ts := []types.T{types.Int4Type, types.TextType}
	codec, err := rowcodec.NewChangeCodec(ts)
	if err != nil {
		t.Fatal(err)
	}
	// appendAtom commits rows with their diffs as one atom of the log.
	appendAtom := func(rows [][]types.Datum, diff int8) storage.Seq {
		t.Helper()
		c := batch.Inserts(batch.FromRows(ts, rows))
		for i := range c.Diff {
			c.Diff[i] = diff
		}
		txn := db.Begin()
		if err := AppendChanges(txn, obj, codec, ts, c); err != nil {
			t.Fatal(err)
		}
		seq, err := txn.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	var first [][]types.Datum
	for i := range 2500 { // more than one log entry (rowcodec.ChunkRows)
		first = append(first, []types.Datum{int64(i % 7), nil})
	}
	first = append(first, []types.Datum{int64(1), "a"}, []types.Datum{int64(1), "a"})
	s1 := appendAtom(first, 1)
	second := [][]types.Datum{{int64(3), "c"}}
	appendAtom(second, 1)

	text := func(rows [][]types.Datum) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprint(r...))
		}
		slices.Sort(out)
		return out
	}
	read := func(txn *storage.Txn) []string {
		t.Helper()
		c, err := ReadResult(txn, obj, ts, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range c.Diff {
			if d != 1 {
				t.Fatalf("ReadResult gave a change with diff %d", d)
			}
		}
		return text(c.Rows(ts))
	}
	scan := func(txn *storage.Txn, snapshots map[uint64]storage.Seq) []string {
		t.Helper()
		s, err := NewResultScan("wf", obj, ts, true)
		if err != nil {
			t.Fatal(err)
		}
		ctx := NewContext(context.Background(), &expr.Ctx{}, txn)
		ctx.BatchSize = 1000
		ctx.ResultSnapshots = snapshots
		if err := s.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var rows [][]types.Datum
		for {
			b, err := s.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			rows = append(rows, b.Rows(ts)...)
		}
		return text(rows)
	}

	all := text(append(append([][]types.Datum(nil), first...), second...))
	txn := db.Begin()
	if got := read(txn); !slices.Equal(got, all) {
		t.Errorf("ReadResult: %d rows, want %d", len(got), len(all))
	}
	if got := scan(txn, nil); !slices.Equal(got, all) {
		t.Errorf("ResultScan: %d rows, want %d", len(got), len(all))
	}
	// At the first atom's snapshot (AS OF ATOM), the second is not there.
	if got := scan(txn, map[uint64]storage.Seq{obj: s1}); !slices.Equal(got, text(first)) {
		t.Errorf("ResultScan at atom %d: %d rows, want %d", s1, len(got), len(first))
	}
	txn.Rollback()
	at, err := db.BeginAt(s1)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(at); !slices.Equal(got, text(first)) {
		t.Errorf("ReadResult at atom %d: %d rows, want %d", s1, len(got), len(first))
	}
	at.Rollback()

	appendAtom(second, -1)
	txn = db.Begin()
	defer txn.Rollback()
	if _, err := ReadResult(txn, obj, ts, true); pgerror.CodeOf(err) != pgerror.DataCorrupted {
		t.Errorf("ReadResult of a log that retracts a row: got %v, want %s", err, pgerror.DataCorrupted)
	}
}
