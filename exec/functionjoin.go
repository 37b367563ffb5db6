package exec

import (
	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// BatchSetFunction is a SetFunction that serves many argument rows in one
// call. A portal implements it: the requests of one input batch travel to
// the server together, and the server answers them in one atom instead of
// one commit per row.
type BatchSetFunction interface {
	SetFunction
	// StartAll returns the rows for each argument row, in order; a nil
	// entry means no rows.
	StartAll(ctx *Context, args [][]types.Datum) ([]*batch.Batch, error)
}

// callAll runs fn once per argument row and collects each call's rows.
func callAll(ctx *Context, fn SetFunction, ts []types.T, args [][]types.Datum) ([]*batch.Batch, error) {
	if bf, ok := fn.(BatchSetFunction); ok {
		return bf.StartAll(ctx, args)
	}
	out := make([]*batch.Batch, len(args))
	for i, a := range args {
		it, err := fn.Start(ctx, a)
		if err != nil {
			return nil, err
		}
		var parts []*batch.Batch
		for {
			b, err := it.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			parts = append(parts, b)
		}
		switch len(parts) {
		case 0:
		case 1:
			out[i] = parts[0]
		default:
			out[i] = batch.Concat(ts, parts)
		}
	}
	return out, nil
}

// FunctionJoin joins each input row with the rows a set-returning function
// returns for arguments computed from that row (LATERAL). The arguments of
// a whole input batch are evaluated at once and, for a BatchSetFunction,
// sent in one call.
type FunctionJoin struct {
	input Operator
	lateralJoiner
}

// lateralJoiner pairs rows with the rows a function returns for them; the
// batch and the incremental lateral joins share it.
type lateralJoiner struct {
	name       string
	fn         SetFunction
	args       []expr.Evaluator
	argTypes   []types.T
	leftTypes  []types.T
	fnTypes    []types.T // the function's columns, with ordinality if asked
	ordinality bool
	outer      bool
	on         expr.Evaluator
	onDesc     string
}

// NewFunctionJoin returns the lateral join of input with fn(args), where
// args are over input's layout. fnTypes are the function's output types
// (ending with bigint when ordinality is set); on, when not nil, is over
// the joined row's layout.
func NewFunctionJoin(input Operator, leftTypes []types.T, name string, fn SetFunction, args []expr.Expr, layout expr.Layout,
	fnTypes []types.T, ordinality, outer bool, on expr.Expr, joinedLayout expr.Layout) (*FunctionJoin, error) {
	lj, err := newLateralJoiner(leftTypes, name, fn, args, layout, fnTypes, ordinality, outer, on, joinedLayout)
	if err != nil {
		return nil, err
	}
	return &FunctionJoin{input: input, lateralJoiner: *lj}, nil
}

func newLateralJoiner(leftTypes []types.T, name string, fn SetFunction, args []expr.Expr, layout expr.Layout,
	fnTypes []types.T, ordinality, outer bool, on expr.Expr, joinedLayout expr.Layout) (*lateralJoiner, error) {
	evs, err := compileAll(args, layout)
	if err != nil {
		return nil, err
	}
	at := make([]types.T, len(args))
	for i, a := range args {
		at[i] = a.Type()
	}
	j := &lateralJoiner{name: name, fn: fn, args: evs, argTypes: at, leftTypes: leftTypes, fnTypes: fnTypes,
		ordinality: ordinality, outer: outer}
	if on != nil {
		if j.on, err = expr.Compile(on, joinedLayout); err != nil {
			return nil, err
		}
		j.onDesc = on.String()
	}
	return j, nil
}

func (j *FunctionJoin) Describe() string {
	d := "Lateral Function Join on " + j.name
	if j.outer {
		d = "Lateral Function Left Join on " + j.name
	}
	if j.on != nil {
		d += " filter " + j.onDesc
	}
	return d
}
func (j *FunctionJoin) Children() []Operator    { return []Operator{j.input} }
func (j *FunctionJoin) Open(ctx *Context) error { return j.input.Open(ctx) }
func (j *FunctionJoin) Close() error            { return j.input.Close() }

func (j *FunctionJoin) Next(ctx *Context) (*batch.Batch, error) {
	for {
		in, err := j.input.Next(ctx)
		if err != nil || in == nil {
			return nil, err
		}
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		out, _, err := j.join(ctx, in, j.callFn)
		if err != nil {
			return nil, err
		}
		if out.Len > 0 {
			return out, nil
		}
	}
}

// callTypes are the types of the rows the function itself returns.
func (j *lateralJoiner) callTypes() []types.T {
	if j.ordinality {
		return j.fnTypes[:len(j.fnTypes)-1]
	}
	return j.fnTypes
}

// callFn calls the function once per argument row.
func (j *lateralJoiner) callFn(ctx *Context, rows [][]types.Datum) ([]*batch.Batch, error) {
	return callAll(ctx, j.fn, j.callTypes(), rows)
}

// argRows evaluates the arguments over an input batch, one row of values
// per input row.
func (j *lateralJoiner) argRows(ctx *Context, in *batch.Batch) ([][]types.Datum, error) {
	argCols := make([]arrowArray, len(j.args))
	for i, ev := range j.args {
		a, err := ev.Eval(ctx.Eval, in)
		if err != nil {
			return nil, err
		}
		argCols[i] = a
	}
	rows := make([][]types.Datum, in.Len)
	for r := range rows {
		row := make([]types.Datum, len(argCols))
		for i, a := range argCols {
			row[i] = types.DatumAt(j.argTypes[i], a, r)
		}
		rows[r] = row
	}
	return rows, nil
}

// join computes the output for one input batch, calling the function
// through call. It also returns, for each output row, its input row.
func (j *lateralJoiner) join(ctx *Context, in *batch.Batch, call func(*Context, [][]types.Datum) ([]*batch.Batch, error)) (*batch.Batch, []int32, error) {
	rows, err := j.argRows(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	results, err := call(ctx, rows)
	if err != nil {
		return nil, nil, err
	}
	// Pair every left row with each of its function rows.
	var leftIdx []int32
	var parts []*batch.Batch
	for r, res := range results {
		if res == nil || res.Len == 0 {
			continue
		}
		if j.ordinality {
			ords := make([]int64, res.Len)
			for k := range ords {
				ords[k] = int64(k + 1)
			}
			res = &batch.Batch{Cols: append(append([]arrowArray(nil), res.Cols...), batch.Int64s(ords, nil, 0)), Len: res.Len}
		}
		for k := 0; k < res.Len; k++ {
			leftIdx = append(leftIdx, int32(r))
		}
		parts = append(parts, res)
	}
	var joined *batch.Batch
	if len(parts) == 0 {
		joined = batch.Empty(append(append([]types.T(nil), j.leftTypes...), j.fnTypes...))
	} else {
		right := batch.Concat(j.fnTypes, parts)
		left := in.Take(leftIdx)
		joined = &batch.Batch{Cols: append(append([]arrowArray(nil), left.Cols...), right.Cols...), Len: right.Len}
	}
	if j.on != nil && joined.Len > 0 {
		keep, err := j.on.Eval(ctx.Eval, joined)
		if err != nil {
			return nil, nil, err
		}
		sel := selection(keep)
		kept := make([]int32, len(sel))
		for i, s := range sel {
			kept[i] = leftIdx[s]
		}
		joined, leftIdx = joined.Take(sel), kept
	}
	if !j.outer {
		return joined, leftIdx, nil
	}
	// LEFT JOIN LATERAL: every left row without a joined row appears once,
	// padded with NULLs, in input order.
	matched := make([]bool, in.Len)
	for _, l := range leftIdx {
		matched[l] = true
	}
	var missing []int32
	for r, m := range matched {
		if !m {
			missing = append(missing, int32(r))
		}
	}
	if len(missing) == 0 {
		return joined, leftIdx, nil
	}
	pad := in.Take(missing)
	for _, t := range j.fnTypes {
		pad.Cols = append(pad.Cols, batch.Broadcast(t, nil, len(missing)))
	}
	all := batch.Concat(append(append([]types.T(nil), j.leftTypes...), j.fnTypes...), []*batch.Batch{joined, pad})
	// Restore input order: joined rows (already ordered by left row) and
	// padded rows merge by their left row.
	order := make([]int32, 0, all.Len)
	src := make([]int32, 0, all.Len)
	a, b := 0, 0
	for a < len(leftIdx) || b < len(missing) {
		if b >= len(missing) || (a < len(leftIdx) && leftIdx[a] < missing[b]) {
			order = append(order, int32(a))
			src = append(src, leftIdx[a])
			a++
		} else {
			order = append(order, int32(len(leftIdx)+b))
			src = append(src, missing[b])
			b++
		}
	}
	return all.Take(order), src, nil
}
