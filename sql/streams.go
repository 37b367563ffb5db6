package sql

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/planner"
	"portalsdb/planner/logical"
	"portalsdb/portals"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/sql/parser"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Runtime returns the engine's workflow runtime, for in-process tools
// such as benchmarks that read workflows' counters.
func (e *Engine) Runtime() *portals.Runtime { return e.rt }

// startWorkflows starts every generator and workflow of the catalog,
// upstream first.
func (e *Engine) startWorkflows() error {
	splitters := map[uint32]bool{}
	for _, t := range e.Catalog().Tables() {
		if t.Kind == catalog.KindStream && t.Stream != nil && len(t.Stream.Sequencer) > 0 {
			e.rt.StartSequencer(sequencerSpec(t))
			continue
		}
		if t.Kind == catalog.KindStream && t.Stream != nil && t.Stream.Split != nil {
			if !splitters[t.Stream.Split.ID] {
				splitters[t.Stream.Split.ID] = true
				if err := e.startSplitter(e.Catalog(), t.Schema, t.Stream.Split.Splitter); err != nil {
					return pgerror.Wrapf(err, "", "starting splitter %s", t.Stream.Split.Splitter)
				}
			}
			continue
		}
		if t.Kind == catalog.KindStream && t.Stream != nil && t.Stream.Generator != "" {
			if t.Stream.Paused {
				continue
			}
			spec, err := generatorSpec(t)
			if err != nil {
				return err
			}
			if err := e.rt.StartGenerator(spec.GeneratorSpec); err != nil {
				return err
			}
			continue
		}
		if t.Kind != catalog.KindWorkflow {
			continue
		}
		if _, err := e.rt.Start(e.workflowSpec(t)); err != nil {
			return pgerror.Wrapf(err, "", "starting workflow %s", t.Name)
		}
	}
	return nil
}

func (e *Engine) workflowSpec(t *catalog.Table) portals.WorkflowSpec {
	spec := portals.WorkflowSpec{OID: t.OID, Name: t.Name, Build: func() (*exec.Dataflow, error) { return e.buildDataflow(t) }}
	if t.Workflow != nil {
		spec.Into = t.Workflow.Into
		spec.AppendOnly = t.Workflow.AppendOnly
	}
	return spec
}

// buildDataflow binds a workflow's stored query against the catalog and
// lowers it to a dataflow.
func (e *Engine) buildDataflow(t *catalog.Table) (*exec.Dataflow, error) {
	tree, err := pg.Parse(t.ViewSQL)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "workflow %q has an unparsable query", t.Name)
	}
	view := &catalogView{e: e, snap: e.Catalog(), searchPath: append([]string{"pg_catalog"}, t.Workflow.SearchPath...)}
	bound, err := binder.New(view, nil).Bind(tree.Stmts[0].Stmt)
	if err != nil {
		return nil, err
	}
	return planner.BuildDataflow(bound.Plan, t.Workflow.EmitOnWindowClose)
}

