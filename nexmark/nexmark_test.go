package nexmark

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/batch"
	"portalsdb/portals"
	"portalsdb/server"
	"portalsdb/types"
)

// The tests run the queries over the wire against an in-process server,
// as a user would: generator streams, CREATE WORKFLOW, SELECT.

func testLogger() *slog.Logger {
	if os.Getenv("PORTALSDB_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func startServer(t *testing.T, dir string) *server.Server {
	t.Helper()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func stopServer(t *testing.T, srv *server.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func connect(t *testing.T, srv *server.Server) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://postgres@" + srv.Addr() + "/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// textRows runs a query and returns its rows in text form, sorted: a
// multiset to compare.
func textRows(ctx context.Context, conn *pgx.Conn, sql string) ([]string, error) {
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var parts []string
		for _, v := range rows.RawValues() {
			if v == nil {
				parts = append(parts, "NULL")
			} else {
				parts = append(parts, string(v))
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// waitStreams waits until every generator stream holds all its events.
func waitStreams(t *testing.T, conn *pgx.Conn, names []string, o StreamOptions) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, name := range names {
		want, err := StreamCount(name, o)
		if err != nil {
			t.Fatal(err)
		}
		for {
			var n int64
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == want {
				break
			}
			if n > want {
				t.Fatalf("stream %s holds %d events, more than its %d", name, n, want)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("stream %s holds %d of %d events after a minute", name, n, want)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// TestRequiredQueriesRun checks that every query issue 7 requires to run
// as a workflow is in Runnable, which the benchmark and the equivalence
// test below run.
func TestRequiredQueriesRun(t *testing.T) {
	runs := map[string]bool{}
	for _, q := range Runnable {
		runs[q] = true
	}
	for _, q := range []string{"q0", "q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9", "q11", "q12", "q13", "q14",
		"q15", "q16", "q17", "q21", "q22"} {
		if !runs[q] {
			t.Errorf("%s is required to run as a workflow but is not in Runnable", q)
		}
	}
}

// TestWorkflowsEqualBatch runs every runnable query as a workflow while the
// generators produce their atoms, and then compares each workflow's result
// with the batch engine's result of the same query text over the same
// events, as multisets.
func TestWorkflowsEqualBatch(t *testing.T) {
	srv := startServer(t, t.TempDir())
	defer stopServer(t, srv)
	conn := connect(t, srv)
	ctx := context.Background()
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Query{}
	for _, q := range qs {
		byName[q.Name] = q
	}
	// Throttled so that most atoms arrive after the workflows exist and
	// are processed one by one.
	// Watermarked streams of 1,000 events per second of event time, so
	// that windows close and operators purge their state while the
	// workflows run.
	opts := StreamOptions{Seed: 1, MaxEvents: 20000, AtomRows: 500, EventsPerSecond: 20000, Watermark: "4 seconds",
		Extra: map[string]string{"inter_event_delay_us": "1000"}}
	streams := []string{"person", "auction", "bid"}
	if err := CreateStreams(ctx, conn, streams, opts); err != nil {
		t.Fatal(err)
	}
	for _, name := range Runnable {
		q := byName[name]
		for _, s := range q.Setup {
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("%s setup: %s: %v", name, s, err)
			}
		}
		if _, err := conn.Exec(ctx, "CREATE WORKFLOW "+name+" AS "+q.Text); err != nil {
			t.Errorf("%s: CREATE WORKFLOW: %v", name, err)
		}
	}
	waitStreams(t, conn, streams, opts)
	if _, err := conn.Exec(ctx, "FLUSH"); err != nil {
		t.Fatal(err)
	}
	for _, name := range Runnable {
		t.Run(name, func(t *testing.T) {
			got, err := textRows(ctx, conn, "SELECT * FROM "+name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := textRows(ctx, conn, byName[name].Text)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("the batch result is empty: the comparison would prove nothing")
			}
			if diff := multisetDiff(got, want); diff != "" {
				t.Fatalf("workflow (%d rows) differs from batch (%d rows):\n%s", len(got), len(want), diff)
			}
			t.Logf("%d rows", len(got))
		})
	}
	// The hand-written baselines compute the same results (their row
	// counts) over the same events.
	bids, err := generateBids(opts.MaxEvents, opts.Seed, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for name, fn := range Baselines {
		want, err := textRows(ctx, conn, byName[name].Text)
		if err != nil {
			t.Fatal(err)
		}
		if got := fn(bids); got != len(want) {
			t.Errorf("baseline %s: %d rows, the query %d", name, got, len(want))
		}
	}
}

// multisetDiff describes the rows only one of two sorted lists holds.
func multisetDiff(got, want []string) string {
	var b strings.Builder
	i, j, shown := 0, 0, 0
	for (i < len(got) || j < len(want)) && shown < 10 {
		switch {
		case j >= len(want) || (i < len(got) && got[i] < want[j]):
			fmt.Fprintf(&b, "  only in workflow: %s\n", got[i])
			i++
			shown++
		case i >= len(got) || want[j] < got[i]:
			fmt.Fprintf(&b, "  only in batch:    %s\n", want[j])
			j++
			shown++
		default:
			i++
			j++
		}
	}
	return b.String()
}

// referenceRows generates a stream's events in Go, in text form, sorted.
func referenceRows(t *testing.T, stream string, o StreamOptions) []string {
	t.Helper()
	args := map[string]string{"kind": stream, "seed": fmt.Sprint(o.Seed), "max_events": fmt.Sprint(o.MaxEvents)}
	cfg, err := portals.ParseNexmarkArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	g, err := portals.NewNexmark(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := batch.NewBuilders(g.Types())
	g.Append(b, 0, int(g.Count()))
	var out []string
	for _, row := range b.Build().Rows(g.Types()) {
		parts := make([]string, len(row))
		for i, d := range row {
			parts[i] = types.FormatText(g.Types()[i], d, nil)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// TestGeneratorResumes stops the server while the generators are half
// way, restarts it on the same data, and checks that each stream ends up
// with exactly the events of its kind: none lost, none twice, and the same
// as the generator makes for the seed in Go.
func TestGeneratorResumes(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	conn := connect(t, srv)
	ctx := context.Background()
	opts := StreamOptions{Seed: 42, MaxEvents: 20000, AtomRows: 1000, EventsPerSecond: 10000}
	streams := []string{"person", "auction", "bid"}
	if err := CreateStreams(ctx, conn, streams, opts); err != nil {
		t.Fatal(err)
	}
	want, err := StreamCount("bid", opts)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until some, not all, bids are in.
	for {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM bid").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n >= want {
			t.Fatalf("the generator finished (%d bids) before the restart", n)
		}
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	conn.Close(ctx)
	stopServer(t, srv)
	srv = startServer(t, dir)
	defer stopServer(t, srv)
	conn = connect(t, srv)
	var before int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM bid").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if before == 0 || before >= want {
		t.Fatalf("after the restart the bid stream holds %d of %d events: not half way", before, want)
	}
	waitStreams(t, conn, streams, opts)
	for _, s := range streams {
		got, err := textRows(ctx, conn, "SELECT * FROM "+s)
		if err != nil {
			t.Fatal(err)
		}
		ref := referenceRows(t, s, opts)
		if diff := multisetDiff(got, ref); diff != "" {
			t.Errorf("stream %s (%d events) differs from the generator's %d:\n%s", s, len(got), len(ref), diff)
		}
	}
}

// TestSameSeedSameStreams runs the bid generator on two servers with the
// same seed and on a third with another: the first two hold the same
// events, the third other ones.
func TestSameSeedSameStreams(t *testing.T) {
	ctx := context.Background()
	read := func(seed int64) []string {
		srv := startServer(t, t.TempDir())
		defer stopServer(t, srv)
		conn := connect(t, srv)
		opts := StreamOptions{Seed: seed, MaxEvents: 5000, AtomRows: 700}
		if err := CreateStreams(ctx, conn, []string{"bid"}, opts); err != nil {
			t.Fatal(err)
		}
		waitStreams(t, conn, []string{"bid"}, opts)
		rows, err := textRows(ctx, conn, "SELECT * FROM bid")
		if err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		return rows
	}
	a, b, c := read(5), read(5), read(6)
	if diff := multisetDiff(a, b); diff != "" || len(a) == 0 {
		t.Fatalf("same seed, different events (%d rows):\n%s", len(a), diff)
	}
	same := 0
	for i := range a {
		if i < len(c) && a[i] == c[i] {
			same++
		}
	}
	if same > len(a)/100 {
		t.Fatalf("seeds 5 and 6 share %d of %d events", same, len(a))
	}
}

// stateAfter runs the named queries as workflows over a watermarked run of
// events, checks each result against the batch engine's, and returns each
// workflow's state entries at the end.
func stateAfter(t *testing.T, events int64, names []string) map[string]int64 {
	t.Helper()
	srv := startServer(t, t.TempDir())
	defer stopServer(t, srv)
	conn := connect(t, srv)
	ctx := context.Background()
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Query{}
	for _, q := range qs {
		byName[q.Name] = q
	}
	// 1,000 events per second of event time: 10-second windows close
	// every 10,000 events.
	opts := StreamOptions{Seed: 3, MaxEvents: events, AtomRows: 1000, EventsPerSecond: 40000, Watermark: "4 seconds",
		Extra: map[string]string{"inter_event_delay_us": "1000"}}
	streams := []string{"person", "auction", "bid"}
	if err := CreateStreams(ctx, conn, streams, opts); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, err := conn.Exec(ctx, "CREATE WORKFLOW "+name+" AS "+byName[name].Text); err != nil {
			t.Fatalf("%s: CREATE WORKFLOW: %v", name, err)
		}
	}
	waitStreams(t, conn, streams, opts)
	if _, err := conn.Exec(ctx, "FLUSH"); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, name := range names {
		got, err := textRows(ctx, conn, "SELECT * FROM "+name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := textRows(ctx, conn, byName[name].Text)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: the batch result is empty", name)
		}
		if diff := multisetDiff(got, want); diff != "" {
			t.Fatalf("%s over %d events: workflow (%d rows) differs from batch (%d rows):\n%s", name, events, len(got), len(want), diff)
		}
		var n int64
		if err := conn.QueryRow(ctx, "SELECT state_entries FROM portals_catalog.workflows WHERE name = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

// TestWindowStateBounded runs the windowed queries over a watermarked
// stream twice, the second time with twice the events (twice the event
// time), and checks that the workflows' state did not double: the
// watermark closes windows and their state is dropped, while the results
// still equal the batch engine's.
func TestWindowStateBounded(t *testing.T) {
	names := []string{"q5", "q7", "q8"}
	small := stateAfter(t, 20000, names)
	large := stateAfter(t, 40000, names)
	for _, name := range names {
		t.Logf("%s: %d state entries after 20,000 events, %d after 40,000", name, small[name], large[name])
		if small[name] == 0 {
			t.Errorf("%s holds no state: the comparison proves nothing", name)
		}
		if float64(large[name]) > 1.3*float64(small[name]) {
			t.Errorf("%s: state grew from %d to %d entries with twice the events: closed windows are kept", name, small[name], large[name])
		}
	}
}

// TestGeneratorWatermark checks the WATERMARK clause of a generator
// stream: one trailing the generator's out-of-order bound less than it
// must is refused, since its events would be late by construction; one
// that respects it keeps every event, scrambled as they are.
func TestGeneratorWatermark(t *testing.T) {
	srv := startServer(t, t.TempDir())
	defer stopServer(t, srv)
	conn := connect(t, srv)
	ctx := context.Background()
	// Groups of 200 events 100µs apart: an event can come up to 21ms
	// after one 19.9ms later than it.
	_, err := conn.Exec(ctx, `CREATE STREAM early (WATERMARK FOR date_time AS date_time - INTERVAL '10 milliseconds')
		FROM GENERATOR nexmark (kind => 'bid', max_events => 5000, out_of_order_group_size => 200)`)
	if err == nil || !strings.Contains(err.Error(), "out-of-order bound") {
		t.Fatalf("a watermark tighter than the generator's disorder: got %v, want a refusal", err)
	}
	if _, err := conn.Exec(ctx, `CREATE STREAM cols (id bigint, WATERMARK FOR date_time AS date_time) FROM GENERATOR nexmark (kind => 'bid')`); err == nil {
		t.Fatal("columns in a generator stream's parentheses were accepted")
	}
	if _, err := conn.Exec(ctx, `CREATE STREAM bid (WATERMARK FOR date_time AS date_time - INTERVAL '21 milliseconds')
		FROM GENERATOR nexmark (kind => 'bid', max_events => 5000, out_of_order_group_size => 200, atom_rows => 37)`); err != nil {
		t.Fatal(err)
	}
	var wm string
	if err := conn.QueryRow(ctx, "SELECT watermark FROM portals_catalog.streams WHERE name = 'bid'").Scan(&wm); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wm, "WATERMARK FOR date_time") {
		t.Fatalf("portals_catalog.streams shows watermark %q", wm)
	}
	opts := StreamOptions{MaxEvents: 5000, Extra: map[string]string{"out_of_order_group_size": "200"}}
	waitStreams(t, conn, []string{"bid"}, opts)
	// The stream is out of order across atoms, yet no event was dropped
	// as late: every generated event is read back.
	var back int64
	if err := conn.QueryRow(ctx, `WITH a AS (SELECT _atom, min(date_time) AS lo, max(date_time) AS hi FROM bid GROUP BY _atom)
		SELECT count(*) FROM a a1 WHERE a1.lo < (SELECT max(hi) FROM a a2 WHERE a2._atom < a1._atom)`).Scan(&back); err != nil {
		t.Fatal(err)
	}
	if back == 0 {
		t.Fatal("no event of the stream is older than one of an earlier atom: the test proves nothing")
	}
}
