package sql

import (
	"context"
	"strconv"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/planner"
	"portalsdb/planner/logical"
	"portalsdb/sql/binder"
	"portalsdb/storage"
	"portalsdb/types"
)

var errAborted = pgerror.New(pgerror.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")

// Execute implements pgwire.Session.
func (s *Session) Execute(ctx context.Context, p pgwire.Prepared, params []types.Datum, opts pgwire.ExecOptions) (res pgwire.Result, err error) {
	defer s.recoverPanic(&err)
	pr := p.(*prepared)
	s.running = pr.st.Text
	s.activity.statement(&pr.st.Text)
	if s.txn != nil && s.txn.failed && !allowedWhenFailed(pr) {
		return nil, errAborted
	}
	if pr.st.Custom != nil {
		return s.execCustom(ctx, pr.st.Custom)
	}
	if pr.kind == kindQuery {
		return s.execQuery(ctx, pr, params)
	}
	return s.execUtility(ctx, pr, params, opts)
}

// allowedWhenFailed lists what a failed transaction block still accepts.
func allowedWhenFailed(p *prepared) bool {
	if p.st.AST == nil {
		return false
	}
	ts := p.st.AST.GetTransactionStmt()
	if ts == nil {
		return false
	}
	switch ts.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		return true
	}
	return false
}

// idSource hands the planner column ids above any the binder used.
func idSource() planner.IDSource {
	next := expr.ColumnID(1 << 28)
	return func() expr.ColumnID {
		next++
		return next
	}
}

// startPlan plans a bound statement and opens it in transaction t.
func (s *Session) startPlan(ctx context.Context, t *txnState, bound *binder.Bound, params []types.Datum, stats bool) (*planner.Plan, *exec.Context, context.CancelFunc, error) {
	plan, err := planner.Build(bound.Plan, idSource())
	if err != nil {
		return nil, nil, nil, err
	}
	ectx, cancel, err := s.openPlan(ctx, t, plan, bound, params, stats)
	if err != nil {
		return nil, nil, nil, err
	}
	return plan, ectx, cancel, nil
}

// openPlan opens a plan of bound in transaction t for one run.
func (s *Session) openPlan(ctx context.Context, t *txnState, plan *planner.Plan, bound *binder.Bound, params []types.Datum, stats bool) (*exec.Context, context.CancelFunc, error) {
	if h := s.e.knobs.BeforeRun; h != nil {
		h(s.running)
	}
	var sctx context.Context
	var cancel context.CancelFunc
	if s.statementTimeout() > 0 {
		sctx, cancel = s.statementContext(ctx)
	} else {
		// The context pgwire gives the statement ends with it; one of
		// its own would only cost its making.
		sctx, cancel = ctx, func() {}
	}
	ev := s.evalCtx(t, coerceParams(params, bound.Params))
	ev.Cancel = sctx
	ev.Subplans = plan.Subplans
	ectx := exec.NewContext(sctx, ev, t.txn)
	ectx.ResultSnapshots = t.resultSnaps
	ectx.Generators = s.e.rt
	if stats {
		ectx.EnableStats()
	}
	plan.Subplans.Bind(ectx)
	if err := plan.Root.Open(ectx); err != nil {
		plan.Root.Close()
		cancel()
		return nil, nil, err
	}
	return ectx, cancel, nil
}

