package sql

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/sql/catalog"
	"portalsdb/sql/parser"
	"portalsdb/storage"
	"portalsdb/types"
)

// Session is one client's state: settings, transaction, prepared plans.
// It implements pgwire.Session and is used by one goroutine at a time.
type Session struct {
	e        *Engine
	pid      int32
	user     string
	database string
	notifier pgwire.Notifier

	vars map[string]string
	loc  *time.Location
	rng  *expr.Random

	// lastCommit is the seq of the session's newest commit that wrote
	// anything: reads of workflows wait until they absorbed it.
	lastCommit storage.Seq

	// txn is the transaction block opened by BEGIN; nil outside one.
	// Statements outside a block run in implicit transactions of their own.
	txn    *txnState
	closed bool
	// running is the text of the statement being executed, for the log
	// of a panic.
	running string
	// sqlPrepared holds the statements of SQL PREPARE, by name.
	sqlPrepared map[string]*prepared
	// activity is what portals_catalog.sessions shows other sessions.
	activity sessionActivity
	// cursors are the open cursors, by name.
	cursors map[string]*sqlCursor
	// sequences remembers the values nextval gave, for currval and
	// lastval.
	sequences sessionSequences
	// pathCache and timeoutCache keep search_path and statement_timeout
	// parsed, for as long as their text stays the same.
	pathCache struct {
		raw  string
		path []string
	}
	timeoutCache struct {
		raw    string
		d      time.Duration
		parsed bool
	}
}

// txnState is an open transaction.
type txnState struct {
	txn    *storage.Txn
	failed bool
	// cat is the catalog as this transaction changed it; nil when it did
	// not.
	cat        *catalog.Snapshot
	savepoints []savepoint
	start      time.Time
	// rows counts the rows each table gained, applied to the row
	// estimates at commit.
	rows map[uint32]int64
	// onCommit runs after the transaction commits: work that must not
	// happen if it rolls back (stopping a dropped workflow).
	onCommit []func()
	// resultSnaps, for a statement AS OF ATOM n, are the snapshots at
	// which its workflows' results are read (exec.Context.ResultSnapshots).
	resultSnaps map[uint64]storage.Seq
}

type savepoint struct {
	name string
	sp   storage.Savepoint
	cat  *catalog.Snapshot
}

func (e *Engine) newSession(user string, params map[string]string, n pgwire.Notifier) (*Session, error) {
	s := &Session{e: e, user: user, database: params["database"], notifier: n, vars: map[string]string{}, loc: time.UTC,
		rng: expr.NewRandom(uint64(time.Now().UnixNano()))}
	if s.database == "" {
		s.database = user
	}
	if s.database != "postgres" {
		return nil, pgerror.Newf(pgerror.InvalidCatalogName, "database %q does not exist", s.database)
	}
	s.pid = e.nextPID.Add(1)
	s.activity.start(params["application_name"])
	s.vars["session_authorization"] = user
	if r, ok := e.Catalog().Role(user); ok && !r.Superuser {
		s.vars["is_superuser"] = "off"
	}
	for k, v := range params {
		name := strings.ToLower(k)
		if st, ok := settings[name]; ok && st.check != nil {
			if nv, err := st.check(s, v); err == nil {
				s.vars[name] = nv
			}
		}
	}
	if opts := params["options"]; opts != "" {
		s.applyStartupOptions(opts)
	}
	e.sessions.Store(s.pid, s)
	return s, nil
}

// applyStartupOptions reads "-c name=value" pairs of the options startup
// parameter.
func (s *Session) applyStartupOptions(opts string) {
	fields := strings.Fields(opts)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if f == "-c" && i+1 < len(fields) {
			i++
			f = fields[i]
		} else if strings.HasPrefix(f, "-c") {
			f = f[2:]
		} else if strings.HasPrefix(f, "--") {
			f = f[2:]
		} else {
			continue
		}
		if k, v, ok := strings.Cut(f, "="); ok {
			_ = s.set(strings.ToLower(k), v, false)
		}
	}
}

// get returns a setting's value.
func (s *Session) get(name string) string {
	if v, ok := s.vars[name]; ok {
		return v
	}
	return settings[name].def
}

// set changes a setting, reporting it to the client when PostgreSQL would.
func (s *Session) set(name, value string, notify bool) error {
	st, ok := settings[name]
	if !ok {
		if strings.Contains(name, ".") {
			// Custom placeholder variables (myapp.x) are allowed.
			s.vars[name] = value
			return nil
		}
		return pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if st.check == nil {
		return pgerror.Newf(pgerror.CantChangeRuntimeParam, "parameter %q cannot be changed", name)
	}
	v, err := st.check(s, value)
	if err != nil {
		return err
	}
	s.vars[name] = v
	if notify && st.reported && s.notifier != nil {
		s.notifier.ParameterStatus(displayName(name), v)
	}
	return nil
}

// TimeZone implements pgwire.SessionTimeZone.
func (s *Session) TimeZone() *time.Location { return s.loc }

// TxnStatus implements pgwire.Session.
func (s *Session) TxnStatus() byte {
	switch {
	case s.txn == nil:
		return 'I'
	case s.txn.failed:
		return 'E'
	}
	return 'T'
}

// Close implements pgwire.Session.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeCursors(true)
	if s.txn != nil {
		s.txn.txn.Rollback()
		s.txn = nil
	}
	s.e.sessions.Delete(s.pid)
	return nil
}

