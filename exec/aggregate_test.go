package exec

import (
	"testing"

	"portalsdb/exec/expr"
	"portalsdb/types"
)

// count(DISTINCT x) ignores NULLs without letting them hide a 0: the key
// slot of a NULL integer holds 0.
func TestHashAggregateDistinctNullAndZero(t *testing.T) {
	i4 := types.Int4Type
	var rows [][]expr.Expr
	for _, v := range []types.Datum{nil, int64(0), int64(2), nil, int64(0)} {
		rows = append(rows, []expr.Expr{&expr.Const{Value: v, T: i4}})
	}
	in, err := NewValues(rows, []types.T{i4})
	if err != nil {
		t.Fatal(err)
	}
	fn, argTypes, ret, err := expr.Builtins.ResolveAgg("count", []types.T{i4}, false)
	if err != nil {
		t.Fatal(err)
	}
	agg, err := NewHashAggregate(in, nil, []AggSpec{{Fn: fn, Args: []expr.Expr{&expr.ColRef{ID: 1, T: i4}}, ArgTypes: argTypes, Ret: ret, Distinct: true}},
		Layout([]expr.ColumnID{1}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := incrContext()
	if err := agg.Open(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := agg.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := types.DatumAt(ret, b.Cols[0], 0); got != int64(2) {
		t.Errorf("count(DISTINCT x) over NULL, 0, 2, NULL, 0 = %v, want 2", got)
	}
}
