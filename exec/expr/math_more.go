package expr

import (
	"math"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Math beyond math.go: numeric exp, ln, log, sqrt and power with
// PostgreSQL's result scales; gcd, lcm, factorial, width_bucket; the
// trigonometric functions, the degree variants exact at the special
// angles as PostgreSQL's; scale functions; operators @ |/ ||/ << >>.

// PostgreSQL's numeric limits for choosing result scales (numeric.c).
const (
	numericMinSigDigits   = 16
	numericMaxDisplay     = 1000
	numericMaxResultScale = 2000
)

var errOverflowNumeric = pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")

// nbase returns the base-10000 representation PostgreSQL's scale choices
// read: the weight of the first group and the first two groups' values
// (d1 is -1 when there is one group). Zero gives weight 0 and no groups.
func nbase(d *apd.Decimal) (weight, d0, d1 int64, ok bool) {
	if d.IsZero() {
		return 0, 0, -1, false
	}
	coef := new(big.Int).Set(d.Coeff.MathBigInt())
	exp := int64(d.Exponent)
	// Align the coefficient so the exponent is a multiple of 4.
	shift := exp - floorDiv64(exp, 4)*4
	for i := int64(0); i < shift; i++ {
		coef.Mul(coef, big.NewInt(10))
	}
	exp -= shift
	s := coef.String()
	// Pad to whole groups of 4 digits.
	for len(s)%4 != 0 {
		s = "0" + s
	}
	groups := len(s) / 4
	weight = exp/4 + int64(groups) - 1
	d0 = parseSmall(s[:4])
	d1 = -1
	if groups > 1 {
		d1 = parseSmall(s[4:8])
	}
	// Trailing zero groups do not count as digits.
	if d1 == 0 {
		rest := s[4:]
		allZero := true
		for _, c := range rest {
			if c != '0' {
				allZero = false
				break
			}
		}
		if allZero {
			d1 = -1
		}
	}
	return weight, d0, d1, true
}

// estimateLnDweight is PostgreSQL's estimate of the decimal weight of
// ln(d), for d > 0.
func estimateLnDweight(d *apd.Decimal) int64 {
	if d.Negative || d.IsZero() {
		return 0
	}
	if d.Cmp(apd.New(9, -1)) >= 0 && d.Cmp(apd.New(11, -1)) <= 0 {
		var x apd.Decimal
		_, _ = types.NumericContext.Sub(&x, d, apd.New(1, 0))
		if x.IsZero() {
			return 0
		}
		w, d0, _, _ := nbase(&x)
		return w*4 + int64(cLog10(float64(d0)))
	}
	w, d0, d1, _ := nbase(d)
	digits := float64(d0)
	dweight := w * 4
	if d1 >= 0 {
		digits = digits*10000 + float64(d1)
		dweight -= 4
	}
	lnv := cLog(digits) + float64(dweight)*2.302585092994046
	return int64(cLog10(math.Abs(lnv)))
}

func clampScale(rscale int64, scales ...int32) int32 {
	for _, s := range scales {
		rscale = max(rscale, int64(s))
	}
	return int32(min(max(rscale, 0), numericMaxDisplay))
}

// decimalWeight is floor(log10(|d|)), 0 for zero.
func decimalWeight(d *apd.Decimal) int64 {
	if d.IsZero() {
		return 0
	}
	return int64(d.NumDigits()) + int64(d.Exponent) - 1
}

// computeRounded runs op with enough precision for rscale digits after
// the point, given the result's approximate decimal weight, and rounds
// half away from zero to exactly rscale digits.
func computeRounded(rscale int32, weight int64, op func(c *apd.Context, out *apd.Decimal) error) (*apd.Decimal, error) {
	c := *types.NumericContext
	c.Precision = uint32(max(weight+int64(rscale)+12, 12))
	c.Rounding = apd.RoundHalfEven
	c.Traps = apd.InvalidOperation | apd.DivisionByZero
	c.MaxExponent = apd.MaxExponent
	c.MinExponent = apd.MinExponent
	var out apd.Decimal
	if err := op(&c, &out); err != nil {
		return nil, err
	}
	if err := roundNumeric(&out, rscale); err != nil {
		return nil, errOverflowNumeric
	}
	if out.IsZero() {
		out.Negative = false
	}
	return &out, nil
}

func numericSqrt(d *apd.Decimal) (types.Datum, error) {
	switch {
	case d.Form == apd.NaN:
		return d, nil
	case d.Negative && !d.IsZero():
		return nil, pgerror.New("2201F", "cannot take square root of a negative number")
	case d.Form == apd.Infinite:
		return d, nil
	}
	w, _, _, _ := nbase(d)
	sweight := (w+1)*4/2 - 1
	rscale := clampScale(numericMinSigDigits-sweight, NumericScale(d))
	return computeRounded(rscale, decimalWeight(d)/2+1, func(c *apd.Context, out *apd.Decimal) error {
		_, err := c.Sqrt(out, d)
		return err
	})
}

func numericExp(d *apd.Decimal) (types.Datum, error) {
	switch {
	case d.Form == apd.NaN:
		return d, nil
	case d.Form == apd.Infinite && d.Negative:
		return apd.New(0, 0), nil
	case d.Form == apd.Infinite:
		return d, nil
	}
	f, _ := d.Float64()
	if math.Abs(f) >= numericMaxResultScale*3 {
		if f > 0 {
			return nil, errOverflowNumeric
		}
	}
	val := f * 0.434294481903252
	val = max(min(val, numericMaxResultScale), -numericMaxResultScale)
	rscale := clampScale(numericMinSigDigits-int64(val), NumericScale(d))
	if math.Abs(f) >= numericMaxResultScale*3 {
		return computeRounded(rscale, 0, func(c *apd.Context, out *apd.Decimal) error { out.SetInt64(0); return nil })
	}
	return computeRounded(rscale, int64(math.Ceil(val)), func(c *apd.Context, out *apd.Decimal) error {
		_, err := c.Exp(out, d)
		return err
	})
}

func lnCheck(d *apd.Decimal) error {
	if d.IsZero() {
		return pgerror.New("2201E", "cannot take logarithm of zero")
	}
	if d.Negative {
		return pgerror.New("2201E", "cannot take logarithm of a negative number")
	}
	return nil
}

func numericLn(d *apd.Decimal) (types.Datum, error) {
	if d.Form == apd.NaN {
		return d, nil
	}
	if err := lnCheck(d); err != nil {
		return nil, err
	}
	if d.Form == apd.Infinite {
		return d, nil
	}
	dw := estimateLnDweight(d)
	rscale := clampScale(numericMinSigDigits-dw, NumericScale(d))
	return computeRounded(rscale, dw+1, func(c *apd.Context, out *apd.Decimal) error {
		_, err := c.Ln(out, d)
		return err
	})
}

// numericLog is log(base, num).
func numericLog(base, num *apd.Decimal) (types.Datum, error) {
	if base.Form == apd.NaN || num.Form == apd.NaN {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if err := lnCheck(base); err != nil {
		return nil, err
	}
	if err := lnCheck(num); err != nil {
		return nil, err
	}
	if base.Cmp(apd.New(1, 0)) == 0 {
		return nil, errDivByZero
	}
	rw := estimateLnDweight(num) - estimateLnDweight(base)
	rscale := clampScale(numericMinSigDigits-rw, NumericScale(base), NumericScale(num))
	return computeRounded(rscale, rw+1, func(c *apd.Context, out *apd.Decimal) error {
		var lb, ln apd.Decimal
		if _, err := c.Ln(&lb, base); err != nil {
			return err
		}
		if _, err := c.Ln(&ln, num); err != nil {
			return err
		}
		_, err := c.Quo(out, &ln, &lb)
		return err
	})
}

func isIntegral(d *apd.Decimal) bool {
	if d.Form != apd.Finite {
		return false
	}
	var frac, integ apd.Decimal
	d.Modf(&integ, &frac)
	return frac.IsZero()
}

func numericPower(base, exp *apd.Decimal) (types.Datum, error) {
	if base.Form == apd.NaN || exp.Form == apd.NaN {
		if base.Form != apd.NaN && base.Cmp(apd.New(1, 0)) == 0 || exp.Form != apd.NaN && exp.IsZero() {
			return apd.New(1, 0), nil
		}
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if base.IsZero() && exp.Negative {
		return nil, pgerror.New("2201F", "zero raised to a negative power is undefined")
	}
	if base.Negative && !isIntegral(exp) && exp.Form == apd.Finite {
		return nil, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	if base.Form != apd.Finite || exp.Form != apd.Finite {
		fb, fe := toFloat(base), toFloat(exp)
		r := math.Pow(fb, fe)
		switch {
		case math.IsInf(r, 0):
			return &apd.Decimal{Form: apd.Infinite, Negative: r < 0}, nil
		case math.IsNaN(r):
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		return apd.New(int64(r), 0), nil
	}
	if isIntegral(exp) {
		if e, err := exp.Int64(); err == nil && e >= math.MinInt32 && e <= math.MaxInt32 {
			rscale := clampScale(numericMinSigDigits, NumericScale(base))
			if base.IsZero() {
				if e == 0 {
					return computeRounded(rscale, 0, func(c *apd.Context, out *apd.Decimal) error { out.SetInt64(1); return nil })
				}
				return computeRounded(rscale, 0, func(c *apd.Context, out *apd.Decimal) error { out.SetInt64(0); return nil })
			}
			fb, _ := base.Float64()
			weight := int64(math.Ceil(float64(e) * math.Log10(math.Abs(fb))))
			if weight > 131072 {
				return nil, errOverflowNumeric
			}
			return computeRounded(rscale, weight, func(c *apd.Context, out *apd.Decimal) error {
				// Exact for positive exponents: enough precision for every
				// digit of base^e.
				if e >= 0 {
					c.Precision = uint32(max(int64(base.NumDigits())*e+int64(rscale)+12, 12))
				}
				_, err := c.Pow(out, base, apd.New(e, 0))
				return err
			})
		}
	}
	if base.IsZero() {
		return computeRounded(numericMinSigDigits, 0, func(c *apd.Context, out *apd.Decimal) error { out.SetInt64(0); return nil })
	}
	lnd := estimateLnDweight(base)
	fb, _ := base.Float64()
	fe, _ := exp.Float64()
	val := fe * math.Log(math.Abs(fb))
	if math.Abs(val) > numericMaxResultScale*3.01 {
		if val > 0 {
			return nil, errOverflowNumeric
		}
		return computeRounded(numericMaxDisplay, 0, func(c *apd.Context, out *apd.Decimal) error { out.SetInt64(0); return nil })
	}
	_ = lnd
	val *= 0.434294481903252
	rscale := clampScale(numericMinSigDigits-int64(val), NumericScale(base), NumericScale(exp))
	return computeRounded(rscale, int64(math.Ceil(val)), func(c *apd.Context, out *apd.Decimal) error {
		_, err := c.Pow(out, base, exp)
		return err
	})
}

// Degree-based trigonometry, exact at 0, 30, 45, 60, 90 degrees: the
// results are scaled by the functions' values at those angles, as
// PostgreSQL does.
// radiansPerDegree is a variable, not a constant, so that products with
// it round in float64 as they do in C, rather than being folded exactly.
var radiansPerDegree = 0.0174532925199432957692

var (
	sin30         = cSin(float64(30) * radiansPerDegree)
	oneMinusCos60 = 1 - cCos(float64(60)*radiansPerDegree)
	asin05        = cAsin(0.5)
	acos05        = cAcos(0.5)
	atan10        = cAtan(1.0)
	tan45         = sindQ1(45) / cosdQ1(45)
	cot45         = cosdQ1(45) / sindQ1(45)
)

func sind0to30(x float64) float64 { return (cSin(x*radiansPerDegree) / sin30) / 2 }
func cosd0to60(x float64) float64 {
	return 1 - ((1-cCos(x*radiansPerDegree))/oneMinusCos60)/2
}
func sindQ1(x float64) float64 {
	if x <= 30 {
		return sind0to30(x)
	}
	return cosd0to60(90 - x)
}
func cosdQ1(x float64) float64 {
	if x <= 60 {
		return cosd0to60(x)
	}
	return sind0to30(90 - x)
}
func asindQ1(x float64) float64 {
	if x <= 0.5 {
		return (cAsin(x) / asin05) * 30
	}
	return 90 - (cAcos(x)/acos05)*60
}
func acosdQ1(x float64) float64 {
	if x <= 0.5 {
		return 90 - (cAsin(x)/asin05)*30
	}
	return (cAcos(x) / acos05) * 60
}

var errInputRange = pgerror.New(pgerror.NumericValueOutOfRange, "input is out of range")

// reduceDegrees folds x into [0, 90] for the sine-like (odd) functions,
// returning the sign to apply.
func reduceOdd(x float64) (float64, float64) {
	a := math.Mod(x, 360)
	sign := 1.0
	if a < 0 {
		a, sign = -a, -sign
	}
	if a > 180 {
		a, sign = 360-a, -sign
	}
	return a, sign
}

func sind(x float64) (float64, error) {
	if math.IsNaN(x) {
		return x, nil
	}
	if math.IsInf(x, 0) {
		return 0, errInputRange
	}
	a, sign := reduceOdd(x)
	if a > 90 {
		a = 180 - a
	}
	return sign * sindQ1(a), nil
}

func cosd(x float64) (float64, error) {
	if math.IsNaN(x) {
		return x, nil
	}
	if math.IsInf(x, 0) {
		return 0, errInputRange
	}
	a := math.Abs(math.Mod(x, 360))
	if a > 180 {
		a = 360 - a
	}
	sign := 1.0
	if a > 90 {
		a, sign = 180-a, -1
	}
	return sign * cosdQ1(a), nil
}

func tandCotd(x float64, cot bool) (float64, error) {
	if math.IsNaN(x) {
		return x, nil
	}
	if math.IsInf(x, 0) {
		return 0, errInputRange
	}
	a, sign := reduceOdd(x)
	if a > 90 {
		a, sign = 180-a, -sign
	}
	var r float64
	if cot {
		r = sign * (cosdQ1(a) / sindQ1(a) / cot45)
	} else {
		r = sign * (sindQ1(a) / cosdQ1(a) / tan45)
	}
	if r == 0 {
		r = 0 // no negative zero
	}
	return r, nil
}

func registerMathMore(r *Registry) {
	row := func(name string, args []types.T, ret types.T, fn RowKernel) {
		r.add(&Overload{Name: name, Args: args, Ret: ret, Row: fn})
	}
	numFn := func(fn func(d *apd.Decimal) (types.Datum, error)) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return fn(a[0].(*apd.Decimal)) }
	}
	row("sqrt", []types.T{num}, num, numFn(numericSqrt))
	row("exp", []types.T{num}, num, numFn(numericExp))
	row("ln", []types.T{num}, num, numFn(numericLn))
	for _, name := range []string{"log", "log10"} {
		row(name, []types.T{num}, num, numFn(func(d *apd.Decimal) (types.Datum, error) { return numericLog(apd.New(10, 0), d) }))
	}
	row("log", []types.T{num, num}, num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return numericLog(a[0].(*apd.Decimal), a[1].(*apd.Decimal))
	})
	for _, name := range []string{"power", "pow", "^"} {
		r.add(&Overload{Name: name, Args: []types.T{num, num}, Ret: num, Infix: name == "^", Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return numericPower(a[0].(*apd.Decimal), a[1].(*apd.Decimal))
		}})
	}

	// gcd and lcm.
	for _, t := range []types.T{i4, i8} {
		t := t
		lo, _, msg := intRange(t)
		row("gcd", []types.T{t, t}, t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			g, err := gcdInt(a[0].(int64), a[1].(int64), lo)
			if err != nil {
				return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
			}
			return g, nil
		})
		row("lcm", []types.T{t, t}, t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].(int64), a[1].(int64)
			if x == 0 || y == 0 {
				return int64(0), nil
			}
			g, err := gcdInt(x, y, lo)
			if err != nil {
				return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
			}
			l := new(big.Int).Mul(big.NewInt(x/g), big.NewInt(y))
			l.Abs(l)
			_, hi, _ := intRange(t)
			if !l.IsInt64() || l.Int64() > hi {
				return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
			}
			return l.Int64(), nil
		})
	}
	row("gcd", []types.T{num, num}, num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return numericGcdLcm(a[0].(*apd.Decimal), a[1].(*apd.Decimal), false)
	})
	row("lcm", []types.T{num, num}, num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return numericGcdLcm(a[0].(*apd.Decimal), a[1].(*apd.Decimal), true)
	})
	row("factorial", []types.T{i8}, num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		n := a[0].(int64)
		if n < 0 {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "factorial of a negative number is undefined")
		}
		if n > 32177 {
			return nil, errOverflowNumeric
		}
		f := new(big.Int).MulRange(1, max(n, 1))
		var d apd.Decimal
		d.Coeff.SetMathBigInt(f)
		return &d, nil
	})
	row("width_bucket", []types.T{f8, f8, f8, i4}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return widthBucketFloat(a[0].(float64), a[1].(float64), a[2].(float64), a[3].(int64))
	})
	row("width_bucket", []types.T{num, num, num, i4}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return widthBucketNumeric(a[0].(*apd.Decimal), a[1].(*apd.Decimal), a[2].(*apd.Decimal), a[3].(int64))
	})

	// Trigonometry.
	f1 := func(name string, fn func(float64) (float64, error)) { row(name, []types.T{f8}, f8, floatFn(fn)) }
	inRange := func(fn func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if math.IsInf(x, 0) {
				return 0, errInputRange
			}
			return fn(x), nil
		}
	}
	unit := func(fn func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if x < -1 || x > 1 {
				return 0, errInputRange
			}
			return fn(x), nil
		}
	}
	f1("sin", inRange(cSin))
	f1("cos", inRange(cCos))
	f1("tan", inRange(cTan))
	f1("cot", inRange(func(x float64) float64 { return 1 / cTan(x) }))
	f1("asin", unit(cAsin))
	f1("acos", unit(cAcos))
	f1("atan", func(x float64) (float64, error) { return cAtan(x), nil })
	row("atan2", []types.T{f8, f8}, f8, floatFn2(func(y, x float64) (float64, error) { return cAtan2(y, x), nil }))
	f1("sind", sind)
	f1("cosd", cosd)
	f1("tand", func(x float64) (float64, error) { return tandCotd(x, false) })
	f1("cotd", func(x float64) (float64, error) { return tandCotd(x, true) })
	f1("asind", unit(func(x float64) float64 {
		if x >= 0 {
			return asindQ1(x)
		}
		return -asindQ1(-x)
	}))
	f1("acosd", unit(func(x float64) float64 {
		if x >= 0 {
			return acosdQ1(x)
		}
		return 90 + asindQ1(-x)
	}))
	f1("atand", func(x float64) (float64, error) { return (cAtan(x) / atan10) * 45, nil })
	row("atan2d", []types.T{f8, f8}, f8, floatFn2(func(y, x float64) (float64, error) {
		return (cAtan2(y, x) / atan10) * 45, nil
	}))
	f1("sinh", func(x float64) (float64, error) { return cSinh(x), nil })
	f1("cosh", func(x float64) (float64, error) { return cCosh(x), nil })
	f1("tanh", func(x float64) (float64, error) { return cTanh(x), nil })
	f1("asinh", func(x float64) (float64, error) { return cAsinh(x), nil })
	f1("acosh", func(x float64) (float64, error) {
		if x < 1 {
			return 0, errInputRange
		}
		return cAcosh(x), nil
	})
	f1("atanh", func(x float64) (float64, error) {
		if x < -1 || x > 1 {
			return 0, errInputRange
		}
		return cAtanh(x), nil
	})
	f1("degrees", func(x float64) (float64, error) { return x / radiansPerDegree, nil })
	f1("radians", func(x float64) (float64, error) { return x * radiansPerDegree, nil })

	// Scales of numerics.
	row("scale", []types.T{num}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		d := a[0].(*apd.Decimal)
		if d.Form != apd.Finite {
			return nil, nil
		}
		return int64(NumericScale(d)), nil
	})
	row("min_scale", []types.T{num}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		d := a[0].(*apd.Decimal)
		if d.Form != apd.Finite {
			return nil, nil
		}
		return int64(NumericScale(trimScale(d))), nil
	})
	row("trim_scale", []types.T{num}, num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return trimScale(a[0].(*apd.Decimal)), nil
	})

	// Operators: @ (absolute value), |/ (square root), ||/ (cube root),
	// and shifts.
	for _, t := range []types.T{types.Int2Type, i4, i8, types.Float4Type, f8, num} {
		for _, o := range r.funcs["abs"] {
			if len(o.Args) == 1 && o.Args[0].Same(t) {
				r.add(&Overload{Name: "@", Args: []types.T{t}, Ret: t, Infix: true, Row: o.Row, Vec: o.Vec})
			}
		}
	}
	r.add(&Overload{Name: "|/", Args: []types.T{f8}, Ret: f8, Infix: true, Row: r.funcs["sqrt"][0].Row})
	r.add(&Overload{Name: "||/", Args: []types.T{f8}, Ret: f8, Infix: true, Row: r.funcs["cbrt"][0].Row})
	for _, t := range []types.T{types.Int2Type, i4, i8} {
		t := t
		bits := uint(32)
		if t.Kind == types.Int8 {
			bits = 64
		}
		r.add(&Overload{Name: "<<", Args: []types.T{t, i4}, Ret: t, Infix: true, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return truncInt(a[0].(int64)<<(uint64(a[1].(int64))%uint64(bits)), t), nil
		}})
		r.add(&Overload{Name: ">>", Args: []types.T{t, i4}, Ret: t, Infix: true, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return truncInt(a[0].(int64)>>(uint64(a[1].(int64))%uint64(bits)), t), nil
		}})
	}
}

