package expr

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/types"
)

// Kernel benchmarks: each pair evaluates a function over the same 64K
// values through the registry's kernel (Builtins.Resolve, Compile, Eval)
// and with a direct Go loop. The ratio is the cost of the vectorized
// machinery over the plain loop.

const kernelRows = 1 << 16

func benchStrings() []string {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"Alpha", "beta", "GAMMA", "delta", "Epsilon", "zeta", "Portals", "stream"}
	out := make([]string, kernelRows)
	for i := range out {
		var b strings.Builder
		for k := 0; k < 3+rng.IntN(4); k++ {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		out[i] = b.String()
	}
	return out
}

func stringBatch(vals []string) *batch.Batch {
	b := array.NewStringBuilder(types.Allocator)
	for _, v := range vals {
		b.Append(v)
	}
	return &batch.Batch{Cols: []arrow.Array{b.NewArray()}, Len: len(vals)}
}

// benchExpr compiles e over a one-column batch and evaluates it b.N times.
func benchExpr(b *testing.B, e Expr, in *batch.Batch) {
	b.Helper()
	ev, err := Compile(e, Layout{1: 0})
	if err != nil {
		b.Fatal(err)
	}
	ctx := &Ctx{}
	b.ResetTimer()
	for range b.N {
		if _, err := ev.Eval(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*in.Len), "ns/row")
}

func resolveCall(b *testing.B, name string, args ...Expr) Expr {
	b.Helper()
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	res, err := Builtins.Resolve(name, ts)
	if err != nil {
		b.Fatal(err)
	}
	return &Call{Fn: res.Fn, Args: args, Ret: res.Ret}
}

func BenchmarkLowerKernel(b *testing.B) {
	in := stringBatch(benchStrings())
	benchExpr(b, resolveCall(b, "lower", &ColRef{ID: 1, T: types.TextType}), in)
}

func BenchmarkLowerGoLoop(b *testing.B) {
	vals := benchStrings()
	out := make([]string, len(vals))
	b.ResetTimer()
	for range b.N {
		for i, v := range vals {
			buf := []byte(v)
			for j, c := range buf {
				if c >= 'A' && c <= 'Z' {
					buf[j] = c + 'a' - 'A'
				}
			}
			out[i] = string(buf)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/row")
}

func BenchmarkUpperKernel(b *testing.B) {
	in := stringBatch(benchStrings())
	benchExpr(b, resolveCall(b, "upper", &ColRef{ID: 1, T: types.TextType}), in)
}

func BenchmarkLikeKernel(b *testing.B) {
	in := stringBatch(benchStrings())
	benchExpr(b, resolveCall(b, "~~", &ColRef{ID: 1, T: types.TextType}, &Const{Value: "%eta%", T: types.TextType}), in)
}

func BenchmarkLikeGeneralKernel(b *testing.B) {
	in := stringBatch(benchStrings())
	benchExpr(b, resolveCall(b, "~~", &ColRef{ID: 1, T: types.TextType}, &Const{Value: "%e_a %a%", T: types.TextType}), in)
}

func BenchmarkLikeGoLoop(b *testing.B) {
	vals := benchStrings()
	out := make([]bool, len(vals))
	b.ResetTimer()
	for range b.N {
		for i, v := range vals {
			out[i] = strings.Contains(v, "eta")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/row")
}

func BenchmarkSubstringKernel(b *testing.B) {
	in := stringBatch(benchStrings())
	benchExpr(b, resolveCall(b, "substring", &ColRef{ID: 1, T: types.TextType}, i4c(3), i4c(5)), in)
}

func BenchmarkSubstringGoLoop(b *testing.B) {
	vals := benchStrings()
	out := make([]string, len(vals))
	b.ResetTimer()
	for range b.N {
		for i, v := range vals {
			out[i] = v[2:min(7, len(v))]
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/row")
}

func benchTimestamps() []int64 {
	rng := rand.New(rand.NewPCG(5, 6))
	out := make([]int64, kernelRows)
	for i := range out {
		out[i] = rng.Int64N(60 * 365 * types.MicrosPerDay)
	}
	return out
}

func BenchmarkDateTruncKernel(b *testing.B) {
	ts := benchTimestamps()
	arr := batch.Fixed(types.TimestampType.ArrowType(), ts, arrow.Int64Traits.CastToBytes, nil, 0)
	in := &batch.Batch{Cols: []arrow.Array{arr}, Len: len(ts)}
	benchExpr(b, resolveCall(b, "date_trunc", &Const{Value: "hour", T: types.TextType}, &ColRef{ID: 1, T: types.TimestampType}), in)
}

func BenchmarkDateTruncMonthKernel(b *testing.B) {
	ts := benchTimestamps()
	arr := batch.Fixed(types.TimestampType.ArrowType(), ts, arrow.Int64Traits.CastToBytes, nil, 0)
	in := &batch.Batch{Cols: []arrow.Array{arr}, Len: len(ts)}
	benchExpr(b, resolveCall(b, "date_trunc", &Const{Value: "month", T: types.TextType}, &ColRef{ID: 1, T: types.TimestampType}), in)
}

func BenchmarkDateTruncGoLoop(b *testing.B) {
	ts := benchTimestamps()
	out := make([]int64, len(ts))
	b.ResetTimer()
	for range b.N {
		for i, v := range ts {
			out[i] = v - v%types.MicrosPerHour
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ts)), "ns/row")
}

// TestBenchKernelsAgree checks that the benchmarked kernels compute what
// their Go loops do.
func TestBenchKernelsAgree(t *testing.T) {
	vals := benchStrings()[:2000]
	in := stringBatch(vals)
	col := &ColRef{ID: 1, T: types.TextType}
	eval := func(e Expr, b *batch.Batch) arrow.Array {
		ev, err := Compile(e, Layout{1: 0})
		if err != nil {
			t.Fatal(err)
		}
		out, err := ev.Eval(&Ctx{}, b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	lower := eval(call(t, "lower", col), in).(*array.String)
	like := eval(call(t, "~~", col, &Const{Value: "%eta%", T: types.TextType}), in).(*array.Boolean)
	sub := eval(call(t, "substring", col, i4c(3), i4c(5)), in).(*array.String)
	for i, v := range vals {
		if lower.Value(i) != strings.ToLower(v) {
			t.Fatalf("lower(%q) = %q", v, lower.Value(i))
		}
		if like.Value(i) != strings.Contains(v, "eta") {
			t.Fatalf("%q LIKE '%%eta%%' = %v", v, like.Value(i))
		}
		if sub.Value(i) != v[2:min(7, len(v))] {
			t.Fatalf("substring(%q, 3, 5) = %q", v, sub.Value(i))
		}
	}
	ts := benchTimestamps()[:2000]
	arr := batch.Fixed(types.TimestampType.ArrowType(), ts, arrow.Int64Traits.CastToBytes, nil, 0)
	tr := eval(call(t, "date_trunc", &Const{Value: "hour", T: types.TextType}, &ColRef{ID: 1, T: types.TimestampType}),
		&batch.Batch{Cols: []arrow.Array{arr}, Len: len(ts)}).(*array.Timestamp)
	for i, v := range ts {
		if int64(tr.Value(i)) != v-v%types.MicrosPerHour {
			t.Fatalf("date_trunc('hour', %d) = %d", v, tr.Value(i))
		}
	}
}
