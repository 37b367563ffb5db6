package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// seqRow is one event of the sequencer tests: row i of the k rows writer
// w inserted as its atom n.
type seqRow struct {
	atom       int64
	w, n, i, k int64
}

// atomKey names a source atom by its writer and number.
type atomKey struct{ w, n int64 }

func readSeqRows(t *testing.T, conn *pgx.Conn, rel string) []seqRow {
	t.Helper()
	rows, err := conn.Query(ctxT(t), "SELECT _atom, w, n, i, k FROM "+rel)
	if err != nil {
		t.Fatalf("reading %s: %v", rel, err)
	}
	defer rows.Close()
	var out []seqRow
	for rows.Next() {
		var r seqRow
		if err := rows.Scan(&r.atom, &r.w, &r.n, &r.i, &r.k); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading %s: %v", rel, err)
	}
	return out
}

// groupAtoms checks that every atom of rel holds the rows of exactly one
// source atom and returns, per source atom, the atom it is in and its
// rows' i. wholeAtoms additionally requires every atom to hold all k
// rows (streams fed with whole source atoms, not splits).
func groupAtoms(t *testing.T, rel string, rows []seqRow, wholeAtoms bool) map[atomKey]int64 {
	t.Helper()
	byAtom := map[int64]atomKey{}
	where := map[atomKey]int64{}
	count := map[atomKey]int64{}
	seen := map[[3]int64]bool{}
	for _, r := range rows {
		key := atomKey{r.w, r.n}
		if prev, ok := byAtom[r.atom]; ok && prev != key {
			t.Errorf("%s: atom %d mixes source atoms %v and %v (fused)", rel, r.atom, prev, key)
		}
		byAtom[r.atom] = key
		if prev, ok := where[key]; ok && prev != r.atom {
			t.Errorf("%s: source atom %v is spread over atoms %d and %d (split or repeated)", rel, key, prev, r.atom)
		}
		where[key] = r.atom
		if seen[[3]int64{r.w, r.n, r.i}] {
			t.Errorf("%s: row %v appears twice", rel, r)
		}
		seen[[3]int64{r.w, r.n, r.i}] = true
		count[key]++
		if wholeAtoms && count[key] > r.k {
			t.Errorf("%s: source atom %v has more than its %d rows", rel, key, r.k)
		}
	}
	if wholeAtoms {
		for _, r := range rows {
			if count[atomKey{r.w, r.n}] != r.k {
				t.Errorf("%s: source atom %v has %d of its %d rows", rel, atomKey{r.w, r.n}, count[atomKey{r.w, r.n}], r.k)
				break
			}
		}
	}
	return where
}

// splitOf is the first split whose condition holds for row i, before and
// after the catch-all split "rest" was added.
func splitOf(i int64, withRest bool) string {
	switch {
	case i%2 == 0:
		return "evens"
	case i%3 == 0:
		return "threes"
	case withRest:
		return "rest"
	}
	return ""
}

