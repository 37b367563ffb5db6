package exec

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// An aggregate's states, one per group, kept column-wise.
//
// Each aggregate of an IncrAggregate is an aggColumn holding its state for
// every group, indexed by the group's number (see aggGroupTable). The common
// aggregates have fixed-width columns: count, sum and avg of integers (an
// exact 128-bit sum and a count), sum and avg of floats, bool_and and
// bool_or. They read the atom's Arrow arrays without boxing a value and
// build output values only for the rows emitted. Every other aggregate
// (numeric sums, min and max, DISTINCT, the collected aggregates) is a
// generalColumn: a retractable state object per group, the incrAggState of
// incr_agg_states.go. Both kinds save a group's state in the same bytes, so
// either can load what the other saved.
//
// Within an atom the aggregate calls remember for each group when the atom
// first touches it, then update with all the atom's rows, then, per touched
// group in the order they were first touched (t counts them from 0),
// changed, appendOld and appendNew; endAtom forgets what was remembered.
type aggColumn interface {
	// grow makes room for group numbers below n.
	grow(n int)
	// reset makes group g's state that of no rows.
	reset(g int32)
	// drop releases what group g holds; its number may be reused.
	drop(g int32)
	// remember keeps group g's result before the atom's changes, as the
	// atom's next touched group.
	remember(g int32)
	// update folds the atom's rows in: row r goes to group gids[r] with
	// multiplicity diff[r] if pass is nil or pass[r]. cols are the
	// aggregate's evaluated arguments (and, collected, sort keys).
	update(gids []int32, diff []int8, pass []bool, cols []arrow.Array) error
	// changed reports whether group g's result (the t-th touched) differs
	// from the one remembered.
	changed(g int32, t int) (bool, error)
	// appendOld appends the result remembered for group g (the t-th
	// touched); appendNew appends its result now, after changed.
	appendOld(b array.Builder, g int32, t int)
	appendNew(b array.Builder, g int32, t int)
	// appendFinal appends group g's result now, without changed.
	appendFinal(b array.Builder, g int32) error
	endAtom()
	// encode appends group g's saved state; decode reads it back into g
	// and returns the rest of buf.
	encode(buf []byte, g int32) ([]byte, error)
	decode(buf []byte, g int32) ([]byte, error)
	// loaded is called after decode for a group that has an output row.
	loaded(g int32) error
}

// newAggColumn returns the column of aggregate s: a fixed-width one when
// there is one for it and general is false, else a generalColumn.
func newAggColumn(s *incrAggSpec, general bool) aggColumn {
	if general || s.collect || s.Distinct {
		return &generalColumn{spec: s}
	}
	var arg types.T
	if len(s.ArgTypes) == 1 {
		arg = s.ArgTypes[0]
	}
	switch s.kind {
	case "count":
		return &countColumn{star: len(s.args) == 0}
	case "sum", "avg":
		switch {
		case arg.Kind == types.Int2 || arg.Kind == types.Int4 || arg.Kind == types.Int8:
			if s.Ret.Kind == types.Numeric || s.kind == "sum" && s.Ret.Kind == types.Int8 {
				return &intSumColumn{avg: s.kind == "avg", ret: s.Ret}
			}
		case arg.Kind == types.Float4 || arg.Kind == types.Float8:
			if s.Ret.Kind == types.Float8 || s.kind == "sum" && s.Ret.Kind == types.Float4 {
				return &floatSumColumn{avg: s.kind == "avg", ret: s.Ret}
			}
		}
	case "bool_and", "every", "bool_or":
		return &boolColumn{or: s.kind == "bool_or"}
	}
	return &generalColumn{spec: s}
}

// growTo returns s with length at least n.
func growTo[E any](s []E, n int) []E {
	if n <= len(s) {
		return s
	}
	return slices.Grow(s, n-len(s))[:n]
}

// passes reports whether row r is in a column's input: selected by the
// filter and, for an argument column arr, not NULL.
func passes(pass []bool, arr arrow.Array, r int) bool {
	return (pass == nil || pass[r]) && (arr == nil || arr.IsValid(r))
}

