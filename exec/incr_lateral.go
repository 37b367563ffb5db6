package exec

import (
	"encoding/binary"
	"hash/fnv"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// Asker is a function a workflow calls per input row with exactly-once
// effects: a portal. Each request carries an id derived from the workflow,
// the input atom and the asking row, so the server can recognize a request
// that a workflow replays after a crash and answer it with the reply it
// stored the first time instead of applying it again.
type Asker interface {
	SetFunction
	// Ask sends one request per argument row under the matching id and
	// returns each reply's rows, in order.
	Ask(ctx *Context, ids [][16]byte, args [][]types.Datum) ([]*batch.Batch, error)
	// ForgetAsks lets the server drop the replies it keeps for ctx's
	// workflow's asks of atoms before ctx.Atom: the workflow commits them
	// with this atom, so they are never replayed.
	ForgetAsks(ctx *Context) error
}

// IncrFunctionJoin is the incremental lateral join with a function: each
// input change becomes the changes of the rows the function returns for
// it, with the same diff. It keeps no state: a deterministic function
// (generate_series, unnest) gives a deleted row the rows it gave when the
// row was inserted. A portal is not deterministic, so over a portal
// (an ask) the input must be append-only; the planner checks that, and
// Apply refuses a retraction.
type IncrFunctionJoin struct {
	lateralJoiner
	asker Asker
	// inTypes are the input row's types, for request ids.
	inTypes []types.T
}

// NewIncrFunctionJoin returns the incremental join of an input laid out
// as layout with fn(args). When fn is an Asker, each input row is one
// request.
func NewIncrFunctionJoin(leftTypes []types.T, name string, fn SetFunction, args []expr.Expr, layout expr.Layout,
	fnTypes []types.T, ordinality, outer bool, on expr.Expr, joinedLayout expr.Layout) (*IncrFunctionJoin, error) {
	lj, err := newLateralJoiner(leftTypes, name, fn, args, layout, fnTypes, ordinality, outer, on, joinedLayout)
	if err != nil {
		return nil, err
	}
	j := &IncrFunctionJoin{lateralJoiner: *lj, inTypes: leftTypes}
	j.asker, _ = fn.(Asker)
	return j, nil
}

func (j *IncrFunctionJoin) Describe() string {
	if j.asker != nil {
		return "Ask " + j.name
	}
	return "Function Join " + j.name
}

// Asks reports whether the join asks a portal.
func (j *IncrFunctionJoin) Asks() bool { return j.asker != nil }

func (j *IncrFunctionJoin) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	if j.asker != nil {
		if err := j.asker.ForgetAsks(ctx); err != nil {
			return nil, err
		}
	}
	if c.Len == 0 {
		return batch.EmptyChanges(append(append([]types.T(nil), j.leftTypes...), j.fnTypes...)), nil
	}
	call := j.callFn
	if j.asker != nil {
		ids, err := j.requestIDs(ctx, c)
		if err != nil {
			return nil, err
		}
		call = func(ctx *Context, args [][]types.Datum) ([]*batch.Batch, error) {
			return j.asker.Ask(ctx, ids, args)
		}
	}
	out, src, err := j.join(ctx, c.Batch, call)
	if err != nil {
		return nil, err
	}
	diffs := make([]int8, len(src))
	for i, r := range src {
		diffs[i] = c.Diff[r]
	}
	return &batch.ChangeBatch{Batch: out, Diff: diffs}, nil
}

// requestIDs names each asking row: a hash of the row and of how many
// equal rows came before it in the atom. The workflow and the atom go into
// the reply's key beside it. Replaying the atom reads the same rows in the
// same order, so it makes the same ids.
func (j *IncrFunctionJoin) requestIDs(ctx *Context, c *batch.ChangeBatch) ([][16]byte, error) {
	ids := make([][16]byte, c.Len)
	seen := map[string]uint64{}
	for r := 0; r < c.Len; r++ {
		if c.Diff[r] < 0 {
			return nil, pgerror.Newf(pgerror.FeatureNotSupported, "the portal %s was asked about a retracted row; asks need an append-only input", j.name)
		}
		k, err := rowKey(j.inTypes, c.Row(j.inTypes, r))
		if err != nil {
			return nil, err
		}
		n := seen[k]
		seen[k] = n + 1
		h := fnv.New128a()
		h.Write([]byte(k))
		h.Write(binary.AppendUvarint(nil, n))
		copy(ids[r][:], h.Sum(nil))
	}
	return ids, nil
}
