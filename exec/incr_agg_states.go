package exec

import (
	"encoding/binary"
	"math"
	"sort"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// The retractable states of the aggregates without a fixed-width column
// (see incr_agg_columns.go), one object per group: numeric sums, min and
// max, DISTINCT. The fixed-width columns save a group's state in the bytes
// these states save, so the two layouts read each other's state.

// incrAggState is one aggregate's retractable state in one group.
type incrAggState interface {
	add(v types.Datum, diff int64) error
	result(ret types.T) (types.Datum, error)
	encode(buf []byte, s incrAggSpec) ([]byte, error)
	decode(buf []byte, s incrAggSpec) ([]byte, error)
}

func newIncrAggState(s incrAggSpec) incrAggState {
	if s.collect {
		return newCollectState(&s)
	}
	var st incrAggState
	switch s.kind {
	case "count":
		st = &countState{}
	case "sum", "avg":
		st = &sumState{avg: s.kind == "avg", t: s.ArgTypes[0]}
	case "min", "max":
		st = &extremeState{max: s.kind == "max", t: s.ArgTypes[0], vals: countedRows{}, appendOnly: s.appendOnly && !s.Distinct}
	default: // bool_and, every, bool_or
		st = &boolState{or: s.kind == "bool_or"}
	}
	if s.Distinct {
		return &distinctState{inner: st, t: s.ArgTypes[0], seen: countedRows{}}
	}
	return st
}

type countState struct{ n int64 }

func (c *countState) add(v types.Datum, diff int64) error {
	if v != nil {
		c.n += diff
	}
	return nil
}
func (c *countState) result(types.T) (types.Datum, error) { return c.n, nil }
func (c *countState) encode(buf []byte, _ incrAggSpec) ([]byte, error) {
	return binary.AppendVarint(buf, c.n), nil
}
func (c *countState) decode(buf []byte, _ incrAggSpec) ([]byte, error) {
	v, n := binary.Varint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	c.n = v
	return buf[n:], nil
}

// sumState keeps an exact sum: integers and numerics as a decimal, floats
// as a float (whose rounding may differ from a batch sum in the last bits).
// A numeric sum shows the largest scale among the values summed, as in
// PostgreSQL (1.5 + 2.25 = 3.75, 1.5 + 2 = 3.5), and a retraction can lower
// it, so the state counts the values of each scale.
type sumState struct {
	avg    bool
	t      types.T
	n      int64
	dec    apd.Decimal
	float  float64
	scales map[int32]int64
}

// scaleOf returns a decimal's number of digits after the point.
func scaleOf(d *apd.Decimal) int32 {
	if d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

func (s *sumState) add(v types.Datum, diff int64) error {
	if v == nil {
		return nil
	}
	s.n += diff
	switch {
	case s.t.IsFloat():
		s.float += float64(diff) * v.(float64)
	case s.t.Kind == types.Interval:
		return pgerror.Unsupportedf("sum(interval) is not supported in workflows")
	default:
		var d apd.Decimal
		switch x := v.(type) {
		case int64:
			d.SetInt64(x)
		case *apd.Decimal:
			d.Set(x)
			if s.scales == nil {
				s.scales = map[int32]int64{}
			}
			sc := scaleOf(x)
			if s.scales[sc] += diff; s.scales[sc] == 0 {
				delete(s.scales, sc)
			}
		}
		if diff < 0 {
			d.Neg(&d)
		}
		if _, err := types.NumericContext.Add(&s.dec, &s.dec, &d); err != nil {
			return pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
		}
	}
	return nil
}

func (s *sumState) result(ret types.T) (types.Datum, error) {
	if s.n == 0 {
		return nil, nil
	}
	if s.t.IsFloat() {
		if s.avg {
			return s.float / float64(s.n), nil
		}
		if ret.Kind == types.Float4 {
			return float64(float32(s.float)), nil
		}
		return s.float, nil
	}
	sum := new(apd.Decimal).Set(&s.dec)
	if len(s.scales) > 0 {
		scale := int32(0)
		for sc := range s.scales {
			scale = max(scale, sc)
		}
		// The sum is exact at that scale; only its trailing zeros change.
		if _, err := types.NumericContext.Quantize(sum, sum, -scale); err != nil {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
		}
	}
	if s.avg {
		return expr.NumericDivide(sum, apd.New(s.n, 0))
	}
	if ret.Kind == types.Int8 {
		v, err := sum.Int64()
		if err != nil {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "bigint out of range")
		}
		return v, nil
	}
	return sum, nil
}

func (s *sumState) encode(buf []byte, _ incrAggSpec) ([]byte, error) {
	buf = binary.AppendVarint(buf, s.n)
	if s.t.IsFloat() {
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(s.float)), nil
	}
	txt := s.dec.String()
	buf = binary.AppendUvarint(buf, uint64(len(txt)))
	buf = append(buf, txt...)
	scales := make([]int32, 0, len(s.scales))
	for sc := range s.scales {
		scales = append(scales, sc)
	}
	sort.Slice(scales, func(i, j int) bool { return scales[i] < scales[j] })
	buf = binary.AppendUvarint(buf, uint64(len(scales)))
	for _, sc := range scales {
		buf = binary.AppendUvarint(buf, uint64(sc))
		buf = binary.AppendVarint(buf, s.scales[sc])
	}
	return buf, nil
}

