package logical

import "portalsdb/exec/expr"

// Exprs returns the expressions a node evaluates itself (not those of its
// inputs), nil ones left out. Passes that must see every expression of a
// plan (the columns it uses, the portals it calls) walk them.
func Exprs(n Node) []expr.Expr {
	var out []expr.Expr
	add := func(es ...expr.Expr) {
		for _, e := range es {
			if e != nil {
				out = append(out, e)
			}
		}
	}
	switch x := n.(type) {
	case *Scan:
		add(x.Filter)
	case *Values:
		for _, r := range x.Rows {
			add(r...)
		}
	case *Filter:
		add(x.Pred)
	case *Project:
		add(x.Exprs...)
	case *Join:
		add(x.On)
	case *LateralJoin:
		add(x.On)
	case *Aggregate:
		add(x.GroupBy...)
		for _, a := range x.Aggs {
			add(a.Args...)
			add(a.Filter)
			for _, k := range a.OrderBy {
				add(k.Expr)
			}
		}
	case *Sort:
		for _, k := range x.Keys {
			add(k.Expr)
		}
	case *Limit:
		add(x.Count, x.Offset)
	case *Distinct:
		add(x.On...)
	case *FunctionScan:
		add(x.Args...)
	case *ProjectSet:
		for _, c := range x.Calls {
			add(c.Args...)
		}
	case *TimeWindow:
		add(x.Time)
		add(x.PartitionBy...)
	case *Window:
		for _, f := range x.Funcs {
			add(f.Args...)
			add(f.PartitionBy...)
			for _, k := range f.OrderBy {
				add(k.Expr)
			}
		}
	case *Insert:
		for _, c := range x.Checks {
			add(c.Expr)
		}
		add(x.Returning...)
		if x.OnConflict != nil {
			for _, e := range x.OnConflict.Set {
				add(e)
			}
			add(x.OnConflict.Where)
		}
	case *Update:
		for _, e := range x.Sets {
			add(e)
		}
		for _, c := range x.Checks {
			add(c.Expr)
		}
		add(x.Returning...)
	case *Delete:
		add(x.Returning...)
	}
	return out
}

// Walk calls fn for n and every node below it, including the plans of
// CTEs and of subqueries in expressions, until fn returns false.
func Walk(n Node, fn func(Node) bool) {
	if !fn(n) {
		return
	}
	for _, e := range Exprs(n) {
		expr.Walk(e, func(x expr.Expr) bool {
			if s, ok := x.(*expr.Subquery); ok {
				if p, ok := s.Plan.(PlanExpr); ok {
					Walk(p.Node, fn)
				}
			}
			return true
		})
	}
	if c, ok := n.(*CTEScan); ok {
		Walk(c.CTE.Plan, fn)
	}
	for _, in := range n.Inputs() {
		Walk(in, fn)
	}
}
