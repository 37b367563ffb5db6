package exec

import (
	"testing"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// extremeAggs are min and max over several types, one with a FILTER.
var extremeAggs = []mixedAgg{
	{name: "min", cols: []int{2}}, {name: "max", cols: []int{2}}, {name: "max", cols: []int{7}},
	{name: "min", cols: []int{1}}, {name: "max", cols: []int{5}, filter: true}, {name: "count"},
}

// TestAppendOnlyExtremesKeepOnlyTheExtreme: over an input that only
// inserts, min and max told so emit exactly what the retractable ones
// emit, keep a single value per group (the saved state stays small, where
// the retractable state grows with every distinct value), load state saved
// by the retractable ones, and refuse a retraction instead of answering
// wrongly.
func TestAppendOnlyExtremesKeepOnlyTheExtreme(t *testing.T) {
	for _, global := range []bool{false, true} {
		build := func() (*IncrAggregate, *IncrAggregate, []types.T) {
			plain, ts := mixedAggregateOf(t, global, extremeAggs)
			appendOnly, _ := mixedAggregateOf(t, global, extremeAggs)
			appendOnly.AppendOnlyInput()
			return plain, appendOnly, ts
		}
		plain, appendOnly, ts := build()
		memPlain, memAppend := memState{}, memState{}
		atoms := newMixedAtoms(7, 5)
		for i := range 40 {
			var ins [][]types.Datum
			for range 1 + i%7*10 {
				ins = append(ins, atoms.row())
			}
			in := changesOf(mixedInputTypes, ins, nil)
			c1, err1 := plain.Apply(incrContext(), []*batch.ChangeBatch{in})
			c2, err2 := appendOnly.Apply(incrContext(), []*batch.ChangeBatch{in})
			if err1 != nil || err2 != nil {
				t.Fatalf("atom %d: %v, %v", i, err1, err2)
			}
			if a, b := showChanges(ts, c1), showChanges(ts, c2); a != b {
				t.Fatalf("global %v, atom %d: retractable emitted\n%s\nappend-only emitted\n%s", global, i, a, b)
			}
			if err := plain.Save(memPlain); err != nil {
				t.Fatal(err)
			}
			if err := appendOnly.Save(memAppend); err != nil {
				t.Fatal(err)
			}
			if i == 20 {
				// Switch the append-only aggregate to the retractable one's
				// state, as a workflow saved by an earlier version loads.
				_, appendOnly, _ = build()
				if err := appendOnly.Load(memPlain); err != nil {
					t.Fatal(err)
				}
				clear(memAppend)
				for k, v := range memPlain {
					memAppend[k] = v
				}
			}
		}
		plainBytes, appendBytes := stateBytes(memPlain), stateBytes(memAppend)
		if appendBytes*3 > plainBytes {
			t.Errorf("global %v: append-only state %d bytes, retractable %d: want it much smaller", global, appendBytes, plainBytes)
		}
		del := changesOf(mixedInputTypes, nil, [][]types.Datum{atoms.row()})
		_, err := appendOnly.Apply(incrContext(), []*batch.ChangeBatch{del})
		if pe, ok := err.(*pgerror.Error); !ok || pe.Code != pgerror.Internal {
			t.Errorf("global %v: a retraction into an append-only min/max gave %v, want an internal error", global, err)
		}
	}
}

func stateBytes(m memState) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	return n
}