func (s *sumState) decode(buf []byte, _ incrAggSpec) ([]byte, error) {
	v, n := binary.Varint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	s.n, buf = v, buf[n:]
	if s.t.IsFloat() {
		if len(buf) < 8 {
			return nil, corruptState()
		}
		s.float = math.Float64frombits(binary.BigEndian.Uint64(buf))
		return buf[8:], nil
	}
	l, n := binary.Uvarint(buf)
	if n <= 0 || uint64(len(buf)-n) < l {
		return nil, corruptState()
	}
	if _, _, err := s.dec.SetString(string(buf[n : n+int(l)])); err != nil {
		return nil, corruptState()
	}
	buf = buf[n+int(l):]
	cnt, n := binary.Uvarint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	buf = buf[n:]
	s.scales = nil
	for range cnt {
		sc, a := binary.Uvarint(buf)
		if a <= 0 {
			return nil, corruptState()
		}
		c, b := binary.Varint(buf[a:])
		if b <= 0 {
			return nil, corruptState()
		}
		if s.scales == nil {
			s.scales = map[int32]int64{}
		}
		s.scales[int32(sc)] = c
		buf = buf[a+b:]
	}
	return buf, nil
}

// extremeState keeps the multiset of values so that min and max survive
// deletions.
type extremeState struct {
	max  bool
	t    types.T
	vals countedRows
	best types.Datum
	// stale is set when the best value was deleted and must be found again.
	stale bool
	// appendOnly keeps only the extreme in vals: with no retraction to
	// come, a value that is not the extreme never becomes it.
	appendOnly bool
}

func (e *extremeState) add(v types.Datum, diff int64) error {
	if v == nil {
		return nil
	}
	if e.appendOnly {
		if diff < 0 {
			return pgerror.Internalf("aggregate: %s over an append-only input received a retraction", map[bool]string{true: "max", false: "min"}[e.max])
		}
		if e.stale {
			_, _ = e.result(e.t)
		}
		if len(e.vals) > 1 && e.best != nil {
			// State saved with every value (by an aggregate not told its
			// input is append-only): keep only the extreme's entry.
			for k, r := range e.vals {
				if types.Compare(e.t, r.vals[0], e.best) != 0 {
					delete(e.vals, k)
				}
			}
		}
		if e.best != nil {
			c := types.Compare(e.t, v, e.best)
			if c != 0 && (c > 0) != e.max {
				return nil // worse than the extreme: it never matters
			}
			if c != 0 {
				clear(e.vals) // a new extreme: the old ones never matter again
			}
		}
	}
	_, after, err := e.vals.add([]types.T{e.t}, []types.Datum{v}, diff)
	if err != nil {
		return err
	}
	if after <= 0 {
		if e.best != nil && types.Compare(e.t, e.best, v) == 0 {
			e.stale = true
		}
		return nil
	}
	if diff > 0 && !e.stale && (e.best == nil || (types.Compare(e.t, v, e.best) > 0) == e.max && types.Compare(e.t, v, e.best) != 0) {
		e.best = v
	}
	return nil
}

