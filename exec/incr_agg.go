package exec

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// IncrAggregate maintains GROUP BY aggregates under inserts and deletes.
// Each group keeps its row count and, per aggregate, a state that can
// retract: counts, exact sums, and for min and max the multiset of values,
// so that deleting the minimum finds the next one. For each atom it emits,
// per changed group, the retraction of the old output row and the new one.
// Without GROUP BY there is always exactly one group, as in SQL.
type IncrAggregate struct {
	keys     []evalSpec
	keyTypes []types.T
	aggs     []incrAggSpec
	global   bool
	groups   map[string]*aggGroup
	dirty    map[string]bool
	outTypes []types.T
	desc     string
	codec    *rowState
	// close, when set, makes the aggregate emit each group once, when the
	// watermark closes the window its key names.
	close *closeSpec
	// purge drops groups whose key the watermark made final (see
	// purge.go): their output row stays in the result, and no change can
	// reach them any more.
	purge *purger
	// applies counts the calls of Apply, so that a group knows whether the
	// current call touched it already without a set of touched groups.
	applies uint64
}

// WatermarkLineage says that a column is closed by a source's watermark:
// a value v is final once v + Offset <= the watermark. Window is set for
// window_start and window_end columns.
type WatermarkLineage struct {
	Source int
	Offset int64
	Window bool
}

type closeSpec struct {
	key int
	WatermarkLineage
}

// EmitOnClose makes the aggregate emit a group's row only when the
// watermark closes the window of group key column key; the row is final
// and the group's state is dropped.
func (a *IncrAggregate) EmitOnClose(key int, l WatermarkLineage) {
	a.close = &closeSpec{key: key, WatermarkLineage: l}
	a.desc += " (emit on window close)"
}

// PurgeFinalGroups drops from the state, without emitting anything, the
// groups whose key the rules say no change can reach any more. Rule
// columns index the group key.
func (a *IncrAggregate) PurgeFinalGroups(rules []PurgeRule) {
	a.purge = newPurger(rules)
}

type incrAggSpec struct {
	AggSpec
	args   []expr.Evaluator
	filter expr.Evaluator
	kind   string
	// collect keeps the aggregate by collecting its rows (see
	// incr_collect.go); order are then its ORDER BY keys.
	collect bool
	order   []sortEval
}

type aggGroup struct {
	// mapKey is the group's key in IncrAggregate.groups and in storage.
	mapKey string
	// touchedIn is the last call of Apply that changed the group.
	touchedIn uint64
	rows      int64
	key       []types.Datum
	states    []incrAggState
	// out is the output row last emitted for the group (nil: none).
	out []types.Datum
}

// incrementalAggs lists the aggregates workflows can maintain.
var incrementalAggs = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true,
}

// IncrementalAggregate reports whether name can run in a workflow.
func IncrementalAggregate(name string) bool { return incrementalAggs[name] || collectedAggs[name] }

