package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The portal applications of issue 5, as Go tests: concurrent callers, and
// SIGKILL in the middle of the run. The same applications, without
// concurrency and kills, are the .slt suites in testdata/slt.

// runPSQLFile runs a SQL file with psql, stopping at the first error.
func runPSQLFile(t *testing.T, dsn, file string) {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", file)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql -f %s: %v\n%s", file, err, out)
	}
}

// chaos runs workers against a child server while it is killed and
// restarted kills times, then stops them. A worker gets a fresh connection
// after each failure and must return soon after stop is closed. Workers run
// their statements without a deadline tied to stop, so that when chaos
// returns no statement of theirs is still in flight.
func chaos(t *testing.T, c *child, kills int, workers int, work func(stop context.Context, w int, conn *pgx.Conn) error) {
	t.Helper()
	start := time.Now()
	defer func() { t.Logf("chaos phase: %v", time.Since(start)) }()
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var worked atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				dsn, err := c.waitDSN(ctx)
				if err != nil {
					return
				}
				conn, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if err := work(ctx, w, conn); err == nil {
					worked.Add(1)
				}
				conn.Close(context.Background())
			}
		}()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for range kills {
		time.Sleep(time.Duration(300+rng.IntN(500)) * time.Millisecond)
		c.restart()
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()
}

// flushed connects to the child and waits until every workflow has
// processed everything committed.
func flushed(t *testing.T, c *child) *pgx.Conn {
	t.Helper()
	start := time.Now()
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, "FLUSH")
	t.Logf("FLUSH after the chaos: %v", time.Since(start))
	return conn
}

