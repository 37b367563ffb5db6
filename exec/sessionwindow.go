package exec

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tidwall/btree"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// Session windows.
//
// SESSION(rel, time, gap, key...) puts the rows of each key into sessions:
// rows whose times follow each other by less than gap share one, whose
// window_start is its first time and window_end its last time plus gap.
// Unlike TUMBLE and HOP, a row's window depends on the other rows: a new
// row can extend a session or merge two, and a deleted one can split one.
// Rows with a NULL (or infinite) time belong to no session, as with
// TUMBLE.

// sessionAssigner holds what both operators need: the time and key
// evaluators.
type sessionAssigner struct {
	time     expr.Evaluator
	timeType types.T
	gap      int64
	parts    []evalSpec
	partTyps []types.T
	types    []types.T
	desc     string
}

func newSessionAssigner(timeExpr expr.Expr, gap int64, partitionBy []expr.Expr, layout expr.Layout, ts []types.T) (*sessionAssigner, error) {
	ev, err := expr.Compile(timeExpr, layout)
	if err != nil {
		return nil, err
	}
	s := &sessionAssigner{time: ev, timeType: timeExpr.Type(), gap: gap, types: ts}
	if s.parts, err = compileSpecs(partitionBy, layout); err != nil {
		return nil, err
	}
	var keys []string
	for _, p := range partitionBy {
		s.partTyps = append(s.partTyps, p.Type())
		keys = append(keys, p.String())
	}
	s.desc = fmt.Sprintf("Session (gap %s, partition by %s)",
		types.FormatText(types.IntervalType, types.IntervalValue{Micros: gap}, nil), strings.Join(keys, ", "))
	return s, nil
}

// rowsOf evaluates each row's time and key; valid is false for rows in no
// session.
func (s *sessionAssigner) rowsOf(ctx *Context, b *batch.Batch) (times []int64, keys []string, valid []bool, err error) {
	arr, err := s.time.Eval(ctx.Eval, b)
	if err != nil {
		return nil, nil, nil, err
	}
	ts := arr.(*array.Timestamp)
	parts := make([]arrow.Array, len(s.parts))
	for i, p := range s.parts {
		if parts[i], err = p.ev.Eval(ctx.Eval, b); err != nil {
			return nil, nil, nil, err
		}
	}
	times, keys, valid = make([]int64, b.Len), make([]string, b.Len), make([]bool, b.Len)
	vals := make([]types.Datum, len(parts))
	for i := 0; i < b.Len; i++ {
		if ts.IsNull(i) {
			continue
		}
		t := int64(ts.Value(i))
		if t == int64(types.TimestampInfinity) || t == int64(types.TimestampNegInfinity) {
			continue
		}
		for c, p := range parts {
			vals[c] = types.DatumAt(s.partTyps[c], p, i)
		}
		k, err := rowKey(s.partTyps, vals)
		if err != nil {
			return nil, nil, nil, err
		}
		times[i], keys[i], valid[i] = t, k, true
	}
	return times, keys, valid, nil
}

func (s *sessionAssigner) bounds(starts, ends []int64) []arrow.Array {
	dt := s.timeType.ArrowType()
	return []arrow.Array{
		batch.Fixed(dt, toTimestamps(starts), arrow.TimestampTraits.CastToBytes, nil, 0),
		batch.Fixed(dt, toTimestamps(ends), arrow.TimestampTraits.CastToBytes, nil, 0),
	}
}

// SessionWindow is the batch operator of SESSION: it reads its whole
// input, then assigns the sessions.
type SessionWindow struct {
	input Operator
	s     *sessionAssigner
	out   *batch.Batch
	pos   int
}

// NewSessionWindow returns SESSION over input, whose rows are of types ts.
func NewSessionWindow(input Operator, timeExpr expr.Expr, gap int64, partitionBy []expr.Expr, layout expr.Layout, ts []types.T) (*SessionWindow, error) {
	s, err := newSessionAssigner(timeExpr, gap, partitionBy, layout, ts)
	if err != nil {
		return nil, err
	}
	return &SessionWindow{input: input, s: s}, nil
}

func (w *SessionWindow) Describe() string     { return w.s.desc }
func (w *SessionWindow) Children() []Operator { return []Operator{w.input} }
func (w *SessionWindow) Close() error         { return w.input.Close() }

func (w *SessionWindow) Open(ctx *Context) error {
	w.out, w.pos = nil, 0
	return w.input.Open(ctx)
}

func (w *SessionWindow) Next(ctx *Context) (*batch.Batch, error) {
	if w.out == nil {
		if err := w.assign(ctx); err != nil {
			return nil, err
		}
	}
	if w.pos >= w.out.Len {
		return nil, nil
	}
	end := min(w.pos+ctx.BatchSize, w.out.Len)
	b := w.out.Slice(w.pos, end)
	w.pos = end
	return b, nil
}

