package sql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Smoke tests of real clients against portalsdb: pgx (with the type
// loading that reads pg_type), node's pg, psycopg2 and pgbench. Each skips
// with one line when its client is not installed; scripts/run-tests
// installs them.

const clientSchema = `
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL DEFAULT 0,
  tags text[], opened timestamptz DEFAULT now(), CHECK (balance >= 0));
CREATE INDEX accounts_owner_idx ON accounts (owner);
INSERT INTO accounts (id, owner, balance, tags) VALUES (1, 'ann', 10.50, ARRAY['a', 'b']), (2, 'bob', 0, NULL);
CREATE PORTAL deposit(p_id int, p_amount numeric) RETURNS TABLE (id int, balance numeric)
  ON accounts AS UPDATE accounts SET balance = balance + p_amount WHERE id = p_id RETURNING id, balance;
CREATE PORTAL balance_of(p_owner text) RETURNS TABLE (id int, balance numeric)
  ON accounts AS SELECT id, balance FROM accounts WHERE owner = p_owner ORDER BY id;
`

// clientFunctions is what the catalog query of the smoke scripts finds:
// the portals as functions, with their arguments and results.
var clientFunctions = [][]any{
	{"balance_of", "p_owner text", "TABLE(id integer, balance numeric)"},
	{"deposit", "p_id integer, p_amount numeric", "TABLE(id integer, balance numeric)"},
}

func loadClientSchema(t *testing.T, e endpoint) {
	t.Helper()
	conn := connect(t, e)
	for _, stmt := range strings.Split(clientSchema, ";") {
		if strings.TrimSpace(stmt) != "" {
			mustExec(t, conn, stmt)
		}
	}
}

// pgx resolves type names through regtype and reads pg_type to register
// array types, as applications do for types pgx does not know.
func TestClientPgxLoadsTypes(t *testing.T) {
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	loadClientSchema(t, e)
	conn := connect(t, e)
	ctx := context.Background()
	for _, name := range []string{"_int4", "_text", "_numeric", "_uuid", "character varying[]"} {
		typ, err := conn.LoadType(ctx, name)
		if err != nil {
			t.Errorf("LoadType(%q): %v", name, err)
			continue
		}
		if _, ok := typ.Codec.(*pgtype.ArrayCodec); !ok {
			t.Errorf("LoadType(%q) gave codec %T, want an array codec", name, typ.Codec)
		}
		conn.TypeMap().RegisterType(typ)
	}
	types, err := conn.LoadTypes(ctx, []string{"_int4", "_text"})
	if err != nil {
		t.Errorf("LoadTypes: %v", err)
	} else if len(types) == 0 {
		t.Errorf("LoadTypes found no types")
	}

	// A catalog query scanned into Go values of the catalog's types.
	rows, err := conn.Query(ctx, `SELECT c.oid, c.relname, c.relkind, c.relnatts, c.relhasindex, a.attname, a.atttypid,
		format_type(a.atttypid, a.atttypmod), a.attnotnull
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
		WHERE c.relname = $1 AND a.attnum > 0 ORDER BY a.attnum`, "accounts")
	if err != nil {
		t.Fatal(err)
	}
	type col struct {
		name, typ string
		oid       uint32
		notNull   bool
	}
	var got []col
	for rows.Next() {
		var relOID, typOID uint32
		var relname, relkind, attname, typ string
		var natts int16
		var hasIndex, notNull bool
		if err := rows.Scan(&relOID, &relname, &relkind, &natts, &hasIndex, &attname, &typOID, &typ, &notNull); err != nil {
			t.Fatal(err)
		}
		if relOID < 16384 || relkind != "r" || natts != 5 || !hasIndex {
			t.Errorf("pg_class row: oid %d kind %q natts %d hasindex %v", relOID, relkind, natts, hasIndex)
		}
		got = append(got, col{attname, typ, typOID, notNull})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []col{{"id", "integer", 23, true}, {"owner", "text", 25, true}, {"balance", "numeric(12,2)", 1700, true},
		{"tags", "text[]", 1009, false}, {"opened", "timestamp with time zone", 1184, false}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("columns:\n got %v\nwant %v", got, want)
	}
	// Arrays of catalog OIDs scan into Go slices.
	var keys []int16
	var classes []uint32
	if err := conn.QueryRow(ctx, "SELECT indkey, indclass FROM pg_index WHERE indexrelid = 'accounts_owner_idx'::regclass").Scan(&keys, &classes); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keys, []int16{2}) || len(classes) != 1 {
		t.Errorf("indkey %v indclass %v", keys, classes)
	}
}

// clientEnv is the environment a client script connects with.
func clientEnv(e endpoint) []string {
	return append(os.Environ(), "PGHOST="+e.host, "PGPORT="+e.port, "PGUSER="+e.user, "PGDATABASE="+e.database,
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
}

func runClient(t *testing.T, e endpoint, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = clientEnv(e)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s%s", name, args, err, out.String(), errOut.String())
	}
	return out.Bytes()
}

// smokeResult is what the node and Python scripts print: the answers to
// the same queries, as JSON.
type smokeResult struct {
	Version   string     `json:"version"`
	Tables    []string   `json:"tables"`
	Columns   [][]any    `json:"columns"`
	Rows      [][]any    `json:"rows"`
	Param     []any      `json:"param"`
	Inserted  int        `json:"inserted"`
	TxCount   int        `json:"tx_count"`
	ErrorCode string     `json:"error_code"`
	Types     [][]any    `json:"types"`
	Indexes   [][]string `json:"indexes"`
	// Deposit and Balance are the replies of a changing and a reading
	// portal called with parameters; Functions lists the portals from
	// pg_proc.
	Deposit   [][]any `json:"deposit"`
	Balance   [][]any `json:"balance"`
	Functions [][]any `json:"functions"`
}

func checkSmoke(t *testing.T, client string, out []byte) {
	t.Helper()
	var r smokeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s printed %q: %v", client, out, err)
	}
	if !strings.HasPrefix(r.Version, "PostgreSQL 16") {
		t.Errorf("%s: version() = %q", client, r.Version)
	}
	if !reflect.DeepEqual(r.Tables, []string{"accounts"}) {
		t.Errorf("%s: tables %v", client, r.Tables)
	}
	wantCols := [][]any{{"id", "integer", "NO"}, {"owner", "text", "NO"}, {"balance", "numeric", "NO"},
		{"tags", "ARRAY", "YES"}, {"opened", "timestamp with time zone", "YES"}}
	if !reflect.DeepEqual(r.Columns, wantCols) {
		t.Errorf("%s: columns %v", client, r.Columns)
	}
	wantRows := [][]any{{float64(1), "ann", "10.50", []any{"a", "b"}}, {float64(2), "bob", "0.00", nil}}
	if !reflect.DeepEqual(r.Rows, wantRows) {
		t.Errorf("%s: rows %v", client, r.Rows)
	}
	if !reflect.DeepEqual(r.Param, []any{"bob"}) {
		t.Errorf("%s: parameterized query gave %v", client, r.Param)
	}
	if r.Inserted != 1 || r.TxCount != 3 {
		t.Errorf("%s: inserted %d, count after transaction %d", client, r.Inserted, r.TxCount)
	}
	if r.ErrorCode != "23514" {
		t.Errorf("%s: check violation reported SQLSTATE %q", client, r.ErrorCode)
	}
	if len(r.Types) == 0 {
		t.Errorf("%s: read no rows of pg_type", client)
	}
	wantIdx := [][]string{{"accounts_owner_idx", "CREATE INDEX accounts_owner_idx ON public.accounts USING btree (owner)"},
		{"accounts_pkey", "CREATE UNIQUE INDEX accounts_pkey ON public.accounts USING btree (id)"}}
	if !reflect.DeepEqual(r.Indexes, wantIdx) {
		t.Errorf("%s: indexes %v", client, r.Indexes)
	}
	if want := [][]any{{float64(1), "15.00"}}; !reflect.DeepEqual(r.Deposit, want) {
		t.Errorf("%s: deposit(1, 4.50) replied %v, want %v", client, r.Deposit, want)
	}
	if want := [][]any{{float64(1), "15.00"}}; !reflect.DeepEqual(r.Balance, want) {
		t.Errorf("%s: balance_of('ann') replied %v, want %v", client, r.Balance, want)
	}
	if !reflect.DeepEqual(r.Functions, clientFunctions) {
		t.Errorf("%s: functions %v, want %v", client, r.Functions, clientFunctions)
	}
}