// truncInt wraps v to the width of t, as C's conversion does.
func truncInt(v int64, t types.T) int64 {
	switch t.Kind {
	case types.Int2:
		return int64(int16(v))
	case types.Int4:
		return int64(int32(v))
	}
	return v
}

func gcdInt(x, y, lo int64) (int64, error) {
	if x == lo && (y == 0 || y == lo) || y == lo && x == 0 {
		return 0, overflow{}
	}
	for y != 0 {
		x, y = y, x%y
	}
	if x < 0 {
		if x == lo {
			return 0, overflow{}
		}
		x = -x
	}
	return x, nil
}

func numericGcdLcm(a, b *apd.Decimal, lcm bool) (types.Datum, error) {
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	scale := max(NumericScale(a), NumericScale(b))
	toInt := func(d *apd.Decimal) *big.Int {
		var s apd.Decimal
		_, _ = types.NumericContext.Quantize(&s, d, -scale)
		v := new(big.Int).Set(s.Coeff.MathBigInt())
		if s.Negative {
			v.Neg(v)
		}
		return v
	}
	x, y := toInt(a), toInt(b)
	var r *big.Int
	if lcm {
		if x.Sign() == 0 || y.Sign() == 0 {
			r = big.NewInt(0)
		} else {
			g := new(big.Int).GCD(nil, nil, new(big.Int).Abs(x), new(big.Int).Abs(y))
			r = new(big.Int).Mul(new(big.Int).Div(new(big.Int).Abs(x), g), new(big.Int).Abs(y))
		}
	} else {
		r = new(big.Int).GCD(nil, nil, new(big.Int).Abs(x), new(big.Int).Abs(y))
	}
	var out apd.Decimal
	out.Coeff.SetMathBigInt(r)
	out.Exponent = -scale
	return &out, nil
}

