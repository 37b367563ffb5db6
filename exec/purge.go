package exec

import (
	"container/heap"
	"math"

	"portalsdb/types"
)

// Purging state by watermark.
//
// A stream's watermark says which event times no longer arrive, so rows of
// an operator's state that only such events could still change, or match,
// are dead weight: the workflow's result already holds what they produced
// and nothing can retract it. Operators drop them without emitting
// anything, so the result is the same as without purging (and the same as
// the batch engine's) while the state stays bounded by the watermark's
// lag. The planner proves which rows are dead and hands the operator
// PurgeRules; see planner/dataflow.go.

// PurgeCond holds for a stored row once row[Col] + Offset <= the watermark
// of the workflow's source Source. Col is a timestamp column.
type PurgeCond struct {
	Col    int
	Source int
	Offset int64
}

// PurgeRule lets a stored row be dropped once all its conditions hold.
type PurgeRule []PurgeCond

// purger applies purge rules to an operator's rows. It queues each stored
// row by the watermark from which it may be purgeable, so that an atom
// looks only at the rows whose time has come, not at the whole state.
type purger struct {
	rules []PurgeRule
	queue purgeQueue
}

// purgeItem is a stored row, by reference, and the watermark from which it
// may be purgeable.
type purgeItem struct {
	at  int64
	ref any
}

// purgeQueue is a min-heap of items by at.
type purgeQueue []purgeItem

func (q purgeQueue) Len() int           { return len(q) }
func (q purgeQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q purgeQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *purgeQueue) Push(x any)        { *q = append(*q, x.(purgeItem)) }
func (q *purgeQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func newPurger(rules []PurgeRule) *purger {
	if len(rules) == 0 {
		return nil
	}
	return &purger{rules: rules}
}

// threshold returns the watermark from which the row is purgeable by one
// of the rules, if every source's watermark reaches it; MaxInt64 when no
// rule applies to it.
func (p *purger) threshold(row []types.Datum) int64 {
	best := int64(math.MaxInt64)
	for _, r := range p.rules {
		t, ok := int64(math.MinInt64), true
		for _, c := range r {
			v, isTS := row[c.Col].(types.TimestampValue)
			if !isTS {
				ok = false
				break
			}
			t = max(t, int64(v)+c.Offset)
		}
		if ok {
			best = min(best, t)
		}
	}
	return best
}

// note queues a row added to the state; ref is how the operator finds it
// again.
func (p *purger) note(row []types.Datum, ref any) {
	if at := p.threshold(row); at != math.MaxInt64 {
		heap.Push(&p.queue, purgeItem{at: at, ref: ref})
	}
}

// reset forgets the queued rows (before a Load notes them again).
func (p *purger) reset() { p.queue = p.queue[:0] }

// due reports whether the watermarks reached the point where a queued row
// may be purgeable.
func (p *purger) due(wms []types.Datum) bool {
	if len(p.queue) == 0 {
		return false
	}
	low, ok := p.lowWatermark(wms)
	return ok && p.queue[0].at <= low
}

// lowWatermark returns the smallest watermark of the rules' sources.
func (p *purger) lowWatermark(wms []types.Datum) (int64, bool) {
	low := int64(math.MaxInt64)
	for _, r := range p.rules {
		for _, c := range r {
			if c.Source >= len(wms) || wms[c.Source] == nil {
				return 0, false
			}
			low = min(low, int64(wms[c.Source].(types.TimestampValue)))
		}
	}
	return low, true
}

// purgeable reports whether a rule's conditions all hold for the row.
func (p *purger) purgeable(row []types.Datum, wms []types.Datum) bool {
	for _, r := range p.rules {
		all := true
		for _, c := range r {
			v, isTS := row[c.Col].(types.TimestampValue)
			if !isTS || c.Source >= len(wms) || wms[c.Source] == nil ||
				int64(v)+c.Offset > int64(wms[c.Source].(types.TimestampValue)) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// sweep drops the queued rows whose time has come and that are purgeable.
// row returns a queued row, or false when the operator no longer stores it
// (deleted since, or stored anew under another reference).
func (p *purger) sweep(wms []types.Datum, row func(ref any) ([]types.Datum, bool), drop func(ref any)) {
	low, ok := p.lowWatermark(wms)
	if !ok {
		return
	}
	var later []purgeItem
	for len(p.queue) > 0 && p.queue[0].at <= low {
		it := heap.Pop(&p.queue).(purgeItem)
		r, alive := row(it.ref)
		if !alive {
			continue
		}
		if p.purgeable(r, wms) {
			drop(it.ref)
			continue
		}
		// Its rule's sources lag one another: look again once the lowest
		// watermark moves.
		later = append(later, purgeItem{at: low + 1, ref: it.ref})
	}
	for _, it := range later {
		heap.Push(&p.queue, it)
	}
}
