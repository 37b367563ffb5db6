package pgwire

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The psql tests run the real psql on the scripts in testdata/psql and
// compare what it prints with the .stdout and .stderr files next to them.
// types.stdout and types.stderr were recorded from PostgreSQL 15 with the
// same script; with PORTALSDB_TEST_PG_DSN set, the test checks that they
// still are what PostgreSQL prints.

type psqlTarget struct {
	host, port, user string
	env              []string
}

func runPsql(t *testing.T, target psqlTarget, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	path, lookErr := exec.LookPath("psql")
	if lookErr != nil {
		t.Skip("psql is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	full := append([]string{"-X", "-v", "ON_ERROR_STOP=1", "-h", target.host, "-p", target.port, "-U", target.user, "-d", "postgres"}, args...)
	cmd := exec.CommandContext(ctx, path, full...)
	cmd.Dir = filepath.Join("testdata", "psql")
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGOPTIONS=-c TimeZone=UTC", "PGSSLMODE=prefer", "PGPASSWORD=")
	cmd.Env = append(cmd.Env, target.env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

func serverTarget(addr string) psqlTarget {
	host, port, _ := net.SplitHostPort(addr)
	return psqlTarget{host: host, port: port, user: "postgres"}
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "psql", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestPsqlTypesAndErrorPosition(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	targets := map[string]psqlTarget{"portalsdb": serverTarget(addr)}
	if dsn := os.Getenv("PORTALSDB_TEST_PG_DSN"); dsn != "" {
		cfg, err := pgconn.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		pg := psqlTarget{host: cfg.Host, port: strconv.Itoa(int(cfg.Port)), user: cfg.User}
		if cfg.Password != "" {
			pg.env = []string{"PGPASSWORD=" + cfg.Password}
		}
		targets["postgres"] = pg
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, err := runPsql(t, target, "-f", "types.sql")
			// ON_ERROR_STOP makes psql stop at the error with exit code 3.
			if code := exitCode(err); code != 3 {
				t.Errorf("psql exit code %d (%v), want 3", code, err)
			}
			if want := golden(t, "types.stdout"); stdout != want {
				t.Errorf("stdout differs from types.stdout:\n%s", diffLines(want, stdout))
			}
			if want := golden(t, "types.stderr"); stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
			}
		})
	}
}

func TestPsqlCopy(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	stdout, stderr, err := runPsql(t, serverTarget(addr), "-f", "copy.sql")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, stderr)
	}
	if want := golden(t, "copy.stdout"); stdout != want {
		t.Errorf("stdout differs from copy.stdout:\n%s", diffLines(want, stdout))
	}
	if got := string(eng.table("t")); got != "1\tone\n2\ttwo words\n3\tthree\n" {
		t.Errorf("table holds %q", got)
	}
}

func TestPsqlSCRAMAndTLS(t *testing.T) {
	_, addr := startServer(t, Config{Auth: AuthSCRAM, TLS: selfSignedTLS(t)}, scramEngine())
	target := serverTarget(addr)
	target.user = "alice"
	target.env = []string{"PGPASSWORD=wonderland", "PGSSLMODE=require", "PGCHANNELBINDING=require"}
	stdout, stderr, err := runPsql(t, target, "-c", `\conninfo`, "-c", "select 'in'")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, `as user "alice"`) || !strings.Contains(stdout, "SSL connection (protocol: TLS") ||
		!strings.Contains(stdout, " in\n") {
		t.Fatalf("stdout:\n%s", stdout)
	}
	target.env = []string{"PGPASSWORD=wrong", "PGSSLMODE=require"}
	_, stderr, err = runPsql(t, target, "-c", "select 1")
	if err == nil || !strings.Contains(stderr, `FATAL:  password authentication failed for user "alice"`) {
		t.Fatalf("wrong password: %v\n%s", err, stderr)
	}
}

// diffLines shows the first differing line of two texts.
func diffLines(want, got string) string {
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
			return "line " + strconv.Itoa(i+1) + ":\n want " + strings.ReplaceAll(wl, " ", "·") + "\n  got " + strings.ReplaceAll(gl, " ", "·")
		}
	}
	return "(no difference)"
}
