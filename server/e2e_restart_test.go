package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"portalsdb/bench"
)

// The restart tests run the portalsdb binary, built once per test run, in
// a child process, so that they can kill it with SIGKILL at any moment,
// stop it with SIGTERM as an operator would, and start it again on the
// same data directory.

var portalsdbBinary struct {
	once sync.Once
	path string
	err  error
}

// buildBinary builds cmd/portalsdb into a directory removed when the test
// binary exits.
func buildBinary(t *testing.T) string {
	t.Helper()
	portalsdbBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "portalsdb-e2e-bin-")
		if err != nil {
			portalsdbBinary.err = err
			return
		}
		path := filepath.Join(dir, "portalsdb")
		out, err := exec.Command("go", "build", "-o", path, "portalsdb/cmd/portalsdb").CombinedOutput()
		if err != nil {
			portalsdbBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		portalsdbBinary.path = path
	})
	if portalsdbBinary.err != nil {
		t.Fatal(portalsdbBinary.err)
	}
	return portalsdbBinary.path
}

// removeBinary deletes the binary the restart tests built, if any.
func removeBinary() {
	if portalsdbBinary.path != "" {
		os.RemoveAll(filepath.Dir(portalsdbBinary.path))
	}
}

// childServer is `portalsdb serve` running in a child process.
type childServer struct {
	cmd    *exec.Cmd
	addr   string
	stderr *bench.LockedBuffer
	done   chan error
}

var listeningLine = regexp.MustCompile(`msg="portalsdb listening" addr=(\S+)`)

// startChild runs `portalsdb serve --data dir` with extra flags, on a free
// port, and waits until it listens.
func startChild(t *testing.T, dir string, flags ...string) *childServer {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir, "--log-level", "info"}, flags...)
	cmd := exec.Command(buildBinary(t), args...)
	c := &childServer{cmd: cmd, stderr: &bench.LockedBuffer{}, done: make(chan error, 1)}
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
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningLine.FindStringSubmatch(c.stderr.String()); m != nil {
			c.addr = m[1]
			return c
		}
		select {
		case err := <-c.done:
			t.Fatalf("portalsdb serve exited: %v\n%s", err, c.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("portalsdb serve did not start\n%s", c.stderr)
		}
	}
}

// kill ends the child with SIGKILL: no shutdown, no flush.
func (c *childServer) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.done
}

// stop ends the child with SIGTERM and waits for its clean exit.
func (c *childServer) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("graceful stop: %v\n%s", err, c.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not stop on SIGTERM\n%s", c.stderr)
	}
}

// writer is one client of the crash workload: it inserts rows with
// increasing sequence numbers and remembers the last one the server
// acknowledged.
type writer struct {
	id      int
	next    int // the next sequence number to write
	lastAck int
	// pairs makes the writer insert two rows per explicit transaction
	// (seq and -seq), which must survive together or not at all.
	pairs bool
}

func (w *writer) run(ctx context.Context, addr string) {
	conn, err := pgx.Connect(ctx, dsnOf(addr))
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	for ctx.Err() == nil {
		seq := w.next
		if w.pairs {
			err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO log VALUES ($1, $2, 'pair')`, w.id, seq); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO log VALUES ($1, $2, 'pair')`, w.id, -seq)
				return err
			})
		} else {
			_, err = conn.Exec(ctx, `INSERT INTO log VALUES ($1, $2, 'single')`, w.id, seq)
		}
		if err != nil {
			return // the server is gone
		}
		w.lastAck = seq
		w.next++
	}
}

// TestE2ECrashRestart kills the server with SIGKILL at random moments while
// clients write, restarts it on the same data directory, and checks that
// every acknowledged commit is there, that transactions are all or
// nothing, and that nothing uncommitted is.
func TestE2ECrashRestart(t *testing.T) {
	dir := t.TempDir()
	child := startChild(t, dir)
	setup := connect(t, child.addr, pgx.QueryExecModeSimpleProtocol)
	mustExec(t, setup, `CREATE TABLE log (writer int, seq int, kind text, PRIMARY KEY (writer, seq))`)
	setup.Close(context.Background())

	writers := []*writer{{id: 1, next: 1}, {id: 2, next: 1}, {id: 3, next: 1, pairs: true}, {id: 4, next: 1, pairs: true}}
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	for round := 0; round < rounds; round++ {
		// A session that never commits: its rows must never appear.
		open := connect(t, child.addr, pgx.QueryExecModeSimpleProtocol)
		mustExec(t, open, `BEGIN`, fmt.Sprintf(`INSERT INTO log VALUES (99, %d, 'uncommitted')`, round))

		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, w := range writers {
			wg.Add(1)
			go func(w *writer) {
				defer wg.Done()
				w.run(ctx, child.addr)
			}(w)
		}
		time.Sleep(time.Duration(150+rand.IntN(350)) * time.Millisecond)
		child.kill(t)
		cancel()
		wg.Wait()

		child = startChild(t, dir)
		check := connect(t, child.addr, pgx.QueryExecModeSimpleProtocol)
		for _, w := range writers {
			var n, lo, hi int64
			sign := ""
			if w.pairs {
				sign = " AND seq > 0"
			}
			if err := check.QueryRow(context.Background(), `SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM log WHERE writer = $1`+sign, w.id).
				Scan(&n, &lo, &hi); err != nil {
				t.Fatal(err)
			}
			// Every acknowledged row is there with no gap; the row in
			// flight at the kill may or may not have committed.
			if w.lastAck == 0 && hi == 0 {
				continue
			}
			if lo != 1 || n != hi || hi < int64(w.lastAck) || hi > int64(w.lastAck)+1 {
				t.Fatalf("round %d, writer %d: %d rows from %d to %d, but %d were acknowledged", round, w.id, n, lo, hi, w.lastAck)
			}
			if w.pairs {
				var halves int64
				if err := check.QueryRow(context.Background(), `SELECT count(*) FROM log a WHERE writer = $1 AND NOT EXISTS
					(SELECT 1 FROM log b WHERE b.writer = a.writer AND b.seq = -a.seq)`, w.id).Scan(&halves); err != nil {
					t.Fatal(err)
				}
				if halves != 0 {
					t.Fatalf("round %d, writer %d: %d rows of a transaction survived without their pair", round, w.id, halves)
				}
			}
			// The writer goes on after what survived.
			w.next, w.lastAck = int(hi)+1, int(hi)
		}
		if n := count(t, check, `SELECT count(*) FROM log WHERE writer = 99`); n != 0 {
			t.Fatalf("round %d: %d uncommitted rows survived the crash", round, n)
		}
		var acked int
		for _, w := range writers {
			acked += w.lastAck
		}
		t.Logf("round %d: %d acknowledged writes survived", round, acked)
		check.Close(context.Background())
	}
	child.stop(t)
}

