package sql_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// portals_catalog.sessions lists every session with what it last ran and
// committed; the asking session is marked current and sees its own
// application_name.
func TestPortalsCatalogSessions(t *testing.T) {
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(e.url())
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = "catalog-a"
	a, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b := connect(t, e)
	mustExec(t, b, "CREATE STREAM s (v int)")
	mustExec(t, b, "INSERT INTO s VALUES (1)")
	var pidA, pidB int32
	if err := a.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pidA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pidB); err != nil {
		t.Fatal(err)
	}
	got := queryStrings(t, a, `SELECT CASE pid WHEN $1 THEN 'a' WHEN $2 THEN 'b' END || '|' || application_name || '|' ||
		current || '|' || (last_commit_atom IS NOT NULL) || '|' || (statements > 1) || '|' ||
		CASE WHEN last_statement LIKE 'SELECT CASE pid%' THEN 'this query' ELSE last_statement END || '|' ||
		(backend_start <= last_statement_start)
		FROM portals_catalog.sessions WHERE pid IN ($1, $2) ORDER BY pid = $2`, pidA, pidB)
	want := []string{
		"a|catalog-a|t|f|t|this query|t",
		"b||f|t|t|SELECT pg_backend_pid()|t",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sessions:\n got %q\nwant %q", got, want)
	}
}

// portals_catalog.workflows follows a workflow that stops on an error: its
// status, error and failed atom, and its lag growing with each input atom
// it does not process; SKIP ATOM lets it catch up.
func TestPortalsCatalogWorkflowFailure(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, "CREATE STREAM s (v int)")
	mustExec(t, conn, "CREATE WORKFLOW inv AS SELECT v, 10 / v AS r FROM s")
	mustExec(t, conn, "INSERT INTO s VALUES (5)")
	mustExec(t, conn, "FLUSH")
	status := func() string {
		t.Helper()
		got := queryStrings(t, conn, `SELECT status || '|' || coalesce(error, '') || '|' || (failed_atom IS NOT NULL) || '|' ||
			lag_atoms || '|' || (lag >= interval '0') || '|' || rows_in || '|' || atoms_processed FROM portals_catalog.workflows WHERE name = 'inv'`)
		if len(got) != 1 {
			t.Fatalf("workflows has %d rows for inv", len(got))
		}
		return got[0]
	}
	if got := status(); got != "running||f|0|t|1|1" {
		t.Errorf("after one atom: %s", got)
	}
	mustExec(t, conn, "INSERT INTO s VALUES (0)")
	mustExec(t, conn, "FLUSH")
	if got := status(); got != "failed|division by zero|t|1|t|1|1" {
		t.Errorf("after a failing atom: %s", got)
	}
	mustExec(t, conn, "INSERT INTO s VALUES (2)")
	mustExec(t, conn, "INSERT INTO s VALUES (1)")
	if got := status(); got != "failed|division by zero|t|3|t|1|1" {
		t.Errorf("after two more atoms: %s", got)
	}
	var failedAtom, frontier int64
	if err := conn.QueryRow(context.Background(), "SELECT failed_atom, frontier_atom FROM portals_catalog.workflows WHERE name = 'inv'").Scan(&failedAtom, &frontier); err != nil {
		t.Fatal(err)
	}
	if frontier >= failedAtom {
		t.Errorf("frontier atom %d is not before the failed atom %d", frontier, failedAtom)
	}
	mustExec(t, conn, "ALTER WORKFLOW inv SKIP ATOM")
	mustExec(t, conn, "FLUSH")
	if got := status(); got != "running||f|0|t|3|3" {
		t.Errorf("after SKIP ATOM: %s", got)
	}
}

// portals_catalog.portals counts calls and failed calls, and gives latency
// percentiles in order.
func TestPortalsCatalogPortalCounts(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	ctx := context.Background()
	mustExec(t, conn, "CREATE TABLE stock (item text PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0))")
	mustExec(t, conn, "INSERT INTO stock VALUES ('apple', 10)")
	mustExec(t, conn, `CREATE PORTAL take(p_item text, p_qty int) RETURNS TABLE (left_qty int)
		ON stock AS UPDATE stock SET qty = qty - p_qty WHERE item = p_item RETURNING qty`)
	for i := 0; i < 4; i++ {
		mustExec(t, conn, "SELECT * FROM take($1, $2)", "apple", 2)
	}
	_, err := conn.Exec(ctx, "SELECT * FROM take($1, $2)", "apple", 5)
	if err == nil || !strings.Contains(err.Error(), "23514") {
		t.Fatalf("taking more than the stock: %v, want a check violation", err)
	}
	var calls, errors int64
	var ordered bool
	if err := conn.QueryRow(ctx, `SELECT calls, errors, p50_ms <= p90_ms AND p90_ms <= p99_ms AND p99_ms <= max_ms AND p50_ms > 0
		FROM portals_catalog.portals WHERE name = 'take'`).Scan(&calls, &errors, &ordered); err != nil {
		t.Fatal(err)
	}
	if calls != 5 || errors != 1 || !ordered {
		t.Errorf("take: %d calls, %d errors, percentiles in order: %v; want 5, 1, true", calls, errors, ordered)
	}
}

// portals_catalog.streams counts a stream's atoms and events, and the
// workflows reading it.
func TestPortalsCatalogStreams(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, "CREATE STREAM s (v int) WITH (retention = '2 hours')")
	mustExec(t, conn, "CREATE WORKFLOW w AS SELECT count(*) FROM s")
	mustExec(t, conn, "INSERT INTO s SELECT * FROM generate_series(1, 2500)")
	mustExec(t, conn, "INSERT INTO s VALUES (1)")
	got := queryStrings(t, conn, "SELECT atoms || '|' || events || '|' || retention || '|' || workflows || '|' || source FROM portals_catalog.streams")
	if want := []string{"2|2501|02:00:00|1|insert"}; !reflect.DeepEqual(got, want) {
		t.Errorf("streams: %v, want %v", got, want)
	}
}
