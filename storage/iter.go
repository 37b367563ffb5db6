package storage

import (
	"bytes"

	"github.com/cockroachdb/pebble/v2"
	"github.com/tidwall/btree"

	"portalsdb/pgerror"
)

// Iter walks the logical keys of [lower, upper) as a transaction sees them:
// the newest version of each key in the transaction's snapshot, merged with
// the transaction's own writes as they were when the iterator was created
// (writes made later are not seen, so a statement never sees the rows it is
// writing). Deleted keys are skipped. It moves forward and backward.
//
// Key and Value are valid until the next positioning call. Next and Prev on
// an exhausted iterator return false: reposition it with a seek, First or
// Last. An iterator must be closed, and before the database is. A key that is a proper prefix of
// upper is not seen: callers' keys are prefix-free and bounds are keys or
// prefixes of key ranges, so this does not arise in practice.
type Iter struct {
	lower, upper []byte
	committed    mvccIter
	own          bufIter
	// dir is +1 after a forward positioning call, -1 after a backward one.
	dir int
	// fromCommitted and fromOwn say which sources hold the current key.
	fromCommitted, fromOwn bool
	valid                  bool
	key, value             []byte
	err                    error
	switchBuf              []byte
}

// minUserKey is the smallest key an iterator may return: the system space
// is never visible.
var minUserKey = []byte{spaceMeta}

// NewIter returns an iterator over [lower, upper); a nil upper is unbounded.
func (t *Txn) NewIter(lower, upper []byte) (*Iter, error) {
	if t.finished {
		return nil, pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	if t.db.isClosed.Load() {
		return nil, errClosed()
	}
	if bytes.Compare(lower, minUserKey) < 0 {
		lower = minUserKey
	}
	lower = bytes.Clone(lower)
	upper = bytes.Clone(upper)
	pit, err := t.db.pdb.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, pgerror.Wrapf(err, pgerror.IOError, "storage: open iterator")
	}
	it := &Iter{lower: lower, upper: upper}
	it.committed = mvccIter{it: pit, snap: t.snap, lower: lower, upper: upper}
	it.own = bufIter{lower: lower, upper: upper}
	if t.writes != nil && t.writes.len() > 0 {
		it.own.tree = t.writes.snapshot()
		it.own.it = it.own.tree.Iter()
	}
	return it, nil
}

// First moves to the first key; it reports whether there is one.
func (it *Iter) First() bool { return it.SeekGE(it.lower) }

// Last moves to the last key.
func (it *Iter) Last() bool {
	it.dir = -1
	it.committed.last()
	it.own.last()
	return it.settleBackward()
}

// SeekGE moves to the first key >= k.
func (it *Iter) SeekGE(k []byte) bool {
	it.dir = 1
	it.committed.seekGE(k)
	it.own.seekGE(k)
	return it.settleForward()
}

// SeekLT moves to the last key < k.
func (it *Iter) SeekLT(k []byte) bool {
	it.dir = -1
	it.committed.seekLT(k)
	it.own.seekLT(k)
	return it.settleBackward()
}

// Next moves to the next key.
func (it *Iter) Next() bool {
	if !it.valid {
		return false
	}
	if it.dir < 0 {
		it.switchBuf = append(it.switchBuf[:0], it.key...)
		it.dir = 1
		it.committed.seekGT(it.switchBuf)
		it.own.seekGT(it.switchBuf)
		return it.settleForward()
	}
	if it.fromCommitted {
		it.committed.next()
	}
	if it.fromOwn {
		it.own.next()
	}
	return it.settleForward()
}

// Prev moves to the previous key.
func (it *Iter) Prev() bool {
	if !it.valid {
		return false
	}
	if it.dir > 0 {
		it.switchBuf = append(it.switchBuf[:0], it.key...)
		return it.SeekLT(it.switchBuf)
	}
	if it.fromCommitted {
		it.committed.prev()
	}
	if it.fromOwn {
		it.own.prev()
	}
	return it.settleBackward()
}

// Valid reports whether the iterator is at a key.
func (it *Iter) Valid() bool { return it.valid }

// Key returns the current logical key.
func (it *Iter) Key() []byte { return it.key }

// Value returns the current value.
func (it *Iter) Value() []byte { return it.value }

// Error returns the error that stopped the iterator, if any.
func (it *Iter) Error() error { return it.err }

// Close releases the iterator.
func (it *Iter) Close() error {
	it.valid = false
	it.own.close()
	if it.committed.it == nil {
		return nil
	}
	err := it.committed.it.Close()
	it.committed.it = nil
	if err != nil && it.err == nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: close iterator")
	}
	return it.err
}