// execCustom runs portalsdb's own statements.
func (s *Session) execCustom(ctx context.Context, c *parser.Custom) (pgwire.Result, error) {
	switch c.Kind {
	case parser.CreateStream:
		st, err := parser.ParseCreateStream(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "CREATE STREAM", func(d *ddl) error { return d.createStream(st) })
	case parser.CreateWorkflow:
		st, err := parser.ParseCreateWorkflow(c)
		if err != nil {
			return nil, s.fail(err)
		}
		tag := "CREATE WORKFLOW"
		if st.MaterializedView {
			tag = "CREATE MATERIALIZED VIEW"
		}
		return s.createWorkflow(ctx, st, tag)
	case parser.DropStream, parser.DropWorkflow:
		st, err := parser.ParseDrop(c)
		if err != nil {
			return nil, s.fail(err)
		}
		tag := "DROP " + strings.ToUpper(st.Kind)
		return s.inTxn(ctx, tag, func(d *ddl) error { return d.dropStreamsOrWorkflows(st) })
	case parser.CreatePortal:
		st, err := parser.ParseCreatePortal(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "CREATE PORTAL", func(d *ddl) error { return d.createPortal(st) })
	case parser.DropPortal:
		st, err := parser.ParseDrop(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "DROP PORTAL", func(d *ddl) error { return d.dropPortals(st) })
	case parser.CreateSequencer:
		st, err := parser.ParseCreateSequencer(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "CREATE SEQUENCER", func(d *ddl) error { return d.createSequencer(st) })
	case parser.CreateSplitter:
		st, err := parser.ParseCreateSplitter(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "CREATE SPLITTER", func(d *ddl) error { return d.createSplitter(st) })
	case parser.AlterSplitter:
		st, err := parser.ParseAlterSplitter(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "ALTER SPLITTER", func(d *ddl) error { return d.alterSplitter(st) })
	case parser.AlterStream:
		st, err := parser.ParseAlterStream(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "ALTER STREAM", func(d *ddl) error { return d.alterStream(st) })
	case parser.DropSequencer, parser.DropSplitter:
		st, err := parser.ParseDrop(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.inTxn(ctx, "DROP "+strings.ToUpper(st.Kind), func(d *ddl) error { return d.dropSequencersOrSplitters(st) })
	case parser.AlterWorkflow:
		st, err := parser.ParseAlterWorkflow(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.alterWorkflow(st)
	case parser.DeclareSubscribe:
		return s.declareSubscribeCursor(ctx, c)
	case parser.Flush:
		return s.flush(ctx)
	case parser.ExplainWorkflow:
		st, err := parser.ParseExplainWorkflow(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.explainWorkflow(st)
	case parser.Subscribe:
		st, err := parser.ParseSubscribe(c)
		if err != nil {
			return nil, s.fail(err)
		}
		return s.subscribe(ctx, st)
	}
	return nil, s.fail(pgerror.Unsupportedf("%s is not supported yet", c.Kind))
}

// inTxn runs DDL in the session's transaction (or an implicit one).
func (s *Session) inTxn(ctx context.Context, tag string, fn func(d *ddl) error) (pgwire.Result, error) {
	t, implicit := s.txnFor()
	d := &ddl{s: s, t: t, view: s.catalogView(t)}
	err := fn(d)
	if err := s.endStatement(t, implicit, err); err != nil {
		return nil, err
	}
	return &tagResult{tag: tag}, nil
}

func (d *ddl) createStream(st *parser.CreateStreamStmt) error {
	sc, err := d.view.creationSchema(st.Name.Schema)
	if err != nil {
		return err
	}
	if d.relationExists(sc.OID, st.Name.Name) {
		if st.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateTable, fmt.Sprintf("relation %q already exists, skipping", st.Name.Name))
			return nil
		}
		return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", st.Name.Name)
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	tbl := &catalog.Table{OID: oid, Schema: sc.OID, Name: st.Name.Name, Kind: catalog.KindStream, Owner: catalog.PostgresRoleOID, Stream: &catalog.StreamDesc{}}
	if st.Generator != "" {
		return d.createGeneratorStream(tbl, st)
	}
	for _, cd := range st.Columns {
		if _, _, dup := tbl.Column(cd.Colname); dup {
			return pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", cd.Colname)
		}
		for _, cn := range cd.Constraints {
			switch cn.GetConstraint().Contype {
			case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_NULL, pg.ConstrType_CONSTR_DEFAULT:
			default:
				return pgerror.Newf(pgerror.FeatureNotSupported, "stream columns take only NOT NULL and DEFAULT: streams are append-only, without keys")
			}
		}
		col, err := d.columnDef(tbl, cd)
		if err != nil {
			return err
		}
		if col.Sequence != "" {
			return pgerror.Unsupportedf("serial columns are not supported in streams")
		}
		tbl.Columns = append(tbl.Columns, col)
	}
	if _, err := d.streamWatermark(tbl, st); err != nil {
		return err
	}
	for k, v := range st.Options {
		switch k {
		case "retention":
			if _, err := types.ParseInterval(v); err != nil {
				return pgerror.Newf(pgerror.InvalidParameterValue, "invalid retention %q: %v", v, err)
			}
			tbl.Stream.Retention = v
		default:
			return pgerror.Newf(pgerror.InvalidParameterValue, "unrecognized stream option %q", k)
		}
	}
	snap, err := d.snap().PutTable(d.store(), tbl)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

// streamWatermark binds the stream's WATERMARK clause, if any, over its
// columns and records it in tbl. It returns the bound expression (nil
// without a clause).
func (d *ddl) streamWatermark(tbl *catalog.Table, st *parser.CreateStreamStmt) (expr.Expr, error) {
	if st.WatermarkColumn == "" {
		return nil, nil
	}
	col, _, ok := tbl.Column(st.WatermarkColumn)
	if !ok {
		return nil, pgerror.Newf(pgerror.UndefinedColumn, "watermark column %q does not exist", st.WatermarkColumn)
	}
	e, err := binder.BindScalar(d.view, st.WatermarkExpr, tableColumns(tbl.Columns), tbl.Name)
	if err != nil {
		return nil, err
	}
	if !e.Type().Same(col.Type) && !(col.Type.Kind == types.Timestamp || col.Type.Kind == types.TimestampTZ) {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "watermark expression is of type %s but column %q is of type %s", e.Type(), col.Name, col.Type)
	}
	tbl.Stream.WatermarkColumn, tbl.Stream.WatermarkExpr = col.Name, st.WatermarkText
	return e, nil
}

// checkGeneratorWatermark refuses a watermark that trails the generator's
// event time by less than the generator's out-of-order bound: events would
// be late, and dropped, by construction. The lag is measured on the
// generator's first event.
func (d *ddl) checkGeneratorWatermark(tbl *catalog.Table, gen portals.Generator, wm expr.Expr) error {
	dis, ok := gen.(portals.Disordered)
	if !ok {
		return nil
	}
	col, bound := dis.Disorder()
	_, ord, ok := tbl.Column(col)
	if !ok || tbl.Stream.WatermarkColumn != col {
		return pgerror.Newf(pgerror.InvalidParameterValue, "the watermark of a %s stream must be on %s", tbl.Stream.Generator, col)
	}
	b := batch.NewBuilders(gen.Types())
	gen.Append(b, 0, 1)
	first := b.Build()
	layout := expr.Layout{}
	for i := range tbl.Columns {
		layout[expr.ColumnID(i+1)] = i
	}
	ev, err := expr.Compile(wm, layout)
	if err != nil {
		return err
	}
	marks, err := ev.Eval(d.s.evalCtx(d.t, nil), first)
	if err != nil {
		return err
	}
	if marks.IsNull(0) || first.Cols[ord].IsNull(0) {
		return nil
	}
	t := types.DatumAt(tbl.Columns[ord].Type, first.Cols[ord], 0).(types.TimestampValue)
	mark := types.DatumAt(tbl.Columns[ord].Type, marks, 0).(types.TimestampValue)
	if lag := int64(t - mark); lag < bound {
		return pgerror.Newf(pgerror.InvalidParameterValue, "the watermark trails %s by %s, less than the generator's out-of-order bound of %s: events would be late",
			col, time.Duration(lag)*time.Microsecond, time.Duration(bound)*time.Microsecond).
			WithHint(fmt.Sprintf("Use WATERMARK FOR %s AS %s - INTERVAL '%d milliseconds' or more.", col, col, (bound+999)/1000))
	}
	return nil
}

// createGeneratorStream defines a stream filled by a built-in generator,
// and starts the generator once the definition commits.
func (d *ddl) createGeneratorStream(tbl *catalog.Table, st *parser.CreateStreamStmt) error {
	tbl.Stream.Generator = strings.ToLower(st.Generator)
	tbl.Stream.GeneratorArgs = map[string]string{}
	for name, n := range st.GeneratorArgs {
		e, err := binder.BindScalar(d.view, n, nil, "")
		if err != nil {
			return err
		}
		v, err := expr.EvalConst(d.s.evalCtx(d.t, nil), e)
		if err != nil {
			return err
		}
		if v == nil {
			return pgerror.Newf(pgerror.InvalidParameterValue, "generator argument %s is NULL", name)
		}
		tbl.Stream.GeneratorArgs[name] = types.FormatText(e.Type(), v, nil)
	}
	spec, err := generatorSpec(tbl)
	if err != nil {
		return err
	}
	for i, t := range spec.Gen.Types() {
		tbl.NextColumnID++
		tbl.Columns = append(tbl.Columns, catalog.Column{ID: tbl.NextColumnID, Name: spec.Columns[i], Type: t})
	}
	wm, err := d.streamWatermark(tbl, st)
	if err != nil {
		return err
	}
	if wm != nil {
		if err := d.checkGeneratorWatermark(tbl, spec.Gen, wm); err != nil {
			return err
		}
	}
	if len(st.Options) > 0 {
		return pgerror.New(pgerror.FeatureNotSupported, "generator streams take no WITH options")
	}
	if err := d.put(tbl); err != nil {
		return err
	}
	e := d.s.e
	d.t.onCommit = append(d.t.onCommit, func() { e.syncGenerator(tbl.OID) })
	return nil
}

// alterStream runs ALTER STREAM name PAUSE | RESUME. A paused generator
// stream commits no atom until it is resumed, also across restarts; it
// resumes at its stored position, so pausing loses and repeats nothing.
func (d *ddl) alterStream(st *parser.AlterStreamStmt) error {
	t, _, err := d.view.lookupTable(st.Name.Schema, st.Name.Name)
	if err != nil {
		return err
	}
	if t.Kind != catalog.KindStream || t.Stream == nil || t.Stream.Generator == "" {
		return pgerror.Newf(pgerror.WrongObjectType, "%q is not a generator stream", t.Name).
			WithHint("Only streams FROM GENERATOR pause and resume.")
	}
	if t.Stream.Paused == st.Pause {
		return nil
	}
	tbl := t.Clone()
	tbl.Stream.Paused = st.Pause
	if err := d.put(tbl); err != nil {
		return err
	}
	e := d.s.e
	d.t.onCommit = append(d.t.onCommit, func() { e.syncGenerator(tbl.OID) })
	return nil
}

// syncGenerator runs or stops generator stream oid's generator as the
// newest catalog says. It reads the installed catalog rather than the
// committing transaction's, so that a stream created and paused in one
// transaction never starts, whatever order the hooks run in.
func (e *Engine) syncGenerator(oid uint32) {
	t, ok := e.Catalog().TableByOID(oid)
	if !ok || t.Kind != catalog.KindStream || t.Stream == nil || t.Stream.Generator == "" {
		return
	}
	if t.Stream.Paused {
		e.rt.StopGenerator(oid)
		return
	}
	if e.rt.GeneratorRunning(oid) {
		return
	}
	spec, err := generatorSpec(t)
	if err == nil {
		err = e.rt.StartGenerator(spec.GeneratorSpec)
	}
	if err != nil {
		e.log.Error("starting generator", "stream", t.Name, "err", err)
	}
}

// streamGenerator builds the generator of generator stream oid from the
// newest catalog: the runtime asks for it to materialize the stream's
// atoms while it does not run the generator (portals.GeneratorCatalog).
func (e *Engine) streamGenerator(oid uint32) (portals.Generator, error) {
	t, ok := e.Catalog().TableByOID(oid)
	if !ok || t.Kind != catalog.KindStream || t.Stream == nil || t.Stream.Generator == "" {
		return nil, pgerror.Newf(pgerror.UndefinedObject, "generator stream %d does not exist", oid)
	}
	spec, err := generatorSpec(t)
	if err != nil {
		return nil, err
	}
	return spec.Gen, nil
}

// generatorSpec is a generator stream's runtime description, from its
// catalog entry.
type namedGenerator struct {
	portals.GeneratorSpec
	Columns []string
}

func generatorSpec(t *catalog.Table) (namedGenerator, error) {
	args := t.Stream.GeneratorArgs
	intArg := func(name string, def int64) (int64, error) {
		v, ok := args[name]
		if !ok {
			return def, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, pgerror.Newf(pgerror.InvalidParameterValue, "generator argument %s must be an integer, not %q", name, v)
		}
		return n, nil
	}
	spec := namedGenerator{GeneratorSpec: portals.GeneratorSpec{OID: t.OID, Name: t.Name, Count: -1}}
	atomRows, err := intArg("atom_rows", 1000)
	if err != nil {
		return spec, err
	}
	if atomRows <= 0 || atomRows > 1<<20 {
		return spec, pgerror.New(pgerror.InvalidParameterValue, "atom_rows must be between 1 and 1048576")
	}
	spec.AtomRows = int(atomRows)
	if v, ok := args["events_per_second"]; ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return spec, pgerror.Newf(pgerror.InvalidParameterValue, "events_per_second must be a non-negative number, not %q", v)
		}
		spec.EventsPerSecond = f
	}
	if _, err := intArg("seed", 0); err != nil {
		return spec, err
	}
	known := map[string]bool{"atom_rows": true, "events_per_second": true, "seed": true}
	switch t.Stream.Generator {
	case "series":
		start, err := intArg("start", 1)
		if err != nil {
			return spec, err
		}
		step, err := intArg("step", 1)
		if err != nil {
			return spec, err
		}
		if step == 0 {
			return spec, pgerror.New(pgerror.InvalidParameterValue, "step must not be zero")
		}
		if v, ok := args["stop"]; ok {
			stop, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return spec, pgerror.Newf(pgerror.InvalidParameterValue, "generator argument stop must be an integer, not %q", v)
			}
			spec.Count = (stop-start)/step + 1
			if spec.Count < 0 {
				spec.Count = 0
			}
		}
		if v, ok := args["count"]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return spec, pgerror.Newf(pgerror.InvalidParameterValue, "count must be a non-negative integer")
			}
			spec.Count = n
		}
		for _, k := range []string{"start", "step", "stop", "count"} {
			known[k] = true
		}
		spec.Gen = portals.Series{Start: start, Step: step}
		spec.Columns = []string{"n"}
	case "nexmark":
		cfg, err := portals.ParseNexmarkArgs(args)
		if err != nil {
			return spec, err
		}
		gen, err := portals.NewNexmark(cfg)
		if err != nil {
			return spec, err
		}
		for _, k := range portals.NexmarkArgs {
			known[k] = true
		}
		spec.Gen, spec.Columns, spec.Count = gen, portals.NexmarkColumns(cfg.Kind), gen.Count()
	default:
		return spec, pgerror.Newf(pgerror.UndefinedObject, "generator %q does not exist", t.Stream.Generator).
			WithHint("The built-in generators are series and nexmark.")
	}
	for k := range args {
		if !known[k] {
			return spec, pgerror.Newf(pgerror.InvalidParameterValue, "generator %s has no argument %q", t.Stream.Generator, k)
		}
	}
	return spec, nil
}