// NewIncrAggregate returns an incremental aggregation over rows laid out as
// layout.
func NewIncrAggregate(groupBy []expr.Expr, aggs []AggSpec, layout expr.Layout) (*IncrAggregate, error) {
	a := &IncrAggregate{global: len(groupBy) == 0, groups: map[string]*aggGroup{}, dirty: map[string]bool{}}
	var err error
	if a.keys, err = compileSpecs(groupBy, layout); err != nil {
		return nil, err
	}
	var descs []string
	for _, g := range groupBy {
		a.keyTypes = append(a.keyTypes, g.Type())
	}
	for _, s := range aggs {
		if !IncrementalAggregate(s.Fn.Name) {
			return nil, pgerror.Unsupportedf("aggregate %s is not supported in workflows", s.Fn.Name)
		}
		spec := incrAggSpec{AggSpec: s, kind: s.Fn.Name}
		// avg(interval) has no exact running state here; the others'
		// ORDER BY changes nothing they compute.
		spec.collect = collectedAggs[s.Fn.Name] || s.Fn.Name == "avg" && len(s.ArgTypes) == 1 && s.ArgTypes[0].Kind == types.Interval
		if spec.collect {
			for _, o := range s.OrderBy {
				ev, err := expr.Compile(o.Expr, layout)
				if err != nil {
					return nil, err
				}
				spec.order = append(spec.order, sortEval{ev: ev, t: o.Expr.Type(), desc: o.Desc, nullsFirst: o.NullsFirst})
			}
		}
		if spec.args, err = compileAll(s.Args, layout); err != nil {
			return nil, err
		}
		if s.Filter != nil {
			if spec.filter, err = expr.Compile(s.Filter, layout); err != nil {
				return nil, err
			}
		}
		a.aggs = append(a.aggs, spec)
		d := ""
		if s.Distinct {
			d = "DISTINCT "
		}
		parts := make([]string, len(s.Args))
		for i, x := range s.Args {
			parts[i] = x.String()
		}
		descs = append(descs, s.Fn.Name+"("+d+strings.Join(parts, ", ")+")")
	}
	a.outTypes = append(append([]types.T(nil), a.keyTypes...), aggTypes(aggs)...)
	if a.codec, err = newRowState(a.keyTypes); err != nil {
		return nil, err
	}
	a.desc = "Aggregate: " + strings.Join(descs, ", ")
	if !a.global {
		parts := make([]string, len(groupBy))
		for i, g := range groupBy {
			parts[i] = g.String()
		}
		a.desc = "Aggregate: group by " + strings.Join(parts, ", ") + ": " + strings.Join(descs, ", ")
	}
	return a, nil
}

func (a *IncrAggregate) Describe() string { return a.desc }
func (a *IncrAggregate) StateSize() int   { return len(a.groups) }

func (a *IncrAggregate) newGroup(key []types.Datum) *aggGroup {
	g := &aggGroup{key: key, states: make([]incrAggState, len(a.aggs))}
	for i, s := range a.aggs {
		g.states[i] = newIncrAggState(s)
	}
	return g
}

// Initial returns the output of the aggregate over no rows: one row for a
// global aggregate, none otherwise. The workflow's result starts with it.
func (a *IncrAggregate) Initial() (*batch.ChangeBatch, error) {
	cb := batch.NewChangeBuilder(a.outTypes)
	if a.global {
		g := a.group("", nil)
		row, err := a.output(g)
		if err != nil {
			return nil, err
		}
		g.out = row
		a.dirty[""] = true
		cb.Add(row, 1)
	}
	return cb.Build(), nil
}

func (a *IncrAggregate) group(k string, key []types.Datum) *aggGroup {
	g := a.groups[k]
	if g == nil {
		g = a.newGroup(key)
		g.mapKey = k
		a.groups[k] = g
	}
	return g
}

