package exec

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// Helpers for the incremental operators' tests: change batches from rows,
// and a change batch printed as sorted "+ (v, ...)" lines.

func incrContext() *Context {
	return NewContext(context.Background(), &expr.Ctx{Env: &types.Env{}}, nil)
}

// changesOf returns the changes +row for each row of ins and -row for each
// row of dels.
func changesOf(ts []types.T, ins, dels [][]types.Datum) *batch.ChangeBatch {
	cb := batch.NewChangeBuilder(ts)
	for _, r := range ins {
		cb.Add(r, 1)
	}
	for _, r := range dels {
		cb.Add(r, -1)
	}
	return cb.Build()
}

func showChanges(ts []types.T, c *batch.ChangeBatch) string {
	lines := make([]string, c.Len)
	for r := 0; r < c.Len; r++ {
		parts := make([]string, len(ts))
		for i, d := range c.Row(ts, r) {
			if d == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = types.FormatText(ts[i], d, nil)
			}
		}
		sign := "+"
		if c.Diff[r] < 0 {
			sign = "-"
		}
		lines[r] = fmt.Sprintf("%s (%s)", sign, strings.Join(parts, ", "))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// intJoin returns a join of (a int8) with (b int8) on a = b.
func intJoin(t testing.TB, kind JoinKind) *IncrJoin {
	t.Helper()
	i8 := types.Int8Type
	j, err := NewIncrJoin(JoinSpec{Kind: kind, LeftTypes: []types.T{i8}, RightTypes: []types.T{i8},
		LeftKeys: []expr.Expr{&expr.ColRef{ID: 1, T: i8}}, RightKeys: []expr.Expr{&expr.ColRef{ID: 2, T: i8}},
		LeftLayout: Layout([]expr.ColumnID{1}), RightLayout: Layout([]expr.ColumnID{2}), Layout: Layout([]expr.ColumnID{1, 2})})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// A stored row whose integer join key is NULL matches nothing, not the
// rows whose key is 0 (the value slot of a NULL).
func TestIncrJoinNullIntegerKeyMatchesNothing(t *testing.T) {
	ts := []types.T{types.Int8Type}
	both := []types.T{types.Int8Type, types.Int8Type}
	for _, kind := range []JoinKind{InnerJoin, LeftJoin, FullJoin} {
		j := intJoin(t, kind)
		ctx := incrContext()
		out, err := j.Apply(ctx, []*batch.ChangeBatch{changesOf(ts, [][]types.Datum{{nil}}, nil), batch.EmptyChanges(ts)})
		if err != nil {
			t.Fatal(err)
		}
		first := showChanges(both, out)
		out, err = j.Apply(ctx, []*batch.ChangeBatch{batch.EmptyChanges(ts), changesOf(ts, [][]types.Datum{{int64(0)}}, nil)})
		if err != nil {
			t.Fatal(err)
		}
		got := first + " | " + showChanges(both, out)
		want := map[JoinKind]string{
			InnerJoin: " | ",
			LeftJoin:  "+ (NULL, NULL) | ",
			FullJoin:  "+ (NULL, NULL) | + (NULL, 0)",
		}[kind]
		if got != want {
			t.Errorf("%s join: got %q, want %q", kind, got, want)
		}
	}
}

// memState is an operator's persisted state in memory.
type memState map[string][]byte

func (m memState) Put(k, v []byte) error { m[string(k)] = append([]byte(nil), v...); return nil }
func (m memState) Delete(k []byte) error { delete(m, string(k)); return nil }
func (m memState) Scan(fn func(k, v []byte) error) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn([]byte(k), m[k]); err != nil {
			return err
		}
	}
	return nil
}

// numericAggregate returns sum(x) over one numeric column.
func numericAggregate(t *testing.T) (*IncrAggregate, []types.T) {
	t.Helper()
	num := types.NumericType
	var specs []AggSpec
	for _, name := range []string{"sum"} {
		fn, argTypes, ret, err := expr.Builtins.ResolveAgg(name, []types.T{num}, false)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, AggSpec{Fn: fn, Args: []expr.Expr{&expr.ColRef{ID: 1, T: num}}, ArgTypes: argTypes, Ret: ret})
	}
	a, err := NewIncrAggregate(nil, specs, Layout([]expr.ColumnID{1}))
	if err != nil {
		t.Fatal(err)
	}
	return a, aggTypes(specs)
}

func numerics(t *testing.T, texts ...string) [][]types.Datum {
	t.Helper()
	var rows [][]types.Datum
	for _, s := range texts {
		d, err := types.ParseText(types.NumericType, s, &types.Env{})
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, []types.Datum{d})
	}
	return rows
}