// createWorkflow runs CREATE WORKFLOW: it commits the definition, waits
// until no transaction from before it can still write without the
// changelogs it turned on, starts the workflow and waits for its initial
// result.
func (s *Session) createWorkflow(ctx context.Context, st *parser.CreateWorkflowStmt, tag string) (pgwire.Result, error) {
	if s.txn != nil {
		return nil, s.fail(pgerror.Newf(pgerror.ActiveSQLTransaction, "%s cannot run inside a transaction block", tag))
	}
	sctx, cancel := s.statementContext(ctx)
	defer cancel()
	t, _ := s.txnFor()
	d := &ddl{s: s, t: t, view: s.catalogView(t)}
	tbl, skip, err := d.defineWorkflow(st)
	if err != nil || skip {
		if err := s.endStatement(t, true, err); err != nil {
			return nil, err
		}
		return &tagResult{tag: tag}, nil
	}
	if err := s.endStatement(t, true, nil); err != nil {
		return nil, err
	}
	committed := s.lastCommit
	// Transactions that began before the changelogs were on may still
	// write a source table without logging; the initial snapshot must come
	// after them.
	for s.e.db.OldestSnapshot() < committed {
		select {
		case <-sctx.Done():
			return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement: waiting for older transactions to end")
		case <-time.After(5 * time.Millisecond):
		}
	}
	installed, _ := s.e.Catalog().TableByOID(tbl.OID)
	w, err := s.e.rt.Start(s.e.workflowSpec(installed))
	if err != nil {
		return nil, err
	}
	if _, err := s.e.rt.WaitCaughtUp(sctx, []uint32{w.OID()}, committed); err != nil {
		return nil, err
	}
	if st := w.Status(); st.FailedAtom != 0 {
		return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q was created but stopped: %s", tbl.Name, st.Err).
			WithHint("Fix the cause and run ALTER WORKFLOW ... RESUME, or drop it.")
	}
	return &tagResult{tag: tag}, nil
}