// countColumn is count(*) (star) or count(x).
type countColumn struct {
	star   bool
	n      []int64
	before []int64
}

func (c *countColumn) grow(n int)         { c.n = growTo(c.n, n) }
func (c *countColumn) reset(g int32)      { c.n[g] = 0 }
func (c *countColumn) drop(int32)         {}
func (c *countColumn) remember(g int32)   { c.before = append(c.before, c.n[g]) }
func (c *countColumn) endAtom()           { c.before = c.before[:0] }
func (c *countColumn) loaded(int32) error { return nil }
func (c *countColumn) changed(g int32, t int) (bool, error) {
	return c.n[g] != c.before[t], nil
}

func (c *countColumn) update(gids []int32, diff []int8, pass []bool, cols []arrow.Array) error {
	var arg arrow.Array
	if !c.star && cols[0].NullN() > 0 {
		arg = cols[0]
	}
	if pass == nil && arg == nil {
		for r, g := range gids {
			c.n[g] += int64(diff[r])
		}
		return nil
	}
	for r, g := range gids {
		if passes(pass, arg, r) {
			c.n[g] += int64(diff[r])
		}
	}
	return nil
}

func (c *countColumn) appendOld(b array.Builder, _ int32, t int) {
	b.(*array.Int64Builder).Append(c.before[t])
}
func (c *countColumn) appendNew(b array.Builder, g int32, _ int) {
	b.(*array.Int64Builder).Append(c.n[g])
}
func (c *countColumn) appendFinal(b array.Builder, g int32) error {
	c.appendNew(b, g, 0)
	return nil
}

func (c *countColumn) encode(buf []byte, g int32) ([]byte, error) {
	return binary.AppendVarint(buf, c.n[g]), nil
}

func (c *countColumn) decode(buf []byte, g int32) ([]byte, error) {
	v, n := binary.Varint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	c.n[g] = v
	return buf[n:], nil
}

// int128 is a two's complement 128-bit integer. A sum of int64 values
// with an int64 count of them cannot leave its range, so integer sums are
// exact without a decimal: sum(int8) returns numeric, as in PostgreSQL,
// and is formatted as a big integer only when it leaves int64's range.
type int128 struct {
	lo uint64
	hi int64
}

func (x *int128) add(v int64) {
	lo, carry := bits.Add64(x.lo, uint64(v), 0)
	x.lo, x.hi = lo, x.hi+int64(carry)+v>>63
}

func (x *int128) sub(v int64) {
	lo, borrow := bits.Sub64(x.lo, uint64(v), 0)
	x.lo, x.hi = lo, x.hi-int64(borrow)-v>>63
}

// addTimes adds v diff times.
func (x *int128) addTimes(v int64, diff int8) {
	switch diff {
	case 1:
		x.add(v)
	case -1:
		x.sub(v)
	default:
		for range max(diff, -diff) {
			if diff > 0 {
				x.add(v)
			} else {
				x.sub(v)
			}
		}
	}
}

// int64 returns x if it is in int64's range.
func (x int128) int64() (int64, bool) { return int64(x.lo), x.hi == int64(x.lo)>>63 }

func (x int128) big() *big.Int {
	b := new(big.Int).SetInt64(x.hi)
	return b.Lsh(b, 64).Add(b, new(big.Int).SetUint64(x.lo))
}

// appendText appends x in decimal.
func (x int128) appendText(buf []byte) []byte {
	if v, ok := x.int64(); ok {
		return strconv.AppendInt(buf, v, 10)
	}
	return x.big().Append(buf, 10)
}

// parseInt128 reads a decimal integer in int128's range.
func parseInt128(s string) (int128, bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int128{lo: uint64(v), hi: v >> 63}, true
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.BitLen() > 127 {
		return int128{}, false
	}
	// And and Rsh work on two's complement, negative numbers included.
	lo := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	return int128{lo: lo, hi: new(big.Int).Rsh(b, 64).Int64()}, true
}

func (x int128) decimal() *apd.Decimal {
	if v, ok := x.int64(); ok {
		return apd.New(v, 0)
	}
	d, _, _ := apd.NewFromString(x.big().String())
	return d
}

