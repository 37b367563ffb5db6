package exec

import (
	"encoding/binary"
	"sort"
	"strings"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// IncrJoin maintains an equi-join (inner, left, right or full) with both
// inputs stateful. For an atom with changes ΔL and ΔR it emits
// ΔL ⋈ R_old + L_new ⋈ ΔR. For outer joins each stored row also counts its
// matches on the other side, so the NULL-padded row appears exactly while a
// row has no match.
type IncrJoin struct {
	kind           JoinKind
	lkeys, rkeys   []evalSpec
	ltypes, rtypes []types.T
	lkeyTypes      []types.T
	residual       expr.Evaluator
	left, right    *joinSide
	desc           string
	lcodec, rcodec *rowState
	// lpurge and rpurge drop the stored rows of each side that no future
	// change can match or retract (see purge.go); nil when none can be
	// proven dead.
	lpurge, rpurge *purger
}

// PurgeDeadRows drops, without emitting anything, the stored rows of each
// side that the rules say no change on either side can match or retract.
// Rule columns index the side's row. Only for inner joins: an outer join's
// NULL-padded rows depend on rows being kept.
func (j *IncrJoin) PurgeDeadRows(left, right []PurgeRule) {
	if j.kind != InnerJoin {
		return
	}
	j.lpurge, j.rpurge = newPurger(left), newPurger(right)
}

type joinEntry struct {
	// jk and rk are the entry's join key and row key: its place in
	// joinSide.byKey and in the saved state.
	jk, rk  string
	row     []types.Datum
	count   int64
	matches int64
}

type joinSide struct {
	byKey map[string]map[string]*joinEntry
	dirty map[[2]string]bool
	// entries is the number of rows in byKey, kept as they come and go:
	// the runtime asks for the state's size after every atom, and
	// counting the maps then made each atom cost as much as the state.
	entries int
}

func newJoinSide() *joinSide {
	return &joinSide{byKey: map[string]map[string]*joinEntry{}, dirty: map[[2]string]bool{}}
}

func (s *joinSide) entry(jk, rk string, row []types.Datum) *joinEntry {
	m := s.byKey[jk]
	if m == nil {
		m = map[string]*joinEntry{}
		s.byKey[jk] = m
	}
	e := m[rk]
	if e == nil {
		e = &joinEntry{jk: jk, rk: rk, row: row}
		m[rk] = e
		s.entries++
	}
	return e
}

// addMatches changes a stored row's count of matches; the change is saved
// with the atom like a change of its count.
func (s *joinSide) addMatches(e *joinEntry, n int64) {
	e.matches += n
	s.dirty[[2]string{e.jk, e.rk}] = true
}

func (s *joinSide) size() int { return s.entries }

// remove deletes an entry; the deletion is saved with the atom.
func (s *joinSide) remove(e *joinEntry) {
	m := s.byKey[e.jk]
	if m[e.rk] != e {
		return
	}
	delete(m, e.rk)
	if len(m) == 0 {
		delete(s.byKey, e.jk)
	}
	s.entries--
	s.dirty[[2]string{e.jk, e.rk}] = true
}

// purge drops the entries p finds dead.
func (s *joinSide) purge(p *purger, wms []types.Datum) {
	if p == nil || !p.due(wms) {
		return
	}
	p.sweep(wms, func(ref any) ([]types.Datum, bool) {
		e := ref.(*joinEntry)
		return e.row, s.byKey[e.jk][e.rk] == e
	}, func(ref any) { s.remove(ref.(*joinEntry)) })
}

// NewIncrJoin returns an incremental join. Keys are over each side's
// layout; the residual condition is over the left columns followed by the
// right ones.
func NewIncrJoin(spec JoinSpec) (*IncrJoin, error) {
	if spec.Kind == SemiJoin || spec.Kind == AntiJoin {
		return nil, pgerror.Unsupportedf("EXISTS and IN subqueries are not supported in workflows yet")
	}
	if len(spec.LeftKeys) == 0 {
		return nil, pgerror.Unsupportedf("joins without an equality condition are not supported in workflows")
	}
	j := &IncrJoin{kind: spec.Kind, ltypes: spec.LeftTypes, rtypes: spec.RightTypes, left: newJoinSide(), right: newJoinSide()}
	var err error
	if j.lkeys, err = compileSpecs(spec.LeftKeys, spec.LeftLayout); err != nil {
		return nil, err
	}
	if j.rkeys, err = compileSpecs(spec.RightKeys, spec.RightLayout); err != nil {
		return nil, err
	}
	for _, k := range spec.LeftKeys {
		j.lkeyTypes = append(j.lkeyTypes, k.Type())
	}
	if spec.Residual != nil {
		if j.residual, err = expr.Compile(spec.Residual, spec.Layout); err != nil {
			return nil, err
		}
	}
	if j.lcodec, err = newRowState(j.ltypes); err != nil {
		return nil, err
	}
	if j.rcodec, err = newRowState(j.rtypes); err != nil {
		return nil, err
	}
	// The description names the keys, as EXPLAIN WORKFLOW shows them: the
	// state is each side's rows by join key.
	conds := make([]string, len(spec.LeftKeys))
	for i := range spec.LeftKeys {
		conds[i] = spec.LeftKeys[i].String() + " = " + spec.RightKeys[i].String()
	}
	j.desc = spec.Kind.String() + " Join: keys " + strings.Join(conds, ", ")
	if spec.Residual != nil {
		j.desc += "; filter " + spec.Residual.String()
	}
	return j, nil
}

func (j *IncrJoin) Describe() string { return j.desc }
func (j *IncrJoin) StateSize() int   { return j.left.size() + j.right.size() }

func (j *IncrJoin) outTypes() []types.T {
	return append(append([]types.T(nil), j.ltypes...), j.rtypes...)
}

// change is one row change with its join key (null when a key column is
// NULL: it matches nothing).
type change struct {
	row   []types.Datum
	diff  int64
	jk    string
	rk    string
	nullK bool
}

func (j *IncrJoin) changes(ctx *Context, c *batch.ChangeBatch, keys []evalSpec, ts []types.T) ([]change, error) {
	if c.Len == 0 {
		return nil, nil
	}
	k, _, err := evalKeys(ctx, keys, c.Batch)
	if err != nil {
		return nil, err
	}
	out := make([]change, c.Len)
	for r := 0; r < c.Len; r++ {
		row := c.Row(ts, r)
		rk, err := rowKey(ts, row)
		if err != nil {
			return nil, err
		}
		ch := change{row: row, diff: int64(c.Diff[r]), rk: rk, nullK: k.null[r]}
		switch {
		case ch.nullK:
			// Rows with a NULL key match nothing, but outer joins keep
			// them. They live under the empty join key, which no value
			// encodes to and which is never probed; an integer key's slot
			// of a NULL holds 0 and would match the rows of 0.
			ch.jk = ""
		case k.single:
			ch.jk = itoaKey(k.ints[r])
		default:
			ch.jk = k.strs[r]
		}
		out[r] = ch
	}
	return out, nil
}

// pair is a candidate joined row with its weight.
type pair struct {
	l, r   []types.Datum
	weight int64
	// le and re are the stored entries involved, for match counting.
	le, re *joinEntry
	lch    *change
	rch    *change
}

// filterPairs keeps the pairs that satisfy the residual condition.
func (j *IncrJoin) filterPairs(ctx *Context, ps []pair) ([]pair, error) {
	if j.residual == nil || len(ps) == 0 {
		return ps, nil
	}
	rows := make([][]types.Datum, len(ps))
	for i, p := range ps {
		rows[i] = append(append([]types.Datum(nil), p.l...), p.r...)
	}
	b := batch.FromRows(j.outTypes(), rows)
	res, err := j.residual.Eval(ctx.Eval, b)
	if err != nil {
		return nil, err
	}
	sel := selection(res)
	out := make([]pair, len(sel))
	for i, s := range sel {
		out[i] = ps[s]
	}
	return out, nil
}

// touched records an entry's state before the atom, for outer joins.
type touched struct {
	e                *joinEntry
	count0, matches0 int64
}

func (j *IncrJoin) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	dl, err := j.changes(ctx, in[0], j.lkeys, j.ltypes)
	if err != nil {
		return nil, err
	}
	dr, err := j.changes(ctx, in[1], j.rkeys, j.rtypes)
	if err != nil {
		return nil, err
	}
	cb := batch.NewChangeBuilder(j.outTypes())
	if len(dl) == 0 && len(dr) == 0 {
		j.left.purge(j.lpurge, ctx.Watermarks)
		j.right.purge(j.rpurge, ctx.Watermarks)
		return cb.Build(), nil
	}
	leftOuter := j.kind == LeftJoin || j.kind == FullJoin
	rightOuter := j.kind == RightJoin || j.kind == FullJoin
	lTouched := map[*joinEntry]*touched{}
	rTouched := map[*joinEntry]*touched{}
	touch := func(m map[*joinEntry]*touched, e *joinEntry) {
		if _, ok := m[e]; !ok {
			m[e] = &touched{e: e, count0: e.count, matches0: e.matches}
		}
	}
	emit := func(ps []pair) {
		for _, p := range ps {
			row := append(append([]types.Datum(nil), p.l...), p.r...)
			d := int8(1)
			w := p.weight
			if w < 0 {
				d, w = -1, -w
			}
			for i := int64(0); i < w; i++ {
				cb.Add(row, d)
			}
		}
	}

	// Phase 1: ΔL against the right side as it was.
	var ps []pair
	for i := range dl {
		ch := &dl[i]
		if ch.nullK {
			continue
		}
		for _, re := range j.right.byKey[ch.jk] {
			ps = append(ps, pair{l: ch.row, r: re.row, weight: ch.diff * re.count, re: re, lch: ch})
		}
	}
	if ps, err = j.filterPairs(ctx, ps); err != nil {
		return nil, err
	}
	emit(ps)
	lMatches := map[*change]int64{}
	for _, p := range ps {
		lMatches[p.lch] += p.re.count
		if rightOuter {
			touch(rTouched, p.re)
			j.right.addMatches(p.re, p.lch.diff)
		}
	}
	// Apply ΔL to the left state.
	for i := range dl {
		ch := &dl[i]
		e := j.left.entry(ch.jk, ch.rk, ch.row)
		touch(lTouched, e)
		if e.count == 0 {
			// A new row: its matches are the right rows it joins. Copies of
			// an existing row share its matches.
			e.matches = lMatches[ch]
			if j.lpurge != nil {
				j.lpurge.note(e.row, e)
			}
		}
		e.count += ch.diff
		j.left.dirty[[2]string{ch.jk, ch.rk}] = true
	}
	// Phase 2: the new left side against ΔR.
	ps = ps[:0]
	for i := range dr {
		ch := &dr[i]
		if ch.nullK {
			continue
		}
		for _, le := range j.left.byKey[ch.jk] {
			if le.count == 0 {
				continue
			}
			ps = append(ps, pair{l: le.row, r: ch.row, weight: le.count * ch.diff, le: le, rch: ch})
		}
	}
	if ps, err = j.filterPairs(ctx, ps); err != nil {
		return nil, err
	}
	emit(ps)
	rMatches := map[*change]int64{}
	for _, p := range ps {
		rMatches[p.rch] += p.le.count
		touch(lTouched, p.le)
		j.left.addMatches(p.le, p.rch.diff)
	}
	for i := range dr {
		ch := &dr[i]
		e := j.right.entry(ch.jk, ch.rk, ch.row)
		touch(rTouched, e)
		if e.count == 0 {
			e.matches = rMatches[ch]
			if j.rpurge != nil {
				j.rpurge.note(e.row, e)
			}
		}
		e.count += ch.diff
		j.right.dirty[[2]string{ch.jk, ch.rk}] = true
	}
	if leftOuter {
		nulls := make([]types.Datum, len(j.rtypes))
		j.emitUnmatched(cb, lTouched, func(row []types.Datum) []types.Datum { return append(append([]types.Datum(nil), row...), nulls...) })
	}
	if rightOuter {
		nulls := make([]types.Datum, len(j.ltypes))
		j.emitUnmatched(cb, rTouched, func(row []types.Datum) []types.Datum { return append(append([]types.Datum(nil), nulls...), row...) })
	}
	j.dropEmpty(j.left)
	j.dropEmpty(j.right)
	j.left.purge(j.lpurge, ctx.Watermarks)
	j.right.purge(j.rpurge, ctx.Watermarks)
	return cb.Build(), nil
}

