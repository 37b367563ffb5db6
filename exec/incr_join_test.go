package exec

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// joinModel is the batch definition of a join over multisets of rows: what
// the incremental join's accumulated output must equal after every atom.
type joinModel struct {
	kind JoinKind
	// key returns a row's join key and whether it is NULL.
	lkey, rkey func(row []types.Datum) (string, bool)
	residual   func(l, r []types.Datum) bool
	lw, rw     int
}

// result returns the join of the multisets l and r (rows by their text,
// with counts) as counted output rows.
func (m joinModel) result(l, r map[string]modelRow) map[string]int64 {
	out := map[string]int64{}
	lmatched, rmatched := map[string]bool{}, map[string]bool{}
	for lk, lr := range l {
		for rk, rr := range r {
			a, an := m.lkey(lr.row)
			b, bn := m.rkey(rr.row)
			if an || bn || a != b || (m.residual != nil && !m.residual(lr.row, rr.row)) {
				continue
			}
			lmatched[lk], rmatched[rk] = true, true
			out[rowText(append(append([]types.Datum(nil), lr.row...), rr.row...))] += lr.n * rr.n
		}
	}
	if m.kind == LeftJoin || m.kind == FullJoin {
		for lk, lr := range l {
			if !lmatched[lk] {
				out[rowText(append(append([]types.Datum(nil), lr.row...), make([]types.Datum, m.rw)...))] += lr.n
			}
		}
	}
	if m.kind == RightJoin || m.kind == FullJoin {
		for rk, rr := range r {
			if !rmatched[rk] {
				out[rowText(append(make([]types.Datum, m.lw), rr.row...))] += rr.n
			}
		}
	}
	return out
}

type modelRow struct {
	row []types.Datum
	n   int64
}

