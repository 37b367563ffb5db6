package exec

import (
	"strings"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/types"
)

// KeyLookup reads the one row of a table whose primary key equals values
// known when it opens: parameters, constants, outer columns (a lookup
// join's), or expressions of them. It is what a point query such as
// SELECT ... WHERE id = $1 runs: one seek in storage, the columns decoded
// straight into one-row arrays, and no range scan or iterator to set up.
//
// The planner uses it only when every key column is bound by an equality
// whose value has the column's type, and for key types whose encoded
// equality is SQL equality; it then drops those equalities from the filter
// above, since the lookup can return no row that fails them. A NULL key
// value finds nothing, as the equality would.
type KeyLookup struct {
	spec     *storage.TableSpec
	cols     []int
	rowKey   bool
	keys     []openValue
	keyDesc  string
	alias    string
	lookup   *storage.RowLookup // kept from run to run
	keyVals  []types.Datum
	row      *batch.Batch // the row found by Open, returned by the first Next
	rowTaken bool
}

// openValue computes a value known when an operator opens: a key value, a
// function's argument. Parameters, constants and outer columns of types
// whose datums need no normalizing are read directly; anything else is
// evaluated on a batch of one row.
type openValue struct {
	param int // $param when > 0
	konst *expr.Const
	outer *expr.ColRef
	ev    expr.Evaluator
	t     types.T
}

func newOpenValue(e expr.Expr) (openValue, error) {
	v := openValue{t: e.Type()}
	if directDatum(v.t) {
		switch x := e.(type) {
		case *expr.Param:
			v.param = x.Index
			return v, nil
		case *expr.Const:
			v.konst = x
			return v, nil
		case *expr.ColRef:
			v.outer = x
			return v, nil
		}
	}
	var err error
	v.ev, err = expr.Compile(e, nil)
	return v, err
}

// directDatum reports whether a datum of type t as it comes (a parameter,
// a constant) is what the same value read back from an array gives.
// Floats are not (a float4 array rounds), nor are numerics (an array holds
// their canonical text).
func directDatum(t types.T) bool {
	switch t.Kind {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Oid, types.Text, types.Varchar, types.Name,
		types.Bytea, types.UUID, types.Date, types.Timestamp, types.TimestampTZ:
		return true
	}
	return false
}

// value computes the value.
func (v *openValue) value(ctx *Context) (types.Datum, error) {
	switch {
	case v.param > 0:
		if v.param > len(ctx.Eval.Params) {
			return nil, pgerror.Newf(pgerror.UndefinedParameter, "there is no parameter $%d", v.param)
		}
		return ctx.Eval.Params[v.param-1], nil
	case v.konst != nil:
		return v.konst.Value, nil
	case v.outer != nil:
		d, ok := ctx.Eval.Outer[v.outer.ID]
		if !ok {
			return nil, pgerror.Internalf("column #%d is neither in the input nor an outer reference", v.outer.ID)
		}
		return d, nil
	}
	arr, err := v.ev.Eval(ctx.Eval, &batch.Batch{Len: 1})
	if err != nil {
		return nil, err
	}
	return types.DatumAt(v.t, arr, 0), nil
}

// NewKeyLookup returns a lookup of the columns cols (ordinals) of a table,
// and of the row key when rowKey is set, by the primary key values keys,
// one per primary key column (or one int8 row id for a table without a
// key). keyCols names the key's columns for EXPLAIN.
func NewKeyLookup(spec *storage.TableSpec, cols []int, rowKey bool, keys []expr.Expr, keyCols []string, alias string) (*KeyLookup, error) {
	l := &KeyLookup{spec: spec, cols: cols, rowKey: rowKey, alias: alias}
	var err error
	if l.lookup, err = storage.NewRowLookup(spec, cols, rowKey); err != nil {
		return nil, err
	}
	if len(keys) != len(l.lookup.KeyTypes()) {
		return nil, pgerror.Internalf("key lookup on %q with %d values for a key of %d columns", spec.Name, len(keys), len(l.lookup.KeyTypes()))
	}
	conds := make([]string, len(keys))
	for i, k := range keys {
		kt := l.lookup.KeyTypes()[i]
		if !k.Type().Same(kt) {
			return nil, pgerror.Internalf("key lookup on %q: value of type %s for a key column of type %s", spec.Name, k.Type(), kt)
		}
		kv, err := newOpenValue(k)
		if err != nil {
			return nil, err
		}
		l.keys = append(l.keys, kv)
		name := "?"
		if i < len(keyCols) {
			name = keyCols[i]
		}
		conds[i] = name + " = " + k.String()
	}
	l.keyDesc = strings.Join(conds, " AND ")
	l.keyVals = make([]types.Datum, len(keys))
	return l, nil
}

func (l *KeyLookup) Describe() string {
	name := l.spec.Name
	if l.alias != "" && l.alias != name {
		name += " " + l.alias
	}
	return "Primary Key Lookup on " + name + ": " + l.keyDesc
}

func (l *KeyLookup) Children() []Operator { return nil }

func (l *KeyLookup) Open(ctx *Context) error {
	l.row, l.rowTaken = nil, false
	for i := range l.keys {
		v, err := l.keys[i].value(ctx)
		if err != nil {
			return err
		}
		l.keyVals[i] = v
	}
	cols, found, err := l.lookup.Lookup(ctx.Txn, l.keyVals)
	if err != nil || !found {
		return err
	}
	l.row = batch.New(cols, 1)
	return nil
}

func (l *KeyLookup) Next(ctx *Context) (*batch.Batch, error) {
	if l.row == nil || l.rowTaken {
		return nil, nil
	}
	l.rowTaken = true
	return l.row, nil
}

func (l *KeyLookup) Close() error {
	l.row = nil
	clear(l.keyVals)
	return nil
}
