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
			fast, ts := mixedAggregate(t, global)
			general, _ := mixedAggregate(t, global)
			aggLayouts[1].set(general)
			if !global {
				// The grouped aggregate must have fixed-width columns to
				// compare; the general one must have none.
				if countFixed(fast) == 0 || countFixed(general) != 0 {
					t.Fatalf("fixed-width columns: %d and %d", countFixed(fast), countFixed(general))
				}
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
			for i := range 60 {
				var in *batch.ChangeBatch
				switch {
				case i == 30 || i == 59:
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
					t.Fatalf("keys %d, global %v, atom %d: fixed-width emitted\n%s\ngeneral emitted\n%s", keys, global, i, a, b)
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
					fast, _ = mixedAggregate(t, global)
					general, _ = mixedAggregate(t, global)
					aggLayouts[1].set(general)
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
