package storage

import (
	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// MetaEntry is one catalog record.
type MetaEntry struct {
	Key   string
	Value []byte
}

// metaKey returns the logical key of catalog record name: the meta space
// byte and the name key-encoded as text, which keeps names in bytewise
// order and makes the keys prefix-free.
func metaKey(name string) []byte {
	k, _ := rowcodec.AppendKey([]byte{spaceMeta}, types.TextType, name, false)
	return k
}

// metaPrefix returns the key prefix shared by the records whose names start
// with prefix: the encoding of prefix without its terminator.
func metaPrefix(prefix string) []byte {
	k := metaKey(prefix)
	return k[:len(k)-2]
}

// PutMeta writes catalog record key, transactionally like any write. The
// SQL layer keeps its catalog here.
func (t *Txn) PutMeta(key string, value []byte) error {
	return t.Put(metaKey(key), value)
}

// DeleteMeta deletes catalog record key.
func (t *Txn) DeleteMeta(key string) error {
	return t.Delete(metaKey(key))
}

// GetMeta reads catalog record key.
func (t *Txn) GetMeta(key string) ([]byte, bool, error) {
	return t.Get(metaKey(key))
}

// ScanMeta returns the catalog records whose keys start with prefix, in key
// order.
func (t *Txn) ScanMeta(prefix string) ([]MetaEntry, error) {
	lower := metaPrefix(prefix)
	it, err := t.NewIter(lower, PrefixEnd(lower))
	if err != nil {
		return nil, err
	}
	var out []MetaEntry
	for it.First(); it.Valid(); it.Next() {
		name, ok := decodeMetaKey(it.Key())
		if !ok {
			_ = it.Close()
			return nil, pgerror.Newf(pgerror.DataCorrupted, "storage: malformed catalog key %x", it.Key())
		}
		out = append(out, MetaEntry{Key: name, Value: append([]byte(nil), it.Value()...)})
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeMetaKey recovers a record name from its key: it undoes the 0x00
// 0xff escapes up to the 0x00 0x01 terminator.
func decodeMetaKey(k []byte) (string, bool) {
	metaTagged := metaPrefix("")
	if len(k) < len(metaTagged)+2 || string(k[:len(metaTagged)]) != string(metaTagged) {
		return "", false
	}
	body := k[len(metaTagged):]
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		if body[i] != 0 {
			out = append(out, body[i])
			continue
		}
		if i+1 >= len(body) {
			return "", false
		}
		switch body[i+1] {
		case 0xff:
			out = append(out, 0)
			i++
		case 0x01:
			return string(out), i+2 == len(body)
		default:
			return "", false
		}
	}
	return "", false
}