func rowText(row []types.Datum) string {
	parts := make([]string, len(row))
	for i, d := range row {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func showCounts(m map[string]int64) string {
	var lines []string
	for k, n := range m {
		if n != 0 {
			lines = append(lines, fmt.Sprintf("%s x%d", k, n))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// randomJoinChanges returns random changes to the multiset rows: inserts
// of rows drawn by gen (some repeated) and deletes of rows it holds; rows
// is updated.
func randomJoinChanges(rng *rand.Rand, ts []types.T, rows map[string]modelRow, gen func() []types.Datum) *batch.ChangeBatch {
	cb := batch.NewChangeBuilder(ts)
	for n := rng.IntN(6); n > 0; n-- {
		row := gen()
		copies := 1 + rng.IntN(2)
		for c := 0; c < copies; c++ {
			cb.Add(row, 1)
		}
		k := rowText(row)
		cr := rows[k]
		rows[k] = modelRow{row: row, n: cr.n + int64(copies)}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if rng.IntN(4) != 0 {
			continue
		}
		cr := rows[k]
		cb.Add(cr.row, -1)
		if cr.n--; cr.n == 0 {
			delete(rows, k)
		} else {
			rows[k] = cr
		}
	}
	return cb.Build()
}

// TestIncrJoinEqualsBatchJoin applies random atoms of inserts (with
// duplicates), deletes and NULL keys to every kind of join, with and
// without a residual condition, restarting the operator from its saved
// state now and then: after every atom the changes emitted so far must add
// up to the join of the inputs so far, and the state must hold each side's
// distinct rows.
func TestIncrJoinEqualsBatchJoin(t *testing.T) {
	i8, text := types.Int8Type, types.TextType
	lt := []types.T{i8, text, i8}
	rt := []types.T{text, i8, i8}
	key := func(cols ...int) func([]types.Datum) (string, bool) {
		return func(row []types.Datum) (string, bool) {
			var parts []string
			for _, c := range cols {
				if row[c] == nil {
					return "", true
				}
				parts = append(parts, fmt.Sprint(row[c]))
			}
			return strings.Join(parts, "|"), false
		}
	}
	type variant struct {
		name         string
		lkeys, rkeys []int
		residual     bool
	}
	variants := []variant{
		{"int key", []int{0}, []int{1}, false},
		{"int key, residual", []int{0}, []int{1}, true},
		{"text and int keys", []int{1, 0}, []int{0, 1}, false},
		{"text and int keys, residual", []int{1, 0}, []int{0, 1}, true},
	}
	for _, kind := range []JoinKind{InnerJoin, LeftJoin, RightJoin, FullJoin} {
		for _, v := range variants {
			for seed := uint64(1); seed <= 4; seed++ {
				name := fmt.Sprintf("%s/%s/seed %d", kind, v.name, seed)
				s := joinCompatScenario{name: name, kind: kind, lt: lt, rt: rt, lkeys: v.lkeys, rkeys: v.rkeys}
				m := joinModel{kind: kind, lkey: key(v.lkeys...), rkey: key(v.rkeys...), lw: len(lt), rw: len(rt)}
				if v.residual {
					// l.c < r.c, NULL when either is.
					s.residual = func(tb testing.TB, c []expr.Expr) expr.Expr { return benchCall(tb, "<", c[2], c[5]) }
					m.residual = func(l, r []types.Datum) bool {
						return l[2] != nil && r[2] != nil && l[2].(int64) < r[2].(int64)
					}
				}
				runRandomJoin(t, name, s, m, seed)
			}
		}
	}
}

func runRandomJoin(t *testing.T, name string, s joinCompatScenario, m joinModel, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	maybeNull := func(d types.Datum) types.Datum {
		if rng.IntN(8) == 0 {
			return nil
		}
		return d
	}
	names := []string{"a", "b", "", "a "}
	lgen := func() []types.Datum {
		return []types.Datum{maybeNull(int64(rng.IntN(4))), maybeNull(names[rng.IntN(len(names))]), maybeNull(int64(rng.IntN(5)))}
	}
	rgen := func() []types.Datum {
		return []types.Datum{maybeNull(names[rng.IntN(len(names))]), maybeNull(int64(rng.IntN(4))), maybeNull(int64(rng.IntN(5)))}
	}
	l, r := map[string]modelRow{}, map[string]modelRow{}
	got := map[string]int64{}
	j := s.join(t)
	saved := memState{}
	out := append(append([]types.T(nil), s.lt...), s.rt...)
	for atom := 1; atom <= 30; atom++ {
		dl := randomJoinChanges(rng, s.lt, l, lgen)
		dr := randomJoinChanges(rng, s.rt, r, rgen)
		res, err := j.Apply(incrContext(), []*batch.ChangeBatch{dl, dr})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < res.Len; i++ {
			got[rowText(res.Row(out, i))] += int64(res.Diff[i])
		}
		if g, w := showCounts(got), showCounts(m.result(l, r)); g != w {
			t.Fatalf("%s, atom %d: output so far\n%s\nwant\n%s", name, atom, g, w)
		}
		if g, w := j.StateSize(), len(l)+len(r); g != w {
			t.Fatalf("%s, atom %d: state size %d, want %d", name, atom, g, w)
		}
		if err := j.Save(saved); err != nil {
			t.Fatal(err)
		}
		if len(saved) != len(l)+len(r) {
			t.Fatalf("%s, atom %d: %d saved rows, want %d", name, atom, len(saved), len(l)+len(r))
		}
		if rng.IntN(5) == 0 {
			j = s.join(t)
			if err := j.Load(saved); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A stored row's number and its bytes survive the rows around it coming
// and going, the compaction of the arena included, and lookups check the
// keys of rows whose hashes collide.
func TestJoinSideCollisionsAndReuse(t *testing.T) {
	s := newJoinSide(maphash.MakeSeed())
	type stored struct {
		kr    []byte
		jkLen int
		value []byte
	}
	want := map[int32]stored{}
	// Every row's join key has hash 7 and every row hash 9: all lookups
	// go through the key check.
	add := func(jk, rk string, value []byte) int32 {
		kr := []byte(jk + rk)
		if s.find(7, 9, kr, len(jk)) >= 0 {
			t.Fatalf("row %q/%q found before it was stored", jk, rk)
		}
		i := s.insert(7, 9, kr, len(jk), value)
		want[i] = stored{kr, len(jk), value}
		return i
	}
	big := make([]byte, 40<<10)
	var order []int32
	for n := 0; n < 200; n++ {
		big[0] = byte(n)
		order = append(order, add(fmt.Sprint("k", n%3), fmt.Sprint("r", n), append([]byte(nil), big...)))
	}
	check := func(when string) {
		t.Helper()
		if s.size() != len(want) {
			t.Fatalf("%s: size %d, want %d", when, s.size(), len(want))
		}
		perKey := map[string]int{}
		for i, w := range want {
			if got := s.find(7, 9, w.kr, w.jkLen); got != i {
				t.Fatalf("%s: row %q found as %d, want %d", when, w.kr, got, i)
			}
			if string(s.valueOf(i)) != string(w.value) {
				t.Fatalf("%s: row %d's value changed", when, i)
			}
			perKey[string(w.kr[:w.jkLen])]++
		}
		// byRow holds exactly the rows of the chains marked indexed.
		inIndexed := 0
		for jk, n := range perKey {
			if head := s.first(7, []byte(jk)); s.row(head).indexed {
				inIndexed += n
			} else if n > chainIndexedAt {
				t.Fatalf("%s: chain of %q has %d rows and is not indexed", when, jk, n)
			}
		}
		if s.byRow.n != inIndexed {
			t.Fatalf("%s: byRow holds %d rows, the indexed chains %d", when, s.byRow.n, inIndexed)
		}
		for jk, n := range perKey {
			chain := 0
			for i := s.first(7, []byte(jk)); i >= 0; i = s.row(i).next {
				if _, ok := want[i]; !ok || string(s.keyOf(i)[:s.row(i).jkLen]) != jk {
					t.Fatalf("%s: chain of %q holds row %d", when, jk, i)
				}
				chain++
			}
			if chain != n {
				t.Fatalf("%s: chain of %q has %d rows, want %d", when, jk, chain, n)
			}
		}
	}
	check("after inserts")
	// Drop all but every tenth row (heads of chains included), save, and
	// the arena is compacted.
	pages := len(s.arena.pages)
	for k, i := range order {
		if k%10 != 0 {
			s.drop(i)
			delete(want, i)
		}
	}
	s.endSave()
	if len(s.arena.pages) >= pages {
		t.Fatalf("arena has %d pages after dropping 90%% of its rows, had %d", len(s.arena.pages), pages)
	}
	check("after drops and compaction")
	for n := 0; n < 50; n++ {
		add(fmt.Sprint("k", n%4), fmt.Sprint("again", n), []byte{byte(n)})
	}
	check("after reusing freed rows")
	// A chain's first rows leave one by one: the chain stays indexed.
	for n := 0; n < 30; n++ {
		head := s.first(7, []byte("k3"))
		s.drop(head)
		delete(want, head)
		s.endSave()
		check(fmt.Sprint("after dropping the first row of k3 ", n+1, " times"))
		add("k3", fmt.Sprint("late", n), nil)
		check(fmt.Sprint("after adding row ", n+1, " to k3"))
	}
	// A key with few rows is found by walking its chain.
	for n := 0; n < 3; n++ {
		add("short", fmt.Sprint(n), nil)
	}
	if s.row(s.first(7, []byte("short"))).indexed {
		t.Fatal("a chain of 3 rows is indexed")
	}
	check("after a short chain")
}

// The rows the watermark makes dead leave the state and the saved state
// without changing the output; a row stored later in a freed slot is not
// taken for the purged one.
func TestIncrJoinPurgesDeadRows(t *testing.T) {
	tsT, i8 := types.TimestampType, types.Int8Type
	s := joinCompatScenario{name: "purge", kind: InnerJoin, lt: []types.T{i8, tsT}, rt: []types.T{i8, tsT}, lkeys: []int{0}, rkeys: []int{0}}
	j := s.join(t)
	// A left row is dead once its time + 10 <= the watermark of source 0;
	// right rows once their time <= it.
	j.PurgeDeadRows([]PurgeRule{{{Col: 1, Source: 0, Offset: 10}}}, []PurgeRule{{{Col: 1, Source: 0}}})
	at := func(v int64) types.Datum { return types.TimestampValue(v) }
	saved := memState{}
	step := func(wm int64, left, right [][]types.Datum) string {
		t.Helper()
		ctx := incrContext()
		ctx.Watermarks = []types.Datum{at(wm)}
		out, err := j.Apply(ctx, []*batch.ChangeBatch{changesOf(s.lt, left, nil), changesOf(s.rt, right, nil)})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Save(saved); err != nil {
			t.Fatal(err)
		}
		return showChanges(append(append([]types.T(nil), s.lt...), s.rt...), out)
	}
	step(0, [][]types.Datum{{int64(1), at(100)}, {int64(2), at(200)}}, [][]types.Datum{{int64(1), at(150)}})
	if j.StateSize() != 3 || len(saved) != 3 {
		t.Fatalf("state %d rows, saved %d, want 3", j.StateSize(), len(saved))
	}
	// Watermark 150: the left row of 100 (100+10 <= 150) and the right row
	// of 150 are dead.
	if got := step(150, nil, nil); got != "" {
		t.Fatalf("purging emitted %q", got)
	}
	if j.StateSize() != 1 || len(saved) != 1 {
		t.Fatalf("after watermark 150: state %d rows, saved %d, want 1", j.StateSize(), len(saved))
	}
	// New rows take the freed slots; they are not dead.
	got := step(150, [][]types.Datum{{int64(3), at(500)}}, [][]types.Datum{{int64(2), at(600)}, {int64(3), at(700)}})
	if want := "+ (2, 1970-01-01 00:00:00.0002, 2, 1970-01-01 00:00:00.0006)\n+ (3, 1970-01-01 00:00:00.0005, 3, 1970-01-01 00:00:00.0007)"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	step(160, nil, nil)
	if j.StateSize() != 4 || len(saved) != 4 {
		t.Fatalf("after new rows: state %d rows, saved %d, want 4", j.StateSize(), len(saved))
	}
	j2 := s.join(t)
	j2.PurgeDeadRows([]PurgeRule{{{Col: 1, Source: 0, Offset: 10}}}, []PurgeRule{{{Col: 1, Source: 0}}})
	if err := j2.Load(saved); err != nil {
		t.Fatal(err)
	}
	j = j2
	step(1000, nil, nil)
	if j.StateSize() != 0 || len(saved) != 0 {
		t.Fatalf("after watermark 1000: state %d rows, saved %d, want 0", j.StateSize(), len(saved))
	}
}