// node's pg package, installed by `npm ci` in tests/node.
func TestClientNodePg(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "tests", "node"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Skip("node's pg is not installed; run npm ci in tests/node")
	}
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	loadClientSchema(t, e)
	checkSmoke(t, "node pg", runClient(t, e, node, filepath.Join(dir, "smoke.js")))
}

// psycopg2, Debian's python3-psycopg2.
func TestClientPsycopg2(t *testing.T) {
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		if python, err = exec.LookPath("python3"); err != nil {
			t.Skip("python3 is not installed")
		}
	}
	if err := exec.Command(python, "-c", "import psycopg2").Run(); err != nil {
		t.Skip("psycopg2 is not installed (apt-get install python3-psycopg2)")
	}
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	loadClientSchema(t, e)
	script, _ := filepath.Abs(filepath.Join("..", "tests", "python", "smoke.py"))
	checkSmoke(t, "psycopg2", runClient(t, e, python, script))
}

var pgbenchTxRE = regexp.MustCompile(`number of transactions actually processed: (\d+)/(\d+)`)

// pgbench runs a custom script: a read, an update and an insert in a
// transaction, 100 times.
func TestClientPgbench(t *testing.T) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("pgbench is not installed")
	}
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	loadClientSchema(t, e)
	conn := connect(t, e)
	mustExec(t, conn, "CREATE TABLE history (aid int, delta int, at timestamptz)")
	script, _ := filepath.Abs(filepath.Join("testdata", "pgbench", "transfer.sql"))
	out := runClient(t, e, pgbench, "-n", "-f", script, "-t", "100", "-c", "2")
	m := pgbenchTxRE.FindSubmatch(out)
	if m == nil || string(m[1]) != "200" || string(m[2]) != "200" {
		t.Fatalf("pgbench did not finish its transactions:\n%s", out)
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM history").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 200 {
		t.Errorf("history has %d rows after 200 transactions", n)
	}
	// Each transaction added 1 by UPDATE and 1 through the portal.
	got := queryStrings(t, conn, "SELECT id || ':' || balance FROM accounts ORDER BY id")
	if want := []string{"1:210.50", "2:200.00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("balances %v, want %v", got, want)
	}
	var calls, errors int64
	if err := conn.QueryRow(context.Background(), "SELECT calls, errors FROM portals_catalog.portals WHERE name = 'deposit'").Scan(&calls, &errors); err != nil {
		t.Fatal(err)
	}
	if calls != 200 || errors != 0 {
		t.Errorf("portals_catalog.portals counts %d calls and %d errors of deposit, want 200 and 0", calls, errors)
	}
}

