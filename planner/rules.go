package planner

import (
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
)

// Rule is one rewrite of the logical plan. Apply returns the node
// unchanged and false when the rule does not apply. Rules must not change
// what a plan computes.
type Rule struct {
	Name  string
	Apply func(n logical.Node, ids IDSource) (logical.Node, bool, error)
}

// rules run in order, bottom-up over the plan.
var rules = []Rule{
	{Name: "merge-filters", Apply: mergeFilters},
	{Name: "decorrelate-exists-in", Apply: decorrelate},
}

func applyRules(n logical.Node, ids IDSource) (logical.Node, error) {
	ins := n.Inputs()
	if len(ins) > 0 {
		changed := false
		out := make([]logical.Node, len(ins))
		for i, in := range ins {
			r, err := applyRules(in, ids)
			if err != nil {
				return nil, err
			}
			out[i] = r
			changed = changed || r != in
		}
		if changed {
			n = n.WithInputs(out)
		}
	}
	if c, ok := n.(*logical.CTEScan); ok {
		p, err := applyRules(c.CTE.Plan, ids)
		if err != nil {
			return nil, err
		}
		c.CTE.Plan = p
	}
	for _, r := range rules {
		for i := 0; i < 8; i++ {
			next, changed, err := r.Apply(n, ids)
			if err != nil {
				return nil, err
			}
			if !changed {
				break
			}
			n = next
			// A rewrite may expose new opportunities below.
			if ins := n.Inputs(); len(ins) > 0 {
				out := make([]logical.Node, len(ins))
				for k, in := range ins {
					if out[k], err = applyRules(in, ids); err != nil {
						return nil, err
					}
				}
				n = n.WithInputs(out)
			}
		}
	}
	return n, nil
}

// mergeFilters joins stacked filters into one.
func mergeFilters(n logical.Node, _ IDSource) (logical.Node, bool, error) {
	f, ok := n.(*logical.Filter)
	if !ok {
		return n, false, nil
	}
	inner, ok := f.Input.(*logical.Filter)
	if !ok {
		return n, false, nil
	}
	return &logical.Filter{Input: inner.Input, Pred: expr.And(inner.Pred, f.Pred)}, true, nil
}

// decorrelate turns top-level EXISTS, NOT EXISTS, IN and (uncorrelated)
// NOT IN conjuncts of a filter into semi and anti joins, when the
// subquery's correlation is confined to its top filter.
func decorrelate(n logical.Node, _ IDSource) (logical.Node, bool, error) {
	f, ok := n.(*logical.Filter)
	if !ok {
		return n, false, nil
	}
	outerIDs := idSet(f.Input.Columns())
	var keep []expr.Expr
	input := f.Input
	changed := false
	for _, c := range expr.Conjuncts(f.Pred) {
		j := subqueryToJoin(c, input, outerIDs)
		if j == nil {
			keep = append(keep, c)
			continue
		}
		input, changed = j, true
	}
	if !changed {
		return n, false, nil
	}
	if len(keep) == 0 {
		return input, true, nil
	}
	return &logical.Filter{Input: input, Pred: expr.And(keep...)}, true, nil
}

func idSet(cols []logical.Column) map[expr.ColumnID]bool {
	m := make(map[expr.ColumnID]bool, len(cols))
	for _, c := range cols {
		m[c.ID] = true
	}
	return m
}

// subqueryToJoin returns the join that replaces conjunct c over input, or
// nil when c is not a decorrelatable subquery.
func subqueryToJoin(c expr.Expr, input logical.Node, outerIDs map[expr.ColumnID]bool) logical.Node {
	negate := false
	if n, ok := c.(*expr.Not); ok {
		negate, c = true, n.Arg
	}
	sq, ok := c.(*expr.Subquery)
	if !ok {
		return nil
	}
	for _, id := range sq.Correlated {
		if !outerIDs[id] {
			return nil // correlated with a query further out
		}
	}
	inner := sq.Plan.(logical.PlanExpr).Node
	var out expr.Expr // the subquery's output, for IN
	switch sq.Kind {
	case expr.SubqueryExists:
		for {
			switch x := inner.(type) {
			case *logical.Project:
				inner = x.Input
				continue
			case *logical.Sort:
				inner = x.Input
				continue
			case *logical.Distinct:
				if len(x.On) == 0 {
					inner = x.Input
					continue
				}
			}
			break
		}
	case expr.SubqueryAny:
		if sq.Op.Name != "=" {
			return nil
		}
		p, ok := inner.(*logical.Project)
		if !ok || len(p.Exprs) != 1 {
			return nil
		}
		out, inner = p.Exprs[0], p.Input
		if d, ok := inner.(*logical.Distinct); ok && len(d.On) == 0 {
			inner = d.Input
		}
	default:
		return nil
	}
	var corr []expr.Expr
	if len(sq.Correlated) > 0 {
		flt, ok := inner.(*logical.Filter)
		if !ok {
			return nil
		}
		var local []expr.Expr
		for _, t := range expr.Conjuncts(flt.Pred) {
			if refersTo(t, outerIDs) {
				if expr.HasSubquery(t) {
					return nil
				}
				corr = append(corr, t)
			} else {
				local = append(local, t)
			}
		}
		inner = flt.Input
		if len(local) > 0 {
			inner = &logical.Filter{Input: inner, Pred: expr.And(local...)}
		}
		if planRefersTo(inner, outerIDs) || (out != nil && refersTo(out, outerIDs)) {
			return nil
		}
	}
	on := expr.And(corr...)
	kind := logical.SemiJoin
	nullAware := false
	if negate {
		kind = logical.AntiJoin
	}
	if sq.Kind == expr.SubqueryAny {
		eq := &expr.Call{Fn: sq.Op, Args: []expr.Expr{sq.Test, out}, Ret: sq.Op.Ret}
		on = expr.And(on, eq)
		if negate {
			if len(corr) > 0 {
				return nil // NOT IN with correlation keeps its subplan
			}
			// The null-aware anti join needs the test and the output as
			// hash keys: each must read columns of its own side. Others
			// (1 NOT IN (SELECT 30 ...)) keep their subplan.
			if _, _, ok := equiSides(eq, outerIDs, idSet(inner.Columns())); !ok {
				return nil
			}
			nullAware = true
		}
	}
	return &logical.Join{Kind: kind, Left: input, Right: inner, On: on, NullAwareAnti: nullAware}
}

// refersTo reports whether e refers to any of ids.
func refersTo(e expr.Expr, ids map[expr.ColumnID]bool) bool {
	for id := range expr.ColumnsUsed(e) {
		if ids[id] {
			return true
		}
	}
	return false
}

// planRefersTo reports whether any expression of the plan refers to ids.
func planRefersTo(n logical.Node, ids map[expr.ColumnID]bool) bool {
	used := map[expr.ColumnID]bool{}
	collectExprRefs(n, used)
	for id := range used {
		if ids[id] {
			return true
		}
	}
	return false
}

// collectExprRefs gathers the column references of a plan's expressions
// (not its output columns).
func collectExprRefs(n logical.Node, used map[expr.ColumnID]bool) {
	all := map[expr.ColumnID]bool{}
	collectUsed(n, all)
	outs := map[expr.ColumnID]bool{}
	var walk func(logical.Node)
	walk = func(m logical.Node) {
		for _, c := range m.Columns() {
			outs[c.ID] = true
		}
		for _, in := range m.Inputs() {
			walk(in)
		}
	}
	walk(n)
	for id := range all {
		if !outs[id] {
			used[id] = true
		}
	}
}
