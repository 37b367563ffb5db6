package exec

import (
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// windowSums returns count(*) and sum(x) over rows (ts timestamp, x int8)
// grouped by ts.
func windowSums(t *testing.T, general bool) (*IncrAggregate, []types.T) {
	t.Helper()
	ts, i8 := types.TimestampType, types.Int8Type
	var specs []AggSpec
	for _, name := range []string{"count", "sum"} {
		var args []expr.Expr
		var argTypes []types.T
		if name == "sum" {
			args, argTypes = []expr.Expr{&expr.ColRef{ID: 2, T: i8}}, []types.T{i8}
		}
		fn, resolved, ret, err := expr.Builtins.ResolveAgg(name, argTypes, len(args) == 0)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, AggSpec{Fn: fn, Args: args, ArgTypes: resolved, Ret: ret})
	}
	a, err := NewIncrAggregate([]expr.Expr{&expr.ColRef{ID: 1, T: ts}}, specs, Layout([]expr.ColumnID{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	if general {
		aggLayouts[1].set(a)
	}
	return a, append([]types.T{ts}, aggTypes(specs)...)
}

// windowAtom is an atom of rows (ts, x) under a watermark (nil: none).
type windowAtom struct {
	rows [][2]int64
	dels [][2]int64
	wm   types.Datum
	// want are the changes emitted, groups the groups kept after.
	want   string
	groups int
}

func runWindowAtoms(t *testing.T, setup func(*IncrAggregate), atoms []windowAtom) {
	t.Helper()
	in := []types.T{types.TimestampType, types.Int8Type}
	rows := func(rs [][2]int64) [][]types.Datum {
		var out [][]types.Datum
		for _, r := range rs {
			out = append(out, []types.Datum{types.TimestampValue(r[0]), r[1]})
		}
		return out
	}
	for _, general := range []bool{false, true} {
		mem := memState{}
		a, out := windowSums(t, general)
		setup(a)
		for i, at := range atoms {
			ctx := incrContext()
			ctx.Watermarks = []types.Datum{at.wm}
			c, err := a.Apply(ctx, []*batch.ChangeBatch{changesOf(in, rows(at.rows), rows(at.dels))})
			if err != nil {
				t.Fatal(err)
			}
			if got := showChanges(out, c); got != at.want {
				t.Errorf("general %v, atom %d: %q, want %q", general, i+1, got, at.want)
			}
			if err := a.Save(mem); err != nil {
				t.Fatal(err)
			}
			if a.StateSize() != at.groups || len(mem) != at.groups {
				t.Errorf("general %v, atom %d: %d groups, %d saved, want %d", general, i+1, a.StateSize(), len(mem), at.groups)
			}
			// Restart: the queue of groups to purge or close is rebuilt
			// from the saved state.
			a, _ = windowSums(t, general)
			setup(a)
			if err := a.Load(mem); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func tsText(us int64) string {
	return types.FormatText(types.TimestampType, types.TimestampValue(us), nil)
}

// Groups whose key the watermark made final leave the state, without a
// change to the output, once the watermark passes them, and only then.
func TestIncrAggregatePurgesFinalGroups(t *testing.T) {
	purge := func(a *IncrAggregate) { a.PurgeFinalGroups([]PurgeRule{{{Col: 0, Source: 0, Offset: 10}}}) }
	runWindowAtoms(t, purge, []windowAtom{
		{rows: [][2]int64{{100, 1}, {200, 2}, {100, 3}}, want: "+ (" + tsText(100) + ", 2, 4)\n+ (" + tsText(200) + ", 1, 2)", groups: 2},
		{wm: types.TimestampValue(109), want: "", groups: 2},
		{wm: types.TimestampValue(110), want: "", groups: 1},
		{rows: [][2]int64{{200, 5}}, wm: types.TimestampValue(150), want: "+ (" + tsText(200) + ", 2, 7)\n- (" + tsText(200) + ", 1, 2)", groups: 1},
		{wm: types.TimestampValue(1000), want: "", groups: 0},
	})
}

// With EMIT ON WINDOW CLOSE a group's row is emitted once, final, when the
// watermark closes its window, and the group leaves the state.
func TestIncrAggregateEmitsOnWindowClose(t *testing.T) {
	closeOn := func(a *IncrAggregate) { a.EmitOnClose(0, WatermarkLineage{Source: 0, Offset: 10}) }
	runWindowAtoms(t, closeOn, []windowAtom{
		{rows: [][2]int64{{100, 1}, {200, 2}, {100, 3}}, want: "", groups: 2},
		{rows: [][2]int64{{100, 4}}, dels: [][2]int64{{100, 1}}, wm: types.TimestampValue(109), want: "", groups: 2},
		{wm: types.TimestampValue(110), want: "+ (" + tsText(100) + ", 2, 7)", groups: 1},
		{rows: [][2]int64{{300, 1}}, dels: [][2]int64{{200, 2}}, wm: types.TimestampValue(500), want: "+ (" + tsText(300) + ", 1, 1)", groups: 0},
	})
}
