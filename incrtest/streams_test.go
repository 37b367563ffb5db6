package incrtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// waitFor polls query until it returns want, for up to a minute: the
// generators and the retention sweep run on their own, so their tests
// wait for an outcome (they assert nothing about how long it takes).
func waitFor(t *testing.T, conn *pgx.Conn, query string, want int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := queryInt(t, conn, query)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %d after a minute, want %d", query, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitAtLeast polls query until it returns at least n, for up to a
// minute: a running generator's stream has grown that far.
func waitAtLeast(t *testing.T, conn *pgx.Conn, query string, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for queryInt(t, conn, query) < n {
		if time.Now().After(deadline) {
			t.Fatal("the generator does not advance")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGeneratorResumesAcrossKill kills the server with SIGKILL while a
// bounded generator runs, twice, and checks that the stream ends up with
// every event exactly once, in whole atoms, and that a workflow over it
// equals its batch query.
func TestGeneratorResumesAcrossKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills server processes")
	}
	const events, atomRows = 6000, 100
	dir := t.TempDir()
	srv := startChild(t, dir)
	conn := connect(t, srv.addr, nil)
	exec(t, conn, fmt.Sprintf("CREATE STREAM g FROM GENERATOR series (count => %d, atom_rows => %d, events_per_second => 20000)", events, atomRows),
		"CREATE WORKFLOW g_total AS SELECT count(*) AS c, sum(n) AS s, count(DISTINCT n) AS d, max(n) AS hi FROM g")
	for kill := range 2 {
		// Kill once some atoms are in, while more are coming.
		waitAtLeast(t, conn, "SELECT count(*) FROM g", int64((kill+1)*events/4))
		srv.kill()
		srv = startChild(t, dir)
		conn = connect(t, srv.addr, nil)
	}
	waitFor(t, conn, "SELECT count(*) FROM g", events)
	exec(t, conn, "FLUSH")
	for _, c := range []struct {
		query string
		want  int64
	}{
		{"SELECT count(DISTINCT n) FROM g", events},
		{"SELECT min(n) FROM g", 1},
		{"SELECT max(n) FROM g", events},
		{"SELECT count(DISTINCT _atom) FROM g", events / atomRows},
		{fmt.Sprintf("SELECT count(*) FROM (SELECT _atom FROM g GROUP BY _atom HAVING count(*) <> %d) partial", atomRows), 0},
	} {
		if got := queryInt(t, conn, c.query); got != c.want {
			t.Errorf("%s = %d, want %d", c.query, got, c.want)
		}
	}
	got := query(t, conn, "SELECT * FROM g_total")
	want := query(t, conn, "SELECT count(*) AS c, sum(n) AS s, count(DISTINCT n) AS d, max(n) AS hi FROM g")
	if !got.Equal(want) {
		t.Fatalf("workflow over the generator after kills\n%s", Diff(want, got))
	}
}

// TestGeneratedStreamsAcrossKill kills the server twice while a Nexmark
// generator, a sequencer copying its atoms and workflows over both run.
// A generator stream stores only its atoms' event ranges, and readers make
// the events again: the atoms read before each kill must read the same
// after it, the streams must end with every event once, in whole atoms,
// and the workflows must equal their batch queries.
func TestGeneratedStreamsAcrossKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills server processes")
	}
	const bids, atomRows = 9200, 200 // 46 of every 50 of 10000 events
	dir := t.TempDir()
	srv := startChild(t, dir)
	conn := connect(t, srv.addr, nil)
	workflows := []Workflow{
		{Name: "per_auction", Query: "SELECT auction, count(*) AS n, sum(price) AS total FROM bid GROUP BY auction"},
		{Name: "per_channel", Query: "SELECT channel, count(*) AS n, max(date_time) AS last FROM bids GROUP BY channel"},
	}
	exec(t, conn, "CREATE STREAM bid FROM GENERATOR nexmark (kind => 'bid', seed => 2, max_events => 10000, atom_rows => 200, events_per_second => 4000)",
		"CREATE SEQUENCER bids FOR bid")
	for _, w := range workflows {
		exec(t, conn, w.Create())
	}
	type seen struct {
		atom      int64
		bid, bids Rows
	}
	var reads []seen
	for kill := range 2 {
		waitAtLeast(t, conn, "SELECT count(*) FROM bids", int64((kill+1)*bids/4))
		atom := queryInt(t, conn, "SELECT max(_atom) FROM bids")
		reads = append(reads, seen{atom,
			query(t, conn, fmt.Sprintf("SELECT * FROM bid WHERE _atom <= %d", atom)),
			query(t, conn, fmt.Sprintf("SELECT * FROM bids WHERE _atom <= %d", atom))})
		srv.kill()
		srv = startChild(t, dir)
		conn = connect(t, srv.addr, nil)
	}
	waitFor(t, conn, "SELECT count(*) FROM bid", bids)
	waitFor(t, conn, "SELECT count(*) FROM bids", bids)
	exec(t, conn, "FLUSH")
	for _, r := range reads {
		if got := query(t, conn, fmt.Sprintf("SELECT * FROM bid WHERE _atom <= %d", r.atom)); !got.Equal(r.bid) {
			t.Errorf("bid up to atom %d reads differently after the kill\n%s", r.atom, Diff(r.bid, got))
		}
		if got := query(t, conn, fmt.Sprintf("SELECT * FROM bids WHERE _atom <= %d", r.atom)); !got.Equal(r.bids) {
			t.Errorf("bids up to atom %d reads differently after the kill\n%s", r.atom, Diff(r.bids, got))
		}
	}
	for _, c := range []struct {
		query string
		want  int64
	}{
		{"SELECT count(DISTINCT _atom) FROM bid", bids / atomRows},
		{"SELECT count(DISTINCT _atom) FROM bids", bids / atomRows},
		{fmt.Sprintf("SELECT count(*) FROM (SELECT _atom FROM bid GROUP BY _atom HAVING count(*) <> %d) partial", atomRows), 0},
		{"SELECT count(*) FROM (SELECT * FROM bid EXCEPT ALL SELECT * FROM bids) missing", 0},
		{"SELECT count(*) FROM (SELECT * FROM bids EXCEPT ALL SELECT * FROM bid) extra", 0},
	} {
		if got := queryInt(t, conn, c.query); got != c.want {
			t.Errorf("%s = %d, want %d", c.query, got, c.want)
		}
	}
	for _, w := range workflows {
		got := query(t, conn, "SELECT * FROM "+w.Name)
		want := query(t, conn, w.Query)
		if !got.Equal(want) {
			t.Errorf("workflow %s after kills\n%s", w.Name, Diff(want, got))
		}
	}
}

