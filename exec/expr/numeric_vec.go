package expr

import (
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/types"
)

// numericVec is the kernel of numeric + - *: a row whose operands are
// plain numerics with coefficients of at most 18 digits (most money and
// measures) is computed on integer coefficients and written straight as
// its canonical text, the Arrow form of numeric; any other row (NaN,
// infinities, long coefficients, a result that leaves 64 bits) goes
// through NumericArith. Both give the same text: PostgreSQL's scales are
// exact here (the larger scale for + and -, the sum for *), so no rounding
// is involved. Nexmark's q1 (price * 0.908) spent most of its projection
// boxing, multiplying and formatting decimals.
func numericVec(op arithOp) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		x, y := args[0].(*array.String), args[1].(*array.String)
		b := array.NewStringBuilder(types.Allocator)
		b.Reserve(n)
		var text []byte
		for i := 0; i < n; i++ {
			if x.IsNull(i) || y.IsNull(i) {
				b.AppendNull()
				continue
			}
			var ok bool
			if text, ok = smallNumericArith(text[:0], op, x.Value(i), y.Value(i)); ok {
				b.BinaryBuilder.Append(text)
				continue
			}
			v, err := NumericArith(op, types.DatumAt(types.NumericType, x, i).(*apd.Decimal), types.DatumAt(types.NumericType, y, i).(*apd.Decimal))
			if err != nil {
				return nil, err
			}
			types.AppendDatum(b, types.NumericType, v)
		}
		return b.NewArray(), nil
	}
}

// pow10u are the powers of ten that fit a uint64.
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// smallNumericArith appends the text of a op b (op one of + - *) to buf
// when both are plain numerics with small coefficients and the exact
// result's coefficient fits 64 bits; otherwise it reports false.
func smallNumericArith(buf []byte, op arithOp, a, b string) ([]byte, bool) {
	an, ac, as, ok := types.PlainNumericParts(a)
	if !ok {
		return buf, false
	}
	bn, bc, bs, ok := types.PlainNumericParts(b)
	if !ok {
		return buf, false
	}
	if op == opMul {
		hi, lo := bits.Mul64(ac, bc)
		if hi != 0 {
			return buf, false
		}
		return types.AppendNumericParts(buf, an != bn, lo, as+bs), true
	}
	// + and -: bring both to the larger scale, then add as signed values.
	scale := max(as, bs)
	var carry uint64
	carry, ac = bits.Mul64(ac, pow10u[scale-as])
	if carry != 0 || ac > math.MaxInt64 {
		return buf, false
	}
	carry, bc = bits.Mul64(bc, pow10u[scale-bs])
	if carry != 0 || bc > math.MaxInt64 {
		return buf, false
	}
	av, bv := int64(ac), int64(bc)
	if an {
		av = -av
	}
	if bn != (op == opSub) {
		bv = -bv
	}
	sum := av + bv
	if (av >= 0) == (bv >= 0) && (sum >= 0) != (av >= 0) {
		return buf, false // overflow
	}
	if sum < 0 {
		return types.AppendNumericParts(buf, true, uint64(-sum), scale), true
	}
	return types.AppendNumericParts(buf, false, uint64(sum), scale), true
}
