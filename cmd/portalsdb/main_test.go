package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"portalsdb/bench"
)

// runMainEnv makes the test binary run main() with the arguments it was
// started with, so the tests run the real command as a child process.
const runMainEnv = "PORTALSDB_CMD_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type child struct {
	cmd    *exec.Cmd
	stderr *bench.LockedBuffer
	done   chan error
	addr   string
}

var listening = regexp.MustCompile(`level=INFO msg="portalsdb listening" addr=(\S+) data=(\S+)`)

// runChild runs `portalsdb args...` in dir and waits for its
// structured "listening" log line.
func runChild(t *testing.T, dir string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	c := &child{cmd: cmd, stderr: &bench.LockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-c.done
		}
	})
	deadline := time.After(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(c.stderr.String()); m != nil {
			c.addr = m[1]
			return c
		}
		select {
		case err := <-c.done:
			t.Fatalf("portalsdb exited: %v\n%s", err, c.stderr)
		case <-deadline:
			t.Fatalf("portalsdb did not start\n%s", c.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop sends sig and waits for a clean exit.
func (c *child) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("exit after %v: %v\n%s", sig, err, c.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("portalsdb did not stop on %v\n%s", sig, c.stderr)
	}
}

func connect(t *testing.T, addr string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// Bare `portalsdb` serves, keeps its data in ./portalsdb-data, logs
// structured lines, and shuts down cleanly on SIGINT; `portalsdb serve`
// over the same directory finds what was committed, and stops on SIGTERM.
func TestBarePortalsdbServesAndStopsOnSignals(t *testing.T) {
	dir := t.TempDir()
	c := runChild(t, dir, "--listen", "127.0.0.1:0")
	if m := listening.FindStringSubmatch(c.stderr.String()); m[2] != "./portalsdb-data" {
		t.Errorf("data directory %q, want the default ./portalsdb-data", m[2])
	}
	ctx := context.Background()
	conn := connect(t, c.addr)
	for _, q := range []string{"CREATE TABLE kept (k int PRIMARY KEY, v text)", "INSERT INTO kept VALUES (1, 'one'), (2, 'two')"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close(ctx)
	c.stop(t, syscall.SIGINT)
	for _, want := range []string{`msg="shutting down" signal=interrupt`, "msg=stopped"} {
		if !strings.Contains(c.stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, c.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "portalsdb-data")); err != nil {
		t.Fatalf("default data directory: %v", err)
	}

	c = runChild(t, dir, "serve", "--listen", "127.0.0.1:0", "--data", "portalsdb-data")
	conn = connect(t, c.addr)
	var n int
	var s string
	if err := conn.QueryRow(ctx, "SELECT count(*), string_agg(v, ',' ORDER BY k) FROM kept").Scan(&n, &s); err != nil {
		t.Fatal(err)
	}
	if n != 2 || s != "one,two" {
		t.Errorf("after restart: %d rows %q, want 2 rows \"one,two\"", n, s)
	}
	conn.Close(ctx)
	c.stop(t, syscall.SIGTERM)
	if !strings.Contains(c.stderr.String(), `msg="shutting down" signal=terminated`) {
		t.Errorf("log lacks the SIGTERM shutdown:\n%s", c.stderr)
	}
}

// The documented defaults: 127.0.0.1:5433 and ./portalsdb-data. The
// address is read from the usage text rather than listened on, since
// another server may hold that port.
func TestServeDefaults(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "-h")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	out, _ := cmd.CombinedOutput()
	for _, want := range []string{`-listen string`, `(default "127.0.0.1:5433")`, `-data string`, `(default "./portalsdb-data")`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("usage lacks %q:\n%s", want, out)
		}
	}
}
