package incrtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/server"
)

// serveChildEnv names the data directory of a server the test binary runs
// as a child process, to be killed.
const serveChildEnv = "PORTALSDB_INCRTEST_SERVE"

// TestMain runs the server child instead of the tests when asked to.
func TestMain(m *testing.M) {
	if dir := os.Getenv(serveChildEnv); dir != "" {
		serveChild(dir)
		return
	}
	os.Exit(m.Run())
}

// serveChild serves dir with durable commits and prints its address; it
// runs until it is killed.
func serveChild(dir string) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Sync: true, Logger: log})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("addr", srv.Addr())
	select {}
}

// child is a server process.
type child struct {
	cmd    *osexec.Cmd
	addr   string
	stderr *strings.Builder
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := osexec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), serveChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.kill() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "addr ") {
		c.kill()
		t.Fatalf("server child: %q %v\n%s", line, err, c.stderr)
	}
	c.addr = strings.TrimSpace(strings.TrimPrefix(line, "addr "))
	go io.Copy(io.Discard, out)
	return c
}

func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		_ = c.cmd.Wait()
	}
}

// The crash test's workflows, with the batch queries over the base inputs
// that they must equal after every restart.
var crashWorkflows = []Workflow{
	{Name: "per_key", Query: "SELECT k, count(*) AS n, sum(v) AS total, min(v) AS lo, max(v) AS hi FROM s GROUP BY k"},
	{Name: "by_owner", Query: "SELECT t.owner, count(*) AS n, sum(s.v) AS total FROM s JOIN t ON s.k = t.id GROUP BY t.owner"},
	{Name: "of_per_key", Query: "SELECT n % 3 AS r, count(*) AS keys, sum(total) AS total FROM per_key GROUP BY n % 3",
		Batch: "SELECT n % 3 AS r, count(*) AS keys, sum(total) AS total FROM (SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k) p GROUP BY n % 3"},
	{Name: "top", Query: "SELECT w, i, v FROM s ORDER BY v DESC, w, i LIMIT 5"},
	{Name: "owners", Query: "SELECT owner, count(*) AS n, max(id) AS top FROM t GROUP BY owner"},
	// Append-only: their results are their output logs.
	{Name: "high", Query: "SELECT w, i, k, v FROM s WHERE v >= 900"},
	{Name: "high_scaled", Query: "SELECT w, i, v * 2 AS v2 FROM high", Batch: "SELECT w, i, v * 2 AS v2 FROM s WHERE v >= 900"},
	{Name: "of_high", Query: "SELECT k, count(*) AS n, sum(v) AS total FROM high GROUP BY k",
		Batch: "SELECT k, count(*) AS n, sum(v) AS total FROM s WHERE v >= 900 GROUP BY k"},
}

// streamWriter inserts atoms of 5 events (w, i, k, v) into s, i counting
// its atoms; acked are the atoms it was told committed, and inFlight the
// one it was writing when the server died.
type streamWriter struct {
	w        int
	next     int
	acked    map[int]bool
	inFlight int
}

func (sw *streamWriter) run(ctx context.Context, addr string, r *rand.Rand) {
	sw.inFlight = -1
	conn, err := dial(addr, nil)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	for ctx.Err() == nil {
		rows := make([]string, 5)
		for j := range rows {
			rows[j] = fmt.Sprintf("(%d, %d, %d, %d)", sw.w, sw.next, r.IntN(50), r.IntN(1000))
		}
		sw.inFlight = sw.next
		sw.next++
		if _, err := conn.Exec(ctx, "INSERT INTO s VALUES "+strings.Join(rows, ", ")); err != nil {
			return
		}
		sw.acked[sw.inFlight] = true
		sw.inFlight = -1
	}
}

// tableWriter inserts, updates and deletes rows of t (id, owner) and keeps
// the table as acknowledged; pending is the change in flight when the
// server died, as the row before and after it (nil: absent).
type tableWriter struct {
	rows    map[int]int // id -> owner
	pending *tableChange
}

type tableChange struct {
	id            int
	before, after *int
}

