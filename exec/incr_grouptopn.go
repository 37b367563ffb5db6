package exec

import (
	"encoding/binary"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/btree"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// IncrGroupTopN maintains the rows whose row_number() OVER (PARTITION BY
// p ORDER BY o) is at most limit, with that number as an extra last
// column: the "top-N per group" that SQL writes as a window function
// filtered by its rank. Each group keeps its rows in ORDER BY order (ties
// broken by the whole row, so that ranks are deterministic) and the list
// it last emitted; after an atom, each changed group emits the rows whose
// rank changed, retracting them at the old rank and inserting them at the
// new one.
//
// Over an append-only input (a stream, or inner joins and filters of
// streams) no row ever leaves, so a row ranked below limit can never rise
// again: the group keeps only its top limit rows and its state stays
// bounded.
type IncrGroupTopN struct {
	// size is the number of rows kept over all groups, counted as they
	// come and go: the runtime reads it after every atom.
	size       int
	parts      []evalSpec
	partTypes  []types.T
	keys       []sortEval
	types      []types.T
	outTypes   []types.T
	limit      int64
	appendOnly bool
	groups     map[string]*topGroup
	// dirty lists the state entries an atom changed: group key, then
	// entry key.
	dirty map[[2]string]bool
	codec *rowState
	desc  string
}

type topGroup struct {
	rows *btree.BTreeG[*topRow]
	// out is the emitted list: out[i] holds rank i+1. A row with copies
	// fills consecutive ranks.
	out []*topRow
}

// GroupTopNSpec describes an IncrGroupTopN.
type GroupTopNSpec struct {
	PartitionBy []expr.Expr
	OrderBy     []SortSpec
	// Limit is the largest rank kept.
	Limit int64
	// Layout and Types describe the input rows.
	Layout expr.Layout
	Types  []types.T
	// AppendOnly says the input never deletes rows.
	AppendOnly bool
}

// NewIncrGroupTopN returns an incremental top-N per group. Its output is
// the input's columns followed by the rank (bigint).
func NewIncrGroupTopN(spec GroupTopNSpec) (*IncrGroupTopN, error) {
	t := &IncrGroupTopN{types: spec.Types, limit: spec.Limit, appendOnly: spec.AppendOnly,
		groups: map[string]*topGroup{}, dirty: map[[2]string]bool{}}
	var err error
	if t.parts, err = compileSpecs(spec.PartitionBy, spec.Layout); err != nil {
		return nil, err
	}
	var parts, orders []string
	for _, p := range spec.PartitionBy {
		t.partTypes = append(t.partTypes, p.Type())
		parts = append(parts, p.String())
	}
	for _, k := range spec.OrderBy {
		ev, err := expr.Compile(k.Expr, spec.Layout)
		if err != nil {
			return nil, err
		}
		t.keys = append(t.keys, sortEval{ev: ev, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		o := k.Expr.String()
		if k.Desc {
			o += " DESC"
		}
		orders = append(orders, o)
	}
	t.outTypes = append(append([]types.T(nil), spec.Types...), types.Int8Type)
	if t.codec, err = newRowState(spec.Types); err != nil {
		return nil, err
	}
	t.desc = "TopN per group: partition by " + strings.Join(parts, ", ") + " order by " + strings.Join(orders, ", ") +
		" limit " + strconv.FormatInt(spec.Limit, 10)
	if spec.AppendOnly {
		t.desc += " (append-only)"
	}
	return t, nil
}

func (t *IncrGroupTopN) Describe() string { return t.desc }

func (t *IncrGroupTopN) StateSize() int { return t.size }

func newTopGroup() *topGroup {
	return &topGroup{rows: btree.NewBTreeG(func(a, b *topRow) bool { return a.key < b.key })}
}

func (t *IncrGroupTopN) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	cb := batch.NewChangeBuilder(t.outTypes)
	if c.Len == 0 {
		return cb.Build(), nil
	}
	partCols := make([]arrowArray, len(t.parts))
	for i, p := range t.parts {
		arr, err := p.ev.Eval(ctx.Eval, c.Batch)
		if err != nil {
			return nil, err
		}
		partCols[i] = arr
	}
	keyCols := make([]arrowArray, len(t.keys))
	for i, k := range t.keys {
		arr, err := k.ev.Eval(ctx.Eval, c.Batch)
		if err != nil {
			return nil, err
		}
		keyCols[i] = arr
	}
	touched := map[string]*topGroup{}
	part := make([]types.Datum, len(t.parts))
	vals := make([]types.Datum, len(t.keys))
	for r := 0; r < c.Len; r++ {
		for i, pc := range partCols {
			part[i] = types.DatumAt(t.partTypes[i], pc, r)
		}
		gk, err := rowKey(t.partTypes, part)
		if err != nil {
			return nil, err
		}
		for i, kc := range keyCols {
			vals[i] = types.DatumAt(t.keys[i].t, kc, r)
		}
		sk, err := encodeSortKey(t.keys, vals)
		if err != nil {
			return nil, err
		}
		row := c.Row(t.types, r)
		rk, err := rowKey(t.types, row)
		if err != nil {
			return nil, err
		}
		key := sk + "\x00" + rk
		g := t.groups[gk]
		if g == nil {
			g = newTopGroup()
			t.groups[gk] = g
		}
		touched[gk] = g
		item, ok := g.rows.Get(&topRow{key: key})
		if !ok {
			item = &topRow{key: key, row: row}
			g.rows.Set(item)
			t.size++
		}
		item.count += int64(c.Diff[r])
		if item.count < 0 {
			return nil, pgerror.Internalf("top-N per group: row deleted more often than inserted")
		}
		if item.count == 0 {
			g.rows.Delete(item)
			t.size--
		}
		t.dirty[[2]string{gk, key}] = true
	}
	// Emit group by group in key order, so the output is deterministic.
	order := make([]string, 0, len(touched))
	for gk := range touched {
		order = append(order, gk)
	}
	sort.Strings(order)
	for _, gk := range order {
		g := touched[gk]
		list := t.window(g)
		for i := 0; i < max(len(list), len(g.out)); i++ {
			var old, cur *topRow
			if i < len(g.out) {
				old = g.out[i]
			}
			if i < len(list) {
				cur = list[i]
			}
			if old != nil && cur != nil && old.key == cur.key {
				continue
			}
			rank := int64(i + 1)
			if old != nil {
				cb.Add(append(append([]types.Datum(nil), old.row...), rank), -1)
			}
			if cur != nil {
				cb.Add(append(append([]types.Datum(nil), cur.row...), rank), 1)
			}
		}
		g.out = list
		if t.appendOnly {
			t.prune(gk, g)
		}
		if g.rows.Len() == 0 {
			delete(t.groups, gk)
		}
	}
	return cb.Build(), nil
}

// window returns the rows ranked 1..limit.
func (t *IncrGroupTopN) window(g *topGroup) []*topRow {
	var list []*topRow
	g.rows.Scan(func(it *topRow) bool {
		for n := int64(0); n < it.count && int64(len(list)) < t.limit; n++ {
			list = append(list, it)
		}
		return int64(len(list)) < t.limit
	})
	return list
}

// prune drops the rows ranked below limit: over an append-only input they
// can never rise again.
func (t *IncrGroupTopN) prune(gk string, g *topGroup) {
	var drop []*topRow
	seen := int64(0)
	g.rows.Scan(func(it *topRow) bool {
		if seen >= t.limit {
			drop = append(drop, it)
		}
		seen += it.count
		return true
	})
	for _, it := range drop {
		g.rows.Delete(it)
		t.size--
		t.dirty[[2]string{gk, it.key}] = true
	}
}

// State keys: uvarint length of the group key, the group key, the entry
// key (sort key, NUL, row key). Values: varint count, then the row.
func groupTopNStateKey(gk, key string) []byte {
	b := binary.AppendUvarint(nil, uint64(len(gk)))
	b = append(b, gk...)
	return append(b, key...)
}

func (t *IncrGroupTopN) Save(w StateWriter) error {
	for k := range t.dirty {
		var item *topRow
		if g := t.groups[k[0]]; g != nil {
			item, _ = g.rows.Get(&topRow{key: k[1]})
		}
		key := groupTopNStateKey(k[0], k[1])
		if item == nil {
			if err := w.Delete(key); err != nil {
				return err
			}
			continue
		}
		v, err := t.codec.encode(binary.AppendVarint(nil, item.count), item.row)
		if err != nil {
			return err
		}
		if err := w.Put(key, v); err != nil {
			return err
		}
	}
	clear(t.dirty)
	return nil
}

func (t *IncrGroupTopN) Load(r StateReader) error {
	t.groups, t.dirty, t.size = map[string]*topGroup{}, map[[2]string]bool{}, 0
	if err := r.Scan(func(k, v []byte) error {
		l, n := binary.Uvarint(k)
		if n <= 0 || uint64(len(k)-n) < l {
			return corruptState()
		}
		gk, key := string(k[n:n+int(l)]), string(k[n+int(l):])
		count, m := binary.Varint(v)
		if m <= 0 {
			return corruptState()
		}
		row, err := t.codec.decode(v[m:])
		if err != nil {
			return err
		}
		g := t.groups[gk]
		if g == nil {
			g = newTopGroup()
			t.groups[gk] = g
		}
		if _, replaced := g.rows.Set(&topRow{key: key, row: row, count: count}); !replaced {
			t.size++
		}
		return nil
	}); err != nil {
		return err
	}
	for _, g := range t.groups {
		g.out = t.window(g)
	}
	return nil
}
