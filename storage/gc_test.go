package storage

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"portalsdb/pgerror"
)

// rawVersions counts the versions of logical stored in Pebble.
func rawVersions(t *testing.T, db *DB, logical string) int {
	t.Helper()
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: []byte(logical), UpperBound: appendAfterVersions(nil, []byte(logical))})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for it.First(); it.Valid(); it.Next() {
		if isVersionOf(it.Key(), []byte(logical)) {
			n++
		}
	}
	return n
}

func TestGCRemovesShadowedVersions(t *testing.T) {
	db := openMem(t)
	for i := range 5 {
		txn := db.Begin()
		put(t, txn, "k$", string(rune('0'+i)))
		put(t, txn, "gone$", "x")
		mustCommit(t, txn)
	}
	del := db.Begin()
	if err := del.Delete([]byte("gone$")); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, del)
	// An open transaction at seq 3 keeps what its snapshot reads.
	pinned, err := db.BeginAt(3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GC(); err != nil {
		t.Fatal(err)
	}
	// k has versions 1..5; seq 3's view needs version 3, the newest needs 5.
	if n := rawVersions(t, db, "k$"); n != 3 {
		t.Fatalf("k has %d versions with a reader at 3, want 3 (3, 4, 5)", n)
	}
	if v, _ := get(t, pinned, "k$"); v != "2" {
		t.Fatalf("pinned reader reads %q after GC, want 2", v)
	}
	pinned.Rollback()
	stats, err := db.GC()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Horizon != 6 {
		t.Fatalf("horizon %d, want 6", stats.Horizon)
	}
	if n := rawVersions(t, db, "k$"); n != 1 {
		t.Fatalf("k has %d versions, want 1", n)
	}
	// The tombstone shadowed everything and shadows nothing now.
	if n := rawVersions(t, db, "gone$"); n != 0 {
		t.Fatalf("deleted key keeps %d versions, want 0", n)
	}
	txn := db.Begin()
	defer txn.Rollback()
	if v, _ := get(t, txn, "k$"); v != "4" {
		t.Fatalf("k = %q after GC", v)
	}
	_, err = db.BeginAt(5)
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
	if _, err := db.BeginAt(6); err != nil {
		t.Fatal(err)
	}
}

func TestGCRetentionAndFloorSurviveRestart(t *testing.T) {
	fs := vfs.NewMem()
	opts := memOptions(fs)
	opts.RetainSeqs = 2
	db, err := Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		txn := db.Begin()
		put(t, txn, "k$", string(rune('0'+i)))
		mustCommit(t, txn)
	}
	if _, err := db.GC(); err != nil {
		t.Fatal(err)
	}
	// Retention of 2 keeps seqs 4..6 readable.
	for seq, want := range map[Seq]string{4: "3", 5: "4", 6: "5"} {
		txn, err := db.BeginAt(seq)
		if err != nil {
			t.Fatalf("BeginAt(%d): %v", seq, err)
		}
		if v, _ := get(t, txn, "k$"); v != want {
			t.Fatalf("at %d k=%q, want %q", seq, v, want)
		}
		txn.Rollback()
	}
	_, err = db.BeginAt(3)
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.BeginAt(3)
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
}

func TestBackgroundGC(t *testing.T) {
	opts := memOptions(vfs.NewMem())
	opts.GCInterval = time.Millisecond
	db, err := Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		txn := db.Begin()
		put(t, txn, "k$", string(rune('0'+i)))
		mustCommit(t, txn)
	}
	// Wait (without a timing assertion) until the collector has run.
	for {
		db.mu.Lock()
		floor := db.gcFloor
		db.mu.Unlock()
		if floor == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGCInSteps runs the background collector's bounded steps by hand: each
// step deletes at most what it scanned, the steps together remove all the
// garbage, and every key keeps its newest value.
func TestGCInSteps(t *testing.T) {
	db := openMem(t)
	const keys = 50
	for round := range 3 {
		txn := db.Begin()
		for i := range keys {
			put(t, txn, fmt.Sprintf("k%03d$", i), fmt.Sprint(round))
		}
		mustCommit(t, txn)
	}
	var cursor []byte
	steps, deleted := 0, 0
	for {
		stats, next, err := db.collect(cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		steps++
		deleted += stats.VersionsDeleted
		if stats.VersionsDeleted > 10 {
			t.Fatalf("a step of 10 versions deleted %d", stats.VersionsDeleted)
		}
		if next == nil {
			break
		}
		if bytes.Compare(next, cursor) <= 0 {
			t.Fatalf("cursor went from %q back to %q", cursor, next)
		}
		cursor = next
	}
	if steps < 10 || deleted != 2*keys {
		t.Fatalf("%d steps deleted %d versions, want >= 10 steps and %d", steps, deleted, 2*keys)
	}
	txn := db.Begin()
	defer txn.Rollback()
	for i := range keys {
		k := fmt.Sprintf("k%03d$", i)
		if n := rawVersions(t, db, k); n != 1 {
			t.Fatalf("%s has %d versions", k, n)
		}
		if v, _ := get(t, txn, k); v != "2" {
			t.Fatalf("%s = %q", k, v)
		}
	}
}