// TestSequencerAndSplitterSurviveKill writes atoms into two streams from
// four sessions while the server is killed three times. A sequencer merges
// the streams, a splitter routes the merged events, and a catch-all split
// is added while everything runs. Afterwards: every acknowledged atom is
// in the merged stream exactly once, whole, never fused with another, in
// each source's commit order; each event is in the first split whose
// condition holds and in no other; each split keeps the source atoms'
// boundaries; the added split has every event for it from one atom on.
func TestSequencerAndSplitterSurviveKill(t *testing.T) {
	c := newChild(t)
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, `
		CREATE STREAM a (w INT, n INT, i INT, k INT);
		CREATE STREAM b (w INT, n INT, i INT, k INT);
		CREATE SEQUENCER ab FOR a, b;
		CREATE SPLITTER parts ON ab (SPLIT evens WHERE i % 2 = 0, SPLIT threes WHERE i % 3 = 0)`)
	conn.Close(ctxBG())

	const writers = 4
	var acked [writers][]int64
	var altered, tried atomic.Bool
	chaos(t, c, 3, writers+1, func(ctx context.Context, w int, conn *pgx.Conn) error {
		if w == writers {
			// Add the catch-all split once, while the writers run.
			if altered.Load() {
				<-ctx.Done()
				return nil
			}
			// Let the writers run a while first; after a kill, retry at
			// once, or the kills can leave no window long enough.
			if !tried.Swap(true) {
				time.Sleep(300 * time.Millisecond)
			}
			_, err := conn.Exec(context.Background(), "ALTER SPLITTER parts ADD SPLIT rest WHERE true")
			var pgErr *pgconn.PgError
			if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P07") {
				return err
			}
			// 42P07: an earlier attempt committed, and a kill took its
			// acknowledgement.
			altered.Store(true)
			return nil
		}
		stream := []string{"a", "b"}[w%2]
		rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
		for ctx.Err() == nil {
			// A failed INSERT may or may not have committed, so every
			// attempt gets a number of its own.
			n := int64(len(acked[w])) + 1000*rng.Int64N(1<<20)
			k := 1 + rng.Int64N(8)
			var vals []string
			for i := range k {
				vals = append(vals, fmt.Sprintf("(%d, %d, %d, %d)", w, n, i, k))
			}
			if _, err := conn.Exec(context.Background(), "INSERT INTO "+stream+" VALUES "+strings.Join(vals, ", ")); err != nil {
				return err
			}
			acked[w] = append(acked[w], n)
		}
		return nil
	})
	if !altered.Load() {
		t.Fatal("ALTER SPLITTER never succeeded")
	}
	conn = flushed(t, c)

	srcA, srcB := readSeqRows(t, conn, "a"), readSeqRows(t, conn, "b")
	inA := groupAtoms(t, "a", srcA, true)
	inB := groupAtoms(t, "b", srcB, true)
	merged := readSeqRows(t, conn, "ab")
	inAB := groupAtoms(t, "ab", merged, true)

	// Every acknowledged atom is in its source and in the merged stream.
	for w := range writers {
		src := map[bool]map[atomKey]int64{true: inA, false: inB}[w%2 == 0]
		for _, n := range acked[w] {
			key := atomKey{int64(w), n}
			if _, ok := src[key]; !ok {
				t.Errorf("acknowledged atom %v is missing from its stream", key)
			}
			if _, ok := inAB[key]; !ok {
				t.Errorf("acknowledged atom %v is missing from the sequencer's stream", key)
			}
		}
	}
	if len(inAB) != len(inA)+len(inB) {
		t.Errorf("the sequencer's stream has %d atoms; its sources have %d", len(inAB), len(inA)+len(inB))
	}
	// The merged order is the commit order of the sources, a before b
	// within one commit.
	type pos struct {
		seq, src int64
		key      atomKey
	}
	var order []pos
	for key := range inAB {
		p := pos{key: key}
		if s, ok := inA[key]; ok {
			p.seq, p.src = s, 0
		} else if s, ok := inB[key]; ok {
			p.seq, p.src = s, 1
		} else {
			t.Errorf("the sequencer's stream has atom %v, which no source has", key)
			continue
		}
		order = append(order, p)
	}
	sort.Slice(order, func(i, j int) bool { return inAB[order[i].key] < inAB[order[j].key] })
	for i := 1; i < len(order); i++ {
		p, q := order[i-1], order[i]
		if p.seq > q.seq || (p.seq == q.seq && p.src >= q.src) {
			t.Errorf("the sequencer's stream has %v (source commit %d) before %v (source commit %d)", p.key, p.seq, q.key, q.seq)
			break
		}
	}

	// Splits: first match only, boundaries kept, every event for them.
	splitRows := map[string][]seqRow{}
	splitAtoms := map[string]map[atomKey]int64{}
	for _, s := range []string{"evens", "threes", "rest"} {
		splitRows[s] = readSeqRows(t, conn, s)
		splitAtoms[s] = groupAtoms(t, s, splitRows[s], false)
	}
	// The added split takes the events of the merged atoms from one on.
	first := int64(-1)
	for key := range splitAtoms["rest"] {
		if a := inAB[key]; first < 0 || a < first {
			first = a
		}
	}
	got := map[[3]int64]string{}
	for s, rows := range splitRows {
		for _, r := range rows {
			k := [3]int64{r.w, r.n, r.i}
			if prev, ok := got[k]; ok {
				t.Errorf("event %v is in splits %s and %s", k, prev, s)
			}
			got[k] = s
		}
	}
	for _, r := range merged {
		want := splitOf(r.i, first >= 0 && r.atom >= first)
		if g := got[[3]int64{r.w, r.n, r.i}]; g != want {
			t.Errorf("event (w %d, n %d, i %d) of merged atom %d is in split %q, want %q (rest from atom %d)", r.w, r.n, r.i, r.atom, g, want, first)
		}
	}
	if first < 0 {
		t.Error("the added split received nothing")
	}
	total := 0
	for w := range writers {
		total += len(acked[w])
	}
	t.Logf("%d acknowledged atoms, %d in the sequencer's stream, %d events; rest split from merged atom %d", total, len(inAB), len(merged), first)
	if total < 20 {
		t.Errorf("only %d acknowledged atoms", total)
	}
}
