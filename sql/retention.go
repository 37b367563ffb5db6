package sql

import (
	"context"
	"sort"
	"sync"
	"time"

	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/types"
)

// Retention.
//
// A stream created WITH (retention = '1 day') keeps its atoms that long.
// Atoms carry no wall-clock time of their own, so the engine samples, once
// a second, which atom is the newest; an atom is older than the retention
// when a sample taken at least that long ago had already passed it. The
// samples live in memory: after a restart, atoms committed before it count
// as committed at the restart, so they are kept a little longer, never
// less. An atom a workflow has not processed yet is never trimmed.

type atomClock struct {
	mu      sync.Mutex
	samples []atomSample // oldest first
}

type atomSample struct {
	at  time.Time
	seq storage.Seq
}

func (c *atomClock) record(at time.Time, seq storage.Seq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.samples = append(c.samples, atomSample{at: at, seq: seq})
	// Keep at most a day of one-per-second samples, thinned beyond that.
	if len(c.samples) > 100000 {
		c.samples = append(c.samples[:0:0], c.samples[len(c.samples)/2:]...)
	}
}

// before returns the newest atom committed no later than t, or 0.
func (c *atomClock) before(t time.Time) storage.Seq {
	c.mu.Lock()
	defer c.mu.Unlock()
	var seq storage.Seq
	for _, s := range c.samples {
		if s.at.After(t) {
			break
		}
		seq = s.seq
	}
	return seq
}

// retentionLoop trims streams with a retention until ctx ends.
func (e *Engine) retentionLoop(ctx context.Context) {
	e.clock.record(time.Now(), e.db.VisibleSeq())
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			e.clock.record(now, e.db.VisibleSeq())
			e.trimStreams(now)
		}
	}
}

func (e *Engine) trimStreams(now time.Time) {
	snap := e.Catalog()
	for _, t := range snap.Tables() {
		if t.Kind != catalog.KindStream || t.Stream == nil || t.Stream.Retention == "" {
			continue
		}
		d, err := types.ParseInterval(t.Stream.Retention)
		if err != nil {
			continue
		}
		iv := d.(types.IntervalValue)
		keep := time.Duration(int64(iv.Months)*30*types.MicrosPerDay+int64(iv.Days)*types.MicrosPerDay+iv.Micros) * time.Microsecond
		cut := e.clock.before(now.Add(-keep))
		if cut == 0 {
			continue
		}
		// Atoms at or before cut are older than the retention; keep those
		// a workflow reading the stream has not processed.
		for _, dep := range snap.Tables() {
			if dep.Kind != catalog.KindWorkflow {
				continue
			}
			reads := false
			for _, oid := range dep.DependsOn {
				reads = reads || oid == t.OID
			}
			if !reads {
				continue
			}
			if w, ok := e.rt.Workflow(dep.OID); ok {
				if pos := w.Status().Position; pos < cut {
					cut = pos
				}
			} else {
				cut = 0
			}
		}
		if cut == 0 {
			continue
		}
		if err := e.db.TrimLog(uint64(t.OID), cut+1); err != nil {
			e.log.Warn("trimming a stream", "stream", t.Name, "err", err)
		}
	}
}

// committedBy returns a time by which atom seq was committed: the first
// sample that had passed it. It is late by at most the sampling interval;
// false when no sample has passed the atom yet.
func (c *atomClock) committedBy(seq storage.Seq) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.samples), func(i int) bool { return c.samples[i].seq >= seq })
	if i == len(c.samples) {
		return time.Time{}, false
	}
	return c.samples[i].at, true
}