// planFor returns a plan of a prepared query's bound statement, and the
// function that ends its run (ok says whether the run went well). Operators
// may be opened again after they close, so a prepared statement keeps its
// plan and runs it again while its binding stands, saving the planning of
// each execution. A plan still running (an open portal of the same
// statement) is not shared: the run gets a plan of its own. A run that
// fails drops the kept plan, so that nothing a failure left behind is
// reused.
func (pr *prepared) planFor(bound *binder.Bound) (*planner.Plan, func(ok bool), error) {
	if pr.plan != nil && pr.planBound == bound && !pr.planBusy {
		plan := pr.plan
		pr.planBusy = true
		return plan, func(ok bool) {
			if pr.plan == plan {
				pr.planBusy = false
				if !ok {
					pr.plan = nil
				}
			}
		}, nil
	}
	plan, err := planner.Build(bound.Plan, idSource())
	if err != nil {
		return nil, nil, err
	}
	if pr.planBusy && pr.planBound == bound {
		return plan, func(bool) {}, nil
	}
	pr.plan, pr.planBound, pr.planBusy = plan, bound, true
	return plan, func(ok bool) {
		if pr.plan == plan {
			pr.planBusy = false
			if !ok {
				pr.plan = nil
			}
		}
	}, nil
}

// coerceParams makes sure there is a value for each parameter (pgwire
// decodes them with their inferred types already).
func coerceParams(params []types.Datum, ts []types.T) []types.Datum {
	if len(params) == len(ts) {
		return params
	}
	out := make([]types.Datum, len(ts))
	copy(out, params)
	return out
}

// feedersOf returns what must absorb the session's commits before the
// statement reads (Session.workflowsRead), computed once per binding and
// catalog: walking the plan for it cost a point query as much as its
// lookup.
func (pr *prepared) feedersOf(s *Session) []uint32 {
	snap := s.e.Catalog()
	if pr.feedersBound != pr.bound || pr.feedersSnap != snap {
		pr.feeders = s.workflowsReadIn(snap, pr.bound.Plan)
		pr.feedersBound, pr.feedersSnap = pr.bound, snap
	}
	return pr.feeders
}

