package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opMod
)

var arithNames = [...]string{"+", "-", "*", "/", "%"}

func registerArithmetic(r *Registry) {
	for _, k := range []types.Kind{types.Int2, types.Int4, types.Int8} {
		t := k.Type()
		for op := opAdd; op <= opMod; op++ {
			r.add(&Overload{Name: arithNames[op], Args: []types.T{t, t}, Ret: t, Infix: true, Vec: intArith(t, op)})
		}
		r.add(&Overload{Name: "-", Args: []types.T{t}, Ret: t, Infix: true, Vec: intNeg(t)})
		r.add(&Overload{Name: "+", Args: []types.T{t}, Ret: t, Infix: true, Vec: identity})
	}
	for _, k := range []types.Kind{types.Float4, types.Float8} {
		t := k.Type()
		for op := opAdd; op <= opDiv; op++ {
			r.add(&Overload{Name: arithNames[op], Args: []types.T{t, t}, Ret: t, Infix: true, Vec: floatArith(t, op)})
		}
		r.add(&Overload{Name: "-", Args: []types.T{t}, Ret: t, Infix: true, Vec: floatNeg(t)})
		r.add(&Overload{Name: "+", Args: []types.T{t}, Ret: t, Infix: true, Vec: identity})
	}
	// real op double precision and the reverse compute in double precision,
	// as PostgreSQL's float48 and float84 operators do: 1.5::real / 28 is
	// a float8.
	f4, f8 := types.Float4Type, types.Float8Type
	for op := opAdd; op <= opDiv; op++ {
		r.add(&Overload{Name: arithNames[op], Args: []types.T{f4, f8}, Ret: f8, Infix: true, Vec: widenFloat4(floatArith(f8, op))})
		r.add(&Overload{Name: arithNames[op], Args: []types.T{f8, f4}, Ret: f8, Infix: true, Vec: widenFloat4(floatArith(f8, op))})
	}
	n := types.NumericType
	for op := opAdd; op <= opMod; op++ {
		op := op
		o := &Overload{Name: arithNames[op], Args: []types.T{n, n}, Ret: n, Infix: true,
			Row: func(_ *Ctx, args []types.Datum) (types.Datum, error) {
				return NumericArith(op, args[0].(*apd.Decimal), args[1].(*apd.Decimal))
			}}
		if op == opAdd || op == opSub || op == opMul {
			o.Vec = numericVec(op)
		}
		r.add(o)
	}
	r.add(&Overload{Name: "-", Args: []types.T{n}, Ret: n, Infix: true, Row: func(_ *Ctx, args []types.Datum) (types.Datum, error) {
		d := args[0].(*apd.Decimal)
		var out apd.Decimal
		out.Neg(d)
		if out.IsZero() {
			out.Negative = false
		}
		return &out, nil
	}})
	r.add(&Overload{Name: "+", Args: []types.T{n}, Ret: n, Infix: true, Vec: identity})
}

// widenFloat4 runs a float8 kernel on arguments some of which are float4.
func widenFloat4(k VecKernel) VecKernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		wide := make([]arrow.Array, len(args))
		for i, a := range args {
			wide[i] = a
			if f, ok := a.(*array.Float32); ok {
				vals := make([]float64, a.Len())
				for j, v := range f.Float32Values() {
					vals[j] = float64(v)
				}
				wide[i] = batch.Float64s(vals, batch.Validity(a), a.NullN())
			}
		}
		return k(ctx, wide, n)
	}
}

func identity(_ *Ctx, args []arrow.Array, _ int) (arrow.Array, error) { return args[0], nil }

func overflowErr(t types.T) error {
	_, _, msg := intRange(t)
	return pgerror.New(pgerror.NumericValueOutOfRange, msg)
}

var errDivByZero = pgerror.New(pgerror.DivisionByZero, "division by zero")

// intArith returns the kernel of op over two integer arrays of type t,
// with PostgreSQL's overflow and division-by-zero errors. Rows where either
// input is NULL never raise.
func intArith(t types.T, op arithOp) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		validity, nulls := batch.AndValidity(n, args[0], args[1])
		switch t.Kind {
		case types.Int2:
			out, err := intLoop(args[0].(*array.Int16).Int16Values(), args[1].(*array.Int16).Int16Values(), validity, op, math.MinInt16, math.MaxInt16)
			if err != nil {
				return nil, overflowOr(err, t)
			}
			return batch.Int16s(out, validity, nulls), nil
		case types.Int4:
			out, err := intLoop(args[0].(*array.Int32).Int32Values(), args[1].(*array.Int32).Int32Values(), validity, op, math.MinInt32, math.MaxInt32)
			if err != nil {
				return nil, overflowOr(err, t)
			}
			return batch.Int32s(out, validity, nulls), nil
		}
		out, err := int64Loop(args[0].(*array.Int64).Int64Values(), args[1].(*array.Int64).Int64Values(), validity, op)
		if err != nil {
			return nil, overflowOr(err, t)
		}
		return batch.Int64s(out, validity, nulls), nil
	}
}

