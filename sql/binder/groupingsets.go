package binder

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// GROUP BY GROUPING SETS, ROLLUP and CUBE group the same rows several
// ways in one query. Each grouping set becomes an Aggregate over the
// query's input, read once into a CTE; each Aggregate's rows are padded
// with NULL for the group columns its set leaves out, and the branches
// are concatenated (UNION ALL). GROUPING(a, b) is a column of each branch:
// a constant bit mask of the arguments its set leaves out.

// groupingCall is one GROUPING(...) of a query level.
type groupingCall struct {
	// args are indexes into the level's group expressions.
	args []int
	col  logical.Column
}

// Limits PostgreSQL puts on grouping sets.
const (
	maxCubeElements = 12
	maxGroupingSets = 4096
)

// expandGroupingSet turns a GROUPING SETS, ROLLUP or CUBE item of GROUP BY
// into its grouping sets, each a list of group expression indexes.
func (b *Binder) expandGroupingSet(gs *pg.GroupingSet, s *pg.SelectStmt, sc *scope) ([][]int, error) {
	// element binds one item of a ROLLUP or CUBE, or a parenthesized list
	// in GROUPING SETS: a row (a, b) groups by both together.
	element := func(n *pg.Node) ([]int, error) {
		if row := n.GetRowExpr(); row != nil {
			var out []int
			for _, a := range row.Args {
				i, err := b.groupExprIndex(a, s, sc, sc.level.agg)
				if err != nil {
					return nil, err
				}
				out = append(out, i)
			}
			return out, nil
		}
		i, err := b.groupExprIndex(n, s, sc, sc.level.agg)
		if err != nil {
			return nil, err
		}
		return []int{i}, nil
	}
	var elems [][]int
	if gs.Kind == pg.GroupingSetKind_GROUPING_SET_ROLLUP || gs.Kind == pg.GroupingSetKind_GROUPING_SET_CUBE || gs.Kind == pg.GroupingSetKind_GROUPING_SET_SIMPLE {
		for _, n := range gs.Content {
			e, err := element(n)
			if err != nil {
				return nil, err
			}
			elems = append(elems, e)
		}
	}
	switch gs.Kind {
	case pg.GroupingSetKind_GROUPING_SET_EMPTY:
		return [][]int{{}}, nil
	case pg.GroupingSetKind_GROUPING_SET_SIMPLE:
		return [][]int{concatSets(elems)}, nil
	case pg.GroupingSetKind_GROUPING_SET_ROLLUP:
		// ROLLUP (a, b, c): (a, b, c), (a, b), (a), ().
		var out [][]int
		for k := len(elems); k >= 0; k-- {
			out = append(out, concatSets(elems[:k]))
		}
		return out, nil
	case pg.GroupingSetKind_GROUPING_SET_CUBE:
		if len(elems) > maxCubeElements {
			return nil, pgerror.Newf(pgerror.ProgramLimitExceeded, "CUBE is limited to %d elements", maxCubeElements).WithPosition(int(gs.Location) + 1)
		}
		// Every subset, the whole first and the empty one last.
		var out [][]int
		for mask := (1 << len(elems)) - 1; mask >= 0; mask-- {
			var set [][]int
			for j := range elems {
				if mask&(1<<(len(elems)-1-j)) != 0 {
					set = append(set, elems[j])
				}
			}
			out = append(out, concatSets(set))
		}
		return out, nil
	case pg.GroupingSetKind_GROUPING_SET_SETS:
		var out [][]int
		for _, n := range gs.Content {
			if inner := n.GetGroupingSet(); inner != nil {
				sets, err := b.expandGroupingSet(inner, s, sc)
				if err != nil {
					return nil, err
				}
				out = append(out, sets...)
				continue
			}
			e, err := element(n)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	return nil, pgerror.Unsupportedf("grouping set kind %v is not supported", gs.Kind)
}

// concatSets joins grouping set elements into one set.
func concatSets(elems [][]int) []int {
	out := []int{}
	for _, e := range elems {
		out = append(out, e...)
	}
	return out
}

// crossGroupingSets combines the GROUP BY items: GROUP BY a, ROLLUP (b)
// groups by every set of the one with every set of the other.
func crossGroupingSets(items [][][]int) ([][]int, error) {
	out := [][]int{{}}
	for _, sets := range items {
		var next [][]int
		for _, prefix := range out {
			for _, s := range sets {
				next = append(next, append(append([]int(nil), prefix...), s...))
			}
		}
		if len(next) > maxGroupingSets {
			return nil, pgerror.Newf(pgerror.StatementTooComplex, "too many grouping sets present (maximum %d)", maxGroupingSets)
		}
		out = next
	}
	return out, nil
}

// bindGroupingFunc binds GROUPING(args): each argument must be one of
// the level's group expressions.
func (b *Binder) bindGroupingFunc(gf *pg.GroupingFunc, s *scope) (expr.Expr, error) {
	lvl := s.level
	if lvl.noAggReason != "" {
		return nil, pgerror.Newf(pgerror.GroupingError, "grouping operations are not allowed in %s", lvl.noAggReason).WithPosition(int(gf.Location) + 1)
	}
	ac := lvl.agg
	if ac == nil {
		return nil, pgerror.New(pgerror.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level").WithPosition(int(gf.Location) + 1)
	}
	if len(gf.Args) > 31 {
		return nil, pgerror.New(pgerror.TooManyArguments, "GROUPING must have fewer than 32 arguments").WithPosition(int(gf.Location) + 1)
	}
	var args []int
	for _, a := range gf.Args {
		e, err := b.bindExpr(a, s)
		if err != nil {
			return nil, err
		}
		found := -1
		for i, g := range ac.groupExprs {
			if exprEqual(e, g) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, pgerror.New(pgerror.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level").WithPosition(int(leftmostLocation(a)) + 1)
		}
		args = append(args, found)
	}
	for _, c := range ac.groupingCalls {
		if equalInts(c.args, args) {
			return &expr.ColRef{ID: c.col.ID, T: c.col.Type, Name: "grouping"}, nil
		}
	}
	col := logical.Column{ID: b.newID(), Name: "grouping", Type: types.Int4Type}
	ac.groupingCalls = append(ac.groupingCalls, groupingCall{args: args, col: col})
	return &expr.ColRef{ID: col.ID, T: col.Type, Name: col.Name}, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// buildGroupedAggregate builds a grouped query level's aggregation: one
// Aggregate for a plain GROUP BY, or one per grouping set, concatenated,
// when the query has grouping sets or GROUPING calls. Its output columns
// are the level's group columns, aggregate columns and GROUPING columns.
func (b *Binder) buildGroupedAggregate(input logical.Node, ac *aggContext) logical.Node {
	if ac.sets == nil && len(ac.groupingCalls) == 0 {
		return &logical.Aggregate{Input: input, GroupBy: ac.groupExprs, GroupCols: ac.groupCols, Aggs: ac.aggs}
	}
	sets := ac.sets
	if sets == nil {
		all := make([]int, len(ac.groupExprs))
		for i := range all {
			all[i] = i
		}
		sets = [][]int{all}
	}
	out := append([]logical.Column(nil), ac.groupCols...)
	for _, a := range ac.aggs {
		out = append(out, a.Col)
	}
	for _, g := range ac.groupingCalls {
		out = append(out, g.col)
	}
	source := func() logical.Node { return input }
	if len(sets) > 1 {
		// The input is computed once and read by every set.
		b.nextWT++
		cte := &logical.CTE{ID: b.nextWT, Name: "grouping sets", Plan: input}
		source = func() logical.Node { return &logical.CTEScan{CTE: cte, Cols: input.Columns()} }
	}
	fresh := func(c logical.Column) logical.Column {
		return logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type}
	}
	var node logical.Node
	for k, set := range sets {
		inSet := map[int]bool{}
		for _, i := range set {
			inSet[i] = true
		}
		agg := &logical.Aggregate{Input: source()}
		proj := &logical.Project{Input: agg}
		for i, e := range ac.groupExprs {
			if !inSet[i] {
				proj.Exprs = append(proj.Exprs, expr.Null(ac.groupCols[i].Type))
				continue
			}
			c := fresh(ac.groupCols[i])
			agg.GroupBy = append(agg.GroupBy, e)
			agg.GroupCols = append(agg.GroupCols, c)
			proj.Exprs = append(proj.Exprs, &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name})
		}
		for _, a := range ac.aggs {
			a.Col = fresh(a.Col)
			agg.Aggs = append(agg.Aggs, a)
			proj.Exprs = append(proj.Exprs, &expr.ColRef{ID: a.Col.ID, T: a.Col.Type, Name: a.Col.Name})
		}
		for _, g := range ac.groupingCalls {
			// Bit n-1-j is set when argument j is not grouped here.
			var mask int64
			for j, i := range g.args {
				if !inSet[i] {
					mask |= 1 << (len(g.args) - 1 - j)
				}
			}
			proj.Exprs = append(proj.Exprs, &expr.Const{Value: mask, T: types.Int4Type})
		}
		last := k == len(sets)-1
		if len(sets) == 1 {
			proj.Cols = out
			return proj
		}
		for _, c := range out {
			proj.Cols = append(proj.Cols, fresh(c))
		}
		if node == nil {
			node = proj
			continue
		}
		u := &logical.SetOp{Kind: logical.Union, All: true, Left: node, Right: proj}
		if last {
			u.Cols = out
		} else {
			for _, c := range out {
				u.Cols = append(u.Cols, fresh(c))
			}
		}
		node = u
	}
	return node
}
