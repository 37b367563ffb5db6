package pgwire

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
)

func TestStartupReportsParameters(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	conn := connect(t, addr, pgx.QueryExecModeSimpleProtocol)
	pc := conn.PgConn()
	want := map[string]string{
		"server_version":              DefaultServerVersion,
		"server_encoding":             "UTF8",
		"client_encoding":             "UTF8",
		"DateStyle":                   "ISO, MDY",
		"TimeZone":                    "UTC",
		"standard_conforming_strings": "on",
		"integer_datetimes":           "on",
		"IntervalStyle":               "postgres",
		"is_superuser":                "on",
		"session_authorization":       "postgres",
	}
	for name, value := range want {
		if got := pc.ParameterStatus(name); got != value {
			t.Errorf("ParameterStatus(%s) = %q, want %q", name, got, value)
		}
	}
	if pc.PID() == 0 || len(pc.SecretKey()) != 4 {
		t.Errorf("BackendKeyData: pid %d, key %x", pc.PID(), pc.SecretKey())
	}
	if pc.TxStatus() != 'I' {
		t.Errorf("TxStatus = %c", pc.TxStatus())
	}
}

func TestSimpleQueryMultiStatement(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "select 1, 'a'; insert; gen 3"})
	want := []string{
		"T ?column?:23:0,?column?:25:0", "D 1,a", "C SELECT 1",
		"C INSERT 0 1",
		"T id:20:0,label:25:0", "D 1,row 1", "D 2,row 2", "D 3,row 3", "C SELECT 3",
		"Z I",
	}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestSimpleQueryManyBatches(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	conn := connect(t, addr, pgx.QueryExecModeSimpleProtocol)
	rows, err := conn.Query(testCtx(t), "gen 1000")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for rows.Next() {
		var id int64
		var label string
		if err := rows.Scan(&id, &label); err != nil {
			t.Fatal(err)
		}
		n++
		if id != n {
			t.Fatalf("row %d has id %d", n, id)
		}
	}
	if rows.Err() != nil || n != 1000 {
		t.Fatalf("read %d rows, err %v", n, rows.Err())
	}
	if tag := rows.CommandTag().String(); tag != "SELECT 1000" {
		t.Fatalf("tag %q", tag)
	}
}

func TestEmptyQuery(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	for _, q := range []string{"", " ; ;"} {
		c.send(&pgproto3.Query{String: q})
		if got := c.untilReady(); !equalStrings(got, []string{"I", "Z I"}) {
			t.Fatalf("%q: got %q", q, got)
		}
	}
	// An empty statement in the extended protocol.
	c.send(&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	if got, want := c.untilReady(), []string{"1", "2", "n", "I", "Z I"}; !equalStrings(got, want) {
		t.Fatalf("extended: got %q, want %q", got, want)
	}
}

func TestErrorStopsRemainingStatementsAndPointsIntoQuery(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	before := eng.executed.Load()
	// "nosuchcol" starts at character 18 of the whole string (1-based);
	// the session reports 8, its place in the second statement.
	c.send(&pgproto3.Query{String: "select 1;  select nosuchcol; insert"})
	want := []string{"T ?column?:23:0", "D 1", "C SELECT 1", `E ERROR 42703 column "nosuchcol" does not exist @19`, "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if n := eng.executed.Load() - before; n != 1 {
		t.Fatalf("%d statements executed, want 1", n)
	}
	// Positions count characters, not bytes.
	c.send(&pgproto3.Query{String: "select 'ü'; select nosuchcol"})
	want = []string{"T ?column?:25:0", "D ü", "C SELECT 1", `E ERROR 42703 column "nosuchcol" does not exist @20`, "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// A syntax error fails the whole string before anything runs.
	before = eng.executed.Load()
	c.send(&pgproto3.Query{String: "insert; bogus"})
	want = []string{`E ERROR 42601 syntax error at or near "bogus" @9`, "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if eng.executed.Load() != before {
		t.Fatal("a statement ran although the string did not parse")
	}
}

func TestErrorFields(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	conn := connect(t, addr, pgx.QueryExecModeSimpleProtocol)
	_, err := conn.Exec(testCtx(t), "execerror")
	pe := pgError(t, err)
	if pe.Severity != "ERROR" || pe.SeverityUnlocalized != "ERROR" || pe.Code != "23505" ||
		pe.Message != `duplicate key value violates unique constraint "t_pkey"` ||
		pe.Detail != "Key (id)=(1) already exists." || pe.Hint != "Pick another id." ||
		pe.TableName != "t" || pe.ColumnName != "id" || pe.ConstraintName != "t_pkey" {
		t.Fatalf("error fields: %+v", pe)
	}
	// The connection is still usable.
	var v int32
	if err := conn.QueryRow(testCtx(t), "select 7").Scan(&v); err != nil || v != 7 {
		t.Fatalf("after error: %v %v", v, err)
	}
}

func TestNoticesAndParameterStatus(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	cfg, err := pgx.ParseConfig(dsn(addr, "postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Severity+" "+n.Message) }
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(testCtx(t))
	if _, err := conn.Exec(testCtx(t), "notice hello there"); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0] != "NOTICE hello there" {
		t.Fatalf("notices %q", notices)
	}
	if _, err := conn.Exec(testCtx(t), "set timezone 'Europe/Berlin'"); err != nil {
		t.Fatal(err)
	}
	if tz := conn.PgConn().ParameterStatus("TimeZone"); tz != "Europe/Berlin" {
		t.Fatalf("TimeZone reported as %q", tz)
	}
	// timestamptz text output follows the session's zone.
	var s string
	if err := conn.QueryRow(testCtx(t), "select '2024-01-15 12:00:00+00'::timestamptz::text").Scan(&s); err == nil {
		t.Logf("text cast: %s", s)
	}
	res := conn.PgConn().ExecParams(testCtx(t), "select '2024-01-15 12:00:00+00'::timestamptz", nil, nil, nil, []int16{0}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := string(res.Rows[0][0]); got != "2024-01-15 13:00:00+01" {
		t.Fatalf("timestamptz in Europe/Berlin = %q", got)
	}
}

func TestNoticeWhileIdleIsSentAtOnce(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "idle"})
	if got := c.untilReady(); !equalStrings(got, []string{"C IDLE", "Z I"}) {
		t.Fatalf("got %q", got)
	}
	eng.mu.Lock()
	n := eng.idleNotifier
	eng.mu.Unlock()
	// The session reports from another goroutine while the client waits.
	go n.Notice(&pgerror.Error{Message: "from elsewhere"})
	if got := c.next(); got != "N from elsewhere" {
		t.Fatalf("got %q, want the notice", got)
	}
	go n.ParameterStatus("TimeZone", "Asia/Tokyo")
	if got := c.next(); got != "S TimeZone=Asia/Tokyo" {
		t.Fatalf("got %q, want the parameter status", got)
	}
}

func TestTransactionStatus(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "begin"})
	if got := c.untilReady(); !equalStrings(got, []string{"C BEGIN", "Z T"}) {
		t.Fatalf("got %q", got)
	}
	c.send(&pgproto3.Query{String: "commit"})
	if got := c.untilReady(); !equalStrings(got, []string{"C COMMIT", "Z I"}) {
		t.Fatalf("got %q", got)
	}
}

func TestTerminateClosesSession(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Terminate{})
	if got := c.untilClosed(); len(got) != 0 {
		t.Fatalf("after Terminate: %q", got)
	}
	waitFor(t, "session closed", func() bool { return eng.closed.Load() == eng.opened.Load() })
}
