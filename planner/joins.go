package planner

import (
	"math"
	"sort"

	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
	"portalsdb/storage"
	"portalsdb/types"
)

func isInnerJoinTree(n logical.Node) bool {
	j, ok := n.(*logical.Join)
	return ok && j.Kind == logical.InnerJoin
}

// joinLeaf is one input of a flattened inner-join tree.
type joinLeaf struct {
	node  logical.Node
	ids   map[expr.ColumnID]bool
	preds []expr.Expr // conditions on this leaf alone
	rows  float64
}

// flattenInner collects the leaves and conditions of a tree of inner
// joins and filters.
func flattenInner(n logical.Node, leaves *[]*joinLeaf, preds *[]expr.Expr) {
	switch x := n.(type) {
	case *logical.Join:
		if x.Kind == logical.InnerJoin {
			flattenInner(x.Left, leaves, preds)
			flattenInner(x.Right, leaves, preds)
			*preds = append(*preds, expr.Conjuncts(x.On)...)
			return
		}
	case *logical.Filter:
		if isInnerJoinTree(x.Input) {
			flattenInner(x.Input, leaves, preds)
			*preds = append(*preds, expr.Conjuncts(x.Pred)...)
			return
		}
	}
	*leaves = append(*leaves, &joinLeaf{node: n, ids: idSet(n.Columns()), rows: estimateRows(n)})
}

// estimateRows guesses a node's output size for join ordering.
func estimateRows(n logical.Node) float64 {
	switch x := n.(type) {
	case *logical.Scan:
		r := x.Table.Rows
		if r <= 0 {
			r = 1000
		}
		if x.Filter != nil {
			r *= math.Pow(0.3, float64(len(expr.Conjuncts(x.Filter))))
		}
		return math.Max(r, 1)
	case *logical.Values:
		return float64(len(x.Rows))
	case *logical.Filter:
		return math.Max(estimateRows(x.Input)*0.3, 1)
	case *logical.Aggregate:
		if len(x.GroupBy) == 0 {
			return 1
		}
		return math.Max(estimateRows(x.Input)*0.5, 1)
	case *logical.Limit:
		return math.Min(estimateRows(x.Input), 100)
	case *logical.Join:
		l, r := estimateRows(x.Left), estimateRows(x.Right)
		if x.Kind == logical.SemiJoin || x.Kind == logical.AntiJoin {
			return l
		}
		if x.On == nil {
			return l * r
		}
		return math.Max(l, r)
	}
	in := n.Inputs()
	if len(in) == 1 {
		return estimateRows(in[0])
	}
	return 1000
}

func subset(ids map[expr.ColumnID]bool, of map[expr.ColumnID]bool) bool {
	for id := range ids {
		if !of[id] {
			return false
		}
	}
	return true
}

// equiSides splits an equality predicate into its sides when one side
// refers only to left and the other only to right columns.
func equiSides(p expr.Expr, left, right map[expr.ColumnID]bool) (l, r expr.Expr, ok bool) {
	c, isCall := p.(*expr.Call)
	if !isCall || c.Fn.Name != "=" || len(c.Args) != 2 || c.Fn.Match != nil {
		return nil, nil, false
	}
	a, b := c.Args[0], c.Args[1]
	if expr.HasSubquery(a) || expr.HasSubquery(b) || expr.IsVolatile(a) || expr.IsVolatile(b) {
		return nil, nil, false
	}
	ua, ub := expr.ColumnsUsed(a), expr.ColumnsUsed(b)
	if len(ua) == 0 || len(ub) == 0 {
		return nil, nil, false
	}
	switch {
	case subset(ua, left) && subset(ub, right):
		return a, b, true
	case subset(ua, right) && subset(ub, left):
		return b, a, true
	}
	return nil, nil, false
}

