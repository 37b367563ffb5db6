package expr

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/types"
)

// TestNumericVecMatchesRowKernel: numeric + - * computed on small
// coefficients give exactly the text the decimal kernel gives, for random
// plain operands of every sign and scale, operands too long for the fast
// path, results that leave 64 bits, zeros, NaN and infinities, and NULLs.
func TestNumericVecMatchesRowKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	random := func() string {
		var sb strings.Builder
		if rng.IntN(3) == 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10))
		if k := rng.IntN(8); k > 0 {
			sb.WriteByte('.')
			for range k {
				sb.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		return sb.String()
	}
	fixed := []string{"0", "0.00", "1", "-1", "0.908", "999999999999999999", "-999999999999999999",
		"9223372036854775807", "0.000000000000000001", "123456789012345678901234567890", "NaN", "Infinity", "-Infinity", "1.5", "-2.25"}
	var as, bs []string
	for _, a := range fixed {
		for _, b := range fixed {
			as, bs = append(as, a), append(bs, b)
		}
	}
	for range 5000 {
		as, bs = append(as, random()), append(bs, random())
	}
	n := len(as) + 1 // and one NULL row
	build := func(vals []string) *array.String {
		b := array.NewStringBuilder(types.Allocator)
		for _, v := range vals {
			d, err := types.ParseNumeric(v)
			if err != nil {
				t.Fatal(err)
			}
			types.AppendDatum(b, types.NumericType, d) // canonical text, as columns hold it
		}
		b.AppendNull()
		return b.NewStringArray()
	}
	x, y := build(as), build(bs)
	for _, op := range []arithOp{opAdd, opSub, opMul} {
		fast := 0
		for i := range as {
			if _, ok := smallNumericArith(nil, op, x.Value(i), y.Value(i)); ok {
				fast++
			}
		}
		if fast < len(as)/5 {
			t.Errorf("%s: only %d of %d rows took the fast path", arithNames[op], fast, len(as))
		}
		got, err := numericVec(op)(nil, []arrow.Array{x, y}, n)
		if err != nil {
			t.Fatal(err)
		}
		out := got.(*array.String)
		if !out.IsNull(n - 1) {
			t.Fatalf("%s: NULL operand gave %q", arithNames[op], out.Value(n-1))
		}
		for i := 0; i < n-1; i++ {
			a := types.DatumAt(types.NumericType, x, i).(*apd.Decimal)
			b := types.DatumAt(types.NumericType, y, i).(*apd.Decimal)
			want, err := NumericArith(op, a, b)
			if err != nil {
				t.Fatal(err)
			}
			wantText := string(types.AppendNumeric(nil, want.(*apd.Decimal)))
			if out.IsNull(i) || out.Value(i) != wantText {
				t.Fatalf("%s %s %s: vector kernel %q, decimal kernel %q", x.Value(i), arithNames[op], y.Value(i), out.Value(i), wantText)
			}
		}
	}
}
