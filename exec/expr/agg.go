package expr

import (
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// AggOverload is one signature of an aggregate function.
type AggOverload struct {
	Name string
	Args []types.T
	Ret  types.T
	// Match, when set, replaces Args and Ret for polymorphic aggregates.
	Match func(args []types.T) (types.T, bool)
	// Star is true for count(*).
	Star bool
	// New makes an accumulator for groups of rows.
	New func(argTypes []types.T, ret types.T) Accumulator
}

// Accumulator folds rows into per-group states. Groups are numbered from
// 0; the operator owns the numbering and may grow it between calls.
type Accumulator interface {
	// Update folds row i of args into group groups[i]. A negative group
	// skips the row. NULL inputs are skipped by strict aggregates.
	Update(ctx *Ctx, groups []int32, numGroups int, args []arrow.Array) error
	// Result returns the value of each of the first numGroups groups. It
	// must leave the state as it is: window frames read a running
	// aggregate's result, fold more rows in, and read it again.
	Result(ctx *Ctx, numGroups int) (arrow.Array, error)
}

// ResolveAgg picks the aggregate overload for the argument types.
func (r *Registry) ResolveAgg(name string, args []types.T, star bool) (*AggOverload, []types.T, types.T, error) {
	cands := r.aggs[strings.ToLower(name)]
	if len(cands) == 0 {
		return nil, nil, types.T{}, pgerror.Newf(pgerror.UndefinedFunction, "function %s does not exist", name)
	}
	var best *AggOverload
	var bestArgs []types.T
	var bestRet types.T
	bestScore := -1
	// categories collects, at unknown-typed arguments, the categories of the
	// viable candidates' parameters: with several and none a string, the
	// call is ambiguous, as sum(NULL) is in PostgreSQL.
	categories := map[byte]bool{}
	matched := false
	for _, a := range cands {
		if a.Star != star {
			continue
		}
		if a.Match != nil {
			if ret, ok := a.Match(args); ok {
				at := append([]types.T(nil), args...)
				for i := range at {
					if at[i].Kind == types.Unknown {
						at[i] = types.TextType
					}
				}
				if bestScore < 0 {
					best, bestArgs, bestRet, bestScore = a, at, ret, 0
				}
				matched = true
			}
			continue
		}
		if len(a.Args) != len(args) {
			continue
		}
		score := 0
		ok := true
		for i, t := range args {
			switch {
			case t.Same(a.Args[i]) || binaryCoercible(t, a.Args[i]):
				score += 10
			case CanCast(t, a.Args[i], CastImplicit):
				if isPreferred(a.Args[i]) {
					score++
				}
			default:
				ok = false
			}
		}
		if ok {
			for i, t := range args {
				if t.Kind == types.Unknown {
					categories[a.Args[i].Category()] = true
				}
			}
		}
		if ok && score > bestScore {
			best, bestArgs, bestRet, bestScore = a, a.Args, a.Ret, score
		}
	}
	if !matched && len(categories) > 1 && !categories['S'] {
		return nil, nil, types.T{}, pgerror.Newf(pgerror.AmbiguousFunction, "%s is not unique", describeCall(name, args)).
			WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
	}
	if best == nil {
		if star {
			return nil, nil, types.T{}, pgerror.Newf(pgerror.WrongObjectType, "%s(*) must be used to call a parameterless aggregate function", name)
		}
		return nil, nil, types.T{}, undefinedFunction(name, args)
	}
	return best, bestArgs, bestRet, nil
}

// IsAggregate reports whether name is an aggregate function.
func (r *Registry) IsAggregate(name string) bool {
	_, ok := r.aggs[strings.ToLower(name)]
	return ok
}

func (r *Registry) addAgg(a *AggOverload) {
	r.aggs[a.Name] = append(r.aggs[a.Name], a)
}

func registerAggregates(r *Registry) {
	r.addAgg(&AggOverload{Name: "count", Star: true, Ret: i8, New: func([]types.T, types.T) Accumulator { return &countAcc{star: true} }})
	r.addAgg(&AggOverload{Name: "count", Match: func(args []types.T) (types.T, bool) { return i8, len(args) == 1 },
		New: func([]types.T, types.T) Accumulator { return &countAcc{} }})
	// sum: int2/int4 -> int8, int8 -> numeric, float4 -> float4, float8 ->
	// float8, numeric -> numeric, interval -> interval.
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{types.Int2Type}, Ret: i8, New: newIntSum})
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{i4}, Ret: i8, New: newIntSum})
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{i8}, Ret: num, New: newIntSum})
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{types.Float4Type}, Ret: types.Float4Type, New: newFloatSum})
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{f8}, Ret: f8, New: newFloatSum})
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{num}, Ret: num, New: newNumericSum})
	r.addAgg(&AggOverload{Name: "sum", Args: []types.T{ivT}, Ret: ivT, New: newDatumFold(sumInterval)})
	// avg: integers and numeric -> numeric, floats -> float8.
	for _, t := range []types.T{types.Int2Type, i4, i8} {
		r.addAgg(&AggOverload{Name: "avg", Args: []types.T{t}, Ret: num, New: newIntAvg})
	}
	r.addAgg(&AggOverload{Name: "avg", Args: []types.T{types.Float4Type}, Ret: f8, New: newFloatAvg})
	r.addAgg(&AggOverload{Name: "avg", Args: []types.T{f8}, Ret: f8, New: newFloatAvg})
	r.addAgg(&AggOverload{Name: "avg", Args: []types.T{num}, Ret: num, New: newNumericAvg})
	r.addAgg(&AggOverload{Name: "avg", Args: []types.T{ivT}, Ret: ivT, New: newIntervalAvg})
	for _, name := range []string{"min", "max"} {
		max := name == "max"
		r.addAgg(&AggOverload{Name: name, Match: func(args []types.T) (types.T, bool) {
			if len(args) != 1 || args[0].Kind == types.JSONB {
				return types.T{}, false
			}
			switch args[0].Kind {
			case types.Unknown, types.Varchar:
				// PostgreSQL has max(text), which varchar reaches by a
				// binary-coercible cast.
				return types.TextType, true
			}
			return args[0], true
		}, New: func(at []types.T, ret types.T) Accumulator { return &minMaxAcc{max: max, t: ret} }})
	}
	for _, name := range []string{"bool_and", "every"} {
		r.addAgg(&AggOverload{Name: name, Args: []types.T{bl}, Ret: bl, New: newDatumFold(func(a, b types.Datum) types.Datum { return a.(bool) && b.(bool) })})
	}
	r.addAgg(&AggOverload{Name: "bool_or", Args: []types.T{bl}, Ret: bl, New: newDatumFold(func(a, b types.Datum) types.Datum { return a.(bool) || b.(bool) })})
	r.addAgg(&AggOverload{Name: "string_agg", Args: []types.T{text, text}, Ret: text, New: func([]types.T, types.T) Accumulator { return &stringAggAcc{} }})
	r.addAgg(&AggOverload{Name: "array_agg", Match: func(args []types.T) (types.T, bool) {
		if len(args) != 1 || args[0].Kind == types.Array {
			return types.T{}, false
		}
		k := args[0].Kind
		if k == types.Unknown {
			k = types.Text
		}
		return types.ArrayOf(k), true
	}, New: func(at []types.T, ret types.T) Accumulator { return &arrayAggAcc{t: ret.ElemType()} }})
	for _, name := range []string{"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"} {
		name := name
		r.addAgg(&AggOverload{Name: name, Args: []types.T{f8}, Ret: f8, New: func([]types.T, types.T) Accumulator { return &varianceAcc{kind: name} }})
	}
}

