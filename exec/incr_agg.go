package exec

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
//
// The groups are numbered densely (aggGroupTable) and everything a group
// holds is an entry of a flat slice indexed by its number: its row count
// and flags here, its aggregates' states in the aggColumns. Output rows are
// built into Arrow builders only when emitted: the key decoded from the
// group's stored encoding, the aggregates' old results from what the atom
// remembered of them. See docs/decisions/0009-aggregate-state-layout.md.
type IncrAggregate struct {
	keys     []evalSpec
	keyTypes []types.T
	aggs     []incrAggSpec
	global   bool
	outTypes []types.T
	desc     string
	codec    *rowState
	// close, when set, makes the aggregate emit each group once, when the
	// watermark closes the window its key names.
	close *closeSpec
	// purge drops groups whose key the watermark made final (see
	// purge.go): their output row stays in the result, and no change can
	// reach them any more. The groups wait in purgeQueue
	// (incr_agg_purge.go).
	purge      *purger
	purgeQueue groupPurgeQueue

	groups *aggGroupTable
	cols   []aggColumn
	// generalOnly keeps every aggregate in a generalColumn, for tests
	// that compare the two kinds of column.
	generalOnly bool
	// rows, flags and (with close) closeAt are indexed by group number.
	rows  []int64
	flags []groupFlags
	// closeAt is the value of the key column whose window close emits the
	// group, as microseconds (flagCloseNull: NULL).
	closeAt []int64
	// dirty lists the groups changed since the last Save (those still
	// flagged), deleted the key encodings of the groups dropped meanwhile,
	// one after the other, deletedEnds where each ends.
	dirty       []int32
	deleted     []byte
	deletedEnds []int
	// The current atom: the groups it touched in the order it first did,
	// their row counts before it, and each input row's group.
	touched    []int32
	beforeRows []int64
	gids       []int32
	// out builds output rows; keyDecoder decodes a group's key into out's
	// key columns.
	out        *batch.Builders
	keyDecoder *rowcodec.Decoder
	keyBuf     []byte
	valBuf     []byte
	saveBuf    []byte
	order      []keyOrder
}

type groupFlags uint8

const (
	flagTouched groupFlags = 1 << iota
	flagDirty
	flagCloseNull
)

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
	a.closeAt = growTo(a.closeAt, len(a.rows))
	a.desc += " (emit on window close)"
}

