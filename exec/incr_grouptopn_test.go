package exec

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// topNReference computes the top rows per group of (g, v, w) rows ordered
// by v DESC, w, with their ranks, as sorted text.
func topNReference(rows [][3]int64, limit int) []string {
	groups := map[int64][][3]int64{}
	for _, r := range rows {
		groups[r[0]] = append(groups[r[0]], r)
	}
	var out []string
	for _, rs := range groups {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i][1] != rs[j][1] {
				return rs[i][1] > rs[j][1]
			}
			return rs[i][2] < rs[j][2]
		})
		for i := 0; i < len(rs) && i < limit; i++ {
			out = append(out, fmt.Sprintf("%d|%d|%d|%d", rs[i][0], rs[i][1], rs[i][2], i+1))
		}
	}
	sort.Strings(out)
	return out
}

func newTestGroupTopN(t *testing.T, limit int64, appendOnly bool) *IncrGroupTopN {
	t.Helper()
	ts := []types.T{types.Int8Type, types.Int8Type, types.Int8Type}
	col := func(id int) expr.Expr { return &expr.ColRef{ID: expr.ColumnID(id), T: types.Int8Type} }
	op, err := NewIncrGroupTopN(GroupTopNSpec{
		PartitionBy: []expr.Expr{col(1)},
		OrderBy:     []SortSpec{{Expr: col(2), Desc: true}, {Expr: col(3)}},
		Limit:       limit, Layout: Layout([]expr.ColumnID{1, 2, 3}), Types: ts, AppendOnly: appendOnly,
	})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// TestIncrGroupTopN feeds random inserts and deletes (duplicates and ties
// included) atom by atom, and checks after each atom that the output
// changes add up to the top rows of the current input; halfway it saves
// the state and continues on a fresh operator loaded from it.
func TestIncrGroupTopN(t *testing.T) {
	for _, appendOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("append_only=%v", appendOnly), func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			const limit = 3
			op := newTestGroupTopN(t, limit, appendOnly)
			ctx := NewContext(context.Background(), &expr.Ctx{}, nil)
			ts := []types.T{types.Int8Type, types.Int8Type, types.Int8Type}
			var live [][3]int64
			result := map[string]int{}
			state := memState{}
			for atom := 0; atom < 200; atom++ {
				var rows [][]types.Datum
				var diffs []int8
				for i := rng.Intn(8); i >= 0; i-- {
					if !appendOnly && len(live) > 0 && rng.Intn(3) == 0 {
						k := rng.Intn(len(live))
						r := live[k]
						live = append(live[:k], live[k+1:]...)
						rows = append(rows, []types.Datum{r[0], r[1], r[2]})
						diffs = append(diffs, -1)
						continue
					}
					r := [3]int64{rng.Int63n(4), rng.Int63n(6), rng.Int63n(3)}
					live = append(live, r)
					rows = append(rows, []types.Datum{r[0], r[1], r[2]})
					diffs = append(diffs, 1)
				}
				in := &batch.ChangeBatch{Batch: batch.FromRows(ts, rows), Diff: diffs}
				out, err := op.Apply(ctx, []*batch.ChangeBatch{in})
				if err != nil {
					t.Fatal(err)
				}
				for r := 0; r < out.Len; r++ {
					row := out.Row(op.outTypes, r)
					result[fmt.Sprintf("%d|%d|%d|%d", row[0], row[1], row[2], row[3])] += int(out.Diff[r])
				}
				var got []string
				for k, n := range result {
					if n < 0 {
						t.Fatalf("atom %d: row %s retracted more than emitted", atom, k)
					}
					for ; n > 0; n-- {
						got = append(got, k)
					}
				}
				sort.Strings(got)
				want := topNReference(live, limit)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("atom %d:\n got %v\nwant %v", atom, got, want)
				}
				if err := op.Save(state); err != nil {
					t.Fatal(err)
				}
				if atom == 100 {
					op = newTestGroupTopN(t, limit, appendOnly)
					if err := op.Load(state); err != nil {
						t.Fatal(err)
					}
				}
				kept := 0
				for _, g := range op.groups {
					kept += g.rows.Len()
				}
				if op.StateSize() != kept {
					t.Fatalf("atom %d: StateSize %d, but the groups keep %d rows", atom, op.StateSize(), kept)
				}
			}
			if appendOnly && op.StateSize() > 4*limit {
				t.Errorf("append-only state holds %d rows for 4 groups of %d", op.StateSize(), limit)
			}
		})
	}
}
