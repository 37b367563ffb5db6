package storage

import (
	"bytes"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// Txn is a snapshot-isolation transaction. It reads the database as of its
// snapshot (ReadSeq) plus its own writes, and buffers its writes in memory
// until Commit applies them as one Pebble batch. A Txn is not safe for
// concurrent use. Values returned by Get and iterators must not be modified.
type Txn struct {
	db       *DB
	snap     Seq
	readOnly bool
	finished bool
	// writes is the transaction's write buffer; nil until the first write.
	writes *writeBuffer
	// private are the writes that bypass the buffer (private.go).
	private privateWrites
	// reader is a Pebble iterator kept for point reads, taken on first use
	// (DB.takeReader). Pebble iterators see the database as of their
	// creation, which includes every version up to snap; readerSeq is the
	// visible seq when it was made.
	reader    *pebble.Iterator
	readerSeq Seq
	readerAt  int64 // when it was made (time.Now().UnixNano())
	// keyBuf is scratch space for building Pebble keys.
	keyBuf []byte
	// drops are the objects whose data DropTableData/DropIndexData will
	// remove after commit.
	drops []uint64
	// logs are the log entries appended by AppendLog, keyed at commit.
	logs []logAppend
	// rowIDs is a block of hidden row ids taken from the "rowid" counter.
	rowIDs struct{ start, next, end uint64 }
	// codecCache is the last table's row codec.
	codecCache codecCache
	// rowValueBuf is scratch for InsertRow: the write buffer copies what
	// it keeps, so a bulk insert encodes every row's value in one buffer.
	rowValueBuf []byte
}

// Savepoint marks a point in a transaction's writes. RollbackTo(sp) undoes
// the writes made after it and leaves sp usable again; savepoints taken
// after sp are invalidated, as in SQL.
type Savepoint struct {
	undoLen    int
	logLen     int
	privateLen int
}

// Begin starts a read-write transaction whose snapshot is the newest visible
// commit.
func (db *DB) Begin() *Txn {
	db.mu.Lock()
	t := &Txn{db: db, snap: db.visible}
	db.writers.add(t.snap)
	db.readers.add(t.snap)
	db.mu.Unlock()
	return t
}

// BeginAt starts a read-only transaction that reads the database as it was
// after commit seq (time travel). It fails with 55000 when garbage
// collection has already removed versions that seq's snapshot needs, and
// when seq has not been committed yet.
func (db *DB) BeginAt(seq Seq) (*Txn, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed()
	}
	if seq < db.gcFloor {
		return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState,
			"snapshot too old: atom %d is older than the retained history (oldest readable atom is %d)", seq, db.gcFloor)
	}
	if seq > db.visible {
		return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState,
			"atom %d is not committed yet (newest visible atom is %d)", seq, db.visible)
	}
	t := &Txn{db: db, snap: seq, readOnly: true}
	db.readers.add(seq)
	return t, nil
}

// DB returns the database the transaction belongs to.
func (t *Txn) DB() *DB { return t.db }

// ReadSeq returns the transaction's snapshot.
func (t *Txn) ReadSeq() Seq { return t.snap }

// HasWrites reports whether the transaction has buffered writes.
func (t *Txn) HasWrites() bool {
	return (t.writes != nil && t.writes.len() > 0) || len(t.drops) > 0 || len(t.logs) > 0 || len(t.private.entries) > 0
}