func (w *SessionWindow) assign(ctx *Context) error {
	var parts []*batch.Batch
	for {
		b, err := w.input.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		parts = append(parts, b)
	}
	all := batch.Concat(w.s.types, parts)
	times, keys, valid, err := w.s.rowsOf(ctx, all)
	if err != nil {
		return err
	}
	var idx []int32
	for i := range valid {
		if valid[i] {
			idx = append(idx, int32(i))
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if keys[ia] != keys[ib] {
			return keys[ia] < keys[ib]
		}
		return times[ia] < times[ib]
	})
	starts, ends := make([]int64, len(idx)), make([]int64, len(idx))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && keys[idx[j]] == keys[idx[i]] && times[idx[j]]-times[idx[j-1]] < w.s.gap {
			j++
		}
		for k := i; k < j; k++ {
			starts[k], ends[k] = times[idx[i]], times[idx[j-1]]+w.s.gap
		}
		i = j
	}
	cols := make([]arrow.Array, 0, len(all.Cols)+2)
	for _, c := range all.Cols {
		cols = append(cols, batch.TakeArray(c, idx))
	}
	cols = append(cols, w.s.bounds(starts, ends)...)
	w.out = &batch.Batch{Cols: cols, Len: len(idx)}
	return nil
}

// IncrSessionWindow maintains SESSION incrementally. Per key it keeps the
// rows ordered by time. An atom's changes to a key can only change the
// sessions within gap of the changed times: the operator finds those
// sessions as they were, applies the changes, assigns the same stretch of
// time again, and emits the rows whose session changed (retracted with
// the old bounds, inserted with the new ones).
type IncrSessionWindow struct {
	// size is the number of rows kept over all groups, counted as they
	// come and go: the runtime reads it after every atom.
	size   int
	s      *sessionAssigner
	out    []types.T
	groups map[string]*sessionGroup
	dirty  map[[2]string]bool
	codec  *rowState
}

type sessionEntry struct {
	t     int64
	key   string // the time, order-preserving, then the row key
	row   []types.Datum
	count int64
}

type sessionGroup struct {
	rows *btree.BTreeG[*sessionEntry]
}

func newSessionGroup() *sessionGroup {
	return &sessionGroup{rows: btree.NewBTreeG(func(a, b *sessionEntry) bool { return a.key < b.key })}
}

// sessionKey orders entries by time, then by row.
func sessionKey(t int64, rk string) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t)^(1<<63))
	return string(b[:]) + rk
}

// NewIncrSessionWindow returns incremental SESSION over rows of types ts.
func NewIncrSessionWindow(timeExpr expr.Expr, gap int64, partitionBy []expr.Expr, layout expr.Layout, ts []types.T) (*IncrSessionWindow, error) {
	s, err := newSessionAssigner(timeExpr, gap, partitionBy, layout, ts)
	if err != nil {
		return nil, err
	}
	w := &IncrSessionWindow{s: s, groups: map[string]*sessionGroup{}, dirty: map[[2]string]bool{}}
	w.out = append(append([]types.T(nil), ts...), timeExpr.Type(), timeExpr.Type())
	if w.codec, err = newRowState(ts); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *IncrSessionWindow) Describe() string { return w.s.desc }

func (w *IncrSessionWindow) StateSize() int { return w.size }

// placed is an entry with its session.
type placed struct {
	e          *sessionEntry
	count      int64
	start, end int64
}

// sessions assigns the sessions of the entries with times in [lo, hi].
func (w *IncrSessionWindow) sessions(g *sessionGroup, lo, hi int64) []placed {
	var out []placed
	g.rows.Ascend(&sessionEntry{key: sessionKey(lo, "")}, func(e *sessionEntry) bool {
		if e.t > hi {
			return false
		}
		out = append(out, placed{e: e, count: e.count})
		return true
	})
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j].e.t-out[j-1].e.t < w.s.gap {
			j++
		}
		for k := i; k < j; k++ {
			out[k].start, out[k].end = out[i].e.t, out[j-1].e.t+w.s.gap
		}
		i = j
	}
	return out
}

// affected returns the span of the sessions that have a row within gap of
// [lo, hi]; ok is false when there is none.
func (w *IncrSessionWindow) affected(g *sessionGroup, lo, hi int64) (from, to int64, ok bool) {
	var first *sessionEntry
	g.rows.Ascend(&sessionEntry{key: sessionKey(lo-w.s.gap, "")}, func(e *sessionEntry) bool {
		first = e
		return false
	})
	if first == nil || first.t > hi+w.s.gap {
		return 0, 0, false
	}
	from, to = first.t, first.t
	g.rows.Descend(first, func(e *sessionEntry) bool {
		if e == first {
			return true
		}
		if from-e.t >= w.s.gap {
			return false
		}
		from = e.t
		return true
	})
	g.rows.Ascend(first, func(e *sessionEntry) bool {
		if e.t > hi+w.s.gap && e.t-to >= w.s.gap {
			return false
		}
		to = e.t
		return true
	})
	return from, to, true
}

