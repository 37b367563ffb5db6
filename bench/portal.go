package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/portals"
)

// The portal benchmark: ad-hoc portal calls over the wire, beside the same
// keyed lookup as a prepared SELECT, on portalsdb and on PostgreSQL.
//
// Every call is a prepared statement (pgx caches and prepares each
// statement per connection), so both servers skip parsing and planning.
// Latencies are measured from when a call was due, not from when the
// client got round to sending it: at half load a client paces its calls,
// and a call delayed by a slow one before it counts that delay, so a
// stalled server cannot hide its stall by slowing its clients down. They
// are counted in portals.LatencyHistogram buckets, about 4% wide.

// PortalOptions configure RunPortal.
type PortalOptions struct {
	// Keys is the number of accounts looked up.
	Keys int
	// Clients is the number of concurrent connections at full load.
	Clients int
	// Duration is the length of each measurement.
	Duration time.Duration
	// Asks is the number of rows a workflow asks the portal about.
	Asks int
	// Progress receives a line per second while a measurement runs.
	Progress io.Writer
}

// LatencyRun is one measurement of calls: their rate and latencies.
type LatencyRun struct {
	Calls   int64   `json:"calls"`
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"calls_per_s"`
	// Target is the paced rate of a half-load run; zero at full load.
	Target float64 `json:"target_calls_per_s,omitempty"`
	P50us  float64 `json:"p50_us"`
	P99us  float64 `json:"p99_us"`
	// ServerCPUus is the server's CPU time per call, where the target
	// can measure it (a server in a process of its own): steadier than
	// the rate on a shared machine.
	ServerCPUus float64 `json:"server_cpu_us_per_call,omitempty"`
}

// PortalWorkload is one kind of call measured at full and half load.
type PortalWorkload struct {
	// Name says what was called and where.
	Name string     `json:"name"`
	Full LatencyRun `json:"full_load"`
	Half LatencyRun `json:"half_load"`
}

// PortalReport is what RunPortal measured.
type PortalReport struct {
	Clients   int              `json:"clients"`
	Keys      int              `json:"keys"`
	Workloads []PortalWorkload `json:"workloads"`
	// Asks is the number of requests a workflow made of a portal, and
	// AsksSeconds the time from the workflow's creation until it had
	// every answer.
	Asks        int64   `json:"asks"`
	AsksSeconds float64 `json:"asks_seconds"`
	AsksRate    float64 `json:"asks_per_s"`
}

// Workload returns the measurement of the named workload, or nil.
func (r *PortalReport) Workload(name string) *PortalWorkload {
	for i := range r.Workloads {
		if r.Workloads[i].Name == name {
			return &r.Workloads[i]
		}
	}
	return nil
}

// The workload names of a PortalReport.
const (
	PortalRead   = "portal call (read)"
	PortalWrite  = "portal call (write)"
	PortalSelect = "portalsdb prepared SELECT"
	PGSelect     = "postgres prepared SELECT"
	PGUpdate     = "postgres prepared UPDATE RETURNING"
)

// accountBalance is the balance every account starts with, so that a
// lookup can check its answer.
func accountBalance(id int64) int64 { return id*7 + 3 }

// RunPortal measures portal calls on portalsdb, and the equivalent
// prepared statements on pg when it is not nil: reads (a portal whose
// body is a keyed SELECT, against that SELECT) and writes (a portal whose
// body is an UPDATE ... RETURNING, against that UPDATE), each at full load
// and at half of the rate full load reached; then the asks of a workflow
// that calls the read portal once per row of a stream.
func RunPortal(ctx context.Context, portalsdb Target, pg *Target, o PortalOptions) (*PortalReport, error) {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	rep := &PortalReport{Clients: o.Clients, Keys: o.Keys}
	if err := setupAccounts(ctx, portalsdb, o, true); err != nil {
		return nil, fmt.Errorf("setting up portalsdb: %w", err)
	}
	if pg != nil {
		if err := setupAccounts(ctx, *pg, o, false); err != nil {
			return nil, fmt.Errorf("setting up %s: %w", pg.Name, err)
		}
	}
	read := func(sql string) callFunc {
		return func(ctx context.Context, conn *pgx.Conn, rng *rand.Rand) error {
			id := rng.Int64N(int64(o.Keys))
			var balance int64
			if err := conn.QueryRow(ctx, sql, id).Scan(&balance); err != nil {
				return err
			}
			if balance != accountBalance(id) {
				return fmt.Errorf("account %d: balance %d, want %d", id, balance, accountBalance(id))
			}
			return nil
		}
	}
	write := func(sql string) callFunc {
		return func(ctx context.Context, conn *pgx.Conn, rng *rand.Rand) error {
			id := rng.Int64N(int64(o.Keys))
			var balance int64
			if err := conn.QueryRow(ctx, sql, id, 1).Scan(&balance); err != nil {
				return err
			}
			if balance <= accountBalance(id) {
				return fmt.Errorf("account %d: balance %d after a deposit, started at %d", id, balance, accountBalance(id))
			}
			return nil
		}
	}
	type job struct {
		name string
		t    Target
		call callFunc
	}
	jobs := []job{
		{PortalRead, portalsdb, read(`SELECT balance FROM bench_balance($1)`)},
		{PortalSelect, portalsdb, read(`SELECT balance FROM bench_accounts WHERE id = $1`)},
	}
	if pg != nil {
		jobs = append(jobs, job{PGSelect, *pg, read(`SELECT balance FROM bench_accounts WHERE id = $1`)})
	}
	jobs = append(jobs, job{PortalWrite, portalsdb, write(`SELECT balance FROM bench_deposit($1, $2)`)})
	if pg != nil {
		jobs = append(jobs, job{PGUpdate, *pg, write(`UPDATE bench_wallets SET balance = balance + $2 WHERE id = $1 RETURNING balance`)})
	}
	for _, j := range jobs {
		w := PortalWorkload{Name: j.name}
		var err error
		if w.Full, err = measureCalls(ctx, j.t, j.name, o, 0, j.call); err != nil {
			return rep, fmt.Errorf("%s: %w", j.name, err)
		}
		if w.Half, err = measureCalls(ctx, j.t, j.name, o, w.Full.Rate/2, j.call); err != nil {
			return rep, fmt.Errorf("%s at half load: %w", j.name, err)
		}
		fmt.Fprintf(o.Progress, "  %-38s full %8.0f calls/s p50 %7.0fus p99 %7.0fus | half %8.0f calls/s p50 %7.0fus p99 %7.0fus\n",
			j.name, w.Full.Rate, w.Full.P50us, w.Full.P99us, w.Half.Rate, w.Half.P50us, w.Half.P99us)
		rep.Workloads = append(rep.Workloads, w)
	}
	if o.Asks > 0 {
		if err := measureAsks(ctx, portalsdb, o, rep); err != nil {
			return rep, fmt.Errorf("asks: %w", err)
		}
	}
	return rep, nil
}

// setupAccounts creates the accounts that reads look up (never written)
// and the wallets that writes change, each with Keys rows; on portalsdb
// also the portals over them.
func setupAccounts(ctx context.Context, t Target, o PortalOptions, portals bool) error {
	conn, err := pgx.Connect(ctx, t.DSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	stmts := []string{}
	if portals {
		stmts = append(stmts,
			`DROP WORKFLOW IF EXISTS bench_asks`,
			`DROP STREAM IF EXISTS bench_lookups`,
			`DROP PORTAL IF EXISTS bench_balance(bigint)`,
			`DROP PORTAL IF EXISTS bench_deposit(bigint, bigint)`)
	}
	stmts = append(stmts,
		`DROP TABLE IF EXISTS bench_accounts`,
		`DROP TABLE IF EXISTS bench_wallets`,
		`CREATE TABLE bench_accounts (id bigint PRIMARY KEY, balance bigint NOT NULL)`,
		`CREATE TABLE bench_wallets (id bigint PRIMARY KEY, balance bigint NOT NULL)`)
	if portals {
		stmts = append(stmts,
			`CREATE PORTAL bench_balance(p_id bigint) RETURNS TABLE (balance bigint)
			   ON bench_accounts AS SELECT balance FROM bench_accounts WHERE id = p_id`,
			`CREATE PORTAL bench_deposit(p_id bigint, p_amount bigint) RETURNS TABLE (balance bigint)
			   ON bench_wallets AS UPDATE bench_wallets SET balance = balance + p_amount WHERE id = p_id RETURNING balance`)
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, table := range []string{"bench_accounts", "bench_wallets"} {
		rows := make([][]any, o.Keys)
		for i := range rows {
			rows[i] = []any{int64(i), accountBalance(int64(i))}
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{table}, []string{"id", "balance"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("loading %s: %w", table, err)
		}
	}
	return nil
}

// callFunc makes one call and checks its answer.
type callFunc func(ctx context.Context, conn *pgx.Conn, rng *rand.Rand) error

// measureCalls runs call on o.Clients connections for o.Duration, as fast
// as they go when rate is zero, else paced to rate calls/s in all.
func measureCalls(ctx context.Context, t Target, name string, o PortalOptions, rate float64, call callFunc) (LatencyRun, error) {
	conns := make([]*pgx.Conn, o.Clients)
	for c := range conns {
		conn, err := pgx.Connect(ctx, t.DSN)
		if err != nil {
			return LatencyRun{}, err
		}
		defer conn.Close(context.Background())
		conns[c] = conn
	}
	// Warm up each connection: the first call prepares the statement.
	for c, conn := range conns {
		if err := call(ctx, conn, rand.New(rand.NewPCG(uint64(c), 1))); err != nil {
			return LatencyRun{}, err
		}
	}
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(o.Clients) / rate)
	}
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var cpuBefore time.Duration
	cpuErr := errors.New("not measured")
	if t.CPU != nil {
		cpuBefore, cpuErr = t.CPU()
	}
	var done atomic.Int64
	lat := make([]portals.LatencyHistogram, o.Clients)
	errs := make(chan error, o.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano())))
			// Paced clients start spread over one interval.
			due := start
			if interval > 0 {
				due = start.Add(interval * time.Duration(c) / time.Duration(o.Clients))
			}
			for runCtx.Err() == nil {
				if interval > 0 {
					if d := time.Until(due); d > 0 {
						select {
						case <-runCtx.Done():
							return
						case <-time.After(d):
						}
					}
				} else {
					due = time.Now()
				}
				if err := call(runCtx, conn, rng); err != nil {
					if runCtx.Err() != nil {
						return
					}
					errs <- err
					cancel()
					return
				}
				lat[c].Record(time.Since(due))
				done.Add(1)
				due = due.Add(interval)
			}
		}()
	}
	waitReporting(&wg, func() {
		n := done.Load()
		fmt.Fprintf(o.Progress, "    %s on %s, %d clients: %.0fs, %d calls, %.0f/s\n", name, t.Name, o.Clients,
			time.Since(start).Seconds(), n, float64(n)/time.Since(start).Seconds())
	})
	took := time.Since(start)
	var cpu time.Duration
	if cpuErr == nil {
		var after time.Duration
		if after, cpuErr = t.CPU(); cpuErr == nil {
			cpu = after - cpuBefore
		}
	}
	close(errs)
	if err := <-errs; err != nil {
		return LatencyRun{}, err
	}
	var all portals.LatencyHistogram
	for c := range lat {
		all.Merge(&lat[c])
	}
	run := LatencyRun{Calls: all.Count, Seconds: took.Seconds(), Target: rate}
	if all.Count == 0 {
		return run, fmt.Errorf("no call completed in %v", o.Duration)
	}
	run.Rate = float64(all.Count) / took.Seconds()
	run.P50us = micros(all.Quantile(0.50))
	run.P99us = micros(all.Quantile(0.99))
	if cpuErr == nil {
		run.ServerCPUus = micros(cpu) / float64(all.Count)
	}
	return run, nil
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// measureAsks loads a stream with o.Asks account ids in atoms of 1,000,
// then creates a workflow that asks the read portal about each and sums
// the answers, and times it from creation until it has every answer.
func measureAsks(ctx context.Context, t Target, o PortalOptions, rep *PortalReport) error {
	conn, err := pgx.Connect(ctx, t.DSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE STREAM bench_lookups (id bigint)`); err != nil {
		return err
	}
	var want int64
	rows := make([][]any, 0, 1000)
	for i := 0; i < o.Asks; {
		rows = rows[:0]
		for ; len(rows) < 1000 && i < o.Asks; i++ {
			id := int64(i*7919) % int64(o.Keys)
			want += accountBalance(id)
			rows = append(rows, []any{id})
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_lookups"}, []string{"id"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
	}
	start := time.Now()
	if _, err := conn.Exec(ctx, `CREATE WORKFLOW bench_asks AS
		SELECT count(*) AS n, sum(b.balance) AS total FROM bench_lookups l CROSS JOIN LATERAL bench_balance(l.id) b`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `FLUSH`); err != nil {
		return err
	}
	took := time.Since(start)
	var n, total int64
	if err := conn.QueryRow(ctx, `SELECT n, total FROM bench_asks`).Scan(&n, &total); err != nil {
		return err
	}
	if n != int64(o.Asks) || total != want {
		return fmt.Errorf("the workflow counted %d answers summing to %d; want %d summing to %d", n, total, o.Asks, want)
	}
	rep.Asks, rep.AsksSeconds, rep.AsksRate = n, took.Seconds(), float64(n)/took.Seconds()
	fmt.Fprintf(o.Progress, "  workflow asks: %d in %.2fs, %.0f asks/s\n", n, took.Seconds(), rep.AsksRate)
	if _, err := conn.Exec(ctx, `DROP WORKFLOW bench_asks`); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `DROP STREAM bench_lookups`)
	return err
}
