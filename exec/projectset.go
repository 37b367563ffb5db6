package exec

import (
	"strings"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// ProjectSet evaluates the set-returning functions of a select list. For
// each input row it calls every function with arguments computed from the
// row, and emits as many rows as the longest result: the input row's
// columns, then each function's value, NULL where a shorter result has run
// out. A row for which every function returns nothing emits nothing. This
// is PostgreSQL's behaviour since version 10.
type ProjectSet struct {
	input  Operator
	inCols int
	calls  []*lateralJoiner
	names  []string
}

// SetCall is one function of a ProjectSet: fn called with args (over the
// input's layout), returning one column of type T.
type SetCall struct {
	Name string
	Fn   SetFunction
	Args []expr.Expr
	T    types.T
}

// NewProjectSet returns the ProjectSet of calls over input, whose rows
// have inTypes and are laid out as layout.
func NewProjectSet(input Operator, inTypes []types.T, layout expr.Layout, calls []SetCall) (*ProjectSet, error) {
	p := &ProjectSet{input: input, inCols: len(inTypes)}
	for _, c := range calls {
		lj, err := newLateralJoiner(inTypes, c.Name, c.Fn, c.Args, layout, []types.T{c.T}, false, false, nil, nil)
		if err != nil {
			return nil, err
		}
		p.calls = append(p.calls, lj)
		p.names = append(p.names, c.Name)
	}
	return p, nil
}

func (p *ProjectSet) Describe() string {
	return "ProjectSet " + strings.Join(p.names, ", ")
}
func (p *ProjectSet) Children() []Operator    { return []Operator{p.input} }
func (p *ProjectSet) Open(ctx *Context) error { return p.input.Open(ctx) }
func (p *ProjectSet) Close() error            { return p.input.Close() }

func (p *ProjectSet) Next(ctx *Context) (*batch.Batch, error) {
	for {
		in, err := p.input.Next(ctx)
		if err != nil || in == nil {
			return nil, err
		}
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		out, err := p.expand(ctx, in)
		if err != nil {
			return nil, err
		}
		if out.Len > 0 {
			return out, nil
		}
	}
}

// expand computes the output rows of one input batch.
func (p *ProjectSet) expand(ctx *Context, in *batch.Batch) (*batch.Batch, error) {
	results := make([][]*batch.Batch, len(p.calls))
	for i, c := range p.calls {
		args, err := c.argRows(ctx, in)
		if err != nil {
			return nil, err
		}
		if results[i], err = c.callFn(ctx, args); err != nil {
			return nil, err
		}
	}
	// Each input row repeats as often as its longest result.
	var rowIdx []int32
	counts := make([]int, in.Len)
	for r := range counts {
		for i := range p.calls {
			if res := results[i][r]; res != nil && res.Len > counts[r] {
				counts[r] = res.Len
			}
		}
		for range counts[r] {
			rowIdx = append(rowIdx, int32(r))
		}
	}
	out := in.Take(rowIdx)
	out.Cols = out.Cols[:p.inCols:p.inCols]
	for i, c := range p.calls {
		t := c.fnTypes[0]
		parts := make([]*batch.Batch, 0, in.Len)
		for r, n := range counts {
			if n == 0 {
				continue
			}
			have := 0
			if res := results[i][r]; res != nil && res.Len > 0 {
				parts = append(parts, &batch.Batch{Cols: res.Cols[:1], Len: res.Len})
				have = res.Len
			}
			if have < n {
				parts = append(parts, &batch.Batch{Cols: []arrowArray{batch.Broadcast(t, nil, n-have)}, Len: n - have})
			}
		}
		col := batch.Empty([]types.T{t})
		if len(parts) > 0 {
			col = batch.Concat([]types.T{t}, parts)
		}
		out.Cols = append(out.Cols, col.Cols[0])
	}
	out.Len = len(rowIdx)
	return out, nil
}
