package sql_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func queryStrings(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, strings.TrimSpace(strings.ReplaceAll(fmtValue(v), "\n", " ")))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmtValue(e)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprint(v)
}

func expectCode(t *testing.T, conn *pgx.Conn, code, sql string) {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Errorf("%s: got %v, want SQLSTATE %s", sql, err, code)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A transaction sees its own DDL in pg_catalog and information_schema;
// other sessions see it once it commits, and never when it rolls back.
func TestCatalogTransactionSeesOwnDDL(t *testing.T) {
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	a, b := connect(t, e), connect(t, e)
	ctx := context.Background()
	tx, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE fresh (id int PRIMARY KEY, v text CHECK (v <> ''))"); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' ORDER BY 1`
	var names []string
	rows, err := tx.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, k string
		if err := rows.Scan(&n, &k); err != nil {
			t.Fatal(err)
		}
		names = append(names, n+"|"+k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"fresh|r", "fresh_pkey|i"}; !equalStrings(names, want) {
		t.Errorf("inside the transaction pg_class shows %v, want %v", names, want)
	}
	var cols int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'fresh'").Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if cols != 2 {
		t.Errorf("information_schema.columns shows %d columns of fresh inside its transaction, want 2", cols)
	}
	if got := queryStrings(t, b, q); len(got) != 0 {
		t.Errorf("another session sees uncommitted DDL: %v", got)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got := queryStrings(t, a, q); len(got) != 0 {
		t.Errorf("rolled back DDL still shows: %v", got)
	}
	mustExec(t, a, "CREATE TABLE kept (id int)")
	if got := queryStrings(t, b, q); !equalStrings(got, []string{"kept|r"}) {
		t.Errorf("after commit another session sees %v", got)
	}
}

// OIDs of relations, indexes, constraints and defaults survive a restart.
func TestCatalogOIDsStableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	const q = `SELECT 'rel', c.relname, c.oid::text FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
		UNION ALL SELECT 'con', conname, oid::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace
		UNION ALL SELECT 'def', adnum::text, oid::text FROM pg_attrdef
		UNION ALL SELECT 'proc', proname, oid::text FROM pg_proc WHERE proname IN ('upper', 'now', 'array_in')
		ORDER BY 1, 2, 3`
	var before []string
	func() {
		srv, stop := openServer(t, dir)
		defer stop()
		conn := connect(t, serverEndpoint(srv))
		mustExec(t, conn, "CREATE TABLE t1 (id serial PRIMARY KEY, v text DEFAULT 'x' CHECK (length(v) < 5), w int UNIQUE)")
		mustExec(t, conn, "CREATE INDEX t1_v_idx ON t1 (v)")
		mustExec(t, conn, "CREATE VIEW v1 AS SELECT id FROM t1")
		before = queryStrings(t, conn, q)
		conn.Close(context.Background())
	}()
	if len(before) < 10 {
		t.Fatalf("too few catalog rows before the restart: %v", before)
	}
	srv := startServer(t, dir)
	after := queryStrings(t, connect(t, serverEndpoint(srv)), q)
	if !equalStrings(before, after) {
		t.Errorf("OIDs changed across a restart:\nbefore %v\nafter  %v", before, after)
	}
}

// Unqualified names follow the search path with pg_catalog first unless
// the path places it elsewhere.
func TestCatalogSearchPath(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, "CREATE TABLE pg_tables (mine int)")
	expectCode(t, conn, "42809", "INSERT INTO pg_tables VALUES (7)")
	mustExec(t, conn, "INSERT INTO public.pg_tables VALUES (7)")
	if got := queryStrings(t, conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"); !equalStrings(got, []string{"pg_tables"}) {
		t.Errorf("pg_catalog.pg_tables should win by default, got %v", got)
	}
	mustExec(t, conn, "SET search_path = public, pg_catalog")
	if got := queryStrings(t, conn, "SELECT mine FROM pg_tables"); !equalStrings(got, []string{"7"}) {
		t.Errorf("with public first the user table should win, got %v", got)
	}
	if got := queryStrings(t, conn, "SELECT count(*) > 0 FROM pg_catalog.pg_tables"); !equalStrings(got, []string{"true"}) {
		t.Errorf("qualified name: %v", got)
	}
	mustExec(t, conn, "RESET search_path")
	mustExec(t, conn, "CREATE SCHEMA other")
	mustExec(t, conn, "CREATE TABLE other.hidden (x int)")
	got := queryStrings(t, conn, `SELECT c.relname, pg_table_is_visible(c.oid), c.oid::regclass::text FROM pg_class c
		WHERE c.relname IN ('hidden', 'pg_tables') ORDER BY 1, 2`)
	want := []string{"hidden|false|other.hidden", "pg_tables|false|public.pg_tables", "pg_tables|true|pg_tables"}
	if !equalStrings(got, want) {
		t.Errorf("visibility: got %v, want %v", got, want)
	}
	if got := queryStrings(t, conn, "SELECT current_schemas(true), current_schemas(false)"); !equalStrings(got, []string{"{pg_catalog,public}|{public}"}) {
		t.Errorf("current_schemas: %v", got)
	}
	if got := queryStrings(t, conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schemata'"); !equalStrings(got, []string{"1"}) {
		t.Errorf("information_schema lists its own views: %v", got)
	}
	expectCode(t, conn, "42P01", "SELECT * FROM schemata")
	expectCode(t, conn, "42P01", "SELECT * FROM pg_catalog.no_such_catalog")
}

