package planner

import (
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// lowerRankFilter recognizes top-N per group written with a window
// function:
//
//	SELECT ... FROM (SELECT ..., row_number() OVER (PARTITION BY p ORDER BY o) AS rn FROM r) WHERE rn <= n
//
// that is, a filter bounding the rank over a projection (or nothing) over
// a Window node with that one row_number() call. It lowers it to one
// IncrGroupTopN; conditions of the filter that do not bound the rank run
// after it. ok is false when the shape is not this one.
func (b *dfBuilder) lowerRankFilter(f *logical.Filter) (dfRef, bool, error) {
	var proj *logical.Project
	var win *logical.Window
	switch in := f.Input.(type) {
	case *logical.Window:
		win = in
	case *logical.Project:
		w, ok := in.Input.(*logical.Window)
		if !ok {
			return dfRef{}, false, nil
		}
		proj, win = in, w
	default:
		return dfRef{}, false, nil
	}
	if len(win.Funcs) != 1 || win.Funcs[0].Name != "row_number" || len(win.Funcs[0].OrderBy) == 0 {
		return dfRef{}, false, nil
	}
	call := win.Funcs[0]
	// The ids under which the filter sees the rank.
	rankIDs := map[expr.ColumnID]bool{call.Col.ID: true}
	if proj != nil {
		for i, e := range proj.Exprs {
			if c, ok := e.(*expr.ColRef); ok && c.ID == call.Col.ID {
				rankIDs[proj.Cols[i].ID] = true
			} else if usesColumn(e, call.Col.ID) {
				return dfRef{}, false, nil
			}
		}
	}
	limit := int64(-1)
	var rest []expr.Expr
	for _, c := range expr.Conjuncts(f.Pred) {
		if n, ok := rankBound(c, rankIDs); ok {
			if limit < 0 || n < limit {
				limit = n
			}
			continue
		}
		for id := range rankIDs {
			if usesColumn(c, id) {
				return dfRef{}, false, nil
			}
		}
		rest = append(rest, c)
	}
	if limit < 0 {
		return dfRef{}, false, nil
	}
	if err := checkExprs(call.PartitionBy...); err != nil {
		return dfRef{}, true, err
	}
	in, err := b.lower(win.Input)
	if err != nil {
		return dfRef{}, true, err
	}
	keys := make([]exec.SortSpec, len(call.OrderBy))
	for i, k := range call.OrderBy {
		if err := checkExprs(k.Expr); err != nil {
			return dfRef{}, true, err
		}
		keys[i] = exec.SortSpec{Expr: k.Expr, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	op, err := exec.NewIncrGroupTopN(exec.GroupTopNSpec{PartitionBy: call.PartitionBy, OrderBy: keys, Limit: limit,
		Layout: in.layout(), Types: in.types, AppendOnly: in.appendOnly})
	if err != nil {
		return dfRef{}, true, err
	}
	ids := append(append([]expr.ColumnID(nil), in.ids...), call.Col.ID)
	ts := append(append([]types.T(nil), in.types...), call.Col.Type)
	out := dfRef{ref: b.add(op, []int{in.ref}, ts), ids: ids, types: ts}
	if proj != nil {
		if err := checkExprs(proj.Exprs...); err != nil {
			return dfRef{}, true, err
		}
		pop, err := exec.NewIncrProject(proj.Exprs, out.layout())
		if err != nil {
			return dfRef{}, true, err
		}
		pts := logical.Types(proj.Cols)
		out = dfRef{ref: b.add(pop, []int{out.ref}, pts), ids: logical.IDs(proj.Cols), types: pts}
	}
	if len(rest) > 0 {
		out, err = b.filter(out, expr.And(rest...))
	}
	return out, true, err
}

func usesColumn(e expr.Expr, id expr.ColumnID) bool {
	return expr.ColumnsUsed(e)[id]
}

// rankBound recognizes rn <= n, rn < n, rn = 1 (and their mirror images)
// for a constant n, and returns the largest rank they keep.
func rankBound(e expr.Expr, rankIDs map[expr.ColumnID]bool) (int64, bool) {
	c, ok := e.(*expr.Call)
	if !ok || len(c.Args) != 2 || !c.Fn.Infix {
		return 0, false
	}
	op, l, r := c.Fn.Name, c.Args[0], c.Args[1]
	if col, ok := l.(*expr.ColRef); !ok || !rankIDs[col.ID] {
		col, ok := r.(*expr.ColRef)
		if !ok || !rankIDs[col.ID] {
			return 0, false
		}
		l, r = r, l
		op = map[string]string{"<=": ">=", ">=": "<=", "<": ">", ">": "<", "=": "="}[op]
	}
	if len(expr.ColumnsUsed(r)) > 0 {
		return 0, false
	}
	v, err := expr.EvalConst(&expr.Ctx{}, r)
	if err != nil {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok {
		return 0, false
	}
	switch op {
	case "<=":
		return max(n, 0), true
	case "<":
		return max(n-1, 0), true
	case "=":
		if n == 1 {
			return 1, true
		}
	}
	return 0, false
}
