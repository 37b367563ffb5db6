package nexmark

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestGeneratorAtomRows checks that a generator stream's atoms hold
// atom_rows events each, the last one the remainder.
func TestGeneratorAtomRows(t *testing.T) {
	srv := startServer(t, t.TempDir())
	defer stopServer(t, srv)
	conn := connect(t, srv)
	ctx := context.Background()
	const atomRows = 700
	if _, err := conn.Exec(ctx, "CREATE STREAM bid FROM GENERATOR nexmark (kind => 'bid', seed => 3, max_events => 10000, atom_rows => 700)"); err != nil {
		t.Fatal(err)
	}
	opts := StreamOptions{Seed: 3, MaxEvents: 10000}
	waitStreams(t, conn, []string{"bid"}, opts)
	total, err := StreamCount("bid", opts)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "SELECT count(*) FROM bid GROUP BY _atom ORDER BY _atom")
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := (total + atomRows - 1) / atomRows
	if int64(len(sizes)) != want {
		t.Fatalf("%d bids in %d atoms, want %d atoms of %d", total, len(sizes), want, atomRows)
	}
	for i, n := range sizes {
		if i < len(sizes)-1 && n != atomRows {
			t.Fatalf("atom %d holds %d events, want %d", i, n, atomRows)
		}
	}
	if last := sizes[len(sizes)-1]; last != total-(want-1)*atomRows {
		t.Fatalf("the last atom holds %d events, want the remaining %d", last, total-(want-1)*atomRows)
	}
}

// TestGeneratorThrottles checks events_per_second: a throttled generator
// has never produced more than its rate allows for the time since its
// stream was created, plus the atom it starts with. The bound holds however
// slow the machine is; an unthrottled generator breaks it at once.
func TestGeneratorThrottles(t *testing.T) {
	srv := startServer(t, t.TempDir())
	defer stopServer(t, srv)
	conn := connect(t, srv)
	ctx := context.Background()
	const rate, atomRows = 2000, 200
	created := time.Now()
	if _, err := conn.Exec(ctx, "CREATE STREAM bid FROM GENERATOR nexmark (kind => 'bid', max_events => 1000000, atom_rows => 200, events_per_second => 2000)"); err != nil {
		t.Fatal(err)
	}
	var last int64
	for i := 0; i < 20; i++ {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM bid").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if limit := int64(rate*time.Since(created).Seconds()) + atomRows; n > limit {
			t.Fatalf("%d events %v after creating the stream; the rate allows at most %d", n, time.Since(created), limit)
		}
		last = n
		time.Sleep(25 * time.Millisecond)
	}
	if last == 0 {
		t.Fatal("the throttled generator produced nothing")
	}
}

// TestBenchReports runs the benchmark on a few events and checks that it
// reports what issue 7 asks for: throughput in total and per core, atom
// latency, memory, state size, progress, a table and the baseline ratio,
// and that the workflow's result has the baseline's row count.
func TestBenchReports(t *testing.T) {
	var progress bytes.Buffer
	const events, atomRows = 30000, 5000
	rs, err := RunBench(context.Background(), BenchOptions{Events: events, Queries: []string{"q0", "q5"},
		AtomRows: atomRows, Seed: 1, Baselines: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d results for 2 queries", len(rs))
	}
	bids, err := StreamCount("bid", StreamOptions{Seed: 1, MaxEvents: events})
	if err != nil {
		t.Fatal(err)
	}
	bidAtomRows := int64(atomRows * 46 / 50)
	for _, r := range rs {
		if r.Error != "" {
			t.Fatalf("%s: %s", r.Query, r.Error)
		}
		if r.Events != events || r.InputRows != bids {
			t.Errorf("%s: %d events, %d input rows; want %d and %d", r.Query, r.Events, r.InputRows, events, bids)
		}
		// The streams start paused and resume once the workflow exists,
		// so it absorbs every atom as a step of its own.
		if want := (bids + bidAtomRows - 1) / bidAtomRows; r.Atoms != want {
			t.Errorf("%s: %d atoms, want %d", r.Query, r.Atoms, want)
		}
		if !(r.EventsPerSec > 0 && r.EventsPerCoreSec > 0 && r.WallSec > 0 && r.CPUSec > 0) {
			t.Errorf("%s: throughput not measured: %+v", r.Query, r)
		}
		if !(r.AtomP50Ms > 0 && r.AtomP99Ms >= r.AtomP50Ms && r.AtomMaxMs >= r.AtomP99Ms) {
			t.Errorf("%s: atom latency p50 %v p99 %v max %v", r.Query, r.AtomP50Ms, r.AtomP99Ms, r.AtomMaxMs)
		}
		if !(r.PeakHeapMB > 0 && r.PeakRSSMB >= r.PeakHeapMB) {
			t.Errorf("%s: peak heap %v MB, RSS %v MB", r.Query, r.PeakHeapMB, r.PeakRSSMB)
		}
		if r.Baseline == nil || r.Ratio <= 0 {
			t.Fatalf("%s: no baseline or ratio: %+v", r.Query, r)
		}
		if r.ResultRows != int64(r.Baseline.ResultRows) {
			t.Errorf("%s: the workflow has %d rows, the baseline %d", r.Query, r.ResultRows, r.Baseline.ResultRows)
		}
		if !strings.Contains(progress.String(), r.Query+": done") {
			t.Errorf("no progress line for %s in %q", r.Query, progress.String())
		}
	}
	// q0 is stateless; q5 keeps its windows' counts.
	if rs[0].StateEntries != 0 || rs[0].StateMB != 0 {
		t.Errorf("q0 reports state: %d entries, %v MB", rs[0].StateEntries, rs[0].StateMB)
	}
	if rs[1].StateEntries == 0 || rs[1].StateMB == 0 {
		t.Errorf("q5 reports no state: %d entries, %v MB", rs[1].StateEntries, rs[1].StateMB)
	}
	var table bytes.Buffer
	WriteTable(&table, rs)
	lines := strings.Split(strings.TrimSpace(table.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "events/s/core") || !strings.Contains(lines[0], "ratio") ||
		!strings.HasPrefix(strings.TrimSpace(lines[1]), "q0") || !strings.HasPrefix(strings.TrimSpace(lines[2]), "q5") {
		t.Errorf("table:\n%s", table.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, rs); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[1].StateEntries != rs[1].StateEntries || back[1].Baseline == nil {
		t.Errorf("JSON round trip: %s", js.String())
	}
}