// Split implements pgwire.Session.
func (s *Session) Split(ctx context.Context, query string) ([]pgwire.RawStatement, error) {
	stmts, err := parser.Split(query)
	if err != nil {
		// A syntax error fails a transaction block, as any error does.
		return nil, s.fail(err)
	}
	out := make([]pgwire.RawStatement, len(stmts))
	for i, st := range stmts {
		out[i] = rawStatement{st}
	}
	return out, nil
}

// rawStatement adapts a parsed statement to pgwire.RawStatement.
type rawStatement struct{ st *parser.Statement }

func (r rawStatement) SQL() string { return r.st.Text }
func (r rawStatement) Offset() int { return r.st.Offset }

// catalogSnap returns the catalog snapshot a statement of transaction t
// sees.
func (s *Session) catalogSnap(t *txnState) *catalog.Snapshot {
	if t != nil && t.cat != nil {
		return t.cat
	}
	return s.e.Catalog()
}

// catalogView returns the catalog a statement of transaction t sees.
func (s *Session) catalogView(t *txnState) *catalogView {
	snap := s.e.Catalog()
	if t != nil && t.cat != nil {
		snap = t.cat
	}
	return &catalogView{e: s.e, snap: snap, searchPath: s.searchPath(), session: s}
}

// searchPath returns the schemas names resolve in, pg_catalog first unless
// listed. The slice is shared: callers must not change it.
func (s *Session) searchPath() []string {
	raw := s.get("search_path")
	if s.pathCache.path == nil || s.pathCache.raw != raw {
		s.pathCache.raw, s.pathCache.path = raw, s.resolveSearchPath(raw)
	}
	return s.pathCache.path
}

func (s *Session) resolveSearchPath(raw string) []string {
	p := splitSearchPath(raw)
	// pg_catalog is searched first when not listed, as in PostgreSQL.
	for _, x := range p {
		if x == "pg_catalog" {
			return p
		}
	}
	return append([]string{"pg_catalog"}, p...)
}

// txnFor returns the transaction a statement runs in: the session's open
// one, or a new implicit one that the statement must end.
func (s *Session) txnFor() (t *txnState, implicit bool) {
	if s.txn != nil {
		return s.txn, false
	}
	return &txnState{txn: s.e.db.Begin(), start: time.Now()}, true
}

// endStatement ends a statement's transaction: an implicit one commits or
// rolls back; an explicit one is marked failed on error.
func (s *Session) endStatement(t *txnState, implicit bool, err error) error {
	if !implicit {
		if err != nil {
			return s.fail(err)
		}
		return nil
	}
	if err != nil {
		t.txn.Rollback()
		return err
	}
	return s.commit(t)
}

// commit commits t, installing its catalog changes.
func (s *Session) commit(t *txnState) error {
	writes := t.txn.HasWrites()
	var err error
	var seq storage.Seq
	if t.cat != nil {
		seq, err = s.e.commitCatalog(t.txn)
	} else {
		seq, err = t.txn.Commit()
	}
	if err != nil {
		t.txn.Rollback()
		return err
	}
	if writes && seq > s.lastCommit {
		s.lastCommit = seq
		s.activity.lastCommit.Store(uint64(seq))
	}
	for oid, n := range t.rows {
		s.e.stats.add(oid, n)
	}
	for _, fn := range t.onCommit {
		fn()
	}
	return nil
}

// fail marks an explicit transaction failed after an error.
func (s *Session) fail(err error) error {
	if s.txn != nil {
		s.txn.failed = true
	}
	return err
}

// evalCtx returns the expression context of a statement of t.
func (s *Session) evalCtx(t *txnState, params []types.Datum) *expr.Ctx {
	now := time.Now()
	if t != nil {
		now = t.start
	}
	return &expr.Ctx{Env: &types.Env{Loc: s.loc, Now: now}, Params: params, Random: s.rng, Session: sessionInfo{s},
		Catalog: s.catalogView(t)}
}

// sessionInfo implements expr.SessionInfo.
type sessionInfo struct{ s *Session }

func (i sessionInfo) User() string         { return i.s.user }
func (i sessionInfo) Database() string     { return i.s.database }
func (i sessionInfo) SearchPath() []string { return splitSearchPath(i.s.get("search_path")) }
func (i sessionInfo) SetSetting(n, v string) (string, error) {
	n = strings.ToLower(n)
	if err := i.s.set(n, v, true); err != nil {
		return "", err
	}
	return i.s.get(n), nil
}
func (i sessionInfo) Setting(n string) (string, bool) {
	n = strings.ToLower(n)
	if _, ok := settings[n]; ok {
		return i.s.get(n), true
	}
	v, ok := i.s.vars[n]
	return v, ok
}