func (tw *tableWriter) run(ctx context.Context, addr string, r *rand.Rand) {
	conn, err := dial(addr, nil)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	for ctx.Err() == nil {
		id := r.IntN(50)
		owner := r.IntN(5)
		ch := &tableChange{id: id}
		var stmt string
		if old, ok := tw.rows[id]; ok {
			ch.before = &old
			if r.IntN(3) == 0 {
				stmt = fmt.Sprintf("DELETE FROM t WHERE id = %d", id)
			} else {
				ch.after = &owner
				stmt = fmt.Sprintf("UPDATE t SET owner = %d WHERE id = %d", owner, id)
			}
		} else {
			ch.after = &owner
			stmt = fmt.Sprintf("INSERT INTO t VALUES (%d, %d)", id, owner)
		}
		tw.pending = ch
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return
		}
		if ch.after == nil {
			delete(tw.rows, id)
		} else {
			tw.rows[id] = *ch.after
		}
		tw.pending = nil
	}
}

// TestExactlyOnceAcrossCrashes runs the server as a child process while
// writers insert atoms into a stream and change a table, and kills it with
// SIGKILL 20 times (PORTALSDB_SOAK_KILLS=n for a soak of n kills) at
// random moments, every other time right after a large atom so that
// workflows have a backlog. After each restart: every acknowledged atom and table change is
// there, the atom in flight is there whole or not at all, every workflow
// equals its batch query over the committed input, and a SUBSCRIBE
// resumed with FROM_ATOM carries on without a gap or a duplicate.
func TestExactlyOnceAcrossCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("kills server processes")
	}
	rounds := crashRounds(t)
	seed := baseSeed(t)
	r := rand.New(rand.NewPCG(seed, 3))
	dir := t.TempDir()
	srv := startChild(t, dir)
	conn := connect(t, srv.addr, nil)
	exec(t, conn, "CREATE STREAM s (w int, i int, k int, v int)", "CREATE TABLE t (id int PRIMARY KEY, owner int)", "CREATE STREAM marker (m int)")
	for _, w := range crashWorkflows {
		exec(t, conn, w.Create())
	}
	// per_key keeps counted rows; high's result is its output log.
	subscribed := []string{"per_key", "high"}
	subs := make([]*Subscription, len(subscribed))
	for i, name := range subscribed {
		sub, err := Subscribe(connect(t, srv.addr, nil), "SUBSCRIBE "+name+" WITH (SNAPSHOT = true, PROGRESS = true)", nil)
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = sub
	}
	writers := make([]*streamWriter, 3)
	for w := range writers {
		writers[w] = &streamWriter{w: w, acked: map[int]bool{}}
	}
	table := &tableWriter{rows: map[int]int{}}
	bulk := 0 // the number of bulk atoms, written by the test itself

	for round := range rounds {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w, sw := range writers {
			wg.Add(1)
			wr := rand.New(rand.NewPCG(seed, uint64(100*round+w)))
			go func() { defer wg.Done(); sw.run(ctx, srv.addr, wr) }()
		}
		wg.Add(1)
		tr := rand.New(rand.NewPCG(seed, uint64(100*round+99)))
		go func() { defer wg.Done(); table.run(ctx, srv.addr, tr) }()

		time.Sleep(time.Duration(20+r.IntN(200)) * time.Millisecond)
		if round%2 == 0 {
			// A large atom, acknowledged just before the kill, leaves
			// the workflows a backlog.
			var b strings.Builder
			for j := range 8000 {
				fmt.Fprintf(&b, "%d\t%d\t%d\t%d\n", 100, bulk, j%50, j%997)
			}
			if _, err := conn.PgConn().CopyFrom(testContext(t), strings.NewReader(b.String()), "COPY s FROM STDIN"); err != nil {
				t.Fatalf("round %d: bulk COPY: %v", round, err)
			}
			bulk++
		}
		srv.kill()
		wg.Wait()
		cancel()
		subStates := make([]Rows, len(subs))
		subProgress := make([]int64, len(subs))
		for i, sub := range subs {
			subStates[i], subProgress[i] = sub.State()
			sub.Close()
		}

		srv = startChild(t, dir)
		conn = connect(t, srv.addr, nil)
		behind := queryInt(t, conn, "SELECT count(*) FROM s") - queryInt(t, conn, "SELECT coalesce(sum(n), 0) FROM per_key")
		t.Logf("round %d: restarted with per_key %d events behind", round, behind)
		exec(t, conn, "FLUSH")
		checkCommitted(t, conn, round, writers, table, bulk)
		for _, w := range crashWorkflows {
			batch := w.Batch
			if batch == "" {
				batch = w.Query
			}
			got := query(t, conn, "SELECT * FROM "+w.Name)
			want := query(t, conn, batch)
			if !got.Equal(want) {
				t.Fatalf("round %d (seed %d): workflow %s differs from its batch query after a crash\n%s", round, seed, w.Name, Diff(want, got))
			}
		}
		for i, name := range subscribed {
			sub, err := Subscribe(connect(t, srv.addr, nil), fmt.Sprintf("SUBSCRIBE %s WITH (FROM_ATOM = %d, PROGRESS = true)", name, subProgress[i]+1), subStates[i])
			if err != nil {
				t.Fatal(err)
			}
			subs[i] = sub
		}
		exec(t, conn, "INSERT INTO marker VALUES (1)")
		marker := queryInt(t, conn, "SELECT max(_atom) FROM marker")
		for i, name := range subscribed {
			state, _, err := subs[i].Wait(testContext(t), marker)
			if err != nil {
				t.Fatal(err)
			}
			if want := query(t, conn, "SELECT * FROM "+name); !state.Equal(want) {
				t.Fatalf("round %d: SUBSCRIBE %s resumed FROM_ATOM = %d differs from the result\n%s", round, name, subProgress[i]+1, Diff(want, state))
			}
		}
	}
	for _, sub := range subs {
		sub.Close()
	}
}

