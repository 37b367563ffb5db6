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
func intJoin(t *testing.T, kind JoinKind) *IncrJoin {
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
