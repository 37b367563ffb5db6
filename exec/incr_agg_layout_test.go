package exec

import (
	"math"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// The fixed-width columns and the general ones emit the same changes and
// save the same bytes, atom after atom of random inserts and retractions
// over every kind of aggregate, grouped and global, across restarts that
// load the state one layout saved into the other.
func TestIncrAggregateLayoutsAgree(t *testing.T) {
	for _, global := range []bool{false, true} {
		for _, keys := range []int{1, 7, 200} {
			if global && keys > 1 {
				continue
			}
			compareLayouts(t, global, keys, mixedAggs, 60)
		}
	}
	// Each aggregate alone, so that a change of one column's result is
	// not masked by another's.
	for _, m := range mixedAggs {
		compareLayouts(t, false, 5, []mixedAgg{m}, 20)
	}
}

// compareLayouts runs atoms random atoms over keys group keys through
// aggregates of aggs with each kind of column.
func compareLayouts(t *testing.T, global bool, keys int, aggs []mixedAgg, atomCount int) {
	t.Helper()
	build := func() (*IncrAggregate, *IncrAggregate, []types.T) {
		fast, ts := mixedAggregateOf(t, global, aggs)
		general, _ := mixedAggregateOf(t, global, aggs)
		aggLayouts[1].set(general)
		return fast, general, ts
	}
	fast, general, ts := build()
	if countFixed(general) != 0 {
		t.Fatalf("%d fixed-width columns in the general layout", countFixed(general))
	}
	init1, err := fast.Initial()
	if err != nil {
		t.Fatal(err)
	}
	init2, err := general.Initial()
	if err != nil {
		t.Fatal(err)
	}
	if a, b := showChanges(ts, init1), showChanges(ts, init2); a != b {
		t.Fatalf("initial rows differ:\n%s\n%s", a, b)
	}
	memFast, memGeneral := memState{}, memState{}
	atoms := newMixedAtoms(uint64(keys), keys)
	for i := range atomCount {
		var in *batch.ChangeBatch
		switch {
		case i == atomCount/2 || i == atomCount-1:
			// Every group goes back to no rows.
			in = atoms.retractAll()
		default:
			in = atoms.next(1 + i%5*20)
		}
		c1, err1 := fast.Apply(incrContext(), []*batch.ChangeBatch{in})
		c2, err2 := general.Apply(incrContext(), []*batch.ChangeBatch{in})
		if err1 != nil || err2 != nil {
			t.Fatalf("atom %d: %v, %v", i, err1, err2)
		}
		if a, b := showChanges(ts, c1), showChanges(ts, c2); a != b {
			t.Fatalf("%d aggregates, keys %d, global %v, atom %d: fixed-width emitted\n%s\ngeneral emitted\n%s", len(aggs), keys, global, i, a, b)
		}
		if err := fast.Save(memFast); err != nil {
			t.Fatal(err)
		}
		if err := general.Save(memGeneral); err != nil {
			t.Fatal(err)
		}
		if fast.StateSize() != len(memFast) || general.StateSize() != len(memGeneral) {
			t.Fatalf("atom %d: state sizes %d and %d, saved %d and %d", i, fast.StateSize(), general.StateSize(), len(memFast), len(memGeneral))
		}
		sameState(t, i, memFast, memGeneral)
		if i%10 == 9 {
			// Restart each from the other's state.
			fast, general, _ = build()
			if err := fast.Load(memGeneral); err != nil {
				t.Fatal(err)
			}
			if err := general.Load(memFast); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := map[bool]int{false: 0, true: 1}[global]; fast.StateSize() != want {
		t.Errorf("after retracting every row: %d groups, want %d", fast.StateSize(), want)
	}
}

func countFixed(a *IncrAggregate) int {
	n := 0
	for _, c := range a.cols {
		if _, ok := c.(*generalColumn); !ok {
			n++
		}
	}
	return n
}

func sameState(t *testing.T, atom int, a, b memState) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("atom %d: %d and %d state entries", atom, len(a), len(b))
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || string(v) != string(w) {
			t.Fatalf("atom %d: state of %x: %x and %x", atom, k, v, w)
		}
	}
}

// sumsByKey returns count(*), sum(x) and avg(x) over rows (k int8, x
// int8) grouped by k, and its output types.
func sumsByKey(t *testing.T) (*IncrAggregate, []types.T) {
	t.Helper()
	i8 := types.Int8Type
	var specs []AggSpec
	for _, name := range []string{"count", "sum", "avg"} {
		var args []expr.Expr
		var argTypes []types.T
		if name != "count" {
			args, argTypes = []expr.Expr{&expr.ColRef{ID: 2, T: i8}}, []types.T{i8}
		}
		fn, resolved, ret, err := expr.Builtins.ResolveAgg(name, argTypes, len(args) == 0)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, AggSpec{Fn: fn, Args: args, ArgTypes: resolved, Ret: ret})
	}
	a, err := NewIncrAggregate([]expr.Expr{&expr.ColRef{ID: 1, T: i8}}, specs, Layout([]expr.ColumnID{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	if countFixed(a) != 3 {
		t.Fatalf("%d fixed-width columns, want 3", countFixed(a))
	}
	return a, append([]types.T{i8}, aggTypes(specs)...)
}

// A sum of int8 values leaves int64's range as a numeric, exactly, comes
// back into it when a value is retracted, and survives a restart while
// outside it; avg follows. The same holds for negative sums. The expected
// rows are PostgreSQL 15's for the same values (avg's scale shrinks as its
// integer part grows).
func TestIncrAggregateIntegerSumOverflowsIntoNumeric(t *testing.T) {
	in := []types.T{types.Int8Type, types.Int8Type}
	for _, sign := range []int64{1, -1} {
		big, neg := int64(math.MaxInt64), int64(-math.MaxInt64)
		if sign < 0 {
			big, neg = math.MinInt64, math.MaxInt64
		}
		rows := func(vs ...int64) [][]types.Datum {
			var out [][]types.Datum
			for _, v := range vs {
				out = append(out, []types.Datum{int64(1), v})
			}
			return out
		}
		a, out := sumsByKey(t)
		steps := []struct {
			ins, dels [][]types.Datum
			want      string
		}{
			{rows(big, big, big), nil, map[int64]string{
				1:  "+ (1, 3, 27670116110564327421, 9223372036854775807)",
				-1: "+ (1, 3, -27670116110564327424, -9223372036854775808)"}[sign]},
			{nil, rows(big), map[int64]string{
				1:  "+ (1, 2, 18446744073709551614, 9223372036854775807)",
				-1: "+ (1, 2, -18446744073709551616, -9223372036854775808)"}[sign]},
			{rows(neg), nil, map[int64]string{
				1:  "+ (1, 3, 9223372036854775807, 3074457345618258602)",
				-1: "+ (1, 3, -9223372036854775809, -3074457345618258603)"}[sign]},
			{nil, rows(big, big, neg), ""},
		}
		mem := memState{}
		for i, st := range steps {
			c, err := a.Apply(incrContext(), []*batch.ChangeBatch{changesOf(in, st.ins, st.dels)})
			if err != nil {
				t.Fatal(err)
			}
			if got := insertedRows(out, c); got != st.want {
				t.Errorf("sign %d, step %d: %q, want %q", sign, i+1, got, st.want)
			}
			// Restart after every atom.
			if err := a.Save(mem); err != nil {
				t.Fatal(err)
			}
			a, _ = sumsByKey(t)
			if err := a.Load(mem); err != nil {
				t.Fatal(err)
			}
		}
		if a.StateSize() != 0 || len(mem) != 0 {
			t.Errorf("sign %d: %d groups, %d saved, want none", sign, a.StateSize(), len(mem))
		}
	}
}

// A group whose rows are all retracted emits only the retraction of its
// row and leaves the state (its saved key deleted), while the global
// aggregate goes back to the row of no rows: count 0, sums NULL.
func TestIncrAggregateRetractsGroupsToNoRows(t *testing.T) {
	in := []types.T{types.Int8Type, types.Int8Type}
	row := func(k, x int64) []types.Datum { return []types.Datum{k, x} }
	a, out := sumsByKey(t)
	mem := memState{}
	steps := []struct {
		ins, dels [][]types.Datum
		want      string
		groups    int
	}{
		{[][]types.Datum{row(1, 10), row(1, 20), row(2, 5)}, nil, "+ (1, 2, 30, 15.0000000000000000)\n+ (2, 1, 5, 5.0000000000000000)", 2},
		{nil, [][]types.Datum{row(1, 10), row(1, 20)}, "- (1, 2, 30, 15.0000000000000000)", 1},
		// Inserted and retracted in one atom: nothing to emit or keep.
		{[][]types.Datum{row(3, 1)}, [][]types.Datum{row(3, 1)}, "", 1},
		{[][]types.Datum{row(1, 7)}, [][]types.Datum{row(2, 5)}, "+ (1, 1, 7, 7.0000000000000000)\n- (2, 1, 5, 5.0000000000000000)", 1},
	}
	for i, st := range steps {
		c, err := a.Apply(incrContext(), []*batch.ChangeBatch{changesOf(in, st.ins, st.dels)})
		if err != nil {
			t.Fatal(err)
		}
		if got := showChanges(out, c); got != st.want {
			t.Errorf("step %d: %q, want %q", i+1, got, st.want)
		}
		if err := a.Save(mem); err != nil {
			t.Fatal(err)
		}
		if a.StateSize() != st.groups || len(mem) != st.groups {
			t.Errorf("step %d: %d groups, %d saved, want %d", i+1, a.StateSize(), len(mem), st.groups)
		}
	}

	g, gout := mixedAggregate(t, true)
	if _, err := g.Initial(); err != nil {
		t.Fatal(err)
	}
	atoms := newMixedAtoms(3, 4)
	if _, err := g.Apply(incrContext(), []*batch.ChangeBatch{atoms.next(50)}); err != nil {
		t.Fatal(err)
	}
	c, err := g.Apply(incrContext(), []*batch.ChangeBatch{atoms.retractAll()})
	if err != nil {
		t.Fatal(err)
	}
	want := "+ (0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL)"
	if got := insertedRows(gout, c); got != want {
		t.Errorf("global aggregate of no rows: %q, want %q", got, want)
	}
}

// An aggregate restarted from its saved state after every atom emits what
// one that never restarted emits.
func TestIncrAggregateReloadsAfterEveryAtom(t *testing.T) {
	steady, ts := mixedAggregate(t, false)
	restarted, _ := mixedAggregate(t, false)
	mem := memState{}
	atoms := newMixedAtoms(11, 30)
	for i := range 40 {
		in := atoms.next(1 + i%4*25)
		c1, err := steady.Apply(incrContext(), []*batch.ChangeBatch{in})
		if err != nil {
			t.Fatal(err)
		}
		c2, err := restarted.Apply(incrContext(), []*batch.ChangeBatch{in})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := showChanges(ts, c1), showChanges(ts, c2); a != b {
			t.Fatalf("atom %d: steady emitted\n%s\nrestarted emitted\n%s", i, a, b)
		}
		if err := restarted.Save(mem); err != nil {
			t.Fatal(err)
		}
		restarted, _ = mixedAggregate(t, false)
		if err := restarted.Load(mem); err != nil {
			t.Fatal(err)
		}
		if restarted.StateSize() != steady.StateSize() {
			t.Fatalf("atom %d: %d groups loaded, %d kept", i, restarted.StateSize(), steady.StateSize())
		}
	}
}
