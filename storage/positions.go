package storage

import (
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
)

// Position is a durable, non-transactional mark kept outside MVCC: a value
// and a flag. SQL sequences keep theirs here, because nextval must not be
// undone by a rollback and must never hand out a value twice, even across a
// crash: writes are synced before they return.
type Position struct {
	Value int64
	// Called is PostgreSQL's is_called: false means Value itself is the
	// next one to hand out.
	Called bool
}

// positionRecordLen is the length of a stored Position: 8 bytes of value,
// big-endian two's complement, and one byte of flag.
const positionRecordLen = 9

func positionKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), sysPosKey...), id)
}

// ReadPosition returns the stored position with the given id; ok is false
// when none was written.
func (db *DB) ReadPosition(id uint64) (p Position, ok bool, err error) {
	if db.isClosed.Load() {
		return Position{}, false, errClosed()
	}
	v, closer, err := db.pdb.Get(positionKey(id))
	if err == pebble.ErrNotFound {
		return Position{}, false, nil
	}
	if err != nil {
		return Position{}, false, pgerror.Wrapf(err, pgerror.IOError, "storage: read position %d", id)
	}
	defer closer.Close()
	if len(v) != positionRecordLen {
		return Position{}, false, pgerror.Newf(pgerror.DataCorrupted, "storage: position record %d has %d bytes, want %d", id, len(v), positionRecordLen)
	}
	return Position{Value: int64(binary.BigEndian.Uint64(v)), Called: v[8] != 0}, true, nil
}

// WritePosition stores a position durably (synced even when commits are
// not: a lost write could hand out values again) and outside any
// transaction.
func (db *DB) WritePosition(id uint64, p Position) error {
	if db.isClosed.Load() {
		return errClosed()
	}
	var v [positionRecordLen]byte
	binary.BigEndian.PutUint64(v[:8], uint64(p.Value))
	if p.Called {
		v[8] = 1
	}
	if err := db.pdb.Set(positionKey(id), v[:], pebble.Sync); err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: write position %d", id)
	}
	return nil
}

// DeletePosition removes a position whose owner is gone.
func (db *DB) DeletePosition(id uint64) error {
	if db.isClosed.Load() {
		return errClosed()
	}
	if err := db.pdb.Delete(positionKey(id), pebble.NoSync); err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: delete position %d", id)
	}
	return nil
}

// CounterLimit returns how far an AllocateIDs counter has reserved on
// disk: every id it handed out, in this process or an earlier one, is
// below the limit. It is 0 for a counter never used. It lets a counter's
// successor start where the counter can no longer repeat itself.
func (db *DB) CounterLimit(counter string) (uint64, error) {
	if db.isClosed.Load() {
		return 0, errClosed()
	}
	db.idMu.Lock()
	defer db.idMu.Unlock()
	if b := db.counters[counter]; b != nil {
		return b.limit, nil
	}
	return db.readCounterLimit(append(append([]byte(nil), sysCounterKey...), counter...))
}
