package expr

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Aggregates beyond agg.go: bit_and/or/xor, numeric variance and standard
// deviation (numeric results for integer and numeric inputs, as in
// PostgreSQL), the two-argument statistics (corr, covar_*, regr_*), the
// ordered-set aggregates (percentile_cont, percentile_disc, mode), the
// JSON aggregates and string_agg of bytea.
//
// An ordered-set aggregate f(direct) WITHIN GROUP (ORDER BY v) arrives
// with its arguments as (v, direct...) and its rows sorted by v: the
// accumulators keep the values in arrival order.

func registerAggregatesMore(r *Registry) {
	for _, t := range []types.T{types.Int2Type, i4, i8} {
		t := t
		for _, op := range []string{"bit_and", "bit_or", "bit_xor"} {
			op := op
			r.addAgg(&AggOverload{Name: op, Args: []types.T{t}, Ret: t, New: func([]types.T, types.T) Accumulator {
				return &bitAcc{op: op, t: t}
			}})
		}
	}
	for _, name := range []string{"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"} {
		name := name
		for _, t := range []types.T{types.Int2Type, i4, i8, num} {
			r.addAgg(&AggOverload{Name: name, Args: []types.T{t}, Ret: num, New: func(at []types.T, _ types.T) Accumulator {
				return &numericVarAcc{kind: name, t: at[0]}
			}})
		}
	}
	r.addAgg(&AggOverload{Name: "regr_count", Args: []types.T{f8, f8}, Ret: i8, New: newRegr("regr_count")})
	for _, name := range []string{"corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_r2",
		"regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy"} {
		r.addAgg(&AggOverload{Name: name, Args: []types.T{f8, f8}, Ret: f8, New: newRegr(name)})
	}
	// Ordered-set aggregates: (value, fraction).
	r.addAgg(&AggOverload{Name: "percentile_cont", Args: []types.T{f8, f8}, Ret: f8, New: newPercentile(true)})
	r.addAgg(&AggOverload{Name: "percentile_cont", Args: []types.T{ivT, f8}, Ret: ivT, New: newPercentile(true)})
	r.addAgg(&AggOverload{Name: "percentile_disc", Match: func(args []types.T) (types.T, bool) {
		if len(args) != 2 || args[0].Kind == types.Unknown || !(args[1].IsNumeric() || args[1].Kind == types.Unknown) {
			return types.T{}, false
		}
		return args[0], true
	}, New: newPercentile(false)})
	r.addAgg(&AggOverload{Name: "mode", Match: func(args []types.T) (types.T, bool) {
		if len(args) != 1 {
			return types.T{}, false
		}
		if args[0].Kind == types.Unknown {
			return text, true
		}
		return args[0], true
	}, New: func(at []types.T, ret types.T) Accumulator { return &listAcc{t: ret, finish: modeOf} }})
	// JSON.
	for _, name := range []string{"json_agg", "jsonb_agg"} {
		isB := name == "jsonb_agg"
		ret := jsonT
		if isB {
			ret = jsonbT
		}
		r.addAgg(&AggOverload{Name: name, Match: func(args []types.T) (types.T, bool) { return ret, len(args) == 1 },
			New: func(at []types.T, _ types.T) Accumulator { return &jsonAggAcc{t: at[0], jsonb: isB} }})
	}
	for _, name := range []string{"json_object_agg", "jsonb_object_agg"} {
		isB := name == "jsonb_object_agg"
		ret := jsonT
		if isB {
			ret = jsonbT
		}
		r.addAgg(&AggOverload{Name: name, Match: func(args []types.T) (types.T, bool) { return ret, len(args) == 2 },
			New: func(at []types.T, _ types.T) Accumulator {
				return &jsonAggAcc{t: at[1], keyT: at[0], object: true, jsonb: isB}
			}})
	}
	r.addAgg(&AggOverload{Name: "string_agg", Args: []types.T{bytea, bytea}, Ret: bytea, New: func([]types.T, types.T) Accumulator {
		return &byteaAggAcc{}
	}})
}

// bitAcc is bit_and, bit_or and bit_xor.
type bitAcc struct {
	op   string
	t    types.T
	vals []int64
	seen []bool
}

func (a *bitAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.vals, a.seen = growTo(a.vals, n), growTo(a.seen, n)
	forEachInt(args[0], func(i int, v int64) {
		g := groups[i]
		if g < 0 || args[0].IsNull(i) {
			return
		}
		if !a.seen[g] {
			a.vals[g], a.seen[g] = v, true
			return
		}
		switch a.op {
		case "bit_and":
			a.vals[g] &= v
		case "bit_or":
			a.vals[g] |= v
		default:
			a.vals[g] ^= v
		}
	})
	return nil
}

