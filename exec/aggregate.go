package exec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// AggSpec describes one aggregate computed by HashAggregate.
type AggSpec struct {
	Fn       *expr.AggOverload
	Args     []expr.Expr
	ArgTypes []types.T
	Ret      types.T
	Distinct bool
	Filter   expr.Expr
	OrderBy  []SortSpec
}

type aggState struct {
	spec    AggSpec
	args    []expr.Evaluator
	filter  expr.Evaluator
	order   []sortEval
	acc     expr.Accumulator
	seen    map[string]bool // DISTINCT: (group, args) seen
	ordered []*batch.Batch  // inputs buffered for ORDER BY aggregates
}

// HashAggregate groups its input and computes aggregates per group. With
// no group keys it produces exactly one row.
type HashAggregate struct {
	input    Operator
	keys     []evalSpec
	keyTypes []types.T
	aggs     []*aggState
	outTypes []types.T
	layout   expr.Layout
	table    *groupTable
	keyVals  *batch.Builders
	done     bool
	descKeys []string
	descAggs []string
	out      chunker
	ngroups  int
}

// NewHashAggregate returns a hash aggregation of input.
func NewHashAggregate(input Operator, groupBy []expr.Expr, aggs []AggSpec, layout expr.Layout) (*HashAggregate, error) {
	h := &HashAggregate{input: input, layout: layout}
	var err error
	if h.keys, err = compileSpecs(groupBy, layout); err != nil {
		return nil, err
	}
	for _, g := range groupBy {
		h.keyTypes = append(h.keyTypes, g.Type())
		h.descKeys = append(h.descKeys, g.String())
	}
	for _, a := range aggs {
		st := &aggState{spec: a}
		if st.args, err = compileAll(a.Args, layout); err != nil {
			return nil, err
		}
		if a.Filter != nil {
			if st.filter, err = expr.Compile(a.Filter, layout); err != nil {
				return nil, err
			}
		}
		for _, o := range a.OrderBy {
			ev, err := expr.Compile(o.Expr, layout)
			if err != nil {
				return nil, err
			}
			st.order = append(st.order, sortEval{ev: ev, t: o.Expr.Type(), desc: o.Desc, nullsFirst: o.NullsFirst})
		}
		h.aggs = append(h.aggs, st)
		d := ""
		if a.Distinct {
			d = "DISTINCT "
		}
		parts := make([]string, len(a.Args))
		for i, x := range a.Args {
			parts[i] = x.String()
		}
		h.descAggs = append(h.descAggs, a.Fn.Name+"("+d+strings.Join(parts, ", ")+")")
	}
	h.outTypes = append(append([]types.T(nil), h.keyTypes...), aggTypes(aggs)...)
	return h, nil
}

func aggTypes(aggs []AggSpec) []types.T {
	out := make([]types.T, len(aggs))
	for i, a := range aggs {
		out[i] = a.Ret
	}
	return out
}

func (h *HashAggregate) Describe() string {
	if len(h.keys) == 0 {
		return "Aggregate: " + strings.Join(h.descAggs, ", ")
	}
	return fmt.Sprintf("HashAggregate: group by %s: %s", strings.Join(h.descKeys, ", "), strings.Join(h.descAggs, ", "))
}
func (h *HashAggregate) Children() []Operator { return []Operator{h.input} }
func (h *HashAggregate) Close() error         { return h.input.Close() }

func (h *HashAggregate) Open(ctx *Context) error {
	h.table = newGroupTable()
	h.keyVals = batch.NewBuilders(h.keyTypes)
	h.done = false
	h.out = chunker{}
	h.ngroups = 0
	if len(h.keys) == 0 {
		h.ngroups = 1
	}
	for _, a := range h.aggs {
		a.acc = a.spec.Fn.New(a.spec.ArgTypes, a.spec.Ret)
		a.seen = nil
		if a.spec.Distinct {
			a.seen = map[string]bool{}
		}
		a.ordered = nil
	}
	return h.input.Open(ctx)
}

func (h *HashAggregate) Next(ctx *Context) (*batch.Batch, error) {
	if !h.done {
		if err := h.consume(ctx); err != nil {
			return nil, err
		}
		h.done = true
		out, err := h.result(ctx)
		if err != nil {
			return nil, err
		}
		h.out = chunker{b: out}
	}
	return h.out.next(ctx.BatchSize), nil
}

