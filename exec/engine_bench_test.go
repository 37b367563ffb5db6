package exec

import (
	"context"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// The engine benchmarks measure operators alone: rows are prebuilt Arrow
// batches in memory, handed out by a batchSource, with no storage, SQL or
// wire in the way. Each BenchmarkEngineX has a BenchmarkEngineXGoLoop beside
// it that does the same work over the same Go slices by hand; the ratio of
// their times is what the engine costs over the plainest code that gets the
// answer. A TestEngineXMatchesGoLoop checks on a small input that both give
// the same answer, so the comparison stays honest.
//
// Run them with:
//
//	go test ./exec -run '^$' -bench 'Engine' -benchtime 3x
//
// They build their 10M rows only when run, so a plain go test pays nothing.

const (
	engineBenchRows   = 10_000_000
	engineBenchGroups = 1_000_000
)

// engineData is the table a(id int8, g int8, v int4) of the benchmarks: id
// runs 0..rows-1, g is one of groups keys at random, v is in [0, 1000).
// b(id int8, w int8) is the join's build side: ids 0..groups-1 in random
// order, w a value per id.
type engineData struct {
	id, g []int64
	v     []int32
	bid   []int64
	bw    []int64
}

func newEngineData(rows, groups int) *engineData {
	rng := rand.New(rand.NewPCG(3, 4))
	d := &engineData{id: make([]int64, rows), g: make([]int64, rows), v: make([]int32, rows)}
	for i := range d.id {
		d.id[i] = int64(i)
		d.g[i] = int64(rng.IntN(groups))
		d.v[i] = int32(rng.IntN(1000))
	}
	d.bid, d.bw = make([]int64, groups), make([]int64, groups)
	for i, p := range rng.Perm(groups) {
		d.bid[i] = int64(p)
		d.bw[i] = int64(p) * 7
	}
	return d
}

// aSource hands out table a in batches of 1024 rows, as a scan would.
func (d *engineData) aSource() *batchSource {
	src := &batchSource{}
	for lo := 0; lo < len(d.id); lo += 1024 {
		hi := min(lo+1024, len(d.id))
		src.batches = append(src.batches, &batch.Batch{Len: hi - lo, Cols: []arrowArray{
			batch.Int64s(d.id[lo:hi], nil, 0), batch.Int64s(d.g[lo:hi], nil, 0), batch.Int32s(d.v[lo:hi], nil, 0),
		}})
	}
	return src
}

// bSource hands out table b in batches of 1024 rows.
func (d *engineData) bSource() *batchSource {
	src := &batchSource{}
	for lo := 0; lo < len(d.bid); lo += 1024 {
		hi := min(lo+1024, len(d.bid))
		src.batches = append(src.batches, &batch.Batch{Len: hi - lo, Cols: []arrowArray{
			batch.Int64s(d.bid[lo:hi], nil, 0), batch.Int64s(d.bw[lo:hi], nil, 0),
		}})
	}
	return src
}

var (
	aTypes  = []types.T{types.Int8Type, types.Int8Type, types.Int4Type}
	aLayout = expr.Layout{1: 0, 2: 1, 3: 2}
	aID     = &expr.ColRef{ID: 1, T: types.Int8Type}
	aG      = &expr.ColRef{ID: 2, T: types.Int8Type}
	aV      = &expr.ColRef{ID: 3, T: types.Int4Type}
	bTypes  = []types.T{types.Int8Type, types.Int8Type}
	bLayout = expr.Layout{4: 0, 5: 1}
	bID     = &expr.ColRef{ID: 4, T: types.Int8Type}
	bW      = &expr.ColRef{ID: 5, T: types.Int8Type}
)

// benchCall resolves an operator or function as the binder would.
func benchCall(tb testing.TB, name string, args ...expr.Expr) expr.Expr {
	tb.Helper()
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	res, err := expr.Builtins.Resolve(name, ts)
	if err != nil {
		tb.Fatalf("resolve %s%v: %v", name, ts, err)
	}
	for i, a := range args {
		if !a.Type().Same(res.ArgType[i]) {
			args[i] = &expr.Cast{Arg: a, To: res.ArgType[i]}
		}
	}
	return &expr.Call{Fn: res.Fn, Args: args, Ret: res.Ret}
}

func int4Const(v int64) *expr.Const { return &expr.Const{Value: v, T: types.Int4Type} }

// runToEnd opens op, reads every batch and closes it, calling each with
// every batch read.
func runToEnd(tb testing.TB, op Operator, each func(*batch.Batch)) {
	tb.Helper()
	ctx := NewContext(context.Background(), &expr.Ctx{}, nil)
	if err := op.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	for {
		b, err := op.Next(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if b == nil {
			break
		}
		each(b)
	}
	if err := op.Close(); err != nil {
		tb.Fatal(err)
	}
}

func int64Col(b *batch.Batch, c int) []int64 {
	return b.Cols[c].(interface{ Int64Values() []int64 }).Int64Values()
}

func int32Col(b *batch.Batch, c int) []int32 {
	return b.Cols[c].(interface{ Int32Values() []int32 }).Int32Values()
}

// scanResult sums what the scan produced, to compare engine and loop.
type scanResult struct {
	rows       int
	sumID, sum int64
}

// SELECT id, v * 2 + 1 FROM a WHERE v < 500
func scanPlan(tb testing.TB, src Operator) Operator {
	f, err := NewFilter(src, benchCall(tb, "<", aV, int4Const(500)), aLayout)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := NewProject(f, []expr.Expr{aID, benchCall(tb, "+", benchCall(tb, "*", aV, int4Const(2)), int4Const(1))}, aLayout)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func scanEngine(tb testing.TB, d *engineData) scanResult {
	var r scanResult
	runToEnd(tb, scanPlan(tb, d.aSource()), func(b *batch.Batch) {
		r.rows += b.Len
		for _, x := range int64Col(b, 0) {
			r.sumID += x
		}
		for _, x := range int32Col(b, 1) {
			r.sum += int64(x)
		}
	})
	return r
}

// scanGoLoop filters and projects into output slices of a batch's size,
// as an engine must hand rows on, then sums them like scanEngine.
func scanGoLoop(d *engineData) scanResult {
	var r scanResult
	ids, vs := make([]int64, 0, 1024), make([]int32, 0, 1024)
	for lo := 0; lo < len(d.id); lo += 1024 {
		hi := min(lo+1024, len(d.id))
		ids, vs = ids[:0], vs[:0]
		for i := lo; i < hi; i++ {
			if d.v[i] < 500 {
				ids = append(ids, d.id[i])
				vs = append(vs, d.v[i]*2+1)
			}
		}
		r.rows += len(ids)
		for _, x := range ids {
			r.sumID += x
		}
		for _, x := range vs {
			r.sum += int64(x)
		}
	}
	return r
}

// aggResult is the answer of the aggregate, summed to compare.
type aggResult struct {
	groups              int
	sumKeys, cnt, total int64
}

// SELECT g, count(*), sum(v) FROM a GROUP BY g
func aggPlan(tb testing.TB, src Operator) Operator {
	count, _, countRet, err := expr.Builtins.ResolveAgg("count", nil, true)
	if err != nil {
		tb.Fatal(err)
	}
	sum, sumArgs, sumRet, err := expr.Builtins.ResolveAgg("sum", []types.T{types.Int4Type}, false)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := NewHashAggregate(src, []expr.Expr{aG}, []AggSpec{
		{Fn: count, Ret: countRet},
		{Fn: sum, Args: []expr.Expr{aV}, ArgTypes: sumArgs, Ret: sumRet},
	}, aLayout)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func aggEngine(tb testing.TB, d *engineData) aggResult {
	var r aggResult
	runToEnd(tb, aggPlan(tb, d.aSource()), func(b *batch.Batch) {
		r.groups += b.Len
		for _, x := range int64Col(b, 0) {
			r.sumKeys += x
		}
		for _, x := range int64Col(b, 1) {
			r.cnt += x
		}
		for _, x := range int64Col(b, 2) {
			r.total += x
		}
	})
	return r
}

// aggGoLoop numbers the groups with a Go map, as a hand-written group-by
// that cannot assume dense keys would, and keeps count and sum per group.
func aggGoLoop(d *engineData) aggResult {
	groupOf := map[int64]int32{}
	var keys, counts, sums []int64
	for i, g := range d.g {
		n, ok := groupOf[g]
		if !ok {
			n = int32(len(keys))
			groupOf[g] = n
			keys, counts, sums = append(keys, g), append(counts, 0), append(sums, 0)
		}
		counts[n]++
		sums[n] += int64(d.v[i])
	}
	r := aggResult{groups: len(keys)}
	for i := range keys {
		r.sumKeys += keys[i]
		r.cnt += counts[i]
		r.total += sums[i]
	}
	return r
}

// joinResult sums the join's output, to compare.
type joinResult struct {
	rows        int
	sumID, sumW int64
}

// SELECT a.id, b.w FROM a JOIN b ON a.g = b.id, b the build side.
func joinPlan(tb testing.TB, a, b Operator) Operator {
	j, err := NewHashJoin(JoinSpec{
		Kind: InnerJoin, Left: a, Right: b, LeftTypes: aTypes, RightTypes: bTypes,
		LeftKeys: []expr.Expr{aG}, RightKeys: []expr.Expr{bID},
		LeftLayout: aLayout, RightLayout: bLayout,
		Layout: expr.Layout{1: 0, 2: 1, 3: 2, 4: 3, 5: 4},
	})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := NewProject(j, []expr.Expr{aID, bW}, expr.Layout{1: 0, 2: 1, 3: 2, 4: 3, 5: 4})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func joinEngine(tb testing.TB, d *engineData) joinResult {
	var r joinResult
	runToEnd(tb, joinPlan(tb, d.aSource(), d.bSource()), func(b *batch.Batch) {
		r.rows += b.Len
		for _, x := range int64Col(b, 0) {
			r.sumID += x
		}
		for _, x := range int64Col(b, 1) {
			r.sumW += x
		}
	})
	return r
}

// joinGoLoop builds a Go map from b's id to its row and probes it with a's
// rows, writing the pairs into output slices of a batch's size.
func joinGoLoop(d *engineData) joinResult {
	rowOf := make(map[int64]int32, len(d.bid))
	for i, id := range d.bid {
		rowOf[id] = int32(i)
	}
	var r joinResult
	ids, ws := make([]int64, 0, 1024), make([]int64, 0, 1024)
	for lo := 0; lo < len(d.id); lo += 1024 {
		hi := min(lo+1024, len(d.id))
		ids, ws = ids[:0], ws[:0]
		for i := lo; i < hi; i++ {
			if row, ok := rowOf[d.g[i]]; ok {
				ids = append(ids, d.id[i])
				ws = append(ws, d.bw[row])
			}
		}
		r.rows += len(ids)
		for _, x := range ids {
			r.sumID += x
		}
		for _, x := range ws {
			r.sumW += x
		}
	}
	return r
}

// benchEngine runs op b.N times and reports rows/s, and the process's CPU
// time per run beside the wall time: on a shared machine CPU time moves
// much less with others' load, so compare engine and loop by it.
func benchEngine(b *testing.B, rows int, op func()) {
	b.ResetTimer()
	cpu0 := processCPU(b)
	for range b.N {
		op()
	}
	cpu := processCPU(b) - cpu0
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// processCPU is the user and system CPU time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkEngineScan(b *testing.B) {
	d := newEngineData(engineBenchRows, engineBenchGroups)
	benchEngine(b, engineBenchRows, func() {
		if r := scanEngine(b, d); r.rows == 0 {
			b.Fatal("no rows")
		}
	})
}

func BenchmarkEngineScanGoLoop(b *testing.B) {
	d := newEngineData(engineBenchRows, engineBenchGroups)
	benchEngine(b, engineBenchRows, func() {
		if r := scanGoLoop(d); r.rows == 0 {
			b.Fatal("no rows")
		}
	})
}

func BenchmarkEngineAggregate(b *testing.B) {
	d := newEngineData(engineBenchRows, engineBenchGroups)
	benchEngine(b, engineBenchRows, func() {
		if r := aggEngine(b, d); r.groups == 0 {
			b.Fatal("no groups")
		}
	})
}

func BenchmarkEngineAggregateGoLoop(b *testing.B) {
	d := newEngineData(engineBenchRows, engineBenchGroups)
	benchEngine(b, engineBenchRows, func() {
		if r := aggGoLoop(d); r.groups == 0 {
			b.Fatal("no groups")
		}
	})
}

func BenchmarkEngineJoin(b *testing.B) {
	d := newEngineData(engineBenchRows, engineBenchGroups)
	benchEngine(b, engineBenchRows, func() {
		if r := joinEngine(b, d); r.rows != engineBenchRows {
			b.Fatalf("%d rows", r.rows)
		}
	})
}

func BenchmarkEngineJoinGoLoop(b *testing.B) {
	d := newEngineData(engineBenchRows, engineBenchGroups)
	benchEngine(b, engineBenchRows, func() {
		if r := joinGoLoop(d); r.rows != engineBenchRows {
			b.Fatalf("%d rows", r.rows)
		}
	})
}

// The benchmarks' operators and loops agree on a smaller input.
func TestEngineBenchMatchesGoLoop(t *testing.T) {
	d := newEngineData(50_000, 5_000)
	if got, want := scanEngine(t, d), scanGoLoop(d); got != want || want.rows == 0 {
		t.Errorf("scan: engine %+v, loop %+v", got, want)
	}
	if got, want := aggEngine(t, d), aggGoLoop(d); got != want || want.groups == 0 {
		t.Errorf("aggregate: engine %+v, loop %+v", got, want)
	}
	if got, want := joinEngine(t, d), joinGoLoop(d); got != want || want.rows != 50_000 {
		t.Errorf("join: engine %+v, loop %+v", got, want)
	}
}
