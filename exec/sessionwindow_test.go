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

// sessionReference assigns sessions to (key, time) rows from scratch, as
// sorted "key|time|start|end" text.
func sessionReference(rows [][2]int64, gap int64) []string {
	byKey := map[int64][]int64{}
	for _, r := range rows {
		byKey[r[0]] = append(byKey[r[0]], r[1])
	}
	var out []string
	for k, ts := range byKey {
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		for i := 0; i < len(ts); {
			j := i + 1
			for j < len(ts) && ts[j]-ts[j-1] < gap {
				j++
			}
			for x := i; x < j; x++ {
				out = append(out, fmt.Sprintf("%d|%d|%d|%d", k, ts[x], ts[i], ts[j-1]+gap))
			}
			i = j
		}
	}
	sort.Strings(out)
	return out
}

func newTestSession(t *testing.T, gap int64) (*IncrSessionWindow, []types.T) {
	t.Helper()
	ts := []types.T{types.Int8Type, types.TimestampType}
	op, err := NewIncrSessionWindow(&expr.ColRef{ID: 2, T: types.TimestampType}, gap,
		[]expr.Expr{&expr.ColRef{ID: 1, T: types.Int8Type}}, Layout([]expr.ColumnID{1, 2}), ts)
	if err != nil {
		t.Fatal(err)
	}
	return op, ts
}

// TestIncrSessionWindow feeds random inserts and deletes (merging and
// splitting sessions, out of order, with duplicates) and checks after each
// atom that the output changes add up to the sessions of the current
// input; halfway it reloads its state into a fresh operator. The batch
// operator must agree at the end.
func TestIncrSessionWindow(t *testing.T) {
	const gap = 10
	rng := rand.New(rand.NewSource(2))
	op, ts := newTestSession(t, gap)
	ctx := NewContext(context.Background(), &expr.Ctx{}, nil)
	var live [][2]int64
	result := map[string]int{}
	state := memState{}
	for atom := 0; atom < 300; atom++ {
		var rows [][]types.Datum
		var diffs []int8
		for i := rng.Intn(6); i >= 0; i-- {
			if len(live) > 0 && rng.Intn(3) == 0 {
				k := rng.Intn(len(live))
				r := live[k]
				live = append(live[:k], live[k+1:]...)
				rows = append(rows, []types.Datum{r[0], types.TimestampValue(r[1])})
				diffs = append(diffs, -1)
				continue
			}
			r := [2]int64{rng.Int63n(3), rng.Int63n(200)}
			live = append(live, r)
			rows = append(rows, []types.Datum{r[0], types.TimestampValue(r[1])})
			diffs = append(diffs, 1)
		}
		out, err := op.Apply(ctx, []*batch.ChangeBatch{{Batch: batch.FromRows(ts, rows), Diff: diffs}})
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < out.Len; r++ {
			row := out.Row(op.out, r)
			result[fmt.Sprintf("%d|%d|%d|%d", row[0], row[1], row[2], row[3])] += int(out.Diff[r])
		}
		var got []string
		for k, n := range result {
			if n < 0 {
				t.Fatalf("atom %d: %s retracted more than emitted", atom, k)
			}
			for ; n > 0; n-- {
				got = append(got, k)
			}
		}
		sort.Strings(got)
		if want := sessionReference(live, gap); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("atom %d:\n got %v\nwant %v", atom, got, want)
		}
		if err := op.Save(state); err != nil {
			t.Fatal(err)
		}
		if atom == 150 {
			op, _ = newTestSession(t, gap)
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
	// The batch operator over the final rows.
	rows := make([][]types.Datum, len(live))
	for i, r := range live {
		rows[i] = []types.Datum{r[0], types.TimestampValue(r[1])}
	}
	sw, err := NewSessionWindow(&rowsOperator{b: batch.FromRows(ts, rows)}, &expr.ColRef{ID: 2, T: types.TimestampType}, gap,
		[]expr.Expr{&expr.ColRef{ID: 1, T: types.Int8Type}}, Layout([]expr.ColumnID{1, 2}), ts)
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	outTypes := append(ts, types.TimestampType, types.TimestampType)
	for {
		b, err := sw.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		for _, row := range b.Rows(outTypes) {
			got = append(got, fmt.Sprintf("%d|%d|%d|%d", row[0], row[1], row[2], row[3]))
		}
	}
	sort.Strings(got)
	if want := sessionReference(live, gap); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batch:\n got %v\nwant %v", got, want)
	}
}

// rowsOperator returns one batch.
type rowsOperator struct {
	b    *batch.Batch
	done bool
}

func (r *rowsOperator) Describe() string        { return "rows" }
func (r *rowsOperator) Children() []Operator    { return nil }
func (r *rowsOperator) Open(ctx *Context) error { r.done = false; return nil }
func (r *rowsOperator) Close() error            { return nil }
func (r *rowsOperator) Next(ctx *Context) (*batch.Batch, error) {
	if r.done {
		return nil, nil
	}
	r.done = true
	return r.b, nil
}