func (w *IncrSessionWindow) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	cb := batch.NewChangeBuilder(w.out)
	if c.Len == 0 {
		return cb.Build(), nil
	}
	times, keys, valid, err := w.s.rowsOf(ctx, c.Batch)
	if err != nil {
		return nil, err
	}
	type change struct {
		t    int64
		row  []types.Datum
		diff int64
	}
	byKey := map[string][]change{}
	for r := 0; r < c.Len; r++ {
		if valid[r] {
			byKey[keys[r]] = append(byKey[keys[r]], change{t: times[r], row: c.Row(w.s.types, r), diff: int64(c.Diff[r])})
		}
	}
	order := make([]string, 0, len(byKey))
	for k := range byKey {
		order = append(order, k)
	}
	sort.Strings(order)
	for _, gk := range order {
		chs := byKey[gk]
		g := w.groups[gk]
		if g == nil {
			g = newSessionGroup()
			w.groups[gk] = g
		}
		lo, hi := chs[0].t, chs[0].t
		for _, ch := range chs {
			lo, hi = min(lo, ch.t), max(hi, ch.t)
		}
		var before []placed
		from, to := lo, hi
		if f, t, ok := w.affected(g, lo, hi); ok {
			before = w.sessions(g, f, t)
			from, to = min(from, f), max(to, t)
		}
		for _, ch := range chs {
			rk, err := rowKey(w.s.types, ch.row)
			if err != nil {
				return nil, err
			}
			key := sessionKey(ch.t, rk)
			e, ok := g.rows.Get(&sessionEntry{key: key})
			if !ok {
				e = &sessionEntry{t: ch.t, key: key, row: ch.row}
				g.rows.Set(e)
				w.size++
			}
			e.count += ch.diff
			if e.count < 0 {
				return nil, pgerror.Internalf("session window: row deleted more often than inserted")
			}
			if e.count == 0 {
				g.rows.Delete(e)
				w.size--
			}
			w.dirty[[2]string{gk, key}] = true
		}
		after := w.sessions(g, from, to)
		old := make(map[string]placed, len(before))
		for _, p := range before {
			old[p.e.key] = p
		}
		emit := func(p placed, n int64, diff int8) {
			row := append(append([]types.Datum(nil), p.e.row...), types.TimestampValue(p.start), types.TimestampValue(p.end))
			for ; n > 0; n-- {
				cb.Add(row, diff)
			}
		}
		for _, p := range after {
			o, had := old[p.e.key]
			delete(old, p.e.key)
			switch {
			case had && o.start == p.start && o.end == p.end:
				if p.count > o.count {
					emit(p, p.count-o.count, 1)
				} else {
					emit(p, o.count-p.count, -1)
				}
			default:
				if had {
					emit(o, o.count, -1)
				}
				emit(p, p.count, 1)
			}
		}
		for _, p := range before {
			if o, ok := old[p.e.key]; ok {
				emit(o, o.count, -1)
			}
		}
		if g.rows.Len() == 0 {
			delete(w.groups, gk)
		}
	}
	return cb.Build(), nil
}

// State keys: uvarint length of the key, the key, the entry key. Values:
// varint count, then the row.
func (w *IncrSessionWindow) Save(sw StateWriter) error {
	for k := range w.dirty {
		var e *sessionEntry
		if g := w.groups[k[0]]; g != nil {
			e, _ = g.rows.Get(&sessionEntry{key: k[1]})
		}
		key := groupTopNStateKey(k[0], k[1])
		if e == nil {
			if err := sw.Delete(key); err != nil {
				return err
			}
			continue
		}
		v, err := w.codec.encode(binary.AppendVarint(nil, e.count), e.row)
		if err != nil {
			return err
		}
		if err := sw.Put(key, v); err != nil {
			return err
		}
	}
	clear(w.dirty)
	return nil
}

func (w *IncrSessionWindow) Load(r StateReader) error {
	w.groups, w.dirty, w.size = map[string]*sessionGroup{}, map[[2]string]bool{}, 0
	return r.Scan(func(k, v []byte) error {
		l, n := binary.Uvarint(k)
		if n <= 0 || uint64(len(k)-n) < l+8 {
			return corruptState()
		}
		gk, key := string(k[n:n+int(l)]), string(k[n+int(l):])
		count, m := binary.Varint(v)
		if m <= 0 {
			return corruptState()
		}
		row, err := w.codec.decode(v[m:])
		if err != nil {
			return err
		}
		g := w.groups[gk]
		if g == nil {
			g = newSessionGroup()
			w.groups[gk] = g
		}
		t := int64(binary.BigEndian.Uint64([]byte(key[:8])) ^ (1 << 63))
		if _, replaced := g.rows.Set(&sessionEntry{t: t, key: key, row: row, count: count}); !replaced {
			w.size++
		}
		return nil
	})
}
