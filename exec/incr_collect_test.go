package exec

import (
	"strings"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// stringAggOrdered returns string_agg(t, ',' ORDER BY n DESC) over rows
// (t text, n int8).
func stringAggOrdered(t *testing.T) (*IncrAggregate, []types.T) {
	t.Helper()
	fn, argTypes, ret, err := expr.Builtins.ResolveAgg("string_agg", []types.T{types.TextType, types.TextType}, false)
	if err != nil {
		t.Fatal(err)
	}
	spec := AggSpec{Fn: fn, ArgTypes: argTypes, Ret: ret,
		Args:    []expr.Expr{&expr.ColRef{ID: 1, T: types.TextType}, &expr.Const{Value: ",", T: types.TextType}},
		OrderBy: []SortSpec{{Expr: &expr.ColRef{ID: 2, T: types.Int8Type}, Desc: true}}}
	a, err := NewIncrAggregate(nil, []AggSpec{spec}, Layout([]expr.ColumnID{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	return a, []types.T{ret}
}

// A collected aggregate (string_agg with ORDER BY) follows inserts and
// retractions in its ORDER BY's order, whatever order rows arrive in, and
// its rows survive a save and load.
func TestIncrAggregateCollectsOrderedRows(t *testing.T) {
	ts := []types.T{types.TextType, types.Int8Type}
	row := func(s string, n int64) []types.Datum { return []types.Datum{s, n} }
	a, out := stringAggOrdered(t)
	ctx := incrContext()
	if _, err := a.Initial(); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		ins, dels [][]types.Datum
		want      string
	}{
		{[][]types.Datum{row("b", 2), row("a", 1), row("c", 3)}, nil, "+ (c,b,a)"},
		{[][]types.Datum{row("b", 2)}, [][]types.Datum{row("c", 3)}, "+ (b,b,a)"},
		{[][]types.Datum{row("z", 0)}, [][]types.Datum{row("b", 2)}, "+ (b,a,z)"},
	}
	for i, st := range steps {
		if i == 2 {
			mem := memState{}
			if err := a.Save(mem); err != nil {
				t.Fatal(err)
			}
			a, _ = stringAggOrdered(t)
			if err := a.Load(mem); err != nil {
				t.Fatal(err)
			}
		}
		c, err := a.Apply(ctx, []*batch.ChangeBatch{changesOf(ts, st.ins, st.dels)})
		if err != nil {
			t.Fatal(err)
		}
		var plus []string
		for _, l := range strings.Split(showChanges(out, c), "\n") {
			if strings.HasPrefix(l, "+") {
				plus = append(plus, l)
			}
		}
		if got := strings.Join(plus, "\n"); got != st.want {
			t.Errorf("step %d: new row %q, want %q", i+1, got, st.want)
		}
	}
}
