package sql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"portalsdb/exec"
	"portalsdb/portals"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// portals_catalog: the system views of portalsdb's own objects. They are
// computed on every scan from the catalog snapshot and the live state of
// the runtime (workflows' positions and counters, portals' call counts,
// sessions), like pg_stat_activity. Counters live in memory: they start
// from zero when the server starts (a workflow's position does not: it is
// stored with its state).

const portalsCatalog = "portals_catalog"

// durationMillis converts a duration to milliseconds, as the views report
// times.
func durationMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// intervalOf converts a duration to an interval.
func intervalOf(d time.Duration) types.IntervalValue {
	return types.IntervalValue{Micros: d.Microseconds()}
}

// logSummary counts a log's retained atoms and row changes, and finds its
// first and last atom. It reads the whole retained log: the views are for
// people and tools, not for hot paths.
func logSummary(txn *storage.Txn, obj uint64, after storage.Seq) (atoms, rows int64, first, last storage.Seq, err error) {
	it, err := txn.ScanLog(obj, after+1, ^storage.Seq(0))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		e := it.Entry()
		if e.Seq != last {
			atoms++
			if first == 0 {
				first = e.Seq
			}
			last = e.Seq
		}
		n, err := rowcodec.ChunkLen(e.Value)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		rows += int64(n)
	}
	return atoms, rows, first, last, it.Error()
}

// seqOrNull returns an atom as a bigint, NULL for none.
func seqOrNull(s storage.Seq) types.Datum {
	if s == 0 {
		return nil
	}
	return int64(s)
}

// streamSource says what fills a stream.
func streamSource(snap *catalog.Snapshot, t *catalog.Table) string {
	sd := t.Stream
	var into []string
	for _, w := range snap.Tables() {
		if w.Kind == catalog.KindWorkflow && w.Workflow != nil && w.Workflow.Into == t.OID {
			into = append(into, w.Name)
		}
	}
	switch {
	case len(into) > 0:
		return "workflow " + strings.Join(into, ", ")
	case sd == nil:
		return "insert"
	case sd.Generator != "" && sd.Paused:
		return "generator " + sd.Generator + " (paused)"
	case sd.Generator != "":
		return "generator " + sd.Generator
	case len(sd.Sequencer) > 0:
		return "sequencer"
	case sd.Split != nil:
		return "splitter " + sd.Split.Splitter
	}
	return "insert"
}

// workflowReaders counts, per relation, the workflows that read it.
func workflowReaders(snap *catalog.Snapshot) map[uint32]int64 {
	out := map[uint32]int64{}
	for _, t := range snap.Tables() {
		if t.Kind == catalog.KindWorkflow {
			for _, dep := range t.DependsOn {
				out[dep]++
			}
		}
	}
	return out
}

// streamRows produces portals_catalog.streams.
func streamRows(c *sysContext, emit func(sysRow)) {
	txn := c.e.db.Begin()
	defer txn.Rollback()
	readers := workflowReaders(c.snap)
	for _, t := range c.snap.Tables() {
		if t.Kind != catalog.KindStream {
			continue
		}
		row := sysRow{"schema_name": c.schemaName(t.Schema), "name": t.Name, "oid": int64(t.OID),
			"source": streamSource(c.snap, t), "workflows": readers[t.OID]}
		atoms, rows, first, last, err := logSummary(txn, uint64(t.OID), 0)
		if err == nil {
			row["atoms"], row["events"], row["first_atom"], row["last_atom"] = atoms, rows, seqOrNull(first), seqOrNull(last)
		}
		if t.Stream != nil {
			if t.Stream.Retention != "" {
				if iv, err := types.ParseInterval(t.Stream.Retention); err == nil {
					row["retention"] = iv
				}
			}
			if t.Stream.WatermarkColumn != "" {
				row["watermark"] = "WATERMARK FOR " + t.Stream.WatermarkColumn + " AS " + t.Stream.WatermarkExpr
			}
		}
		emit(row)
	}
}

// workflowLag returns how many input atoms a workflow has not processed
// yet (atoms of its inputs' logs after its frontier), and the oldest one.
func workflowLag(txn *storage.Txn, w *portals.Workflow, frontier storage.Seq) (atoms int64, oldest storage.Seq) {
	seen := map[uint64]bool{}
	pending := map[storage.Seq]bool{}
	for _, src := range w.Dataflow().Sources {
		if seen[src.Object] {
			continue
		}
		seen[src.Object] = true
		it, err := txn.ScanLog(src.Object, frontier+1, ^storage.Seq(0))
		if err != nil {
			continue
		}
		for ; it.Valid(); it.Next() {
			pending[it.Entry().Seq] = true
		}
		it.Close()
	}
	for s := range pending {
		if oldest == 0 || s < oldest {
			oldest = s
		}
	}
	return int64(len(pending)), oldest
}