// defineWorkflow validates a workflow and writes its descriptor.
func (d *ddl) defineWorkflow(st *parser.CreateWorkflowStmt) (*catalog.Table, bool, error) {
	sc, err := d.view.creationSchema(st.Name.Schema)
	if err != nil {
		return nil, false, err
	}
	if d.relationExists(sc.OID, st.Name.Name) {
		if st.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateTable, fmt.Sprintf("relation %q already exists, skipping", st.Name.Name))
			return nil, true, nil
		}
		return nil, false, pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", st.Name.Name)
	}
	if st.OrReplace {
		return nil, false, pgerror.Unsupportedf("CREATE OR REPLACE WORKFLOW is not supported; drop and create it")
	}
	bound, err := binder.New(d.view, nil).Bind(st.Query)
	if err != nil {
		return nil, false, err
	}
	if bound.Kind != "SELECT" {
		return nil, false, pgerror.New(pgerror.WrongObjectType, "a workflow is defined by a SELECT")
	}
	df, err := planner.BuildDataflow(bound.Plan, st.EmitOnWindowClose)
	if err != nil {
		return nil, false, err
	}
	oid, err := d.newOID()
	if err != nil {
		return nil, false, err
	}
	tbl := &catalog.Table{OID: oid, Schema: sc.OID, Name: st.Name.Name, Kind: catalog.KindWorkflow, Owner: catalog.PostgresRoleOID,
		ViewSQL: st.QueryText, Workflow: &catalog.WorkflowDesc{EmitOnWindowClose: st.EmitOnWindowClose, MaterializedView: st.MaterializedView,
			SearchPath: splitSearchPath(d.s.get("search_path")), AppendOnly: df.AppendOnly}}
	seen := map[string]bool{}
	for _, c := range bound.Columns {
		if seen[c.Name] {
			return nil, false, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", c.Name).
				WithHint("Give the columns of the workflow's query distinct names.")
		}
		seen[c.Name] = true
		tbl.NextColumnID++
		tbl.Columns = append(tbl.Columns, catalog.Column{ID: tbl.NextColumnID, Name: c.Name, Type: c.Type})
	}
	tbl.DependsOn = d.referencedRelations(st.Query, map[string]bool{})
	for _, p := range portalsCalled(bound.Plan) {
		tbl.CallsPortals = append(tbl.CallsPortals, p.OID)
	}
	if st.Into != nil {
		into, _, err := d.view.lookupTable(st.Into.Schema, st.Into.Name)
		if err != nil {
			return nil, false, err
		}
		if into.Kind != catalog.KindStream {
			return nil, false, pgerror.Newf(pgerror.WrongObjectType, "INTO names %q, which is not a stream", into.Name)
		}
		for _, dep := range tbl.DependsOn {
			if dep == into.OID {
				return nil, false, pgerror.Newf(pgerror.InvalidObjectDefinition, "workflow %q would read the stream %q it writes into", tbl.Name, into.Name)
			}
		}
		if len(into.Columns) != len(tbl.Columns) {
			return nil, false, pgerror.Newf(pgerror.DatatypeMismatch, "stream %q has %d columns; the workflow produces %d", into.Name, len(into.Columns), len(tbl.Columns))
		}
		for i, c := range into.Columns {
			if !c.Type.Same(tbl.Columns[i].Type) {
				return nil, false, pgerror.Newf(pgerror.DatatypeMismatch, "column %d of stream %q is of type %s; the workflow produces %s", i+1, into.Name, c.Type, tbl.Columns[i].Type)
			}
		}
		tbl.Workflow.Into = into.OID
		tbl.DependsOn = append(tbl.DependsOn, into.OID)
	}
	// Tables the workflow reads start logging their changes.
	for _, dep := range tbl.DependsOn {
		t, ok := d.snap().TableByOID(dep)
		if !ok || t.Kind != catalog.KindTable || t.Changelog {
			continue
		}
		nt := t.Clone()
		nt.Changelog = true
		if err := d.put(nt); err != nil {
			return nil, false, err
		}
	}
	if err := d.put(tbl); err != nil {
		return nil, false, err
	}
	return tbl, false, nil
}