// The reg* types read and print names through the catalog.
func TestCatalogRegTypes(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, `CREATE TABLE "Mixed Case" (id int)`)
	mustExec(t, conn, "CREATE SCHEMA s2")
	mustExec(t, conn, "CREATE TABLE s2.t (id int)")
	got := queryStrings(t, conn, `SELECT '"Mixed Case"'::regclass::text, 's2.t'::regclass::text, 'S2.T'::regclass::text,
		'pg_catalog.pg_class'::regclass::oid, 'varchar'::regtype, 'int4[]'::regtype, 'upper'::regproc,
		'pg_catalog.array_in'::regproc, 's2'::regnamespace, 0::regclass, to_regclass('nope'), to_regtype('nope')`)
	want := []string{`"Mixed Case"|s2.t|s2.t|1259|character varying|integer[]|upper|array_in|s2|-|NULL|NULL`}
	if !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A regclass compares with oid columns.
	if got := queryStrings(t, conn, `SELECT relname FROM pg_class WHERE oid = '"Mixed Case"'::regclass`); !equalStrings(got, []string{"Mixed Case"}) {
		t.Errorf("oid = regclass: %v", got)
	}
	expectCode(t, conn, "42P01", "SELECT 'nope'::regclass")
	expectCode(t, conn, "3F000", "SELECT 'nope.t'::regclass")
	expectCode(t, conn, "42704", "SELECT 'nope'::regtype")
	expectCode(t, conn, "42883", "SELECT 'nope'::regproc")
	expectCode(t, conn, "42725", "SELECT 'abs'::regproc")
	expectCode(t, conn, "42704", "SELECT 'nope'::regnamespace")
	// A prepared statement with a regclass literal is bound again when
	// the catalog changes, so the name resolves to the new object.
	ctx := context.Background()
	if _, err := conn.Prepare(ctx, "relkind", "SELECT relkind FROM pg_class WHERE oid = 'later'::regclass"); err == nil {
		t.Errorf("preparing with a missing relation should fail")
	}
	mustExec(t, conn, "CREATE VIEW later AS SELECT 1 AS one")
	if got := queryStrings(t, conn, "SELECT relkind FROM pg_class WHERE oid = 'later'::regclass"); !equalStrings(got, []string{"v"}) {
		t.Errorf("later: %v", got)
	}
}