// intSumColumn is sum or avg of int2, int4 or int8: the count of non-NULL
// values and their exact sum.
type intSumColumn struct {
	avg bool
	// ret is int8 (sum of int2 or int4) or numeric.
	ret         types.T
	n           []int64
	sum         []int128
	beforeN     []int64
	beforeSum   []int128
	text, text2 []byte
}

func (c *intSumColumn) grow(n int) { c.n, c.sum = growTo(c.n, n), growTo(c.sum, n) }
func (c *intSumColumn) reset(g int32) {
	c.n[g], c.sum[g] = 0, int128{}
}
func (c *intSumColumn) drop(int32) {}
func (c *intSumColumn) remember(g int32) {
	c.beforeN, c.beforeSum = append(c.beforeN, c.n[g]), append(c.beforeSum, c.sum[g])
}
func (c *intSumColumn) endAtom()           { c.beforeN, c.beforeSum = c.beforeN[:0], c.beforeSum[:0] }
func (c *intSumColumn) loaded(int32) error { return nil }

func (c *intSumColumn) update(gids []int32, diff []int8, pass []bool, cols []arrow.Array) error {
	switch arr := cols[0].(type) {
	case *array.Int64:
		sumInts(c, gids, diff, pass, arr, arr.Int64Values())
	case *array.Int32:
		sumInts(c, gids, diff, pass, arr, arr.Int32Values())
	case *array.Int16:
		sumInts(c, gids, diff, pass, arr, arr.Int16Values())
	default:
		return pgerror.Internalf("aggregate: integer sum over %T", cols[0])
	}
	return nil
}

func sumInts[V int16 | int32 | int64](c *intSumColumn, gids []int32, diff []int8, pass []bool, arr arrow.Array, vals []V) {
	var nulls arrow.Array
	if arr.NullN() > 0 {
		nulls = arr
	}
	for r, g := range gids {
		if !passes(pass, nulls, r) {
			continue
		}
		c.n[g] += int64(diff[r])
		c.sum[g].addTimes(int64(vals[r]), diff[r])
	}
}

// appendText appends the result of n values summing to sum as text
// (numeric), or returns it as an int8 (isInt); NULL is neither.
func (c *intSumColumn) value(buf []byte, n int64, sum int128) (text []byte, v int64, isInt bool, err error) {
	switch {
	case n == 0:
		return buf, 0, false, nil
	case c.avg:
		d, err := expr.NumericDivide(sum.decimal(), apd.New(n, 0))
		if err != nil {
			return buf, 0, false, err
		}
		return types.AppendNumeric(buf, d), 0, false, nil
	case c.ret.Kind == types.Int8:
		v, ok := sum.int64()
		if !ok {
			return buf, 0, false, pgerror.New(pgerror.NumericValueOutOfRange, "bigint out of range")
		}
		return buf, v, true, nil
	}
	return sum.appendText(buf), 0, false, nil
}

func (c *intSumColumn) changed(g int32, t int) (bool, error) {
	n0, s0, n1, s1 := c.beforeN[t], c.beforeSum[t], c.n[g], c.sum[g]
	switch {
	case n1 == 0:
		return n0 != 0, nil
	case n0 != 0 && s0 == s1 && (n0 == n1 || !c.avg):
		return false, nil
	case !c.avg || n0 == 0:
		_, _, _, err := c.value(c.text[:0], n1, s1)
		return true, err
	}
	// Averages of different counts and sums may print the same.
	var err error
	if c.text, _, _, err = c.value(c.text[:0], n0, s0); err != nil {
		return false, err
	}
	if c.text2, _, _, err = c.value(c.text2[:0], n1, s1); err != nil {
		return false, err
	}
	return string(c.text) != string(c.text2), nil
}

func (c *intSumColumn) appendValue(b array.Builder, n int64, sum int128) error {
	text, v, isInt, err := c.value(c.text[:0], n, sum)
	c.text = text
	switch {
	case err != nil:
		return err
	case n == 0:
		b.AppendNull()
	case isInt:
		b.(*array.Int64Builder).Append(v)
	default:
		b.(*array.StringBuilder).BinaryBuilder.Append(text)
	}
	return nil
}

