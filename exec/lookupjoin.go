package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// LookupJoin runs its right input once per left row, with that row's values
// as outer values, and pairs the row with what the right input yields. The
// planner gives it a right input that is a table scan bounded by those outer
// values through the primary key or an index, under a filter holding the
// join's conditions: an index nested-loop join. It pays off when few left
// rows meet a large table, which a hash join would read whole.
//
// Kinds: inner, left, semi and anti. The right input alone decides which of
// its rows match: the join has no condition of its own.
type LookupJoin struct {
	kind        JoinKind
	left, right Operator
	leftTypes   []types.T
	rightTypes  []types.T
	// params are the left columns the right input reads, by position, and
	// the ids it reads them by.
	params   []int
	paramIDs []expr.ColumnID
	pending  chunker
	done     bool
}

// NewLookupJoin returns a join that reruns right for each left row, giving
// it the left columns at params as the outer values paramIDs.
func NewLookupJoin(kind JoinKind, left, right Operator, leftTypes, rightTypes []types.T, params []int, paramIDs []expr.ColumnID) (*LookupJoin, error) {
	switch kind {
	case InnerJoin, LeftJoin, SemiJoin, AntiJoin:
	default:
		return nil, pgerror.Internalf("lookup join: unsupported kind %s", kind)
	}
	return &LookupJoin{kind: kind, left: left, right: right, leftTypes: leftTypes, rightTypes: rightTypes, params: params, paramIDs: paramIDs}, nil
}

func (j *LookupJoin) Describe() string {
	return fmt.Sprintf("Nested Loop %s Join (lookups per outer row)", j.kind)
}
func (j *LookupJoin) Children() []Operator { return []Operator{j.left, j.right} }

func (j *LookupJoin) Open(ctx *Context) error {
	j.pending, j.done = chunker{}, false
	return j.left.Open(ctx)
}

func (j *LookupJoin) Close() error { return j.left.Close() }

func (j *LookupJoin) Next(ctx *Context) (*batch.Batch, error) {
	for {
		if out := j.pending.next(ctx.BatchSize * 4); out != nil {
			return out, nil
		}
		if j.done {
			return nil, nil
		}
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		left, err := j.left.Next(ctx)
		if err != nil {
			return nil, err
		}
		if left == nil {
			j.done = true
			continue
		}
		if left.Len == 0 {
			continue
		}
		out, err := j.probe(ctx, left)
		if err != nil {
			return nil, err
		}
		if out != nil && out.Len > 0 {
			j.pending = chunker{b: out}
		}
	}
}

// probe runs the right input for each row of left and assembles the
// output rows of the batch.
func (j *LookupJoin) probe(ctx *Context, left *batch.Batch) (*batch.Batch, error) {
	var li, ri []int32
	var rights []*batch.Batch
	rightRows := 0
	for i := 0; i < left.Len; i++ {
		outer := make(map[expr.ColumnID]types.Datum, len(j.params))
		for k, p := range j.params {
			outer[j.paramIDs[k]] = types.DatumAt(j.leftTypes[p], left.Cols[p], i)
		}
		matched, err := j.runRight(ctx.child(outer), func(b *batch.Batch) {
			rights = append(rights, b)
			for r := 0; r < b.Len; r++ {
				li, ri = append(li, int32(i)), append(ri, int32(rightRows+r))
			}
			rightRows += b.Len
		})
		if err != nil {
			return nil, err
		}
		if !matched && j.kind == LeftJoin {
			li, ri = append(li, int32(i)), append(ri, -1)
		}
		if j.kind == SemiJoin && matched || j.kind == AntiJoin && !matched {
			li = append(li, int32(i))
		}
	}
	if j.kind == SemiJoin || j.kind == AntiJoin {
		if len(left.Cols) == 0 {
			return &batch.Batch{Len: len(li)}, nil
		}
		return left.Take(li), nil
	}
	right := batch.Concat(j.rightTypes, rights)
	cols := make([]arrow.Array, 0, len(left.Cols)+len(right.Cols))
	for _, c := range left.Cols {
		cols = append(cols, batch.TakeArray(c, li))
	}
	for _, c := range right.Cols {
		cols = append(cols, batch.TakeArray(c, ri))
	}
	return &batch.Batch{Cols: cols, Len: len(li)}, nil
}

// runRight runs the right input to its end under ctx, handing each
// non-empty batch to each (not for semi and anti joins, which stop at the
// first row), and reports whether it yielded any row.
func (j *LookupJoin) runRight(ctx *Context, each func(*batch.Batch)) (matched bool, err error) {
	if err := j.right.Open(ctx); err != nil {
		j.right.Close()
		return false, err
	}
	for {
		b, err := j.right.Next(ctx)
		if err != nil {
			j.right.Close()
			return false, err
		}
		if b == nil {
			break
		}
		if b.Len == 0 {
			continue
		}
		matched = true
		if j.kind == SemiJoin || j.kind == AntiJoin {
			break
		}
		each(b)
	}
	return matched, j.right.Close()
}