// settleForward picks the smaller of the two sources' keys, preferring the
// transaction's own write on a tie and skipping its tombstones.
func (it *Iter) settleForward() bool {
	for {
		if it.committed.err != nil {
			return it.fail(it.committed.err)
		}
		c, o := it.committed.valid, it.own.valid
		cmp := 0
		if c && o {
			cmp = bytes.Compare(it.committed.key, it.own.e.key)
		}
		switch {
		case !c && !o:
			it.valid = false
			return false
		case c && (!o || cmp < 0):
			it.yield(true, false)
			return true
		case o && (!c || cmp > 0):
			if it.own.e.tombstone {
				it.own.next()
				continue
			}
			it.yield(false, true)
			return true
		default:
			if it.own.e.tombstone {
				it.own.next()
				it.committed.next()
				continue
			}
			it.yield(true, true)
			return true
		}
	}
}

// settleBackward is settleForward for reverse iteration.
func (it *Iter) settleBackward() bool {
	for {
		if it.committed.err != nil {
			return it.fail(it.committed.err)
		}
		c, o := it.committed.valid, it.own.valid
		cmp := 0
		if c && o {
			cmp = bytes.Compare(it.committed.key, it.own.e.key)
		}
		switch {
		case !c && !o:
			it.valid = false
			return false
		case c && (!o || cmp > 0):
			it.yield(true, false)
			return true
		case o && (!c || cmp < 0):
			if it.own.e.tombstone {
				it.own.prev()
				continue
			}
			it.yield(false, true)
			return true
		default:
			if it.own.e.tombstone {
				it.own.prev()
				it.committed.prev()
				continue
			}
			it.yield(true, true)
			return true
		}
	}
}

func (it *Iter) yield(fromCommitted, fromOwn bool) {
	it.valid = true
	it.fromCommitted, it.fromOwn = fromCommitted, fromOwn
	if fromOwn {
		it.key, it.value = it.own.e.key, it.own.e.value
	} else {
		it.key, it.value = it.committed.key, it.committed.value
	}
}

func (it *Iter) fail(err error) bool {
	it.err = err
	it.valid = false
	return false
}

// mvccIter yields, for each logical key in [lower, upper), the newest version
// with seq <= snap, skipping keys whose visible version is a tombstone.
//
// Moving forward, the Pebble iterator rests on the version it yielded; moving
// backward, it rests before the yielded key's versions. Direction changes
// always go through a seek.
type mvccIter struct {
	it           *pebble.Iterator
	snap         Seq
	lower, upper []byte
	valid        bool
	key, value   []byte // key is owned; value is owned only in reverse
	err          error
	seekBuf      []byte
	curBuf       []byte
	valBuf       []byte
}

func (m *mvccIter) seekGE(k []byte) {
	if bytes.Compare(k, m.lower) < 0 {
		k = m.lower
	}
	if m.upper != nil && bytes.Compare(k, m.upper) >= 0 {
		m.valid = false
		return
	}
	if m.it.SeekGE(k) {
		// A logical key that is a proper prefix of k sorts before k, yet its
		// versions may sort after k.
		logical, _, err := splitVersionKey(m.it.Key())
		if err != nil {
			m.setErr(err)
			return
		}
		if bytes.Compare(logical, k) < 0 {
			m.skipVersions(logical)
		}
	}
	m.findForward()
}

func (m *mvccIter) seekGT(k []byte) {
	m.seekGE(k)
	if m.valid && bytes.Equal(m.key, k) {
		m.next()
	}
}

func (m *mvccIter) next() {
	m.skipVersions(m.key)
	m.findForward()
}

// skipVersions moves the Pebble iterator past the remaining versions of
// logical. A few steps of Next usually reach the next key, since GC keeps
// version chains short; a seek bounds the cost when they are long.
func (m *mvccIter) skipVersions(logical []byte) {
	m.curBuf = append(m.curBuf[:0], logical...)
	for range 4 {
		if !m.it.Next() || !isVersionOf(m.it.Key(), m.curBuf) {
			return
		}
	}
	m.seekBuf = appendAfterVersions(m.seekBuf[:0], m.curBuf)
	m.it.SeekGE(m.seekBuf)
}

// findForward moves forward from the Pebble iterator's position to the
// first key whose visible version is a value.
func (m *mvccIter) findForward() {
	for m.it.Valid() {
		logical, seq, err := splitVersionKey(m.it.Key())
		if err != nil {
			m.setErr(err)
			return
		}
		if seq > m.snap {
			// Too new for the snapshot: jump to the newest version at or
			// below it, or to the next key.
			m.seekBuf = appendVersionKey(m.seekBuf[:0], logical, m.snap)
			m.it.SeekGE(m.seekBuf)
			continue
		}
		v, err := m.it.ValueAndErr()
		if err != nil {
			m.setErr(pgerror.Wrapf(err, pgerror.IOError, "storage: read"))
			return
		}
		if len(v) == 0 || v[0] > tagValue {
			m.setErr(pgerror.Newf(pgerror.DataCorrupted, "storage: bad version value at %x", m.it.Key()))
			return
		}
		if v[0] == tagTombstone {
			m.skipVersions(logical)
			continue
		}
		m.key = append(m.key[:0], logical...)
		m.value = v[1:]
		m.valid = true
		return
	}
	m.valid = false
	if err := m.it.Error(); err != nil {
		m.setErr(pgerror.Wrapf(err, pgerror.IOError, "storage: read"))
	}
}