// appendOld and appendNew follow changed, which found any error.
func (c *intSumColumn) appendOld(b array.Builder, _ int32, t int) {
	_ = c.appendValue(b, c.beforeN[t], c.beforeSum[t])
}
func (c *intSumColumn) appendNew(b array.Builder, g int32, _ int) {
	_ = c.appendValue(b, c.n[g], c.sum[g])
}
func (c *intSumColumn) appendFinal(b array.Builder, g int32) error {
	return c.appendValue(b, c.n[g], c.sum[g])
}

// encode writes what sumState writes for an integer sum: the count, the
// sum's decimal text and no scales.
func (c *intSumColumn) encode(buf []byte, g int32) ([]byte, error) {
	buf = binary.AppendVarint(buf, c.n[g])
	c.text = c.sum[g].appendText(c.text[:0])
	buf = binary.AppendUvarint(buf, uint64(len(c.text)))
	buf = append(buf, c.text...)
	return binary.AppendUvarint(buf, 0), nil
}

func (c *intSumColumn) decode(buf []byte, g int32) ([]byte, error) {
	v, n := binary.Varint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	c.n[g], buf = v, buf[n:]
	l, n := binary.Uvarint(buf)
	if n <= 0 || uint64(len(buf)-n) < l {
		return nil, corruptState()
	}
	sum, ok := parseInt128(string(buf[n : n+int(l)]))
	if !ok {
		return nil, corruptState()
	}
	c.sum[g], buf = sum, buf[n+int(l):]
	// The scales of numeric values summed: none for integers.
	scales, n := binary.Uvarint(buf)
	if n <= 0 || scales != 0 {
		return nil, corruptState()
	}
	return buf[n:], nil
}

// floatSumColumn is sum or avg of float4 or float8, summed in float8 in
// arrival order as sumState sums them.
type floatSumColumn struct {
	avg       bool
	ret       types.T
	n         []int64
	sum       []float64
	beforeN   []int64
	beforeSum []float64
}

func (c *floatSumColumn) grow(n int)    { c.n, c.sum = growTo(c.n, n), growTo(c.sum, n) }
func (c *floatSumColumn) reset(g int32) { c.n[g], c.sum[g] = 0, 0 }
func (c *floatSumColumn) drop(int32)    {}
func (c *floatSumColumn) remember(g int32) {
	c.beforeN, c.beforeSum = append(c.beforeN, c.n[g]), append(c.beforeSum, c.sum[g])
}
func (c *floatSumColumn) endAtom()           { c.beforeN, c.beforeSum = c.beforeN[:0], c.beforeSum[:0] }
func (c *floatSumColumn) loaded(int32) error { return nil }

func (c *floatSumColumn) update(gids []int32, diff []int8, pass []bool, cols []arrow.Array) error {
	switch arr := cols[0].(type) {
	case *array.Float64:
		sumFloats(c, gids, diff, pass, arr, arr.Float64Values())
	case *array.Float32:
		sumFloats(c, gids, diff, pass, arr, arr.Float32Values())
	default:
		return pgerror.Internalf("aggregate: float sum over %T", cols[0])
	}
	return nil
}

func sumFloats[V float32 | float64](c *floatSumColumn, gids []int32, diff []int8, pass []bool, arr arrow.Array, vals []V) {
	var nulls arrow.Array
	if arr.NullN() > 0 {
		nulls = arr
	}
	for r, g := range gids {
		if passes(pass, nulls, r) {
			c.n[g] += int64(diff[r])
			c.sum[g] += float64(diff[r]) * float64(vals[r])
		}
	}
}

// result returns the value of a count and sum; valid is false for NULL.
func (c *floatSumColumn) result(n int64, sum float64) (v float64, valid bool) {
	switch {
	case n == 0:
		return 0, false
	case c.avg:
		return sum / float64(n), true
	case c.ret.Kind == types.Float4:
		return float64(float32(sum)), true
	}
	return sum, true
}