type overflow struct{}

func (overflow) Error() string { return "overflow" }

func overflowOr(err error, t types.T) error {
	if _, ok := err.(overflow); ok {
		return overflowErr(t)
	}
	return err
}

// intLoop computes narrow integer arithmetic in int64, where it cannot
// overflow, and checks the result's range.
func intLoop[T int16 | int32](x, y []T, validity []byte, op arithOp, lo, hi int64) ([]T, error) {
	out := make([]T, len(x))
	bad := false
	switch op {
	case opAdd:
		for i := range out {
			r := int64(x[i]) + int64(y[i])
			bad = bad || (r < lo || r > hi) && batch.IsValid(validity, i)
			out[i] = T(r)
		}
	case opSub:
		for i := range out {
			r := int64(x[i]) - int64(y[i])
			bad = bad || (r < lo || r > hi) && batch.IsValid(validity, i)
			out[i] = T(r)
		}
	case opMul:
		for i := range out {
			r := int64(x[i]) * int64(y[i])
			bad = bad || (r < lo || r > hi) && batch.IsValid(validity, i)
			out[i] = T(r)
		}
	case opDiv, opMod:
		for i := range out {
			if y[i] == 0 {
				if batch.IsValid(validity, i) {
					return nil, errDivByZero
				}
				continue
			}
			var r int64
			if op == opDiv {
				r = int64(x[i]) / int64(y[i])
			} else {
				r = int64(x[i]) % int64(y[i])
			}
			bad = bad || (r < lo || r > hi) && batch.IsValid(validity, i)
			out[i] = T(r)
		}
	}
	if bad {
		return nil, overflow{}
	}
	return out, nil
}

func int64Loop(x, y []int64, validity []byte, op arithOp) ([]int64, error) {
	out := make([]int64, len(x))
	bad := false
	switch op {
	case opAdd:
		for i := range out {
			r := x[i] + y[i]
			// Overflow iff both operands have the sign the result lacks.
			bad = bad || ((x[i]^r)&(y[i]^r)) < 0 && batch.IsValid(validity, i)
			out[i] = r
		}
	case opSub:
		for i := range out {
			r := x[i] - y[i]
			bad = bad || ((x[i]^y[i])&(x[i]^r)) < 0 && batch.IsValid(validity, i)
			out[i] = r
		}
	case opMul:
		for i := range out {
			a, b := x[i], y[i]
			r := a * b
			if a != 0 && (r/a != b || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)) {
				bad = bad || batch.IsValid(validity, i)
			}
			out[i] = r
		}
	case opDiv, opMod:
		for i := range out {
			if y[i] == 0 {
				if batch.IsValid(validity, i) {
					return nil, errDivByZero
				}
				continue
			}
			if y[i] == -1 {
				if op == opDiv {
					if x[i] == math.MinInt64 && batch.IsValid(validity, i) {
						bad = true
					}
					out[i] = -x[i]
				}
				continue
			}
			if op == opDiv {
				out[i] = x[i] / y[i]
			} else {
				out[i] = x[i] % y[i]
			}
		}
	}
	if bad {
		return nil, overflow{}
	}
	return out, nil
}

func intNeg(t types.T) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		validity := batch.Validity(args[0])
		nulls := args[0].NullN()
		switch t.Kind {
		case types.Int2:
			x := args[0].(*array.Int16).Int16Values()
			out := make([]int16, n)
			for i := range out {
				if x[i] == math.MinInt16 && batch.IsValid(validity, i) {
					return nil, overflowErr(t)
				}
				out[i] = -x[i]
			}
			return batch.Int16s(out, validity, nulls), nil
		case types.Int4:
			x := args[0].(*array.Int32).Int32Values()
			out := make([]int32, n)
			for i := range out {
				if x[i] == math.MinInt32 && batch.IsValid(validity, i) {
					return nil, overflowErr(t)
				}
				out[i] = -x[i]
			}
			return batch.Int32s(out, validity, nulls), nil
		}
		x := args[0].(*array.Int64).Int64Values()
		out := make([]int64, n)
		for i := range out {
			if x[i] == math.MinInt64 && batch.IsValid(validity, i) {
				return nil, overflowErr(t)
			}
			out[i] = -x[i]
		}
		return batch.Int64s(out, validity, nulls), nil
	}
}

