package sqllogictest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestExpandFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.test", "sub/b.slt", "sub/c.txt", "deep/x/y/d.test"} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(f)), "")
	}
	p := func(rel ...string) []string {
		var out []string
		for _, r := range rel {
			out = append(out, filepath.Join(dir, filepath.FromSlash(r)))
		}
		return out
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{dir}, p("a.test", "deep/x/y/d.test", "sub/b.slt")},
		{p("*.test"), p("a.test")},
		{p("**/*.test"), p("a.test", "deep/x/y/d.test")},
		{p("deep/**/d.test"), p("deep/x/y/d.test")},
		{p("sub/c.txt", "a.test"), p("sub/c.txt", "a.test")},
	}
	for _, c := range cases {
		got, err := expandFiles(c.args)
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v:\n got %v\nwant %v", c.args, got, c.want)
		}
	}
	for _, bad := range [][]string{p("nosuch.test"), p("*.nothing"), p("**/*.nothing")} {
		if _, err := expandFiles(bad); err == nil {
			t.Errorf("%v: no error for a pattern matching nothing", bad)
		}
	}
}

func TestMainUsageErrors(t *testing.T) {
	file := filepath.Join("testdata", "sqlite_suite.test")
	cases := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"-h"}, 0},
		{[]string{"--dialect", "cobol", file}, 2},
		{[]string{file}, 2}, // no --addr and no server to start
		{[]string{"--addr", "127.0.0.1:1", "--reset", "bogus", file}, 2},
		{[]string{"--addr", "127.0.0.1:1", "--reset", "none", "--jobs", "2", file}, 2},
		{[]string{"--addr", "127.0.0.1:1", "nosuch.test"}, 2},
		{[]string{"--addr", "127.0.0.1:1", "--divergences", "nosuch.txt", file}, 2},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if got := Main(context.Background(), c.args, &stdout, &stderr, nil); got != c.code {
			t.Errorf("Main(%q) = %d, want %d\nstderr: %s", c.args, got, c.code, stderr.String())
		}
	}
}

func TestParseInterspersedFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// Flags after file names still count: --reset bogus is reported even
	// though it comes last.
	code := Main(context.Background(), []string{"--addr", "127.0.0.1:1", filepath.Join("testdata", "sqlite_suite.test"), "--reset", "bogus"}, &stdout, &stderr, nil)
	if code != 2 || !strings.Contains(stderr.String(), "bogus") {
		t.Errorf("code %d, stderr %q", code, stderr.String())
	}
}

func TestMainAgainstPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	suites := []string{filepath.Join("testdata", "sqlite_suite.test"), filepath.Join("testdata", "rs_suite.slt")}

	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), append([]string{"--dsn", dsn, "-q", "--reset", "fresh-schema", "--jobs", "2"}, suites...), &stdout, &stderr, nil); code != 0 {
		t.Fatalf("own suites: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.HasSuffix(stdout.String(), "37 passed, 0 failed, 6 skipped\n0 divergences (listed)\n") {
		t.Errorf("own suites output:\n%s", stdout.String())
	}

	failing := filepath.Join("testdata", "failing", "rs_failures.slt")
	list := filepath.Join(t.TempDir(), "failures.txt")
	stdout.Reset()
	if code := Main(context.Background(), []string{"--dsn", dsn, "-q", "--list-failures", list, "--corpus-root", "testdata", failing}, &stdout, &stderr, nil); code != 1 {
		t.Fatalf("failing file: exit %d, want 1\n%s", code, stdout.String())
	}
	d, err := LoadDivergences(list)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(expectedFailures(t, failing)); d.Len() != n {
		t.Errorf("--list-failures wrote %d entries, want %d", d.Len(), n)
	}
	for _, e := range d.Entries() {
		if e.Path != "failing/rs_failures.slt" {
			t.Errorf("entry path %q is not relative to --corpus-root", e.Path)
		}
	}

	// The written list turns every failure into a divergence: the run
	// passes, and --check-divergences agrees that each entry still fails.
	stdout.Reset()
	if code := Main(context.Background(), []string{"--dsn", dsn, "-q", "--divergences", list, "--check-divergences", failing}, &stdout, &stderr, nil); code != 0 {
		t.Errorf("with its failures listed: exit %d\n%s", code, stdout.String())
	}

	// A listed record that passes is reported by --check-divergences.
	passing := filepath.Join(t.TempDir(), "passing.txt")
	writeFile(t, passing, "testdata/sqlite_suite.test:5  not really a divergence\n")
	stdout.Reset()
	code := Main(context.Background(), []string{"--dsn", dsn, "-q", "--divergences", passing, "--check-divergences", suites[0]}, &stdout, &stderr, nil)
	if code != 1 || !strings.Contains(stdout.String(), "listed divergence passes: testdata/sqlite_suite.test:5") {
		t.Errorf("passing listed entry: exit %d\n%s", code, stdout.String())
	}
}

// TestMainStartsServers checks the StartServer paths with a "server" that is
// the test's PostgreSQL: one start per file with --reset server (the
// default), one per run otherwise.
func TestMainStartsServers(t *testing.T) {
	dsn := postgresDSN(t)
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort(pc.Host, strconv.Itoa(int(pc.Port)))
	starts, stops := 0, 0
	start := func(context.Context) (string, func(), error) {
		starts++
		return addr, func() { stops++ }, nil
	}
	dir := t.TempDir()
	var files []string
	for i := range 3 {
		f := filepath.Join(dir, fmt.Sprintf("f%d.test", i))
		writeFile(t, f, "query I nosort\nSELECT 1\n----\n1\n")
		files = append(files, f)
	}
	args := append([]string{"-q", "--user", pc.User}, files...)
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), args, &stdout, &stderr, start); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if starts != 3 || stops != 3 {
		t.Errorf("--reset server: %d starts, %d stops, want 3 and 3", starts, stops)
	}
	starts, stops = 0, 0
	if code := Main(context.Background(), append([]string{"--reset", "fresh-schema"}, args...), &stdout, &stderr, start); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if starts != 1 || stops != 1 {
		t.Errorf("one server per run: %d starts, %d stops, want 1 and 1", starts, stops)
	}
}
