package storage

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"portalsdb/pgerror"
)

// memOptions returns options for an in-memory database without a background
// collector, so tests decide when GC runs.
func memOptions(fs vfs.FS) Options {
	o := DefaultOptions()
	o.FS = fs
	o.CacheSize = 8 << 20
	o.MemTableSize = 4 << 20
	o.GCInterval = 0
	return o
}

func openMem(t testing.TB) *DB {
	t.Helper()
	db, err := Open("db", memOptions(vfs.NewMem()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustCommit(t testing.TB, txn *Txn) Seq {
	t.Helper()
	seq, err := txn.Commit()
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	return seq
}

func put(t testing.TB, txn *Txn, k, v string) {
	t.Helper()
	if err := txn.Put([]byte(k), []byte(v)); err != nil {
		t.Fatal(err)
	}
}

func get(t testing.TB, txn *Txn, k string) (string, bool) {
	t.Helper()
	v, ok, err := txn.Get([]byte(k))
	if err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}

func wantCode(t testing.TB, err error, code pgerror.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := pgerror.CodeOf(err); got != code {
		t.Fatalf("got %s (%v), want %s", got, err, code)
	}
}

func TestReopenResumesSeqAndData(t *testing.T) {
	fs := vfs.NewMem()
	db, err := Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	var last Seq
	for i := range 5 {
		txn := db.Begin()
		put(t, txn, "k", string(rune('a'+i)))
		last = mustCommit(t, txn)
	}
	if last != 5 || db.VisibleSeq() != 5 {
		t.Fatalf("last=%d visible=%d, want 5", last, db.VisibleSeq())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.VisibleSeq() != 5 {
		t.Fatalf("visible after reopen = %d, want 5", db.VisibleSeq())
	}
	txn := db.Begin()
	if v, ok := get(t, txn, "k"); !ok || v != "e" {
		t.Fatalf("k = %q %v", v, ok)
	}
	put(t, txn, "k", "f")
	if seq := mustCommit(t, txn); seq != 6 {
		t.Fatalf("first commit after reopen got seq %d, want 6", seq)
	}
}

func TestReservedAndFinished(t *testing.T) {
	db := openMem(t)
	txn := db.Begin()
	if err := txn.Put([]byte{0, 's'}, []byte("x")); err == nil {
		t.Fatal("Put into the system space succeeded")
	}
	if err := txn.Put(nil, []byte("x")); err == nil {
		t.Fatal("Put of an empty key succeeded")
	}
	put(t, txn, "a", "1")
	mustCommit(t, txn)
	wantCode(t, txn.Put([]byte("a"), nil), pgerror.InvalidTransactionState)
	txn.Rollback() // fine after Commit
	txn.Rollback()

	ro, err := db.BeginAt(db.VisibleSeq())
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, ro.Put([]byte("a"), nil), pgerror.ReadOnlySQLTransaction)
	ro.Rollback()
}

func TestClosedDB(t *testing.T) {
	db, err := Open("db", memOptions(vfs.NewMem()))
	if err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	put(t, txn, "a", "1")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = txn.Commit()
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
	if _, err := db.BeginAt(0); err == nil {
		t.Fatal("BeginAt on a closed database succeeded")
	}
	reader := db.Begin()
	_, _, err = reader.Get([]byte("a"))
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
	_, err = reader.NewIter(nil, nil)
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
	_, err = db.AllocateIDs("x", 1)
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
	if _, err := db.GC(); err == nil {
		t.Fatal("GC on a closed database succeeded")
	}
	if err := db.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestCorruptVersionIsAnError(t *testing.T) {
	db := openMem(t)
	// A version whose value has an unknown tag, and a key too short to
	// carry a version suffix.
	if err := db.pdb.Set(appendVersionKey(nil, []byte("bad"), 1), []byte{7, 'x'}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.pdb.Set([]byte{spaceMeta, 1}, []byte{1}, nil); err != nil {
		t.Fatal(err)
	}
	db.visible, db.nextSeq = 1, 2
	txn := db.Begin()
	defer txn.Rollback()
	_, _, err := txn.Get([]byte("bad"))
	wantCode(t, err, pgerror.DataCorrupted)
	it, err := txn.NewIter(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for it.First(); it.Valid(); it.Next() {
	}
	wantCode(t, it.Error(), pgerror.DataCorrupted)
	if err := it.Close(); !errors.Is(err, it.Error()) {
		t.Fatalf("Close = %v, want the iterator's error", err)
	}
}

func TestOpenCreatesDirectory(t *testing.T) {
	dir := t.TempDir() + "/a/b/db"
	opts := DefaultOptions()
	opts.GCInterval = 0
	opts.CacheSize = 8 << 20
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