// AppendOnlyInput says the aggregate's input only ever inserts rows (a
// stream, filtered, projected or windowed): min and max then keep only
// their current extreme and its count, not the multiset of every value a
// retraction would need to find the next one. A window's max over a
// stream otherwise keeps, and saves after every atom, every price seen in
// the window (Nexmark q7 spent a third of its CPU encoding them). The
// saved form is still a multiset, of one value, so state saved either way
// loads either way.
func (a *IncrAggregate) AppendOnlyInput() {
	for i := range a.aggs {
		a.aggs[i].appendOnly = true
	}
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
	// appendOnly says the aggregate's input never retracts a row: min and
	// max then keep only their extreme (see AppendOnlyInput).
	appendOnly bool
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
	a := &IncrAggregate{global: len(groupBy) == 0, groups: newAggGroupTable()}
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
	a.out = batch.NewBuilders(a.outTypes)
	keyCols := make([]rowcodec.Column, len(a.keyTypes))
	keyBuilders := make([]array.Builder, len(a.keyTypes))
	for i, t := range a.keyTypes {
		keyCols[i] = rowcodec.Column{ID: uint32(i + 1), Type: t}
		keyBuilders[i] = a.out.Column(i)
	}
	if a.keyDecoder, err = rowcodec.NewDecoder(keyCols, keyBuilders); err != nil {
		return nil, err
	}
	a.makeColumns()
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
func (a *IncrAggregate) StateSize() int   { return a.groups.Len() }

// makeColumns makes the aggregates' columns: fixed-width ones where there
// are, unless generalOnly.
func (a *IncrAggregate) makeColumns() {
	a.cols = make([]aggColumn, len(a.aggs))
	for i := range a.aggs {
		a.cols[i] = newAggColumn(&a.aggs[i], a.generalOnly)
	}
}

// newGroup adds a group with key encoding key, value encoding val and key
// hash h, with the state of no rows.
func (a *IncrAggregate) newGroup(key, val []byte, h uint64) int32 {
	g := a.groups.insert(key, val, h)
	if n := a.groups.capacity(); n > len(a.rows) {
		a.rows, a.flags = growTo(a.rows, n), growTo(a.flags, n)
		if a.close != nil {
			a.closeAt = growTo(a.closeAt, n)
		}
		for _, c := range a.cols {
			c.grow(n)
		}
	}
	a.rows[g], a.flags[g] = 0, 0
	for _, c := range a.cols {
		c.reset(g)
	}
	return g
}

// dropGroup deletes group g from memory, and from storage at the next
// Save.
func (a *IncrAggregate) dropGroup(g int32) {
	a.deleted = append(a.deleted, a.groups.key(g)...)
	a.deletedEnds = append(a.deletedEnds, len(a.deleted))
	for _, c := range a.cols {
		c.drop(g)
	}
	a.flags[g] = 0
	a.groups.remove(g)
}

func (a *IncrAggregate) markDirty(g int32) {
	if a.flags[g]&flagDirty == 0 {
		a.flags[g] |= flagDirty
		a.dirty = append(a.dirty, g)
	}
}

// noteKey records what the purge queue and window closing need of a new
// group's key.
func (a *IncrAggregate) noteKey(g int32, key []types.Datum) {
	if a.close != nil {
		if v, ok := key[a.close.key].(types.TimestampValue); ok {
			a.closeAt[g] = int64(v)
		} else {
			a.flags[g] |= flagCloseNull
		}
	}
	if a.purge != nil {
		a.notePurge(g, key)
	}
}

// Initial returns the output of the aggregate over no rows: one row for a
// global aggregate, none otherwise. The workflow's result starts with it.
func (a *IncrAggregate) Initial() (*batch.ChangeBatch, error) {
	if !a.global {
		return batch.EmptyChanges(a.outTypes), nil
	}
	h := a.groups.hash(nil)
	g := a.groups.find(nil, h)
	if g < 0 {
		val, err := a.codec.encode(nil, nil)
		if err != nil {
			return nil, err
		}
		g = a.newGroup(nil, val, h)
	}
	a.markDirty(g)
	for i, c := range a.cols {
		if err := c.loaded(g); err != nil {
			return nil, err
		}
		if err := c.appendFinal(a.out.Column(i), g); err != nil {
			return nil, err
		}
	}
	a.out.AddRows(1)
	return &batch.ChangeBatch{Batch: a.out.Build(), Diff: []int8{1}}, nil
}

func (a *IncrAggregate) Apply(ctx *Context, in []*batch.ChangeBatch) (_ *batch.ChangeBatch, err error) {
	c := in[0]
	if c.Len == 0 && a.close == nil {
		if a.purge != nil && a.purgeDue(ctx.Watermarks) {
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
	passes := make([][]bool, len(a.aggs))
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
			passes[i] = make([]bool, c.Len)
			for _, r := range selection(res) {
				passes[i][r] = true
			}
		}
	}
	// Each row's group key is encoded straight from the key columns; a
	// row that starts a new group also encodes it as a row value.
	defer func() {
		a.endAtom()
		if err != nil {
			// Drop the rows half built.
			a.out.Build()
		}
	}()
	var enc *rowcodec.BatchEncoder
	gids := a.gids[:0]
	for r := 0; r < c.Len; r++ {
		kb := a.keyBuf[:0]
		for i, kc := range keyCols {
			var err error
			if kb, err = rowcodec.AppendKeyAt(kb, a.keyTypes[i], kc, r); err != nil {
				return nil, err
			}
		}
		a.keyBuf = kb
		h := a.groups.hash(kb)
		g := a.groups.find(kb, h)
		if g < 0 {
			if enc == nil {
				enc = a.codec.codec.NewBatchEncoder(keyCols)
			}
			var err error
			if a.valBuf, err = enc.AppendRow(a.valBuf[:0], r); err != nil {
				return nil, err
			}
			g = a.newGroup(kb, a.valBuf, h)
			if a.close != nil || a.purge != nil {
				key := make([]types.Datum, len(keyCols))
				for i, kc := range keyCols {
					key[i] = types.DatumAt(a.keyTypes[i], kc, r)
				}
				a.noteKey(g, key)
			}
		}
		if a.flags[g]&flagTouched == 0 {
			a.flags[g] |= flagTouched
			a.touched = append(a.touched, g)
			a.beforeRows = append(a.beforeRows, a.rows[g])
			if a.close == nil {
				for _, col := range a.cols {
					col.remember(g)
				}
			}
		}
		a.rows[g] += int64(c.Diff[r])
		gids = append(gids, g)
	}
	a.gids = gids
	for i, col := range a.cols {
		if err := col.update(gids, c.Diff, passes[i], args[i]); err != nil {
			return nil, err
		}
	}
	if a.close != nil {
		// The open windows' groups changed too: their state must be
		// saved, or a restart would lose the rows they hold so far.
		for _, g := range a.touched {
			a.markDirty(g)
		}
		return a.closeWindows(ctx)
	}
	diffs := make([]int8, 0, 2*len(a.touched))
	for t, g := range a.touched {
		rows := a.rows[g]
		if rows < 0 {
			return nil, pgerror.Internalf("aggregate: group deleted more rows than it had")
		}
		a.markDirty(g)
		had, has := a.beforeRows[t] > 0 || a.global, rows > 0 || a.global
		changed := false
		if has {
			for _, col := range a.cols {
				ch, err := col.changed(g, t)
				if err != nil {
					return nil, err
				}
				changed = changed || ch
			}
		}
		if had && has && !changed {
			continue
		}
		if had {
			if err := a.appendKey(g); err != nil {
				return nil, err
			}
			for i, col := range a.cols {
				col.appendOld(a.out.Column(len(a.keys)+i), g, t)
			}
			a.out.AddRows(1)
			diffs = append(diffs, -1)
		}
		if has {
			if err := a.appendKey(g); err != nil {
				return nil, err
			}
			for i, col := range a.cols {
				col.appendNew(a.out.Column(len(a.keys)+i), g, t)
			}
			a.out.AddRows(1)
			diffs = append(diffs, 1)
		}
		if rows == 0 && !a.global {
			a.dropGroup(g)
		}
	}
	out := &batch.ChangeBatch{Batch: a.out.Build(), Diff: diffs}
	if a.purge != nil && a.purgeDue(ctx.Watermarks) {
		a.purgeGroups(ctx.Watermarks)
	}
	return out, nil
}

// endAtom forgets what the atom remembered of the groups it touched.
func (a *IncrAggregate) endAtom() {
	for _, g := range a.touched {
		a.flags[g] &^= flagTouched
	}
	a.touched, a.beforeRows = a.touched[:0], a.beforeRows[:0]
	for _, c := range a.cols {
		c.endAtom()
	}
}

// appendKey appends group g's key to the output's key columns.
func (a *IncrAggregate) appendKey(g int32) error {
	if len(a.keys) == 0 {
		return nil
	}
	return a.keyDecoder.AppendRow(a.groups.value(g))
}

// Save writes each changed group: row count, key (as a row value) and the
// aggregate states, under the group's key encoding. It writes in key
// order, deletions first: Pebble inserts a batch's keys into its memtable
// in the batch's order, and a key next to the one before it is found from
// there instead of from the top of the skiplist.
func (a *IncrAggregate) Save(w StateWriter) error {
	if len(a.deletedEnds) > 0 {
		start := func(i int) int {
			if i == 0 {
				return 0
			}
			return a.deletedEnds[i-1]
		}
		deleted := func(i int32) []byte { return a.deleted[start(int(i)):a.deletedEnds[i]] }
		a.order = sortByKey(a.order[:0], len(a.deletedEnds), func(i int) int32 { return int32(i) }, deleted)
		for _, o := range a.order {
			if err := w.Delete(deleted(o.i)); err != nil {
				return err
			}
		}
		a.deleted, a.deletedEnds = a.deleted[:0], a.deletedEnds[:0]
	}
	// A group dropped since it was listed has lost its flag; one listed
	// twice (dropped and its number reused) is saved once.
	dirty := a.dirty[:0]
	for _, g := range a.dirty {
		if a.flags[g]&flagDirty != 0 {
			a.flags[g] &^= flagDirty
			dirty = append(dirty, g)
		}
	}
	a.order = sortByKey(a.order[:0], len(dirty), func(i int) int32 { return dirty[i] }, a.groups.key)
	for _, o := range a.order {
		g := o.i
		buf := binary.AppendVarint(a.saveBuf[:0], a.rows[g])
		val := a.groups.value(g)
		buf = binary.AppendUvarint(buf, uint64(len(val)))
		buf = append(buf, val...)
		for _, c := range a.cols {
			var err error
			if buf, err = c.encode(buf, g); err != nil {
				return err
			}
		}
		a.saveBuf = buf
		if err := w.Put(a.groups.key(g), buf); err != nil {
			return err
		}
	}
	a.dirty = a.dirty[:0]
	return nil
}

// keyOrder is an entry to sort by key: its first 16 bytes, big-endian and
// zero-padded, decide most comparisons without reading the key.
type keyOrder struct {
	p0, p1 uint64
	i      int32
}

// sortByKey appends to dst the entries item(0..n-1) ordered by key(item).
func sortByKey(dst []keyOrder, n int, item func(int) int32, key func(int32) []byte) []keyOrder {
	for j := range n {
		i := item(j)
		var pad [16]byte
		copy(pad[:], key(i))
		dst = append(dst, keyOrder{p0: binary.BigEndian.Uint64(pad[:8]), p1: binary.BigEndian.Uint64(pad[8:]), i: i})
	}
	slices.SortFunc(dst, func(x, y keyOrder) int {
		switch {
		case x.p0 != y.p0:
			return cmp.Compare(x.p0, y.p0)
		case x.p1 != y.p1:
			return cmp.Compare(x.p1, y.p1)
		}
		return bytes.Compare(key(x.i), key(y.i))
	})
	return dst
}

func (a *IncrAggregate) Load(r StateReader) error {
	a.groups = newAggGroupTable()
	a.rows, a.flags, a.closeAt = nil, nil, nil
	a.dirty, a.deleted, a.deletedEnds = nil, nil, nil
	a.makeColumns()
	a.purgeQueue = a.purgeQueue[:0]
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
		val := v[n : n+int(l)]
		v = v[n+int(l):]
		g := a.newGroup(k, val, a.groups.hash(k))
		a.rows[g] = rows
		for _, c := range a.cols {
			var err error
			if v, err = c.decode(v, g); err != nil {
				return err
			}
		}
		if rows > 0 || a.global {
			for _, c := range a.cols {
				if err := c.loaded(g); err != nil {
					return err
				}
			}
		}
		if a.close != nil || a.purge != nil {
			key, err := a.codec.decode(val)
			if err != nil {
				return err
			}
			a.noteKey(g, key)
		}
		return nil
	})
}

