package bench

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Target is a server to measure.
type Target struct {
	Name string
	DSN  string
	// Around, when set, wraps each workload run on this target; the
	// command uses it to take a CPU profile of an in-process server.
	Around func(workload string, run func() error) error
	// CPU, when set, returns the CPU time the server's processes have
	// used so far.
	CPU func() (time.Duration, error)
	// InProcess says the server runs in this process: its CPU time is
	// this process's, less what the clients use.
	InProcess bool
}

// Options configure a run.
type Options struct {
	// Rows is the size of the COPY ingest, which the point SELECTs then
	// read.
	Rows int
	// Clients lists the numbers of concurrent clients for the INSERT and
	// SELECT workloads.
	Clients []int
	// Duration is how long each INSERT and SELECT run lasts.
	Duration time.Duration
	// Workloads picks among "copy", "insert" and "select"; empty means all.
	// "select" needs the table "copy" loads.
	Workloads []string
	// Progress receives a line per second while a workload runs.
	Progress io.Writer
	// Repeat runs each INSERT and SELECT measurement this many times,
	// alternating targets, and keeps each target's best run: on a shared
	// machine the best run is the one least disturbed by others.
	Repeat int
}

// Result is one workload measured on every target.
type Result struct {
	Workload string `json:"workload"`
	Clients  int    `json:"clients"`
	// Rows is the size of the COPY workload.
	Rows int    `json:"rows,omitempty"`
	Unit string `json:"unit"`
	// Rates maps a target's name to its throughput in Unit.
	Rates map[string]float64 `json:"rates"`
	// Ops and Seconds are what each rate was computed from.
	Ops     map[string]int64   `json:"ops"`
	Seconds map[string]float64 `json:"seconds"`
	// ServerCPU is the server's CPU time per operation, in microseconds,
	// where it could be measured (see ServerCPUPerOp).
	ServerCPU map[string]float64 `json:"server_cpu_us_per_op,omitempty"`
	// ClientCPU is the benchmark process's CPU time per operation, in
	// microseconds: the clients' alone for a server in another process.
	ClientCPU map[string]float64 `json:"process_cpu_us_per_op"`
}