// pg_settings and pg_stat_activity read the live sessions.
func TestCatalogSessions(t *testing.T) {
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	a, b := connect(t, e), connect(t, e)
	mustExec(t, a, "SET application_name = 'catalog-test'")
	mustExec(t, a, "SET statement_timeout = '5s'")
	got := queryStrings(t, a, `SELECT name, setting, source FROM pg_settings
		WHERE name IN ('application_name', 'statement_timeout', 'DateStyle') ORDER BY 1`)
	want := []string{"DateStyle|ISO, MDY|default", "application_name|catalog-test|session", "statement_timeout|5000ms|session"}
	if !equalStrings(got, want) {
		t.Errorf("pg_settings: got %v, want %v", got, want)
	}
	var pidB int32
	if err := b.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pidB); err != nil {
		t.Fatal(err)
	}
	got = queryStrings(t, a, `SELECT pid = pg_backend_pid(), state, application_name FROM pg_stat_activity
		WHERE pid IN (pg_backend_pid(), $1) ORDER BY 1`, pidB)
	want = []string{"false|idle|", "true|active|catalog-test"}
	if !equalStrings(got, want) {
		t.Errorf("pg_stat_activity: got %v, want %v", got, want)
	}
	// Close sends Terminate without waiting for the server to end the
	// session, so the session may show for a moment: wait for it to go.
	b.Close(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = queryStrings(t, a, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pidB)
		if equalStrings(got, []string{"0"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("a closed session still shows after 10s: %v", got)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Catalog functions work on rows of catalog queries and through the
// extended protocol, and reltuples follows inserts.
func TestCatalogFunctions(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, "CREATE TABLE t (id bigserial PRIMARY KEY, v varchar(8) NOT NULL DEFAULT 'x', n numeric(6,2))")
	mustExec(t, conn, "CREATE UNIQUE INDEX t_v_desc ON t (v DESC, n)")
	mustExec(t, conn, "INSERT INTO t (v, n) SELECT 'r' || g::text, g FROM generate_series(1, 50) g")
	got := queryStrings(t, conn, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
		pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid
		AND d.adnum = a.attnum WHERE a.attrelid = 't'::regclass AND a.attnum > 0 ORDER BY a.attnum`)
	want := []string{
		"id|bigint|true|nextval('t_id_seq'::regclass)",
		"v|character varying(8)|true|'x'::character varying",
		"n|numeric(6,2)|false|NULL",
	}
	if !equalStrings(got, want) {
		t.Errorf("columns: got %v, want %v", got, want)
	}
	got = queryStrings(t, conn, "SELECT pg_get_indexdef('t_v_desc'::regclass), pg_get_indexdef($1::regclass, 2, true)", "t_v_desc")
	if want := []string{"CREATE UNIQUE INDEX t_v_desc ON public.t USING btree (v DESC, n)|n"}; !equalStrings(got, want) {
		t.Errorf("index: got %v, want %v", got, want)
	}
	got = queryStrings(t, conn, "SELECT reltuples >= 50, pg_relation_size('t') > 0, pg_total_relation_size('t') > pg_relation_size('t') FROM pg_class WHERE relname = 't'")
	if !equalStrings(got, []string{"true|true|true"}) {
		t.Errorf("sizes: %v", got)
	}
	got = queryStrings(t, conn, "SELECT pg_size_pretty(pg_total_relation_size('t')) LIKE '% kB', version() LIKE 'PostgreSQL 16%', pg_postmaster_start_time() <= now()")
	if !equalStrings(got, []string{"true|true|true"}) {
		t.Errorf("misc: %v", got)
	}
}

// Every system relation listed in pg_class can be read, and returns the
// columns pg_attribute lists for it.
func TestCatalogEverySystemRelationReads(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, "CREATE TABLE t (id serial PRIMARY KEY, v text DEFAULT 'x' CHECK (v <> ''), u int UNIQUE)")
	mustExec(t, conn, "CREATE VIEW tv AS SELECT id, v FROM t")
	rels := queryStrings(t, conn, `SELECT n.nspname || '.' || c.relname || '|' || c.relnatts FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if len(rels) < 90 {
		t.Fatalf("only %d system relations", len(rels))
	}
	ctx := context.Background()
	for _, r := range rels {
		name, natts, _ := strings.Cut(r, "|")
		rows, err := conn.Query(ctx, "SELECT * FROM "+name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if got := fmt.Sprint(len(rows.FieldDescriptions())); got != natts {
			t.Errorf("%s returns %s columns, pg_class.relnatts says %s", name, got, natts)
		}
	}
}

// BenchmarkDescribeTable runs the catalog queries psql's \d sends for one
// table.
func BenchmarkDescribeTable(b *testing.B) {
	srv, stop := openServer(&testing.T{}, b.TempDir())
	defer stop()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, serverEndpoint(srv).url())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range strings.Split(clientSchema, ";") {
		if strings.TrimSpace(s) != "" {
			if _, err := conn.Exec(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
	}
	queries := describeQueries("accounts")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range queries {
			rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// describeQueries are the queries psql 15 sends for \d table, with the
// table's OID looked up by name.
func describeQueries(table string) []string {
	oid := "'" + table + "'::regclass"
	return []string{
		`SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 WHERE c.relname OPERATOR(pg_catalog.~) '^(` + table + `)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3`,
		`SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids,
		 c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END,
		 c.relpersistence, c.relreplident, am.amname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
		 LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) WHERE c.oid = ` + oid,
		`SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
		 FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef), a.attnotnull,
		 (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t WHERE c.oid = a.attcollation AND t.oid = a.atttypid
		 AND a.attcollation <> t.typcollation) AS attcollation, a.attidentity, a.attgenerated FROM pg_catalog.pg_attribute a
		 WHERE a.attrelid = ` + oid + ` AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
		`SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
		 pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace
		 FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i LEFT JOIN pg_catalog.pg_constraint con
		 ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
		 WHERE c.oid = ` + oid + ` AND c.oid = i.indrelid AND i.indexrelid = c2.oid ORDER BY i.indisprimary DESC, c2.relname`,
		`SELECT r.conname, pg_catalog.pg_get_constraintdef(r.oid, true) FROM pg_catalog.pg_constraint r
		 WHERE r.conrelid = ` + oid + ` AND r.contype = 'c' ORDER BY 1`,
	}
}