// emitUnmatched emits the change of each touched entry's NULL-padded row.
func (j *IncrJoin) emitUnmatched(cb *batch.ChangeBuilder, ts map[*joinEntry]*touched, pad func([]types.Datum) []types.Datum) {
	// Deterministic order: by the padded row's position of first touch is
	// not tracked, so sort by row key.
	list := make([]*touched, 0, len(ts))
	for _, t := range ts {
		list = append(list, t)
	}
	sort.Slice(list, func(a, b int) bool {
		return fmtRow(list[a].e.row) < fmtRow(list[b].e.row)
	})
	for _, t := range list {
		e := t.e
		if t.count0 > 0 && t.matches0 == 0 {
			for i := int64(0); i < t.count0; i++ {
				cb.Add(pad(e.row), -1)
			}
		}
		if e.count > 0 && e.matches == 0 {
			for i := int64(0); i < e.count; i++ {
				cb.Add(pad(e.row), 1)
			}
		}
	}
}

func fmtRow(row []types.Datum) string {
	var b []byte
	for _, d := range row {
		b = append(b, []byte(typesKeyString(d))...)
		b = append(b, 0)
	}
	return string(b)
}

func typesKeyString(d types.Datum) string {
	if d == nil {
		return "\xff"
	}
	return types.FormatText(guessType(d), d, nil)
}

