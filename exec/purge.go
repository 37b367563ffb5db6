package exec

import (
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

// purger applies purge rules to an operator's rows. It remembers the
// smallest watermark at which a stored row may become purgeable, so the
// state is scanned only when the watermark reaches it, not on every atom.
type purger struct {
	rules []PurgeRule
	// next is a lower bound on the smallest watermark (over the rules'
	// sources) at which a stored row becomes purgeable.
	next int64
}

func newPurger(rules []PurgeRule) *purger {
	if len(rules) == 0 {
		return nil
	}
	return &purger{rules: rules, next: math.MinInt64}
}

// threshold returns the watermark from which the row is purgeable by one
// of the rules, if every source's watermark reaches it.
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

// note records a row added to the state.
func (p *purger) note(row []types.Datum) {
	p.next = min(p.next, p.threshold(row))
}

// reset makes the next check scan the state (after a Load).
func (p *purger) reset() { p.next = math.MinInt64 }

// due reports whether the watermarks reached the point where a stored row
// may be purgeable.
func (p *purger) due(wms []types.Datum) bool {
	low, ok := p.lowWatermark(wms)
	return ok && low >= p.next
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

// sweep calls drop for each purgeable row that rows yields, and sets next
// from the rows that stay. rows calls its argument for every stored row.
func (p *purger) sweep(wms []types.Datum, rows func(visit func(row []types.Datum) (drop bool))) {
	next := int64(math.MaxInt64)
	rows(func(row []types.Datum) bool {
		if p.purgeable(row, wms) {
			return true
		}
		next = min(next, p.threshold(row))
		return false
	})
	// A row whose rules' sources lag one another can be past the lowest
	// watermark yet not purgeable: look again once it moves.
	if low, ok := p.lowWatermark(wms); ok && next <= low {
		next = low + 1
	}
	p.next = next
}