func (d *ddl) dropStreamsOrWorkflows(st *parser.DropObjects) error {
	want := catalog.KindStream
	if st.Kind == "workflow" {
		want = catalog.KindWorkflow
	}
	for _, n := range st.Names {
		t, _, err := d.view.lookupTable(n.Schema, n.Name)
		if err != nil {
			if st.IfExists && (pgerror.CodeOf(err) == pgerror.UndefinedTable || pgerror.CodeOf(err) == pgerror.InvalidSchemaName) {
				d.s.notice(fmt.Sprintf("%s %q does not exist, skipping", st.Kind, n.Name))
				continue
			}
			return pgerror.Newf(pgerror.UndefinedTable, "%s %q does not exist", st.Kind, n.Name)
		}
		if t.Kind != want {
			return pgerror.Newf(pgerror.WrongObjectType, "%q is not a %s", n.Name, st.Kind)
		}
		if err := fedStreamDropError(t); err != nil && t.Stream.Generator == "" {
			return err
		}
		if err := d.dropRelation(t, st.Cascade); err != nil {
			return err
		}
	}
	return nil
}

// dropObjectData removes what a dropped stream or workflow kept; it runs
// once the drop committed.
func (e *Engine) dropObjectData(t *catalog.Table) {
	switch t.Kind {
	case catalog.KindWorkflow:
		e.rt.Stop(t.OID)
		if err := e.db.DropLog(uint64(t.OID)); err != nil {
			e.log.Warn("dropping a workflow's output log", "workflow", t.Name, "err", err)
		}
	case catalog.KindStream:
		e.rt.StopGenerator(t.OID)
		e.rt.StopPump(t.OID)
		if t.Stream != nil && t.Stream.Split != nil {
			e.rt.StopPump(t.Stream.Split.ID)
		}
		if err := e.db.DropLog(uint64(t.OID)); err != nil {
			e.log.Warn("dropping a stream's log", "stream", t.Name, "err", err)
		}
	case catalog.KindTable:
		e.rt.StopServer(t.OID)
		if t.Changelog {
			if err := e.db.DropLog(uint64(t.OID)); err != nil {
				e.log.Warn("dropping a table's changelog", "table", t.Name, "err", err)
			}
		}
	}
}