func trimScale(d *apd.Decimal) *apd.Decimal {
	if d.Form != apd.Finite || d.Exponent >= 0 {
		return d
	}
	var out apd.Decimal
	out.Set(d)
	if out.IsZero() {
		out.Exponent = 0
		return &out
	}
	ten := big.NewInt(10)
	c := new(big.Int).Set(out.Coeff.MathBigInt())
	m := new(big.Int)
	for out.Exponent < 0 {
		q, rem := new(big.Int).QuoRem(c, ten, m)
		if rem.Sign() != 0 {
			break
		}
		c = q
		out.Exponent++
	}
	out.Coeff.SetMathBigInt(c)
	return &out
}

var errWidthBucket = func(msg string) error { return pgerror.New(pgerror.Code("2201G"), msg) }

func widthBucketFloat(op, lo, hi float64, count int64) (types.Datum, error) {
	if count <= 0 {
		return nil, errWidthBucket("count must be greater than zero")
	}
	if math.IsNaN(op) || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, errWidthBucket("operand, lower bound, and upper bound cannot be NaN")
	}
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, errWidthBucket("lower and upper bounds must be finite")
	}
	var r int64
	switch {
	case lo < hi:
		switch {
		case op < lo:
			r = 0
		case op >= hi:
			r = count + 1
		default:
			r = int64(float64(count)*((op-lo)/(hi-lo))) + 1
		}
	case lo > hi:
		switch {
		case op > lo:
			r = 0
		case op <= hi:
			r = count + 1
		default:
			r = int64(float64(count)*((lo-op)/(lo-hi))) + 1
		}
	default:
		return nil, errWidthBucket("lower bound cannot equal upper bound")
	}
	if r > math.MaxInt32 {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, "integer out of range")
	}
	return r, nil
}