func (s *Session) execQuery(ctx context.Context, pr *prepared, params []types.Datum) (pgwire.Result, error) {
	if pr.snap != s.catalogSnap(s.txn) || pr.searchPath != s.get("search_path") {
		if err := s.bind(pr); err != nil {
			return nil, s.fail(err)
		}
	}
	var t *txnState
	var implicit bool
	if pr.st.AsOf != nil {
		var err error
		if t, err = s.asOfTxn(ctx, pr, params); err != nil {
			return nil, s.fail(err)
		}
		implicit = true
	} else {
		if err := s.awaitFeeders(ctx, pr.feedersOf(s)); err != nil {
			return nil, s.fail(err)
		}
		t, implicit = s.txnFor()
	}
	defer rollbackOnPanic(t, implicit)
	bound := pr.bound
	if len(params) != len(pr.params) {
		return nil, s.endStatement(t, implicit, pgerror.Newf(pgerror.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires %d", len(params), len(pr.params)))
	}
	plan, release, err := pr.planFor(bound)
	if err != nil {
		return nil, s.endStatement(t, implicit, err)
	}
	ectx, cancel, err := s.openPlan(ctx, t, plan, bound, params, false)
	if err != nil {
		release(false)
		return nil, s.endStatement(t, implicit, err)
	}
	if bound.Kind == "SELECT" {
		return &queryResult{s: s, t: t, implicit: implicit, op: plan.Root, ectx: ectx, cancel: cancel, schema: pr.resultSchema(),
			release: release}, nil
	}
	// DML runs to completion now, so that its count and durability come
	// before CommandComplete.
	defer cancel()
	var out []*batch.Batch
	for {
		b, err := plan.Root.Next(ectx)
		if err != nil {
			plan.Root.Close()
			release(false)
			return nil, s.endStatement(t, implicit, err)
		}
		if b == nil {
			break
		}
		out = append(out, b)
	}
	plan.Root.Close()
	release(true)
	n := plan.Root.(exec.DML).Count()
	switch bound.Kind {
	case "INSERT":
		s.countRows(t, bound, n)
	case "DELETE":
		s.countRows(t, bound, -n)
	}
	if err := s.endStatement(t, implicit, nil); err != nil {
		return nil, err
	}
	tag := bound.Kind + " " + strconv.FormatInt(n, 10)
	if bound.Kind == "INSERT" {
		tag = "INSERT 0 " + strconv.FormatInt(n, 10)
	}
	return newBatchResult(pr.cols, out, tag), nil
}

// countRows records rows added to a table, for the planner's estimates.
func (s *Session) countRows(t *txnState, bound *binder.Bound, n int64) {
	var oid uint32
	switch x := bound.Plan.(type) {
	case *logical.Insert:
		oid = x.Table.OID
	case *logical.Delete:
		oid = x.Table.OID
	default:
		return
	}
	if t.rows == nil {
		t.rows = map[uint32]int64{}
	}
	t.rows[oid] += n
}

func (s *Session) execUtility(ctx context.Context, pr *prepared, params []types.Datum, opts pgwire.ExecOptions) (pgwire.Result, error) {
	n := pr.st.AST
	switch {
	case n.GetTransactionStmt() != nil:
		return s.execTransaction(n.GetTransactionStmt())
	case n.GetVariableSetStmt() != nil:
		return s.execSet(n.GetVariableSetStmt())
	case n.GetVariableShowStmt() != nil:
		return s.execShow(pr, n.GetVariableShowStmt())
	case n.GetExplainStmt() != nil:
		return s.execExplain(ctx, pr, n.GetExplainStmt(), params)
	case n.GetCopyStmt() != nil:
		return s.execCopy(ctx, pr, n.GetCopyStmt(), opts)
	case n.GetDiscardStmt() != nil:
		if n.GetDiscardStmt().Target == pg.DiscardMode_DISCARD_SEQUENCES {
			s.sequences.discard()
			return &tagResult{tag: "DISCARD SEQUENCES"}, nil
		}
		s.closeCursors(true)
		s.sequences.discard()
		return &tagResult{tag: "DISCARD ALL"}, nil
	case n.GetDeclareCursorStmt() != nil:
		return s.declareCursor(ctx, pr, n.GetDeclareCursorStmt(), params)
	case n.GetFetchStmt() != nil:
		return s.fetch(ctx, n.GetFetchStmt())
	case n.GetClosePortalStmt() != nil:
		return s.closeCursor(n.GetClosePortalStmt())
	case n.GetDeallocateStmt() != nil:
		return s.sqlDeallocate(n.GetDeallocateStmt())
	case n.GetPrepareStmt() != nil:
		return s.sqlPrepare(n.GetPrepareStmt(), pr.st.Text)
	case n.GetExecuteStmt() != nil:
		return s.sqlExecute(ctx, n.GetExecuteStmt())
	case n.GetCreateTableAsStmt() != nil && n.GetCreateTableAsStmt().Objtype == pg.ObjectType_OBJECT_MATVIEW:
		return s.createMaterializedView(ctx, n.GetCreateTableAsStmt())
	case n.GetRefreshMatViewStmt() != nil:
		// Workflows are always fresh.
		return &tagResult{tag: "REFRESH MATERIALIZED VIEW"}, nil
	case n.GetCreatedbStmt() != nil:
		return nil, s.fail(pgerror.Unsupportedf("CREATE DATABASE is not supported: a portalsdb server has one database, postgres"))
	}
	// DDL and the rest run in a transaction.
	t, implicit := s.txnFor()
	defer rollbackOnPanic(t, implicit)
	res, err := s.execDDL(ctx, t, n, pr)
	if err != nil {
		return nil, s.endStatement(t, implicit, err)
	}
	if err := s.endStatement(t, implicit, nil); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Session) warn(code pgerror.Code, msg string) {
	if s.notifier != nil {
		s.notifier.Notice(&pgerror.Error{Code: code, Severity: pgerror.SeverityWarning, Message: msg})
	}
}

func (s *Session) notice(msg string) {
	s.noticeCode("00000", msg)
}

// noticeCode sends a notice with a SQLSTATE of its own, as PostgreSQL's
// "relation ... already exists, skipping" carries 42P07.
func (s *Session) noticeCode(code pgerror.Code, msg string) {
	if s.notifier != nil {
		s.notifier.Notice(&pgerror.Error{Code: code, Severity: pgerror.SeverityNotice, Message: msg})
	}
}

func (s *Session) noticeDetail(msg, detail string) {
	if s.notifier != nil {
		s.notifier.Notice(&pgerror.Error{Code: "00000", Severity: pgerror.SeverityNotice, Message: msg, Detail: detail})
	}
}

func (s *Session) execTransaction(ts *pg.TransactionStmt) (pgwire.Result, error) {
	switch ts.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		if s.txn != nil {
			s.warn(pgerror.ActiveSQLTransaction, "there is already a transaction in progress")
			return &tagResult{tag: "BEGIN"}, nil
		}
		for _, o := range ts.Options {
			if d := o.GetDefElem(); d != nil && d.Defname == "transaction_read_only" {
				if c := d.Arg.GetAConst(); c != nil {
					if iv, ok := c.Val.(*pg.A_Const_Ival); ok && iv.Ival.Ival == 1 {
						// Read-only transactions are accepted; they simply
						// write nothing.
					}
				}
			}
		}
		t, _ := s.txnFor()
		s.txn = t
		return &tagResult{tag: "BEGIN"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		if s.txn == nil {
			s.warn(pgerror.NoActiveSQLTransaction, "there is no transaction in progress")
			return &tagResult{tag: "COMMIT"}, nil
		}
		t := s.txn
		s.txn = nil
		s.closeCursors(false)
		if t.failed {
			t.txn.Rollback()
			return &tagResult{tag: "ROLLBACK"}, nil
		}
		if err := s.commit(t); err != nil {
			return nil, err
		}
		return &tagResult{tag: "COMMIT"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		if s.txn == nil {
			s.warn(pgerror.NoActiveSQLTransaction, "there is no transaction in progress")
			return &tagResult{tag: "ROLLBACK"}, nil
		}
		s.txn.txn.Rollback()
		s.txn = nil
		s.closeCursors(false)
		return &tagResult{tag: "ROLLBACK"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		if s.txn == nil {
			return nil, pgerror.New(pgerror.NoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
		}
		s.txn.savepoints = append(s.txn.savepoints, savepoint{name: ts.SavepointName, sp: s.txn.txn.Savepoint(), cat: s.txn.cat})
		return &tagResult{tag: "SAVEPOINT"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		if s.txn == nil {
			return nil, pgerror.New(pgerror.NoActiveSQLTransaction, "RELEASE SAVEPOINT can only be used in transaction blocks")
		}
		i := s.findSavepoint(ts.SavepointName)
		if i < 0 {
			return nil, s.fail(pgerror.Newf(pgerror.InvalidSavepointSpecification, "savepoint %q does not exist", ts.SavepointName))
		}
		s.txn.savepoints = s.txn.savepoints[:i]
		return &tagResult{tag: "RELEASE"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		if s.txn == nil {
			return nil, pgerror.New(pgerror.NoActiveSQLTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
		}
		i := s.findSavepoint(ts.SavepointName)
		if i < 0 {
			return nil, s.fail(pgerror.Newf(pgerror.InvalidSavepointSpecification, "savepoint %q does not exist", ts.SavepointName))
		}
		sp := s.txn.savepoints[i]
		s.txn.txn.RollbackTo(sp.sp)
		s.txn.cat = sp.cat
		s.txn.savepoints = s.txn.savepoints[:i+1]
		s.txn.failed = false
		return &tagResult{tag: "ROLLBACK"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_PREPARE, pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		return nil, s.fail(pgerror.Unsupportedf("prepared transactions are not supported"))
	}
	return nil, s.fail(pgerror.Unsupportedf("transaction statement %v is not supported", ts.Kind))
}

func (s *Session) findSavepoint(name string) int {
	for i := len(s.txn.savepoints) - 1; i >= 0; i-- {
		if s.txn.savepoints[i].name == name {
			return i
		}
	}
	return -1
}

// constText renders a SET argument as PostgreSQL does.
func constText(n *pg.Node) string {
	if c := n.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg.A_Const_Ival:
			return strconv.Itoa(int(v.Ival.Ival))
		case *pg.A_Const_Fval:
			return v.Fval.Fval
		case *pg.A_Const_Sval:
			return v.Sval.Sval
		case *pg.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "on"
			}
			return "off"
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		return constText(tc.Arg)
	}
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

func (s *Session) execSet(st *pg.VariableSetStmt) (pgwire.Result, error) {
	name := strings.ToLower(st.Name)
	switch st.Kind {
	case pg.VariableSetKind_VAR_SET_VALUE:
		var parts []string
		for _, a := range st.Args {
			parts = append(parts, constText(a))
		}
		v := strings.Join(parts, ", ")
		if name == "timezone" && len(st.Args) == 1 {
			if c := st.Args[0].GetAConst(); c != nil {
				if iv, ok := c.Val.(*pg.A_Const_Ival); ok {
					v = "UTC" + map[bool]string{true: "-", false: "+"}[iv.Ival.Ival >= 0] + strconv.Itoa(abs(int(iv.Ival.Ival)))
					if iv.Ival.Ival == 0 {
						v = "UTC"
					}
				}
			}
		}
		if err := s.set(name, v, true); err != nil {
			return nil, s.fail(err)
		}
	case pg.VariableSetKind_VAR_SET_DEFAULT, pg.VariableSetKind_VAR_RESET:
		if st, ok := settings[name]; ok {
			if err := s.set(name, st.def, true); err != nil {
				return nil, s.fail(err)
			}
		} else if !strings.Contains(name, ".") {
			return nil, s.fail(pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", name))
		}
	case pg.VariableSetKind_VAR_RESET_ALL:
		for k, v := range settings {
			if v.check != nil {
				_ = s.set(k, v.def, true)
			}
		}
	case pg.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION ISOLATION LEVEL ... and friends: accepted;
		// every transaction runs under snapshot isolation.
		return &tagResult{tag: "SET"}, nil
	}
	if st.Kind == pg.VariableSetKind_VAR_RESET || st.Kind == pg.VariableSetKind_VAR_RESET_ALL {
		return &tagResult{tag: "RESET"}, nil
	}
	return &tagResult{tag: "SET"}, nil
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func (s *Session) execShow(pr *prepared, st *pg.VariableShowStmt) (pgwire.Result, error) {
	name := strings.ToLower(st.Name)
	switch name {
	case "all":
		var rows [][]types.Datum
		for _, k := range settingNames() {
			rows = append(rows, []types.Datum{displayName(k), s.get(k), settings[k].desc})
		}
		b := batch.FromRows([]types.T{types.TextType, types.TextType, types.TextType}, rows)
		return newBatchResult(pr.cols, []*batch.Batch{b}, "SHOW"), nil
	case "time zone":
		name = "timezone"
	case "transaction isolation level":
		name = "transaction_isolation"
	}
	var v string
	if _, ok := settings[name]; ok {
		v = s.get(name)
	} else if x, ok := s.vars[name]; ok {
		v = x
	} else {
		return nil, s.fail(pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", name))
	}
	b := batch.FromRows([]types.T{types.TextType}, [][]types.Datum{{v}})
	return newBatchResult(pr.cols, []*batch.Batch{b}, "SHOW"), nil
}

// execExplain runs EXPLAIN [ANALYZE].
func (s *Session) execExplain(ctx context.Context, pr *prepared, st *pg.ExplainStmt, params []types.Datum) (pgwire.Result, error) {
	analyze := false
	for _, o := range st.Options {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "analyze") {
			analyze = d.Arg == nil || constText(d.Arg) != "off" && constText(d.Arg) != "false"
		}
	}
	if !isQuery(st.Query) {
		return nil, s.fail(pgerror.Unsupportedf("EXPLAIN of this statement is not supported"))
	}
	t, implicit := s.txnFor()
	defer rollbackOnPanic(t, implicit)
	b := binder.New(s.catalogView(t), pr.declared)
	b.SetEnv(s.evalCtx(t, nil).Env)
	bound, err := b.Bind(st.Query)
	if err != nil {
		return nil, s.endStatement(t, implicit, err)
	}
	var lines []string
	if !analyze {
		plan, err := planner.Build(bound.Plan, idSource())
		if err != nil {
			return nil, s.endStatement(t, implicit, err)
		}
		lines = exec.Explain(plan.Root, nil)
		lines = append(lines, subplanLines(plan, nil)...)
		if err := s.endStatement(t, implicit, nil); err != nil {
			return nil, err
		}
	} else {
		plan, ectx, cancel, err := s.startPlan(ctx, t, bound, params, true)
		if err != nil {
			return nil, s.endStatement(t, implicit, err)
		}
		for {
			b, err := plan.Root.Next(ectx)
			if err != nil {
				plan.Root.Close()
				cancel()
				return nil, s.endStatement(t, implicit, err)
			}
			if b == nil {
				break
			}
		}
		plan.Root.Close()
		cancel()
		lines = exec.Explain(plan.Root, ectx)
		lines = append(lines, subplanLines(plan, ectx)...)
		if err := s.endStatement(t, implicit, nil); err != nil {
			return nil, err
		}
	}
	rows := make([][]types.Datum, len(lines))
	for i, l := range lines {
		rows[i] = []types.Datum{l}
	}
	return newBatchResult(pr.cols, []*batch.Batch{batch.FromRows([]types.T{types.TextType}, rows)}, "EXPLAIN"), nil
}

func subplanLines(plan *planner.Plan, ectx *exec.Context) []string {
	var out []string
	for i, sp := range plan.Subplans.Plans() {
		out = append(out, "SubPlan "+strconv.Itoa(i))
		for _, l := range exec.Explain(sp.Op, ectx) {
			out = append(out, "  "+l)
		}
	}
	return out
}

// asOfTxn opens the read-only snapshot of a statement that reads AS OF
// ATOM n.
func (s *Session) asOfTxn(ctx context.Context, pr *prepared, params []types.Datum) (*txnState, error) {
	if s.txn != nil {
		return nil, pgerror.New(pgerror.ActiveSQLTransaction, "AS OF ATOM cannot be used inside a transaction block").
			WithHint("A transaction block reads at the snapshot it began with.")
	}
	if pr.bound.Kind != "SELECT" {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "AS OF ATOM is only for queries")
	}
	atom := pr.st.AsOf.Atom
	if p := pr.st.AsOf.Param; p > 0 {
		if p > len(params) || params[p-1] == nil {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "AS OF ATOM $%d has no value", p)
		}
		v, ok := params[p-1].(int64)
		if !ok || v < 0 {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "AS OF ATOM needs a non-negative atom number")
		}
		atom = uint64(v)
	}
	// A workflow commits its result for atom n after n: each workflow the
	// query reads is read where it had absorbed n.
	var snaps map[uint64]storage.Seq
	for _, oid := range s.workflowsRead(pr.bound.Plan) {
		w, ok := s.e.rt.Workflow(oid)
		if !ok {
			continue
		}
		sctx, cancel := s.statementContext(ctx)
		seq, err := s.e.rt.ResultAt(sctx, oid, w.Name(), storage.Seq(atom))
		cancel()
		if err != nil {
			return nil, err
		}
		if snaps == nil {
			snaps = map[uint64]storage.Seq{}
		}
		snaps[uint64(oid)] = seq
	}
	txn, err := s.e.db.BeginAt(storage.Seq(atom))
	if err != nil {
		return nil, err
	}
	return &txnState{txn: txn, start: time.Now(), resultSnaps: snaps}, nil
}