// floatArith returns the kernel of op over float arrays: PostgreSQL raises
// on overflow to infinity, underflow to zero, and division by zero.
func floatArith(t types.T, op arithOp) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		validity, nulls := batch.AndValidity(n, args[0], args[1])
		if t.Kind == types.Float4 {
			x, y := args[0].(*array.Float32).Float32Values(), args[1].(*array.Float32).Float32Values()
			out := make([]float32, n)
			for i := range out {
				r, err := floatOp(float64(x[i]), float64(y[i]), op, batch.IsValid(validity, i))
				if err != nil {
					return nil, err
				}
				out[i] = float32(r)
				if math.IsInf(float64(out[i]), 0) && !math.IsInf(r, 0) && batch.IsValid(validity, i) {
					return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
				}
			}
			return batch.Float32s(out, validity, nulls), nil
		}
		x, y := args[0].(*array.Float64).Float64Values(), args[1].(*array.Float64).Float64Values()
		out := make([]float64, n)
		switch op {
		case opAdd:
			for i := range out {
				out[i] = x[i] + y[i]
			}
		case opSub:
			for i := range out {
				out[i] = x[i] - y[i]
			}
		case opMul:
			for i := range out {
				out[i] = x[i] * y[i]
			}
		case opDiv:
			for i := range out {
				if y[i] == 0 && batch.IsValid(validity, i) {
					return nil, errDivByZero
				}
				out[i] = x[i] / y[i]
			}
		}
		// Check overflow and underflow in a second pass: rare, and it keeps
		// the loops above simple.
		for i := range out {
			r := out[i]
			if (math.IsInf(r, 0) || r == 0) && batch.IsValid(validity, i) {
				if _, err := floatOp(x[i], y[i], op, true); err != nil {
					return nil, err
				}
			}
		}
		return batch.Float64s(out, validity, nulls), nil
	}
}

func floatOp(x, y float64, op arithOp, valid bool) (float64, error) {
	var r float64
	switch op {
	case opAdd:
		r = x + y
	case opSub:
		r = x - y
	case opMul:
		r = x * y
		if r == 0 && x != 0 && y != 0 && valid {
			return 0, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: underflow")
		}
	case opDiv:
		if y == 0 {
			if valid {
				return 0, errDivByZero
			}
			return 0, nil
		}
		r = x / y
		if r == 0 && x != 0 && !math.IsInf(y, 0) && valid {
			return 0, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: underflow")
		}
	}
	if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) && valid {
		return 0, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
	}
	return r, nil
}

func floatNeg(t types.T) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		validity := batch.Validity(args[0])
		if t.Kind == types.Float4 {
			x := args[0].(*array.Float32).Float32Values()
			out := make([]float32, n)
			for i := range out {
				out[i] = -x[i]
			}
			return batch.Float32s(out, validity, args[0].NullN()), nil
		}
		x := args[0].(*array.Float64).Float64Values()
		out := make([]float64, n)
		for i := range out {
			out[i] = -x[i]
		}
		return batch.Float64s(out, validity, args[0].NullN()), nil
	}
}

// NumericScale returns the display scale of a numeric: digits after the
// decimal point.
func NumericScale(d *apd.Decimal) int32 {
	if d.Exponent < 0 {
		return -d.Exponent
	}
	return 0
}

func numericSpecial(op arithOp, a, b *apd.Decimal) (types.Datum, bool, error) {
	if a.Form == apd.Finite && b.Form == apd.Finite {
		return nil, false, nil
	}
	nan := &apd.Decimal{Form: apd.NaN}
	if a.Form == apd.NaN || b.Form == apd.NaN {
		return nan, true, nil
	}
	fa, fb := toFloat(a), toFloat(b)
	var r float64
	switch op {
	case opAdd:
		r = fa + fb
	case opSub:
		r = fa - fb
	case opMul:
		r = fa * fb
	case opDiv:
		if b.Form == apd.Finite && b.IsZero() {
			return nil, true, errDivByZero
		}
		r = fa / fb
	case opMod:
		if b.Form == apd.Finite && b.IsZero() {
			return nil, true, errDivByZero
		}
		if a.Form == apd.Infinite {
			return nan, true, nil
		}
		return a, true, nil
	}
	switch {
	case math.IsNaN(r):
		return nan, true, nil
	case math.IsInf(r, 0):
		return &apd.Decimal{Form: apd.Infinite, Negative: r < 0}, true, nil
	}
	return apd.New(0, 0), true, nil
}