func widthBucketNumeric(op, lo, hi *apd.Decimal, count int64) (types.Datum, error) {
	if count <= 0 {
		return nil, errWidthBucket("count must be greater than zero")
	}
	if op.Form == apd.NaN || lo.Form == apd.NaN || hi.Form == apd.NaN {
		return nil, errWidthBucket("operand, lower bound, and upper bound cannot be NaN")
	}
	if lo.Form != apd.Finite || hi.Form != apd.Finite {
		return nil, errWidthBucket("lower and upper bounds must be finite")
	}
	c := lo.Cmp(hi)
	if c == 0 {
		return nil, errWidthBucket("lower bound cannot equal upper bound")
	}
	bucket := func(num1, num2 *apd.Decimal) int64 {
		// floor(count * num1 / num2) + 1, exactly.
		ctx := *types.NumericContext
		var p, q apd.Decimal
		_, _ = ctx.Mul(&p, num1, apd.New(count, 0))
		_, _ = ctx.QuoInteger(&q, &p, num2)
		v, _ := q.Int64()
		return v + 1
	}
	var diff1, diff2 apd.Decimal
	ctx := types.NumericContext
	if c < 0 {
		switch {
		case op.Cmp(lo) < 0:
			return int64(0), nil
		case op.Cmp(hi) >= 0:
			return count + 1, nil
		}
		_, _ = ctx.Sub(&diff1, op, lo)
		_, _ = ctx.Sub(&diff2, hi, lo)
	} else {
		switch {
		case op.Cmp(lo) > 0:
			return int64(0), nil
		case op.Cmp(hi) <= 0:
			return count + 1, nil
		}
		_, _ = ctx.Sub(&diff1, lo, op)
		_, _ = ctx.Sub(&diff2, lo, hi)
	}
	return bucket(&diff1, &diff2), nil
}

