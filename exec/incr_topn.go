package exec

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/tidwall/btree"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// IncrTopN maintains ORDER BY ... LIMIT n [OFFSET m]: it keeps every input
// row ordered by the sort keys and, after each atom, emits the difference
// between the old and the new window of rows [m, m+n).
type IncrTopN struct {
	keys          []sortEval
	types         []types.T
	limit, offset int64
	rows          *btree.BTreeG[*topRow]
	out           map[string]*topRow // rows in the window, by tree key
	dirty         map[string]bool
	codec         *rowState
	desc          string
}

type topRow struct {
	key   string // sort key then row key: unique per distinct row
	row   []types.Datum
	count int64
}

// NewIncrTopN returns an incremental top-N over rows of ts laid out as
// layout. limit < 0 means no limit.
func NewIncrTopN(keys []SortSpec, limit, offset int64, layout expr.Layout, ts []types.T) (*IncrTopN, error) {
	t := &IncrTopN{types: ts, limit: limit, offset: offset, out: map[string]*topRow{}, dirty: map[string]bool{}}
	t.rows = btree.NewBTreeG(func(a, b *topRow) bool { return a.key < b.key })
	var descs []string
	for _, k := range keys {
		ev, err := expr.Compile(k.Expr, layout)
		if err != nil {
			return nil, err
		}
		t.keys = append(t.keys, sortEval{ev: ev, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		d := k.Expr.String()
		if k.Desc {
			d += " DESC"
		}
		descs = append(descs, d)
	}
	var err error
	if t.codec, err = newRowState(ts); err != nil {
		return nil, err
	}
	t.desc = "TopN: order by " + strings.Join(descs, ", ")
	if limit >= 0 {
		t.desc += fmt.Sprintf(" limit %d", limit)
	}
	if offset > 0 {
		t.desc += fmt.Sprintf(" offset %d", offset)
	}
	return t, nil
}

func (t *IncrTopN) Describe() string { return t.desc }
func (t *IncrTopN) StateSize() int   { return t.rows.Len() }

// sortKeyOf encodes a row's sort key so that byte order is the ORDER BY
// order, NULLS FIRST/LAST included.
func (t *IncrTopN) sortKeyOf(vals []types.Datum) (string, error) {
	return encodeSortKey(t.keys, vals)
}

// encodeSortKey encodes the values of sort keys so that byte order is
// their ORDER BY order.
func encodeSortKey(keys []sortEval, vals []types.Datum) (string, error) {
	var buf []byte
	for i, k := range keys {
		v := vals[i]
		switch {
		case v == nil && k.nullsFirst:
			buf = append(buf, 0)
			continue
		case v == nil:
			buf = append(buf, 2)
			continue
		}
		buf = append(buf, 1)
		var err error
		if buf, err = rowcodec.AppendKey(buf, k.t, v, k.desc); err != nil {
			return "", err
		}
	}
	return string(buf), nil
}

func (t *IncrTopN) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	cb := batch.NewChangeBuilder(t.types)
	if c.Len == 0 {
		return cb.Build(), nil
	}
	keyCols := make([]arrowArray, len(t.keys))
	for i, k := range t.keys {
		arr, err := k.ev.Eval(ctx.Eval, c.Batch)
		if err != nil {
			return nil, err
		}
		keyCols[i] = arr
	}
	for r := 0; r < c.Len; r++ {
		vals := make([]types.Datum, len(t.keys))
		for i, kc := range keyCols {
			vals[i] = types.DatumAt(t.keys[i].t, kc, r)
		}
		sk, err := t.sortKeyOf(vals)
		if err != nil {
			return nil, err
		}
		row := c.Row(t.types, r)
		rk, err := rowKey(t.types, row)
		if err != nil {
			return nil, err
		}
		key := sk + "\x00" + rk
		item, ok := t.rows.Get(&topRow{key: key})
		if !ok {
			item = &topRow{key: key, row: row}
			t.rows.Set(item)
		}
		item.count += int64(c.Diff[r])
		if item.count < 0 {
			return nil, pgerror.Internalf("top-N: row deleted more often than inserted")
		}
		if item.count == 0 {
			t.rows.Delete(item)
		}
		t.dirty[key] = true
	}
	// The new window.
	window := map[string]int64{}
	rows := map[string][]types.Datum{}
	skip, take := t.offset, t.limit
	t.rows.Scan(func(it *topRow) bool {
		n := it.count
		if skip > 0 {
			if n <= skip {
				skip -= n
				return true
			}
			n -= skip
			skip = 0
		}
		if take >= 0 && n > take {
			n = take
		}
		window[it.key] = n
		rows[it.key] = it.row
		if take >= 0 {
			take -= n
			return take > 0
		}
		return true
	})
	for k, old := range t.out {
		if n := window[k]; n < old.count {
			for i := n; i < old.count; i++ {
				cb.Add(old.row, -1)
			}
		}
	}
	newOut := make(map[string]*topRow, len(window))
	for k, n := range window {
		var had int64
		if old, ok := t.out[k]; ok {
			had = old.count
		}
		for i := had; i < n; i++ {
			cb.Add(rows[k], 1)
		}
		newOut[k] = &topRow{key: k, row: rows[k], count: n}
	}
	t.out = newOut
	return cb.Build(), nil
}

func (t *IncrTopN) Save(w StateWriter) error {
	for k := range t.dirty {
		it, ok := t.rows.Get(&topRow{key: k})
		if !ok {
			if err := w.Delete([]byte(k)); err != nil {
				return err
			}
			continue
		}
		v, err := t.codec.encode(binary.AppendVarint(nil, it.count), it.row)
		if err != nil {
			return err
		}
		if err := w.Put([]byte(k), v); err != nil {
			return err
		}
	}
	clear(t.dirty)
	return nil
}

func (t *IncrTopN) Load(r StateReader) error {
	t.rows.Clear()
	t.out, t.dirty = map[string]*topRow{}, map[string]bool{}
	if err := r.Scan(func(k, v []byte) error {
		n, m := binary.Varint(v)
		if m <= 0 {
			return corruptState()
		}
		row, err := t.codec.decode(v[m:])
		if err != nil {
			return err
		}
		t.rows.Set(&topRow{key: string(k), row: row, count: n})
		return nil
	}); err != nil {
		return err
	}
	// Rebuild the window the state implies.
	skip, take := t.offset, t.limit
	t.rows.Scan(func(it *topRow) bool {
		n := it.count
		if skip > 0 {
			if n <= skip {
				skip -= n
				return true
			}
			n -= skip
			skip = 0
		}
		if take >= 0 && n > take {
			n = take
		}
		t.out[it.key] = &topRow{key: it.key, row: it.row, count: n}
		if take >= 0 {
			take -= n
			return take > 0
		}
		return true
	})
	return nil
}