func guessType(d types.Datum) types.T {
	switch d.(type) {
	case bool:
		return types.BoolType
	case int64:
		return types.Int8Type
	case float64:
		return types.Float8Type
	case []byte:
		return types.ByteaType
	case types.DateValue:
		return types.DateType
	case types.TimestampValue:
		return types.TimestampType
	case types.IntervalValue:
		return types.IntervalType
	case types.UUIDValue:
		return types.UUIDType
	case types.TimeOfDay:
		return types.TimeType
	case []types.Datum:
		return types.ArrayOf(types.Text)
	}
	if _, ok := d.(string); ok {
		return types.TextType
	}
	return types.NumericType
}

func (j *IncrJoin) dropEmpty(s *joinSide) {
	for k := range s.dirty {
		m := s.byKey[k[0]]
		if e := m[k[1]]; e != nil && e.count == 0 {
			delete(m, k[1])
			s.entries--
			if len(m) == 0 {
				delete(s.byKey, k[0])
			}
		}
	}
}

// State keys: side byte ('l' or 'r'), join key length and bytes, row key.
func joinStateKey(side byte, jk, rk string) []byte {
	b := []byte{side}
	b = binary.AppendUvarint(b, uint64(len(jk)))
	b = append(b, jk...)
	return append(b, rk...)
}

