package portals

import (
	"context"

	"portalsdb/exec"
	"portalsdb/pgerror"
	"portalsdb/storage"
)

// ResultAt returns the snapshot at which workflow oid's result is its
// result at atom: the result over every input atom up to atom and none
// after. A workflow commits one input atom at a time, recording the atom
// as its position, so that snapshot is the last one whose position is at
// most atom; positions only grow, so a binary search over snapshots finds
// it. It first waits (within ctx) until the workflow has absorbed atom, so
// that the snapshot found is not merely where it had got to.
func (rt *Runtime) ResultAt(ctx context.Context, oid uint32, name string, atom storage.Seq) (storage.Seq, error) {
	if _, err := rt.WaitCaughtUp(ctx, []uint32{oid}, atom); err != nil {
		return 0, err
	}
	key := exec.PositionKey(uint64(oid))
	// beyond reports whether, at snapshot s, the workflow exists and has
	// absorbed an input atom after atom.
	beyond := func(s storage.Seq) (bool, error) {
		txn, err := rt.db.BeginAt(s)
		if err != nil {
			return false, err
		}
		defer txn.Rollback()
		v, ok, err := txn.Get(key)
		if err != nil || !ok {
			return false, err
		}
		pos, _, _, err := decodePosition(v)
		return pos > atom, err
	}
	// A position never exceeds the snapshot it commits at, so the answer
	// lies in [atom, visible].
	lo, hi := atom, rt.db.VisibleSeq()
	if hi < lo {
		return 0, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "atom %d is not committed yet (newest visible atom is %d)", atom, hi)
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		b, err := beyond(mid)
		if err != nil {
			return 0, err
		}
		if b {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	txn, err := rt.db.BeginAt(lo)
	if err != nil {
		return 0, err
	}
	defer txn.Rollback()
	if _, ok, err := txn.Get(key); err != nil {
		return 0, err
	} else if !ok {
		return 0, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q has no result at atom %d: it was created after it", name, atom)
	}
	return lo, nil
}
