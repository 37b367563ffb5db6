package storage

import (
	"encoding/binary"
	"sort"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// Commit makes the transaction's writes durable and visible, as one atom,
// and returns its commit sequence number. A transaction without writes
// commits trivially and returns its ReadSeq.
//
// If another transaction committed a write to any key this one writes after
// this one's snapshot, Commit fails with 40001 and writes nothing (first
// committer wins).
//
// Commit returns once the commit is durable (when Options.Sync is on) and
// visible to new snapshots, so a session's next transaction reads its own
// writes. Concurrent committers share WAL fsyncs: each applies its batch to
// Pebble without syncing, in seq order under a short lock, then waits for a
// sync through Pebble's commit pipeline, which syncs once for all the
// batches written before it. A large transaction builds its batch under
// that lock, delaying the commits behind it, which could not become
// visible before it anyway; new transactions can still begin.
func (t *Txn) Commit() (Seq, error) {
	if t.finished {
		return 0, pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	db := t.db
	if !t.HasWrites() {
		t.Rollback()
		return t.snap, nil
	}
	t.finish()

	// commitMu orders commits: seq assignment, batch building and the
	// unsynced apply happen together, so batches reach Pebble in seq order
	// and the last-seq record always holds the largest applied seq.
	db.commitMu.Lock()
	db.mu.Lock()
	if db.closed || db.failed != nil {
		err := db.failed
		t.unregisterLocked()
		db.mu.Unlock()
		db.commitMu.Unlock()
		if err == nil {
			err = errClosed()
		}
		return 0, err
	}
	if db.nextSeq-1 > t.snap && db.conflictsLocked(t) {
		t.unregisterLocked()
		db.mu.Unlock()
		db.commitMu.Unlock()
		return 0, pgerror.New(pgerror.SerializationFailure, "could not serialize access due to concurrent update")
	}
	seq := db.nextSeq
	db.nextSeq++
	if t.writes != nil && t.writes.len() > 0 {
		db.recent = append(db.recent, recentCommit{seq: seq, writes: t.writes})
	}
	t.unregisterLocked()
	db.mu.Unlock()
	batch := t.buildBatch(seq)
	var applyErr error
	if err := batch.Commit(pebble.NoSync); err != nil {
		applyErr = pgerror.Wrapf(err, pgerror.IOError, "storage: apply commit %d", seq)
	}
	db.commitMu.Unlock()
	_ = batch.Close()

	var syncErr error
	if applyErr == nil && db.opts.Sync {
		// An empty synced write returns once the WAL is synced past every
		// batch applied before it: ours and, since batches are applied in
		// seq order, every smaller seq's. Concurrent callers share one
		// fsync.
		if err := db.pdb.LogData(nil, pebble.Sync); err != nil {
			syncErr = pgerror.Wrapf(err, pgerror.IOError, "storage: sync commit %d", seq)
		}
	}

	db.mu.Lock()
	var stale []pooledReader
	defer func() {
		db.mu.Unlock()
		closeReaders(stale)
	}()
	switch {
	case syncErr != nil:
		// The batch is in Pebble's memtable but maybe not on disk: it must
		// never become visible, and nothing after it can.
		if db.failed == nil {
			db.failed = syncErr
			db.logger.Error("storage: commit could not be made durable; refusing further commits", "seq", seq, "err", syncErr)
		}
		return 0, syncErr
	case db.failed != nil:
		return 0, db.failed
	}
	// Every seq up to ours is applied and durable now, so snapshots may
	// include them all. A failed apply left a gap with nothing in it.
	if seq > db.visible {
		db.visible = seq
		// Kept iterators lack this commit.
		stale = db.dropReadersLocked()
	}
	db.pruneRecentLocked()
	if applyErr != nil {
		return 0, applyErr
	}
	if len(t.logs) > 0 && db.commitHook != nil {
		db.commitHook(seq, t.logObjects())
	}
	return seq, nil
}

// conflictsLocked reports whether a commit after t's snapshot wrote a key
// that t writes.
func (db *DB) conflictsLocked(t *Txn) bool {
	if t.writes == nil || t.writes.len() == 0 {
		return false
	}
	i := sort.Search(len(db.recent), func(i int) bool { return db.recent[i].seq > t.snap })
	for _, rc := range db.recent[i:] {
		if intersects(t.writes, rc.writes) {
			return true
		}
	}
	return false
}

// intersects reports whether two write buffers share a key, walking the
// smaller one and looking its keys up in the larger.
func intersects(a, b *writeBuffer) bool {
	if a.len() > b.len() {
		a, b = b, a
	}
	hit := false
	a.tree.Scan(func(e bufEntry) bool {
		if _, ok := b.tree.Get(e); ok {
			hit = true
			return false
		}
		return true
	})
	return hit
}

// pruneRecentLocked forgets the write sets of commits that no active
// read-write transaction can conflict with: those at or below every active
// writer's snapshot and the visible seq (new transactions start there).
func (db *DB) pruneRecentLocked() {
	horizon := db.writers.min(db.visible)
	n := 0
	for n < len(db.recent) && db.recent[n].seq <= horizon {
		db.recent[n] = recentCommit{}
		n++
	}
	if n > 0 {
		db.recent = db.recent[n:]
	}
}

// buildBatch encodes the transaction's writes as versions at seq.
func (t *Txn) buildBatch(seq Seq) *pebble.Batch {
	db := t.db
	size := 64 + t.private.bytes + len(t.private.entries)*(seqSuffixLen+1+8)
	if t.writes != nil {
		size += t.writes.bytes + t.writes.len()*(seqSuffixLen+1+8)
	}
	b := db.pdb.NewBatchWithSize(size)
	var key, val []byte
	set := func(e bufEntry) bool {
		key = appendVersionKey(key[:0], e.key, seq)
		if e.tombstone {
			val = append(val[:0], tagTombstone)
		} else {
			val = append(append(val[:0], tagValue), e.value...)
		}
		_ = b.Set(key, val, nil)
		return true
	}
	if t.writes != nil {
		t.writes.tree.Scan(set)
	}
	// Private writes in the order made: a later write of a key wins.
	for _, e := range t.private.entries {
		set(e)
	}
	var seqBytes [8]byte
	binary.BigEndian.PutUint64(seqBytes[:], uint64(seq))
	for _, id := range t.drops {
		_ = b.Set(binary.BigEndian.AppendUint64(append([]byte(nil), sysDropKey...), id), seqBytes[:], nil)
	}
	t.appendLogEntries(b, seq)
	_ = b.Set(sysLastSeqKey, seqBytes[:], nil)
	return b
}