// Random is a session's random source for random() that setseed() can
// reseed: the same seed gives the same sequence.
type Random struct{ pcg *rand.PCG }

// NewRandom returns a source seeded from seed.
func NewRandom(seed uint64) *Random {
	return &Random{pcg: rand.NewPCG(seed, 0x9e3779b97f4a7c15)}
}

// Float64 returns a number in [0, 1).
func (r *Random) Float64() float64 { return float64(r.pcg.Uint64()>>11) / (1 << 53) }

// Seed restarts the sequence from a seed in [-1, 1].
func (r *Random) Seed(s float64) { r.pcg.Seed(math.Float64bits(s), 0x9e3779b97f4a7c15) }

func registerRandom(r *Registry) {
	r.add(&Overload{Name: "pg_sleep", Args: []types.T{f8}, Ret: types.VoidType, Volatile: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		secs := a[0].(float64)
		if !(secs > 0) {
			return nil, nil
		}
		d := time.Duration(math.Min(secs, float64(math.MaxInt64/int64(time.Second))) * float64(time.Second))
		if c == nil || c.Cancel == nil {
			time.Sleep(d)
			return nil, nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil, nil
		case <-c.Cancel.Done():
			return nil, CancelError(c.Cancel)
		}
	}})
	r.add(&Overload{Name: "setseed", Args: []types.T{f8}, Ret: types.VoidType, Volatile: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		s := a[0].(float64)
		if s < -1 || s > 1 || math.IsNaN(s) {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "setseed parameter %s is out of allowed range [-1,1]", types.FormatText(f8, s, nil))
		}
		if src, ok := c.Random.(interface{ Seed(float64) }); ok {
			src.Seed(s)
		}
		return nil, nil
	}})
}