func (a *IncrAggregate) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	if c.Len == 0 && a.close == nil {
		if a.purge != nil && a.purge.due(ctx.Watermarks) {
			a.purgeGroups(ctx.Watermarks)
		}
		return batch.EmptyChanges(a.outTypes), nil
	}
	var keyCols []arrow.Array
	for _, k := range a.keys {
		arr, err := k.ev.Eval(ctx.Eval, c.Batch)
		if err != nil {
			return nil, err
		}
		keyCols = append(keyCols, arr)
	}
	args := make([][]arrow.Array, len(a.aggs))
	filters := make([][]int32, len(a.aggs))
	for i, s := range a.aggs {
		for _, ev := range s.args {
			arr, err := ev.Eval(ctx.Eval, c.Batch)
			if err != nil {
				return nil, err
			}
			args[i] = append(args[i], arr)
		}
		for _, o := range s.order {
			arr, err := o.ev.Eval(ctx.Eval, c.Batch)
			if err != nil {
				return nil, err
			}
			args[i] = append(args[i], arr)
		}
		if s.filter != nil {
			res, err := s.filter.Eval(ctx.Eval, c.Batch)
			if err != nil {
				return nil, err
			}
			filters[i] = selection(res)
		}
	}
	a.applies++
	var touched []*aggGroup
	passes := make([][]bool, len(a.aggs))
	for i := range a.aggs {
		if filters[i] != nil {
			passes[i] = make([]bool, c.Len)
			for _, s := range filters[i] {
				passes[i][s] = true
			}
		}
	}
	// Each row's group key is encoded straight from the key columns; the
	// key's values are boxed only when the row starts a new group.
	var kb []byte
	for r := 0; r < c.Len; r++ {
		kb = kb[:0]
		for i, kc := range keyCols {
			var err error
			if kb, err = rowcodec.AppendKeyAt(kb, a.keyTypes[i], kc, r); err != nil {
				return nil, err
			}
		}
		g := a.groups[string(kb)]
		if g == nil {
			key := make([]types.Datum, len(keyCols))
			for i, kc := range keyCols {
				key[i] = types.DatumAt(a.keyTypes[i], kc, r)
			}
			g = a.group(string(kb), key)
			if a.purge != nil {
				a.purge.note(key, g)
			}
		}
		if g.touchedIn != a.applies {
			g.touchedIn = a.applies
			touched = append(touched, g)
		}
		diff := int64(c.Diff[r])
		g.rows += diff
		for i, s := range a.aggs {
			if passes[i] != nil && !passes[i][r] {
				continue
			}
			if s.collect {
				if err := g.states[i].(*collectState).addRow(collectArgs(&s, args[i], r), diff); err != nil {
					return nil, err
				}
				continue
			}
			var v types.Datum = true // count(*)
			if len(s.args) > 0 {
				v = types.DatumAt(s.ArgTypes[0], args[i][0], r)
			}
			if err := g.states[i].add(v, diff); err != nil {
				return nil, err
			}
		}
	}
	if a.close != nil {
		// The open windows' groups changed too: their state must be
		// saved, or a restart would lose the rows they hold so far.
		for _, g := range touched {
			a.dirty[g.mapKey] = true
		}
		return a.closeWindows(ctx)
	}
	cb := batch.NewChangeBuilder(a.outTypes)
	for _, g := range touched {
		k := g.mapKey
		a.dirty[k] = true
		if g.rows < 0 {
			return nil, pgerror.Internalf("aggregate: group deleted more rows than it had")
		}
		var row []types.Datum
		if g.rows > 0 || a.global {
			var err error
			if row, err = a.output(g); err != nil {
				return nil, err
			}
		}
		if g.out != nil && row != nil && sameRow(a.outTypes, g.out, row) {
			continue
		}
		if g.out != nil {
			cb.Add(g.out, -1)
		}
		if row != nil {
			cb.Add(row, 1)
		}
		g.out = row
		if g.rows == 0 && !a.global {
			delete(a.groups, k)
		}
	}
	if a.purge != nil && a.purge.due(ctx.Watermarks) {
		a.purgeGroups(ctx.Watermarks)
	}
	return cb.Build(), nil
}

// purgeGroups drops the groups the watermarks made final.
func (a *IncrAggregate) purgeGroups(wms []types.Datum) {
	a.purge.sweep(wms, func(ref any) ([]types.Datum, bool) {
		g := ref.(*aggGroup)
		return g.key, a.groups[g.mapKey] == g
	}, func(ref any) {
		g := ref.(*aggGroup)
		delete(a.groups, g.mapKey)
		a.dirty[g.mapKey] = true
	})
}

func sameRow(ts []types.T, a, b []types.Datum) bool {
	for i := range a {
		switch {
		case a[i] == nil && b[i] == nil:
		case a[i] == nil || b[i] == nil:
			return false
		case types.Compare(ts[i], a[i], b[i]) != 0:
			return false
		default:
			// Equal numerics may print differently (1.0 vs 1.00).
			if ts[i].Kind == types.Numeric && types.FormatText(ts[i], a[i], nil) != types.FormatText(ts[i], b[i], nil) {
				return false
			}
		}
	}
	return true
}

func (a *IncrAggregate) output(g *aggGroup) ([]types.Datum, error) {
	row := append([]types.Datum(nil), g.key...)
	for i, s := range g.states {
		v, err := s.result(a.aggs[i].Ret)
		if err != nil {
			return nil, err
		}
		row = append(row, v)
	}
	return row, nil
}

