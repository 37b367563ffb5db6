package expr

import (
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// CastLevel is the context a cast may be applied in, as pg_cast.castcontext.
type CastLevel uint8

// Cast levels, weakest first.
const (
	CastImplicit   CastLevel = iota // in expressions, without being asked
	CastAssignment                  // when storing into a column
	CastExplicit                    // CAST(x AS t) and x::t
)

// CanCast reports whether a value of type from may be cast to type to at
// the given level.
func CanCast(from, to types.T, level CastLevel) bool {
	if from.Kind == types.Unknown || from.Same(to) {
		return true
	}
	l, ok := castLevel(from, to)
	return ok && l <= level
}

func castLevel(from, to types.T) (CastLevel, bool) {
	f, t := from.Kind, to.Kind
	rank := func(k types.Kind) int {
		switch k {
		case types.Int2:
			return 1
		case types.Int4:
			return 2
		case types.Int8:
			return 3
		case types.Numeric:
			return 4
		case types.Float4:
			return 5
		case types.Float8:
			return 6
		}
		return 0
	}
	switch {
	case rank(f) > 0 && rank(t) > 0:
		if rank(f) < rank(t) {
			return CastImplicit, true
		}
		return CastAssignment, true
	case from.IsString() && to.IsString():
		if t == types.Text || t == types.Varchar || f != types.Text && f != types.Varchar {
			return CastImplicit, true
		}
		return CastImplicit, true
	case from.IsString() && t == types.RegClass:
		// As in PostgreSQL, so that nextval('s'::text) and a text
		// parameter name a sequence.
		return CastImplicit, true
	case from.IsString() || f == types.Unknown:
		// Text can be read as anything, explicitly (I/O conversion).
		return CastExplicit, true
	case to.IsString():
		// Anything can be written as text: in assignment, or explicitly.
		return CastAssignment, true
	case from.IsInteger() && to.IsOidLike(), from.IsOidLike() && to.IsOidLike():
		return CastImplicit, true
	case from.IsOidLike() && to.IsInteger():
		return CastAssignment, true
	case f == types.Date && (t == types.Timestamp || t == types.TimestampTZ):
		return CastImplicit, true
	case f == types.Timestamp && t == types.TimestampTZ:
		return CastImplicit, true
	case f == types.TimestampTZ && t == types.Timestamp,
		(f == types.Timestamp || f == types.TimestampTZ) && (t == types.Date || t == types.Time):
		return CastAssignment, true
	case f == types.Time && t == types.Interval:
		return CastImplicit, true
	case f == types.Interval && t == types.Time:
		return CastAssignment, true
	case f == types.Bool && t == types.Int4, f == types.Int4 && t == types.Bool:
		return CastExplicit, true
	case f == types.Array && t == types.Array:
		return castLevel(from.ElemType(), to.ElemType())
	case f == types.JSONB && (rank(t) > 0 || t == types.Bool):
		return CastExplicit, true
	case f == types.JSON && t == types.JSONB, f == types.JSONB && t == types.JSON:
		return CastAssignment, true
	}
	return 0, false
}

// CastError returns the error for a cast that does not exist.
func CastError(from, to types.T) error {
	return pgerror.Newf(pgerror.CannotCoerce, "cannot cast type %s to %s", from, to)
}

// evalCast converts arr, of type from, to type to.
func evalCast(ctx *Ctx, arr arrow.Array, from, to types.T, explicit bool) (arrow.Array, error) {
	if from.Equal(to) || binaryCoercible(from, to) && to.Mod < 0 {
		if from.ArrowType().ID() == to.ArrowType().ID() {
			return arr, nil
		}
	}
	n := arr.Len()
	// Fast paths between fixed-width numbers.
	switch {
	case from.IsInteger() && to.IsInteger():
		return castIntToInt(arr, to)
	case from.IsInteger() && to.Kind == types.Float8:
		out := make([]float64, n)
		forEachInt(arr, func(i int, v int64) { out[i] = float64(v) })
		return batch.Float64s(out, batch.Validity(arr), arr.NullN()), nil
	case from.Kind == types.Float4 && to.Kind == types.Float8:
		vals := arr.(*array.Float32).Float32Values()
		out := make([]float64, n)
		for i, v := range vals {
			out[i] = float64(v)
		}
		return batch.Float64s(out, batch.Validity(arr), arr.NullN()), nil
	case from.IsFloat() && to.IsInteger():
		return castFloatToInt(arr, from, to)
	}
	// Row at a time.
	b := array.NewBuilder(types.Allocator, to.ArrowType())
	b.Reserve(n)
	for i := 0; i < n; i++ {
		d := types.DatumAt(from, arr, i)
		if d == nil {
			b.AppendNull()
			continue
		}
		v, err := CastDatum(ctx, d, from, to, explicit)
		if err != nil {
			return nil, err
		}
		types.AppendDatum(b, to, v)
	}
	return b.NewArray(), nil
}

func forEachInt(arr arrow.Array, fn func(i int, v int64)) {
	switch a := arr.(type) {
	case *array.Int16:
		for i, v := range a.Int16Values() {
			fn(i, int64(v))
		}
	case *array.Int32:
		for i, v := range a.Int32Values() {
			fn(i, int64(v))
		}
	case *array.Int64:
		for i, v := range a.Int64Values() {
			fn(i, v)
		}
	}
}

func intRange(t types.T) (int64, int64, string) {
	switch t.Kind {
	case types.Int2:
		return math.MinInt16, math.MaxInt16, "smallint out of range"
	case types.Int4:
		return math.MinInt32, math.MaxInt32, "integer out of range"
	}
	return math.MinInt64, math.MaxInt64, "bigint out of range"
}

func castIntToInt(arr arrow.Array, to types.T) (arrow.Array, error) {
	n := arr.Len()
	lo, hi, msg := intRange(to)
	validity := batch.Validity(arr)
	var bad bool
	check := func(i int, v int64) {
		if (v < lo || v > hi) && batch.IsValid(validity, i) {
			bad = true
		}
	}
	switch to.Kind {
	case types.Int2:
		out := make([]int16, n)
		forEachInt(arr, func(i int, v int64) { check(i, v); out[i] = int16(v) })
		if bad {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
		}
		return batch.Int16s(out, validity, arr.NullN()), nil
	case types.Int4:
		out := make([]int32, n)
		forEachInt(arr, func(i int, v int64) { check(i, v); out[i] = int32(v) })
		if bad {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
		}
		return batch.Int32s(out, validity, arr.NullN()), nil
	}
	out := make([]int64, n)
	forEachInt(arr, func(i int, v int64) { out[i] = v })
	return batch.Int64s(out, validity, arr.NullN()), nil
}

func castFloatToInt(arr arrow.Array, from, to types.T) (arrow.Array, error) {
	b := array.NewBuilder(types.Allocator, to.ArrowType())
	n := arr.Len()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if arr.IsNull(i) {
			b.AppendNull()
			continue
		}
		var f float64
		if from.Kind == types.Float4 {
			f = float64(arr.(*array.Float32).Value(i))
		} else {
			f = arr.(*array.Float64).Value(i)
		}
		v, err := floatToInt(f, to)
		if err != nil {
			return nil, err
		}
		types.AppendDatum(b, to, v)
	}
	return b.NewArray(), nil
}

