package storage

import (
	"encoding/binary"
	"sync"
	"testing"
)

// TestKeptReadersNeverHideCommits checks the reuse of point-read
// iterators: a finished transaction's iterator serves the next one while
// nothing commits, a commit makes new transactions read through an
// iterator that has it, an older snapshot still reads its own versions
// through a newer iterator, and Close closes the kept ones.
func TestKeptReadersNeverHideCommits(t *testing.T) {
	db := openMem(t)
	w := db.Begin()
	put(t, w, "\x05k", "v1")
	mustCommit(t, w)

	r1 := db.Begin()
	if v, _ := get(t, r1, "\x05k"); v != "v1" {
		t.Fatalf("read %q, want v1", v)
	}
	it, itSeq := r1.reader, r1.readerSeq
	r1.Rollback()
	r2 := db.Begin()
	if v, _ := get(t, r2, "\x05k"); v != "v1" {
		t.Fatalf("read %q, want v1", v)
	}
	if r2.reader != it {
		t.Error("the next transaction did not reuse the kept iterator")
	}
	old := db.Begin() // snapshot before the next commit, not read yet
	r2.Rollback()

	w = db.Begin()
	put(t, w, "\x05k", "v2")
	put(t, w, "\x05new", "n")
	mustCommit(t, w)
	db.mu.Lock()
	kept := len(db.keptReaders)
	db.mu.Unlock()
	if kept != 0 {
		t.Errorf("%d iterators kept across a commit", kept)
	}
	r3 := db.Begin()
	if v, _ := get(t, r3, "\x05k"); v != "v2" {
		t.Fatalf("after the commit, read %q, want v2", v)
	}
	if v, ok := get(t, r3, "\x05new"); !ok || v != "n" {
		t.Fatalf("after the commit, the new key reads %q, %v", v, ok)
	}
	if r3.readerSeq <= itSeq {
		t.Fatalf("a transaction after the commit read through an iterator made at seq %d, before it", r3.readerSeq)
	}
	r3.Rollback()

	// The older snapshot takes the kept (newer) iterator and still reads
	// the versions of its snapshot.
	if v, _ := get(t, old, "\x05k"); v != "v1" {
		t.Errorf("the older snapshot reads %q, want v1", v)
	}
	if _, ok := get(t, old, "\x05new"); ok {
		t.Error("the older snapshot reads a key committed after it")
	}
	old.Rollback()

	// A transaction's own writes still come first.
	rw := db.Begin()
	put(t, rw, "\x05k", "mine")
	if v, _ := get(t, rw, "\x05k"); v != "mine" {
		t.Errorf("own write reads %q", v)
	}
	rw.Rollback()

	db.mu.Lock()
	kept = len(db.keptReaders)
	db.mu.Unlock()
	if kept == 0 {
		t.Fatal("no iterator kept before Close")
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close with kept iterators: %v", err)
	}
}

// TestKeptReadersUnderConcurrentCommits has writers commit new values of a
// few keys while readers, each in a new transaction, read them through the
// kept iterators; afterwards every read is checked against the commit log:
// a transaction at snapshot S must read, for each key, the value of the
// newest commit at or below S.
func TestKeptReadersUnderConcurrentCommits(t *testing.T) {
	db := openMem(t)
	const keys, writers, readers, rounds = 4, 2, 3, 300
	key := func(k int) []byte { return []byte{0x05, byte(k)} }
	type write struct {
		seq   Seq
		key   int
		value uint64
	}
	type read struct {
		snap  Seq
		key   int
		value uint64 // 0: not found
	}
	var mu sync.Mutex
	var log []write
	var reads []read
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				k := (w + i) % keys
				v := uint64(w)<<32 | uint64(i+1)
				txn := db.Begin()
				if err := txn.Put(key(k), binary.BigEndian.AppendUint64(nil, v)); err != nil {
					t.Error(err)
					return
				}
				seq, err := txn.Commit()
				if err != nil {
					continue // a write-write conflict: nothing committed
				}
				mu.Lock()
				log = append(log, write{seq, k, v})
				mu.Unlock()
			}
		}()
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				txn := db.Begin()
				var got []read
				for k := 0; k < keys; k++ {
					v, ok, err := txn.Get(key(k))
					if err != nil {
						t.Error(err)
						return
					}
					rd := read{snap: txn.ReadSeq(), key: k}
					if ok {
						rd.value = binary.BigEndian.Uint64(v)
					}
					got = append(got, rd)
				}
				txn.Rollback()
				mu.Lock()
				reads = append(reads, got...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, rd := range reads {
		var want uint64
		var newest Seq
		for _, w := range log {
			if w.key == rd.key && w.seq <= rd.snap && w.seq >= newest {
				want, newest = w.value, w.seq
			}
		}
		if rd.value != want {
			t.Fatalf("at snapshot %d key %d read %x, want %x (the commit at seq %d)", rd.snap, rd.key, rd.value, want, newest)
		}
	}
	if len(reads) != readers*rounds*keys || len(log) == 0 {
		t.Fatalf("%d reads, %d commits", len(reads), len(log))
	}
}
