package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// JoinKind is the kind of join an operator performs.
type JoinKind uint8

// Join kinds. Semi and Anti output only the left columns.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
)

var joinKindNames = [...]string{"Inner", "Left", "Right", "Full", "Semi", "Anti"}

func (k JoinKind) String() string { return joinKindNames[k] }

// JoinSpec describes a join to build.
type JoinSpec struct {
	Kind        JoinKind
	Left, Right Operator
	LeftTypes   []types.T
	RightTypes  []types.T
	// LeftKeys and RightKeys are equality keys for a hash join, over each
	// side's layout; empty for a nested-loop join.
	LeftKeys, RightKeys []expr.Expr
	LeftLayout          expr.Layout
	RightLayout         expr.Layout
	// Residual is the rest of the condition, over the left columns
	// followed by the right columns (Layout of both).
	Residual expr.Expr
	Layout   expr.Layout
	// NullAwareAnti gives NOT IN semantics to an Anti join with one key and
	// no residual.
	NullAwareAnti bool
}

// joinBase holds what hash and nested-loop joins share: the build side and
// the assembly of output rows.
type joinBase struct {
	spec     JoinSpec
	residual expr.Evaluator
	build    *batch.Batch
	matched  []bool // build rows matched, for right and full joins
	pending  chunker
	tail     bool // unmatched build rows emitted
	leftDone bool
	// leftRest holds the unprobed part of a left batch when maxLeft
	// limits how many left rows one probe takes.
	leftRest *batch.Batch
	maxLeft  int
}

func (j *joinBase) init(spec JoinSpec) error {
	j.spec = spec
	if spec.Residual != nil {
		ev, err := expr.Compile(spec.Residual, spec.Layout)
		if err != nil {
			return err
		}
		j.residual = ev
	}
	return nil
}

func (j *joinBase) openSides(ctx *Context) error {
	j.pending, j.tail, j.leftDone, j.leftRest = chunker{}, false, false, nil
	if err := j.spec.Right.Open(ctx); err != nil {
		return err
	}
	if err := j.spec.Left.Open(ctx); err != nil {
		return err
	}
	// A semi or anti join (IN, EXISTS and their negations) yields nothing
	// for an empty left input: look at the left input first, and build
	// nothing when it is empty, as PostgreSQL's hashed subplans and semi
	// joins never run the subquery for no outer row (its errors then
	// never surface, and its work is saved).
	if j.spec.Kind == SemiJoin || j.spec.Kind == AntiJoin {
		for {
			first, err := j.spec.Left.Next(ctx)
			if err != nil {
				return err
			}
			if first == nil {
				j.leftDone = true
				j.build = batch.Concat(j.spec.RightTypes, nil)
				return nil
			}
			if first.Len > 0 {
				j.leftRest = first
				break
			}
		}
	}
	bs, err := materialize(ctx, j.spec.Right)
	if err != nil {
		return err
	}
	j.build = batch.Concat(j.spec.RightTypes, bs)
	if j.spec.Kind == RightJoin || j.spec.Kind == FullJoin {
		j.matched = make([]bool, j.build.Len)
	}
	return nil
}

func (j *joinBase) closeSides() error {
	err1 := j.spec.Left.Close()
	err2 := j.spec.Right.Close()
	j.build = nil
	if err1 != nil {
		return err1
	}
	return err2
}

// pairs assembles left rows li and build rows ri (-1 for NULL) into a
// batch of left columns then right columns.
func (j *joinBase) pairs(left *batch.Batch, li, ri []int32) *batch.Batch {
	cols := make([]arrow.Array, 0, len(left.Cols)+len(j.build.Cols))
	for _, c := range left.Cols {
		cols = append(cols, batch.TakeArray(c, li))
	}
	for _, c := range j.build.Cols {
		cols = append(cols, batch.TakeArray(c, ri))
	}
	return &batch.Batch{Cols: cols, Len: len(li)}
}