func corruptState() error { return pgerror.New(pgerror.DataCorrupted, "exec: corrupt aggregate state") }

// closeWindows emits and drops the groups whose window the watermark has
// closed.
func (a *IncrAggregate) closeWindows(ctx *Context) (*batch.ChangeBatch, error) {
	var wm types.Datum
	if a.close.Source < len(ctx.Watermarks) {
		wm = ctx.Watermarks[a.close.Source]
	}
	if wm == nil {
		return batch.EmptyChanges(a.outTypes), nil
	}
	limit := int64(wm.(types.TimestampValue))
	var closed []int32
	for g, live := range a.groups.live {
		if live && a.flags[g]&flagCloseNull == 0 && a.closeAt[g]+a.close.Offset <= limit {
			closed = append(closed, int32(g))
		}
	}
	a.order = sortByKey(a.order[:0], len(closed), func(i int) int32 { return closed[i] }, a.groups.key)
	var diffs []int8
	for _, o := range a.order {
		g := o.i
		if a.rows[g] > 0 {
			if err := a.appendKey(g); err != nil {
				return nil, err
			}
			for i, col := range a.cols {
				if err := col.appendFinal(a.out.Column(len(a.keys)+i), g); err != nil {
					return nil, err
				}
			}
			a.out.AddRows(1)
			diffs = append(diffs, 1)
		}
		a.dropGroup(g)
	}
	return &batch.ChangeBatch{Batch: a.out.Build(), Diff: diffs}, nil
}