func queryInt(t *testing.T, conn *pgx.Conn, q string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := conn.QueryRow(ctxT(t), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// TestShoppingCartSurvivesKill runs examples/shopping_cart.sql with psql,
// then checks out carts from four sessions while the server is killed
// three times. Afterwards: stock is never negative, every checked-out line
// was reserved (or refused) exactly once, every acknowledged cart is in
// the orders, and orders plus stock equal the initial stock.
func TestShoppingCartSurvivesKill(t *testing.T) {
	c := newChild(t)
	runPSQLFile(t, c.dsn(), "../examples/shopping_cart.sql")
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, "INSERT INTO inventory VALUES ('kiwi', 200), ('lime', 100000)")
	initial := map[string]int64{"apple": 100, "pear": 50, "plum": 20, "fig": 5, "kiwi": 200, "lime": 100000}
	items := []string{"apple", "pear", "plum", "fig", "kiwi", "lime"}
	conn.Close(ctxBG())

	var nextCart atomic.Int64
	nextCart.Store(1000)
	var acked sync.Map // cart id -> number of lines
	chaos(t, c, 3, 4, func(ctx context.Context, w int, conn *pgx.Conn) error {
		rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
		for ctx.Err() == nil {
			cart := nextCart.Add(1)
			n := 1 + rng.IntN(3)
			var vals []string
			for i := range n {
				vals = append(vals, fmt.Sprintf("(%d, '%s', %d)", cart, items[(rng.IntN(len(items))+i)%len(items)], 1+rng.IntN(3)))
			}
			// Distinct items per cart keep (cart, item) a key of orders.
			seen := map[string]bool{}
			var uniq []string
			for _, v := range vals {
				item := strings.Split(v, "'")[1]
				if !seen[item] {
					seen[item] = true
					uniq = append(uniq, v)
				}
			}
			if _, err := conn.Exec(context.Background(), "INSERT INTO cart_checkouts VALUES "+strings.Join(uniq, ", ")); err != nil {
				return err
			}
			acked.Store(cart, len(uniq))
		}
		return nil
	})

	conn = flushed(t, c)
	if n := queryInt(t, conn, "SELECT count(*) FROM inventory WHERE qty < 0"); n != 0 {
		t.Errorf("%d items with negative stock", n)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM (SELECT cart_id, item FROM orders GROUP BY cart_id, item HAVING count(*) > 1) d"); n != 0 {
		t.Errorf("%d cart lines ordered more than once", n)
	}
	lines := queryInt(t, conn, "SELECT count(*) FROM cart_checkouts")
	ordered := queryInt(t, conn, "SELECT count(*) FROM orders")
	if lines != ordered {
		t.Errorf("%d cart lines checked out, %d orders", lines, ordered)
	}
	perCart := map[int64]int64{}
	for _, r := range queryStrings(t, conn, "SELECT cart_id, count(*) FROM orders GROUP BY cart_id") {
		var id, n int64
		fmt.Sscan(r[0], &id)
		fmt.Sscan(r[1], &n)
		perCart[id] = n
	}
	missing := 0
	count := 0
	acked.Range(func(k, v any) bool {
		count++
		if perCart[k.(int64)] != int64(v.(int)) {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Errorf("%d of %d acknowledged carts are not fully in the orders", missing, count)
	}
	for item, init := range initial {
		left := queryInt(t, conn, "SELECT qty FROM inventory WHERE item = $1", item)
		sold := queryInt(t, conn, "SELECT coalesce(sum(qty), 0) FROM orders WHERE item = $1 AND reserved", item)
		if left+sold != init {
			t.Errorf("%s: %d left + %d sold != %d initial", item, left, sold, init)
		}
		if n := queryInt(t, conn, "SELECT coalesce(sum(sold), 0) FROM item_sales WHERE item = $1", item); n != sold {
			t.Errorf("%s: item_sales says %d sold, the orders %d", item, n, sold)
		}
	}
	top := queryStrings(t, conn, "SELECT item, sold FROM top_items()")
	want := queryStrings(t, conn, "SELECT item, sum(qty) FROM orders WHERE reserved GROUP BY item ORDER BY 2 DESC, 1 LIMIT 10")
	if fmt.Sprint(top) != fmt.Sprint(want) {
		t.Errorf("top_items() = %v, want %v", top, want)
	}
	if count < 20 {
		t.Errorf("only %d carts were acknowledged: the run did too little to prove anything", count)
	}
	t.Logf("%d carts acknowledged, %d lines, %d orders", count, lines, ordered)
}

const bankSchema = `
CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL CHECK (balance >= 0));
INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 20) g;
CREATE PORTAL transfer(src INT, dst INT, amount BIGINT) RETURNS TABLE (id INT, balance BIGINT)
  ON accounts AS
  UPDATE accounts SET balance = balance + CASE WHEN id = src THEN -amount ELSE amount END
  WHERE id IN (src, dst) AND src <> dst AND amount > 0
    AND (SELECT count(*) FROM accounts WHERE id IN (src, dst)) = 2
    AND (SELECT balance FROM accounts WHERE id = src) >= amount
  RETURNING id, balance;
CREATE STREAM transfer_requests (req_id INT, src INT, dst INT, amount BIGINT);
CREATE WORKFLOW transfers AS
  SELECT t.req_id, count(r.id) AS legs
  FROM transfer_requests t LEFT JOIN LATERAL transfer(t.src, t.dst, t.amount) r ON true
  GROUP BY t.req_id;
`

// The transfer portal refuses (answers no rows) when the source lacks the
// money, so that a workflow asking it never stops on an error; the CHECK
// constraint is the backstop, and the .slt suite shows its 23514.

// transferDone is one transfer the test knows the outcome of.
type transferDone struct {
	src, dst int
	amount   int64
}

// TestBankTransfersConcurrent calls a transfer portal from 32 concurrent
// clients with prepared statements, and from a workflow, while readers
// check that the total never changes and no balance is ever negative. At
// the end each balance equals the initial one plus exactly the transfers
// that succeeded: refused transfers changed nothing.
func TestBankTransfersConcurrent(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, bankSchema)

	ctx, stop := context.WithCancel(ctxT(t))
	defer stop()
	var readers sync.WaitGroup
	var reads atomic.Int64
	readErr := make(chan error, 4)
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			rc := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
			for ctx.Err() == nil {
				var sum, low int64
				if err := rc.QueryRow(ctx, "SELECT sum(balance), min(balance) FROM accounts").Scan(&sum, &low); err != nil {
					if ctx.Err() == nil {
						readErr <- err
					}
					return
				}
				if sum != 20000 || low < 0 {
					readErr <- fmt.Errorf("read total %d, lowest balance %d", sum, low)
					return
				}
				reads.Add(1)
			}
		}()
	}

	// The workflow's transfers, in atoms of ten requests.
	type request struct {
		id, src, dst int
		amount       int64
	}
	var requests []request
	wfDone := make(chan error, 1)
	go func() {
		wc := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
		rng := rand.New(rand.NewPCG(99, 1))
		for atom := range 20 {
			var vals []string
			for i := range 10 {
				r := request{id: atom*10 + i, src: 1 + rng.IntN(20), dst: 1 + rng.IntN(20), amount: int64(1 + rng.IntN(300))}
				requests = append(requests, r)
				vals = append(vals, fmt.Sprintf("(%d, %d, %d, %d)", r.id, r.src, r.dst, r.amount))
			}
			if _, err := wc.Exec(ctx, "INSERT INTO transfer_requests VALUES "+strings.Join(vals, ", ")); err != nil {
				wfDone <- err
				return
			}
		}
		wfDone <- nil
	}()

	const clients, perClient = 32, 60
	var mu sync.Mutex
	var done []transferDone
	refused := 0
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
			rng := rand.New(rand.NewPCG(uint64(cl), 3))
			for range perClient {
				src, dst, amount := 1+rng.IntN(20), 1+rng.IntN(20), int64(1+rng.IntN(400))
				rows, err := cc.Query(ctx, "SELECT id, balance FROM transfer($1, $2, $3)", src, dst, amount)
				n := 0
				if err == nil {
					for rows.Next() {
						n++
					}
					rows.Close()
					err = rows.Err()
				}
				var pe *pgconn.PgError
				switch {
				case err == nil && n == 2:
					mu.Lock()
					done = append(done, transferDone{src, dst, amount})
					mu.Unlock()
				case err == nil && n == 0, errors.As(err, &pe) && pe.Code == "23514":
					// Refused: not enough money (or src = dst).
					mu.Lock()
					refused++
					mu.Unlock()
				default:
					errs <- fmt.Errorf("transfer(%d, %d, %d): %d rows, %v", src, dst, amount, n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := <-wfDone; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mustExec(t, conn, "FLUSH")
	stop()
	readers.Wait()
	close(readErr)
	for err := range readErr {
		t.Error(err)
	}

	want := map[int]int64{}
	for i := 1; i <= 20; i++ {
		want[i] = 1000
	}
	for _, d := range done {
		want[d.src] -= d.amount
		want[d.dst] += d.amount
	}
	legs := map[int]int64{}
	for _, r := range queryStrings(t, conn, "SELECT req_id, legs FROM transfers") {
		var id int
		var n int64
		fmt.Sscan(r[0], &id)
		fmt.Sscan(r[1], &n)
		legs[id] = n
	}
	if len(legs) != len(requests) {
		t.Fatalf("the workflow answered %d of %d requests", len(legs), len(requests))
	}
	wfApplied := 0
	for _, r := range requests {
		switch legs[r.id] {
		case 2:
			want[r.src] -= r.amount
			want[r.dst] += r.amount
			wfApplied++
		case 0:
		default:
			t.Errorf("request %d moved %d legs", r.id, legs[r.id])
		}
	}
	for _, r := range queryStrings(t, conn, "SELECT id, balance FROM accounts ORDER BY id") {
		var id int
		var bal int64
		fmt.Sscan(r[0], &id)
		fmt.Sscan(r[1], &bal)
		if bal != want[id] {
			t.Errorf("account %d: balance %d, want %d", id, bal, want[id])
		}
	}
	if reads.Load() == 0 || len(done) == 0 || refused == 0 {
		t.Errorf("%d reads, %d transfers done, %d refused: the run proves too little", reads.Load(), len(done), refused)
	}
	t.Logf("%d ad-hoc transfers done, %d refused; %d of %d workflow transfers applied; %d consistent reads",
		len(done), refused, wfApplied, len(requests), reads.Load())
}

// TestBankWorkflowSurvivesKill asks the transfer portal from a workflow
// while the server is killed: after the restarts every request was
// applied exactly once (each balance equals the initial one plus the
// transfers the workflow reports), and the total never changed.
func TestBankWorkflowSurvivesKill(t *testing.T) {
	c := newChild(t)
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, bankSchema)
	conn.Close(ctxBG())
	var nextReq atomic.Int64
	chaos(t, c, 3, 3, func(ctx context.Context, w int, conn *pgx.Conn) error {
		rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
		for ctx.Err() == nil {
			var vals []string
			for range 5 {
				vals = append(vals, fmt.Sprintf("(%d, %d, %d, %d)", nextReq.Add(1), 1+rng.IntN(20), 1+rng.IntN(20), 1+rng.IntN(300)))
			}
			if _, err := conn.Exec(context.Background(), "INSERT INTO transfer_requests VALUES "+strings.Join(vals, ", ")); err != nil {
				return err
			}
		}
		return nil
	})
	conn = flushed(t, c)
	if n := queryInt(t, conn, "SELECT sum(balance) FROM accounts"); n != 20000 {
		t.Errorf("total %d, want 20000", n)
	}
	reqs := queryInt(t, conn, "SELECT count(*) FROM transfer_requests")
	answered := queryInt(t, conn, "SELECT count(*) FROM transfers")
	if reqs != answered || reqs < 20 {
		t.Errorf("%d requests, %d answered", reqs, answered)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM transfers WHERE legs NOT IN (0, 2)"); n != 0 {
		t.Errorf("%d requests moved a number of legs other than 0 or 2", n)
	}
	bad := queryStrings(t, conn, `
		SELECT a.id, a.balance, 1000 + coalesce(i.amount, 0) - coalesce(o.amount, 0)
		FROM accounts a
		LEFT JOIN (SELECT r.dst AS id, sum(r.amount) AS amount FROM transfer_requests r JOIN transfers t ON t.req_id = r.req_id
		           WHERE t.legs = 2 GROUP BY r.dst) i ON i.id = a.id
		LEFT JOIN (SELECT r.src AS id, sum(r.amount) AS amount FROM transfer_requests r JOIN transfers t ON t.req_id = r.req_id
		           WHERE t.legs = 2 GROUP BY r.src) o ON o.id = a.id
		WHERE a.balance <> 1000 + coalesce(i.amount, 0) - coalesce(o.amount, 0)`)
	if len(bad) > 0 {
		t.Errorf("balances that do not match the applied transfers (id, balance, expected): %v", bad)
	}
	t.Logf("%d transfer requests across 3 kills", reqs)
}

// TestPortalAtomicVisibilitySurvivesKill: atoms of ten events summing to
// 10 go into a stream; a workflow keeps the sum; a portal on the workflow
// answers it. Every answer, from any session, before and after kills, is a
// multiple of 10.
func TestPortalAtomicVisibilitySurvivesKill(t *testing.T) {
	c := newChild(t)
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, `
		CREATE STREAM events (v INT);
		CREATE WORKFLOW total AS SELECT sum(v) AS s, count(*) AS n FROM events;
		CREATE PORTAL total_sum() RETURNS TABLE (s BIGINT, n BIGINT) ON total AS SELECT s, n FROM total`)
	conn.Close(ctxBG())
	var answers, bad atomic.Int64
	var badMsg atomic.Value
	chaos(t, c, 2, 5, func(ctx context.Context, w int, conn *pgx.Conn) error {
		rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
		if w < 2 {
			// Writers: ten values with sum 10, some negative.
			for ctx.Err() == nil {
				vals := make([]int, 10)
				sum := 0
				for i := range 9 {
					vals[i] = rng.IntN(21) - 8
					sum += vals[i]
				}
				vals[9] = 10 - sum
				var rows []string
				for _, v := range vals {
					rows = append(rows, fmt.Sprintf("(%d)", v))
				}
				if _, err := conn.Exec(context.Background(), "INSERT INTO events VALUES "+strings.Join(rows, ", ")); err != nil {
					return err
				}
			}
			return nil
		}
		if w == 4 {
			if _, err := conn.Exec(context.Background(), "SET portals.read_consistency = 'latest'"); err != nil {
				return err
			}
		}
		for ctx.Err() == nil {
			var s, n *int64
			if err := conn.QueryRow(context.Background(), "SELECT s, n FROM total_sum()").Scan(&s, &n); err != nil {
				return err
			}
			answers.Add(1)
			if s != nil && (*s%10 != 0 || *n%10 != 0) {
				bad.Add(1)
				badMsg.Store(fmt.Sprintf("sum %d over %d events", *s, *n))
			}
		}
		return nil
	})
	if bad.Load() > 0 {
		t.Errorf("%d of %d answers saw part of an atom, e.g. %v", bad.Load(), answers.Load(), badMsg.Load())
	}
	conn = flushed(t, c)
	s := queryInt(t, conn, "SELECT s FROM total_sum()")
	n := queryInt(t, conn, "SELECT n FROM total_sum()")
	events := queryInt(t, conn, "SELECT count(*) FROM events")
	if n != events || s != events {
		t.Errorf("after the kills the workflow holds sum %d over %d events; the stream has %d events (sum %d)", s, n, events, events)
	}
	if answers.Load() < 50 {
		t.Errorf("only %d answers", answers.Load())
	}
	t.Logf("%d portal answers, %d events", answers.Load(), events)
}

// TestNestedAsksSurviveKill: a workflow asks, per row, a chain of portals
// 64 calls deep whose odd levels count hits in their own tables. Across
// kills, every level counts each probe exactly once.
func TestNestedAsksSurviveKill(t *testing.T) {
	c := newChild(t)
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, "CREATE TABLE base (id INT PRIMARY KEY, v INT)", "INSERT INTO base VALUES (1, 0)",
		"CREATE PORTAL level0(n INT) RETURNS TABLE (v INT) ON base AS SELECT v + n FROM base WHERE id = 1")
	const depth = 64
	for k := 1; k <= depth; k++ {
		if k%2 == 1 {
			mustExec(t, conn, fmt.Sprintf("CREATE TABLE hits%d (id INT PRIMARY KEY, hits INT NOT NULL)", k),
				fmt.Sprintf("INSERT INTO hits%d VALUES (1, 0)", k),
				fmt.Sprintf(`CREATE PORTAL level%d(n INT) RETURNS TABLE (v INT) ON hits%d AS
					UPDATE hits%d SET hits = hits + 1 WHERE id = 1 RETURNING (SELECT v FROM level%d(n)) + 1`, k, k, k, k-1))
		} else {
			mustExec(t, conn, fmt.Sprintf("CREATE PORTAL level%d(n INT) RETURNS TABLE (v INT) ON base AS SELECT v + 1 FROM level%d(n)", k, k-1))
		}
	}
	mustExec(t, conn, "CREATE STREAM probes (n INT)",
		fmt.Sprintf("CREATE WORKFLOW deep AS SELECT p.n, d.v FROM probes p CROSS JOIN LATERAL level%d(p.n) d", depth))
	conn.Close(ctxBG())
	var next atomic.Int64
	chaos(t, c, 2, 2, func(ctx context.Context, w int, conn *pgx.Conn) error {
		for ctx.Err() == nil {
			a, b := next.Add(1), next.Add(1)
			if _, err := conn.Exec(context.Background(), fmt.Sprintf("INSERT INTO probes VALUES (%d), (%d)", a, b)); err != nil {
				return err
			}
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	})
	conn = flushed(t, c)
	probes := queryInt(t, conn, "SELECT count(*) FROM probes")
	if n := queryInt(t, conn, "SELECT count(*) FROM deep"); n != probes {
		t.Errorf("%d probes, %d answers", probes, n)
	}
	if n := queryInt(t, conn, fmt.Sprintf("SELECT count(*) FROM deep WHERE v <> n + %d", depth)); n != 0 {
		t.Errorf("%d wrong answers", n)
	}
	for k := 1; k <= depth; k += 2 {
		if h := queryInt(t, conn, fmt.Sprintf("SELECT hits FROM hits%d", k)); h != probes {
			t.Errorf("level %d counted %d hits for %d probes", k, h, probes)
		}
	}
	if probes < 10 {
		t.Errorf("only %d probes", probes)
	}
	t.Logf("%d probes, each 64 portals deep, across 2 kills", probes)
}
