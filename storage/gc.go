package storage

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// gcBatchLimit bounds the deletions of one GC batch.
const gcBatchLimit = 4096

// GCStats reports what one collection did.
type GCStats struct {
	Horizon         Seq // versions only older snapshots needed are gone
	VersionsDeleted int
	ObjectsDropped  int
}

// gcStepKeys is how many stored versions one background collection step
// scans, so that each step's cost is bounded however large the database.
const gcStepKeys = 1 << 20

// gcLoop runs a collection step every interval until Close. Each step
// scans the next gcStepKeys versions after where the previous one stopped,
// wrapping around at the end, so the whole key space is visited over
// successive steps.
func (db *DB) gcLoop(interval time.Duration) {
	defer close(db.gcDone)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var cursor []byte
	for {
		select {
		case <-db.gcStop:
			return
		case <-tick.C:
			_, next, err := db.collect(cursor, gcStepKeys)
			if err != nil {
				db.logger.Error("storage: garbage collection failed", "err", err)
				continue
			}
			cursor = next
		}
	}
}

// gcHorizonLocked returns the oldest snapshot GC must keep readable: the
// oldest active transaction's, or the retention window's start if older.
func (db *DB) gcHorizonLocked() Seq {
	h := db.visible
	if Seq(db.retainSeqs) >= h {
		h = 0
	} else {
		h -= Seq(db.retainSeqs)
	}
	return db.readers.min(h)
}

// GC removes the versions that no snapshot at or above the horizon can see:
// for each key, every version older than its newest version at or below the
// horizon, and that version too when it is a tombstone. It also removes the
// data of objects dropped at or below the horizon, with range deletions.
// The horizon becomes the floor below which BeginAt fails.
//
// GC scans every stored version; the background collector does the same
// work in bounded steps, one every Options.GCInterval.
func (db *DB) GC() (GCStats, error) {
	stats, _, err := db.collect(nil, 0)
	return stats, err
}

// collect advances the GC floor, drops the objects whose drop is below it,
// and scans the versions from start (nil: the beginning) for garbage,
// stopping at the first key after limit versions (0: no limit). It returns
// where the next step should start, nil after the end.
func (db *DB) collect(start []byte, limit int) (GCStats, []byte, error) {
	db.gcMu.Lock()
	defer db.gcMu.Unlock()
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return GCStats{}, nil, errClosed()
	}
	horizon := db.gcHorizonLocked()
	if horizon > db.gcFloor {
		db.gcFloor = horizon
	}
	// Readers that BeginAt an older seq from now on fail; those already
	// active hold the horizon down.
	horizon = db.gcFloor
	db.mu.Unlock()
	stats := GCStats{Horizon: horizon}

	var floor [8]byte
	binary.BigEndian.PutUint64(floor[:], uint64(horizon))
	if err := db.pdb.Set(sysGCFloorKey, floor[:], pebble.NoSync); err != nil {
		return stats, start, pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
	}
	if err := db.gcDrops(horizon, &stats); err != nil {
		return stats, start, err
	}
	next, err := db.gcVersions(horizon, start, limit, &stats)
	if err != nil {
		return stats, start, err
	}
	return stats, next, nil
}

// gcDrops removes the key ranges of objects whose drop committed at or below
// the horizon: no snapshot that can still read them remains.
func (db *DB) gcDrops(horizon Seq, stats *GCStats) error {
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: sysDropKey, UpperBound: PrefixEnd(sysDropKey)})
	if err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
	}
	defer it.Close()
	b := db.pdb.NewBatch()
	defer b.Close()
	for it.First(); it.Valid(); it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != len(sysDropKey)+8 || len(v) != 8 {
			return pgerror.Newf(pgerror.DataCorrupted, "storage: malformed drop record %x", k)
		}
		if Seq(binary.BigEndian.Uint64(v)) > horizon {
			continue
		}
		prefix := ObjectPrefix(binary.BigEndian.Uint64(k[len(sysDropKey):]))
		_ = b.DeleteRange(prefix, PrefixEnd(prefix), nil)
		_ = b.Delete(k, nil)
		stats.ObjectsDropped++
	}
	if err := it.Error(); err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
	}
	if b.Empty() {
		return nil
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
	}
	return nil
}

// gcVersions scans the versions from start and deletes those nothing can
// see. With a limit, it stops at a key boundary once it has scanned limit
// versions, and returns that key to resume from.
func (db *DB) gcVersions(horizon Seq, start []byte, limit int, stats *GCStats) ([]byte, error) {
	if bytes.Compare(start, minUserKey) < 0 {
		start = minUserKey
	}
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: start})
	if err != nil {
		return nil, pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
	}
	defer it.Close()
	b := db.pdb.NewBatch()
	defer func() { b.Close() }()
	flush := func() error {
		if b.Count() == 0 {
			return nil
		}
		if err := b.Commit(pebble.NoSync); err != nil {
			return pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
		}
		b.Reset()
		return nil
	}
	var cur []byte     // the logical key whose versions are being walked
	var pending []byte // a tombstone to delete after the versions it shadows
	keep := true       // whether the next version of cur is still needed
	var next []byte    // where the next step starts
	scanned := 0
	for it.First(); it.Valid(); it.Next() {
		logical, seq, err := splitVersionKey(it.Key())
		if err != nil {
			return nil, err
		}
		scanned++
		if !bytes.Equal(logical, cur) {
			if pending != nil {
				_ = b.Delete(pending, nil)
				stats.VersionsDeleted++
				pending = nil
			}
			if limit > 0 && scanned > limit {
				next = append([]byte(nil), logical...)
				break
			}
			cur = append(cur[:0], logical...)
			keep = true
		}
		if seq > horizon {
			continue
		}
		if !keep {
			_ = b.Delete(it.Key(), nil)
			stats.VersionsDeleted++
		} else {
			// The newest version at or below the horizon: the one every
			// remaining snapshot that predates newer versions reads.
			keep = false
			v, err := it.ValueAndErr()
			if err != nil {
				return nil, pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
			}
			if len(v) > 0 && v[0] == tagTombstone {
				pending = append([]byte(nil), it.Key()...)
			}
		}
		if b.Count() >= gcBatchLimit {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := it.Error(); err != nil {
		return nil, pgerror.Wrapf(err, pgerror.IOError, "storage: gc")
	}
	if pending != nil {
		_ = b.Delete(pending, nil)
		stats.VersionsDeleted++
	}
	return next, flush()
}
