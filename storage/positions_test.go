package storage

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// A written position survives a crash that loses every unsynced write, and
// positions are independent of each other and of id counters.
func TestPositionSurvivesCrash(t *testing.T) {
	fs := vfs.NewCrashableMem()
	db, err := Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ReadPosition(7); err != nil || ok {
		t.Fatalf("unwritten position: ok=%v err=%v", ok, err)
	}
	if err := db.WritePosition(7, Position{Value: -42, Called: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.WritePosition(8, Position{Value: 5}); err != nil {
		t.Fatal(err)
	}
	if err := db.WritePosition(7, Position{Value: 1 << 62, Called: true}); err != nil {
		t.Fatal(err)
	}
	crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
	_ = db.Close()

	db, err = Open("db", memOptions(crashed))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, ok, err := db.ReadPosition(7)
	if err != nil || !ok || p != (Position{Value: 1 << 62, Called: true}) {
		t.Fatalf("position 7 after crash: %+v ok=%v err=%v", p, ok, err)
	}
	p, ok, err = db.ReadPosition(8)
	if err != nil || !ok || p != (Position{Value: 5}) {
		t.Fatalf("position 8 after crash: %+v ok=%v err=%v", p, ok, err)
	}
	if err := db.DeletePosition(8); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ReadPosition(8); ok {
		t.Fatal("deleted position still there")
	}
}

// CounterLimit is above every id the counter handed out, in this process
// and before a restart.
func TestCounterLimitCoversHandedOutIDs(t *testing.T) {
	fs := vfs.NewMem()
	db, err := Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	if l, err := db.CounterLimit("c"); err != nil || l != 0 {
		t.Fatalf("unused counter: limit %d, err %v", l, err)
	}
	var last uint64
	for range 3000 {
		if last, err = db.AllocateIDs("c", 1); err != nil {
			t.Fatal(err)
		}
	}
	l, err := db.CounterLimit("c")
	if err != nil || l <= last {
		t.Fatalf("limit %d not above last id %d (err %v)", l, last, err)
	}
	_ = db.Close()
	db, err = Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if l, err := db.CounterLimit("c"); err != nil || l <= last {
		t.Fatalf("limit after restart %d not above last id %d (err %v)", l, last, err)
	}
}
