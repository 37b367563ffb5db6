package storage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"portalsdb/pgerror"
)

// walSyncFailure fails every sync of a WAL file while it is on.
func walSyncFailure() *errorfs.Toggle {
	return &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if (op.Kind == errorfs.OpFileSync || op.Kind == errorfs.OpFileSyncData || op.Kind == errorfs.OpFileSyncTo) &&
			strings.HasSuffix(op.Path, ".log") {
			return errorfs.ErrInjected
		}
		return nil
	})}
}

// TestFailedWALSyncStopsTheProcess pins what happens when the WAL cannot be
// synced: Pebble reports it through Logger.Fatalf, and like PostgreSQL's
// PANIC on a failed fsync, the database stops (the commit panics) instead
// of acknowledging or serving a commit it may have lost.
func TestFailedWALSyncStopsTheProcess(t *testing.T) {
	toggle := walSyncFailure()
	db, err := Open("db", memOptions(errorfs.Wrap(vfs.NewMem(), toggle)))
	if err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	put(t, txn, "ok$", "1")
	mustCommit(t, txn)

	toggle.On()
	txn = db.Begin()
	put(t, txn, "lost$", "1")
	var seq Seq
	panicked := func() (p any) {
		defer func() { p = recover() }()
		seq, err = txn.Commit()
		return nil
	}()
	if panicked == nil {
		t.Fatalf("commit with a failing WAL sync returned %d, %v", seq, err)
	}
	if msg, _ := panicked.(string); !strings.Contains(msg, "injected error") {
		t.Fatalf("panic %v does not carry the I/O error", panicked)
	}
	// The database is abandoned, as the process would be.
}

func TestOpenFailureIsIOError(t *testing.T) {
	fail := errorfs.InjectorFunc(func(op errorfs.Op) error {
		if op.Kind == errorfs.OpMkdirAll || op.Kind == errorfs.OpCreate {
			return errorfs.ErrInjected
		}
		return nil
	})
	_, err := Open("db", memOptions(errorfs.Wrap(vfs.NewMem(), fail)))
	wantCode(t, err, pgerror.IOError)
}

func TestReadFailureIsIOError(t *testing.T) {
	fs := vfs.NewMem()
	db, err := Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	// Enough data for many blocks, so that the block holding k is not the
	// one Open reads the last seq from.
	txn := db.Begin()
	for i := range 2000 {
		put(t, txn, fmt.Sprintf("k%05d$", i), strings.Repeat("v", 1000))
	}
	mustCommit(t, txn)
	if err := db.pdb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	toggle := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if (op.Kind == errorfs.OpFileReadAt || op.Kind == errorfs.OpFileRead) && strings.HasSuffix(op.Path, ".sst") {
			return errorfs.ErrInjected
		}
		return nil
	})}
	db, err = Open("db", memOptions(errorfs.Wrap(fs, toggle)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	toggle.On()
	txn = db.Begin()
	defer txn.Rollback()
	_, _, err = txn.Get([]byte("k01999$"))
	wantCode(t, err, pgerror.IOError)
	it, err := txn.NewIter(nil, nil)
	if err != nil {
		wantCode(t, err, pgerror.IOError)
		return
	}
	n := 0
	for it.First(); it.Valid(); it.Next() {
		n++
	}
	iterErr := it.Error()
	_ = it.Close()
	if n == 2000 {
		t.Fatal("iterator read every key through failing reads")
	}
	wantCode(t, iterErr, pgerror.IOError)
}
