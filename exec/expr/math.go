package expr

import (
	"math"
	"math/rand/v2"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

func floatFn(fn func(float64) (float64, error)) RowKernel {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return fn(a[0].(float64)) }
}

func numericRound(d *apd.Decimal, scale int32, mode apd.Rounder) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	c := *types.NumericContext
	c.Rounding = mode
	var out apd.Decimal
	if scale < 0 {
		// Round to tens, hundreds, ...: quantize then re-expand.
		c.Precision = uint32(max(int64(d.NumDigits())+int64(d.Exponent)+1, 1))
		if _, err := c.Quantize(&out, d, -scale); err != nil {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
		}
		_, _ = c.Quantize(&out, &out, 0)
		return &out, nil
	}
	c.Precision = uint32(max(int64(d.NumDigits())+int64(d.Exponent)+int64(scale)+2, 1))
	if _, err := c.Quantize(&out, d, -scale); err != nil {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
	}
	if out.IsZero() {
		out.Negative = false
	}
	return &out, nil
}

func registerMath(r *Registry) {
	ints := []types.T{types.Int2Type, i4, i8}
	for _, t := range ints {
		t := t
		r.add(&Overload{Name: "abs", Args: []types.T{t}, Ret: t, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := a[0].(int64)
			if v < 0 {
				lo, _, _ := intRange(t)
				if v == lo {
					return nil, overflowErr(t)
				}
				return -v, nil
			}
			return v, nil
		}})
	}
	for _, t := range []types.T{types.Float4Type, f8} {
		r.add(&Overload{Name: "abs", Args: []types.T{t}, Ret: t, Row: floatFn(func(f float64) (float64, error) { return math.Abs(f), nil })})
	}
	r.add(&Overload{Name: "abs", Args: []types.T{num}, Ret: num, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		var out apd.Decimal
		out.Abs(a[0].(*apd.Decimal))
		return &out, nil
	}})
	for _, fn := range []struct {
		name string
		f    func(float64) float64
		mode apd.Rounder
	}{
		{"ceil", math.Ceil, apd.RoundCeiling}, {"ceiling", math.Ceil, apd.RoundCeiling},
		{"floor", math.Floor, apd.RoundFloor}, {"trunc", math.Trunc, apd.RoundDown},
		{"round", math.RoundToEven, apd.RoundHalfUp},
	} {
		fn := fn
		r.add(&Overload{Name: fn.name, Args: []types.T{f8}, Ret: f8, Row: floatFn(func(f float64) (float64, error) { return fn.f(f), nil })})
		r.add(&Overload{Name: fn.name, Args: []types.T{num}, Ret: num, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return numericRound(a[0].(*apd.Decimal), 0, fn.mode)
		}})
	}
	for _, name := range []string{"round", "trunc"} {
		mode := apd.RoundHalfUp
		if name == "trunc" {
			mode = apd.RoundDown
		}
		r.add(&Overload{Name: name, Args: []types.T{num, i4}, Ret: num, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return numericRound(a[0].(*apd.Decimal), int32(a[1].(int64)), mode)
		}})
	}
	r.add(&Overload{Name: "sign", Args: []types.T{f8}, Ret: f8, Row: floatFn(func(f float64) (float64, error) {
		switch {
		case f > 0:
			return 1, nil
		case f < 0:
			return -1, nil
		}
		return 0, nil
	})})
	r.add(&Overload{Name: "sign", Args: []types.T{num}, Ret: num, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		d := a[0].(*apd.Decimal)
		switch {
		case d.IsZero():
			return apd.New(0, 0), nil
		case d.Negative:
			return apd.New(-1, 0), nil
		}
		return apd.New(1, 0), nil
	}})
	r.add(&Overload{Name: "sqrt", Args: []types.T{f8}, Ret: f8, Row: floatFn(func(f float64) (float64, error) {
		if f < 0 {
			return 0, pgerror.New(pgerror.InvalidParameterValue, "cannot take square root of a negative number").WithCode("2201F")
		}
		return math.Sqrt(f), nil
	})})
	r.add(&Overload{Name: "cbrt", Args: []types.T{f8}, Ret: f8, Row: floatFn(func(f float64) (float64, error) { return cCbrt(f), nil })})
	power := floatFn2(func(x, y float64) (float64, error) {
		if x == 0 && y < 0 {
			return 0, pgerror.New("2201F", "zero raised to a negative power is undefined")
		}
		if x < 0 && y != math.Trunc(y) {
			return 0, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
		}
		v := cPow(x, y)
		if math.IsInf(v, 0) {
			return 0, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
		}
		return v, nil
	})
	for _, name := range []string{"power", "pow", "^"} {
		r.add(&Overload{Name: name, Args: []types.T{f8, f8}, Ret: f8, Row: power, Infix: name == "^"})
	}
	r.add(&Overload{Name: "exp", Args: []types.T{f8}, Ret: f8, Row: floatFn(func(f float64) (float64, error) { return cExp(f), nil })})
	ln := func(base float64) RowKernel {
		return floatFn(func(f float64) (float64, error) {
			if f == 0 {
				return 0, pgerror.New("2201E", "cannot take logarithm of zero")
			}
			if f < 0 {
				return 0, pgerror.New("2201E", "cannot take logarithm of a negative number")
			}
			if base == 10 {
				return cLog10(f), nil
			}
			return cLog(f), nil
		})
	}
	r.add(&Overload{Name: "ln", Args: []types.T{f8}, Ret: f8, Row: ln(math.E)})
	r.add(&Overload{Name: "log", Args: []types.T{f8}, Ret: f8, Row: ln(10)})
	r.add(&Overload{Name: "log10", Args: []types.T{f8}, Ret: f8, Row: ln(10)})
	r.add(&Overload{Name: "pi", Ret: f8, Row: func(*Ctx, []types.Datum) (types.Datum, error) { return math.Pi, nil }})
	r.add(&Overload{Name: "random", Ret: f8, Volatile: true, Row: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		if c.Random != nil {
			return c.Random.Float64(), nil
		}
		return rand.Float64(), nil
	}})
	for _, t := range ints {
		t := t
		r.add(&Overload{Name: "mod", Args: []types.T{t, t}, Ret: t, Vec: intArith(t, opMod)})
		r.add(&Overload{Name: "div", Args: []types.T{t, t}, Ret: t, Vec: intArith(t, opDiv)})
	}
	r.add(&Overload{Name: "mod", Args: []types.T{num, num}, Ret: num, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return NumericArith(opMod, a[0].(*apd.Decimal), a[1].(*apd.Decimal))
	}})
	r.add(&Overload{Name: "div", Args: []types.T{num, num}, Ret: num, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		x, y := a[0].(*apd.Decimal), a[1].(*apd.Decimal)
		if y.IsZero() {
			return nil, errDivByZero
		}
		var q apd.Decimal
		if _, err := types.NumericContext.QuoInteger(&q, x, y); err != nil {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
		}
		return &q, nil
	}})
	// Bitwise operators on integers.
	for _, t := range ints {
		t := t
		bit := func(name string, fn func(a, b int64) int64) {
			r.add(&Overload{Name: name, Args: []types.T{t, t}, Ret: t, Infix: true, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				return fn(a[0].(int64), a[1].(int64)), nil
			}})
		}
		bit("&", func(a, b int64) int64 { return a & b })
		bit("|", func(a, b int64) int64 { return a | b })
		bit("#", func(a, b int64) int64 { return a ^ b })
		r.add(&Overload{Name: "~", Args: []types.T{t}, Ret: t, Infix: true, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return ^a[0].(int64), nil
		}})
	}
}

func floatFn2(fn func(x, y float64) (float64, error)) RowKernel {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return fn(a[0].(float64), a[1].(float64)) }
}