func (a *bitAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.vals, a.seen = growTo(a.vals, n), growTo(a.seen, n)
	out := make([]types.Datum, n)
	for g := 0; g < n; g++ {
		if a.seen[g] {
			out[g] = a.vals[g]
		}
	}
	return types.ArrayFromDatums(a.t, out), nil
}

// numericVarAcc keeps N, sum(x) and sum(x*x) exactly and computes the
// variance and standard deviation as PostgreSQL's numeric_stddev_internal:
// (N*sum(x^2) - sum(x)^2) / (N*(N-1)) at select_div_scale's scale.
type numericVarAcc struct {
	kind  string
	t     types.T
	count []int64
	sum   []*apd.Decimal
	sumSq []*apd.Decimal
}

func (a *numericVarAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.count, a.sum, a.sumSq = growTo(a.count, n), growTo(a.sum, n), growTo(a.sumSq, n)
	ctx := types.NumericContext
	for i, g := range groups {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		var x *apd.Decimal
		switch d := types.DatumAt(a.t, args[0], i).(type) {
		case int64:
			x = apd.New(d, 0)
		case *apd.Decimal:
			x = d
		}
		if x.Form != apd.Finite {
			return pgerror.Unsupportedf("%s of non-finite numerics is not supported", a.kind)
		}
		if a.sum[g] == nil {
			a.sum[g], a.sumSq[g] = new(apd.Decimal), new(apd.Decimal)
		}
		var sq apd.Decimal
		if _, err := ctx.Mul(&sq, x, x); err != nil {
			return errOverflowNumeric
		}
		if _, err := ctx.Add(a.sum[g], a.sum[g], x); err != nil {
			return errOverflowNumeric
		}
		if _, err := ctx.Add(a.sumSq[g], a.sumSq[g], &sq); err != nil {
			return errOverflowNumeric
		}
		a.count[g]++
	}
	return nil
}

func (a *numericVarAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.count, a.sum, a.sumSq = growTo(a.count, n), growTo(a.sum, n), growTo(a.sumSq, n)
	sample := !strings.HasSuffix(a.kind, "_pop")
	stddev := strings.HasPrefix(a.kind, "stddev")
	out := make([]types.Datum, n)
	ctx := types.NumericContext
	for g := 0; g < n; g++ {
		cnt := a.count[g]
		if cnt == 0 || sample && cnt == 1 {
			continue
		}
		nd := apd.New(cnt, 0)
		var sx2, nsq, numer apd.Decimal
		if _, err := ctx.Mul(&sx2, a.sum[g], a.sum[g]); err != nil {
			return nil, errOverflowNumeric
		}
		if _, err := ctx.Mul(&nsq, nd, a.sumSq[g]); err != nil {
			return nil, errOverflowNumeric
		}
		if _, err := ctx.Sub(&numer, &nsq, &sx2); err != nil {
			return nil, errOverflowNumeric
		}
		if numer.Sign() <= 0 {
			out[g] = apd.New(0, 0)
			continue
		}
		denom := apd.New(cnt*cnt, 0)
		if sample {
			denom = apd.New(cnt*(cnt-1), 0)
		}
		rscale := NumericDivScale(&numer, denom)
		v, err := computeRounded(rscale, decimalWeight(&numer)-decimalWeight(denom)+1, func(c *apd.Context, out *apd.Decimal) error {
			_, err := c.Quo(out, &numer, denom)
			return err
		})
		if err != nil {
			return nil, err
		}
		if stddev {
			if v, err = computeRounded(rscale, decimalWeight(v)/2+1, func(c *apd.Context, out *apd.Decimal) error {
				_, err := c.Sqrt(out, v)
				return err
			}); err != nil {
				return nil, err
			}
		}
		out[g] = v
	}
	return types.ArrayFromDatums(num, out), nil
}

// regrAcc accumulates the two-argument statistics with the Youngs-Cramer
// updates PostgreSQL uses, so that results agree to the last digit.
type regrAcc struct {
	kind                     string
	n, sx, sxx, sy, syy, sxy []float64
}

func newRegr(kind string) func([]types.T, types.T) Accumulator {
	return func([]types.T, types.T) Accumulator { return &regrAcc{kind: kind} }
}

func (a *regrAcc) grow(n int) {
	a.n, a.sx, a.sxx = growTo(a.n, n), growTo(a.sx, n), growTo(a.sxx, n)
	a.sy, a.syy, a.sxy = growTo(a.sy, n), growTo(a.syy, n), growTo(a.sxy, n)
}

