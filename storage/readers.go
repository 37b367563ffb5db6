package storage

import (
	"time"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// Pebble iterators for point reads are kept between transactions.
//
// A transaction reads single keys (Txn.Get, RowLookup) through one Pebble
// iterator. Making one for every transaction, and closing it, cost a point
// query about as much as its seek: Pebble sets up an iterator over every
// memtable and level. An iterator sees the database as it was when it was
// made, so one made when the visible seq was V has every version a
// snapshot at or below V reads; versions newer than the snapshot are
// skipped by the seek, as for a fresh iterator. Garbage collection and
// dropped objects' range deletions remove only what no snapshot reads, so
// an iterator that still shows them answers the same.
//
// So a finished transaction's iterator is kept while no commit has become
// visible since it was made, and handed to the next transaction; a commit
// that advances the visible seq closes the kept ones (they lack it), and
// an iterator is not kept past maxReaderAge, so that it does not pin
// memtables and sstables that flushes and compactions have replaced.
type pooledReader struct {
	it   *pebble.Iterator
	seq  Seq   // the visible seq when it was made
	made int64 // when it was made (time.Now().UnixNano())
}

// maxKeptReaders bounds the iterators kept: about the number of sessions
// reading at once.
const maxKeptReaders = 32

// maxReaderAge is how long an iterator may be reused.
const maxReaderAge = time.Second

// takeReader gives t an iterator for point reads: a kept one that has every
// version t's snapshot reads, or a new one.
func (db *DB) takeReader(t *Txn) error {
	now := time.Now().UnixNano()
	db.mu.Lock()
	var stale []pooledReader
	for n := len(db.keptReaders); n > 0; n = len(db.keptReaders) {
		r := db.keptReaders[n-1]
		db.keptReaders = db.keptReaders[:n-1]
		if now-r.made > int64(maxReaderAge) {
			stale = append(stale, r)
			continue
		}
		if r.seq >= t.snap {
			t.reader, t.readerSeq, t.readerAt = r.it, r.seq, r.made
			break
		}
		stale = append(stale, r)
	}
	visible := db.visible
	db.mu.Unlock()
	closeReaders(stale)
	if t.reader != nil {
		return nil
	}
	// Every commit up to visible was applied to Pebble before it became
	// visible, so an iterator made now has them all.
	it, err := db.pdb.NewIter(nil)
	if err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: read")
	}
	t.reader, t.readerSeq, t.readerAt = it, visible, now
	return nil
}

// keepReaderLocked keeps r for later transactions if it is still current
// and young enough, and reports whether it did; db.mu is held.
func (db *DB) keepReaderLocked(r pooledReader) bool {
	if db.closed || r.seq != db.visible || len(db.keptReaders) >= maxKeptReaders ||
		time.Now().UnixNano()-r.made > int64(maxReaderAge) {
		return false
	}
	db.keptReaders = append(db.keptReaders, r)
	return true
}

// dropReadersLocked takes the kept iterators away, for the caller to close
// once it released db.mu.
func (db *DB) dropReadersLocked() []pooledReader {
	rs := db.keptReaders
	db.keptReaders = nil
	return rs
}

func closeReaders(rs []pooledReader) {
	for _, r := range rs {
		_ = r.it.Close()
	}
}
