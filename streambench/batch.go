package streambench

import (
	"context"
	"fmt"
	"time"

	"portalsdb/bench"
	"portalsdb/portals"
)

// BatchResult is the measurement of recomputing the query in batch after
// every atom: what a database without incremental maintenance does to
// keep the same result fresh.
type BatchResult struct {
	// Atoms and Events are the part of the input it ran over (capped, as
	// the work grows with the square of the atoms).
	Atoms  int     `json:"atoms"`
	Events int64   `json:"events"`
	Sec    float64 `json:"seconds"`
	CPUSec float64 `json:"cpu_seconds"`
	// EventsPerSec is Events over the wall time of the inserts and the
	// recomputations; the atom figures are an insert and a recompute.
	EventsPerSec     float64 `json:"events_per_second"`
	EventsPerCoreSec float64 `json:"events_per_core_second"`
	AtomP50Ms        float64 `json:"atom_p50_ms"`
	AtomP99Ms        float64 `json:"atom_p99_ms"`
}

// runBatch inserts the workload's first atoms into plain streams, one
// INSERT (one atom) at a time, and after each reads the query's whole
// result from the batch engine, as a client keeping it fresh would. The
// last result must agree with the hand loop over the same atoms.
func runBatch(ctx context.Context, w Workload, o Options) (BatchResult, error) {
	var b BatchResult
	s, err := startServer(ctx, o.Sync)
	if err != nil {
		return b, err
	}
	defer s.close()
	for _, name := range w.Streams {
		if _, err := s.conn.Exec(ctx, "CREATE STREAM "+name+" (n bigint)"); err != nil {
			return b, err
		}
	}
	as := atoms(w, o.Events, o.AtomRows)
	as = as[:min(len(as), o.BatchAtoms)]
	var hist portals.LatencyHistogram
	cpu0, t0 := bench.ProcessCPU(), time.Now()
	lastReport := time.Now()
	for i, a := range as {
		start := time.Now()
		if _, err := s.conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s SELECT g FROM generate_series(%d::bigint, %d) g", w.Streams[a.Stream], a.From, a.To)); err != nil {
			return b, err
		}
		rows, err := s.conn.Query(ctx, w.Query)
		if err != nil {
			return b, err
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return b, err
		}
		hist.Record(time.Since(start))
		b.Events += a.To - a.From + 1
		if time.Since(lastReport) >= time.Second {
			o.progress("  %s: batch recompute after atom %d of %d\n", w.Name, i+1, len(as))
			lastReport = time.Now()
		}
	}
	wall, cpu := time.Since(t0), bench.ProcessCPU()-cpu0
	b.Atoms, b.Sec, b.CPUSec = len(as), wall.Seconds(), cpu.Seconds()
	b.EventsPerSec = float64(b.Events) / wall.Seconds()
	if cpu > 0 {
		b.EventsPerCoreSec = float64(b.Events) / cpu.Seconds()
	}
	b.AtomP50Ms, b.AtomP99Ms = ms(hist.Quantile(0.5)), ms(hist.Quantile(0.99))
	// The batch answer is the workflow's: check it against the loop.
	if _, err := s.conn.Exec(ctx, "CREATE VIEW wf AS "+w.Query); err != nil {
		return b, err
	}
	rows, sum, err := check(ctx, s.conn, w, "wf")
	if err != nil {
		return b, err
	}
	if lr, ls := w.Loop(as); lr != rows || ls != sum {
		return b, fmt.Errorf("the batch result (%d rows, checksum %d) differs from the hand loop's (%d rows, checksum %d)", rows, sum, lr, ls)
	}
	o.progress("  %s: batch recompute over %d atoms in %.2fs (%.0f events/s, atom p50 %.1fms p99 %.1fms)\n",
		w.Name, b.Atoms, b.Sec, b.EventsPerSec, b.AtomP50Ms, b.AtomP99Ms)
	return b, nil
}
