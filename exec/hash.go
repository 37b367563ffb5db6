package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	batchpkg "portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// keys holds the hash keys of a batch's rows: one int64 per row when the
// key is a single integer column (the common case, kept unboxed), or an
// encoded byte string per row otherwise. Equal SQL values (1.0 and 1.00,
// -0 and 0, 'a ' and 'a' as char) give equal keys.
type keys struct {
	single bool
	ints   []int64
	strs   []string
	// null[i] is true when row i has a NULL in some key column.
	null []bool
	any  bool // any NULL at all
}

func isIntLike(t types.T) bool {
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Oid, types.Date, types.Timestamp, types.TimestampTZ, types.Time, types.Bool:
		return true
	}
	return false
}

// computeKeys encodes the key columns of n rows.
func computeKeys(cols []arrow.Array, ts []types.T, n int) (keys, error) {
	k := keys{null: make([]bool, n)}
	for _, c := range cols {
		if c.NullN() > 0 {
			k.any = true
			for i := 0; i < n; i++ {
				if c.IsNull(i) {
					k.null[i] = true
				}
			}
		}
	}
	if len(cols) == 1 && isIntLike(ts[0]) {
		k.single = true
		k.ints = make([]int64, n)
		switch a := cols[0].(type) {
		case *array.Int64:
			copy(k.ints, a.Int64Values())
		case *array.Int32:
			for i, v := range a.Int32Values() {
				k.ints[i] = int64(v)
			}
		case *array.Int16:
			for i, v := range a.Int16Values() {
				k.ints[i] = int64(v)
			}
		case *array.Date32:
			for i, v := range a.Date32Values() {
				k.ints[i] = int64(v)
			}
		case *array.Timestamp:
			for i, v := range a.TimestampValues() {
				k.ints[i] = int64(v)
			}
		case *array.Time64:
			for i, v := range a.Time64Values() {
				k.ints[i] = int64(v)
			}
		case *array.Boolean:
			for i := 0; i < n; i++ {
				if a.Value(i) {
					k.ints[i] = 1
				}
			}
		default:
			k.single = false
		}
		if k.single {
			return k, nil
		}
	}
	k.strs = make([]string, n)
	var buf []byte
	for i := 0; i < n; i++ {
		buf = buf[:0]
		for c, col := range cols {
			d := types.DatumAt(ts[c], col, i)
			var err error
			if buf, err = rowcodec.AppendKey(buf, ts[c], d, false); err != nil {
				return k, err
			}
		}
		k.strs[i] = string(buf)
	}
	return k, nil
}

// groupTable numbers distinct keys densely from 0.
type groupTable struct {
	ints map[int64]int32
	strs map[string]int32
	// nullGroup is the group of the NULL key of single-integer keys, whose
	// value slots hold garbage; -1 until seen.
	nullGroup int32
	n         int32
}

func newGroupTable() *groupTable {
	return &groupTable{ints: map[int64]int32{}, strs: map[string]int32{}, nullGroup: -1}
}

// lookupOrAdd returns the group of row i and whether it is new.
func (g *groupTable) lookupOrAdd(k *keys, i int) (int32, bool) {
	if k.single && k.null[i] {
		if g.nullGroup >= 0 {
			return g.nullGroup, false
		}
		g.nullGroup = g.n
		g.n++
		return g.nullGroup, true
	}
	if k.single {
		if id, ok := g.ints[k.ints[i]]; ok {
			return id, false
		}
		id := g.n
		g.ints[k.ints[i]] = id
		g.n++
		return id, true
	}
	if id, ok := g.strs[k.strs[i]]; ok {
		return id, false
	}
	id := g.n
	g.strs[k.strs[i]] = id
	g.n++
	return id, true
}

// lookup returns the group of row i, or -1.
func (g *groupTable) lookup(k *keys, i int) int32 {
	if k.single && k.null[i] {
		return g.nullGroup
	}
	if k.single {
		if id, ok := g.ints[k.ints[i]]; ok {
			return id
		}
		return -1
	}
	if id, ok := g.strs[k.strs[i]]; ok {
		return id
	}
	return -1
}

// evalKeys evaluates key expressions over b and encodes them.
func evalKeys(ctx *Context, evs []evalSpec, b *batchT) (keys, []arrow.Array, error) {
	cols := make([]arrow.Array, len(evs))
	ts := make([]types.T, len(evs))
	for i, e := range evs {
		arr, err := e.ev.Eval(ctx.Eval, b)
		if err != nil {
			return keys{}, nil, err
		}
		cols[i], ts[i] = arr, e.t
	}
	k, err := computeKeys(cols, ts, b.Len)
	return k, cols, err
}

// batchT names batch.Batch inside this file, whose package name is taken
// by a parameter elsewhere.
type batchT = batchpkg.Batch

// evalSpec is a compiled expression with its type.
type evalSpec struct {
	ev expr.Evaluator
	t  types.T
}

func compileSpecs(es []expr.Expr, layout expr.Layout) ([]evalSpec, error) {
	out := make([]evalSpec, len(es))
	for i, e := range es {
		ev, err := expr.Compile(e, layout)
		if err != nil {
			return nil, err
		}
		out[i] = evalSpec{ev: ev, t: e.Type()}
	}
	return out, nil
}
