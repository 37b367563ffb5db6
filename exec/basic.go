package exec

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// Values produces literal rows.
type Values struct {
	rows  [][]expr.Evaluator
	types []types.T
	done  bool
}

// NewValues returns an operator that produces the rows of exprs.
func NewValues(rows [][]expr.Expr, ts []types.T) (*Values, error) {
	v := &Values{types: ts}
	for _, r := range rows {
		evs, err := compileAll(r, nil)
		if err != nil {
			return nil, err
		}
		v.rows = append(v.rows, evs)
	}
	return v, nil
}

func (v *Values) Open(*Context) error { v.done = false; return nil }
func (v *Values) Close() error        { return nil }
func (v *Values) Describe() string    { return fmt.Sprintf("Values (rows=%d)", len(v.rows)) }
func (v *Values) Children() []Operator {
	return nil
}

func (v *Values) Next(ctx *Context) (*batch.Batch, error) {
	if v.done {
		return nil, nil
	}
	v.done = true
	if len(v.types) == 0 {
		return &batch.Batch{Len: len(v.rows)}, nil
	}
	one := &batch.Batch{Len: 1}
	if len(v.rows) == 1 {
		// One row (an INSERT ... VALUES of one row): each expression's
		// one-row result is already the column.
		if b, ok, err := v.single(ctx, one); ok || err != nil {
			return b, err
		}
	}
	bs := batch.NewBuilders(v.types)
	row := make([]types.Datum, len(v.types))
	for _, r := range v.rows {
		for i, ev := range r {
			arr, err := ev.Eval(ctx.Eval, one)
			if err != nil {
				return nil, err
			}
			row[i] = types.DatumAt(v.types[i], arr, 0)
		}
		bs.AppendRow(row)
	}
	return bs.Build(), nil
}

// single evaluates a one-row VALUES straight into columns; ok is false
// when a result is not a column of the row's type, for the general path.
func (v *Values) single(ctx *Context, one *batch.Batch) (*batch.Batch, bool, error) {
	cols := make([]arrow.Array, len(v.types))
	for i, ev := range v.rows[0] {
		arr, err := ev.Eval(ctx.Eval, one)
		if err != nil {
			return nil, false, err
		}
		if arr.Len() != 1 || !arrow.TypeEqual(arr.DataType(), v.types[i].ArrowType()) {
			return nil, false, nil
		}
		cols[i] = arr
	}
	return &batch.Batch{Cols: cols, Len: 1}, true, nil
}

// Filter keeps the rows for which a predicate is true.
type Filter struct {
	input Operator
	pred  expr.Evaluator
	desc  string
}

// NewFilter returns a filter over input, whose columns are laid out as
// layout.
func NewFilter(input Operator, pred expr.Expr, layout expr.Layout) (*Filter, error) {
	ev, err := expr.Compile(pred, layout)
	if err != nil {
		return nil, err
	}
	return &Filter{input: input, pred: ev, desc: pred.String()}, nil
}

func (f *Filter) Open(ctx *Context) error { return f.input.Open(ctx) }
func (f *Filter) Close() error            { return f.input.Close() }
func (f *Filter) Describe() string        { return "Filter: " + f.desc }
func (f *Filter) Children() []Operator    { return []Operator{f.input} }

func (f *Filter) Next(ctx *Context) (*batch.Batch, error) {
	for {
		b, err := f.input.Next(ctx)
		if b == nil || err != nil {
			return nil, err
		}
		if b.Len == 0 {
			continue
		}
		out, err := applyPredicate(ctx, f.pred, b)
		if err != nil {
			return nil, err
		}
		if out.Len > 0 {
			return out, nil
		}
	}
}

// Gate runs its input only when a condition that reads none of the input's
// columns holds: the outer values of a correlated subquery, parameters.
// PostgreSQL calls it a one-time filter: a subquery whose WHERE has
// outer.x > 5 reads nothing for the outer rows where it is false.
type Gate struct {
	input  Operator
	pred   expr.Evaluator
	desc   string
	opened bool
}