// growTo extends s with zero values to at least n elements.
func growTo[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

type countAcc struct {
	star   bool
	counts []int64
}

func (a *countAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.counts = growTo(a.counts, n)
	if a.star || args[0].NullN() == 0 {
		for _, g := range groups {
			if g >= 0 {
				a.counts[g]++
			}
		}
		return nil
	}
	for i, g := range groups {
		if g >= 0 && args[0].IsValid(i) {
			a.counts[g]++
		}
	}
	return nil
}

func (a *countAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.counts = growTo(a.counts, n)
	out := make([]int64, n)
	copy(out, a.counts)
	return int64Array(out), nil
}

func int64Array(v []int64) arrow.Array {
	b := array.NewInt64Builder(types.Allocator)
	b.AppendValues(v, nil)
	return b.NewArray()
}

// intSumAcc sums integers exactly in 128 bits (two int64 words), which
// no realistic input overflows, and reports int8 or numeric.
type intSumAcc struct {
	hi   []int64
	lo   []uint64
	seen []bool
	ret  types.T
}

func newIntSum(_ []types.T, ret types.T) Accumulator { return &intSumAcc{ret: ret} }

func (a *intSumAcc) grow(n int) {
	a.hi, a.lo, a.seen = growTo(a.hi, n), growTo(a.lo, n), growTo(a.seen, n)
}

func (a *intSumAcc) add(g int32, v int64) {
	lo := a.lo[g] + uint64(v)
	carry := int64(0)
	if lo < a.lo[g] {
		carry = 1
	}
	if v < 0 {
		carry--
	}
	a.lo[g] = lo
	a.hi[g] += carry
	a.seen[g] = true
}

func (a *intSumAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.grow(n)
	forEachInt(args[0], func(i int, v int64) {
		if g := groups[i]; g >= 0 && args[0].IsValid(i) {
			a.add(g, v)
		}
	})
	return nil
}

func int128ToBig(hi int64, lo uint64) *big.Int {
	b := new(big.Int).SetInt64(hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(lo))
}

func (a *intSumAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.grow(n)
	b := array.NewBuilder(types.Allocator, a.ret.ArrowType())
	for g := 0; g < n; g++ {
		if !a.seen[g] {
			b.AppendNull()
			continue
		}
		v := int128ToBig(a.hi[g], a.lo[g])
		if a.ret.Kind == types.Int8 {
			if !v.IsInt64() {
				return nil, pgerror.New(pgerror.NumericValueOutOfRange, "bigint out of range")
			}
			types.AppendDatum(b, a.ret, v.Int64())
			continue
		}
		var d apd.Decimal
		d.Coeff.SetMathBigInt(v)
		if v.Sign() < 0 {
			d.Coeff.Neg(&d.Coeff)
			d.Negative = true
		}
		types.AppendDatum(b, a.ret, &d)
	}
	return b.NewArray(), nil
}

type floatSumAcc struct {
	sums []float64
	seen []bool
	ret  types.T
}

func newFloatSum(_ []types.T, ret types.T) Accumulator { return &floatSumAcc{ret: ret} }

func floatsOf(arr arrow.Array) []float64 {
	switch x := arr.(type) {
	case *array.Float64:
		return x.Float64Values()
	case *array.Float32:
		out := make([]float64, x.Len())
		for i, v := range x.Float32Values() {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

func (a *floatSumAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.sums, a.seen = growTo(a.sums, n), growTo(a.seen, n)
	vals := floatsOf(args[0])
	for i, g := range groups {
		if g >= 0 && args[0].IsValid(i) {
			a.sums[g] += vals[i]
			a.seen[g] = true
		}
	}
	return nil
}

func (a *floatSumAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.sums, a.seen = growTo(a.sums, n), growTo(a.seen, n)
	b := array.NewBuilder(types.Allocator, a.ret.ArrowType())
	for g := 0; g < n; g++ {
		if !a.seen[g] {
			b.AppendNull()
			continue
		}
		if math.IsInf(a.sums[g], 0) {
			// PostgreSQL raises when finite inputs overflow.
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
		}
		types.AppendDatum(b, a.ret, roundFloat(a.sums[g], a.ret))
	}
	return b.NewArray(), nil
}

type numericSumAcc struct {
	sums []*apd.Decimal
}

func newNumericSum([]types.T, types.T) Accumulator { return &numericSumAcc{} }

func (a *numericSumAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.sums = growTo(a.sums, n)
	for i, g := range groups {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		d := types.DatumAt(types.NumericType, args[0], i).(*apd.Decimal)
		if a.sums[g] == nil {
			a.sums[g] = new(apd.Decimal).Set(d)
			continue
		}
		v, err := NumericArith(opAdd, a.sums[g], d)
		if err != nil {
			return err
		}
		a.sums[g] = v.(*apd.Decimal)
	}
	return nil
}

func (a *numericSumAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.sums = growTo(a.sums, n)
	b := array.NewStringBuilder(types.Allocator)
	for g := 0; g < n; g++ {
		if a.sums[g] == nil {
			b.AppendNull()
			continue
		}
		types.AppendDatum(b, types.NumericType, a.sums[g])
	}
	return b.NewArray(), nil
}

type intAvgAcc struct {
	sum    intSumAcc
	counts []int64
}

func newIntAvg([]types.T, types.T) Accumulator {
	return &intAvgAcc{sum: intSumAcc{ret: types.NumericType}}
}

func (a *intAvgAcc) Update(ctx *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.counts = growTo(a.counts, n)
	for i, g := range groups {
		if g >= 0 && args[0].IsValid(i) {
			a.counts[g]++
		}
	}
	return a.sum.Update(ctx, groups, n, args)
}

func (a *intAvgAcc) Result(ctx *Ctx, n int) (arrow.Array, error) {
	sums, err := a.sum.Result(ctx, n)
	if err != nil {
		return nil, err
	}
	a.counts = growTo(a.counts, n)
	return divideByCounts(sums, a.counts, n)
}

func divideByCounts(sums arrow.Array, counts []int64, n int) (arrow.Array, error) {
	b := array.NewStringBuilder(types.Allocator)
	for g := 0; g < n; g++ {
		if sums.IsNull(g) || counts[g] == 0 {
			b.AppendNull()
			continue
		}
		s := types.DatumAt(types.NumericType, sums, g).(*apd.Decimal)
		q, err := NumericArith(opDiv, s, apd.New(counts[g], 0))
		if err != nil {
			return nil, err
		}
		types.AppendDatum(b, types.NumericType, q)
	}
	return b.NewArray(), nil
}

type numericAvgAcc struct {
	sum    numericSumAcc
	counts []int64
}

func newNumericAvg([]types.T, types.T) Accumulator { return &numericAvgAcc{} }

func (a *numericAvgAcc) Update(ctx *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.counts = growTo(a.counts, n)
	for i, g := range groups {
		if g >= 0 && args[0].IsValid(i) {
			a.counts[g]++
		}
	}
	return a.sum.Update(ctx, groups, n, args)
}

func (a *numericAvgAcc) Result(ctx *Ctx, n int) (arrow.Array, error) {
	sums, err := a.sum.Result(ctx, n)
	if err != nil {
		return nil, err
	}
	a.counts = growTo(a.counts, n)
	return divideByCounts(sums, a.counts, n)
}

type floatAvgAcc struct {
	sums   []float64
	counts []int64
	sumSq  []float64
}

func newFloatAvg([]types.T, types.T) Accumulator { return &floatAvgAcc{} }

func (a *floatAvgAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.sums, a.counts, a.sumSq = growTo(a.sums, n), growTo(a.counts, n), growTo(a.sumSq, n)
	vals := floatsOf(args[0])
	for i, g := range groups {
		if g >= 0 && args[0].IsValid(i) {
			prev := float64(a.counts[g])
			a.counts[g]++
			// avg keeps the sum of squares too, as PostgreSQL's
			// float8_accum, which fails when it overflows.
			if err := youngsCramer(&a.sums[g], &a.sumSq[g], prev, vals[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// youngsCramer folds x into the sum and the sum of squared deviations
// after prev values, as PostgreSQL's float8_accum, including its overflow
// error when finite inputs give infinite sums.
func youngsCramer(sum, sumSq *float64, prev, x float64) error {
	oldSum := *sum
	nn := prev + 1
	*sum += x
	if prev > 0 {
		tmp := x*nn - *sum
		*sumSq += tmp * tmp / (nn * prev)
		if math.IsInf(*sum, 0) || math.IsInf(*sumSq, 0) {
			if !math.IsInf(oldSum, 0) && !math.IsInf(x, 0) {
				return pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
			}
			*sumSq = math.NaN()
		}
	} else if math.IsNaN(x) || math.IsInf(x, 0) {
		*sumSq = math.NaN()
	}
	return nil
}

func (a *floatAvgAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.sums, a.counts = growTo(a.sums, n), growTo(a.counts, n)
	b := array.NewFloat64Builder(types.Allocator)
	for g := 0; g < n; g++ {
		if a.counts[g] == 0 {
			b.AppendNull()
			continue
		}
		b.Append(a.sums[g] / float64(a.counts[g]))
	}
	return b.NewArray(), nil
}

type intervalAvgAcc struct {
	sum    datumFoldAcc
	counts []int64
}

func newIntervalAvg([]types.T, types.T) Accumulator {
	return &intervalAvgAcc{sum: datumFoldAcc{fold: sumInterval, t: ivT}}
}

func (a *intervalAvgAcc) Update(ctx *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.counts = growTo(a.counts, n)
	for i, g := range groups {
		if g >= 0 && args[0].IsValid(i) {
			a.counts[g]++
		}
	}
	return a.sum.Update(ctx, groups, n, args)
}

func (a *intervalAvgAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.counts = growTo(a.counts, n)
	a.sum.vals = growTo(a.sum.vals, n)
	b := array.NewBuilder(types.Allocator, ivT.ArrowType())
	for g := 0; g < n; g++ {
		if a.sum.vals[g] == nil {
			b.AppendNull()
			continue
		}
		v, err := mulInterval(a.sum.vals[g].(types.IntervalValue), 1/float64(a.counts[g]))
		if err != nil {
			return nil, err
		}
		types.AppendDatum(b, ivT, v)
	}
	return b.NewArray(), nil
}

func sumInterval(a, b types.Datum) types.Datum {
	x, y := a.(types.IntervalValue), b.(types.IntervalValue)
	return types.IntervalValue{Months: x.Months + y.Months, Days: x.Days + y.Days, Micros: x.Micros + y.Micros}
}

// datumFoldAcc folds non-NULL values with a binary function, row at a time.
type datumFoldAcc struct {
	fold func(a, b types.Datum) types.Datum
	t    types.T
	vals []types.Datum
}

func newDatumFold(fold func(a, b types.Datum) types.Datum) func([]types.T, types.T) Accumulator {
	return func(at []types.T, ret types.T) Accumulator { return &datumFoldAcc{fold: fold, t: ret} }
}

func (a *datumFoldAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.vals = growTo(a.vals, n)
	for i, g := range groups {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		v := types.DatumAt(a.t, args[0], i)
		if a.vals[g] == nil {
			a.vals[g] = v
		} else {
			a.vals[g] = a.fold(a.vals[g], v)
		}
	}
	return nil
}

func (a *datumFoldAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.vals = growTo(a.vals, n)
	return types.ArrayFromDatums(a.t, a.vals[:n]), nil
}

// minMaxAcc keeps the least or greatest value per group; integer and float
// inputs take a typed path.
type minMaxAcc struct {
	max  bool
	t    types.T
	ints []int64
	flts []float64
	vals []types.Datum
	seen []bool
}

func (a *minMaxAcc) better(c int) bool { return (c > 0) == a.max && c != 0 }

func (a *minMaxAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.seen = growTo(a.seen, n)
	arr := args[0]
	switch {
	case a.t.IsInteger():
		a.ints = growTo(a.ints, n)
		forEachInt(arr, func(i int, v int64) {
			g := groups[i]
			if g < 0 || arr.IsNull(i) {
				return
			}
			if !a.seen[g] || (a.max && v > a.ints[g]) || (!a.max && v < a.ints[g]) {
				a.ints[g] = v
				a.seen[g] = true
			}
		})
	case a.t.IsFloat():
		a.flts = growTo(a.flts, n)
		vals := floatsOf(arr)
		for i, g := range groups {
			if g < 0 || arr.IsNull(i) {
				continue
			}
			if !a.seen[g] || a.better(types.CompareFloat(vals[i], a.flts[g])) {
				a.flts[g] = vals[i]
				a.seen[g] = true
			}
		}
	default:
		a.vals = growTo(a.vals, n)
		for i, g := range groups {
			if g < 0 || arr.IsNull(i) {
				continue
			}
			v := types.DatumAt(a.t, arr, i)
			if !a.seen[g] || a.better(types.Compare(a.t, v, a.vals[g])) {
				a.vals[g] = v
				a.seen[g] = true
			}
		}
	}
	return nil
}

func (a *minMaxAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.seen = growTo(a.seen, n)
	b := array.NewBuilder(types.Allocator, a.t.ArrowType())
	for g := 0; g < n; g++ {
		if !a.seen[g] {
			b.AppendNull()
			continue
		}
		switch {
		case a.t.IsInteger():
			types.AppendDatum(b, a.t, a.ints[g])
		case a.t.IsFloat():
			types.AppendDatum(b, a.t, a.flts[g])
		default:
			types.AppendDatum(b, a.t, a.vals[g])
		}
	}
	return b.NewArray(), nil
}

type stringAggAcc struct {
	parts []*strings.Builder
}

func (a *stringAggAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.parts = growTo(a.parts, n)
	vals, seps := args[0].(*array.String), args[1]
	for i, g := range groups {
		if g < 0 || vals.IsNull(i) {
			continue
		}
		if a.parts[g] == nil {
			a.parts[g] = &strings.Builder{}
		} else if seps.IsValid(i) {
			a.parts[g].WriteString(seps.(*array.String).Value(i))
		}
		a.parts[g].WriteString(vals.Value(i))
	}
	return nil
}

func (a *stringAggAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.parts = growTo(a.parts, n)
	b := array.NewStringBuilder(types.Allocator)
	for g := 0; g < n; g++ {
		if a.parts[g] == nil {
			b.AppendNull()
		} else {
			b.Append(a.parts[g].String())
		}
	}
	return b.NewArray(), nil
}

type arrayAggAcc struct {
	t    types.T
	vals [][]types.Datum
	seen []bool
}

func (a *arrayAggAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.vals, a.seen = growTo(a.vals, n), growTo(a.seen, n)
	for i, g := range groups {
		if g < 0 {
			continue
		}
		a.vals[g] = append(a.vals[g], types.DatumAt(a.t, args[0], i))
		a.seen[g] = true
	}
	return nil
}

func (a *arrayAggAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.vals, a.seen = growTo(a.vals, n), growTo(a.seen, n)
	out := make([]types.Datum, n)
	for g := 0; g < n; g++ {
		if a.seen[g] {
			out[g] = a.vals[g]
		}
	}
	return types.ArrayFromDatums(types.ArrayOf(a.t.Kind), out), nil
}

// varianceAcc keeps N, sum(x) and the sum of squared deviations with the
// Youngs-Cramer updates of PostgreSQL's float8_accum, so that results
// agree with PostgreSQL's to the last digit.
type varianceAcc struct {
	kind  string
	count []float64
	sum   []float64
	sumSq []float64
}

func (a *varianceAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.count, a.sum, a.sumSq = growTo(a.count, n), growTo(a.sum, n), growTo(a.sumSq, n)
	vals := floatsOf(args[0])
	for i, g := range groups {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		if err := youngsCramer(&a.sum[g], &a.sumSq[g], a.count[g], vals[i]); err != nil {
			return err
		}
		a.count[g]++
	}
	return nil
}

func (a *varianceAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.count, a.sum, a.sumSq = growTo(a.count, n), growTo(a.sum, n), growTo(a.sumSq, n)
	b := array.NewFloat64Builder(types.Allocator)
	pop := strings.HasSuffix(a.kind, "_pop")
	for g := 0; g < n; g++ {
		c := a.count[g]
		if c == 0 || (!pop && c == 1) {
			b.AppendNull()
			continue
		}
		denom := c - 1
		if pop {
			denom = c
		}
		v := a.sumSq[g] / denom
		if strings.HasPrefix(a.kind, "stddev") {
			v = math.Sqrt(v)
		}
		b.Append(v)
	}
	return b.NewArray(), nil
}
