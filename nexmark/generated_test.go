package nexmark

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A generator stream stores only its atoms' event ranges; every reader
// materializes the events from the generator. These tests read such
// streams every way there is (SELECT, workflows, a sequencer's and a
// splitter's streams, the catalog's counters) before and after a restart,
// running and paused.

// queryInt runs a query returning one bigint.
func queryInt(t *testing.T, conn *pgx.Conn, sql string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// mustRows runs a query and returns its rows as sorted text.
func mustRows(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := textRows(context.Background(), conn, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows
}

// waitCount waits until query returns want.
func waitCount(t *testing.T, conn *pgx.Conn, query string, want int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := queryInt(t, conn, query)
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			t.Fatalf("%s = %d, want %d", query, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGeneratedStreamsReadAlike reads generator streams, a sequencer over
// two of them and a splitter over one, and workflows over all of them;
// restarts the server with one generator paused; and reads everything
// again: every read gives the generator's events, the same before and
// after, and every workflow equals its batch query.
func TestGeneratedStreamsReadAlike(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	conn := connect(t, srv)
	ctx := context.Background()
	opts := StreamOptions{Seed: 5, MaxEvents: 20000, AtomRows: 2000}
	if err := CreateStreams(ctx, conn, []string{"bid", "person"}, opts); err != nil {
		t.Fatal(err)
	}
	// A second bid stream of another seed, for the sequencer to merge.
	if _, err := conn.Exec(ctx, "CREATE STREAM bid2 FROM GENERATOR nexmark (kind => 'bid', seed => 6, max_events => 20000, atom_rows => 1000)"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"CREATE SEQUENCER bids FOR bid, bid2",
		"CREATE SPLITTER cheap ON bid (SPLIT low WHERE price < 1000, SPLIT high WHERE true)",
		"CREATE WORKFLOW per_auction AS SELECT auction, count(*) AS n, sum(price) AS total FROM bids GROUP BY auction",
		"CREATE WORKFLOW per_channel AS SELECT channel, count(*) AS n, max(price) AS top FROM high GROUP BY channel",
		"CREATE WORKFLOW people AS SELECT state, count(*) AS n FROM person GROUP BY state",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	bids, err := StreamCount("bid", opts)
	if err != nil {
		t.Fatal(err)
	}
	people, err := StreamCount("person", opts)
	if err != nil {
		t.Fatal(err)
	}
	waitStreams(t, conn, []string{"bid", "person"}, opts)
	waitCount(t, conn, "SELECT count(*) FROM bid2", bids)
	waitCount(t, conn, "SELECT count(*) FROM bids", 2*bids)
	waitCount(t, conn, "SELECT (SELECT count(*) FROM low) + (SELECT count(*) FROM high)", bids)
	if _, err := conn.Exec(ctx, "FLUSH"); err != nil {
		t.Fatal(err)
	}

	// What every read must give, worked out from the generators in Go
	// (referenceRows) and from the streams' definitions.
	refBid := referenceRows(t, "bid", opts)
	refPerson := referenceRows(t, "person", opts)
	refBid2 := referenceRows(t, "bid", StreamOptions{Seed: 6, MaxEvents: 20000})
	reads := []struct{ name, query string }{
		{"bid", "SELECT * FROM bid"},
		{"person", "SELECT * FROM person"},
		{"bids", "SELECT * FROM bids"},
		{"splits", "SELECT * FROM low UNION ALL SELECT * FROM high"},
		{"low", "SELECT * FROM low"},
		{"atoms", "SELECT _atom, count(*) FROM bid GROUP BY _atom"},
		{"bids atoms", "SELECT _atom, count(*) FROM bids GROUP BY _atom"},
		{"catalog", "SELECT name, atoms, events FROM portals_catalog.streams"},
		{"per_auction", "SELECT * FROM per_auction"},
		{"per_channel", "SELECT * FROM per_channel"},
		{"people", "SELECT * FROM people"},
	}
	batchOf := map[string]string{
		"per_auction": "SELECT auction, count(*) AS n, sum(price) AS total FROM bids GROUP BY auction",
		"per_channel": "SELECT channel, count(*) AS n, max(price) AS top FROM high GROUP BY channel",
		"people":      "SELECT state, count(*) AS n FROM person GROUP BY state",
	}
	check := func(when string) map[string][]string {
		out := map[string][]string{}
		for _, r := range reads {
			out[r.name] = mustRows(t, conn, r.query)
		}
		if !slices.Equal(out["bid"], refBid) {
			t.Errorf("%s: bid (%d events) differs from the generator's %d", when, len(out["bid"]), len(refBid))
		}
		if !slices.Equal(out["person"], refPerson) {
			t.Errorf("%s: person (%d events) differs from the generator's %d", when, len(out["person"]), len(refPerson))
		}
		merged := slices.Sorted(slices.Values(append(slices.Clone(refBid), refBid2...)))
		if !slices.Equal(out["bids"], merged) {
			t.Errorf("%s: the sequencer's %d events differ from its sources' %d", when, len(out["bids"]), len(merged))
		}
		if !slices.Equal(out["splits"], refBid) {
			t.Errorf("%s: the splits' %d events differ from their source's %d", when, len(out["splits"]), len(refBid))
		}
		if len(out["low"]) == 0 || len(out["low"]) == len(refBid) {
			t.Errorf("%s: the split low holds %d of %d bids", when, len(out["low"]), len(refBid))
		}
		for name, q := range batchOf {
			if want := mustRows(t, conn, q); !slices.Equal(out[name], want) {
				t.Errorf("%s: workflow %s differs from its batch query:\n%s", when, name, multisetDiff(out[name], want))
			}
		}
		counted := map[string]string{}
		for _, row := range out["catalog"] {
			name, rest, _ := strings.Cut(row, "|")
			counted[name] = rest
		}
		for name, want := range map[string]string{
			"bid":    fmt.Sprintf("%d|%d", (bids+1839)/1840, bids),
			"person": fmt.Sprintf("%d|%d", (people+39)/40, people),
			"bids":   fmt.Sprintf("%d|%d", (bids+1839)/1840+(bids+999)/1000, 2*bids),
		} {
			if counted[name] != want {
				t.Errorf("%s: portals_catalog.streams counts %s atoms|events for %s, want %s", when, counted[name], name, want)
			}
		}
		return out
	}
	before := check("before the restart")

	// Paused, the bid generator is not running: readers build it from the
	// catalog, also after the restart, where it stays paused.
	if _, err := conn.Exec(ctx, "ALTER STREAM bid PAUSE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ALTER STREAM bid PAUSE"); err != nil {
		t.Fatalf("pausing a paused stream: %v", err)
	}
	if got := mustRows(t, conn, "SELECT * FROM bid"); !slices.Equal(got, refBid) {
		t.Error("the paused stream reads differently")
	}
	conn.Close(ctx)
	stopServer(t, srv)
	srv = startServer(t, dir)
	defer stopServer(t, srv)
	conn = connect(t, srv)
	after := check("after the restart")
	for _, r := range reads {
		if !slices.Equal(before[r.name], after[r.name]) {
			t.Errorf("%s reads differently after the restart:\n%s", r.name, multisetDiff(after[r.name], before[r.name]))
		}
	}
	if got := mustRows(t, conn, "SELECT source FROM portals_catalog.streams WHERE name = 'bid'"); !slices.Equal(got, []string{"generator nexmark (paused)"}) {
		t.Errorf("the paused stream's source shows as %v", got)
	}
	var copied strings.Builder
	if _, err := conn.PgConn().CopyTo(ctx, &copied, "COPY bid TO STDOUT"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(copied.String(), "\t", "|"), "\n"), "\n")
	if slices.Sort(lines); !slices.Equal(lines, refBid) {
		t.Errorf("COPY bid TO STDOUT gave %d lines, not the generator's %d events", len(lines), len(refBid))
	}
}

// TestPausedGeneratorCommitsNothing pauses a throttled generator, checks
// that its stream stops growing, also across a restart, and that after
// RESUME it ends with every event exactly once.
func TestPausedGeneratorCommitsNothing(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	conn := connect(t, srv)
	ctx := context.Background()
	// Created paused in its transaction: it never starts. Throttled to
	// take seconds, so that it is paused half way.
	opts := StreamOptions{Seed: 1, MaxEvents: 10000, AtomRows: 500, EventsPerSecond: 4000, Paused: true}
	total, err := StreamCount("bid", opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := CreateStreams(ctx, conn, []string{"bid"}, opts); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM portals_catalog.streams WHERE name = 'bid' AND atoms = 0"); n != 1 {
		t.Fatal("a stream created paused committed atoms")
	}
	if _, err := conn.Exec(ctx, "ALTER STREAM bid RESUME"); err != nil {
		t.Fatal(err)
	}
	for queryInt(t, conn, "SELECT count(*) FROM bid") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := conn.Exec(ctx, "ALTER STREAM bid PAUSE"); err != nil {
		t.Fatal(err)
	}
	// Once ALTER STREAM ... PAUSE has returned, no atom commits: two
	// reads with a restart between agree.
	paused := queryInt(t, conn, "SELECT count(*) FROM bid")
	if paused >= total {
		t.Fatalf("the generator finished (%d events) before it was paused", paused)
	}
	conn.Close(ctx)
	stopServer(t, srv)
	srv = startServer(t, dir)
	defer stopServer(t, srv)
	conn = connect(t, srv)
	if n := queryInt(t, conn, "SELECT count(*) FROM bid"); n != paused {
		t.Fatalf("the paused stream went from %d to %d events", paused, n)
	}
	if _, err := conn.Exec(ctx, "ALTER STREAM bid RESUME"); err != nil {
		t.Fatal(err)
	}
	waitStreams(t, conn, []string{"bid"}, opts)
	if got, want := mustRows(t, conn, "SELECT * FROM bid"), referenceRows(t, "bid", opts); !slices.Equal(got, want) {
		t.Errorf("after pausing and resuming, the stream differs from the generator:\n%s", multisetDiff(got, want))
	}
	if _, err := conn.Exec(ctx, "CREATE STREAM plain (v int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ALTER STREAM plain PAUSE"); err == nil || !strings.Contains(err.Error(), "not a generator stream") {
		t.Errorf("pausing a stream without a generator: %v", err)
	}
}
