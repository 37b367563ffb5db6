package exec

import (
	"encoding/binary"
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// IncrJoin maintains an equi-join (inner, left, right or full) with both
// inputs stateful. For an atom with changes ΔL and ΔR it emits
// ΔL ⋈ R_old + L_new ⋈ ΔR. For outer joins each stored row also counts its
// matches on the other side, so the NULL-padded row appears exactly while a
// row has no match. The stored rows are laid out as join_state.go
// describes; a row is saved under its side, join key and row key, with its
// count, matches and encoded value (see
// docs/decisions/0010-join-state-layout.md).
type IncrJoin struct {
	kind           JoinKind
	lkeys, rkeys   []evalSpec
	ltypes, rtypes []types.T
	outTypes       []types.T
	residual       expr.Evaluator
	left, right    *joinSide
	desc           string
	lcodec, rcodec *rowState
	// ldec and rdec decode stored rows into lbuild and rbuild, the
	// builders of each side's columns of the output.
	ldec, rdec     *rowcodec.Decoder
	lbuild, rbuild *batch.Builders
	// lpurge and rpurge drop the stored rows of each side that no future
	// change can match or retract (see purge.go); nil when none can be
	// proven dead.
	lpurge, rpurge *purger
	// lpurgeRows and rpurgeRows read the columns the purge rules read.
	lpurgeRows, rpurgeRows *purgeColumns
	// lscratch and rscratch are reused by every atom for its changes.
	lscratch, rscratch changeScratch
	saveBuf, valBuf    []byte
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
	j.lpurgeRows, j.rpurgeRows = newPurgeColumns(j.ltypes, left), newPurgeColumns(j.rtypes, right)
}

// purgeColumns reads, of a side's rows, the columns its purge rules read,
// into a reused row of the side's width: the purger only looks at them
// while it is called.
type purgeColumns struct {
	cols  []int
	ts    []types.T
	codec *rowcodec.RowCodec
	vals  []types.Datum
	row   []types.Datum
}

func newPurgeColumns(ts []types.T, rules []PurgeRule) *purgeColumns {
	p := &purgeColumns{row: make([]types.Datum, len(ts))}
	seen := map[int]bool{}
	var cols []rowcodec.Column
	for _, r := range rules {
		for _, c := range r {
			if !seen[c.Col] {
				seen[c.Col] = true
				p.cols = append(p.cols, c.Col)
				p.ts = append(p.ts, ts[c.Col])
				cols = append(cols, rowcodec.Column{ID: uint32(c.Col + 1), Type: ts[c.Col]})
			}
		}
	}
	// The rule columns are of the side's types, which its rowState
	// already accepted.
	p.codec, _ = rowcodec.NewRowCodec(cols)
	p.vals = make([]types.Datum, len(cols))
	return p
}

// at returns row k of c as far as the rules read it.
func (p *purgeColumns) at(c *batch.ChangeBatch, k int) []types.Datum {
	for i, col := range p.cols {
		p.row[col] = types.DatumAt(p.ts[i], c.Cols[col], k)
	}
	return p.row
}

// decode returns a stored row's value as far as the rules read it.
func (p *purgeColumns) decode(value []byte) ([]types.Datum, error) {
	if err := p.codec.Decode(value, p.vals); err != nil {
		return nil, err
	}
	for i, col := range p.cols {
		p.row[col] = p.vals[i]
	}
	return p.row, nil
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
	seed := maphash.MakeSeed()
	j := &IncrJoin{kind: spec.Kind, ltypes: spec.LeftTypes, rtypes: spec.RightTypes, left: newJoinSide(seed), right: newJoinSide(seed)}
	j.outTypes = append(append([]types.T(nil), j.ltypes...), j.rtypes...)
	var err error
	if j.lkeys, err = compileSpecs(spec.LeftKeys, spec.LeftLayout); err != nil {
		return nil, err
	}
	if j.rkeys, err = compileSpecs(spec.RightKeys, spec.RightLayout); err != nil {
		return nil, err
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
	if j.lbuild, j.ldec, err = rowDecoder(j.ltypes); err != nil {
		return nil, err
	}
	if j.rbuild, j.rdec, err = rowDecoder(j.rtypes); err != nil {
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

// rowDecoder returns builders of columns of ts and a decoder of rowState
// values into them.
func rowDecoder(ts []types.T) (*batch.Builders, *rowcodec.Decoder, error) {
	b := batch.NewBuilders(ts)
	cols := make([]rowcodec.Column, len(ts))
	bs := make([]array.Builder, len(ts))
	for i, t := range ts {
		cols[i] = rowcodec.Column{ID: uint32(i + 1), Type: t}
		bs[i] = b.Column(i)
	}
	d, err := rowcodec.NewDecoder(cols, bs)
	return b, d, err
}

func (j *IncrJoin) Describe() string { return j.desc }
func (j *IncrJoin) StateSize() int   { return j.left.size() + j.right.size() }

// joinChange is one row change of an atom: its keys (in the scratch
// buffer), their hashes, and the matches it finds on the other side.
type joinChange struct {
	// kr is the join key followed by the row key; jkLen splits them.
	kr               []byte
	jkLen            int
	keyHash, rowHash uint64
	diff             int64
	// nullKey: a key column is NULL, so the row matches nothing. Outer
	// joins still keep it, under the empty join key, which no value
	// encodes to and which is never probed.
	nullKey bool
	matches int64
}

// changeScratch holds an atom's changes of one side and their keys.
type changeScratch struct {
	changes []joinChange
	buf     []byte
}

// encodeChanges computes each change's join key and row key straight from
// the Arrow columns, in the bytes the saved state has always used: a
// single integer-like key is its decimal digits (computeKeys' integers),
// any other key and the row key the rowcodec key encoding.
func (j *IncrJoin) encodeChanges(ctx *Context, c *batch.ChangeBatch, keySpecs []evalSpec, ts []types.T, side *joinSide, sc *changeScratch) ([]joinChange, error) {
	sc.changes = sc.changes[:0]
	if c.Len == 0 {
		return nil, nil
	}
	keyCols := make([]arrow.Array, len(keySpecs))
	keyTypes := make([]types.T, len(keySpecs))
	for i, k := range keySpecs {
		arr, err := k.ev.Eval(ctx.Eval, c.Batch)
		if err != nil {
			return nil, err
		}
		keyCols[i], keyTypes[i] = arr, k.t
	}
	var ints keys
	if len(keyCols) == 1 && isIntLike(keyTypes[0]) {
		var err error
		if ints, err = computeKeys(keyCols, keyTypes, c.Len); err != nil {
			return nil, err
		}
	}
	anyNull := false
	for _, kc := range keyCols {
		anyNull = anyNull || kc.NullN() > 0
	}
	// The scratch buffer is reused; a change's slice of it stays valid
	// when it grows, as the old array is not written again.
	buf := sc.buf[:0]
	for r := 0; r < c.Len; r++ {
		start := len(buf)
		null := false
		if anyNull {
			for _, kc := range keyCols {
				null = null || kc.IsNull(r)
			}
		}
		switch {
		case null:
		case ints.single:
			buf = strconv.AppendUint(buf, uint64(ints.ints[r]), 10)
		default:
			for i, kc := range keyCols {
				var err error
				if buf, err = rowcodec.AppendKeyAt(buf, keyTypes[i], kc, r); err != nil {
					return nil, err
				}
			}
		}
		jkLen := len(buf) - start
		for i, col := range c.Cols {
			var err error
			if buf, err = rowcodec.AppendKeyAt(buf, ts[i], col, r); err != nil {
				return nil, err
			}
		}
		kr := buf[start:len(buf):len(buf)]
		kh, rh := side.hashes(kr, jkLen)
		sc.changes = append(sc.changes, joinChange{kr: kr, jkLen: jkLen, keyHash: kh, rowHash: rh,
			diff: int64(c.Diff[r]), nullKey: null})
	}
	sc.buf = buf
	return sc.changes, nil
}

// joinPair is a candidate joined row: a change of one side and a stored
// row of the other, with the weight of the joined row.
type joinPair struct {
	change int32
	row    int32
	weight int64
}

// pairBatch builds the joined rows of pairs: the changes' rows taken from
// their batch, the stored rows decoded from their bytes.
func (j *IncrJoin) pairBatch(ps []joinPair, changes *batch.ChangeBatch, stored *joinSide, changesLeft bool) (*batch.Batch, error) {
	idx := make([]int32, len(ps))
	for k, p := range ps {
		idx[k] = p.change
	}
	taken := make([]arrow.Array, len(changes.Cols))
	for c, col := range changes.Cols {
		taken[c] = batch.TakeArray(col, idx)
	}
	build, dec := j.rbuild, j.rdec
	if !changesLeft {
		build, dec = j.lbuild, j.ldec
	}
	decoded, err := decodeRows(build, dec, stored, ps, func(p joinPair) int32 { return p.row })
	if err != nil {
		return nil, err
	}
	if changesLeft {
		return &batch.Batch{Cols: append(taken, decoded...), Len: len(ps)}, nil
	}
	return &batch.Batch{Cols: append(decoded, taken...), Len: len(ps)}, nil
}

// decodeRows decodes the stored rows of items into columns.
func decodeRows[T any](build *batch.Builders, dec *rowcodec.Decoder, s *joinSide, items []T, row func(T) int32) ([]arrow.Array, error) {
	for _, it := range items {
		if err := dec.AppendRow(s.valueOf(row(it))); err != nil {
			build.Build() // discard the partial row
			return nil, err
		}
	}
	build.AddRows(len(items))
	return build.Build().Cols, nil
}

// filterPairs keeps the pairs whose joined rows satisfy the residual
// condition, and returns them with the rows' batch.
func (j *IncrJoin) filterPairs(ctx *Context, ps []joinPair, b *batch.Batch) ([]joinPair, *batch.Batch, error) {
	if j.residual == nil || len(ps) == 0 {
		return ps, b, nil
	}
	res, err := j.residual.Eval(ctx.Eval, b)
	if err != nil {
		return nil, nil, err
	}
	sel := selection(res)
	if len(sel) == len(ps) {
		return ps, b, nil
	}
	out := make([]joinPair, len(sel))
	for k, s := range sel {
		out[k] = ps[s]
	}
	return out, b.Take(sel), nil
}

// weighted returns the changes of rows b[k] with weight weights(k): |w|
// copies, inserted or deleted by w's sign.
func weighted(b *batch.Batch, n int, weight func(k int) int64) *batch.ChangeBatch {
	diffs := make([]int8, 0, n)
	var idx []int32
	for k := 0; k < n; k++ {
		w := weight(k)
		if w == 1 || w == -1 {
			if idx != nil {
				idx = append(idx, int32(k))
			}
			diffs = append(diffs, int8(w))
			continue
		}
		if idx == nil {
			// The first row not taken once: list the ones before it.
			idx = make([]int32, k, n+8)
			for i := range idx {
				idx[i] = int32(i)
			}
		}
		d := int8(1)
		if w < 0 {
			d, w = -1, -w
		}
		for ; w > 0; w-- {
			idx = append(idx, int32(k))
			diffs = append(diffs, d)
		}
	}
	if idx == nil {
		return &batch.ChangeBatch{Batch: b, Diff: diffs}
	}
	return &batch.ChangeBatch{Batch: b.Take(idx), Diff: diffs}
}

func (j *IncrJoin) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	dl, err := j.encodeChanges(ctx, in[0], j.lkeys, j.ltypes, j.left, &j.lscratch)
	if err != nil {
		return nil, err
	}
	dr, err := j.encodeChanges(ctx, in[1], j.rkeys, j.rtypes, j.right, &j.rscratch)
	if err != nil {
		return nil, err
	}
	if len(dl) == 0 && len(dr) == 0 {
		j.purge(j.left, j.lpurge, j.lpurgeRows, ctx.Watermarks)
		j.purge(j.right, j.rpurge, j.rpurgeRows, ctx.Watermarks)
		return batch.EmptyChanges(j.outTypes), nil
	}
	leftOuter := j.kind == LeftJoin || j.kind == FullJoin
	rightOuter := j.kind == RightJoin || j.kind == FullJoin
	var out []*batch.ChangeBatch

	// Phase 1: ΔL against the right side as it was.
	j.right.warm(dl)
	var ps []joinPair
	for c := range dl {
		ch := &dl[c]
		if ch.nullKey {
			continue
		}
		for r := j.right.first(ch.keyHash, ch.kr[:ch.jkLen]); r >= 0; r = j.right.row(r).next {
			ps = append(ps, joinPair{change: int32(c), row: r, weight: ch.diff * j.right.row(r).count})
		}
	}
	if len(ps) > 0 {
		b, err := j.pairBatch(ps, in[0], j.right, true)
		if err != nil {
			return nil, err
		}
		if ps, b, err = j.filterPairs(ctx, ps, b); err != nil {
			return nil, err
		}
		out = append(out, weighted(b, len(ps), func(k int) int64 { return ps[k].weight }))
		for _, p := range ps {
			ch := &dl[p.change]
			ch.matches += j.right.row(p.row).count
			if rightOuter {
				j.right.touch(p.row)
				j.right.row(p.row).matches += ch.diff
				j.right.markDirty(p.row)
			}
		}
	}
	if err := j.store(j.left, in[0], dl, leftOuter, j.lcodec, j.lpurge, j.lpurgeRows); err != nil {
		return nil, err
	}

	// Phase 2: the new left side against ΔR.
	j.left.warm(dr)
	ps = ps[:0]
	for c := range dr {
		ch := &dr[c]
		if ch.nullKey {
			continue
		}
		for l := j.left.first(ch.keyHash, ch.kr[:ch.jkLen]); l >= 0; l = j.left.row(l).next {
			if n := j.left.row(l).count; n != 0 {
				ps = append(ps, joinPair{change: int32(c), row: l, weight: n * ch.diff})
			}
		}
	}
	if len(ps) > 0 {
		b, err := j.pairBatch(ps, in[1], j.left, false)
		if err != nil {
			return nil, err
		}
		if ps, b, err = j.filterPairs(ctx, ps, b); err != nil {
			return nil, err
		}
		out = append(out, weighted(b, len(ps), func(k int) int64 { return ps[k].weight }))
		for _, p := range ps {
			ch := &dr[p.change]
			ch.matches += j.left.row(p.row).count
			if leftOuter {
				j.left.touch(p.row)
			}
			j.left.row(p.row).matches += ch.diff
			j.left.markDirty(p.row)
		}
	}
	if err := j.store(j.right, in[1], dr, rightOuter, j.rcodec, j.rpurge, j.rpurgeRows); err != nil {
		return nil, err
	}

	if leftOuter {
		c, err := j.unmatched(j.left, j.lbuild, j.ldec, true)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if rightOuter {
		c, err := j.unmatched(j.right, j.rbuild, j.rdec, false)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	j.left.endApply()
	j.right.endApply()
	j.purge(j.left, j.lpurge, j.lpurgeRows, ctx.Watermarks)
	j.purge(j.right, j.rpurge, j.rpurgeRows, ctx.Watermarks)
	return batch.ConcatChanges(j.outTypes, out), nil
}

// store applies a side's changes to its stored rows. A new row's matches
// are the rows it joined in this atom; copies of a stored row share its
// matches.
func (j *IncrJoin) store(s *joinSide, c *batch.ChangeBatch, changes []joinChange, outer bool, codec *rowState, p *purger, pc *purgeColumns) error {
	var enc *rowcodec.BatchEncoder
	s.warm(changes)
	for k := range changes {
		ch := &changes[k]
		i := s.find(ch.keyHash, ch.rowHash, ch.kr, ch.jkLen)
		if i < 0 {
			if enc == nil {
				enc = codec.codec.NewBatchEncoder(c.Cols)
			}
			var err error
			if j.valBuf, err = enc.AppendRow(j.valBuf[:0], k); err != nil {
				return err
			}
			i = s.insert(ch.keyHash, ch.rowHash, ch.kr, ch.jkLen, j.valBuf)
		}
		if outer {
			s.touch(i)
		}
		r := s.row(i)
		if r.count == 0 {
			r.matches = ch.matches
			if p != nil {
				p.note(pc.at(c, k), joinRowRef(s, i))
			}
		}
		r.count += ch.diff
		s.markDirty(i)
	}
	return nil
}

// unmatched returns the changes of the NULL-padded rows of the rows the
// atom touched on side s, in the order it touched them.
func (j *IncrJoin) unmatched(s *joinSide, build *batch.Builders, dec *rowcodec.Decoder, left bool) (*batch.ChangeBatch, error) {
	type padded struct {
		row    int32
		weight int64
	}
	var list []padded
	for _, t := range s.touched {
		r := s.row(t.row)
		if t.count0 > 0 && t.matches0 == 0 {
			list = append(list, padded{t.row, -t.count0})
		}
		if r.count > 0 && r.matches == 0 {
			list = append(list, padded{t.row, r.count})
		}
	}
	if len(list) == 0 {
		return nil, nil
	}
	decoded, err := decodeRows(build, dec, s, list, func(p padded) int32 { return p.row })
	if err != nil {
		return nil, err
	}
	other := j.rtypes
	if !left {
		other = j.ltypes
	}
	nulls := make([]arrow.Array, len(other))
	for i, t := range other {
		nulls[i] = array.MakeArrayOfNull(types.Allocator, t.ArrowType(), len(list))
	}
	b := &batch.Batch{Cols: append(decoded, nulls...), Len: len(list)}
	if !left {
		b.Cols = append(nulls, decoded...)
	}
	return weighted(b, len(list), func(k int) int64 { return list[k].weight }), nil
}

// joinRowRef names a stored row for the purger: its number and the
// generation of its slot, so that a slot reused for another row is not
// taken for it.
func joinRowRef(s *joinSide, i int32) any {
	return uint64(s.row(i).gen)<<32 | uint64(uint32(i))
}

// purge drops the rows of side s that p finds dead.
func (j *IncrJoin) purge(s *joinSide, p *purger, pc *purgeColumns, wms []types.Datum) {
	if p == nil || !p.due(wms) {
		return
	}
	live := func(ref any) (int32, bool) {
		v := ref.(uint64)
		i := int32(uint32(v))
		r := s.row(i)
		return i, r.gen == uint32(v>>32) && r.state == rowLive
	}
	p.sweep(wms, func(ref any) ([]types.Datum, bool) {
		i, ok := live(ref)
		if !ok {
			return nil, false
		}
		row, err := pc.decode(s.valueOf(i))
		if err != nil {
			// A row that does not decode is kept: purging is an
			// optimization, and Save or the next match reports the damage.
			return nil, false
		}
		return row, true
	}, func(ref any) {
		if i, ok := live(ref); ok {
			s.drop(i)
		}
	})
}

// State keys: side byte ('l' or 'r'), join key length and bytes, row key.
// Values: count and matches as varints, then the row in rowState's
// encoding.
func appendJoinStateKey(dst []byte, side byte, jk, rk []byte) []byte {
	dst = append(dst, side)
	dst = binary.AppendUvarint(dst, uint64(len(jk)))
	dst = append(dst, jk...)
	return append(dst, rk...)
}

func (j *IncrJoin) Save(w StateWriter) error {
	for _, side := range []struct {
		tag byte
		s   *joinSide
	}{{'l', j.left}, {'r', j.right}} {
		s := side.s
		for _, i := range s.dirty {
			r := s.row(i)
			kr := s.keyOf(i)
			j.saveBuf = appendJoinStateKey(j.saveBuf[:0], side.tag, kr[:r.jkLen], kr[r.jkLen:])
			if r.state != rowLive || r.count == 0 {
				if err := w.Delete(j.saveBuf); err != nil {
					return err
				}
				continue
			}
			v := binary.AppendVarint(j.valBuf[:0], r.count)
			v = binary.AppendVarint(v, r.matches)
			j.valBuf = append(v, s.valueOf(i)...)
			if err := w.Put(j.saveBuf, j.valBuf); err != nil {
				return err
			}
		}
		s.endSave()
	}
	return nil
}

func (j *IncrJoin) Load(r StateReader) error {
	j.left, j.right = newJoinSide(j.left.seed), newJoinSide(j.left.seed)
	for _, p := range []*purger{j.lpurge, j.rpurge} {
		if p != nil {
			p.reset()
		}
	}
	var kr []byte
	return r.Scan(func(k, v []byte) error {
		if len(k) < 2 {
			return corruptState()
		}
		side, codec, p, pc := j.left, j.lcodec, j.lpurge, j.lpurgeRows
		if k[0] == 'r' {
			side, codec, p, pc = j.right, j.rcodec, j.rpurge, j.rpurgeRows
		}
		l, n := binary.Uvarint(k[1:])
		if n <= 0 || uint64(len(k)-1-n) < l {
			return corruptState()
		}
		kr = append(kr[:0], k[1+n:]...)
		count, a := binary.Varint(v)
		if a <= 0 {
			return corruptState()
		}
		matches, b := binary.Varint(v[a:])
		if b <= 0 {
			return corruptState()
		}
		value := v[a+b:]
		if _, err := codec.decode(value); err != nil {
			return err
		}
		kh, rh := side.hashes(kr, int(l))
		i := side.find(kh, rh, kr, int(l))
		if i < 0 {
			i = side.insert(kh, rh, kr, int(l), value)
		}
		side.row(i).count, side.row(i).matches = count, matches
		if p != nil {
			row, err := pc.decode(value)
			if err != nil {
				return err
			}
			p.note(row, joinRowRef(side, i))
		}
		return nil
	})
}