func (c *floatSumColumn) changed(g int32, t int) (bool, error) {
	a, aok := c.result(c.beforeN[t], c.beforeSum[t])
	b, bok := c.result(c.n[g], c.sum[g])
	if aok != bok {
		return true, nil
	}
	return aok && a != b && !(math.IsNaN(a) && math.IsNaN(b)), nil
}

func (c *floatSumColumn) appendValue(b array.Builder, n int64, sum float64) {
	v, ok := c.result(n, sum)
	switch {
	case !ok:
		b.AppendNull()
	case c.ret.Kind == types.Float4:
		b.(*array.Float32Builder).Append(float32(v))
	default:
		b.(*array.Float64Builder).Append(v)
	}
}

func (c *floatSumColumn) appendOld(b array.Builder, _ int32, t int) {
	c.appendValue(b, c.beforeN[t], c.beforeSum[t])
}
func (c *floatSumColumn) appendNew(b array.Builder, g int32, _ int) {
	c.appendValue(b, c.n[g], c.sum[g])
}
func (c *floatSumColumn) appendFinal(b array.Builder, g int32) error {
	c.appendValue(b, c.n[g], c.sum[g])
	return nil
}

func (c *floatSumColumn) encode(buf []byte, g int32) ([]byte, error) {
	buf = binary.AppendVarint(buf, c.n[g])
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(c.sum[g])), nil
}

func (c *floatSumColumn) decode(buf []byte, g int32) ([]byte, error) {
	v, n := binary.Varint(buf)
	if n <= 0 || len(buf)-n < 8 {
		return nil, corruptState()
	}
	c.n[g] = v
	c.sum[g] = math.Float64frombits(binary.BigEndian.Uint64(buf[n:]))
	return buf[n+8:], nil
}

// boolColumn is bool_and (every) or bool_or: the counts of true and false
// values.
type boolColumn struct {
	or                      bool
	trues, falses           []int64
	beforeTrue, beforeFalse []int64
}

func (c *boolColumn) grow(n int)    { c.trues, c.falses = growTo(c.trues, n), growTo(c.falses, n) }
func (c *boolColumn) reset(g int32) { c.trues[g], c.falses[g] = 0, 0 }
func (c *boolColumn) drop(int32)    {}
func (c *boolColumn) remember(g int32) {
	c.beforeTrue, c.beforeFalse = append(c.beforeTrue, c.trues[g]), append(c.beforeFalse, c.falses[g])
}
func (c *boolColumn) endAtom()           { c.beforeTrue, c.beforeFalse = c.beforeTrue[:0], c.beforeFalse[:0] }
func (c *boolColumn) loaded(int32) error { return nil }

func (c *boolColumn) update(gids []int32, diff []int8, pass []bool, cols []arrow.Array) error {
	arr, ok := cols[0].(*array.Boolean)
	if !ok {
		return pgerror.Internalf("aggregate: %T for a boolean", cols[0])
	}
	for r, g := range gids {
		if !passes(pass, arr, r) {
			continue
		}
		if arr.Value(r) {
			c.trues[g] += int64(diff[r])
		} else {
			c.falses[g] += int64(diff[r])
		}
	}
	return nil
}

// result returns the value of the counts; valid is false for NULL.
func (c *boolColumn) result(trues, falses int64) (v, valid bool) {
	switch {
	case trues+falses == 0:
		return false, false
	case c.or:
		return trues > 0, true
	}
	return falses == 0, true
}

func (c *boolColumn) changed(g int32, t int) (bool, error) {
	a, aok := c.result(c.beforeTrue[t], c.beforeFalse[t])
	b, bok := c.result(c.trues[g], c.falses[g])
	return a != b || aok != bok, nil
}

func (c *boolColumn) appendValue(b array.Builder, trues, falses int64) {
	if v, ok := c.result(trues, falses); ok {
		b.(*array.BooleanBuilder).Append(v)
	} else {
		b.AppendNull()
	}
}

