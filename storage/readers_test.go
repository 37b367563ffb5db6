package storage

import "testing"

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