// NewGate returns a gate over input; pred may read no input column.
func NewGate(input Operator, pred expr.Expr) (*Gate, error) {
	ev, err := expr.Compile(pred, nil)
	if err != nil {
		return nil, err
	}
	return &Gate{input: input, pred: ev, desc: pred.String()}, nil
}

func (g *Gate) Describe() string     { return "One-Time Filter: " + g.desc }
func (g *Gate) Children() []Operator { return []Operator{g.input} }

func (g *Gate) Open(ctx *Context) error {
	g.opened = false
	res, err := g.pred.Eval(ctx.Eval, &batch.Batch{Len: 1})
	if err != nil {
		return err
	}
	if len(selection(res)) == 0 {
		return nil
	}
	g.opened = true
	return g.input.Open(ctx)
}

func (g *Gate) Next(ctx *Context) (*batch.Batch, error) {
	if !g.opened {
		return nil, nil
	}
	return g.input.Next(ctx)
}

func (g *Gate) Close() error {
	if !g.opened {
		return nil
	}
	g.opened = false
	return g.input.Close()
}

// applyPredicate returns the rows of b where pred is true.
func applyPredicate(ctx *Context, pred expr.Evaluator, b *batch.Batch) (*batch.Batch, error) {
	res, err := pred.Eval(ctx.Eval, b)
	if err != nil {
		return nil, err
	}
	sel := selection(res)
	if len(sel) == b.Len {
		return b, nil
	}
	if len(b.Cols) == 0 {
		return &batch.Batch{Len: len(sel)}, nil
	}
	return b.Take(sel), nil
}

