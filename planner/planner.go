package planner

import (
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// Plan is a statement ready to run.
type Plan struct {
	Root exec.Operator
	// Subplans runs the subqueries left in expressions; bind it to the
	// execution context before running Root.
	Subplans *exec.SubplanRunner
	// Types are the output column types, in order.
	Types []types.T
	// Logical is the rewritten logical plan, for EXPLAIN.
	Logical logical.Node
}

// IDSource hands out fresh column ids.
type IDSource func() expr.ColumnID

// Build optimizes a logical plan and lowers it to operators. The output
// columns are exactly n.Columns(), in order.
func Build(n logical.Node, ids IDSource) (*Plan, error) {
	n, err := applyRules(n, ids)
	if err != nil {
		return nil, err
	}
	b := &builder{ids: ids, used: map[expr.ColumnID]bool{}}
	collectUsed(n, b.used)
	op, err := b.buildExact(n)
	if err != nil {
		return nil, err
	}
	return &Plan{Root: op, Subplans: exec.NewSubplanRunner(b.subplans), Types: logical.Types(n.Columns()), Logical: n}, nil
}

// collectUsed records every column id an expression of the plan refers
// to, so scans read no other columns.
func collectUsed(n logical.Node, used map[expr.ColumnID]bool) {
	addExpr := func(e expr.Expr) {
		if e == nil {
			return
		}
		for id := range expr.ColumnsUsed(e) {
			used[id] = true
		}
		expr.Walk(e, func(x expr.Expr) bool {
			if s, ok := x.(*expr.Subquery); ok {
				collectUsed(s.Plan.(logical.PlanExpr).Node, used)
			}
			return true
		})
	}
	for _, c := range n.Columns() {
		used[c.ID] = true
	}
	for _, e := range logical.Exprs(n) {
		addExpr(e)
	}
	switch x := n.(type) {
	case *logical.Update:
		for _, c := range x.OldCols {
			used[c.ID] = true
		}
		used[x.RowKeyCol.ID] = true
	case *logical.Delete:
		for _, c := range x.OldCols {
			used[c.ID] = true
		}
		used[x.RowKeyCol.ID] = true
	case *logical.CTEScan:
		collectUsed(x.CTE.Plan, used)
	}
	for _, in := range n.Inputs() {
		collectUsed(in, used)
	}
}

func unsupported(format string, args ...any) error { return pgerror.Unsupportedf(format, args...) }