// filterPairs keeps the candidate pairs that satisfy the residual.
func (j *joinBase) filterPairs(ctx *Context, left *batch.Batch, li, ri []int32) ([]int32, []int32, error) {
	if j.residual == nil || len(li) == 0 {
		return li, ri, nil
	}
	res, err := j.residual.Eval(ctx.Eval, j.pairs(left, li, ri))
	if err != nil {
		return nil, nil, err
	}
	sel := selection(res)
	ol, or := make([]int32, len(sel)), make([]int32, len(sel))
	for k, s := range sel {
		ol[k], or[k] = li[s], ri[s]
	}
	return ol, or, nil
}

// emit turns the matching pairs of one left batch into output rows
// according to the join kind.
func (j *joinBase) emit(left *batch.Batch, li, ri []int32) *batch.Batch {
	switch j.spec.Kind {
	case SemiJoin, AntiJoin:
		hit := make([]bool, left.Len)
		for _, l := range li {
			hit[l] = true
		}
		var sel []int32
		for i := 0; i < left.Len; i++ {
			if hit[i] == (j.spec.Kind == SemiJoin) {
				sel = append(sel, int32(i))
			}
		}
		if len(left.Cols) == 0 {
			return &batch.Batch{Len: len(sel)}
		}
		return left.Take(sel)
	case LeftJoin, FullJoin:
		hit := make([]bool, left.Len)
		for _, l := range li {
			hit[l] = true
		}
		for i := 0; i < left.Len; i++ {
			if !hit[i] {
				li = append(li, int32(i))
				ri = append(ri, -1)
			}
		}
	}
	if j.matched != nil {
		for _, r := range ri {
			if r >= 0 {
				j.matched[r] = true
			}
		}
	}
	return j.pairs(left, li, ri)
}

// unmatchedBuild returns the build rows no left row matched, with NULL
// left columns, for right and full joins.
func (j *joinBase) unmatchedBuild() *batch.Batch {
	var ri []int32
	for r, m := range j.matched {
		if !m {
			ri = append(ri, int32(r))
		}
	}
	if len(ri) == 0 {
		return nil
	}
	cols := make([]arrow.Array, 0, len(j.spec.LeftTypes)+len(j.build.Cols))
	for _, t := range j.spec.LeftTypes {
		cols = append(cols, array.MakeArrayOfNull(types.Allocator, t.ArrowType(), len(ri)))
	}
	for _, c := range j.build.Cols {
		cols = append(cols, batch.TakeArray(c, ri))
	}
	return &batch.Batch{Cols: cols, Len: len(ri)}
}

// run drives a join: probe computes the matching pairs of a left batch.
func (j *joinBase) run(ctx *Context, probe func(left *batch.Batch) ([]int32, []int32, error)) (*batch.Batch, error) {
	for {
		if out := j.pending.next(ctx.BatchSize * 4); out != nil {
			return out, nil
		}
		if j.leftDone {
			if j.matched != nil && !j.tail {
				j.tail = true
				if b := j.unmatchedBuild(); b != nil {
					j.pending = chunker{b: b}
					continue
				}
			}
			return nil, nil
		}
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		left := j.leftRest
		j.leftRest = nil
		if left == nil {
			var err error
			if left, err = j.spec.Left.Next(ctx); err != nil {
				return nil, err
			}
		}
		if left == nil {
			j.leftDone = true
			continue
		}
		if left.Len == 0 {
			continue
		}
		if j.maxLeft > 0 && left.Len > j.maxLeft {
			j.leftRest = left.Slice(j.maxLeft, left.Len)
			left = left.Slice(0, j.maxLeft)
		}
		li, ri, err := probe(left)
		if err != nil {
			return nil, err
		}
		if li, ri, err = j.filterPairs(ctx, left, li, ri); err != nil {
			return nil, err
		}
		out := j.emit(left, li, ri)
		if out.Len > 0 {
			j.pending = chunker{b: out}
		}
	}
}

// HashJoin joins on equality keys with a hash table on the right side.
type HashJoin struct {
	joinBase
	lkeys, rkeys []evalSpec
	table        *groupTable
	heads        []int32 // per group, first build row
	next         []int32 // per build row, next row of its group
	buildHasNull bool
	buildEmpty   bool
}

