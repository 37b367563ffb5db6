package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/server"
)

func startServer(tb testing.TB) string {
	tb.Helper()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: tb.TempDir(), Sync: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "postgres://postgres@" + srv.Addr() + "/postgres?sslmode=disable"
}

// TestRun runs every workload briefly against portalsdb, and against
// PostgreSQL too when PORTALSDB_TEST_PG_DSN is set, and checks that each
// produced a rate for each target.
func TestRun(t *testing.T) {
	targets := []Target{{Name: "portalsdb", DSN: startServer(t)}}
	if dsn := os.Getenv("PORTALSDB_TEST_PG_DSN"); dsn != "" {
		targets = append(targets, Target{Name: "postgres", DSN: dsn})
	}
	var progress bytes.Buffer
	wrapped := 0
	targets[0].Around = func(_ string, run func() error) error { wrapped++; return run() }
	res, err := Run(context.Background(), targets, Options{Rows: 2000, Clients: []int{1, 3}, Duration: 300 * time.Millisecond,
		Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 5 || wrapped != 5 {
		t.Fatalf("%d results, %d wrapped runs; want 5 and 5", len(res), wrapped)
	}
	for _, r := range res {
		for _, tg := range targets {
			if r.Rates[tg.Name] <= 0 || r.Ops[tg.Name] <= 0 {
				t.Errorf("%s on %s: rate %f from %d ops", r.Name(), tg.Name, r.Rates[tg.Name], r.Ops[tg.Name])
			}
		}
	}
	if res[0].Ops["portalsdb"] != 2000 || !strings.Contains(progress.String(), "point SELECT, 3 clients") {
		t.Errorf("copy ops %d; progress:\n%s", res[0].Ops["portalsdb"], progress.String())
	}
}

// cpuTime returns the CPU time the process (server and client together)
// has used, a steadier measure than wall time on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration, ops int) {
	b.ReportMetric(float64(cpuTime()-start)/float64(ops), "cpu-ns/op")
}

// The benchmarks below drive the same statements as the workloads through
// an in-process server, for profiling one path at a time:
//
//	go test ./bench -run '^$' -bench PointSelect -cpuprofile cpu.out

func BenchmarkPointSelect(b *testing.B) {
	dsn := startServer(b)
	ctx := context.Background()
	if err := setup(ctx, Target{DSN: dsn}); err != nil {
		b.Fatal(err)
	}
	const rows = 10000
	if _, _, err := copyIngest(ctx, Target{DSN: dsn}, Options{Rows: rows, Progress: io.Discard}); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	b.ResetTimer()
	start := cpuTime()
	defer func() { reportCPU(b, start, b.N) }()
	for i := 0; i < b.N; i++ {
		var name string
		var qty int32
		id := rand.Int64N(rows)
		if err := conn.QueryRow(ctx, `SELECT name, qty FROM bench_items WHERE id = $1`, id).Scan(&name, &qty); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInsert(b *testing.B) {
	dsn := startServer(b)
	ctx := context.Background()
	if err := setup(ctx, Target{DSN: dsn}); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	b.ResetTimer()
	start := cpuTime()
	defer func() { reportCPU(b, start, b.N) }()
	for i := 0; i < b.N; i++ {
		if _, err := conn.Exec(ctx, `INSERT INTO bench_inserts (id, client, payload) VALUES ($1, $2, $3)`, i, 0, "payload of a row"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCopy(b *testing.B) {
	dsn := startServer(b)
	ctx := context.Background()
	const rows = 100000
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := setup(ctx, Target{DSN: dsn}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		if _, _, err := copyIngest(ctx, Target{DSN: dsn}, Options{Rows: rows, Progress: io.Discard}); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
	}
	b.ReportMetric(float64(cpu)/float64(b.N*rows), "cpu-ns/row")
}

// BenchmarkPointSelectClients runs point SELECTs from several clients at
// once.
func BenchmarkPointSelectClients(b *testing.B) {
	for _, clients := range []int{1, 2, 4, 16} {
		b.Run(strconv.Itoa(clients), func(b *testing.B) { benchPointSelects(b, clients) })
	}
}

func benchPointSelects(b *testing.B, clients int) {
	dsn := startServer(b)
	ctx := context.Background()
	if err := setup(ctx, Target{DSN: dsn}); err != nil {
		b.Fatal(err)
	}
	const rows = 10000
	if _, _, err := copyIngest(ctx, Target{DSN: dsn}, Options{Rows: rows, Progress: io.Discard}); err != nil {
		b.Fatal(err)
	}
	conns := make([]*pgx.Conn, clients)
	for i := range conns {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		conns[i] = conn
	}
	var next atomic.Int64
	b.ResetTimer()
	start := cpuTime()
	defer func() { reportCPU(b, start, b.N) }()
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				var name string
				var qty int32
				id := rand.Int64N(rows)
				if err := conn.QueryRow(ctx, `SELECT name, qty FROM bench_items WHERE id = $1`, id).Scan(&name, &qty); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