// A numeric sum shows the largest scale of the values it holds now: after
// 2.25 is retracted from 1.5 + 2.25 the sum is 1.5, not 1.50, as the batch
// sum of what is left. The scales survive a save and load.
func TestIncrAggregateNumericSumScaleFollowsRetractions(t *testing.T) {
	ts := []types.T{types.NumericType}
	a, out := numericAggregate(t)
	ctx := incrContext()
	if _, err := a.Initial(); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		ins, dels []string
		want      string
	}{
		{[]string{"1.5", "2.25"}, nil, "+ (3.75)"},
		{nil, []string{"2.25"}, "+ (1.5)"},
		{[]string{"10"}, []string{"1.5"}, "+ (10)"},
	}
	for i, st := range steps {
		if i == 2 {
			// Restart: a fresh operator from the saved state.
			mem := memState{}
			if err := a.Save(mem); err != nil {
				t.Fatal(err)
			}
			a, _ = numericAggregate(t)
			if err := a.Load(mem); err != nil {
				t.Fatal(err)
			}
		}
		c, err := a.Apply(ctx, []*batch.ChangeBatch{changesOf(ts, numerics(t, st.ins...), numerics(t, st.dels...))})
		if err != nil {
			t.Fatal(err)
		}
		if got := insertedRows(out, c); got != st.want {
			t.Errorf("step %d: new row %q, want %q", i+1, got, st.want)
		}
	}
}

// insertedRows shows the rows a change batch inserts, one a line.
func insertedRows(ts []types.T, c *batch.ChangeBatch) string {
	var plus []string
	for _, l := range strings.Split(showChanges(ts, c), "\n") {
		if strings.HasPrefix(l, "+") {
			plus = append(plus, l)
		}
	}
	return strings.Join(plus, "\n")
}

// A left join saves the match counts that a change on the other side
// alters: after a restart between "right row arrives" and "right row
// leaves", the left row gets its NULL-padded row back.
func TestIncrJoinSavesMatchCounts(t *testing.T) {
	ts := []types.T{types.Int8Type}
	both := []types.T{types.Int8Type, types.Int8Type}
	one := [][]types.Datum{{int64(1)}}
	var j *IncrJoin
	mem := memState{}
	steps := []struct {
		left, right *batch.ChangeBatch
		want        string
	}{
		{changesOf(ts, one, nil), batch.EmptyChanges(ts), "+ (1, NULL)"},
		{batch.EmptyChanges(ts), changesOf(ts, one, nil), "+ (1, 1)\n- (1, NULL)"},
		{batch.EmptyChanges(ts), changesOf(ts, nil, one), "+ (1, NULL)\n- (1, 1)"},
	}
	for i, st := range steps {
		// Every atom runs on an operator loaded from the saved state.
		j = intJoin(t, LeftJoin)
		if err := j.Load(mem); err != nil {
			t.Fatal(err)
		}
		out, err := j.Apply(incrContext(), []*batch.ChangeBatch{st.left, st.right})
		if err != nil {
			t.Fatal(err)
		}
		if got := showChanges(both, out); got != st.want {
			t.Errorf("atom %d: got %q, want %q", i+1, got, st.want)
		}
		if err := j.Save(mem); err != nil {
			t.Fatal(err)
		}
	}
}

// StateSize counts the rows each side keeps as they come and go, across a
// Save and a Load.
func TestIncrJoinStateSizeFollowsRows(t *testing.T) {
	ts := []types.T{types.Int8Type}
	rows := func(vs ...int64) [][]types.Datum {
		var out [][]types.Datum
		for _, v := range vs {
			out = append(out, []types.Datum{v})
		}
		return out
	}
	j := intJoin(t, InnerJoin)
	mem := memState{}
	steps := []struct {
		left, right *batch.ChangeBatch
		want        int
	}{
		{changesOf(ts, rows(1, 2, 2), nil), batch.EmptyChanges(ts), 2},
		{batch.EmptyChanges(ts), changesOf(ts, rows(2, 3), nil), 4},
		{changesOf(ts, nil, rows(2, 2)), changesOf(ts, nil, rows(3)), 2},
		{changesOf(ts, nil, rows(1)), changesOf(ts, nil, rows(2)), 0},
	}
	for i, st := range steps {
		if _, err := j.Apply(incrContext(), []*batch.ChangeBatch{st.left, st.right}); err != nil {
			t.Fatal(err)
		}
		if err := j.Save(mem); err != nil {
			t.Fatal(err)
		}
		if got := j.StateSize(); got != st.want {
			t.Errorf("atom %d: state size %d, want %d", i+1, got, st.want)
		}
		j = intJoin(t, InnerJoin)
		if err := j.Load(mem); err != nil {
			t.Fatal(err)
		}
		if got := j.StateSize(); got != st.want {
			t.Errorf("atom %d, loaded: state size %d, want %d", i+1, got, st.want)
		}
	}
}
