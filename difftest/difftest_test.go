package difftest

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"portalsdb/server"
	"portalsdb/sqllogictest"
)

// Long runs: go test ./difftest -run Fuzz -seed 7 -n 100000 -findings /tmp/f.slt
var (
	seedFlag     = flag.Int64("seed", 0, "fuzz seed; 0 runs the fixed short seed set")
	nFlag        = flag.Int("n", 0, "cases per seed; 0 for the short default")
	profileFlag  = flag.String("profiles", "", "comma-separated profiles to fuzz; empty for all")
	findingsFlag = flag.String("findings", "", "append findings to this file")
)

// pgDSNEnv names the environment variable with a real PostgreSQL's DSN.
const pgDSNEnv = "PORTALSDB_TEST_PG_DSN"

// shortSeeds are the seeds of the default run: small enough for a minute,
// and each one clean once the bugs they found were fixed.
var shortSeeds = []int64{1, 2, 3, 4}

const shortCases = 60

func startPortalsdb(t *testing.T) string {
	t.Helper()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "postgres://postgres@" + srv.Addr() + "/postgres?sslmode=disable"
}

func newRunner(t *testing.T, pgDSN, pdbDSN string) *Runner {
	t.Helper()
	pg, err := NewServer("postgres", pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	pdb, err := NewServer("portalsdb", pdbDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close(); pdb.Close() })
	return &Runner{PG: pg, PDB: pdb, Timeout: 20 * time.Second, CheckTypes: true}
}

// TestFuzz runs generated cases on portalsdb and PostgreSQL and fails on
// any difference, printing each one shrunk, as sqllogictest records.
func TestFuzz(t *testing.T) {
	dsn := os.Getenv(pgDSNEnv)
	if dsn == "" {
		t.Skip(pgDSNEnv + " is not set; skipping the differential run")
	}
	r := newRunner(t, dsn, startPortalsdb(t))
	seeds, n := shortSeeds, shortCases
	if *seedFlag != 0 {
		seeds = []int64{*seedFlag}
	}
	if *nFlag > 0 {
		n = *nFlag
	}
	var profiles []Profile
	for _, name := range strings.Split(*profileFlag, ",") {
		if name == "" {
			continue
		}
		p, err := ParseProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		profiles = append(profiles, p)
	}
	var findings io.Writer
	if *findingsFlag != "" {
		f, err := os.OpenFile(*findingsFlag, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		findings = f
	}
	for _, seed := range seeds {
		var out strings.Builder
		rep, err := Fuzz(context.Background(), r, Config{Seed: seed, N: n, Profiles: profiles, Shrink: true,
			ShrinkTrials: 500, Findings: io.MultiWriter(&out, orDiscard(findings)), Log: testLog{t}})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		t.Logf("seed %d: %d cases, %d statements in %v, %d generator errors", seed, rep.Cases, rep.Statements,
			rep.Elapsed.Round(time.Millisecond), rep.GenErrors)
		if rep.Cases != n {
			t.Errorf("seed %d: ran %d cases, want %d", seed, rep.Cases, n)
		}
		if len(rep.Findings) > 0 {
			t.Errorf("seed %d: %d differences; shrunk:\n%s", seed, len(rep.Findings), out.String())
		}
	}
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestRegress runs the regression files the differential tester's
// findings became, on an in-process portalsdb; with PostgreSQL at hand it
// checks that they pass there too, so their expectations are PostgreSQL's.
func TestRegress(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "sqllogictest", "testdata", "regress", "*.slt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no regression files found")
	}
	targets := map[string]string{"portalsdb": ""}
	if dsn := os.Getenv(pgDSNEnv); dsn != "" {
		targets["postgres"] = dsn
	}
	for name, dsn := range targets {
		t.Run(name, func(t *testing.T) {
			cfg := sqllogictest.Config{Verbose: true, Dialect: sqllogictest.DialectRS}
			if dsn == "" {
				cfg.Prepare = func(ctx context.Context, file string) (sqllogictest.Target, error) {
					return freshPortalsdb(t)
				}
			} else {
				fresh, err := sqllogictest.NewFreshDatabases(dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer fresh.Close()
				cfg.Prepare = fresh.Prepare
			}
			var out strings.Builder
			sum, err := sqllogictest.Run(context.Background(), cfg, files, &out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if sum.Failed > 0 || sum.Passed == 0 {
				t.Errorf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
			}
		})
	}
}

// freshPortalsdb starts a server with an empty database for one file.
func freshPortalsdb(t *testing.T) (sqllogictest.Target, error) {
	dir, err := os.MkdirTemp("", "difftest-regress-")
	if err != nil {
		return sqllogictest.Target{}, err
	}
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		os.RemoveAll(dir)
		return sqllogictest.Target{}, err
	}
	release := func(context.Context) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		os.RemoveAll(dir)
		return err
	}
	c, err := pgconn.ParseConfig("postgres://postgres@" + srv.Addr() + "/postgres?sslmode=disable")
	if err != nil {
		release(context.Background())
		return sqllogictest.Target{}, err
	}
	return sqllogictest.Target{Config: c, Release: release}, nil
}