func (t *Txn) checkWritable() error {
	if t.finished {
		return pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	if t.readOnly {
		return pgerror.New(pgerror.ReadOnlySQLTransaction, "cannot write in a read-only transaction")
	}
	if t.writes == nil {
		wb := newWriteBuffer()
		t.writes = &wb
	}
	return nil
}

// Put writes value under key. Both are copied.
func (t *Txn) Put(key, value []byte) error {
	if err := checkUserKey(key); err != nil {
		return err
	}
	if err := t.checkWritable(); err != nil {
		return err
	}
	t.writes.write(key, value, false)
	return nil
}

// Delete deletes key. Deleting an absent key is not an error.
func (t *Txn) Delete(key []byte) error {
	if err := checkUserKey(key); err != nil {
		return err
	}
	if err := t.checkWritable(); err != nil {
		return err
	}
	t.writes.write(key, nil, true)
	return nil
}

// Get returns the value of key as the transaction sees it: its own latest
// write, or else the newest version in its snapshot.
func (t *Txn) Get(key []byte) (value []byte, ok bool, err error) {
	if t.finished {
		return nil, false, pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	if e, found := t.ownWrite(key); found {
		if e.tombstone {
			return nil, false, nil
		}
		return e.value, true, nil
	}
	return t.getCommitted(key)
}

// ownWrite returns the transaction's own latest write of key, if any.
func (t *Txn) ownWrite(key []byte) (bufEntry, bool) {
	if t.writes == nil {
		return bufEntry{}, false
	}
	return t.writes.get(key)
}

// getCommitted reads the newest version of key at the snapshot, ignoring the
// transaction's own writes.
func (t *Txn) getCommitted(key []byte) ([]byte, bool, error) {
	v, ok, err := t.readCommitted(key)
	if !ok || err != nil {
		return nil, false, err
	}
	return bytes.Clone(v), true, nil
}

// readCommitted is getCommitted without the copy: the value it returns is
// the reader's, valid until the transaction's next read.
func (t *Txn) readCommitted(key []byte) ([]byte, bool, error) {
	if t.db.isClosed.Load() {
		return nil, false, errClosed()
	}
	if t.finished {
		// A scan that outlived its transaction: its reader is closed.
		return nil, false, pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	if t.reader == nil {
		if err := t.db.takeReader(t); err != nil {
			return nil, false, err
		}
	}
	if need := len(key) + seqSuffixLen; cap(t.keyBuf) < need {
		t.keyBuf = make([]byte, 0, need+16)
	}
	t.keyBuf = appendVersionKey(t.keyBuf[:0], key, t.snap)
	if !t.reader.SeekGE(t.keyBuf) || !isVersionOf(t.reader.Key(), key) {
		if err := t.reader.Error(); err != nil {
			return nil, false, pgerror.Wrapf(err, pgerror.IOError, "storage: read")
		}
		return nil, false, nil
	}
	v, err := t.reader.ValueAndErr()
	if err != nil {
		return nil, false, pgerror.Wrapf(err, pgerror.IOError, "storage: read")
	}
	if len(v) == 0 {
		return nil, false, pgerror.Newf(pgerror.DataCorrupted, "storage: empty version value at %x", t.reader.Key())
	}
	switch v[0] {
	case tagTombstone:
		return nil, false, nil
	case tagValue:
		return v[1:], true, nil
	}
	return nil, false, pgerror.Newf(pgerror.DataCorrupted, "storage: bad version tag %d at %x", v[0], t.reader.Key())
}

// Savepoint marks the current state of the transaction's writes.
func (t *Txn) Savepoint() Savepoint {
	if t.writes == nil {
		wb := newWriteBuffer()
		t.writes = &wb
	}
	sp := t.writes.savepoint()
	sp.logLen = len(t.logs)
	sp.privateLen = len(t.private.entries)
	return sp
}

// RollbackTo undoes the writes made since sp.
func (t *Txn) RollbackTo(sp Savepoint) {
	if t.writes == nil || t.finished {
		return
	}
	t.writes.rollbackTo(sp)
	if sp.logLen < len(t.logs) {
		t.logs = t.logs[:sp.logLen]
	}
	if sp.privateLen < len(t.private.entries) {
		t.private.entries = t.private.entries[:sp.privateLen]
	}
}

// Rollback abandons the transaction. It is idempotent, and a no-op after
// Commit.
func (t *Txn) Rollback() {
	if t.finished {
		return
	}
	t.finished = true
	r := pooledReader{it: t.reader, seq: t.readerSeq, made: t.readerAt}
	t.reader = nil
	db := t.db
	db.mu.Lock()
	t.unregisterLocked()
	kept := r.it != nil && db.keepReaderLocked(r)
	db.mu.Unlock()
	if r.it != nil && !kept {
		_ = r.it.Close()
	}
}

// finish releases the transaction's resources outside the database lock.
func (t *Txn) finish() {
	t.finished = true
	if t.reader != nil {
		_ = t.reader.Close()
		t.reader = nil
	}
}

// unregisterLocked removes the transaction's snapshot from the active sets
// and drops write sets no remaining transaction can conflict with.
func (t *Txn) unregisterLocked() {
	db := t.db
	if !t.readOnly {
		db.writers.remove(t.snap)
	}
	db.readers.remove(t.snap)
	db.pruneRecentLocked()
}