// NewHashJoin returns a hash join.
func NewHashJoin(spec JoinSpec) (*HashJoin, error) {
	h := &HashJoin{}
	if err := h.init(spec); err != nil {
		return nil, err
	}
	var err error
	if h.lkeys, err = compileSpecs(spec.LeftKeys, spec.LeftLayout); err != nil {
		return nil, err
	}
	if h.rkeys, err = compileSpecs(spec.RightKeys, spec.RightLayout); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *HashJoin) Describe() string {
	d := fmt.Sprintf("Hash %s Join (keys=%d)", h.spec.Kind, len(h.lkeys))
	if h.spec.NullAwareAnti {
		d += " null-aware"
	}
	return d
}
func (h *HashJoin) Children() []Operator { return []Operator{h.spec.Left, h.spec.Right} }
func (h *HashJoin) Close() error         { return h.closeSides() }

func (h *HashJoin) Open(ctx *Context) error {
	if err := h.openSides(ctx); err != nil {
		return err
	}
	h.table = newGroupTable()
	h.heads, h.next = nil, make([]int32, h.build.Len)
	h.buildHasNull = false
	h.buildEmpty = h.build.Len == 0
	if h.build.Len == 0 {
		return nil
	}
	k, _, err := evalKeys(ctx, h.rkeys, h.build)
	if err != nil {
		return err
	}
	for r := 0; r < h.build.Len; r++ {
		h.next[r] = -1
		if k.null[r] {
			h.buildHasNull = true
			continue
		}
		g, isNew := h.table.lookupOrAdd(&k, r)
		if isNew {
			h.heads = append(h.heads, int32(r))
		} else {
			h.next[r] = h.heads[g]
			h.heads[g] = int32(r)
		}
	}
	return nil
}

func (h *HashJoin) Next(ctx *Context) (*batch.Batch, error) {
	return h.run(ctx, func(left *batch.Batch) ([]int32, []int32, error) {
		k, _, err := evalKeys(ctx, h.lkeys, left)
		if err != nil {
			return nil, nil, err
		}
		var li, ri []int32
		if h.spec.NullAwareAnti && !h.buildEmpty {
			// NOT IN: a NULL anywhere makes the result unknown, never true;
			// report such rows as matched so the anti join drops them.
			for i := 0; i < left.Len; i++ {
				if h.buildHasNull || k.null[i] {
					li, ri = append(li, int32(i)), append(ri, 0)
				}
			}
		}
		for i := 0; i < left.Len; i++ {
			if k.null[i] {
				continue
			}
			g := h.table.lookup(&k, i)
			if g < 0 {
				continue
			}
			for r := h.heads[g]; r >= 0; r = h.next[r] {
				li, ri = append(li, int32(i)), append(ri, r)
			}
		}
		return li, ri, nil
	})
}

// NestedLoopJoin joins by testing the condition on every pair of rows.
type NestedLoopJoin struct {
	joinBase
}

// NewNestedLoopJoin returns a nested-loop join.
func NewNestedLoopJoin(spec JoinSpec) (*NestedLoopJoin, error) {
	n := &NestedLoopJoin{}
	if err := n.init(spec); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *NestedLoopJoin) Describe() string {
	if n.residual == nil {
		return fmt.Sprintf("Nested Loop %s Join (cross)", n.spec.Kind)
	}
	return fmt.Sprintf("Nested Loop %s Join", n.spec.Kind)
}
func (n *NestedLoopJoin) Children() []Operator { return []Operator{n.spec.Left, n.spec.Right} }
func (n *NestedLoopJoin) Open(ctx *Context) error {
	if err := n.openSides(ctx); err != nil {
		return err
	}
	// Probe few enough left rows at a time that the pairs stay small.
	n.maxLeft = 1
	if n.build.Len > 0 && n.build.Len < 65536 {
		n.maxLeft = 65536 / n.build.Len
	}
	return nil
}
func (n *NestedLoopJoin) Close() error { return n.closeSides() }

func (n *NestedLoopJoin) Next(ctx *Context) (*batch.Batch, error) {
	return n.run(ctx, func(left *batch.Batch) ([]int32, []int32, error) {
		nb := n.build.Len
		li := make([]int32, 0, left.Len*nb)
		ri := make([]int32, 0, left.Len*nb)
		for i := 0; i < left.Len; i++ {
			for r := 0; r < nb; r++ {
				li, ri = append(li, int32(i)), append(ri, int32(r))
			}
		}
		return li, ri, nil
	})
}