func floatToInt(f float64, to types.T) (int64, error) {
	lo, hi, msg := intRange(to)
	r := math.RoundToEven(f)
	if math.IsNaN(r) || r < float64(lo) || r >= -float64(lo) || int64(r) > hi {
		return 0, pgerror.New(pgerror.NumericValueOutOfRange, msg)
	}
	return int64(r), nil
}

// CastDatum converts one non-NULL value. explicit allows truncation of
// strings to a declared length.
func CastDatum(ctx *Ctx, d types.Datum, from, to types.T, explicit bool) (types.Datum, error) {
	if d == nil {
		return nil, nil
	}
	f, t := from.Kind, to.Kind
	switch {
	case from.Same(to) && to.Mod < 0:
		return d, nil
	case to.IsString() && (from.IsString() || f == types.Unknown):
		s := d.(string)
		if f == types.Char && t != types.Char {
			s = trimRightSpaces(s)
		}
		return types.CoerceString(s, to, explicit)
	case to.IsString():
		s := types.FormatText(from, d, ctx.env())
		if from.IsOidLike() && f != types.Oid && ctx != nil {
			// regclass and friends print names, which the catalog knows.
			if rf, ok := ctx.Catalog.(RegFormatter); ok {
				s = rf.FormatReg(from, d.(int64))
			}
		}
		return types.CoerceString(s, to, explicit)
	case from.IsString() || f == types.Unknown:
		s := d.(string)
		if t == types.RegClass || t == types.RegType || t == types.RegProc || t == types.RegNamespace {
			if ctx.Catalog != nil {
				return ctx.Catalog.ResolveRegName(to, s)
			}
		}
		return types.ParseText(to, s, ctx.env())
	case from.IsInteger() && to.IsInteger(), from.IsOidLike() && to.IsInteger(), from.IsInteger() && to.IsOidLike(), from.IsOidLike() && to.IsOidLike():
		v := d.(int64)
		lo, hi, msg := intRange(to)
		if to.IsOidLike() {
			lo, hi, msg = 0, math.MaxUint32, "OID out of range"
			if v < 0 && v >= math.MinInt32 {
				v += 1 << 32
			}
		}
		if v < lo || v > hi {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
		}
		return v, nil
	case from.IsInteger() && to.IsFloat():
		return roundFloat(float64(d.(int64)), to), nil
	case from.IsInteger() && t == types.Numeric:
		return types.CoerceNumeric(apd.New(d.(int64), 0), to)
	case from.IsFloat() && to.IsInteger():
		return floatToInt(d.(float64), to)
	case from.IsFloat() && to.IsFloat():
		v := roundFloat(d.(float64), to)
		if t == types.Float4 && math.IsInf(v.(float64), 0) && !math.IsInf(d.(float64), 0) {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
		}
		return v, nil
	case from.IsFloat() && t == types.Numeric:
		fv := d.(float64)
		if math.IsNaN(fv) {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		if math.IsInf(fv, 0) {
			return &apd.Decimal{Form: apd.Infinite, Negative: fv < 0}, nil
		}
		digits := 15
		if f == types.Float4 {
			digits = 6
		}
		dec, _, err := apd.NewFromString(strconv.FormatFloat(fv, 'g', digits, 64))
		if err != nil {
			return nil, pgerror.Internalf("float to numeric: %v", err)
		}
		if dec.Exponent > 0 {
			_, _ = types.NumericContext.Quantize(dec, dec, 0)
		}
		return types.CoerceNumeric(dec, to)
	case f == types.Numeric && to.IsInteger():
		return numericToInt(d.(*apd.Decimal), to)
	case f == types.Numeric && to.IsFloat():
		dec := d.(*apd.Decimal)
		switch dec.Form {
		case apd.NaN, apd.NaNSignaling:
			return math.NaN(), nil
		case apd.Infinite:
			if dec.Negative {
				return math.Inf(-1), nil
			}
			return math.Inf(1), nil
		}
		fv, err := dec.Float64()
		if err != nil {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
		}
		return roundFloat(fv, to), nil
	case f == types.Numeric && t == types.Numeric:
		return types.CoerceNumeric(d.(*apd.Decimal), to)
	case f == types.Bool && t == types.Int4:
		if d.(bool) {
			return int64(1), nil
		}
		return int64(0), nil
	case f == types.Int4 && t == types.Bool:
		return d.(int64) != 0, nil
	case f == types.Date && t == types.Timestamp:
		return dateToTimestamp(d.(types.DateValue)), nil
	case f == types.Date && t == types.TimestampTZ:
		ts := dateToTimestamp(d.(types.DateValue))
		return types.LocalToUTC(ts, ctx.env().Loc), nil
	case f == types.Timestamp && t == types.TimestampTZ:
		return types.LocalToUTC(d.(types.TimestampValue), ctx.env().Loc), nil
	case f == types.TimestampTZ && t == types.Timestamp:
		return types.UTCToLocal(d.(types.TimestampValue), ctx.env().Loc), nil
	case f == types.Timestamp && t == types.Date:
		return timestampToDate(d.(types.TimestampValue)), nil
	case f == types.TimestampTZ && t == types.Date:
		return timestampToDate(types.UTCToLocal(d.(types.TimestampValue), ctx.env().Loc)), nil
	case f == types.Timestamp && t == types.Time:
		_, rem := floorDivInt(int64(d.(types.TimestampValue)), types.MicrosPerDay)
		return types.TimeOfDay(rem), nil
	case f == types.TimestampTZ && t == types.Time:
		_, rem := floorDivInt(int64(types.UTCToLocal(d.(types.TimestampValue), ctx.env().Loc)), types.MicrosPerDay)
		return types.TimeOfDay(rem), nil
	case f == types.Time && t == types.Interval:
		return types.IntervalValue{Micros: int64(d.(types.TimeOfDay))}, nil
	case f == types.Interval && t == types.Time:
		_, rem := floorDivInt(d.(types.IntervalValue).Micros, types.MicrosPerDay)
		return types.TimeOfDay(rem), nil
	case f == types.Array && t == types.Array:
		in := d.([]types.Datum)
		out := make([]types.Datum, len(in))
		for i, e := range in {
			v, err := CastDatum(ctx, e, from.ElemType(), to.ElemType(), explicit)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case f == types.JSON && t == types.JSONB:
		return types.NormalizeJSON(d.(string))
	case f == types.JSONB && t == types.JSON:
		return d, nil
	case f == types.JSONB:
		s := d.(string)
		v, err := types.ParseText(to, s, ctx.env())
		if err != nil {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "cannot cast jsonb to type %s", to)
		}
		return v, nil
	}
	return nil, CastError(from, to)
}

func trimRightSpaces(s string) string {
	i := len(s)
	for i > 0 && s[i-1] == ' ' {
		i--
	}
	return s[:i]
}

func roundFloat(v float64, to types.T) types.Datum {
	if to.Kind == types.Float4 {
		return float64(float32(v))
	}
	return v
}

func numericToInt(d *apd.Decimal, to types.T) (types.Datum, error) {
	_, _, msg := intRange(to)
	if d.Form != apd.Finite {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "cannot convert %s to %s", types.AppendNumeric(nil, d), to)
	}
	var r apd.Decimal
	ctx := *types.NumericContext
	ctx.Rounding = apd.RoundHalfUp
	if _, err := ctx.RoundToIntegralValue(&r, d); err != nil {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
	}
	v, err := r.Int64()
	if err != nil {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
	}
	lo, hi, _ := intRange(to)
	if v < lo || v > hi {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, msg)
	}
	return v, nil
}

func floorDivInt(a, b int64) (int64, int64) {
	q, r := a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

func dateToTimestamp(d types.DateValue) types.TimestampValue {
	switch d {
	case types.DateInfinity:
		return types.TimestampInfinity
	case types.DateNegInfinity:
		return types.TimestampNegInfinity
	}
	return types.TimestampValue(int64(d) * types.MicrosPerDay)
}

func timestampToDate(ts types.TimestampValue) types.DateValue {
	switch ts {
	case types.TimestampInfinity:
		return types.DateInfinity
	case types.TimestampNegInfinity:
		return types.DateNegInfinity
	}
	q, _ := floorDivInt(int64(ts), types.MicrosPerDay)
	return types.DateValue(q)
}
