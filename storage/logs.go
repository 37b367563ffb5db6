package storage

import (
	"bytes"
	"encoding/binary"
	"sort"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// Atom logs.
//
// An atom log is an append-only sequence of immutable entries that belong
// to one object (a stream, a table's changelog, a workflow's output). A
// transaction appends entries with AppendLog; its commit gives them keys
// holding the commit's sequence number, so the entries one commit appends
// to one log are exactly one atom, visible all at once with the rest of the
// commit. Entries are not versioned: an entry at seq s exists for every
// snapshot at s or later.
//
// Key: spaceLog, object id (8 bytes), seq (8 bytes), index within the
// commit (4 bytes), all big-endian, so a log reads in atom order.

type logAppend struct {
	obj   uint64
	value []byte
}

// LogEntry is one entry of an atom log.
type LogEntry struct {
	Seq   Seq
	Index uint32
	Value []byte
}

// AppendLog appends an entry to the log of object obj, as part of the
// transaction's atom for that object. value is copied.
func (t *Txn) AppendLog(obj uint64, value []byte) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	t.logs = append(t.logs, logAppend{obj: obj, value: append([]byte(nil), value...)})
	return nil
}

// LogAppends returns how many entries the transaction appended to obj.
func (t *Txn) LogAppends(obj uint64) int {
	n := 0
	for _, l := range t.logs {
		if l.obj == obj {
			n++
		}
	}
	return n
}

func (t *Txn) logObjects() []uint64 {
	seen := map[uint64]bool{}
	var out []uint64
	for _, l := range t.logs {
		if !seen[l.obj] {
			seen[l.obj] = true
			out = append(out, l.obj)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func appendLogKey(dst []byte, obj uint64, seq Seq, idx uint32) []byte {
	dst = append(dst, spaceLog)
	dst = binary.BigEndian.AppendUint64(dst, obj)
	dst = binary.BigEndian.AppendUint64(dst, uint64(seq))
	return binary.BigEndian.AppendUint32(dst, idx)
}

// appendLogEntries writes the transaction's log appends into its commit
// batch at seq.
func (t *Txn) appendLogEntries(b *pebble.Batch, seq Seq) {
	next := map[uint64]uint32{}
	var key []byte
	for _, l := range t.logs {
		idx := next[l.obj]
		next[l.obj] = idx + 1
		key = appendLogKey(key[:0], l.obj, seq, idx)
		_ = b.Set(key, l.value, nil)
	}
}

// SetCommitHook registers fn to learn of every commit that appends to a
// log, with the objects whose logs it appended to, once the commit is
// visible. Call it once, before the database is used concurrently.
func (db *DB) SetCommitHook(fn func(seq Seq, logs []uint64)) { db.commitHook = fn }

// LogIter reads a range of one atom log.
type LogIter struct {
	it    *pebble.Iterator
	obj   uint64
	err   error
	entry LogEntry
	valid bool
}

// ScanLog reads the entries of obj's log with from <= seq <= to, in order.
// Entries after the transaction's snapshot are not read.
func (t *Txn) ScanLog(obj uint64, from, to Seq) (*LogIter, error) {
	if to > t.snap {
		to = t.snap
	}
	lower := appendLogKey(nil, obj, from, 0)
	upper := appendLogKey(nil, obj, to+1, 0)
	if to == ^Seq(0) {
		upper = appendLogKey(nil, obj+1, 0, 0)
	}
	it, err := t.db.pdb.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, pgerror.Wrapf(err, pgerror.IOError, "storage: reading log %d", obj)
	}
	li := &LogIter{it: it, obj: obj}
	li.valid = it.First()
	li.load()
	return li, nil
}

func (l *LogIter) load() {
	if !l.valid {
		if err := l.it.Error(); err != nil {
			l.err = pgerror.Wrapf(err, pgerror.IOError, "storage: reading log %d", l.obj)
		}
		return
	}
	k := l.it.Key()
	if len(k) != 21 || k[0] != spaceLog {
		l.valid = false
		l.err = pgerror.Newf(pgerror.DataCorrupted, "storage: bad log key %x", k)
		return
	}
	l.entry = LogEntry{
		Seq:   Seq(binary.BigEndian.Uint64(k[9:17])),
		Index: binary.BigEndian.Uint32(k[17:21]),
		Value: l.it.Value(),
	}
}

// Valid reports whether the iterator is at an entry.
func (l *LogIter) Valid() bool { return l.valid && l.err == nil }

// Entry returns the current entry; its Value is valid until Next.
func (l *LogIter) Entry() LogEntry { return l.entry }

// Next moves to the next entry.
func (l *LogIter) Next() bool {
	l.valid = l.it.Next()
	l.load()
	return l.Valid()
}

// Error returns the error that stopped the iteration, if any.
func (l *LogIter) Error() error { return l.err }

// Close releases the iterator.
func (l *LogIter) Close() error { return l.it.Close() }

// NextLogSeq returns the smallest seq > after at which obj's log has an
// entry visible to the transaction, or 0 when there is none.
func (t *Txn) NextLogSeq(obj uint64, after Seq) (Seq, error) {
	if after >= t.snap {
		return 0, nil
	}
	it, err := t.ScanLog(obj, after+1, t.snap)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Valid() {
		return 0, it.Error()
	}
	return it.Entry().Seq, nil
}

// TrimLog removes the entries of obj's log before seq (retention). It
// takes effect at once and is not transactional: trimmed atoms are gone
// for every reader.
func (db *DB) TrimLog(obj uint64, before Seq) error {
	lower := appendLogKey(nil, obj, 0, 0)
	upper := appendLogKey(nil, obj, before, 0)
	if bytes.Compare(lower, upper) >= 0 {
		return nil
	}
	if err := db.pdb.DeleteRange(lower, upper, pebble.NoSync); err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: trimming log %d", obj)
	}
	return nil
}

// DropLog removes obj's whole log.
func (db *DB) DropLog(obj uint64) error {
	return db.TrimLog(obj, ^Seq(0))
}
