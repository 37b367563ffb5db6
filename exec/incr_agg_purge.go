package exec

import (
	"math"

	"portalsdb/types"
)

// groupPurgeQueue queues an aggregate's groups by the watermark from which
// the purge rules let them go: a min-heap of group refs, typed, so that a
// queued group costs no allocation and no pointer (the purger's own queue,
// shared with joins, holds its rows as interface values).
type groupPurgeQueue []groupPurgeItem

type groupPurgeItem struct {
	at  int64
	ref uint64
}

func (q *groupPurgeQueue) push(it groupPurgeItem) {
	*q = append(*q, it)
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if h[parent].at <= h[i].at {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func (q *groupPurgeQueue) pop() groupPurgeItem {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].at < h[small].at {
			small = l
		}
		if r < len(h) && h[r].at < h[small].at {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	*q = h
	return top
}

// notePurge queues a new group by its key's purge threshold.
func (a *IncrAggregate) notePurge(g int32, key []types.Datum) {
	if at := a.purge.threshold(key); at != math.MaxInt64 {
		a.purgeQueue.push(groupPurgeItem{at: at, ref: a.groups.ref(g)})
	}
}

// purgeDue reports whether the watermarks reached a queued group.
func (a *IncrAggregate) purgeDue(wms []types.Datum) bool {
	if len(a.purgeQueue) == 0 {
		return false
	}
	low, ok := a.purge.lowWatermark(wms)
	return ok && a.purgeQueue[0].at <= low
}

// purgeGroups drops the queued groups the watermarks made final. A group
// whose threshold the lowest watermark of the rules' sources reached is
// purgeable: its threshold is that of a rule all of whose conditions it
// meets, each against a watermark at least that low.
func (a *IncrAggregate) purgeGroups(wms []types.Datum) {
	low, ok := a.purge.lowWatermark(wms)
	if !ok {
		return
	}
	for len(a.purgeQueue) > 0 && a.purgeQueue[0].at <= low {
		if g, live := a.groups.deref(a.purgeQueue.pop().ref); live {
			a.dropGroup(g)
		}
	}
}