func (e *extremeState) result(types.T) (types.Datum, error) {
	if e.stale {
		e.best, e.stale = nil, false
		for _, vc := range e.vals {
			if v := vc.vals[0]; e.best == nil || (types.Compare(e.t, v, e.best) > 0) == e.max && types.Compare(e.t, v, e.best) != 0 {
				e.best = v
			}
		}
	}
	if len(e.vals) == 0 {
		return nil, nil
	}
	return e.best, nil
}

func (e *extremeState) encode(buf []byte, _ incrAggSpec) ([]byte, error) {
	return e.vals.encode(buf, []types.T{e.t})
}

func (e *extremeState) decode(buf []byte, _ incrAggSpec) ([]byte, error) {
	rest, err := e.vals.decode(buf, []types.T{e.t})
	if err != nil {
		return nil, err
	}
	e.stale, e.best = true, nil
	return rest, nil
}

// boolState counts true and false values.
type boolState struct {
	or            bool
	trues, falses int64
}

func (b *boolState) add(v types.Datum, diff int64) error {
	if v == nil {
		return nil
	}
	if v.(bool) {
		b.trues += diff
	} else {
		b.falses += diff
	}
	return nil
}

func (b *boolState) result(types.T) (types.Datum, error) {
	if b.trues+b.falses == 0 {
		return nil, nil
	}
	if b.or {
		return b.trues > 0, nil
	}
	return b.falses == 0, nil
}

func (b *boolState) encode(buf []byte, _ incrAggSpec) ([]byte, error) {
	return binary.AppendVarint(binary.AppendVarint(buf, b.trues), b.falses), nil
}

func (b *boolState) decode(buf []byte, _ incrAggSpec) ([]byte, error) {
	var err error
	b.trues, b.falses, buf, err = decodeBoolCounts(buf)
	return buf, err
}

// decodeBoolCounts reads bool_and/bool_or's saved state, its counts of
// true and false values (boolState and boolColumn save the same bytes).
func decodeBoolCounts(buf []byte) (trues, falses int64, rest []byte, err error) {
	t, n := binary.Varint(buf)
	if n <= 0 {
		return 0, 0, nil, corruptState()
	}
	f, m := binary.Varint(buf[n:])
	if m <= 0 {
		return 0, 0, nil, corruptState()
	}
	return t, f, buf[n+m:], nil
}

// distinctState feeds its inner aggregate a value's first copy and
// retracts it with the last.
type distinctState struct {
	inner incrAggState
	t     types.T
	seen  countedRows
}

func (d *distinctState) add(v types.Datum, diff int64) error {
	if v == nil {
		return nil
	}
	before, after, err := d.seen.add([]types.T{d.t}, []types.Datum{v}, diff)
	if err != nil {
		return err
	}
	switch {
	case before == 0 && after > 0:
		return d.inner.add(v, 1)
	case before > 0 && after <= 0:
		return d.inner.add(v, -1)
	}
	return nil
}

func (d *distinctState) result(t types.T) (types.Datum, error) { return d.inner.result(t) }

func (d *distinctState) encode(buf []byte, s incrAggSpec) ([]byte, error) {
	buf, err := d.seen.encode(buf, []types.T{d.t})
	if err != nil {
		return nil, err
	}
	return d.inner.encode(buf, s)
}

func (d *distinctState) decode(buf []byte, s incrAggSpec) ([]byte, error) {
	rest, err := d.seen.decode(buf, []types.T{d.t})
	if err != nil {
		return nil, err
	}
	return d.inner.decode(rest, s)
}
