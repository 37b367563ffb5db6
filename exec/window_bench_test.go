package exec

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// batchSource hands out prepared batches, as a scan would.
type batchSource struct {
	batches []*batch.Batch
	pos     int
}

func (s *batchSource) Open(*Context) error { s.pos = 0; return nil }
func (s *batchSource) Close() error        { return nil }
func (s *batchSource) Next(*Context) (*batch.Batch, error) {
	if s.pos >= len(s.batches) {
		return nil, nil
	}
	s.pos++
	return s.batches[s.pos-1], nil
}

// windowBenchData is rows (p, x, v): p one of parts partitions, x a
// unique ordering key, v a value; in batches of 1024.
func windowBenchData(rows, parts int) (p, x []int64, v []int32, src *batchSource) {
	rng := rand.New(rand.NewPCG(1, 2))
	p, x, v = make([]int64, rows), make([]int64, rows), make([]int32, rows)
	perm := rng.Perm(rows)
	for i := range p {
		p[i] = int64(rng.IntN(parts))
		x[i] = int64(perm[i])
		v[i] = int32(rng.IntN(1000))
	}
	src = &batchSource{}
	for lo := 0; lo < rows; lo += 1024 {
		hi := min(lo+1024, rows)
		src.batches = append(src.batches, &batch.Batch{Len: hi - lo, Cols: []arrowArray{
			batch.Int64s(p[lo:hi], nil, 0), batch.Int64s(x[lo:hi], nil, 0), batch.Int32s(v[lo:hi], nil, 0),
		}})
	}
	return p, x, v, src
}

// BenchmarkWindow computes row_number() and sum(v) OVER (PARTITION BY p
// ORDER BY x) over 1M rows in 1000 partitions with the Window operator.
// BenchmarkWindowGoLoop computes the same with a hand-written loop; the
// ratio of the two is the operator's overhead.
func BenchmarkWindow(b *testing.B) {
	const rows, parts = 1_000_000, 1000
	_, _, _, src := windowBenchData(rows, parts)
	pc := &expr.ColRef{ID: 1, T: types.Int8Type}
	xc := &expr.ColRef{ID: 2, T: types.Int8Type}
	vc := &expr.ColRef{ID: 3, T: types.Int4Type}
	sum, argTypes, ret, err := expr.Builtins.ResolveAgg("sum", []types.T{types.Int4Type}, false)
	if err != nil {
		b.Fatal(err)
	}
	over := func(f WindowFunc) WindowFunc {
		f.PartitionBy = []expr.Expr{pc}
		f.OrderBy = []SortSpec{{Expr: xc}}
		return f
	}
	funcs := []WindowFunc{
		over(WindowFunc{Name: "row_number", Ret: types.Int8Type}),
		over(WindowFunc{Name: "sum", Agg: sum, Args: []expr.Expr{vc}, ArgTypes: argTypes, Ret: ret}),
	}
	layout := expr.Layout{1: 0, 2: 1, 3: 2}
	ctx := NewContext(context.Background(), &expr.Ctx{}, nil)
	b.ResetTimer()
	for range b.N {
		w, err := NewWindow(src, funcs, layout, []types.T{types.Int8Type, types.Int8Type, types.Int4Type})
		if err != nil {
			b.Fatal(err)
		}
		out, err := Drain(ctx, w, []types.T{types.Int8Type, types.Int8Type, types.Int4Type, types.Int8Type, types.Int8Type})
		if err != nil {
			b.Fatal(err)
		}
		if out.Len != rows {
			b.Fatalf("%d rows", out.Len)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWindowGoLoop(b *testing.B) {
	const rows, parts = 1_000_000, 1000
	p, x, v, _ := windowBenchData(rows, parts)
	b.ResetTimer()
	for range b.N {
		rn, running := windowGoLoop(p, x, v, parts)
		if len(rn) != rows || len(running) != rows {
			b.Fatal("short")
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// windowGoLoop is the hand-written equivalent: bucket the rows by
// partition, sort each bucket by x, then number the rows and keep a
// running sum.
func windowGoLoop(p, x []int64, v []int32, parts int) (rn, running []int64) {
	buckets := make([][]int32, parts)
	for i, g := range p {
		buckets[g] = append(buckets[g], int32(i))
	}
	rn, running = make([]int64, len(p)), make([]int64, len(p))
	for _, rowsOf := range buckets {
		slices.SortFunc(rowsOf, func(a, b int32) int { return cmp3(x[a], x[b]) })
		var s int64
		for k, r := range rowsOf {
			s += int64(v[r])
			rn[r] = int64(k + 1)
			running[r] = s
		}
	}
	return rn, running
}

// TestWindowMatchesGoLoop checks the benchmark's operator against its
// hand-written loop on a smaller input.
func TestWindowMatchesGoLoop(t *testing.T) {
	const rows, parts = 20_000, 37
	p, x, v, src := windowBenchData(rows, parts)
	pc := &expr.ColRef{ID: 1, T: types.Int8Type}
	xc := &expr.ColRef{ID: 2, T: types.Int8Type}
	vc := &expr.ColRef{ID: 3, T: types.Int4Type}
	sum, argTypes, ret, err := expr.Builtins.ResolveAgg("sum", []types.T{types.Int4Type}, false)
	if err != nil {
		t.Fatal(err)
	}
	funcs := []WindowFunc{
		{Name: "row_number", Ret: types.Int8Type, PartitionBy: []expr.Expr{pc}, OrderBy: []SortSpec{{Expr: xc}}},
		{Name: "sum", Agg: sum, Args: []expr.Expr{vc}, ArgTypes: argTypes, Ret: ret, PartitionBy: []expr.Expr{pc}, OrderBy: []SortSpec{{Expr: xc}}},
	}
	w, err := NewWindow(src, funcs, expr.Layout{1: 0, 2: 1, 3: 2}, []types.T{types.Int8Type, types.Int8Type, types.Int4Type})
	if err != nil {
		t.Fatal(err)
	}
	ts := []types.T{types.Int8Type, types.Int8Type, types.Int4Type, types.Int8Type, types.Int8Type}
	out, err := Drain(NewContext(context.Background(), &expr.Ctx{}, nil), w, ts)
	if err != nil {
		t.Fatal(err)
	}
	rn, running := windowGoLoop(p, x, v, parts)
	// Rows come out sorted by (p, x); find each by its unique x.
	byX := map[int64]int{}
	for i, xv := range x {
		byX[xv] = i
	}
	prevP, prevX := int64(-1), int64(-1)
	for i := 0; i < out.Len; i++ {
		row := out.Row(ts, i)
		pv, xv := row[0].(int64), row[1].(int64)
		if pv < prevP || pv == prevP && xv < prevX {
			t.Fatalf("row %d out of order: (%d, %d) after (%d, %d)", i, pv, xv, prevP, prevX)
		}
		prevP, prevX = pv, xv
		r := byX[xv]
		if row[3].(int64) != rn[r] || row[4].(int64) != running[r] {
			t.Fatalf("row x=%d: row_number %v sum %v, want %d %d", xv, row[3], row[4], rn[r], running[r])
		}
	}
}