func (h *HashAggregate) consume(ctx *Context) error {
	for {
		if err := ctx.checkCancel(); err != nil {
			return err
		}
		b, err := h.input.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		if b.Len == 0 {
			continue
		}
		groups := make([]int32, b.Len)
		if len(h.keys) > 0 {
			k, cols, err := evalKeys(ctx, h.keys, b)
			if err != nil {
				return err
			}
			row := make([]types.Datum, len(cols))
			for i := 0; i < b.Len; i++ {
				g, isNew := h.table.lookupOrAdd(&k, i)
				if isNew {
					for c, col := range cols {
						row[c] = types.DatumAt(h.keyTypes[c], col, i)
					}
					h.keyVals.AppendRow(row)
				}
				groups[i] = g
			}
			h.ngroups = int(h.table.n)
		}
		for _, a := range h.aggs {
			if err := h.update(ctx, a, b, groups); err != nil {
				return err
			}
		}
	}
	for _, a := range h.aggs {
		if len(a.ordered) > 0 {
			if err := h.feedOrdered(ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *HashAggregate) update(ctx *Context, a *aggState, b *batch.Batch, groups []int32) error {
	if len(a.order) > 0 {
		// Buffer rows with their groups; fed in order at the end.
		cols := append([]arrow.Array(nil), b.Cols...)
		cols = append(cols, batch.Int32s(append([]int32(nil), groups...), nil, 0))
		a.ordered = append(a.ordered, &batch.Batch{Cols: cols, Len: b.Len})
		return nil
	}
	args := make([]arrow.Array, len(a.args))
	for i, ev := range a.args {
		arr, err := ev.Eval(ctx.Eval, b)
		if err != nil {
			return err
		}
		args[i] = arr
	}
	gs := groups
	if a.filter != nil {
		res, err := a.filter.Eval(ctx.Eval, b)
		if err != nil {
			return err
		}
		gs = append([]int32(nil), groups...)
		keep := selection(res)
		mask := make([]bool, b.Len)
		for _, s := range keep {
			mask[s] = true
		}
		for i := range gs {
			if !mask[i] {
				gs[i] = -1
			}
		}
	}
	if a.seen != nil {
		if a.filter == nil {
			gs = append([]int32(nil), groups...)
		}
		k, err := computeKeys(args, a.spec.ArgTypes, b.Len)
		if err != nil {
			return err
		}
		for i := range gs {
			// A NULL argument is the accumulator's to ignore; its key slot
			// holds no value and must not shadow a real one (0).
			if gs[i] < 0 || k.null[i] {
				continue
			}
			var key string
			switch {
			case k.single && k.null[i]:
				// A NULL's value slot holds anything, 0 often: it must
				// not count as that value (nor hide it).
				key = fmt.Sprintf("%d/null", gs[i])
			case k.single:
				key = fmt.Sprintf("%d/%d", gs[i], k.ints[i])
			default:
				key = fmt.Sprintf("%d/%s", gs[i], k.strs[i])
			}
			if a.seen[key] {
				gs[i] = -1
			} else {
				a.seen[key] = true
			}
		}
	}
	return a.acc.Update(ctx.Eval, gs, h.ngroups, args)
}

// feedOrdered sorts an ORDER BY aggregate's buffered rows and feeds them.
func (h *HashAggregate) feedOrdered(ctx *Context, a *aggState) error {
	ts := make([]types.T, 0, len(a.ordered[0].Cols))
	for _, c := range a.ordered[0].Cols {
		ts = append(ts, expr.SQLTypeOfArrow(c.DataType()))
	}
	all := batch.Concat(ts, a.ordered)
	a.ordered = nil
	grpCol := all.Cols[len(all.Cols)-1]
	data := &batch.Batch{Cols: all.Cols[:len(all.Cols)-1], Len: all.Len}
	idx, err := sortIndices(ctx, a.order, data)
	if err != nil {
		return err
	}
	sorted := data.Take(idx)
	groups := make([]int32, all.Len)
	gv := batch.TakeArray(grpCol, idx)
	for i := range groups {
		groups[i] = int32(types.DatumAt(types.Int4Type, gv, i).(int64))
	}
	saved := a.order
	a.order = nil
	err = h.update(ctx, a, sorted, groups)
	a.order = saved
	return err
}

func (h *HashAggregate) result(ctx *Context) (*batch.Batch, error) {
	keys := h.keyVals.Build()
	n := h.ngroups
	cols := append([]arrow.Array(nil), keys.Cols...)
	for _, a := range h.aggs {
		arr, err := a.acc.Result(ctx.Eval, n)
		if err != nil {
			return nil, err
		}
		cols = append(cols, arr)
	}
	return &batch.Batch{Cols: cols, Len: n}, nil
}

// SortSpec is one sort key.
type SortSpec struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

type sortEval struct {
	ev         expr.Evaluator
	t          types.T
	desc       bool
	nullsFirst bool
}

// sortIndices returns the order of b's rows under the keys.
func sortIndices(ctx *Context, keys []sortEval, b *batch.Batch) ([]int32, error) {
	cols := make([]arrow.Array, len(keys))
	for i, k := range keys {
		arr, err := k.ev.Eval(ctx.Eval, b)
		if err != nil {
			return nil, err
		}
		cols[i] = arr
	}
	idx := make([]int32, b.Len)
	for i := range idx {
		idx[i] = int32(i)
	}
	cmps := make([]func(i, j int) int, len(keys))
	for k, key := range keys {
		cmps[k] = columnComparator(cols[k], key.t)
	}
	sort.SliceStable(idx, func(x, y int) bool {
		i, j := int(idx[x]), int(idx[y])
		for k, key := range keys {
			ni, nj := cols[k].IsNull(i), cols[k].IsNull(j)
			switch {
			case ni && nj:
				continue
			case ni:
				return key.nullsFirst
			case nj:
				return !key.nullsFirst
			}
			c := cmps[k](i, j)
			if c == 0 {
				continue
			}
			if key.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	return idx, nil
}