func (s *Session) alterWorkflow(st *parser.AlterWorkflowStmt) (pgwire.Result, error) {
	t, _, err := s.catalogView(s.txn).lookupTable(st.Name.Schema, st.Name.Name)
	if err != nil {
		return nil, s.fail(err)
	}
	if t.Kind != catalog.KindWorkflow {
		return nil, s.fail(pgerror.Newf(pgerror.WrongObjectType, "%q is not a workflow", st.Name.Name))
	}
	w, ok := s.e.rt.Workflow(t.OID)
	if !ok {
		return nil, s.fail(pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q is not running", t.Name))
	}
	if st.Action == "resume" {
		err = w.Resume()
	} else {
		err = w.SkipAtom()
	}
	if err != nil {
		return nil, s.fail(err)
	}
	return &tagResult{tag: "ALTER WORKFLOW"}, nil
}

// flush waits until every workflow has absorbed everything committed so
// far (RisingWave's FLUSH).
func (s *Session) flush(ctx context.Context) (pgwire.Result, error) {
	sctx, cancel := s.statementContext(ctx)
	defer cancel()
	snap := s.e.Catalog()
	var roots []uint32
	for _, t := range snap.Tables() {
		if t.Kind == catalog.KindWorkflow || t.Kind == catalog.KindStream {
			roots = append(roots, t.OID)
		}
	}
	oids := feeders(snap, roots)
	stale, err := s.e.rt.WaitCaughtUp(sctx, oids, s.e.db.VisibleSeq())
	if err != nil {
		return nil, s.fail(err)
	}
	s.warnStopped(stale)
	return &tagResult{tag: "FLUSH"}, nil
}

// workflowsRead returns what feeds the relations n reads, upstream first
// (see feeders); read-your-writes waits for each in that order.
func (s *Session) workflowsRead(n logical.Node) []uint32 {
	return s.workflowsReadIn(s.e.Catalog(), n)
}

// workflowsReadIn is workflowsRead in the catalog snap.
func (s *Session) workflowsReadIn(snap *catalog.Snapshot, n logical.Node) []uint32 {
	var roots []uint32
	logical.Walk(n, func(n logical.Node) bool {
		if sc, ok := n.(*logical.Scan); ok && (sc.Table.Kind == logical.WorkflowRelation || sc.Table.Kind == logical.StreamRelation) {
			roots = append(roots, sc.Table.OID)
		}
		if fs, ok := n.(*logical.FunctionScan); ok {
			if pf, ok := fs.Impl.(*portalFunction); ok {
				portalWorkflows(snap, pf.p, func(oid uint32) { roots = append(roots, oid) }, map[uint32]bool{})
			}
		}
		return true
	})
	return feeders(snap, roots)
}

// feeders returns what fills the relations roots, upstream first: the
// workflows among them and the workflows they read, the workflows writing
// INTO streams they read, and the sequencers and splitters filling those
// streams (by the ids their pumps run under: the sequencer's stream, the
// splitter's first split), and so on up. Post-order makes a feeder come
// after everything that feeds it, whatever the order of creation.
func feeders(snap *catalog.Snapshot, roots []uint32) []uint32 {
	seen := map[uint32]bool{}
	pumps := map[uint32]bool{}
	var out []uint32
	var add func(oid uint32)
	add = func(oid uint32) {
		if seen[oid] {
			return
		}
		seen[oid] = true
		t, ok := snap.TableByOID(oid)
		if !ok {
			return
		}
		switch t.Kind {
		case catalog.KindStream:
			for _, w := range snap.Tables() {
				if w.Kind == catalog.KindWorkflow && w.Workflow != nil && w.Workflow.Into == oid {
					add(w.OID)
				}
			}
			if t.Stream == nil {
				return
			}
			if len(t.Stream.Sequencer) > 0 {
				for _, src := range t.Stream.Sequencer {
					add(src)
				}
				out = append(out, oid)
			}
			if sp := t.Stream.Split; sp != nil && !pumps[sp.ID] {
				pumps[sp.ID] = true
				add(sp.Source)
				out = append(out, sp.ID)
			}
		case catalog.KindWorkflow:
			for _, dep := range t.DependsOn {
				add(dep)
			}
			out = append(out, oid)
		}
	}
	for _, oid := range roots {
		add(oid)
	}
	return out
}

// awaitFeeders is awaitWorkflows for the feeders oids of what a statement
// reads.
func (s *Session) awaitFeeders(ctx context.Context, oids []uint32) error {
	if len(oids) == 0 {
		return nil
	}
	sctx, cancel := s.statementContext(ctx)
	defer cancel()
	var stale []*portals.Workflow
	var err error
	if s.txn != nil || s.lastCommit == 0 || s.get("portals.read_consistency") == "latest" {
		stale, err = s.e.rt.Stopped(sctx, oids)
	} else {
		stale, err = s.e.rt.WaitCaughtUp(sctx, oids, s.lastCommit)
	}
	if err != nil {
		return err
	}
	s.warnStopped(stale)
	return nil
}

// warnStopped warns that workflows are stopped on an error, so their
// results lag.
func (s *Session) warnStopped(stale []*portals.Workflow) {
	for _, w := range stale {
		st := w.Status()
		s.warn(pgerror.ObjectNotInPrerequisiteState, fmt.Sprintf("workflow %q is stopped at atom %d (%s); its result is as of atom %d",
			w.Name(), st.FailedAtom, st.Err, st.Position))
	}
}

// subscribeResult streams a workflow's changes: an optional snapshot, then
// every output atom as it commits, as rows (atom, diff, columns...), with
// progress rows (atom, NULL, NULLs) when asked.
type subscribeResult struct {
	s        *Session
	w        *portals.Workflow
	ts       []types.T
	schema   *arrow.Schema
	codec    *rowcodec.ChangeCodec
	snapshot bool
	progress bool
	next     storage.Seq // the next output atom to read
	pending  []*batch.Batch
	rows     int64
	started  bool
	// appendOnly says the workflow's result is its output log.
	appendOnly bool
}

func (r *subscribeResult) Streaming() bool { return true }
func (r *subscribeResult) Tag() string     { return "SUBSCRIBE " + strconv.FormatInt(r.rows, 10) }
func (r *subscribeResult) Close() error    { return nil }

func optBool(opts map[string]string, name string, def bool) (bool, error) {
	v, ok := opts[name]
	if !ok {
		return def, nil
	}
	d, err := types.ParseBool(v)
	if err != nil {
		return false, pgerror.Newf(pgerror.InvalidParameterValue, "option %s must be a boolean", name)
	}
	return d.(bool), nil
}

func (s *Session) subscribe(ctx context.Context, st *parser.SubscribeStmt) (pgwire.Result, error) {
	t, _, err := s.catalogView(s.txn).lookupTable(st.Name.Schema, st.Name.Name)
	if err != nil {
		return nil, s.fail(err)
	}
	if t.Kind != catalog.KindWorkflow {
		return nil, s.fail(pgerror.Newf(pgerror.WrongObjectType, "SUBSCRIBE needs a workflow; %q is a %s", t.Name, t.Kind))
	}
	w, ok := s.e.rt.Workflow(t.OID)
	if !ok {
		return nil, s.fail(pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q is not running", t.Name))
	}
	r := &subscribeResult{s: s, w: w}
	for _, c := range t.Columns {
		r.ts = append(r.ts, c.Type)
	}
	if r.codec, err = rowcodec.NewChangeCodec(r.ts); err != nil {
		return nil, err
	}
	r.appendOnly = t.Workflow != nil && t.Workflow.AppendOnly
	for k := range st.Options {
		switch k {
		case "snapshot", "progress", "from_atom":
		default:
			return nil, s.fail(pgerror.Newf(pgerror.InvalidParameterValue, "unrecognized SUBSCRIBE option %q", k))
		}
	}
	if r.snapshot, err = optBool(st.Options, "snapshot", true); err != nil {
		return nil, s.fail(err)
	}
	if r.progress, err = optBool(st.Options, "progress", false); err != nil {
		return nil, s.fail(err)
	}
	if v, ok := st.Options["from_atom"]; ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, s.fail(pgerror.Newf(pgerror.InvalidParameterValue, "FROM_ATOM must be an atom number"))
		}
		if _, set := st.Options["snapshot"]; !set {
			r.snapshot = false
		}
		if r.snapshot {
			return nil, s.fail(pgerror.New(pgerror.InvalidParameterValue, "FROM_ATOM and SNAPSHOT = true exclude each other"))
		}
		r.next = storage.Seq(n)
		r.started = true
	}
	names := []string{"atom", "diff"}
	all := []types.T{types.Int8Type, types.Int8Type}
	for _, c := range t.Columns {
		names = append(names, c.Name)
		all = append(all, c.Type)
	}
	r.schema = batch.Schema(names, all)
	// A workflow writes its output log only once something reads it.
	since, err := w.EnsureLog()
	if err != nil {
		return nil, s.fail(err)
	}
	if r.started && r.next <= since {
		return nil, s.fail(pgerror.Newf(pgerror.ObjectNotInPrerequisiteState,
			"workflow %q keeps its output atoms from atom %d on; FROM_ATOM = %d is before them", t.Name, since+1, r.next).
			WithHint("A workflow writes its output log from the first SUBSCRIBE on; subscribe with a snapshot first."))
	}
	return r, nil
}

