package incrtest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestIncrementalEqualsBatch runs every case of testdata/workflows: it
// creates the inputs, applies a few random atoms, creates the case's
// workflows (so they start from a snapshot) and subscribes to each, then
// applies random atoms. After every atom each workflow's result must equal
// its batch query, and each subscription's snapshot plus changes must equal
// the result. PORTALSDB_INCR_SEED picks another seed; PORTALSDB_LONG=1 runs
// longer sequences.
func TestIncrementalEqualsBatch(t *testing.T) {
	f, err := os.Open("testdata/workflows")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := ReadCases(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	atoms := 40
	if long() {
		atoms = 400
	}
	seed := baseSeed(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			h := fnv.New64a()
			h.Write([]byte(c.Name))
			runCase(t, c, seed, seed^h.Sum64(), atoms)
		})
	}
}

// differential is one case's run: the atoms so far, for the report.
type differential struct {
	t       *testing.T
	c       Case
	seed    uint64
	history []string
}

func (d *differential) fail(w Workflow, what string, want, got Rows) {
	d.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "case %s (testdata/workflows:%d), seed %d (PORTALSDB_INCR_SEED=%d), after %d steps\n",
		d.c.Name, d.c.Line, d.seed, d.seed, len(d.history))
	fmt.Fprintf(&b, "workflow %s: %s\nbatch query: %s\n%s\n", w.Name, w.Query, w.Batch, what)
	b.WriteString("steps:\n")
	for i, h := range d.history {
		fmt.Fprintf(&b, "  %3d  %s\n", i+1, h)
	}
	fmt.Fprintf(&b, "want (%d rows):\n%sgot (%d rows):\n%sdiff (- missing, + extra):\n%s", want.Len(), want, got.Len(), got, Diff(want, got))
	d.t.Fatal(b.String())
}

func runCase(t *testing.T, c Case, base, seed uint64, atoms int) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn, Schema...)
	exec(t, conn, "CREATE STREAM marker (m int)")
	d := &differential{t: t, c: c, seed: base}
	gen, err := NewGenerator(seed, c.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	apply := func(a Atom) {
		t.Helper()
		d.history = append(d.history, a.String())
		if err := a.Apply(testContext(t), conn); err != nil {
			t.Fatalf("seed %d, case %s, step %d: %s: %v", base, c.Name, len(d.history), a, err)
		}
	}
	subs := make([]*Subscription, len(c.Workflows))
	subscribe := func(i int, stmt string, state Rows) {
		t.Helper()
		sub, err := Subscribe(connect(t, srv.Addr(), nil), stmt, state)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		t.Cleanup(sub.Close)
		subs[i] = sub
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for range r.IntN(6) {
		apply(gen.Next())
	}
	for i, w := range c.Workflows {
		d.history = append(d.history, w.Create()+";")
		exec(t, conn, w.Create())
		subscribe(i, "SUBSCRIBE "+w.Name+" WITH (SNAPSHOT = true, PROGRESS = true)", nil)
	}
	d.check(conn, subs)
	for range atoms {
		if r.IntN(12) == 0 {
			// A restart, sometimes while workflows have atoms to catch up
			// on: operators reload their state, and subscriptions resume
			// from the atom after the last one they saw whole.
			for range r.IntN(3) {
				apply(gen.Next())
			}
			d.history = append(d.history, "-- restart")
			states := make([]Rows, len(subs))
			froms := make([]int64, len(subs))
			for i, sub := range subs {
				sub.Close()
				states[i], froms[i] = sub.State()
			}
			srv.stop()
			srv = startServer(t, dir)
			conn = connect(t, srv.Addr(), nil)
			// Read-your-writes covers a session's own commits; a new
			// session asks for everything committed with FLUSH.
			exec(t, conn, "FLUSH")
			for i, w := range c.Workflows {
				subscribe(i, fmt.Sprintf("SUBSCRIBE %s WITH (FROM_ATOM = %d, PROGRESS = true)", w.Name, froms[i]+1), states[i])
			}
		} else {
			apply(gen.Next())
		}
		d.check(conn, subs)
	}
}

// check compares every workflow with its batch query, then, once a marker
// atom committed after the workflows' last commits, with its subscription.
func (d *differential) check(conn *pgx.Conn, subs []*Subscription) {
	t := d.t
	t.Helper()
	results := make([]Rows, len(d.c.Workflows))
	for i, w := range d.c.Workflows {
		got := query(t, conn, "SELECT * FROM "+w.Name)
		want := query(t, conn, w.Batch)
		if !got.Equal(want) {
			d.fail(w, "the workflow's result differs from the batch query's", want, got)
		}
		results[i] = got
	}
	exec(t, conn, "INSERT INTO marker VALUES (1)")
	marker := queryInt(t, conn, "SELECT max(_atom) FROM marker")
	for i, w := range d.c.Workflows {
		state, _, err := subs[i].Wait(testContext(t), marker)
		if err != nil {
			t.Fatalf("seed %d, case %s: SUBSCRIBE %s: %v", d.seed, d.c.Name, w.Name, err)
		}
		if !state.Equal(results[i]) {
			d.fail(w, "SUBSCRIBE's snapshot and changes differ from the workflow's result", results[i], state)
		}
	}
}
