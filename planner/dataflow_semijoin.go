package planner

import (
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// A workflow keeps EXISTS, IN, and NOT EXISTS subqueries with operators it
// already maintains. When the subquery is tied to the outer row by
// equalities only, the semi join of L and R is L joined with the distinct
// join keys of R (each L row meets at most one distinct key), and the anti
// join is L left-joined with those keys, keeping the rows that met none.
// As R gains and loses keys, the inner and left joins retract and insert
// L's rows: the semi join's result follows without an operator of its own.
// NOT IN, whose NULLs make a row's fate depend on every R row, is not kept.

// semiJoinIDBase numbers the columns the rewrite adds, far above the ids
// the binder and planner hand out.
const semiJoinIDBase = expr.ColumnID(1 << 29)

// semiJoinAsJoins rewrites a semi or anti join as described above; ok is
// false when its condition is not a conjunction of equalities between the
// two sides.
func (b *dfBuilder) semiJoinAsJoins(j *logical.Join) (logical.Node, bool) {
	leftIDs, rightIDs := idSet(j.Left.Columns()), idSet(j.Right.Columns())
	var lefts, rights []expr.Expr
	var eqs []*expr.Call
	for _, c := range expr.Conjuncts(j.On) {
		l, r, ok := equiSides(c, leftIDs, rightIDs)
		if !ok {
			return nil, false
		}
		lefts, rights, eqs = append(lefts, l), append(rights, r), append(eqs, c.(*expr.Call))
	}
	if len(eqs) == 0 {
		return nil, false
	}
	// The distinct join keys of the right side.
	keys := &logical.Project{Input: j.Right, Exprs: rights}
	for _, r := range rights {
		keys.Cols = append(keys.Cols, b.newColumn("?key?", r.Type()))
	}
	distinct := &logical.Aggregate{Input: keys}
	for _, k := range keys.Cols {
		distinct.GroupBy = append(distinct.GroupBy, &expr.ColRef{ID: k.ID, T: k.Type})
		distinct.GroupCols = append(distinct.GroupCols, b.newColumn("?key?", k.Type))
	}
	var right logical.Node = distinct
	keyCols := distinct.GroupCols
	var marker logical.Column
	if j.Kind == logical.AntiJoin {
		// A column that is never NULL on the key side tells the left
		// join's unmatched rows apart.
		p := &logical.Project{Input: distinct}
		keyCols = nil
		for _, k := range distinct.GroupCols {
			p.Exprs = append(p.Exprs, &expr.ColRef{ID: k.ID, T: k.Type})
			c := b.newColumn("?key?", k.Type)
			p.Cols = append(p.Cols, c)
			keyCols = append(keyCols, c)
		}
		marker = b.newColumn("?matched?", types.BoolType)
		p.Exprs = append(p.Exprs, &expr.Const{Value: true, T: types.BoolType})
		p.Cols = append(p.Cols, marker)
		right = p
	}
	var on []expr.Expr
	for i, eq := range eqs {
		k := &expr.ColRef{ID: keyCols[i].ID, T: keyCols[i].Type}
		args := []expr.Expr{lefts[i], k}
		if eq.Args[0] != lefts[i] {
			args = []expr.Expr{k, lefts[i]}
		}
		on = append(on, &expr.Call{Fn: eq.Fn, Args: args, Ret: eq.Ret})
	}
	var joined logical.Node
	if j.Kind == logical.SemiJoin {
		joined = &logical.Join{Kind: logical.InnerJoin, Left: j.Left, Right: right, On: expr.And(on...)}
	} else {
		joined = &logical.Filter{
			Input: &logical.Join{Kind: logical.LeftJoin, Left: j.Left, Right: right, On: expr.And(on...)},
			Pred:  &expr.IsNull{Arg: &expr.ColRef{ID: marker.ID, T: marker.Type}},
		}
	}
	// Only the left side's columns, under their own ids.
	out := &logical.Project{Input: joined, Cols: j.Left.Columns()}
	for _, c := range out.Cols {
		out.Exprs = append(out.Exprs, &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name})
	}
	return out, true
}

func (b *dfBuilder) newColumn(name string, t types.T) logical.Column {
	b.nextID++
	return logical.Column{ID: semiJoinIDBase + b.nextID, Name: name, Type: t}
}