// statementTimeout returns statement_timeout, 0 for none.
func (s *Session) statementTimeout() time.Duration {
	raw := s.get("statement_timeout")
	if !s.timeoutCache.parsed || s.timeoutCache.raw != raw {
		d, _ := parseDuration(raw)
		s.timeoutCache.raw, s.timeoutCache.d, s.timeoutCache.parsed = raw, d, true
	}
	return s.timeoutCache.d
}

// statementContext applies statement_timeout.
func (s *Session) statementContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := s.statementTimeout(); d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// recoverPanic turns a panic in statement execution into XX000, leaving
// the session usable.
func (s *Session) recoverPanic(err *error) {
	if r := recover(); r != nil {
		s.e.log.Error("panic in statement execution", "panic", r, "statement", s.running, "stack", string(debug.Stack()))
		*err = pgerror.Internalf("internal error: %v", r)
		if s.txn != nil {
			s.txn.failed = true
		}
	}
}

// rollbackOnPanic, deferred right after a statement opens an implicit
// transaction, rolls that transaction back if the statement panics, so
// that it does not stay open (holding back garbage collection and conflict
// tracking) once recoverPanic has turned the panic into an error.
func rollbackOnPanic(t *txnState, implicit bool) {
	if !implicit {
		return
	}
	if r := recover(); r != nil {
		t.txn.Rollback()
		panic(r)
	}
}

// Prepare implements pgwire.Session.
func (s *Session) Prepare(ctx context.Context, raw pgwire.RawStatement, paramTypes []uint32) (p pgwire.Prepared, err error) {
	defer s.recoverPanic(&err)
	st := raw.(rawStatement).st
	declared := make([]types.T, len(paramTypes))
	for i, oid := range paramTypes {
		if oid == 0 {
			declared[i] = types.UnknownType
			continue
		}
		t, ok := types.FromOid(oid)
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "type with OID %d does not exist", oid)
		}
		declared[i] = t
	}
	p, err = s.prepare(st, declared)
	if err != nil {
		// Errors found while analyzing (unknown names, types, constant
		// folding) fail a transaction block as errors in execution do.
		return nil, s.fail(err)
	}
	return p, nil
}

// statementNames are the names users know statements by, for the parser
// nodes whose names don't say it (DeclareCursorStmt is DECLARE CURSOR).
var statementNames = map[string]string{
	"DeclareCursorStmt": "DECLARE CURSOR", "FetchStmt": "FETCH", "ClosePortalStmt": "CLOSE",
	"CreateSeqStmt": "CREATE SEQUENCE", "AlterSeqStmt": "ALTER SEQUENCE", "CreateEnumStmt": "CREATE TYPE ... AS ENUM",
	"CompositeTypeStmt": "CREATE TYPE", "CreateRangeStmt": "CREATE TYPE ... AS RANGE", "CreateFunctionStmt": "CREATE FUNCTION",
	"CreateTrigStmt": "CREATE TRIGGER", "RuleStmt": "CREATE RULE", "CommentStmt": "COMMENT", "GrantStmt": "GRANT",
	"GrantRoleStmt": "GRANT role", "DoStmt": "DO", "CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE",
	"CreateExtensionStmt": "CREATE EXTENSION", "LockStmt": "LOCK", "CheckPointStmt": "CHECKPOINT", "CallStmt": "CALL",
	"CreatePolicyStmt": "CREATE POLICY", "CreateTableAsStmt": "CREATE TABLE AS", "AlterSystemStmt": "ALTER SYSTEM",
	"CreateForeignTableStmt": "CREATE FOREIGN TABLE", "CreatePublicationStmt": "CREATE PUBLICATION",
	"CreateSubscriptionStmt": "CREATE SUBSCRIPTION", "ReindexStmt": "REINDEX", "ClusterStmt": "CLUSTER",
}

// describeNode names a statement for an error: "LISTEN", "CREATE SEQUENCE".
func describeNode(n *pg.Node) string {
	typ := fmt.Sprintf("%T", n.Node)
	name := typ[strings.LastIndex(typ, "_")+1:]
	if s, ok := statementNames[name]; ok {
		if g := n.GetGrantStmt(); g != nil && !g.IsGrant {
			return "REVOKE"
		}
		return s
	}
	// CreateStatsStmt reads CREATE STATS: split the words, drop Stmt.
	name = strings.TrimSuffix(name, "Stmt")
	var words []string
	start := 0
	for i := 1; i <= len(name); i++ {
		if i == len(name) || name[i] >= 'A' && name[i] <= 'Z' {
			words = append(words, strings.ToUpper(name[start:i]))
			start = i
		}
	}
	return strings.Join(words, " ")
}
