package bench

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestRunPortal runs the portal benchmark briefly, against PostgreSQL too
// when PORTALSDB_TEST_PG_DSN is set: every workload must complete calls
// whose answers check out, at full and at half load, and the workflow
// must get every answer.
func TestRunPortal(t *testing.T) {
	// The in-process server's CPU is this process's: enough to check that
	// a CPU time per call is reported where the target can measure it.
	target := Target{Name: "portalsdb", DSN: startServer(t), CPU: func() (time.Duration, error) { return ProcessCPU(), nil }}
	var pg *Target
	if dsn := os.Getenv("PORTALSDB_TEST_PG_DSN"); dsn != "" {
		pg = &Target{Name: "postgres", DSN: dsn}
	}
	var progress bytes.Buffer
	rep, err := RunPortal(context.Background(), target, pg, PortalOptions{Keys: 500, Clients: 3,
		Duration: 300 * time.Millisecond, Asks: 2500, Progress: &progress})
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	want := []string{PortalRead, PortalSelect, PortalWrite}
	if pg != nil {
		want = append(want, PGSelect, PGUpdate)
	}
	for _, name := range want {
		w := rep.Workload(name)
		if w == nil {
			t.Errorf("no %s in the report", name)
			continue
		}
		for _, run := range []LatencyRun{w.Full, w.Half} {
			if run.Calls == 0 || run.Rate <= 0 || run.P50us <= 0 || run.P99us < run.P50us {
				t.Errorf("%s: %+v", name, run)
			}
		}
		if onPortalsdb := name != PGSelect && name != PGUpdate; onPortalsdb && w.Full.ServerCPUus <= 0 {
			t.Errorf("%s: no server CPU per call at full load", name)
		}
		if w.Half.Target <= 0 || w.Half.Target > w.Full.Rate {
			t.Errorf("%s: half load paced at %f calls/s, full load reached %f", name, w.Half.Target, w.Full.Rate)
		}
	}
	if rep.Asks != 2500 || rep.AsksRate <= 0 {
		t.Errorf("asks: %d at %f/s", rep.Asks, rep.AsksRate)
	}
}

// BenchmarkPortalCall calls the reading portal of the portal benchmark
// from one client, through an in-process server, for profiling the call
// path:
//
//	go test ./bench -run '^$' -bench PortalCall -cpuprofile cpu.out
func BenchmarkPortalCall(b *testing.B) {
	dsn := startServer(b)
	ctx := context.Background()
	const keys = 10000
	if err := setupAccounts(ctx, Target{DSN: dsn}, PortalOptions{Keys: keys}, true); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	defer func() { reportCPU(b, start, b.N) }()
	for i := 0; i < b.N; i++ {
		id := rng.Int64N(keys)
		var balance int64
		if err := conn.QueryRow(ctx, `SELECT balance FROM bench_balance($1)`, id).Scan(&balance); err != nil {
			b.Fatal(err)
		}
		if balance != accountBalance(id) {
			b.Fatalf("account %d: balance %d, want %d", id, balance, accountBalance(id))
		}
	}
}