// selection returns the positions where a boolean array is true.
func selection(a arrow.Array) []int32 {
	n := a.Len()
	sel := make([]int32, 0, n)
	ba, ok := a.(interface{ Value(int) bool })
	if !ok || n == 0 {
		return sel
	}
	if a.Data().Offset() == 0 {
		// A byte of the bitmap at a time: filters often keep few rows or
		// all, and a byte of zeros is skipped in one test.
		vals := a.Data().Buffers()[1].Bytes()
		var valid []byte
		if a.NullN() > 0 {
			valid = a.Data().Buffers()[0].Bytes()
		}
		for k := 0; k*8 < n; k++ {
			w := vals[k]
			if valid != nil {
				w &= valid[k]
			}
			if rest := n - k*8; rest < 8 {
				w &= byte(1)<<rest - 1
			}
			for w != 0 {
				sel = append(sel, int32(k*8+bits.TrailingZeros8(w)))
				w &= w - 1
			}
		}
		return sel
	}
	for i := 0; i < n; i++ {
		if a.IsValid(i) && ba.Value(i) {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

// Project computes expressions over its input.
type Project struct {
	input Operator
	exprs []expr.Evaluator
	descs []string
}

// NewProject returns a projection of exprs over input.
func NewProject(input Operator, exprs []expr.Expr, layout expr.Layout) (*Project, error) {
	evs, err := compileAll(exprs, layout)
	if err != nil {
		return nil, err
	}
	descs := make([]string, len(exprs))
	for i, e := range exprs {
		descs[i] = e.String()
	}
	return &Project{input: input, exprs: evs, descs: descs}, nil
}

func (p *Project) Open(ctx *Context) error { return p.input.Open(ctx) }
func (p *Project) Close() error            { return p.input.Close() }
func (p *Project) Describe() string        { return "Project: " + strings.Join(p.descs, ", ") }
func (p *Project) Children() []Operator    { return []Operator{p.input} }

func (p *Project) Next(ctx *Context) (*batch.Batch, error) {
	b, err := p.input.Next(ctx)
	if b == nil || err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, len(p.exprs))
	for i, e := range p.exprs {
		if cols[i], err = e.Eval(ctx.Eval, b); err != nil {
			return nil, err
		}
	}
	return &batch.Batch{Cols: cols, Len: b.Len}, nil
}

// Limit skips offset rows, then passes count rows (count < 0: all).
type Limit struct {
	input         Operator
	count, offset expr.Evaluator
	n, skip       int64
	started       bool
}

// NewLimit returns a LIMIT/OFFSET over input; either expression may be nil.
func NewLimit(input Operator, count, offset expr.Expr) (*Limit, error) {
	l := &Limit{input: input}
	var err error
	if count != nil {
		if l.count, err = expr.Compile(count, nil); err != nil {
			return nil, err
		}
	}
	if offset != nil {
		if l.offset, err = expr.Compile(offset, nil); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *Limit) Describe() string     { return "Limit" }
func (l *Limit) Children() []Operator { return []Operator{l.input} }
func (l *Limit) Close() error         { return l.input.Close() }

func evalInt(ctx *Context, ev expr.Evaluator) (types.Datum, error) {
	arr, err := ev.Eval(ctx.Eval, &batch.Batch{Len: 1})
	if err != nil {
		return nil, err
	}
	return types.DatumAt(types.Int8Type, arr, 0), nil
}

func (l *Limit) Open(ctx *Context) error {
	l.n, l.skip, l.started = -1, 0, false
	if l.count != nil {
		v, err := evalInt(ctx, l.count)
		if err != nil {
			return err
		}
		if v != nil {
			if v.(int64) < 0 {
				return pgerror.New(pgerror.InvalidRowCountInLimitClause, "LIMIT must not be negative")
			}
			l.n = v.(int64)
		}
	}
	if l.offset != nil {
		v, err := evalInt(ctx, l.offset)
		if err != nil {
			return err
		}
		if v != nil {
			if v.(int64) < 0 {
				return pgerror.New(pgerror.InvalidRowCountInResultOffsetClause, "OFFSET must not be negative")
			}
			l.skip = v.(int64)
		}
	}
	return l.input.Open(ctx)
}

func (l *Limit) Next(ctx *Context) (*batch.Batch, error) {
	for {
		if l.n == 0 {
			return nil, nil
		}
		b, err := l.input.Next(ctx)
		if b == nil || err != nil {
			return nil, err
		}
		if l.skip > 0 {
			if int64(b.Len) <= l.skip {
				l.skip -= int64(b.Len)
				continue
			}
			b = b.Slice(int(l.skip), b.Len)
			l.skip = 0
		}
		if l.n >= 0 && int64(b.Len) > l.n {
			b = b.Slice(0, int(l.n))
		}
		if l.n >= 0 {
			l.n -= int64(b.Len)
		}
		return b, nil
	}
}

// Concat runs its inputs one after another (UNION ALL).
type Concat struct {
	inputs []Operator
	cur    int
}

// NewConcat returns the concatenation of inputs.
func NewConcat(inputs ...Operator) *Concat { return &Concat{inputs: inputs} }

func (c *Concat) Describe() string     { return "Append" }
func (c *Concat) Children() []Operator { return c.inputs }

func (c *Concat) Open(ctx *Context) error {
	c.cur = 0
	for _, in := range c.inputs {
		if err := in.Open(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (c *Concat) Next(ctx *Context) (*batch.Batch, error) {
	for c.cur < len(c.inputs) {
		b, err := c.inputs[c.cur].Next(ctx)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return b, nil
		}
		c.cur++
	}
	return nil, nil
}

func (c *Concat) Close() error {
	var first error
	for _, in := range c.inputs {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// materialize reads all of op's batches (op already open).
func materialize(ctx *Context, op Operator) ([]*batch.Batch, error) {
	var out []*batch.Batch
	for {
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return out, nil
		}
		if b.Len > 0 {
			out = append(out, b)
		}
	}
}

// chunker hands out a large batch in pieces of the context's batch size.
type chunker struct {
	b   *batch.Batch
	pos int
}

func (c *chunker) next(size int) *batch.Batch {
	if c.b == nil || c.pos >= c.b.Len {
		return nil
	}
	end := c.pos + size
	if end > c.b.Len {
		end = c.b.Len
	}
	out := c.b.Slice(c.pos, end)
	c.pos = end
	return out
}
