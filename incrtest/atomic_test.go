package incrtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAtomicVisibility: atoms of 10 events whose values sum to 10 go into a
// stream, as multi-row INSERTs, as COPYs and as transactions of several
// INSERTs; other transactions insert 10 rows into each of two streams.
// Sessions reading in a loop, with read-your-writes and with
// portals.read_consistency = 'latest', must never see part of an atom:
// every sum and count is a multiple of 10, and the join and union of the
// two streams show whole transactions only. Plain SELECTs of the stream
// itself see whole atoms too, and so do SUBSCRIBE readers: after every
// progress row, the state their changes built is a multiple of 10.
func TestAtomicVisibility(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn,
		"CREATE STREAM ev (v int)",
		"CREATE STREAM a (id int, x int)",
		"CREATE STREAM b (id int, y int)",
		"CREATE WORKFLOW total AS SELECT sum(v) AS s, count(*) AS n FROM ev",
		"CREATE WORKFLOW events AS SELECT count(*) AS n FROM ev",
		"CREATE WORKFLOW joined AS SELECT count(*) AS n, sum(a.x + b.y) AS s FROM a JOIN b ON a.id = b.id",
		"CREATE STREAM marker (m int)",
		"CREATE WORKFLOW unioned AS SELECT count(*) AS n FROM (SELECT id FROM a UNION ALL SELECT id FROM b) u",
	)
	atoms := 60
	if long() {
		atoms = 1000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var writers sync.WaitGroup
	var failed atomic.Value
	fail := func(err error) {
		failed.CompareAndSwap(nil, err)
		cancel()
	}
	// SUBSCRIBE readers check the state after every atom: each value of
	// the one row of total and joined a multiple of 10 (joined's sum of
	// 30).
	subscribed := []struct {
		name      string
		multiples []int64
	}{{"total", []int64{10, 10}}, {"joined", []int64{10, 30}}, {"events", []int64{10}}}
	var subAtoms atomic.Int64
	subs := make([]*Subscription, len(subscribed))
	for i, sw := range subscribed {
		check := func(state Rows, atom int64) error {
			for key := range state {
				vals, err := rowInts(key)
				if err != nil {
					return err
				}
				for j, v := range vals {
					if v%sw.multiples[j] != 0 {
						return fmt.Errorf("SUBSCRIBE %s at atom %d saw part of an atom: %s", sw.name, atom, key)
					}
				}
			}
			subAtoms.Add(1)
			return nil
		}
		sub, err := SubscribeFunc(connect(t, srv.Addr(), nil), "SUBSCRIBE "+sw.name+" WITH (SNAPSHOT = true, PROGRESS = true)", nil, check)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sub.Close)
		subs[i] = sub
	}
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			c, err := dial(srv.Addr(), nil)
			if err != nil {
				fail(err)
				return
			}
			defer c.Close(context.Background())
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for i := range atoms {
				if err := eventAtom(r, i).Apply(ctx, c); err != nil {
					fail(fmt.Errorf("writer %d: %w", w, err))
					return
				}
			}
		}()
	}
	writers.Add(1)
	go func() {
		defer writers.Done()
		c, err := dial(srv.Addr(), nil)
		if err != nil {
			fail(err)
			return
		}
		defer c.Close(context.Background())
		for i := range atoms {
			var as, bs []string
			for k := range 10 {
				id := i*10 + k
				as = append(as, fmt.Sprintf("(%d, 1)", id))
				bs = append(bs, fmt.Sprintf("(%d, 2)", id))
			}
			a := Atom{Stmts: []string{"INSERT INTO a VALUES " + strings.Join(as, ", "), "INSERT INTO b VALUES " + strings.Join(bs, ", ")}}
			if err := a.Apply(ctx, c); err != nil {
				fail(fmt.Errorf("two-stream writer: %w", err))
				return
			}
		}
	}()

	checks := []struct {
		query    string
		multiple int64
	}{
		{"SELECT s FROM total", 10},
		{"SELECT n FROM total", 10},
		{"SELECT n FROM events", 10},
		{"SELECT n FROM joined", 10},
		{"SELECT s FROM joined", 30},
		{"SELECT n FROM unioned", 20},
		{"SELECT coalesce(sum(v), 0) FROM ev", 10},
		{"SELECT count(*) FROM ev", 10},
		{"SELECT count(*) FROM a JOIN b ON a.id = b.id", 10},
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads atomic.Int64
	for rd := range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			c, err := dial(srv.Addr(), nil)
			if err != nil {
				fail(err)
				return
			}
			defer c.Close(context.Background())
			if rd%2 == 1 {
				if _, err := c.Exec(ctx, "SET portals.read_consistency = 'latest'"); err != nil {
					fail(err)
					return
				}
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ch := checks[(rd+i)%len(checks)]
				n, err := QueryInt(ctx, c, ch.query)
				if err != nil {
					fail(fmt.Errorf("reader %d: %s: %w", rd, ch.query, err))
					return
				}
				if n%ch.multiple != 0 {
					fail(fmt.Errorf("reader %d saw part of an atom: %s = %d, not a multiple of %d", rd, ch.query, n, ch.multiple))
					return
				}
				reads.Add(1)
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	if reads.Load() < int64(len(checks)) {
		t.Fatalf("only %d reads ran", reads.Load())
	}
	exec(t, conn, "FLUSH")
	for _, c := range []struct {
		query string
		want  int64
	}{
		{"SELECT s FROM total", int64(2 * atoms * 10)},
		{"SELECT n FROM events", int64(2 * atoms * 10)},
		{"SELECT n FROM joined", int64(atoms * 10)},
		{"SELECT n FROM unioned", int64(atoms * 20)},
	} {
		if got := queryInt(t, conn, c.query); got != c.want {
			t.Errorf("after every atom: %s = %d, want %d", c.query, got, c.want)
		}
	}
	// The subscribers saw every atom, each whole, and end where the
	// workflows are.
	exec(t, conn, "INSERT INTO marker VALUES (1)")
	marker := queryInt(t, conn, "SELECT max(_atom) FROM marker")
	for i, sw := range subscribed {
		state, _, err := subs[i].Wait(testContext(t), marker)
		if err != nil {
			t.Fatalf("SUBSCRIBE %s: %v", sw.name, err)
		}
		if want := query(t, conn, "SELECT * FROM "+sw.name); !state.Equal(want) {
			t.Fatalf("SUBSCRIBE %s ends apart from the workflow\n%s", sw.name, Diff(want, state))
		}
	}
	t.Logf("%d reads, %d atoms checked by subscribers", reads.Load(), subAtoms.Load())
}

// rowInts reads a row of integers (or NULLs, read as 0) from its Rows key.
func rowInts(key string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(strings.Trim(key, "()"), ", ") {
		if f == "NULL" {
			out = append(out, 0)
			continue
		}
		n, err := strconv.ParseInt(strings.Trim(f, `"`), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("row %s: %w", key, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// eventAtom returns an atom of 10 events whose values sum to 10: one
// INSERT, a COPY, or a transaction of several INSERTs.
func eventAtom(r *rand.Rand, i int) Atom {
	vals := make([]int, 10)
	sum := 0
	for k := range 9 {
		vals[k] = r.IntN(21) - 10
		sum += vals[k]
	}
	vals[9] = 10 - sum
	row := func(v int) string { return fmt.Sprintf("(%d)", v) }
	switch i % 3 {
	case 0:
		parts := make([]string, 10)
		for k, v := range vals {
			parts[k] = row(v)
		}
		return Atom{Stmts: []string{"INSERT INTO ev VALUES " + strings.Join(parts, ", ")}}
	case 1:
		var b strings.Builder
		for _, v := range vals {
			fmt.Fprintf(&b, "%d\n", v)
		}
		return Atom{CopyTo: "ev", CopyData: b.String()}
	default:
		var stmts []string
		for start := 0; start < 10; {
			end := min(10, start+1+r.IntN(4))
			parts := make([]string, 0, end-start)
			for _, v := range vals[start:end] {
				parts = append(parts, row(v))
			}
			stmts = append(stmts, "INSERT INTO ev VALUES "+strings.Join(parts, ", "))
			start = end
		}
		if len(stmts) == 1 {
			stmts = append(stmts, "INSERT INTO ev SELECT 0 WHERE false")
		}
		return Atom{Stmts: stmts}
	}
}
