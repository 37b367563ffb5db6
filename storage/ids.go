package storage

import (
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// idBlockSize is how many ids AllocateIDs reserves on disk at a time. A crash
// skips at most this many ids of a counter.
const idBlockSize = 1024

// idBlock is the in-memory state of one counter: ids in [next, limit) are
// reserved on disk and not yet handed out.
type idBlock struct {
	next, limit uint64
}

// AllocateIDs hands out n consecutive ids of the named counter and returns
// the first. Ids start at 1. Allocation is durable and not transactional: an
// id is never handed out twice, even after a crash or a rolled-back
// transaction, but ids may be skipped. Ids are reserved on disk in blocks,
// so most calls touch only memory.
func (db *DB) AllocateIDs(counter string, n uint64) (first uint64, err error) {
	if n == 0 {
		return 0, pgerror.Internalf("storage: AllocateIDs(%q, 0)", counter)
	}
	if db.isClosed.Load() {
		return 0, errClosed()
	}
	db.idMu.Lock()
	defer db.idMu.Unlock()
	b := db.counters[counter]
	key := append(append([]byte(nil), sysCounterKey...), counter...)
	if b == nil {
		limit, err := db.readCounterLimit(key)
		if err != nil {
			return 0, err
		}
		if limit == 0 {
			limit = 1
		}
		b = &idBlock{next: limit, limit: limit}
		db.counters[counter] = b
	}
	if b.next+n < b.next {
		return 0, pgerror.Newf(pgerror.ProgramLimitExceeded, "storage: id counter %q exhausted", counter)
	}
	if b.next+n > b.limit {
		newLimit := b.next + n + idBlockSize
		if newLimit < b.next {
			newLimit = ^uint64(0)
		}
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], newLimit)
		// Always synced, even when commits are not: a lost reservation
		// would hand out its ids again. It happens once per block.
		if err := db.pdb.Set(key, v[:], pebble.Sync); err != nil {
			return 0, pgerror.Wrapf(err, pgerror.IOError, "storage: reserve ids of %q", counter)
		}
		b.limit = newLimit
	}
	first = b.next
	b.next += n
	return first, nil
}

func (db *DB) readCounterLimit(key []byte) (uint64, error) {
	v, closer, err := db.pdb.Get(key)
	if err == pebble.ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, pgerror.Wrapf(err, pgerror.IOError, "storage: read counter")
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, pgerror.Newf(pgerror.DataCorrupted, "storage: counter record %x has %d bytes, want 8", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}
