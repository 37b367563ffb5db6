package planner

import (
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
)

// pruneScans narrows each scan of a workflow's plan to the columns the plan
// uses, with a projection right above it. A workflow's operators copy the
// rows they expand (HOP repeats each row per window) and keep the rows
// they join or rank in their state; a bid's URL and padding that no
// expression reads would be copied and stored for nothing.
//
// Columns count as used when an expression refers to them, when the result
// outputs them, and when an operator compares rows whole: below DISTINCT
// and set operations every column is used. CTE plans are left as they are.
func pruneScans(n logical.Node) logical.Node {
	used := map[expr.ColumnID]bool{}
	for _, c := range n.Columns() {
		used[c.ID] = true
	}
	dataflowUsed(n, used)
	return narrowScans(n, used)
}

func dataflowUsed(n logical.Node, used map[expr.ColumnID]bool) {
	add := func(es ...expr.Expr) {
		for _, e := range es {
			if e == nil {
				continue
			}
			for id := range expr.ColumnsUsed(e) {
				used[id] = true
			}
		}
	}
	all := func(ns ...logical.Node) {
		for _, in := range ns {
			for _, c := range in.Columns() {
				used[c.ID] = true
			}
		}
	}
	switch x := n.(type) {
	case *logical.Scan:
		add(x.Filter)
	case *logical.Filter:
		add(x.Pred)
	case *logical.Project:
		add(x.Exprs...)
	case *logical.Join:
		add(x.On)
	case *logical.Aggregate:
		add(x.GroupBy...)
		for _, a := range x.Aggs {
			add(a.Args...)
			add(a.Filter)
			for _, k := range a.OrderBy {
				add(k.Expr)
			}
		}
	case *logical.Sort:
		for _, k := range x.Keys {
			add(k.Expr)
		}
	case *logical.Limit:
		add(x.Count, x.Offset)
	case *logical.TimeWindow:
		add(x.Time)
		add(x.PartitionBy...)
	case *logical.Window:
		for _, f := range x.Funcs {
			add(f.Args...)
			add(f.PartitionBy...)
			for _, k := range f.OrderBy {
				add(k.Expr)
			}
		}
	case *logical.Distinct:
		add(x.On...)
		all(x.Input)
	case *logical.SetOp:
		all(x.Left, x.Right)
	default:
		// Shapes a workflow does not maintain are refused later; keep
		// their inputs whole.
		all(n.Inputs()...)
	}
	for _, in := range n.Inputs() {
		dataflowUsed(in, used)
	}
}

func narrowScans(n logical.Node, used map[expr.ColumnID]bool) logical.Node {
	if s, ok := n.(*logical.Scan); ok {
		cols := s.Columns()
		var keep []logical.Column
		for _, c := range cols {
			if used[c.ID] {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			// count(*) alone: rows still need a column to count.
			keep = cols[:1]
		}
		if len(keep) == len(cols) {
			return n
		}
		exprs := make([]expr.Expr, len(keep))
		for i, c := range keep {
			exprs[i] = &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}
		}
		return &logical.Project{Input: s, Exprs: exprs, Cols: keep}
	}
	ins := n.Inputs()
	if len(ins) == 0 {
		return n
	}
	out := make([]logical.Node, len(ins))
	for i, in := range ins {
		out[i] = narrowScans(in, used)
	}
	if w, ok := n.(*logical.TimeWindow); ok {
		// Its columns are its input's, then the window's two.
		nw := *w
		nw.Input = out[0]
		nw.Cols = append(append([]logical.Column(nil), out[0].Columns()...), w.Cols[len(w.Cols)-2:]...)
		return &nw
	}
	return n.WithInputs(out)
}