// pgx calls portals as prepared statements (extended protocol, binary
// parameters) and finds them in pg_proc.
func TestClientPgxCallsPortal(t *testing.T) {
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	loadClientSchema(t, e)
	conn := connect(t, e)
	ctx := context.Background()
	for i, want := range []string{"12.50", "14.50"} {
		var id int32
		var balance pgtype.Numeric
		if err := conn.QueryRow(ctx, "SELECT id, balance FROM deposit($1, $2)", 1, "2").Scan(&id, &balance); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		v, err := balance.Value()
		if err != nil {
			t.Fatal(err)
		}
		if id != 1 || v != want {
			t.Errorf("call %d of deposit replied (%d, %v), want (1, %s)", i, id, v, want)
		}
	}
	got := queryStrings(t, conn, "SELECT id || ':' || balance FROM balance_of($1)", "ann")
	if want := []string{"1:14.50"}; !reflect.DeepEqual(got, want) {
		t.Errorf("balance_of('ann') = %v, want %v", got, want)
	}
	rows, err := conn.Query(ctx, `SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid)
		FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = $1 ORDER BY 1`, "public")
	if err != nil {
		t.Fatal(err)
	}
	var fns [][]any
	for rows.Next() {
		var name, args, result string
		if err := rows.Scan(&name, &args, &result); err != nil {
			t.Fatal(err)
		}
		fns = append(fns, []any{name, args, result})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fns, clientFunctions) {
		t.Errorf("functions %v, want %v", fns, clientFunctions)
	}
}