func (j *IncrJoin) Save(w StateWriter) error {
	for side, s := range map[byte]*joinSide{'l': j.left, 'r': j.right} {
		codec := j.lcodec
		if side == 'r' {
			codec = j.rcodec
		}
		for k := range s.dirty {
			key := joinStateKey(side, k[0], k[1])
			e := s.byKey[k[0]][k[1]]
			if e == nil || e.count == 0 {
				if err := w.Delete(key); err != nil {
					return err
				}
				continue
			}
			v := binary.AppendVarint(nil, e.count)
			v = binary.AppendVarint(v, e.matches)
			v, err := codec.encode(v, e.row)
			if err != nil {
				return err
			}
			if err := w.Put(key, v); err != nil {
				return err
			}
		}
		clear(s.dirty)
	}
	return nil
}

func (j *IncrJoin) Load(r StateReader) error {
	j.left, j.right = newJoinSide(), newJoinSide()
	for _, p := range []*purger{j.lpurge, j.rpurge} {
		if p != nil {
			p.reset()
		}
	}
	return r.Scan(func(k, v []byte) error {
		if len(k) < 2 {
			return corruptState()
		}
		side, codec := j.left, j.lcodec
		if k[0] == 'r' {
			side, codec = j.right, j.rcodec
		}
		l, n := binary.Uvarint(k[1:])
		if n <= 0 || uint64(len(k)-1-n) < l {
			return corruptState()
		}
		jk := string(k[1+n : 1+n+int(l)])
		rk := string(k[1+n+int(l):])
		count, a := binary.Varint(v)
		if a <= 0 {
			return corruptState()
		}
		matches, b := binary.Varint(v[a:])
		if b <= 0 {
			return corruptState()
		}
		row, err := codec.decode(v[a+b:])
		if err != nil {
			return err
		}
		e := side.entry(jk, rk, row)
		e.count, e.matches = count, matches
		p := j.lpurge
		if side == j.right {
			p = j.rpurge
		}
		if p != nil {
			p.note(row, e)
		}
		return nil
	})
}