// buildJoinTree orders and lowers a tree of inner joins: conditions on one
// input are pushed to it; the rest join the inputs greedily, smallest
// first, preferring inputs connected by an equality.
func (b *builder) buildJoinTree(n logical.Node) (built, error) {
	var leaves []*joinLeaf
	var preds []expr.Expr
	flattenInner(n, &leaves, &preds)
	for _, p := range preds {
		if neverTrue(p) {
			return b.emptyJoin(leaves)
		}
	}
	// Push single-leaf conditions down; keep the rest.
	var rest []expr.Expr
	for _, p := range preds {
		refs := expr.ColumnsUsed(p)
		pushed := false
		if len(refs) > 0 && !expr.IsVolatile(p) {
			for _, l := range leaves {
				if subset(refs, l.ids) {
					l.preds = append(l.preds, p)
					l.rows = math.Max(l.rows*0.3, 1)
					pushed = true
					break
				}
			}
		}
		if !pushed {
			rest = append(rest, p)
		}
	}
	builtLeaves := make([]built, len(leaves))
	for i, l := range leaves {
		node := l.node
		if len(l.preds) > 0 {
			node = &logical.Filter{Input: node, Pred: expr.And(l.preds...)}
		}
		r, err := b.build(node)
		if err != nil {
			return built{}, err
		}
		builtLeaves[i] = r
	}
	// Greedy order.
	remaining := make([]int, len(leaves))
	for i := range remaining {
		remaining[i] = i
	}
	sort.SliceStable(remaining, func(i, j int) bool { return leaves[remaining[i]].rows < leaves[remaining[j]].rows })
	cur := remaining[0]
	remaining = remaining[1:]
	acc := builtLeaves[cur]
	accIDs := copySet(leaves[cur].ids)
	accRows := leaves[cur].rows
	used := make([]bool, len(rest))
	for len(remaining) > 0 {
		pick := -1
		for k, li := range remaining {
			for pi, p := range rest {
				if used[pi] {
					continue
				}
				if _, _, ok := equiSides(p, accIDs, leaves[li].ids); ok {
					pick = k
					break
				}
			}
			if pick >= 0 {
				break
			}
		}
		if pick < 0 {
			pick = 0
		}
		li := remaining[pick]
		remaining = append(remaining[:pick:pick], remaining[pick+1:]...)
		right := builtLeaves[li]
		both := copySet(accIDs)
		for id := range leaves[li].ids {
			both[id] = true
		}
		var conds []expr.Expr
		for pi, p := range rest {
			if used[pi] {
				continue
			}
			if subset(expr.ColumnsUsed(p), both) && len(expr.ColumnsUsed(p)) > 0 {
				conds = append(conds, p)
				used[pi] = true
			}
		}
		j, lookup, oneMatch, err := b.lookupJoin(acc, accRows, leaves[li], conds)
		if err != nil {
			return built{}, err
		}
		if !lookup {
			if j, err = b.joinOp(exec.InnerJoin, acc, right, accIDs, leaves[li].ids, conds, false); err != nil {
				return built{}, err
			}
		}
		acc, accIDs = j, both
		if oneMatch {
			// Each row found at most one row by a unique key: the next
			// lookup join is as cheap as this one.
			continue
		}
		if len(conds) == 0 {
			accRows *= leaves[li].rows
		} else {
			accRows = math.Max(accRows, leaves[li].rows)
		}
	}
	var left []expr.Expr
	for pi, p := range rest {
		if !used[pi] {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		return b.filter(acc, expr.And(left...))
	}
	return acc, nil
}

func copySet(m map[expr.ColumnID]bool) map[expr.ColumnID]bool {
	out := make(map[expr.ColumnID]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// joinOp lowers a join of two built inputs: equality conditions become
// hash keys, the rest a residual condition.
func (b *builder) joinOp(kind exec.JoinKind, left, right built, lids, rids map[expr.ColumnID]bool, conds []expr.Expr, nullAware bool) (built, error) {
	var lkeys, rkeys, residual []expr.Expr
	for _, c := range conds {
		if l, r, ok := equiSides(c, lids, rids); ok && (!nullAware || len(lkeys) == 0) {
			lkeys, rkeys = append(lkeys, l), append(rkeys, r)
			continue
		}
		p, err := b.prepare(c)
		if err != nil {
			return built{}, err
		}
		residual = append(residual, p)
	}
	if nullAware && (len(residual) > 0 || len(lkeys) != 1) {
		return built{}, unsupported("NOT IN with this subquery shape")
	}
	ids := append(append([]expr.ColumnID(nil), left.ids...), right.ids...)
	ts := append(append(left.types[:0:0], left.types...), right.types...)
	spec := exec.JoinSpec{
		Kind: kind, Left: left.op, Right: right.op, LeftTypes: left.types, RightTypes: right.types,
		LeftKeys: lkeys, RightKeys: rkeys, LeftLayout: left.layout(), RightLayout: right.layout(),
		Residual: expr.And(residual...), Layout: exec.Layout(ids), NullAwareAnti: nullAware,
	}
	var op exec.Operator
	var err error
	if len(lkeys) > 0 {
		op, err = exec.NewHashJoin(spec)
	} else {
		op, err = exec.NewNestedLoopJoin(spec)
	}
	if err != nil {
		return built{}, err
	}
	if kind == exec.SemiJoin || kind == exec.AntiJoin {
		return built{op: wrap(op), ids: left.ids, types: left.types}, nil
	}
	return built{op: wrap(op), ids: ids, types: ts}, nil
}

var execKinds = map[logical.JoinKind]exec.JoinKind{
	logical.InnerJoin: exec.InnerJoin, logical.LeftJoin: exec.LeftJoin, logical.RightJoin: exec.RightJoin,
	logical.FullJoin: exec.FullJoin, logical.SemiJoin: exec.SemiJoin, logical.AntiJoin: exec.AntiJoin,
}

// buildJoin lowers an outer, semi or anti join. Conditions of a left join
// that concern only its right input are pushed into it.
func (b *builder) buildJoin(x *logical.Join) (built, error) {
	conds := expr.Conjuncts(x.On)
	lids, rids := idSet(x.Left.Columns()), idSet(x.Right.Columns())
	rightNode := x.Right
	if x.Kind == logical.LeftJoin || x.Kind == logical.SemiJoin || x.Kind == logical.AntiJoin {
		var keep, push []expr.Expr
		for _, c := range conds {
			refs := expr.ColumnsUsed(c)
			if len(refs) > 0 && subset(refs, rids) && !expr.IsVolatile(c) {
				push = append(push, c)
			} else {
				keep = append(keep, c)
			}
		}
		if len(push) > 0 {
			rightNode = &logical.Filter{Input: rightNode, Pred: expr.And(push...)}
			conds = keep
		}
	}
	// A semi join's conditions on its left input alone filter that input
	// first, as PostgreSQL pushes them: EXISTS (SELECT ... WHERE outer.x > 0)
	// tests outer.x once per outer row, even when the subquery has no rows.
	leftNode := x.Left
	if x.Kind == logical.SemiJoin {
		var keep, push []expr.Expr
		for _, c := range conds {
			refs := expr.ColumnsUsed(c)
			if len(refs) > 0 && subset(refs, lids) && !expr.IsVolatile(c) && !expr.HasSubquery(c) {
				push = append(push, c)
			} else {
				keep = append(keep, c)
			}
		}
		if len(push) > 0 {
			leftNode = &logical.Filter{Input: leftNode, Pred: expr.And(push...)}
			conds = keep
		}
	}
	left, err := b.build(leftNode)
	if err != nil {
		return built{}, err
	}
	right, err := b.build(rightNode)
	if err != nil {
		return built{}, err
	}
	return b.joinOp(execKinds[x.Kind], left, right, lids, rids, conds, x.NullAwareAnti)
}

// emptyJoin lowers an inner join with a constant-false condition (ON false,
// WHERE ... AND false): its inputs are planned, for their planning errors,
// but the join yields no rows and runs nothing.
func (b *builder) emptyJoin(leaves []*joinLeaf) (built, error) {
	var ids []expr.ColumnID
	var ts []types.T
	for _, l := range leaves {
		r, err := b.build(l.node)
		if err != nil {
			return built{}, err
		}
		ids = append(ids, r.ids...)
		ts = append(ts, r.types...)
	}
	op, err := exec.NewValues(nil, ts)
	if err != nil {
		return built{}, err
	}
	return built{op: wrap(op), ids: ids, types: ts}, nil
}

// lookupJoinRatio is how many times more rows than the joined-so-far input
// a table must be expected to hold for a lookup join to be chosen over a
// hash join, which reads the whole table.
const lookupJoinRatio = 10

// lookupJoin joins acc with a table leaf by looking the leaf's rows up for
// each row of acc (an index nested-loop join), when the join's conditions
// bound the leading columns of the leaf's primary key or of one of its
// indexes by acc's values, and acc is expected to be much smaller than the
// table. The conditions, with acc's columns read as outer values, become the
// filter of the leaf's scan, which chooses its access path from them as it
// does for constants. ok is false when a hash join is the better plan;
// oneMatch says the lookups go by a whole unique key, so the join yields at
// most one row per row of acc.
func (b *builder) lookupJoin(acc built, accRows float64, leaf *joinLeaf, conds []expr.Expr) (j built, ok, oneMatch bool, err error) {
	scan, isScan := leaf.node.(*logical.Scan)
	if !isScan || scan.Table.Kind != logical.TableRelation || len(conds) == 0 || accRows*lookupJoinRatio > leaf.rows {
		return built{}, false, false, nil
	}
	for _, c := range conds {
		if expr.IsVolatile(c) || expr.HasSubquery(c) {
			return built{}, false, false, nil
		}
	}
	pred := expr.And(append(append([]expr.Expr(nil), leaf.preds...), conds...)...)
	path, found := choosePath(scan, sargs(scan, expr.And(scan.Filter, pred)))
	if !found || path.eq == 0 || !boundsRead(path, acc.ids) {
		return built{}, false, false, nil
	}
	right, err := b.build(&logical.Filter{Input: scan, Pred: pred})
	if err != nil {
		return built{}, false, false, err
	}
	used := expr.ColumnsUsed(pred)
	var params []int
	var paramIDs []expr.ColumnID
	for i, id := range acc.ids {
		if used[id] {
			params, paramIDs = append(params, i), append(paramIDs, id)
		}
	}
	op, err := exec.NewLookupJoin(exec.InnerJoin, acc.op, right.op, acc.types, right.types, params, paramIDs)
	if err != nil {
		return built{}, false, false, err
	}
	ids := append(append([]expr.ColumnID(nil), acc.ids...), right.ids...)
	ts := append(append(acc.types[:0:0], acc.types...), right.types...)
	keyCols := len(scan.Table.Spec.(*storage.TableSpec).PrimaryKey)
	if path.index != nil {
		keyCols = len(path.index.Columns)
	}
	return built{op: wrap(op), ids: ids, types: ts}, true, path.unique && !path.hasRange && path.eq == keyCols, nil
}

// boundsRead reports whether the bounds of an access path read any of the
// columns ids: a path bounded by constants alone would read the same rows
// for every outer row.
func boundsRead(p accessPath, ids []expr.ColumnID) bool {
	set := idSet(nil)
	for _, id := range ids {
		set[id] = true
	}
	for _, sb := range []*exec.ScanBound{p.lower, p.upper} {
		if sb == nil {
			continue
		}
		for _, v := range sb.Values {
			for id := range expr.ColumnsUsed(v) {
				if set[id] {
					return true
				}
			}
		}
	}
	return false
}