// workflowRows produces portals_catalog.workflows.
func workflowRows(c *sysContext, emit func(sysRow)) {
	txn := c.e.db.Begin()
	defer txn.Rollback()
	now := time.Now()
	for _, t := range c.snap.Tables() {
		if t.Kind != catalog.KindWorkflow {
			continue
		}
		row := sysRow{"schema_name": c.schemaName(t.Schema), "name": t.Name, "oid": int64(t.OID),
			"status": "stopped", "definition": t.ViewSQL}
		if wd := t.Workflow; wd != nil {
			row["emit_on_window_close"] = wd.EmitOnWindowClose
			row["append_only"] = wd.AppendOnly
			if into, ok := c.snap.TableByOID(wd.Into); ok && wd.Into != 0 {
				row["into_stream"] = c.qualifiedName(into.Schema, into.Name)
			}
		}
		w, ok := c.e.rt.Workflow(t.OID)
		if !ok {
			emit(row)
			continue
		}
		st := w.Status()
		row["status"] = "running"
		if !w.Recovered() {
			row["status"] = "recovering"
		}
		if st.FailedAtom != 0 {
			row["status"], row["error"], row["failed_atom"] = "failed", st.Err, int64(st.FailedAtom)
		}
		row["position_atom"], row["frontier_atom"] = int64(st.Position), int64(st.Frontier)
		lagAtoms, oldest := workflowLag(txn, w, st.Frontier)
		row["lag_atoms"] = lagAtoms
		lag := time.Duration(0)
		if oldest != 0 {
			if at, ok := c.e.clock.committedBy(oldest); ok {
				lag = max(now.Sub(at), 0)
			}
		}
		row["lag"] = intervalOf(lag)
		row["atoms_processed"], row["rows_in"], row["rows_out"] = st.Atoms, st.RowsIn, st.RowsOut
		row["state_entries"] = int64(st.StateSize)
		row["busy_ms"] = durationMillis(st.Busy)
		lat := w.StepLatency()
		if lat.Count > 0 {
			row["atom_p50_ms"], row["atom_p99_ms"] = durationMillis(lat.Quantile(0.5)), durationMillis(lat.Quantile(0.99))
		}
		if !st.LastProgress.IsZero() {
			row["last_progress"] = types.TimestampValue(st.LastProgress.UnixMicro())
		}
		emit(row)
	}
}

// taskRows produces portals_catalog.tasks: the sources and operators of
// each running workflow's dataflow, with their counters.
func taskRows(c *sysContext, emit func(sysRow)) {
	for _, t := range c.snap.Tables() {
		if t.Kind != catalog.KindWorkflow {
			continue
		}
		w, ok := c.e.rt.Workflow(t.OID)
		if !ok {
			continue
		}
		df := w.Dataflow()
		srcStats, nodeStats := df.Stats()
		base := sysRow{"workflow_schema": c.schemaName(t.Schema), "workflow": t.Name}
		task := func(id int64, kind, op, inputs string, stateful bool, s exec.TaskStats) {
			row := sysRow{"task_id": id, "kind": kind, "operator": op, "inputs": inputs, "stateful": stateful,
				"rows_in": s.RowsIn, "rows_out": s.RowsOut, "state_entries": int64(s.StateEntries),
				"busy_ms": durationMillis(s.Busy)}
			for k, v := range base {
				row[k] = v
			}
			emit(row)
		}
		for i, src := range df.Sources {
			task(int64(i), "source", sourceDescription(src), "", false, srcStats[i])
		}
		for i, n := range df.Nodes {
			var ins []string
			for _, ref := range n.Inputs {
				if ref < 0 {
					ins = append(ins, "source "+itoa(-1-ref))
				} else {
					ins = append(ins, "node "+itoa(ref))
				}
			}
			_, stateful := n.Op.(exec.StatefulOperator)
			task(int64(i), "node", n.Op.Describe(), strings.Join(ins, ", "), stateful, nodeStats[i])
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// sourceDescription names a dataflow source as EXPLAIN WORKFLOW does.
func sourceDescription(s exec.DataflowSource) string {
	switch s.Kind {
	case exec.SourceStream:
		return "stream " + s.Name
	case exec.SourceTable:
		return "table changelog " + s.Name
	case exec.SourceWorkflow:
		return "workflow " + s.Name
	}
	return s.Name
}

// portalRows produces portals_catalog.portals.
func portalRows(c *sysContext, emit func(sysRow)) {
	for _, p := range c.snap.Portals() {
		row := sysRow{"schema_name": c.schemaName(p.Schema), "name": p.Name, "oid": int64(p.OID),
			"arguments": portalArguments(p), "result": portalResult(p), "writes": p.Writes, "body": p.Body}
		if s, ok := c.snap.TableByOID(p.Server); ok {
			row["server"], row["server_kind"] = c.qualifiedName(s.Schema, s.Name), s.Kind.String()
		}
		st := c.e.portalStats.get(p.OID)
		row["calls"], row["errors"] = st.calls, st.errors
		if st.latency.Count > 0 {
			row["p50_ms"] = durationMillis(st.latency.Quantile(0.5))
			row["p90_ms"] = durationMillis(st.latency.Quantile(0.9))
			row["p99_ms"] = durationMillis(st.latency.Quantile(0.99))
			row["max_ms"] = durationMillis(st.latency.Max)
			row["last_call"] = types.TimestampValue(st.lastCall.UnixMicro())
		}
		emit(row)
	}
}

// sessionActivity is what other sessions may read of a session: set once
// when it starts, then updated atomically as it runs statements.
type sessionActivity struct {
	started    time.Time
	appName    string
	statements atomic.Int64
	lastCommit atomic.Uint64
	lastStmt   atomic.Pointer[string]
	lastStart  atomic.Int64 // microseconds since the epoch
}

// start records the session's start; it runs before the session is
// visible to others.
func (a *sessionActivity) start(appName string) {
	a.started, a.appName = time.Now(), appName
}

// statement records that the session runs a statement; text is the
// statement's, which does not change.
func (a *sessionActivity) statement(text *string) {
	a.statements.Add(1)
	a.lastStmt.Store(text)
	a.lastStart.Store(time.Now().UnixMicro())
}

// sessionRows produces portals_catalog.sessions.
func sessionRows(c *sysContext, emit func(sysRow)) {
	var sessions []*Session
	c.e.sessions.Range(func(_, v any) bool {
		sessions = append(sessions, v.(*Session))
		return true
	})
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].pid < sessions[j].pid })
	for _, s := range sessions {
		a := &s.activity
		row := sysRow{"pid": int64(s.pid), "user_name": s.user, "database": s.database,
			"application_name": a.appName, "backend_start": types.TimestampValue(a.started.UnixMicro()),
			"statements": a.statements.Load(), "last_commit_atom": seqOrNull(storage.Seq(a.lastCommit.Load())),
			"current": s == c.view.session}
		if s == c.view.session {
			row["application_name"] = s.get("application_name")
		}
		if q := a.lastStmt.Load(); q != nil {
			row["last_statement"] = *q
			row["last_statement_start"] = types.TimestampValue(a.lastStart.Load())
		}
		emit(row)
	}
}

