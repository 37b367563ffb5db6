package planner

import (
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
)

// pruneOutputs replaces the expressions of projected columns that nothing
// above reads with NULLs of their type, top-down from the columns need
// lists. PostgreSQL never computes an output of a subquery in FROM or a
// view that the query does not use, so its errors (a division by zero, a
// failed constant folding, an overflowing cast) never surface, and the work
// is saved. Columns keep their ids and positions; only their values go.
// Volatile outputs stay, for their side effects.
// Nodes whose result depends on all their columns (DISTINCT, set
// operations, windows, DML) and nodes this pass does not know need all of
// their inputs' columns.
func pruneOutputs(n logical.Node, need map[expr.ColumnID]bool) logical.Node {
	switch x := n.(type) {
	case *logical.Project:
		inNeed := map[expr.ColumnID]bool{}
		exprs := make([]expr.Expr, len(x.Exprs))
		changed := false
		for i, e := range x.Exprs {
			switch e.(type) {
			case *expr.ColRef, *expr.Const:
				// Free to compute: kept, but they oblige nothing below
				// unless used.
				exprs[i] = e
				if need[x.Cols[i].ID] {
					addUsed(inNeed, e)
				}
				continue
			}
			// A volatile output is computed even when unread, as
			// PostgreSQL does: nextval() advances its sequence.
			if need[x.Cols[i].ID] || expr.IsVolatile(e) {
				exprs[i] = e
				addUsed(inNeed, e)
				continue
			}
			exprs[i] = expr.Null(x.Cols[i].Type)
			changed = true
		}
		in := pruneOutputs(x.Input, inNeed)
		if !changed && in == x.Input {
			return x
		}
		return &logical.Project{Input: in, Exprs: exprs, Cols: x.Cols}
	case *logical.Filter:
		return withInputs(x, pruneOutputs(x.Input, plus(need, x.Pred)))
	case *logical.Sort:
		m := plus(need)
		for _, k := range x.Keys {
			addUsed(m, k.Expr)
		}
		return withInputs(x, pruneOutputs(x.Input, m))
	case *logical.Limit:
		return withInputs(x, pruneOutputs(x.Input, plus(need, x.Count, x.Offset)))
	case *logical.Join:
		m := plus(need, x.On)
		return withInputs(x, pruneOutputs(x.Left, m), pruneOutputs(x.Right, m))
	case *logical.Aggregate:
		// An aggregate nothing reads runs on NULLs: SELECT 1 FROM (SELECT
		// MAX(67 / 0) FROM t) s computes no division.
		m := plus(nil, x.GroupBy...)
		aggs := make([]logical.AggCall, len(x.Aggs))
		changed := false
		for i, a := range x.Aggs {
			if !need[a.Col.ID] && (len(a.Args) > 0 || a.Filter != nil || len(a.OrderBy) > 0) {
				na := a
				na.Args = make([]expr.Expr, len(a.Args))
				for j, arg := range a.Args {
					na.Args[j] = expr.Null(arg.Type())
				}
				na.Filter, na.OrderBy = nil, nil
				aggs[i], changed = na, true
				continue
			}
			aggs[i] = a
			for _, arg := range a.Args {
				addUsed(m, arg)
			}
			addUsed(m, a.Filter)
			for _, k := range a.OrderBy {
				addUsed(m, k.Expr)
			}
		}
		in := pruneOutputs(x.Input, m)
		if !changed {
			return withInputs(x, in)
		}
		return &logical.Aggregate{Input: in, GroupBy: x.GroupBy, GroupCols: x.GroupCols, Aggs: aggs}
	}
	ins := n.Inputs()
	if len(ins) == 0 {
		return n
	}
	out := make([]logical.Node, len(ins))
	for i, in := range ins {
		out[i] = pruneOutputs(in, idSet(in.Columns()))
	}
	return withInputs(n, out...)
}

// withInputs returns n with new inputs, or n itself when they are the same.
func withInputs(n logical.Node, in ...logical.Node) logical.Node {
	old := n.Inputs()
	for i := range in {
		if in[i] != old[i] {
			return n.WithInputs(in)
		}
	}
	return n
}

// plus copies need and adds the columns the expressions read.
func plus(need map[expr.ColumnID]bool, es ...expr.Expr) map[expr.ColumnID]bool {
	m := make(map[expr.ColumnID]bool, len(need))
	for id := range need {
		m[id] = true
	}
	for _, e := range es {
		addUsed(m, e)
	}
	return m
}

// addUsed adds the columns e reads, those its subqueries read from outside
// included.
func addUsed(m map[expr.ColumnID]bool, e expr.Expr) {
	if e == nil {
		return
	}
	for id := range expr.ColumnsUsed(e) {
		m[id] = true
	}
}