// subscribeColumns describes SUBSCRIBE's result for Prepare.
func subscribeColumns(t *catalog.Table) []pgwire.Column {
	cols := []pgwire.Column{{Name: "atom", Type: types.Int8Type}, {Name: "diff", Type: types.Int8Type}}
	for _, c := range t.Columns {
		cols = append(cols, pgwire.Column{Name: c.Name, Type: c.Type})
	}
	return cols
}

func (r *subscribeResult) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if len(r.pending) > 0 {
			b := r.pending[0]
			r.pending = r.pending[1:]
			r.rows += int64(b.Len)
			return b.ToRecord(r.schema), nil
		}
		if !r.started {
			r.started = true
			if err := r.readSnapshot(); err != nil {
				return nil, err
			}
			continue
		}
		wait := r.s.e.rt.CommitSignal()
		if st := r.w.Status(); st.FailedAtom != 0 {
			return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q stopped at atom %d: %s", r.w.Name(), st.FailedAtom, st.Err)
		}
		got, err := r.readAtoms()
		if err != nil {
			return nil, err
		}
		if got {
			continue
		}
		select {
		case <-ctx.Done():
			return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
		case <-wait:
		case <-time.After(time.Second):
		}
	}
}

// readSnapshot reads the workflow's result at the current snapshot as
// inserts at that atom.
func (r *subscribeResult) readSnapshot() error {
	txn := r.s.e.db.Begin()
	defer txn.Rollback()
	at := txn.ReadSeq()
	r.next = at + 1
	if !r.snapshot {
		return nil
	}
	result, err := exec.ReadResult(txn, uint64(r.w.OID()), r.ts, r.appendOnly)
	if err != nil {
		return err
	}
	r.add(at, result)
	if r.progress {
		r.addProgress(at)
	}
	return nil
}