// Save writes each changed group: row count, key, output row and the
// aggregate states.
func (a *IncrAggregate) Save(w StateWriter) error {
	for k := range a.dirty {
		g, ok := a.groups[k]
		if !ok {
			if err := w.Delete([]byte(k)); err != nil {
				return err
			}
			continue
		}
		buf := binary.AppendVarint(nil, g.rows)
		kb, err := a.codec.encode(nil, g.key)
		if err != nil {
			return err
		}
		buf = binary.AppendUvarint(buf, uint64(len(kb)))
		buf = append(buf, kb...)
		for i, s := range g.states {
			if buf, err = s.encode(buf, a.aggs[i]); err != nil {
				return err
			}
		}
		if err := w.Put([]byte(k), buf); err != nil {
			return err
		}
	}
	clear(a.dirty)
	return nil
}

func (a *IncrAggregate) Load(r StateReader) error {
	a.groups, a.dirty = map[string]*aggGroup{}, map[string]bool{}
	if a.purge != nil {
		a.purge.reset()
	}
	return r.Scan(func(k, v []byte) error {
		rows, n := binary.Varint(v)
		if n <= 0 {
			return corruptState()
		}
		v = v[n:]
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return corruptState()
		}
		key, err := a.codec.decode(v[n : n+int(l)])
		if err != nil {
			return err
		}
		v = v[n+int(l):]
		g := a.newGroup(key)
		g.rows = rows
		for i := range g.states {
			if v, err = g.states[i].decode(v, a.aggs[i]); err != nil {
				return err
			}
		}
		if g.rows > 0 || a.global {
			if g.out, err = a.output(g); err != nil {
				return err
			}
		}
		g.mapKey = string(k)
		a.groups[g.mapKey] = g
		if a.purge != nil {
			a.purge.note(g.key, g)
		}
		return nil
	})
}

func corruptState() error { return pgerror.New(pgerror.DataCorrupted, "exec: corrupt aggregate state") }

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
		st = &extremeState{max: s.kind == "max", t: s.ArgTypes[0], vals: map[string]*valueCount{}}
	default: // bool_and, every, bool_or
		st = &boolState{or: s.kind == "bool_or"}
	}
	if s.Distinct {
		return &distinctState{inner: st, t: s.ArgTypes[0], seen: map[string]*valueCount{}}
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

// valueCount is a value with its multiplicity.
type valueCount struct {
	v types.Datum
	n int64
}

// extremeState keeps the multiset of values so that min and max survive
// deletions.
type extremeState struct {
	max  bool
	t    types.T
	vals map[string]*valueCount
	best types.Datum
	// stale is set when the best value was deleted and must be found again.
	stale bool
}

func (e *extremeState) add(v types.Datum, diff int64) error {
	if v == nil {
		return nil
	}
	k, err := rowKey([]types.T{e.t}, []types.Datum{v})
	if err != nil {
		return err
	}
	vc := e.vals[k]
	if vc == nil {
		vc = &valueCount{v: v}
		e.vals[k] = vc
	}
	vc.n += diff
	if vc.n <= 0 {
		delete(e.vals, k)
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
			if e.best == nil || (types.Compare(e.t, vc.v, e.best) > 0) == e.max && types.Compare(e.t, vc.v, e.best) != 0 {
				e.best = vc.v
			}
		}
	}
	if len(e.vals) == 0 {
		return nil, nil
	}
	return e.best, nil
}

func encodeValueCounts(buf []byte, t types.T, vals map[string]*valueCount) ([]byte, error) {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rs, err := newRowState([]types.T{t})
	if err != nil {
		return nil, err
	}
	buf = binary.AppendUvarint(buf, uint64(len(keys)))
	for _, k := range keys {
		vc := vals[k]
		buf = binary.AppendVarint(buf, vc.n)
		vb, err := rs.encode(nil, []types.Datum{vc.v})
		if err != nil {
			return nil, err
		}
		buf = binary.AppendUvarint(buf, uint64(len(vb)))
		buf = append(buf, vb...)
	}
	return buf, nil
}