func (c *boolColumn) appendOld(b array.Builder, _ int32, t int) {
	c.appendValue(b, c.beforeTrue[t], c.beforeFalse[t])
}
func (c *boolColumn) appendNew(b array.Builder, g int32, _ int) {
	c.appendValue(b, c.trues[g], c.falses[g])
}
func (c *boolColumn) appendFinal(b array.Builder, g int32) error {
	c.appendNew(b, g, 0)
	return nil
}

func (c *boolColumn) encode(buf []byte, g int32) ([]byte, error) {
	return binary.AppendVarint(binary.AppendVarint(buf, c.trues[g]), c.falses[g]), nil
}

func (c *boolColumn) decode(buf []byte, g int32) ([]byte, error) {
	var err error
	c.trues[g], c.falses[g], buf, err = decodeBoolCounts(buf)
	return buf, err
}

// generalColumn keeps an incrAggState per group, fed boxed values, and
// the result last emitted for each group.
type generalColumn struct {
	spec   *incrAggSpec
	states []incrAggState
	last   []types.Datum
	// fresh are the touched groups' results computed by changed.
	fresh []types.Datum
}

func (c *generalColumn) grow(n int) { c.states, c.last = growTo(c.states, n), growTo(c.last, n) }
func (c *generalColumn) reset(g int32) {
	c.states[g], c.last[g] = newIncrAggState(*c.spec), nil
}
func (c *generalColumn) drop(g int32)   { c.states[g], c.last[g] = nil, nil }
func (c *generalColumn) remember(int32) { c.fresh = append(c.fresh, nil) }
func (c *generalColumn) endAtom() {
	clear(c.fresh)
	c.fresh = c.fresh[:0]
}

func (c *generalColumn) update(gids []int32, diff []int8, pass []bool, cols []arrow.Array) error {
	s := c.spec
	for r, g := range gids {
		if pass != nil && !pass[r] {
			continue
		}
		if s.collect {
			if err := c.states[g].(*collectState).addRow(collectArgs(s, cols, r), int64(diff[r])); err != nil {
				return err
			}
			continue
		}
		var v types.Datum = true // count(*)
		if len(s.args) > 0 {
			v = types.DatumAt(s.ArgTypes[0], cols[0], r)
		}
		if err := c.states[g].add(v, int64(diff[r])); err != nil {
			return err
		}
	}
	return nil
}

func (c *generalColumn) changed(g int32, t int) (bool, error) {
	v, err := c.states[g].result(c.spec.Ret)
	if err != nil {
		return false, err
	}
	c.fresh[t] = v
	return !sameDatum(c.spec.Ret, c.last[g], v), nil
}

func (c *generalColumn) appendOld(b array.Builder, g int32, _ int) {
	types.AppendDatum(b, c.spec.Ret, c.last[g])
}

func (c *generalColumn) appendNew(b array.Builder, g int32, t int) {
	c.last[g] = c.fresh[t]
	types.AppendDatum(b, c.spec.Ret, c.last[g])
}

func (c *generalColumn) appendFinal(b array.Builder, g int32) error {
	v, err := c.states[g].result(c.spec.Ret)
	if err != nil {
		return err
	}
	types.AppendDatum(b, c.spec.Ret, v)
	return nil
}

func (c *generalColumn) encode(buf []byte, g int32) ([]byte, error) {
	return c.states[g].encode(buf, *c.spec)
}

func (c *generalColumn) decode(buf []byte, g int32) ([]byte, error) {
	return c.states[g].decode(buf, *c.spec)
}

func (c *generalColumn) loaded(g int32) error {
	v, err := c.states[g].result(c.spec.Ret)
	c.last[g] = v
	return err
}

// sameDatum reports whether two results of type t are the same output
// value: equal, and for numerics printed alike (1.0 and 1.00 are not).
func sameDatum(t types.T, a, b types.Datum) bool {
	switch {
	case a == nil || b == nil:
		return a == nil && b == nil
	case types.Compare(t, a, b) != 0:
		return false
	case t.Kind == types.Numeric:
		return types.FormatText(t, a, nil) == types.FormatText(t, b, nil)
	}
	return true
}