// Name describes the workload for a report.
func (r Result) Name() string {
	switch r.Workload {
	case "copy":
		return fmt.Sprintf("COPY FROM STDIN, %d rows", r.Rows)
	case "insert":
		return fmt.Sprintf("INSERT commits, %d client%s", r.Clients, plural(r.Clients))
	case "select":
		return fmt.Sprintf("point SELECT, %d client%s", r.Clients, plural(r.Clients))
	}
	return r.Workload
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Run measures every workload on every target, one target at a time, and
// returns a result per workload and client count.
func Run(ctx context.Context, targets []Target, o Options) ([]Result, error) {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	want := map[string]bool{}
	for _, w := range o.Workloads {
		want[w] = true
	}
	all := len(want) == 0
	var results []Result
	measure := func(workload string, clients int, unit string, run func(Target) (int64, time.Duration, error)) error {
		r := Result{Workload: workload, Clients: clients, Unit: unit, Rates: map[string]float64{}, Ops: map[string]int64{},
			Seconds: map[string]float64{}, ServerCPU: map[string]float64{}, ClientCPU: map[string]float64{}}
		if workload == "copy" {
			r.Rows = o.Rows
		}
		repeat := 1
		if workload != "copy" && o.Repeat > 1 {
			repeat = o.Repeat
		}
		for rep := 0; rep < repeat; rep++ {
			for _, t := range targets {
				var ops int64
				var took, self, server time.Duration
				var serverErr error
				body := func() error {
					self = ProcessCPU()
					if t.CPU != nil {
						server, serverErr = t.CPU()
					}
					var err error
					ops, took, err = run(t)
					self = ProcessCPU() - self
					if t.CPU != nil && serverErr == nil {
						var after time.Duration
						after, serverErr = t.CPU()
						server = after - server
					}
					return err
				}
				var err error
				if t.Around != nil {
					err = t.Around(fmt.Sprintf("%s-%d", workload, clients), body)
				} else {
					err = body()
				}
				if err != nil {
					return fmt.Errorf("%s on %s: %w", workload, t.Name, err)
				}
				rate := float64(ops) / took.Seconds()
				fmt.Fprintf(o.Progress, "  %-10s %-32s %12.0f %s\n", t.Name, r.Name(), rate, unit)
				if r.Workload != "copy" {
					r.Rows = 0
				}
				if rate <= r.Rates[t.Name] {
					continue
				}
				r.Ops[t.Name], r.Seconds[t.Name] = ops, took.Seconds()
				r.Rates[t.Name] = rate
				r.ClientCPU[t.Name] = perOp(self, ops)
				if t.CPU != nil && serverErr == nil {
					r.ServerCPU[t.Name] = perOp(server, ops)
				} else {
					delete(r.ServerCPU, t.Name)
				}
			}
		}
		// An in-process server's CPU is the process's, less what the
		// clients cost, measured on a target in another process: the
		// clients run the same statements through the same driver.
		for _, t := range targets {
			if !t.InProcess {
				continue
			}
			for _, o := range targets {
				if !o.InProcess {
					r.ServerCPU[t.Name] = r.ClientCPU[t.Name] - r.ClientCPU[o.Name]
					break
				}
			}
		}
		results = append(results, r)
		return nil
	}
	for _, t := range targets {
		if err := setup(ctx, t); err != nil {
			return nil, fmt.Errorf("setting up %s: %w", t.Name, err)
		}
	}
	if all || want["copy"] {
		if err := measure("copy", 1, "rows/s", func(t Target) (int64, time.Duration, error) {
			return copyIngest(ctx, t, o)
		}); err != nil {
			return results, err
		}
	}
	if all || want["insert"] {
		for _, c := range o.Clients {
			if err := measure("insert", c, "commits/s", func(t Target) (int64, time.Duration, error) {
				return inserts(ctx, t, c, o)
			}); err != nil {
				return results, err
			}
		}
	}
	if all || want["select"] {
		for _, c := range o.Clients {
			if err := measure("select", c, "queries/s", func(t Target) (int64, time.Duration, error) {
				return pointSelects(ctx, t, c, o)
			}); err != nil {
				return results, err
			}
		}
	}
	return results, nil
}

func perOp(d time.Duration, ops int64) float64 {
	if ops == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(ops)
}

// setup creates the benchmark's tables, dropping earlier ones.
func setup(ctx context.Context, t Target) error {
	conn, err := pgx.Connect(ctx, t.DSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`DROP TABLE IF EXISTS bench_items`,
		`DROP TABLE IF EXISTS bench_inserts`,
		`CREATE TABLE bench_items (id bigint PRIMARY KEY, name text NOT NULL, qty int NOT NULL, price numeric(12,2), created timestamp)`,
		`CREATE TABLE bench_inserts (id bigint PRIMARY KEY, client int NOT NULL, payload text)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// itemRows generates the COPY rows without holding them all. pgx encodes
// each row before it asks for the next, so one row's storage is reused:
// the generator's cost is the clients', which an in-process server
// shares its CPU with.
type itemRows struct {
	n, i     int
	row      []any
	name     []byte
	price    big.Int
	progress func(int)
}

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func (r *itemRows) Next() bool {
	if r.i >= r.n {
		return false
	}
	id := int64(r.i)
	r.name = strconv.AppendInt(append(r.name[:0], "item-"...), id, 10)
	r.price.SetInt64(id%100000 + 99)
	r.row = append(r.row[:0], id, string(r.name), int32(id%1000), pgtype.Numeric{Int: &r.price, Exp: -2, Valid: true},
		epoch.Add(time.Duration(id)*time.Second))
	r.i++
	if r.i%100000 == 0 && r.progress != nil {
		r.progress(r.i)
	}
	return true
}

func (r *itemRows) Values() ([]any, error) { return r.row, nil }
func (r *itemRows) Err() error             { return nil }

func copyIngest(ctx context.Context, t Target, o Options) (int64, time.Duration, error) {
	conn, err := pgx.Connect(ctx, t.DSN)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	start := time.Now()
	src := &itemRows{n: o.Rows, progress: func(i int) {
		fmt.Fprintf(o.Progress, "    %s: copied %d rows, %.0f rows/s\n", t.Name, i, float64(i)/time.Since(start).Seconds())
	}}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_items"}, []string{"id", "name", "qty", "price", "created"}, src)
	took := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	var stored int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM bench_items`).Scan(&stored); err != nil {
		return 0, 0, err
	}
	if n != int64(o.Rows) || stored != int64(o.Rows) {
		return 0, 0, fmt.Errorf("copied %d rows, table holds %d, want %d", n, stored, o.Rows)
	}
	// Spot-check that rows hold what was sent.
	for _, id := range []int64{0, int64(o.Rows) / 2, int64(o.Rows) - 1} {
		if id < 0 {
			continue
		}
		var name, price string
		if err := conn.QueryRow(ctx, `SELECT name, price::text FROM bench_items WHERE id = $1`, id).Scan(&name, &price); err != nil {
			return 0, 0, err
		}
		cents := id%100000 + 99
		if want := fmt.Sprintf("%d.%02d", cents/100, cents%100); name != "item-"+strconv.FormatInt(id, 10) || price != want {
			return 0, 0, fmt.Errorf("row %d holds (%s, %s), want (item-%d, %s)", id, name, price, id, want)
		}
	}
	return n, took, nil
}

// runClients runs op on clients connections until the duration ends,
// reporting progress each second, and returns the operations done.
func runClients(ctx context.Context, t Target, clients int, o Options, what string,
	op func(ctx context.Context, conn *pgx.Conn, client int, i int64) error) (int64, time.Duration, error) {
	conns := make([]*pgx.Conn, clients)
	for c := range conns {
		conn, err := pgx.Connect(ctx, t.DSN)
		if err != nil {
			return 0, 0, err
		}
		defer conn.Close(context.Background())
		conns[c] = conn
	}
	var done atomic.Int64
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); runCtx.Err() == nil; i++ {
				if err := op(runCtx, conn, c, i); err != nil {
					if runCtx.Err() != nil {
						return
					}
					errs <- err
					cancel()
					return
				}
				done.Add(1)
			}
		}()
	}
	waitReporting(&wg, func() {
		n := done.Load()
		fmt.Fprintf(o.Progress, "    %s: %s, %d clients: %.0fs, %d done, %.0f/s\n", t.Name, what, clients,
			time.Since(start).Seconds(), n, float64(n)/time.Since(start).Seconds())
	})
	took := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	return done.Load(), took, nil
}

