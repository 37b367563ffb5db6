package exec

import (
	"testing"

	"portalsdb/types"
)

// TestPurgerSweep: rows leave in watermark order, only once every
// condition of a rule holds; rows the operator no longer stores are
// skipped; a row waits while one of its rule's sources lags.
func TestPurgerSweep(t *testing.T) {
	ts := func(v int64) types.Datum { return types.TimestampValue(v) }
	// Rule: row[0] + 10 <= wm[0] and row[0] + 0 <= wm[1].
	p := newPurger([]PurgeRule{{{Col: 0, Source: 0, Offset: 10}, {Col: 0, Source: 1, Offset: 0}}})
	stored := map[int]bool{}
	rows := map[int][]types.Datum{}
	for i, v := range []int64{50, 10, 30, 20} {
		rows[i] = []types.Datum{ts(v)}
		stored[i] = true
		p.note(rows[i], i)
	}
	var dropped []int
	sweep := func(w0, w1 int64) {
		wms := []types.Datum{ts(w0), ts(w1)}
		if !p.due(wms) {
			return
		}
		p.sweep(wms, func(ref any) ([]types.Datum, bool) {
			return rows[ref.(int)], stored[ref.(int)]
		}, func(ref any) {
			stored[ref.(int)] = false
			dropped = append(dropped, ref.(int))
		})
	}
	sweep(19, 100) // 10+10 > 19: nothing
	if len(dropped) != 0 {
		t.Fatalf("dropped %v before any row was purgeable", dropped)
	}
	stored[3] = false // the operator deleted the row of 20 itself
	sweep(40, 100)    // 10 and 30 qualify, 20 is gone
	if len(dropped) != 2 || dropped[0] != 1 || dropped[1] != 2 {
		t.Fatalf("at watermark 40 dropped %v, want [1 2]", dropped)
	}
	sweep(100, 49) // source 1 lags: 50 must wait
	if len(dropped) != 2 {
		t.Fatalf("dropped %v while the second source lagged", dropped)
	}
	// The queue waits until every source passes the row's largest bound
	// (60): conservative, never early.
	sweep(100, 59)
	if len(dropped) != 2 {
		t.Fatalf("dropped %v before the lowest watermark reached 60", dropped)
	}
	sweep(100, 60)
	if len(dropped) != 3 || dropped[2] != 0 {
		t.Fatalf("dropped %v, want the row of 50 last", dropped)
	}
	if p.due([]types.Datum{ts(1000), ts(1000)}) {
		t.Fatal("an empty queue is due")
	}
}
