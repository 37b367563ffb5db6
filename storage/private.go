package storage

// Private writes are for keys that only one writer ever writes and that
// its transaction does not read back before it commits: a workflow's
// operator state, saved once per atom under the workflow's own prefix. They
// skip the write buffer, a B-tree that serves a transaction's reads of its
// own writes and the conflict checks of others: they are appended as they
// come and go straight into the commit batch. A workflow's state saves were
// a fifth of its CPU in the B-tree alone (Nexmark q5).
//
// The caller promises that no other transaction writes these keys (so
// there is nothing to conflict with) and that this one neither reads them
// nor writes them through Put or Delete.
type privateWrites struct {
	arena   arena
	entries []bufEntry
	bytes   int
}

// PutPrivate writes value under key as a private write. Both are copied.
func (t *Txn) PutPrivate(key, value []byte) error {
	return t.writePrivate(key, value, false)
}

// DeletePrivate deletes key as a private write.
func (t *Txn) DeletePrivate(key []byte) error {
	return t.writePrivate(key, nil, true)
}

func (t *Txn) writePrivate(key, value []byte, tombstone bool) error {
	if err := checkUserKey(key); err != nil {
		return err
	}
	if err := t.checkWritable(); err != nil {
		return err
	}
	p := &t.private
	e := bufEntry{key: p.arena.copy(key), tombstone: tombstone}
	if !tombstone {
		e.value = p.arena.copy(value)
	}
	p.entries = append(p.entries, e)
	p.bytes += len(key) + len(value)
	return nil
}