// waitReporting waits for wg, calling report once a second meanwhile.
func waitReporting(wg *sync.WaitGroup, report func()) {
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			report()
		case <-finished:
			return
		}
	}
}

func inserts(ctx context.Context, t Target, clients int, o Options) (int64, time.Duration, error) {
	base := time.Now().UnixNano() & (1<<40 - 1)
	return runClients(ctx, t, clients, o, "inserts", func(ctx context.Context, conn *pgx.Conn, client int, i int64) error {
		id := int64(client)<<48 | (base+i)&(1<<48-1)
		_, err := conn.Exec(ctx, `INSERT INTO bench_inserts (id, client, payload) VALUES ($1, $2, $3)`, id, client, "payload of a row")
		return err
	})
}

func pointSelects(ctx context.Context, t Target, clients int, o Options) (int64, time.Duration, error) {
	if o.Rows == 0 {
		return 0, 0, fmt.Errorf("point SELECTs need rows: run the copy workload first")
	}
	return runClients(ctx, t, clients, o, "selects", func(ctx context.Context, conn *pgx.Conn, client int, i int64) error {
		id := rand.Int64N(int64(o.Rows))
		var name string
		var qty int32
		if err := conn.QueryRow(ctx, `SELECT name, qty FROM bench_items WHERE id = $1`, id).Scan(&name, &qty); err != nil {
			return err
		}
		if qty != int32(id%1000) {
			return fmt.Errorf("row %d has qty %d", id, qty)
		}
		return nil
	})
}