func toFloat(d *apd.Decimal) float64 {
	if d.Form == apd.Infinite {
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, _ := d.Float64()
	return f
}

// NumericArith computes a op b with PostgreSQL's result scales: the larger
// scale for + - %, the sum of scales for *, and select_div_scale for /.
func NumericArith(op arithOp, a, b *apd.Decimal) (types.Datum, error) {
	if v, ok, err := numericSpecial(op, a, b); ok || err != nil {
		return v, err
	}
	ctx := types.NumericContext
	var out apd.Decimal
	var err error
	switch op {
	case opAdd:
		_, err = ctx.Add(&out, a, b)
	case opSub:
		_, err = ctx.Sub(&out, a, b)
	case opMul:
		_, err = ctx.Mul(&out, a, b)
		if err == nil {
			out.Reduce(&out)
			err = roundNumeric(&out, NumericScale(a)+NumericScale(b))
		}
	case opDiv:
		if b.IsZero() {
			return nil, errDivByZero
		}
		scale := NumericDivScale(a, b)
		c := *ctx
		c.Precision = uint32(numDigitsBefore(a, b) + int64(scale) + 2)
		if c.Precision < 20 {
			c.Precision = 20
		}
		c.Traps = apd.InvalidOperation | apd.DivisionByZero | apd.Overflow
		_, err = c.Quo(&out, a, b)
		if err == nil {
			err = roundNumeric(&out, scale)
		}
	case opMod:
		if b.IsZero() {
			return nil, errDivByZero
		}
		_, err = ctx.Rem(&out, a, b)
		if err == nil {
			s := NumericScale(a)
			if sb := NumericScale(b); sb > s {
				s = sb
			}
			err = roundNumeric(&out, s)
		}
	}
	if err != nil {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
	}
	if out.IsZero() {
		out.Negative = false
	}
	return &out, nil
}

// numDigitsBefore bounds the digits before the point of a/b.
func numDigitsBefore(a, b *apd.Decimal) int64 {
	d := int64(a.NumDigits()) + int64(a.Exponent) - (int64(b.NumDigits()) + int64(b.Exponent)) + 2
	if d < 1 {
		return 1
	}
	return d
}

// roundNumeric rounds d, in place, to scale digits after the point, half
// away from zero.
func roundNumeric(d *apd.Decimal, scale int32) error {
	c := *types.NumericContext
	c.Rounding = apd.RoundHalfUp
	c.Precision = uint32(int64(d.NumDigits()) + int64(d.Exponent) + int64(scale) + 2)
	if c.Precision < 1 {
		c.Precision = 1
	}
	_, err := c.Quantize(d, d, -scale)
	return err
}

// base10000 returns the base-10000 weight and first digit of |d|, as
// PostgreSQL's NumericVar stores it; zero gives (0, 0).
func base10000(d *apd.Decimal) (weight int64, first int64) {
	if d.IsZero() {
		return 0, 0
	}
	// adjusted exponent: floor(log10(|d|)).
	adj := int64(d.NumDigits()) - 1 + int64(d.Exponent)
	weight = floorDiv64(adj, 4)
	// first = floor(|d| / 10000^weight): the leading digits of the
	// coefficient down to position 4*weight.
	digitsInFirst := adj - 4*weight + 1 // 1..4
	coef := d.Coeff.String()
	if int64(len(coef)) >= digitsInFirst {
		first = parseSmall(coef[:digitsInFirst])
	} else {
		first = parseSmall(coef)
		for i := int64(len(coef)); i < digitsInFirst; i++ {
			first *= 10
		}
	}
	return weight, first
}

func parseSmall(s string) int64 {
	var v int64
	for _, c := range s {
		v = v*10 + int64(c-'0')
	}
	return v
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// NumericDivScale is PostgreSQL's select_div_scale: at least 16
// significant digits, and no fewer decimals than either input shows.
func NumericDivScale(a, b *apd.Decimal) int32 {
	w1, f1 := base10000(a)
	w2, f2 := base10000(b)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := int64(16) - qweight*4
	if s := int64(NumericScale(a)); s > rscale {
		rscale = s
	}
	if s := int64(NumericScale(b)); s > rscale {
		rscale = s
	}
	if rscale < 0 {
		rscale = 0
	}
	if rscale > 1000 {
		rscale = 1000
	}
	return int32(rscale)
}

// NumericAdd adds two numerics.
func NumericAdd(a, b *apd.Decimal) (*apd.Decimal, error) {
	v, err := NumericArith(opAdd, a, b)
	if err != nil {
		return nil, err
	}
	return v.(*apd.Decimal), nil
}

// NumericDivide divides two numerics with PostgreSQL's result scale.
func NumericDivide(a, b *apd.Decimal) (*apd.Decimal, error) {
	v, err := NumericArith(opDiv, a, b)
	if err != nil {
		return nil, err
	}
	return v.(*apd.Decimal), nil
}

// NumericSubtract subtracts two numerics.
func NumericSubtract(a, b *apd.Decimal) (*apd.Decimal, error) {
	v, err := NumericArith(opSub, a, b)
	if err != nil {
		return nil, err
	}
	return v.(*apd.Decimal), nil
}