// TestE2EGracefulRestartKeepsEverything stops the server with SIGTERM and
// starts it again: rows, tables, indexes, views, schemas, serial counters
// and roles (with their passwords) are all still there.
func TestE2EGracefulRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	child := startChild(t, dir)
	conn := connect(t, child.addr, pgx.QueryExecModeCacheStatement)
	mustExec(t, conn,
		`CREATE SCHEMA shop`,
		`CREATE TABLE shop.items (id serial PRIMARY KEY, name text NOT NULL UNIQUE, qty int CHECK (qty >= 0) DEFAULT 1)`,
		`CREATE INDEX items_qty ON shop.items (qty)`,
		`INSERT INTO shop.items (name, qty) SELECT 'item' || g, g % 10 FROM generate_series(1, 500) g`,
		`CREATE VIEW shop.low AS SELECT name FROM shop.items WHERE qty < 2`,
		`CREATE ROLE alice LOGIN PASSWORD 'wonderland'`,
		`ALTER TABLE shop.items ADD COLUMN note text DEFAULT 'n/a'`,
		`DELETE FROM shop.items WHERE id % 100 = 0`,
	)
	// An uncommitted transaction at shutdown is rolled back.
	open := connect(t, child.addr, pgx.QueryExecModeSimpleProtocol)
	mustExec(t, open, `BEGIN`, `INSERT INTO shop.items (name) VALUES ('uncommitted')`)
	before := queryStrings(t, conn, `SELECT id, name, qty, note FROM shop.items ORDER BY id`)
	child.stop(t)

	child = startChild(t, dir, "--auth", "scram", "--max-connections", "2")
	// The role survived with its password: SCRAM accepts it, and only it.
	alice := connectDSN(t, userDSN(child.addr, "alice", "wonderland"), pgx.QueryExecModeCacheStatement)
	if got := count(t, alice, `SELECT 1`); got != 1 {
		t.Fatal(got)
	}
	wantCode(t, connectErr(t, userDSN(child.addr, "alice", "wonderlang")), "28P01")
	// --max-connections 2: a third client is refused.
	connectDSN(t, userDSN(child.addr, "alice", "wonderland"), pgx.QueryExecModeCacheStatement)
	wantCode(t, connectErr(t, userDSN(child.addr, "alice", "wonderland")), "53300")
	// A superuser without a password cannot log in under SCRAM, so start
	// again with trust to check the rest.
	child.stop(t)
	child = startChild(t, dir)
	conn = connect(t, child.addr, pgx.QueryExecModeCacheStatement)
	after := queryStrings(t, conn, `SELECT id, name, qty, note FROM shop.items ORDER BY id`)
	wantRows(t, "rows after restart", after, before)
	if len(after) != 495 {
		t.Fatalf("%d rows", len(after))
	}
	if !strings.Contains(explain(t, conn, `SELECT id FROM shop.items WHERE qty = 3`), "Index Scan using items_qty") {
		t.Error("the index is not used after the restart")
	}
	wantRows(t, "index answers", queryStrings(t, conn, `SELECT count(*) FROM shop.items WHERE qty = 3`), [][]string{{"50"}})
	wantRows(t, "view", queryStrings(t, conn, `SELECT count(*) FROM shop.low`), [][]string{{"95"}})
	// The serial counter does not hand out an id again; constraints hold.
	got := queryStrings(t, conn, `INSERT INTO shop.items (name) VALUES ('new') RETURNING id > 500, qty, note`)
	wantRows(t, "serial after restart", got, [][]string{{"true", "1", "n/a"}})
	_, err := conn.Exec(context.Background(), `INSERT INTO shop.items (name, qty) VALUES ('item1', 1)`)
	wantCode(t, err, "23505")
	_, err = conn.Exec(context.Background(), `INSERT INTO shop.items (name, qty) VALUES ('neg', -1)`)
	wantCode(t, err, "23514")
	child.stop(t)
}