func decodeValueCounts(buf []byte, t types.T) (map[string]*valueCount, []byte, error) {
	rs, err := newRowState([]types.T{t})
	if err != nil {
		return nil, nil, err
	}
	cnt, n := binary.Uvarint(buf)
	if n <= 0 {
		return nil, nil, corruptState()
	}
	buf = buf[n:]
	vals := make(map[string]*valueCount, cnt)
	for i := uint64(0); i < cnt; i++ {
		c, n := binary.Varint(buf)
		if n <= 0 {
			return nil, nil, corruptState()
		}
		buf = buf[n:]
		l, n := binary.Uvarint(buf)
		if n <= 0 || uint64(len(buf)-n) < l {
			return nil, nil, corruptState()
		}
		row, err := rs.decode(buf[n : n+int(l)])
		if err != nil {
			return nil, nil, err
		}
		buf = buf[n+int(l):]
		k, err := rowKey([]types.T{t}, row)
		if err != nil {
			return nil, nil, err
		}
		vals[k] = &valueCount{v: row[0], n: c}
	}
	return vals, buf, nil
}

func (e *extremeState) encode(buf []byte, _ incrAggSpec) ([]byte, error) {
	return encodeValueCounts(buf, e.t, e.vals)
}

func (e *extremeState) decode(buf []byte, _ incrAggSpec) ([]byte, error) {
	vals, rest, err := decodeValueCounts(buf, e.t)
	if err != nil {
		return nil, err
	}
	e.vals, e.stale, e.best = vals, true, nil
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
	t, n := binary.Varint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	f, m := binary.Varint(buf[n:])
	if m <= 0 {
		return nil, corruptState()
	}
	b.trues, b.falses = t, f
	return buf[n+m:], nil
}

// distinctState feeds its inner aggregate a value's first copy and
// retracts it with the last.
type distinctState struct {
	inner incrAggState
	t     types.T
	seen  map[string]*valueCount
}

func (d *distinctState) add(v types.Datum, diff int64) error {
	if v == nil {
		return nil
	}
	k, err := rowKey([]types.T{d.t}, []types.Datum{v})
	if err != nil {
		return err
	}
	vc := d.seen[k]
	if vc == nil {
		vc = &valueCount{v: v}
		d.seen[k] = vc
	}
	before := vc.n
	vc.n += diff
	after := vc.n
	if after <= 0 {
		delete(d.seen, k)
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
	buf, err := encodeValueCounts(buf, d.t, d.seen)
	if err != nil {
		return nil, err
	}
	return d.inner.encode(buf, s)
}

func (d *distinctState) decode(buf []byte, s incrAggSpec) ([]byte, error) {
	seen, rest, err := decodeValueCounts(buf, d.t)
	if err != nil {
		return nil, err
	}
	d.seen = seen
	return d.inner.decode(rest, s)
}

var _ = fmt.Sprint

// closeWindows emits and drops the groups whose window the watermark has
// closed.
func (a *IncrAggregate) closeWindows(ctx *Context) (*batch.ChangeBatch, error) {
	cb := batch.NewChangeBuilder(a.outTypes)
	var wm types.Datum
	if a.close.Source < len(ctx.Watermarks) {
		wm = ctx.Watermarks[a.close.Source]
	}
	if wm == nil {
		return cb.Build(), nil
	}
	limit := int64(wm.(types.TimestampValue))
	var closed []string
	for k, g := range a.groups {
		v := g.key[a.close.key]
		if v == nil {
			continue
		}
		if int64(v.(types.TimestampValue))+a.close.Offset <= limit {
			closed = append(closed, k)
		}
	}
	sort.Strings(closed)
	for _, k := range closed {
		g := a.groups[k]
		a.dirty[k] = true
		delete(a.groups, k)
		if g.rows <= 0 {
			continue
		}
		row, err := a.output(g)
		if err != nil {
			return nil, err
		}
		cb.Add(row, 1)
	}
	return cb.Build(), nil
}
