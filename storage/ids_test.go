package storage

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

func TestAllocateIDsNeverReuses(t *testing.T) {
	fs := vfs.NewMem()
	seen := map[uint64]bool{}
	take := func(db *DB, counter string, n uint64) {
		first, err := db.AllocateIDs(counter, n)
		if err != nil {
			t.Fatal(err)
		}
		for id := first; id < first+n; id++ {
			if id == 0 || seen[id] {
				t.Fatalf("id %d handed out twice (or zero)", id)
			}
			seen[id] = true
		}
	}
	for range 3 {
		db, err := Open("db", memOptions(fs))
		if err != nil {
			t.Fatal(err)
		}
		take(db, "objects", 1)
		take(db, "objects", 2000) // larger than a block
		take(db, "objects", 5)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Counters are independent.
	db, err := Open("db", memOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if first, err := db.AllocateIDs("other", 1); err != nil || first != 1 {
		t.Fatalf("a new counter starts at %d, %v; want 1", first, err)
	}
	if _, err := db.AllocateIDs("other", 0); err == nil {
		t.Fatal("allocating zero ids succeeded")
	}
}
