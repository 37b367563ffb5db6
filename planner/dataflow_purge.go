package planner

import (
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// Proving state dead by watermark.
//
// dfRef.final records, per column, when rows stop changing. Operators get
// exec.PurgeRules from it: an aggregate drops the groups whose key is
// final, a join drops the rows that neither side can change or match any
// more. The rules only drop rows that can never matter again, so a
// workflow's result is the same with and without them.

func (r *dfRef) setFinal(id expr.ColumnID, f []exec.WatermarkLineage) {
	if r.final == nil {
		r.final = map[expr.ColumnID][]exec.WatermarkLineage{}
	}
	r.final[id] = f
}

// carryFinal keeps the lineage of the ids an operator passes through.
func carryFinal(ids []expr.ColumnID, from map[expr.ColumnID][]exec.WatermarkLineage) map[expr.ColumnID][]exec.WatermarkLineage {
	var out map[expr.ColumnID][]exec.WatermarkLineage
	for _, id := range ids {
		if f, ok := from[id]; ok {
			if out == nil {
				out = map[expr.ColumnID][]exec.WatermarkLineage{}
			}
			out[id] = f
		}
	}
	return out
}

// purgeConds is the rule "column col + extra is past every lineage's
// watermark".
func purgeConds(col int, f []exec.WatermarkLineage, extra int64) exec.PurgeRule {
	rule := make(exec.PurgeRule, len(f))
	for i, l := range f {
		rule[i] = exec.PurgeCond{Col: col, Source: l.Source, Offset: l.Offset + extra}
	}
	return rule
}

// timeTerm reads a timestamp column plus or minus a constant interval of
// fixed length: it returns the column and the constant in microseconds.
func timeTerm(e expr.Expr) (expr.ColumnID, int64, bool) {
	switch x := e.(type) {
	case *expr.ColRef:
		if x.T.Kind == types.Timestamp || x.T.Kind == types.TimestampTZ {
			return x.ID, 0, true
		}
	case *expr.Call:
		if len(x.Args) != 2 || (x.Fn.Name != "+" && x.Fn.Name != "-") {
			return 0, 0, false
		}
		c, isCol := x.Args[0].(*expr.ColRef)
		k, isConst := x.Args[1].(*expr.Const)
		if !isCol || !isConst || k.Value == nil || (c.T.Kind != types.Timestamp && c.T.Kind != types.TimestampTZ) {
			return 0, 0, false
		}
		iv, ok := k.Value.(types.IntervalValue)
		if !ok || iv.Months != 0 || iv.Days != 0 {
			return 0, 0, false
		}
		if x.Fn.Name == "-" {
			return c.ID, -iv.Micros, true
		}
		return c.ID, iv.Micros, true
	}
	return 0, 0, false
}

// upperBounds reads a join condition as x <= y + c, with x and y timestamp
// columns. Strict comparisons read as their non-strict forms: the rows
// they keep are among those the weaker condition keeps, so whatever the
// weaker one proves unmatched stays unmatched. An equality gives two.
func upperBounds(p expr.Expr) (out [][2]expr.ColumnID, cs []int64) {
	call, ok := p.(*expr.Call)
	if !ok || len(call.Args) != 2 {
		return nil, nil
	}
	a, ca, okA := timeTerm(call.Args[0])
	b, cb, okB := timeTerm(call.Args[1])
	if !okA || !okB {
		return nil, nil
	}
	switch call.Fn.Name {
	case "<", "<=":
		return [][2]expr.ColumnID{{a, b}}, []int64{cb - ca}
	case ">", ">=":
		return [][2]expr.ColumnID{{b, a}}, []int64{ca - cb}
	case "=":
		return [][2]expr.ColumnID{{a, b}, {b, a}}, []int64{cb - ca, ca - cb}
	}
	return nil, nil
}

// joinPurgeRules derives, from the conditions of an inner join, when a
// stored row of either side is dead. A condition x <= y + c, with x on one
// side and y on the other, x final by watermark: rows still to come on x's
// side have x above its watermarks (less their offsets), so a stored row
// of y's side whose y + c is at or below them matches none of them; once
// it is also final itself (y final by watermark, or its side append-only),
// nothing will ever join with or retract it. Equalities between final columns also make the output's copies of
// those columns final.
func joinPurgeRules(left, right dfRef, conds []expr.Expr, out *dfRef) (lrules, rrules []exec.PurgeRule) {
	lpos, rpos := map[expr.ColumnID]int{}, map[expr.ColumnID]int{}
	for i, id := range left.ids {
		lpos[id] = i
	}
	for i, id := range right.ids {
		rpos[id] = i
	}
	rule := func(x, y expr.ColumnID, c int64, xs, ys dfRef, ypos map[expr.ColumnID]int) exec.PurgeRule {
		fx, okX := xs.final[x]
		if !okX {
			return nil
		}
		r := purgeConds(ypos[y], fx, c)
		if ys.appendOnly {
			// Rows of an append-only side are never retracted: once
			// nothing to come can match them, they are dead.
			return r
		}
		fy, okY := ys.final[y]
		if !okY {
			return nil
		}
		return append(r, purgeConds(ypos[y], fy, 0)...)
	}
	for _, p := range conds {
		pairs, cs := upperBounds(p)
		for i, xy := range pairs {
			x, y := xy[0], xy[1]
			_, xl := lpos[x]
			_, xr := rpos[x]
			_, yl := lpos[y]
			_, yr := rpos[y]
			switch {
			case xl && yr:
				if r := rule(x, y, cs[i], left, right, rpos); r != nil {
					rrules = append(rrules, r)
				}
			case xr && yl:
				if r := rule(x, y, cs[i], right, left, lpos); r != nil {
					lrules = append(lrules, r)
				}
			}
		}
		// x = y with both final: output rows with a value are final once
		// it is final on both sides.
		if call, ok := p.(*expr.Call); ok && call.Fn.Name == "=" && len(call.Args) == 2 {
			a, okA := call.Args[0].(*expr.ColRef)
			b, okB := call.Args[1].(*expr.ColRef)
			if okA && okB {
				fa, inA := left.final[a.ID]
				fb, inB := right.final[b.ID]
				if !inA || !inB {
					fa, inA = right.final[a.ID]
					fb, inB = left.final[b.ID]
				}
				if inA && inB {
					both := append(append([]exec.WatermarkLineage(nil), fa...), fb...)
					out.setFinal(a.ID, both)
					out.setFinal(b.ID, both)
				}
			}
		}
	}
	return lrules, rrules
}