// crashRounds is the number of kills: 20, PORTALSDB_SOAK_KILLS when set
// (the soak mode), or 60 with PORTALSDB_LONG.
func crashRounds(t *testing.T) int {
	if s := os.Getenv("PORTALSDB_SOAK_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PORTALSDB_SOAK_KILLS=%q: want a positive number of kills", s)
		}
		return n
	}
	if long() {
		return 60
	}
	return 20
}

// checkCommitted checks the inputs after a restart against what the
// writers were told, and takes the in-flight changes' outcomes as the
// writers' new state.
func checkCommitted(t *testing.T, conn *pgx.Conn, round int, writers []*streamWriter, table *tableWriter, bulk int) {
	t.Helper()
	atoms := query(t, conn, "SELECT w, i, count(*) FROM s GROUP BY w, i")
	seen := map[[2]int]int{}
	for k, n := range atoms {
		var w, i, c int
		if _, err := fmt.Sscanf(strings.NewReplacer(`"`, "", "(", "", ")", "", ",", "").Replace(k), "%d %d %d", &w, &i, &c); err != nil || n != 1 {
			t.Fatalf("row %s: %v", k, err)
		}
		seen[[2]int{w, i}] = c
	}
	for i := range bulk {
		if seen[[2]int{100, i}] != 8000 {
			t.Fatalf("round %d: bulk atom %d has %d of its 8000 rows", round, i, seen[[2]int{100, i}])
		}
		delete(seen, [2]int{100, i})
	}
	for _, sw := range writers {
		for i := range sw.next {
			n, acked := seen[[2]int{sw.w, i}], sw.acked[i]
			switch {
			case acked && n != 5:
				t.Fatalf("round %d: writer %d's acknowledged atom %d has %d of its 5 rows", round, sw.w, i, n)
			case !acked && i != sw.inFlight && n != 0:
				t.Fatalf("round %d: writer %d's atom %d, never written, has %d rows", round, sw.w, i, n)
			case n != 0 && n != 5:
				t.Fatalf("round %d: writer %d's atom %d is partly there: %d of 5 rows", round, sw.w, i, n)
			case n == 5:
				sw.acked[i] = true
			}
			delete(seen, [2]int{sw.w, i})
		}
	}
	for k, n := range seen {
		t.Fatalf("round %d: atom %v of %d rows comes from no writer", round, k, n)
	}
	rows := map[int]int{}
	for k := range query(t, conn, "SELECT id, owner FROM t") {
		var id, owner int
		if _, err := fmt.Sscanf(strings.NewReplacer(`"`, "", "(", "", ")", "", ",", "").Replace(k), "%d %d", &id, &owner); err != nil {
			t.Fatalf("row %s: %v", k, err)
		}
		rows[id] = owner
	}
	want := map[int]int{}
	for id, o := range table.rows {
		want[id] = o
	}
	if p := table.pending; p != nil {
		// Either outcome of the change in flight, whole.
		got, ok := rows[p.id]
		switch {
		case p.after != nil && ok && got == *p.after:
			want[p.id] = *p.after
		case p.after == nil && !ok:
			delete(want, p.id)
		}
		table.pending = nil
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("round %d: table t after a crash\n got %v\nwant %v", round, rows, want)
	}
	table.rows = rows
}
