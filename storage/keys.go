package storage

import (
	"bytes"
	"encoding/binary"

	"portalsdb/pgerror"
)

// Seq is a commit sequence number, the "atom" of the design: every committed
// read-write transaction gets the next one, and it is the MVCC version of
// everything that transaction wrote. Seq 0 is the empty database.
type Seq uint64

// The first byte of every Pebble key says which key space it belongs to. The
// spaces never interleave, so a scan of one cannot see another.
const (
	// spaceSystem holds unversioned bookkeeping records (the last commit
	// sequence, the GC floor, id counters, pending drops). Callers can never
	// write here: Put refuses keys that start with this byte.
	spaceSystem byte = 0x00
	// spaceMeta holds the catalog records of PutMeta.
	spaceMeta byte = 0x01
	// spaceObject holds table rows and index entries, under an 8-byte object
	// id (see ObjectPrefix).
	spaceObject byte = 0x02
	// spaceLog holds atom logs: immutable entries keyed by object id, the
	// seq of the commit that appended them, and their index within it.
	spaceLog byte = 0x03
	// FirstFreeSpace is the smallest first byte that storage itself never
	// uses: other layers may put their own prefix-free key spaces there.
	FirstFreeSpace byte = 0x04
)

// System records. Each is a complete key; none is a prefix of another.
var (
	sysLastSeqKey = []byte{spaceSystem, 's'}
	sysGCFloorKey = []byte{spaceSystem, 'g'}
	sysCounterKey = []byte{spaceSystem, 'c'} // + counter name
	sysDropKey    = []byte{spaceSystem, 'd'} // + 8-byte object id
	sysPosKey     = []byte{spaceSystem, 'q'} // + 8-byte position id
)

// seqSuffixLen is the length of the version suffix of every MVCC key.
const seqSuffixLen = 8

// Values in Pebble start with a tag byte that says whether the version is a
// value or a deletion tombstone.
const (
	tagTombstone byte = 0
	tagValue     byte = 1
)

// appendVersionKey appends the Pebble key of the version of logical written at
// seq: the logical key, then the inverted seq in big-endian order, so that the
// newest version of a key sorts first.
func appendVersionKey(dst, logical []byte, seq Seq) []byte {
	dst = append(dst, logical...)
	return binary.BigEndian.AppendUint64(dst, ^uint64(seq))
}

// appendAfterVersions appends a key that sorts after every version of logical
// and before the versions of every greater logical key (keys are
// prefix-free, so a greater key differs from logical within logical's length).
func appendAfterVersions(dst, logical []byte) []byte {
	dst = append(dst, logical...)
	dst = append(dst, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	return append(dst, 0)
}

// splitVersionKey splits a Pebble MVCC key into its logical key and seq.
func splitVersionKey(k []byte) (logical []byte, seq Seq, err error) {
	if len(k) <= seqSuffixLen {
		return nil, 0, pgerror.Newf(pgerror.DataCorrupted, "storage: malformed versioned key %x", k)
	}
	n := len(k) - seqSuffixLen
	return k[:n:n], Seq(^binary.BigEndian.Uint64(k[n:])), nil
}

// isVersionOf reports whether the Pebble key k is a version of logical.
// Logical keys are prefix-free, so a matching prefix of the right length can
// only be a version of the same key.
func isVersionOf(k, logical []byte) bool {
	return len(k) == len(logical)+seqSuffixLen && bytes.HasPrefix(k, logical)
}

// PrefixEnd returns the smallest key greater than every key that starts with
// prefix, or nil when there is none (prefix is empty or all 0xff).
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// ObjectPrefix returns the key prefix of object id's key range: the object
// space byte and the id as 8 big-endian bytes. Tables and indexes keep their
// keys under it; other layers (task state, atom logs) may use it for their own
// objects, keeping the same rule that every key under it is prefix-free.
func ObjectPrefix(id uint64) []byte {
	return AppendObjectPrefix(make([]byte, 0, 9), id)
}

// AppendObjectPrefix appends ObjectPrefix(id) to dst.
func AppendObjectPrefix(dst []byte, id uint64) []byte {
	dst = append(dst, spaceObject)
	return binary.BigEndian.AppendUint64(dst, id)
}

// checkUserKey refuses keys that callers may not write.
func checkUserKey(key []byte) error {
	if len(key) == 0 {
		return pgerror.Internalf("storage: empty key")
	}
	if key[0] == spaceSystem {
		return pgerror.Internalf("storage: key %x is in the reserved system space", key)
	}
	return nil
}