// readAtoms reads the output atoms committed since the last read.
func (r *subscribeResult) readAtoms() (bool, error) {
	txn := r.s.e.db.Begin()
	defer txn.Rollback()
	upto := txn.ReadSeq()
	if upto < r.next {
		return false, nil
	}
	it, err := txn.ScanLog(uint64(r.w.OID()), r.next, upto)
	if err != nil {
		return false, err
	}
	defer it.Close()
	got := false
	var cur storage.Seq
	var builders []array.Builder
	var dec *rowcodec.Decoder
	var diffs []int8
	flush := func() {
		if cur == 0 {
			return
		}
		cols := make([]arrow.Array, len(builders))
		for i, b := range builders {
			cols[i] = b.NewArray()
		}
		r.add(cur, &batch.ChangeBatch{Batch: &batch.Batch{Cols: cols, Len: len(diffs)}, Diff: diffs})
		if r.progress {
			r.addProgress(cur)
		}
		got = true
	}
	for ; it.Valid(); it.Next() {
		e := it.Entry()
		if e.Seq != cur {
			flush()
			cur = e.Seq
			builders = make([]array.Builder, len(r.ts))
			for i, t := range r.ts {
				builders[i] = array.NewBuilder(types.Allocator, t.ArrowType())
			}
			if dec, err = r.codec.Decoder(builders); err != nil {
				return false, err
			}
			diffs = nil
		}
		if diffs, err = rowcodec.DecodeChunk(dec, e.Value, diffs); err != nil {
			return false, err
		}
	}
	if err := it.Error(); err != nil {
		return false, err
	}
	flush()
	if r.progress && upto >= r.next && cur < upto {
		// Everything up to upto is delivered, also past the last output
		// atom: without this row a reader would not learn it until the
		// next commit.
		r.addProgress(upto)
		got = true
	}
	r.next = upto + 1
	return got, nil
}

func (r *subscribeResult) add(atom storage.Seq, c *batch.ChangeBatch) {
	if c.Len == 0 {
		return
	}
	atoms := make([]int64, c.Len)
	diffs := make([]int64, c.Len)
	for i := range atoms {
		atoms[i] = int64(atom)
		diffs[i] = int64(c.Diff[i])
	}
	cols := append([]arrow.Array{batch.Int64s(atoms, nil, 0), batch.Int64s(diffs, nil, 0)}, c.Cols...)
	r.pending = append(r.pending, &batch.Batch{Cols: cols, Len: c.Len})
}

func (r *subscribeResult) addProgress(atom storage.Seq) {
	row := make([]types.Datum, 2+len(r.ts))
	row[0] = int64(atom)
	all := append([]types.T{types.Int8Type, types.Int8Type}, r.ts...)
	r.pending = append(r.pending, batch.FromRows(all, [][]types.Datum{row}))
}

var _ = io.EOF

// createMaterializedView runs PostgreSQL's CREATE MATERIALIZED VIEW as a
// workflow, for RisingWave and Materialize users.
func (s *Session) createMaterializedView(ctx context.Context, cs *pg.CreateTableAsStmt) (pgwire.Result, error) {
	if cs.Into.SkipData {
		return nil, s.fail(pgerror.Unsupportedf("WITH NO DATA is not supported: a materialized view is maintained from its creation"))
	}
	text, err := deparseStmt(cs.Query)
	if err != nil {
		return nil, s.fail(err)
	}
	st := &parser.CreateWorkflowStmt{
		Name:             parser.QualifiedName{Schema: cs.Into.Rel.Schemaname, Name: cs.Into.Rel.Relname},
		IfNotExists:      cs.IfNotExists,
		Query:            cs.Query,
		QueryText:        text,
		MaterializedView: true,
	}
	if len(cs.Into.ColNames) > 0 {
		return nil, s.fail(pgerror.Unsupportedf("column names for a materialized view are not supported; alias the query's columns"))
	}
	return s.createWorkflow(ctx, st, "CREATE MATERIALIZED VIEW")
}

// explainWorkflow shows a workflow's dataflow: its sources, and its
// operators with their inputs and whether they keep state; for a running
// workflow also its position and state size.
func (s *Session) explainWorkflow(st *parser.ExplainWorkflowStmt) (pgwire.Result, error) {
	var lines []string
	if st.Create != nil {
		bound, err := binder.New(s.catalogView(s.txn), nil).Bind(st.Create.Query)
		if err != nil {
			return nil, s.fail(err)
		}
		df, err := planner.BuildDataflow(bound.Plan, st.Create.EmitOnWindowClose)
		if err != nil {
			return nil, s.fail(err)
		}
		lines = append(df.Explain(), resultLayout(df.AppendOnly))
	} else {
		t, _, err := s.catalogView(s.txn).lookupTable(st.Name.Schema, st.Name.Name)
		if err != nil {
			return nil, s.fail(err)
		}
		if t.Kind != catalog.KindWorkflow {
			return nil, s.fail(pgerror.Newf(pgerror.WrongObjectType, "%q is not a workflow", t.Name))
		}
		w, ok := s.e.rt.Workflow(t.OID)
		if !ok {
			return nil, s.fail(pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q is not running", t.Name))
		}
		lines = explainWorkflowTasks(w.Dataflow())
		stt := w.Status()
		lines = append(lines, resultLayout(t.Workflow != nil && t.Workflow.AppendOnly))
		lines = append(lines, fmt.Sprintf("position: atom %d, frontier: atom %d, state entries: %d", stt.Position, stt.Frontier, stt.StateSize))
		if stt.FailedAtom != 0 {
			lines = append(lines, fmt.Sprintf("stopped at atom %d: %s", stt.FailedAtom, stt.Err))
		}
	}
	rows := make([][]types.Datum, len(lines))
	for i, l := range lines {
		rows[i] = []types.Datum{l}
	}
	cols := []pgwire.Column{{Name: "QUERY PLAN", Type: types.TextType}}
	return newBatchResult(cols, []*batch.Batch{batch.FromRows([]types.T{types.TextType}, rows)}, "EXPLAIN"), nil
}

// resultLayout is EXPLAIN WORKFLOW's line on how the result is stored.
func resultLayout(appendOnly bool) string {
	if appendOnly {
		return "result: append-only, kept as the output log"
	}
	return "result: one key per distinct row, with its count"
}
