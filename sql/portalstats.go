package sql

import (
	"sync"
	"time"

	"portalsdb/portals"
)

// portalStats counts, per portal, the requests made to it, those that
// failed, and how long they took, for portals_catalog.portals. The counts
// live in memory and start from zero when the server starts.
type portalStats struct {
	mu    sync.Mutex
	byOID map[uint32]*portalCounters
}

// portalCounters are one portal's counts.
type portalCounters struct {
	calls, errors int64
	// latency holds the time each request took, from the call until its
	// reply (for a changing portal: until its atom committed).
	latency  portals.LatencyHistogram
	lastCall time.Time
}

// record counts n requests made in one call that started at start; *err
// is the call's outcome. It is meant to be deferred.
func (ps *portalStats) record(oid uint32, n int, start time.Time, err *error) {
	if n == 0 {
		return
	}
	d := time.Since(start)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.byOID == nil {
		ps.byOID = map[uint32]*portalCounters{}
	}
	c := ps.byOID[oid]
	if c == nil {
		c = &portalCounters{}
		ps.byOID[oid] = c
	}
	c.calls += int64(n)
	if *err != nil {
		c.errors++
	}
	for i := 0; i < n; i++ {
		c.latency.Record(d)
	}
	c.lastCall = start
}

// get returns a copy of a portal's counts.
func (ps *portalStats) get(oid uint32) portalCounters {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if c := ps.byOID[oid]; c != nil {
		return *c
	}
	return portalCounters{}
}