func (a *regrAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.grow(n)
	ys, xs := floatsOf(args[0]), floatsOf(args[1])
	for i, g := range groups {
		if g < 0 || args[0].IsNull(i) || args[1].IsNull(i) {
			continue
		}
		x, y := xs[i], ys[i]
		prev := a.n[g]
		nn := prev + 1
		oldSx, oldSy := a.sx[g], a.sy[g]
		sx, sy := oldSx+x, oldSy+y
		if prev > 0 {
			tx := x*nn - sx
			ty := y*nn - sy
			scale := 1.0 / (nn * prev)
			a.sxx[g] += tx * tx * scale
			a.syy[g] += ty * ty * scale
			a.sxy[g] += tx * ty * scale
			// Finite inputs with infinite sums overflow, as in
			// PostgreSQL's float8_regr_accum.
			finX := !math.IsInf(oldSx, 0) && !math.IsInf(x, 0)
			finY := !math.IsInf(oldSy, 0) && !math.IsInf(y, 0)
			if (math.IsInf(sx, 0) || math.IsInf(a.sxx[g], 0)) && finX ||
				(math.IsInf(sy, 0) || math.IsInf(a.syy[g], 0)) && finY ||
				math.IsInf(a.sxy[g], 0) && finX && finY {
				return pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
			}
		}
		a.n[g], a.sx[g], a.sy[g] = nn, sx, sy
	}
	return nil
}

