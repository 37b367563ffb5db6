package server

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The psql tests run the real psql on each script in testdata/psql and
// compare everything it prints (stdout and stderr, in order, then its exit
// status) with NAME.out beside the script. A script's first lines say how:
//
//	-- psql: ON_ERROR_STOP=1     stop at the first error (or =0: go on)
//	-- expected: postgres        NAME.out is what PostgreSQL 15 prints
//	-- expected: portalsdb       NAME.out is portalsdb's own (EXPLAIN, ...)
//
// With PORTALSDB_TEST_PG_DSN set, a "postgres" script also runs against
// PostgreSQL, in a database of its own, and must print NAME.out there too;
// -rewrite rewrites NAME.out from PostgreSQL (or, for "portalsdb" scripts,
// from portalsdb).

type psqlScript struct {
	name        string // file name without .sql
	onErrorStop string
	expected    string
}

func loadPsqlScripts(t *testing.T) []psqlScript {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "psql", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	var out []psqlScript
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := psqlScript{name: strings.TrimSuffix(filepath.Base(f), ".sql")}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "-- psql: ON_ERROR_STOP="); ok {
				s.onErrorStop = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "-- expected: "); ok {
				s.expected = strings.TrimSpace(v)
			}
		}
		if s.onErrorStop == "" || (s.expected != "postgres" && s.expected != "portalsdb") {
			t.Fatalf("%s: want the lines '-- psql: ON_ERROR_STOP=...' and '-- expected: postgres|portalsdb'", f)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		t.Fatal("no psql scripts")
	}
	return out
}

// psqlRun runs psql on a script against host:port/db and returns what it
// printed, followed by its exit status.
func psqlRun(t *testing.T, script psqlScript, host, port, user, db string) string {
	t.Helper()
	path, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-X", "-a", "-v", "ON_ERROR_STOP="+script.onErrorStop,
		"-h", host, "-p", port, "-U", user, "-d", db, "-f", script.name+".sql")
	cmd.Dir = filepath.Join("testdata", "psql")
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGOPTIONS=-c TimeZone=UTC", "PGSSLMODE=disable",
		"PGPASSWORD=", "PGCLIENTENCODING=UTF8", "PAGER=", "PSQL_PAGER=", "COLUMNS=200")
	var out bytes.Buffer
	// One buffer for both streams keeps errors in place among results:
	// psql flushes its output before it writes an error.
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("psql: %v", err)
	}
	return out.String() + fmt.Sprintf("[psql exit status %d]\n", code)
}

func TestE2EPsql(t *testing.T) {
	scripts := loadPsqlScripts(t)
	pgDSNValue := os.Getenv("PORTALSDB_TEST_PG_DSN")
	if *rewrite && pgDSNValue == "" {
		t.Fatal("-rewrite needs PORTALSDB_TEST_PG_DSN")
	}
	for _, script := range scripts {
		t.Run(script.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "psql", script.name+".out")
			if script.expected == "postgres" && pgDSNValue != "" {
				got := psqlAgainstPostgres(t, script, pgDSNValue)
				if *rewrite {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				} else if want := readFile(t, golden); got != want {
					t.Errorf("PostgreSQL no longer prints %s:\n%s", golden, firstDifference(want, got))
				}
			}
			srv := startE2E(t)
			host, port, _ := net.SplitHostPort(srv.Addr())
			got := psqlRun(t, script, host, port, "postgres", "postgres")
			if *rewrite && script.expected == "portalsdb" {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readFile(t, golden); got != want {
				t.Errorf("portalsdb's psql output differs from %s:\n%s", golden, firstDifference(want, got))
			}
		})
	}
}

// psqlAgainstPostgres runs a script in a fresh database of the reference
// PostgreSQL, dropped afterwards.
func psqlAgainstPostgres(t *testing.T, script psqlScript, dsn string) string {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin := connectDSN(t, dsn, pgx.QueryExecModeSimpleProtocol)
	db := fmt.Sprintf("e2e_psql_%d", rand.Uint32())
	mustExec(t, admin, `CREATE DATABASE `+db)
	defer admin.Exec(context.Background(), `DROP DATABASE `+db+` WITH (FORCE)`)
	return psqlRun(t, script, cfg.Host, strconv.Itoa(int(cfg.Port)), cfg.User, db)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// firstDifference shows the first line where two texts differ, with some
// context.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			from := max(0, i-3)
			return fmt.Sprintf("line %d:\n  context: %s\n  want: %q\n  got:  %q", i+1,
				strings.Join(w[from:i], "\n           "), wl, gl)
		}
	}
	return "(no difference)"
}
