package nexmark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/bench"
	"portalsdb/server"
)

// BenchOptions configure a benchmark run.
type BenchOptions struct {
	// Events is the length of the global event sequence.
	Events int64
	// Queries are the queries to run, by name; empty runs every query
	// that runs as a workflow.
	Queries []string
	// AtomRows is the number of global events per atom.
	AtomRows int
	Seed     int64
	// Sync makes commits durable before they are acknowledged.
	Sync bool
	// Baselines runs the hand-written Go baselines of the queries that
	// have one.
	Baselines bool
	// Progress receives progress lines; nil for none.
	Progress io.Writer
	// Watermark is the streams' watermark lag (StreamOptions.Watermark).
	Watermark string
}

// Result is the measurement of one query.
type Result struct {
	Query  string `json:"query"`
	Events int64  `json:"events"`
	// InputRows are the events of the streams the query reads.
	InputRows int64   `json:"input_rows"`
	WallSec   float64 `json:"wall_seconds"`
	CPUSec    float64 `json:"cpu_seconds"`
	// EventsPerSec is Events over the wall time from creating the streams
	// to the workflow having absorbed the last event; EventsPerCoreSec is
	// Events over the CPU time the whole process used meanwhile
	// (generators, workflow, storage, garbage collection).
	EventsPerSec     float64 `json:"events_per_second"`
	EventsPerCoreSec float64 `json:"events_per_core_second"`
	// Atoms counts the input atoms the workflow processed one by one: all
	// of them, as the streams start only once the workflow exists.
	Atoms      int64   `json:"atoms"`
	AtomP50Ms  float64 `json:"atom_p50_ms"`
	AtomP99Ms  float64 `json:"atom_p99_ms"`
	AtomMaxMs  float64 `json:"atom_max_ms"`
	PeakHeapMB float64 `json:"peak_heap_mb"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	// StateEntries counts the entries the workflow's operators hold in
	// memory at the end; StateMB is what they keep in storage, keys and
	// values.
	StateEntries int     `json:"state_entries"`
	StateMB      float64 `json:"state_mb"`
	ResultRows   int64   `json:"result_rows"`
	// Baseline is the hand-written Go version, when there is one.
	Baseline *BaselineResult `json:"baseline,omitempty"`
	// Ratio is EventsPerCoreSec over the baseline's events per CPU-second
	// (generation included in both).
	Ratio float64 `json:"ratio_to_baseline,omitempty"`
	Error string  `json:"error,omitempty"`
}

// Runnable lists the queries that run as workflows; the others are listed
// with what they miss in nexmark/README.md.
var Runnable = []string{"q0", "q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9", "q10", "q11", "q12", "q13", "q14",
	"q15", "q16", "q17", "q18", "q19", "q20", "q21", "q22"}

// RunBench runs each query as a workflow over freshly generated events, on
// a fresh in-process server each, and measures it.
func RunBench(ctx context.Context, o BenchOptions) ([]Result, error) {
	all, err := Queries()
	if err != nil {
		return nil, err
	}
	byName := map[string]Query{}
	for _, q := range all {
		byName[q.Name] = q
	}
	names := o.Queries
	if len(names) == 0 {
		names = Runnable
	}
	var out []Result
	for _, name := range names {
		q, ok := byName[name]
		if !ok {
			return out, fmt.Errorf("nexmark: no query %q", name)
		}
		r, err := runQuery(ctx, q, o)
		if err != nil {
			r.Error = err.Error()
			o.progress("%s: %v\n", name, err)
		}
		if o.Baselines {
			if base, ok := Baselines[name]; ok {
				b, err := RunBaseline(name, base, o.Events, o.Seed)
				if err != nil {
					return out, err
				}
				r.Baseline = &b
				if r.EventsPerCoreSec > 0 && b.EventsPerSec > 0 {
					r.Ratio = r.EventsPerCoreSec / b.EventsPerSec
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (o BenchOptions) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format, args...)
	}
}

func runQuery(ctx context.Context, q Query, o BenchOptions) (Result, error) {
	r := Result{Query: q.Name, Events: o.Events}
	dir, err := os.MkdirTemp("", "portalsdb-nexmark-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Sync: o.Sync,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return r, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+srv.Addr()+"/postgres?sslmode=disable")
	if err != nil {
		return r, err
	}
	defer conn.Close(context.Background())
	for _, s := range q.Setup {
		if _, err := conn.Exec(ctx, s); err != nil {
			return r, fmt.Errorf("setup: %w", err)
		}
	}
	so := StreamOptions{Seed: o.Seed, MaxEvents: o.Events, AtomRows: o.AtomRows, Watermark: o.Watermark, Paused: true}
	counts := map[string]int64{}
	for _, s := range q.Streams {
		if counts[s], err = StreamCount(s, so); err != nil {
			return r, err
		}
		r.InputRows += counts[s]
	}
	runtime.GC()
	debug.FreeOSMemory()
	mem := bench.StartMemorySampler()
	cpu0, t0 := bench.ProcessCPU(), time.Now()
	if err := CreateStreams(ctx, conn, q.Streams, so); err != nil {
		mem.Peaks()
		return r, err
	}
	if _, err := conn.Exec(ctx, "CREATE WORKFLOW "+q.Name+" AS "+q.Text); err != nil {
		mem.Peaks()
		return r, err
	}
	if err := ResumeStreams(ctx, conn, q.Streams); err != nil {
		mem.Peaks()
		return r, err
	}
	rt := srv.Engine().Runtime()
	oid := func(name string) (uint32, error) {
		var v uint32
		err := conn.QueryRow(ctx, "SELECT oid FROM pg_class WHERE relname = $1", name).Scan(&v)
		return v, err
	}
	wfOID, err := oid(q.Name)
	if err != nil {
		mem.Peaks()
		return r, err
	}
	w, ok := rt.Workflow(wfOID)
	if !ok {
		mem.Peaks()
		return r, fmt.Errorf("workflow %s is not running", q.Name)
	}
	streamOIDs := map[string]uint32{}
	for _, s := range q.Streams {
		if streamOIDs[s], err = oid(s); err != nil {
			mem.Peaks()
			return r, err
		}
	}
	lastReport := time.Now()
	for {
		done := true
		var produced int64
		for s, so := range streamOIDs {
			n, err := rt.GeneratorPosition(so)
			if err != nil {
				mem.Peaks()
				return r, err
			}
			produced += n
			done = done && n >= counts[s]
		}
		if st := w.Status(); st.FailedAtom != 0 {
			mem.Peaks()
			return r, fmt.Errorf("workflow stopped at atom %d: %s", st.FailedAtom, st.Err)
		}
		if done {
			break
		}
		if time.Since(lastReport) >= time.Second {
			st := w.Status()
			o.progress("  %s: %5.1fs generated %d of %d input rows, workflow absorbed %d in %d atoms\n",
				q.Name, time.Since(t0).Seconds(), produced, r.InputRows, st.RowsIn, st.Atoms)
			lastReport = time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Every event is committed: wait until the workflow has absorbed them.
	if _, err := conn.Exec(ctx, "FLUSH"); err != nil {
		mem.Peaks()
		return r, err
	}
	wall, cpu := time.Since(t0), bench.ProcessCPU()-cpu0
	heap, rss := mem.Peaks()
	st := w.Status()
	if st.FailedAtom != 0 {
		return r, fmt.Errorf("workflow stopped at atom %d: %s", st.FailedAtom, st.Err)
	}
	lat := w.StepLatency()
	r.WallSec, r.CPUSec = wall.Seconds(), cpu.Seconds()
	r.EventsPerSec = float64(o.Events) / wall.Seconds()
	if cpu > 0 {
		r.EventsPerCoreSec = float64(o.Events) / cpu.Seconds()
	}
	r.Atoms = st.Atoms
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	r.AtomP50Ms, r.AtomP99Ms, r.AtomMaxMs = ms(lat.Quantile(0.5)), ms(lat.Quantile(0.99)), ms(lat.Max)
	r.PeakHeapMB, r.PeakRSSMB = float64(heap)/(1<<20), float64(rss)/(1<<20)
	r.StateEntries = st.StateSize
	stateBytes, err := w.StoredStateBytes()
	if err != nil {
		return r, err
	}
	r.StateMB = float64(stateBytes) / (1 << 20)
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+q.Name).Scan(&r.ResultRows); err != nil {
		return r, err
	}
	o.progress("  %s: done in %.2fs (%.0f events/s, %.0f per core)\n", q.Name, r.WallSec, r.EventsPerSec, r.EventsPerCoreSec)
	return r, nil
}

// WriteTable prints results as an aligned table.
func WriteTable(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tevents\twall s\tevents/s\tevents/s/core\tatoms\tatom p50 ms\tatom p99 ms\tpeak heap MB\tpeak RSS MB\tstate entries\tstate MB\tresult rows\tbaseline events/s\tratio\t")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\terror: %s\t\t\t\t\t\t\t\t\t\t\t\t\t\n", r.Query, r.Events, r.Error)
			continue
		}
		base, ratio := "", ""
		if r.Baseline != nil {
			base = fmt.Sprintf("%.0f", r.Baseline.EventsPerSec)
			ratio = fmt.Sprintf("%.3f", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.0f\t%d\t%.1f\t%.1f\t%.0f\t%.0f\t%d\t%.1f\t%d\t%s\t%s\t\n",
			r.Query, r.Events, r.WallSec, r.EventsPerSec, r.EventsPerCoreSec, r.Atoms, r.AtomP50Ms, r.AtomP99Ms,
			r.PeakHeapMB, r.PeakRSSMB, r.StateEntries, r.StateMB, r.ResultRows, base, ratio)
	}
	tw.Flush()
}

// WriteJSON writes results as JSON.
func WriteJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}