var _ = defineSystemTables(
	&systemTable{oid: 13101, schema: portalsCatalog, name: "streams", kind: 'v', live: true,
		cols: columns(`schema_name name, name name, oid oid, source text, atoms bigint, events bigint,
			first_atom bigint, last_atom bigint, retention interval, watermark text, workflows bigint`),
		rows: streamRows},
	&systemTable{oid: 13102, schema: portalsCatalog, name: "workflows", kind: 'v', live: true,
		cols: columns(`schema_name name, name name, oid oid, status text, error text, failed_atom bigint,
			position_atom bigint, frontier_atom bigint, lag_atoms bigint, lag interval, atoms_processed bigint,
			rows_in bigint, rows_out bigint, state_entries bigint, busy_ms double precision,
			atom_p50_ms double precision, atom_p99_ms double precision, last_progress timestamp with time zone,
			into_stream text, emit_on_window_close boolean, append_only boolean, definition text`),
		rows: workflowRows},
	&systemTable{oid: 13103, schema: portalsCatalog, name: "tasks", kind: 'v', live: true,
		cols: columns(`workflow_schema name, workflow name, task_id integer, kind text, operator text, inputs text,
			stateful boolean, rows_in bigint, rows_out bigint, state_entries bigint, busy_ms double precision`),
		rows: taskRows},
	&systemTable{oid: 13104, schema: portalsCatalog, name: "portals", kind: 'v', live: true,
		cols: columns(`schema_name name, name name, oid oid, server text, server_kind text, writes boolean,
			arguments text, result text, calls bigint, errors bigint, p50_ms double precision,
			p90_ms double precision, p99_ms double precision, max_ms double precision,
			last_call timestamp with time zone, body text`),
		rows: portalRows},
	&systemTable{oid: 13105, schema: portalsCatalog, name: "sessions", kind: 'v', live: true,
		cols: columns(`pid integer, user_name name, database name, application_name text,
			backend_start timestamp with time zone, statements bigint, last_statement text,
			last_statement_start timestamp with time zone, last_commit_atom bigint, current boolean`),
		rows: sessionRows},
)

// explainWorkflowTasks is EXPLAIN WORKFLOW's task list: the dataflow's
// sources and nodes, each with what it did since the workflow started.
func explainWorkflowTasks(df *exec.Dataflow) []string {
	lines := df.Explain()
	srcStats, nodeStats := df.Stats()
	stats := append(srcStats, nodeStats...)
	for i := range lines {
		if i >= len(stats) {
			break
		}
		s := stats[i]
		extra := fmt.Sprintf("  (rows in=%d out=%d", s.RowsIn, s.RowsOut)
		if i >= len(srcStats) {
			if _, ok := df.Nodes[i-len(srcStats)].Op.(exec.StatefulOperator); ok {
				extra += fmt.Sprintf(" state=%d", s.StateEntries)
			}
			extra += fmt.Sprintf(" time=%.3f ms", durationMillis(s.Busy))
		}
		lines[i] += extra + ")"
	}
	return lines
}