func (m *mvccIter) seekLT(k []byte) {
	if m.upper != nil && bytes.Compare(k, m.upper) > 0 {
		k = m.upper
	}
	if bytes.Compare(k, m.lower) <= 0 {
		m.valid = false
		return
	}
	m.it.SeekLT(k)
	m.findBackward()
}

func (m *mvccIter) last() {
	if m.upper != nil {
		m.seekLT(m.upper)
		return
	}
	m.it.Last()
	m.findBackward()
}

func (m *mvccIter) prev() { m.findBackward() }

// findBackward moves backward from the Pebble iterator's position to the
// previous key whose visible version is a value. Moving backward, a key's
// versions come oldest first, so the visible one is the last version at or
// below snap before a newer one or another key.
func (m *mvccIter) findBackward() {
	for m.it.Valid() {
		logical, seq, err := splitVersionKey(m.it.Key())
		if err != nil {
			m.setErr(err)
			return
		}
		if bytes.Compare(logical, m.lower) < 0 {
			break
		}
		m.key = append(m.key[:0], logical...)
		found, tombstone := false, false
		for {
			if seq > m.snap {
				m.it.SeekLT(m.key)
				break
			}
			v, err := m.it.ValueAndErr()
			if err != nil {
				m.setErr(pgerror.Wrapf(err, pgerror.IOError, "storage: read"))
				return
			}
			if len(v) == 0 || v[0] > tagValue {
				m.setErr(pgerror.Newf(pgerror.DataCorrupted, "storage: bad version value at %x", m.it.Key()))
				return
			}
			found, tombstone = true, v[0] == tagTombstone
			m.valBuf = append(m.valBuf[:0], v[1:]...)
			if !m.it.Prev() || !isVersionOf(m.it.Key(), m.key) {
				break
			}
			_, seq, _ = splitVersionKey(m.it.Key())
		}
		if found && !tombstone {
			m.value = m.valBuf
			m.valid = true
			return
		}
	}
	m.valid = false
	if err := m.it.Error(); err != nil {
		m.setErr(pgerror.Wrapf(err, pgerror.IOError, "storage: read"))
	}
}

func (m *mvccIter) setErr(err error) {
	m.err = err
	m.valid = false
}

// bufIter walks a snapshot of a transaction's write buffer within bounds.
type bufIter struct {
	tree         *btree.BTreeG[bufEntry]
	it           btree.IterG[bufEntry]
	lower, upper []byte
	valid        bool
	e            bufEntry
}

func (b *bufIter) seekGE(k []byte) {
	if b.tree == nil {
		return
	}
	if bytes.Compare(k, b.lower) < 0 {
		k = b.lower
	}
	b.settle(b.it.Seek(bufEntry{key: k}))
}

func (b *bufIter) seekGT(k []byte) {
	b.seekGE(k)
	if b.valid && bytes.Equal(b.e.key, k) {
		b.next()
	}
}

func (b *bufIter) seekLT(k []byte) {
	if b.tree == nil {
		return
	}
	if b.upper != nil && bytes.Compare(k, b.upper) > 0 {
		k = b.upper
	}
	var ok bool
	if b.it.Seek(bufEntry{key: k}) {
		ok = b.it.Prev()
	} else {
		ok = b.it.Last()
	}
	b.settle(ok)
}

func (b *bufIter) last() {
	if b.tree == nil {
		return
	}
	if b.upper != nil {
		b.seekLT(b.upper)
		return
	}
	b.settle(b.it.Last())
}

func (b *bufIter) next() { b.settle(b.it.Next()) }
func (b *bufIter) prev() { b.settle(b.it.Prev()) }

func (b *bufIter) settle(ok bool) {
	b.valid = false
	if !ok {
		return
	}
	e := b.it.Item()
	if bytes.Compare(e.key, b.lower) < 0 || (b.upper != nil && bytes.Compare(e.key, b.upper) >= 0) {
		return
	}
	b.e = e
	b.valid = true
}

func (b *bufIter) close() {
	if b.tree != nil {
		b.it.Release()
		b.tree = nil
	}
	b.valid = false
}
