package streambench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/bench"
	"portalsdb/portals"
	"portalsdb/server"
	"portalsdb/storage"
)

// Options configure a run.
type Options struct {
	// Events is the number of events per workload: for the join, split
	// evenly between its two streams.
	Events int64
	// AtomRows is the number of events per atom of each stream.
	AtomRows int
	// Workloads are the workloads to run by name; empty runs them all.
	Workloads []string
	// BatchAtoms caps the atoms of the recompute-in-batch run (0: skip it).
	BatchAtoms int
	// EventsPerSecond paces the generators (shared between a workload's
	// streams); 0 runs them flat out, which measures throughput but
	// makes the commit-to-result latency that of a backlog.
	EventsPerSecond float64
	// Sync makes commits durable before they are acknowledged.
	Sync bool
	// Progress receives progress lines; nil for none.
	Progress io.Writer
}

// Result is the measurement of one workload.
type Result struct {
	Workload string  `json:"workload"`
	Events   int64   `json:"events"`
	Atoms    int64   `json:"atoms"`
	WallSec  float64 `json:"wall_seconds"`
	CPUSec   float64 `json:"cpu_seconds"`
	// EventsPerSec is Events over the wall time from creating the streams
	// to the workflow having absorbed the last event; EventsPerCoreSec is
	// Events over the CPU time the whole process used meanwhile
	// (generators, workflow, storage, garbage collection).
	EventsPerSec     float64 `json:"events_per_second"`
	EventsPerCoreSec float64 `json:"events_per_core_second"`
	// CommitP50Ms and CommitP99Ms are the latency of an input atom from
	// its commit to the commit of the workflow's result for it; StepP50Ms
	// and StepP99Ms the workflow's own time on an atom.
	CommitP50Ms float64 `json:"commit_to_result_p50_ms"`
	CommitP99Ms float64 `json:"commit_to_result_p99_ms"`
	StepP50Ms   float64 `json:"step_p50_ms"`
	StepP99Ms   float64 `json:"step_p99_ms"`
	PeakHeapMB  float64 `json:"peak_heap_mb"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	ResultRows  int64   `json:"result_rows"`
	// Loop is the hand-written Go loop over the same events; Ratio is
	// EventsPerCoreSec over the loop's events per CPU-second.
	Loop  LoopResult `json:"hand_loop"`
	Ratio float64    `json:"ratio_to_hand_loop"`
	// Batch is the same query recomputed after every atom, over the first
	// atoms only; nil when skipped.
	Batch *BatchResult `json:"batch_recompute,omitempty"`
	Error string       `json:"error,omitempty"`
}

// LoopResult is the measurement of a hand-written loop.
type LoopResult struct {
	Sec          float64 `json:"seconds"`
	EventsPerSec float64 `json:"events_per_second"`
	// CPUSec is the process's CPU time during the loop, and
	// EventsPerCoreSec the events over it: the figure the workflow's
	// events/s/core compares with, since a loaded machine slows the
	// loop's wall clock but not its CPU time per event.
	CPUSec           float64 `json:"cpu_seconds"`
	EventsPerCoreSec float64 `json:"events_per_core_second"`
	ResultRows       int64   `json:"result_rows"`
}

// Run runs each workload on a fresh in-process server, then its hand loop,
// then its recomputation in batch.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if o.AtomRows < 1 || o.Events < 1 {
		return nil, fmt.Errorf("streambench: events and atom rows must be positive")
	}
	names := o.Workloads
	if len(names) == 0 {
		for _, w := range Workloads {
			names = append(names, w.Name)
		}
	}
	var out []Result
	for _, name := range names {
		w, err := workload(name)
		if err != nil {
			return out, err
		}
		r := Result{Workload: w.Name, Events: o.Events}
		o.progress("%s: %s\n", w.Name, w.Description)
		rows, sum, err := runWorkflow(ctx, w, o, &r)
		if err != nil {
			r.Error = err.Error()
			o.progress("  %s: %v\n", w.Name, err)
			out = append(out, r)
			continue
		}
		loopRows, loopSum := runLoop(w, o, &r)
		if rows != loopRows || sum != loopSum {
			r.Error = fmt.Sprintf("the workflow's result (%d rows, checksum %d) differs from the hand loop's (%d rows, checksum %d)",
				rows, sum, loopRows, loopSum)
			o.progress("  %s: %s\n", w.Name, r.Error)
		}
		if o.BatchAtoms > 0 {
			b, err := runBatch(ctx, w, o)
			if err != nil {
				r.Error = "batch recompute: " + err.Error()
				o.progress("  %s: %s\n", w.Name, r.Error)
			} else {
				r.Batch = &b
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format, args...)
	}
}

// perStream returns each stream's event count.
func perStream(w Workload, events int64) []int64 {
	n := make([]int64, len(w.Streams))
	for i := range n {
		n[i] = events / int64(len(n))
		if i < int(events%int64(len(n))) {
			n[i]++
		}
	}
	return n
}

// atoms lists the atoms the streams' generators commit, in an order the
// workflow may see them: the streams' atoms interleaved.
func atoms(w Workload, events int64, atomRows int) []Atom {
	counts := perStream(w, events)
	var out []Atom
	next := make([]int64, len(counts))
	for i := range next {
		next[i] = 1
	}
	for more := true; more; {
		more = false
		for s, c := range counts {
			if next[s] > c {
				continue
			}
			to := min(c, next[s]+int64(atomRows)-1)
			out = append(out, Atom{Stream: s, From: next[s], To: to})
			next[s] = to + 1
			more = true
		}
	}
	return out
}

type startedServer struct {
	srv  *server.Server
	conn *pgx.Conn
	dir  string
}

func startServer(ctx context.Context, sync bool) (*startedServer, error) {
	dir, err := os.MkdirTemp("", "portalsdb-streambench-")
	if err != nil {
		return nil, err
	}
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Sync: sync,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+srv.Addr()+"/postgres?sslmode=disable")
	if err != nil {
		srv.Shutdown(ctx)
		os.RemoveAll(dir)
		return nil, err
	}
	return &startedServer{srv: srv, conn: conn, dir: dir}, nil
}

func (s *startedServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.conn.Close(ctx)
	s.srv.Shutdown(ctx)
	os.RemoveAll(s.dir)
}

func (s *startedServer) oid(ctx context.Context, name string) (uint32, error) {
	var v uint32
	err := s.conn.QueryRow(ctx, "SELECT oid FROM pg_class WHERE relname = $1", name).Scan(&v)
	return v, err
}

// check runs a workload's check query over relation rel.
func check(ctx context.Context, conn *pgx.Conn, w Workload, rel string) (rows, sum int64, err error) {
	var s string
	if err := conn.QueryRow(ctx, strings.ReplaceAll(w.Check, "{rel}", rel)).Scan(&rows, &s); err != nil {
		return 0, 0, err
	}
	sum, err = strconv.ParseInt(s, 10, 64)
	return rows, sum, err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runWorkflow measures the workload as a workflow over series generator
// streams, and returns its result's check. As in the Nexmark benchmark,
// the streams are created paused and resume once the workflow exists: a
// generator stream stores only its atoms' event ranges and commits them
// far faster than a workflow starts, so a running generator would leave
// every event to the workflow's starting snapshot rather than reach it
// atom by atom.
func runWorkflow(ctx context.Context, w Workload, o Options, r *Result) (int64, int64, error) {
	s, err := startServer(ctx, o.Sync)
	if err != nil {
		return 0, 0, err
	}
	defer s.close()
	counts := perStream(w, o.Events)
	runtime.GC()
	debug.FreeOSMemory()
	peaks := sync.OnceValues(bench.StartMemorySampler().Peaks)
	defer peaks()
	cpu0, t0 := bench.ProcessCPU(), time.Now()
	create, resume := &pgx.Batch{}, &pgx.Batch{}
	create.Queue("BEGIN")
	resume.Queue("BEGIN")
	for i, name := range w.Streams {
		create.Queue(fmt.Sprintf("CREATE STREAM %s FROM GENERATOR series (start => 1, count => %d, atom_rows => %d, events_per_second => %g)",
			name, counts[i], o.AtomRows, o.EventsPerSecond/float64(len(w.Streams))))
		create.Queue("ALTER STREAM " + name + " PAUSE")
		resume.Queue("ALTER STREAM " + name + " RESUME")
	}
	create.Queue("COMMIT")
	resume.Queue("COMMIT")
	if err := s.conn.SendBatch(ctx, create).Close(); err != nil {
		return 0, 0, err
	}
	if _, err := s.conn.Exec(ctx, "CREATE WORKFLOW wf AS "+w.Query); err != nil {
		return 0, 0, err
	}
	if err := s.conn.SendBatch(ctx, resume).Close(); err != nil {
		return 0, 0, err
	}
	rt := s.srv.Engine().Runtime()
	wfOID, err := s.oid(ctx, "wf")
	if err != nil {
		return 0, 0, err
	}
	wf, ok := rt.Workflow(wfOID)
	if !ok {
		return 0, 0, fmt.Errorf("workflow wf is not running")
	}
	streams := make([]uint32, len(w.Streams))
	for i, name := range w.Streams {
		if streams[i], err = s.oid(ctx, name); err != nil {
			return 0, 0, err
		}
	}
	obs := newLatencyObserver(rt, wf, streams)
	obsCtx, stopObs := context.WithCancel(ctx)
	obsDone := make(chan struct{})
	go func() { defer close(obsDone); obs.run(obsCtx) }()
	stopObserver := sync.OnceFunc(func() { stopObs(); <-obsDone })
	defer stopObserver()

	lastReport := time.Now()
	for {
		done := true
		var produced int64
		for i, oid := range streams {
			n, err := rt.GeneratorPosition(oid)
			if err != nil {
				return 0, 0, err
			}
			produced += n
			done = done && n >= counts[i]
		}
		st := wf.Status()
		if st.FailedAtom != 0 {
			return 0, 0, fmt.Errorf("workflow stopped at atom %d: %s", st.FailedAtom, st.Err)
		}
		if done {
			break
		}
		if time.Since(lastReport) >= time.Second {
			o.progress("  %s: %5.1fs generated %d of %d events, workflow absorbed %d in %d atoms\n",
				w.Name, time.Since(t0).Seconds(), produced, o.Events, st.RowsIn, st.Atoms)
			lastReport = time.Now()
		}
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Every event is committed: wait until the workflow has absorbed them.
	if _, err := s.conn.Exec(ctx, "FLUSH"); err != nil {
		return 0, 0, err
	}
	wall, cpu := time.Since(t0), bench.ProcessCPU()-cpu0
	heap, rss := peaks()
	stopObserver()
	st := wf.Status()
	if st.FailedAtom != 0 {
		return 0, 0, fmt.Errorf("workflow stopped at atom %d: %s", st.FailedAtom, st.Err)
	}
	r.WallSec, r.CPUSec = wall.Seconds(), cpu.Seconds()
	r.EventsPerSec = float64(o.Events) / wall.Seconds()
	if cpu > 0 {
		r.EventsPerCoreSec = float64(o.Events) / cpu.Seconds()
	}
	r.Atoms = st.Atoms
	commit := obs.histogram()
	step := wf.StepLatency()
	r.CommitP50Ms, r.CommitP99Ms = ms(commit.Quantile(0.5)), ms(commit.Quantile(0.99))
	r.StepP50Ms, r.StepP99Ms = ms(step.Quantile(0.5)), ms(step.Quantile(0.99))
	r.PeakHeapMB, r.PeakRSSMB = float64(heap)/(1<<20), float64(rss)/(1<<20)
	rows, sum, err := check(ctx, s.conn, w, "wf")
	if err != nil {
		return 0, 0, err
	}
	r.ResultRows = rows
	o.progress("  %s: workflow done in %.2fs (%.0f events/s, %.0f per core, commit to result p50 %.1fms p99 %.1fms)\n",
		w.Name, r.WallSec, r.EventsPerSec, r.EventsPerCoreSec, r.CommitP50Ms, r.CommitP99Ms)
	return rows, sum, nil
}

// latencyObserver measures atoms from their commit to the commit of the
// workflow's result for them. One goroutine wakes at every commit the
// runtime signals and lists the input atoms committed since it last
// looked, taking now as their commit time; another waits until the
// workflow's frontier passes the oldest listed atom and times every atom
// it passed. Commits that come faster than the first wakes are timed from
// its wake, so the figures are slightly low, never high.
type latencyObserver struct {
	rt      *portals.Runtime
	wf      *portals.Workflow
	streams []uint32
	seen    []storage.Seq // per stream, the last atom listed

	mu      sync.Mutex
	listed  chan struct{} // closed and replaced when atoms are listed
	pending []pendingAtom // sorted by atom
	hist    portals.LatencyHistogram
}

type pendingAtom struct {
	atom storage.Seq
	at   time.Time
}

func newLatencyObserver(rt *portals.Runtime, wf *portals.Workflow, streams []uint32) *latencyObserver {
	// Atoms before the workflow's start are in its snapshot, not timed.
	start := wf.Status().Frontier
	seen := make([]storage.Seq, len(streams))
	for i := range seen {
		seen[i] = start
	}
	return &latencyObserver{rt: rt, wf: wf, streams: streams, seen: seen, listed: make(chan struct{})}
}

// run observes until ctx ends.
func (o *latencyObserver) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); o.timeResults(ctx) }()
	for {
		wake := o.rt.CommitSignal()
		o.list(time.Now())
		select {
		case <-wake:
		case <-ctx.Done():
			wg.Wait()
			return
		}
	}
}

// list adds the input atoms committed since the last call.
func (o *latencyObserver) list(now time.Time) {
	txn := o.rt.DB().Begin()
	var found []pendingAtom
	for i, oid := range o.streams {
		for {
			next, err := txn.NextLogSeq(uint64(oid), o.seen[i])
			if err != nil || next == 0 {
				break
			}
			found = append(found, pendingAtom{atom: next, at: now})
			o.seen[i] = next
		}
	}
	txn.Rollback()
	if len(found) == 0 {
		return
	}
	o.mu.Lock()
	o.pending = append(o.pending, found...)
	slices.SortFunc(o.pending, func(a, b pendingAtom) int { return cmp.Compare(a.atom, b.atom) })
	close(o.listed)
	o.listed = make(chan struct{})
	o.mu.Unlock()
}

// timeResults waits for the workflow to process the oldest listed atom,
// and times the atoms its frontier passed.
func (o *latencyObserver) timeResults(ctx context.Context) {
	oids := []uint32{o.wf.OID()}
	for {
		o.mu.Lock()
		listed := o.listed
		var oldest storage.Seq
		if len(o.pending) > 0 {
			oldest = o.pending[0].atom
		}
		o.mu.Unlock()
		if oldest == 0 {
			select {
			case <-listed:
				continue
			case <-ctx.Done():
				return
			}
		}
		if _, err := o.rt.WaitCaughtUp(ctx, oids, oldest); err != nil {
			return
		}
		now := time.Now()
		frontier := o.wf.Status().Frontier
		o.mu.Lock()
		k := 0
		for k < len(o.pending) && o.pending[k].atom <= frontier {
			o.hist.Record(now.Sub(o.pending[k].at))
			k++
		}
		o.pending = o.pending[k:]
		o.mu.Unlock()
	}
}

func (o *latencyObserver) histogram() portals.LatencyHistogram {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hist
}

// runLoop measures the hand-written loop over the same events, and
// returns its check.
func runLoop(w Workload, o Options, r *Result) (int64, int64) {
	as := atoms(w, o.Events, o.AtomRows)
	runtime.GC()
	start, cpu0 := time.Now(), bench.ProcessCPU()
	rows, sum := w.Loop(as)
	d, cpu := time.Since(start), bench.ProcessCPU()-cpu0
	r.Loop = LoopResult{Sec: d.Seconds(), EventsPerSec: float64(o.Events) / d.Seconds(), CPUSec: cpu.Seconds(),
		EventsPerCoreSec: float64(o.Events) / max(cpu, time.Microsecond).Seconds(), ResultRows: rows}
	if r.EventsPerCoreSec > 0 {
		r.Ratio = r.EventsPerCoreSec / r.Loop.EventsPerCoreSec
	}
	o.progress("  %s: hand loop %.3fs (%.0f events/s)\n", w.Name, d.Seconds(), r.Loop.EventsPerSec)
	return rows, sum
}

// WriteTable prints results as an aligned table.
func WriteTable(out io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tevents\twall s\tevents/s\tevents/s/core\tatoms\tcommit->result p50 ms\tp99 ms\tstep p50 ms\tp99 ms\tpeak heap MB\tpeak RSS MB\tresult rows\thand loop events/s/core\tratio\tbatch atoms\tbatch events/s\tbatch atom p50 ms\tp99 ms\t")
	for _, r := range rs {
		if r.Error != "" && r.WallSec == 0 {
			fmt.Fprintf(tw, "%s\t%d\terror: %s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n", r.Workload, r.Events, r.Error)
			continue
		}
		batchCols := "\t\t\t\t"
		if b := r.Batch; b != nil {
			batchCols = fmt.Sprintf("%d\t%.0f\t%.1f\t%.1f\t", b.Atoms, b.EventsPerSec, b.AtomP50Ms, b.AtomP99Ms)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.0f\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%d\t%.0f\t%.3f\t%s\n",
			r.Workload, r.Events, r.WallSec, r.EventsPerSec, r.EventsPerCoreSec, r.Atoms, r.CommitP50Ms, r.CommitP99Ms,
			r.StepP50Ms, r.StepP99Ms, r.PeakHeapMB, r.PeakRSSMB, r.ResultRows, r.Loop.EventsPerCoreSec, r.Ratio, batchCols)
	}
	tw.Flush()
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(out, "%s: %s\n", r.Workload, r.Error)
		}
	}
}

// WriteJSON writes results as JSON.
func WriteJSON(out io.Writer, rs []Result) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}
