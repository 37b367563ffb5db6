package storage

import (
	"bytes"

	"github.com/tidwall/btree"
)

// bufEntry is a transaction's latest write to one key: a value, or a
// tombstone when the transaction deleted the key.
type bufEntry struct {
	key       []byte
	value     []byte
	tombstone bool
}

func bufEntryLess(a, b bufEntry) bool { return bytes.Compare(a.key, b.key) < 0 }

// undoRecord restores one key of the write buffer to what it was before a
// write: absent, or a previous entry.
type undoRecord struct {
	key     []byte
	prev    bufEntry
	existed bool
}

// writeBuffer holds a transaction's uncommitted writes in key order. It is a
// copy-on-write B-tree, so that an iterator can take an O(1) snapshot of it
// and not see the writes made while it runs (a statement that updates the
// rows it scans must not see its own new rows). Keys and values are copied
// into an arena, so that a million-row COPY makes few allocations.
type writeBuffer struct {
	tree  *btree.BTreeG[bufEntry]
	arena arena
	// undo records every write made since the first savepoint, so that
	// RollbackTo can restore the buffer. Before any savepoint it stays empty:
	// a transaction that never takes one pays nothing for it.
	undo      []undoRecord
	recording bool
	// bytes approximates the size of the keys and values written, to size
	// the commit batch.
	bytes int
	// hint remembers the B-tree path of the last access: a bulk load writes
	// keys in or near order, and the next access then starts where the
	// last one ended.
	hint btree.PathHint
}

func newWriteBuffer() writeBuffer {
	return writeBuffer{tree: btree.NewBTreeGOptions(bufEntryLess, btree.Options{NoLocks: true})}
}

func (w *writeBuffer) len() int { return w.tree.Len() }

func (w *writeBuffer) get(key []byte) (bufEntry, bool) {
	return w.tree.GetHint(bufEntry{key: key}, &w.hint)
}

// write records a put (or, with tombstone set, a delete) of key.
func (w *writeBuffer) write(key, value []byte, tombstone bool) {
	e := bufEntry{tombstone: tombstone}
	w.bytes += len(key) + len(value)
	if w.recording {
		// Reuse the key bytes already in the arena when the key was written
		// before.
		if prev, ok := w.tree.GetHint(bufEntry{key: key}, &w.hint); ok {
			e.key = prev.key
			w.undo = append(w.undo, undoRecord{key: prev.key, prev: prev, existed: true})
		} else {
			e.key = w.arena.copy(key)
			w.undo = append(w.undo, undoRecord{key: e.key})
		}
	} else {
		e.key = w.arena.copy(key)
	}
	if !tombstone {
		e.value = w.arena.copy(value)
	}
	w.tree.SetHint(e, &w.hint)
}

func (w *writeBuffer) savepoint() Savepoint {
	w.recording = true
	return Savepoint{undoLen: len(w.undo)}
}

func (w *writeBuffer) rollbackTo(sp Savepoint) {
	if sp.undoLen > len(w.undo) {
		return
	}
	for i := len(w.undo) - 1; i >= sp.undoLen; i-- {
		u := w.undo[i]
		if u.existed {
			w.tree.Set(u.prev)
		} else {
			w.tree.Delete(bufEntry{key: u.key})
		}
	}
	clear(w.undo[sp.undoLen:])
	w.undo = w.undo[:sp.undoLen]
}

// snapshot returns an immutable view of the buffer as it is now.
func (w *writeBuffer) snapshot() *btree.BTreeG[bufEntry] {
	return w.tree.Copy()
}

// arena hands out copies of byte slices carved from chunks. Chunks start
// small, so a one-row transaction allocates little, and double up to
// arenaMaxChunk, so a bulk load allocates rarely.
type arena struct {
	chunk []byte
}

const (
	arenaMinChunk = 256
	arenaMaxChunk = 64 << 10
)

func (a *arena) copy(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	if len(b) > arenaMaxChunk/8 {
		return bytes.Clone(b)
	}
	if cap(a.chunk)-len(a.chunk) < len(b) {
		size := min(max(2*cap(a.chunk), arenaMinChunk), arenaMaxChunk)
		a.chunk = make([]byte, 0, max(size, len(b)))
	}
	n := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return a.chunk[n:len(a.chunk):len(a.chunk)]
}