func (a *regrAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.grow(n)
	if a.kind == "regr_count" {
		out := make([]int64, n)
		for g := range out {
			out[g] = int64(a.n[g])
		}
		return int64Array(out), nil
	}
	b := array.NewFloat64Builder(types.Allocator)
	for g := 0; g < n; g++ {
		nn, sx, sxx, sy, syy, sxy := a.n[g], a.sx[g], a.sxx[g], a.sy[g], a.syy[g], a.sxy[g]
		var v float64
		ok := nn >= 1
		switch a.kind {
		case "covar_pop":
			v = sxy / nn
		case "covar_samp":
			ok = nn >= 2
			v = sxy / (nn - 1)
		case "corr":
			ok = ok && sxx != 0 && syy != 0
			v = sxy / math.Sqrt(sxx*syy)
		case "regr_slope":
			ok = ok && sxx != 0
			v = sxy / sxx
		case "regr_intercept":
			ok = ok && sxx != 0
			v = (sy - sx*sxy/sxx) / nn
		case "regr_r2":
			ok = ok && sxx != 0
			if syy == 0 {
				v = 1
			} else {
				v = (sxy * sxy) / (sxx * syy)
			}
		case "regr_avgx":
			v = sx / nn
		case "regr_avgy":
			v = sy / nn
		case "regr_sxx":
			v = sxx
		case "regr_syy":
			v = syy
		case "regr_sxy":
			v = sxy
		}
		if ok {
			b.Append(v)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

// listAcc collects each group's non-NULL values in arrival order, with
// the first row's other arguments, and computes the result from them.
type listAcc struct {
	t      types.T
	ret    types.T
	vals   [][]types.Datum
	direct []types.Datum // the first row's second argument
	seen   []bool
	finish func(a *listAcc, vals []types.Datum, direct types.Datum) (types.Datum, error)
}

func (a *listAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.vals, a.direct, a.seen = growTo(a.vals, n), growTo(a.direct, n), growTo(a.seen, n)
	var dt types.T
	if len(args) > 1 {
		dt = SQLTypeOfArrow(args[1].DataType())
	}
	for i, g := range groups {
		if g < 0 {
			continue
		}
		if !a.seen[g] && len(args) > 1 {
			a.direct[g] = types.DatumAt(dt, args[1], i)
		}
		a.seen[g] = true
		if v := types.DatumAt(a.t, args[0], i); v != nil {
			a.vals[g] = append(a.vals[g], v)
		}
	}
	return nil
}

func (a *listAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.vals, a.direct, a.seen = growTo(a.vals, n), growTo(a.direct, n), growTo(a.seen, n)
	out := make([]types.Datum, n)
	for g := 0; g < n; g++ {
		if len(a.vals[g]) == 0 {
			continue
		}
		v, err := a.finish(a, a.vals[g], a.direct[g])
		if err != nil {
			return nil, err
		}
		out[g] = v
	}
	ret := a.ret
	if ret.Kind == types.Unknown {
		ret = a.t
	}
	return types.ArrayFromDatums(ret, out), nil
}

func newPercentile(cont bool) func([]types.T, types.T) Accumulator {
	return func(at []types.T, ret types.T) Accumulator {
		return &listAcc{t: at[0], ret: ret, finish: func(a *listAcc, vals []types.Datum, direct types.Datum) (types.Datum, error) {
			if direct == nil {
				return nil, nil
			}
			p, err := floatOfDatum(direct)
			if err != nil {
				return nil, err
			}
			if p < 0 || p > 1 || math.IsNaN(p) {
				return nil, pgerror.Newf(pgerror.NumericValueOutOfRange, "percentile value %s is not between 0 and 1", types.FormatText(f8, p, nil))
			}
			n := len(vals)
			if !cont {
				row := int(math.Ceil(p * float64(n)))
				if row < 1 {
					row = 1
				}
				return vals[row-1], nil
			}
			pos := p * float64(n-1)
			lo, hi := math.Floor(pos), math.Ceil(pos)
			first, second := vals[int(lo)], vals[int(hi)]
			if lo == hi {
				return first, nil
			}
			frac := pos - lo
			if a.t.Kind == types.Interval {
				x, y := first.(types.IntervalValue), second.(types.IntervalValue)
				diff := types.IntervalValue{Months: y.Months - x.Months, Days: y.Days - x.Days, Micros: y.Micros - x.Micros}
				d, err := mulInterval(diff, frac)
				if err != nil {
					return nil, err
				}
				return sumInterval(x, d), nil
			}
			x, y := first.(float64), second.(float64)
			return x + frac*(y-x), nil
		}}
	}
}

// modeOf is the most frequent value, the first in sort order on ties.
func modeOf(a *listAcc, vals []types.Datum, _ types.Datum) (types.Datum, error) {
	best, bestN := vals[0], 0
	for i := 0; i < len(vals); {
		j := i + 1
		for j < len(vals) && types.Compare(a.t, vals[j], vals[i]) == 0 {
			j++
		}
		if j-i > bestN {
			best, bestN = vals[i], j-i
		}
		i = j
	}
	return best, nil
}

// jsonAggAcc is json_agg, jsonb_agg and the object variants: NULL values
// are kept (as JSON null), an empty group gives NULL.
type jsonAggAcc struct {
	t, keyT       types.T
	object, jsonb bool
	nodes         []*jnode
}

func (a *jsonAggAcc) Update(ctx *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.nodes = growTo(a.nodes, n)
	for i, g := range groups {
		if g < 0 {
			continue
		}
		node := a.nodes[g]
		if node == nil {
			node = &jnode{kind: 'a'}
			if a.object {
				node.kind = 'o'
			}
			a.nodes[g] = node
		}
		valArg := args[0]
		if a.object {
			k := types.DatumAt(a.keyT, args[0], i)
			if k == nil {
				return pgerror.New(pgerror.InvalidParameterValue, "field name must not be null")
			}
			node.keys = append(node.keys, types.FormatText(a.keyT, k, ctx.env()))
			valArg = args[1]
		}
		v, err := datumToJSON(ctx, a.t, types.DatumAt(a.t, valArg, i))
		if err != nil {
			return err
		}
		node.vals = append(node.vals, v)
	}
	return nil
}

func (a *jsonAggAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.nodes = growTo(a.nodes, n)
	b := array.NewStringBuilder(types.Allocator)
	for g := 0; g < n; g++ {
		node := a.nodes[g]
		switch {
		case node == nil:
			b.AppendNull()
		case a.jsonb:
			b.Append(node.normalize().text())
		case a.object:
			// json_object_agg: { "k" : v, ... }
			var sb strings.Builder
			sb.WriteString("{ ")
			for i, k := range node.keys {
				if i > 0 {
					sb.WriteString(", ")
				}
				appendJSONString(&sb, k)
				sb.WriteString(" : ")
				sb.WriteString(jsonTextOf(node.vals[i]))
			}
			sb.WriteString(" }")
			b.Append(sb.String())
		default:
			b.Append(jsonTextOf(node))
		}
	}
	return b.NewArray(), nil
}

type byteaAggAcc struct {
	parts [][]byte
	seen  []bool
}

func (a *byteaAggAcc) Update(_ *Ctx, groups []int32, n int, args []arrow.Array) error {
	a.parts, a.seen = growTo(a.parts, n), growTo(a.seen, n)
	for i, g := range groups {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		if a.seen[g] && args[1].IsValid(i) {
			a.parts[g] = append(a.parts[g], args[1].(*array.Binary).Value(i)...)
		}
		a.seen[g] = true
		a.parts[g] = append(a.parts[g], args[0].(*array.Binary).Value(i)...)
	}
	return nil
}

func (a *byteaAggAcc) Result(_ *Ctx, n int) (arrow.Array, error) {
	a.parts, a.seen = growTo(a.parts, n), growTo(a.seen, n)
	out := make([]types.Datum, n)
	for g := 0; g < n; g++ {
		if a.seen[g] {
			out[g] = append([]byte{}, a.parts[g]...)
		}
	}
	return types.ArrayFromDatums(bytea, out), nil
}

// floatOfDatum reads a number given as float, integer, numeric or text.
func floatOfDatum(d types.Datum) (float64, error) {
	switch v := d.(type) {
	case float64:
		return v, nil
	case int64:
		return float64(v), nil
	case *apd.Decimal:
		return toFloat(v), nil
	case string:
		f, err := types.ParseFloat(v, 64)
		if err != nil {
			return 0, err
		}
		return f.(float64), nil
	}
	return 0, pgerror.Internalf("not a number: %T", d)
}
