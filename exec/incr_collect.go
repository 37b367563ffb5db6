package exec

import (
	"encoding/binary"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// Aggregates whose running state cannot take a value back (string_agg,
// array_agg, json_agg, bit_and, variance, ...) and aggregates with ORDER
// BY are kept, in a workflow, by keeping each group's multiset of argument
// rows with their sort keys. When the group changes, the batch engine's
// own accumulator runs over the multiset in order, so the result is the
// batch aggregate's by construction. Its cost per change is the group's
// size, where the retractable states of incr_agg.go pay a constant.

// collectedAggs are the aggregates kept by collecting; the ordered-set
// aggregates (percentile_cont, mode) are not among them.
var collectedAggs = map[string]bool{
	"string_agg": true, "array_agg": true, "json_agg": true, "jsonb_agg": true,
	"json_object_agg": true, "jsonb_object_agg": true,
	"bit_and": true, "bit_or": true, "bit_xor": true,
	"stddev": true, "stddev_samp": true, "stddev_pop": true, "variance": true, "var_samp": true, "var_pop": true,
	"regr_count": true, "regr_sxx": true, "regr_syy": true, "regr_sxy": true, "regr_avgx": true, "regr_avgy": true,
	"regr_r2": true, "regr_slope": true, "regr_intercept": true, "covar_pop": true, "covar_samp": true, "corr": true,
}

// collectedRow is one distinct argument row with its multiplicity.
type collectedRow struct {
	vals []types.Datum
	n    int64
}

// collectState is one collected aggregate's state in one group.
type collectState struct {
	spec *incrAggSpec
	// rowTypes are the argument types, then the sort keys' types.
	rowTypes []types.T
	rows     map[string]*collectedRow
}

func newCollectState(s *incrAggSpec) *collectState {
	ts := append([]types.T(nil), s.ArgTypes...)
	for _, o := range s.order {
		ts = append(ts, o.t)
	}
	return &collectState{spec: s, rowTypes: ts, rows: map[string]*collectedRow{}}
}

// addRow counts an argument row (arguments, then sort keys) in or out.
func (c *collectState) addRow(vals []types.Datum, diff int64) error {
	k, err := rowKey(c.rowTypes, vals)
	if err != nil {
		return err
	}
	r := c.rows[k]
	if r == nil {
		r = &collectedRow{vals: vals}
		c.rows[k] = r
	}
	r.n += diff
	if r.n <= 0 {
		delete(c.rows, k)
	}
	return nil
}

// add is incrAggState's single-argument form.
func (c *collectState) add(v types.Datum, diff int64) error {
	return c.addRow([]types.Datum{v}, diff)
}

// result runs the aggregate's accumulator over the rows in their order:
// ORDER BY's, then (for rows it leaves tied, or without ORDER BY) the
// rows' encodings, so that the result does not depend on arrival order.
func (c *collectState) result(ret types.T) (types.Datum, error) {
	keys := make([]string, 0, len(c.rows))
	for k := range c.rows {
		keys = append(keys, k)
	}
	nargs := len(c.spec.ArgTypes)
	sort.Slice(keys, func(i, j int) bool {
		a, b := c.rows[keys[i]].vals, c.rows[keys[j]].vals
		for o, key := range c.spec.order {
			x, y := a[nargs+o], b[nargs+o]
			switch {
			case x == nil && y == nil:
				continue
			case x == nil:
				return key.nullsFirst
			case y == nil:
				return !key.nullsFirst
			}
			if cmp := types.Compare(key.t, x, y); cmp != 0 {
				return (cmp < 0) != key.desc
			}
		}
		return keys[i] < keys[j]
	})
	args := batch.NewBuilders(c.spec.ArgTypes)
	for _, k := range keys {
		r := c.rows[k]
		n := r.n
		if c.spec.Distinct {
			n = 1
		}
		for range n {
			args.AppendRow(r.vals[:nargs])
		}
	}
	b := args.Build()
	acc := c.spec.Fn.New(c.spec.ArgTypes, ret)
	groups := make([]int32, b.Len)
	ctx := &expr.Ctx{Env: &types.Env{}}
	if err := acc.Update(ctx, groups, 1, b.Cols); err != nil {
		return nil, err
	}
	out, err := acc.Result(ctx, 1)
	if err != nil {
		return nil, err
	}
	return types.DatumAt(ret, out, 0), nil
}

func (c *collectState) encode(buf []byte, _ incrAggSpec) ([]byte, error) {
	keys := make([]string, 0, len(c.rows))
	for k := range c.rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rs, err := newRowState(c.rowTypes)
	if err != nil {
		return nil, err
	}
	buf = binary.AppendUvarint(buf, uint64(len(keys)))
	for _, k := range keys {
		r := c.rows[k]
		buf = binary.AppendVarint(buf, r.n)
		vb, err := rs.encode(nil, r.vals)
		if err != nil {
			return nil, err
		}
		buf = binary.AppendUvarint(buf, uint64(len(vb)))
		buf = append(buf, vb...)
	}
	return buf, nil
}

func (c *collectState) decode(buf []byte, _ incrAggSpec) ([]byte, error) {
	rs, err := newRowState(c.rowTypes)
	if err != nil {
		return nil, err
	}
	cnt, n := binary.Uvarint(buf)
	if n <= 0 {
		return nil, corruptState()
	}
	buf = buf[n:]
	c.rows = make(map[string]*collectedRow, cnt)
	for range cnt {
		m, n := binary.Varint(buf)
		if n <= 0 {
			return nil, corruptState()
		}
		buf = buf[n:]
		l, n := binary.Uvarint(buf)
		if n <= 0 || uint64(len(buf)-n) < l {
			return nil, corruptState()
		}
		vals, err := rs.decode(buf[n : n+int(l)])
		if err != nil {
			return nil, err
		}
		buf = buf[n+int(l):]
		k, err := rowKey(c.rowTypes, vals)
		if err != nil {
			return nil, err
		}
		c.rows[k] = &collectedRow{vals: vals, n: m}
	}
	return buf, nil
}

// collectArgs reads row r's arguments and sort keys for a collected
// aggregate from its evaluated columns.
func collectArgs(s *incrAggSpec, cols []arrow.Array, r int) []types.Datum {
	vals := make([]types.Datum, len(cols))
	for j, col := range cols {
		var t types.T
		if j < len(s.ArgTypes) {
			t = s.ArgTypes[j]
		} else {
			t = s.order[j-len(s.ArgTypes)].t
		}
		vals[j] = types.DatumAt(t, col, r)
	}
	return vals
}