// TestAsOfAtom reads a stream and a table as of earlier atoms: each read
// sees exactly the atoms up to the one named.
func TestAsOfAtom(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn, "CREATE STREAM s (v int)", "CREATE TABLE t (id int PRIMARY KEY, v int)", "CREATE STREAM unrelated (v int)",
		"CREATE WORKFLOW s_total AS SELECT sum(v) AS total FROM s",
		"CREATE WORKFLOW t_total AS SELECT sum(v) AS total FROM t")
	type point struct{ atom, streamSum, tableSum int64 }
	var points []point
	var streamSum int64
	table := map[int]int{}
	for i := range 8 {
		streamSum += int64(i + 1)
		table[i%3] = i * 10
		tx, err := conn.Begin(testContext(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{fmt.Sprintf("INSERT INTO s VALUES (%d)", i+1),
			fmt.Sprintf("INSERT INTO t VALUES (%d, %d) ON CONFLICT (id) DO UPDATE SET v = excluded.v", i%3, i*10)} {
			if _, err := tx.Exec(testContext(t), stmt); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(testContext(t)); err != nil {
			t.Fatal(err)
		}
		var ts int64
		for _, v := range table {
			ts += int64(v)
		}
		points = append(points, point{queryInt(t, conn, "SELECT max(_atom) FROM s"), streamSum, ts})
		// An atom no workflow reads: AS OF it, workflows show the same.
		exec(t, conn, fmt.Sprintf("INSERT INTO unrelated VALUES (%d)", i))
		points = append(points, point{queryInt(t, conn, "SELECT max(_atom) FROM unrelated"), streamSum, ts})
	}
	for _, p := range points {
		var s, tv int64
		if err := conn.QueryRow(context.Background(), "SELECT (SELECT sum(v) FROM s), (SELECT sum(v) FROM t) AS OF ATOM $1", p.atom).Scan(&s, &tv); err != nil {
			t.Fatal(err)
		}
		if s != p.streamSum || tv != p.tableSum {
			t.Errorf("AS OF ATOM %d: stream sum %d, table sum %d; want %d, %d", p.atom, s, tv, p.streamSum, p.tableSum)
		}
		// Workflows are read where they had absorbed the atom, which they
		// committed after it: they agree with their inputs at the atom.
		var ws, wt int64
		if err := conn.QueryRow(context.Background(), "SELECT (SELECT total FROM s_total), (SELECT total FROM t_total) AS OF ATOM $1", p.atom).Scan(&ws, &wt); err != nil {
			t.Fatal(err)
		}
		if ws != p.streamSum || wt != p.tableSum {
			t.Errorf("AS OF ATOM %d: workflows show %d and %d; want %d, %d", p.atom, ws, wt, p.streamSum, p.tableSum)
		}
	}
}

// TestRetentionTrimsOldAtoms: a stream with a short retention loses its
// old atoms, while a workflow that read them keeps its result.
func TestRetentionTrimsOldAtoms(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn, "CREATE STREAM r (v int) WITH (retention = '1 second')", "CREATE STREAM kept (v int)",
		"CREATE WORKFLOW r_total AS SELECT count(*) AS c, sum(v) AS s FROM r",
		"INSERT INTO r VALUES (1), (2), (3)", "INSERT INTO kept VALUES (1)")
	if got := queryInt(t, conn, "SELECT count(*) FROM r"); got != 3 {
		t.Fatalf("%d events retained before the retention passed", got)
	}
	waitFor(t, conn, "SELECT count(*) FROM r", 0)
	if got := query(t, conn, "SELECT * FROM r_total"); !got.Equal(Rows{`("3", "6")`: 1}) {
		t.Errorf("the workflow's result after the trim: %v", got)
	}
	if got := queryInt(t, conn, "SELECT count(*) FROM kept"); got != 1 {
		t.Errorf("a stream without retention lost events: %d left", got)
	}
	exec(t, conn, "INSERT INTO r VALUES (4)")
	if got := query(t, conn, "SELECT * FROM r_total"); !got.Equal(Rows{`("4", "10")`: 1}) {
		t.Errorf("the workflow's result after a new atom: %v", got)
	}
}
