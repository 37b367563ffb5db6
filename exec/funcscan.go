package exec

import (
	"fmt"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// SetFunction is a set-returning function: a function in FROM, or a
// system relation computed on demand.
type SetFunction interface {
	// Start begins producing the rows for the given argument values.
	Start(ctx *Context, args []types.Datum) (RowIterator, error)
}

// RowIterator yields a set function's batches; nil at the end.
type RowIterator interface {
	Next(ctx *Context) (*batch.Batch, error)
}

// FunctionScan runs a set-returning function.
type FunctionScan struct {
	name       string
	fn         SetFunction
	args       []openValue
	types      []types.T
	ordinality bool
	it         RowIterator
	ord        int64
}

// NewFunctionScan returns a scan of fn(args). With ordinality the output
// has a trailing bigint row number.
func NewFunctionScan(name string, fn SetFunction, args []expr.Expr, ts []types.T, ordinality bool) (*FunctionScan, error) {
	vals := make([]openValue, len(args))
	for i, a := range args {
		var err error
		if vals[i], err = newOpenValue(a); err != nil {
			return nil, err
		}
	}
	return &FunctionScan{name: name, fn: fn, args: vals, types: ts, ordinality: ordinality}, nil
}

func (f *FunctionScan) Describe() string     { return "Function Scan on " + f.name }
func (f *FunctionScan) Children() []Operator { return nil }
func (f *FunctionScan) Close() error         { f.it = nil; return nil }

func (f *FunctionScan) Open(ctx *Context) error {
	vals := make([]types.Datum, len(f.args))
	for i := range f.args {
		var err error
		if vals[i], err = f.args[i].value(ctx); err != nil {
			return err
		}
	}
	it, err := f.fn.Start(ctx, vals)
	if err != nil {
		return err
	}
	f.it, f.ord = it, 0
	return nil
}

func (f *FunctionScan) Next(ctx *Context) (*batch.Batch, error) {
	if f.it == nil {
		return nil, nil
	}
	if err := ctx.checkCancel(); err != nil {
		return nil, err
	}
	b, err := f.it.Next(ctx)
	if b == nil || err != nil || !f.ordinality {
		return b, err
	}
	ords := make([]int64, b.Len)
	for i := range ords {
		f.ord++
		ords[i] = f.ord
	}
	cols := append(append([]arrowArray(nil), b.Cols...), batch.Int64s(ords, nil, 0))
	return &batch.Batch{Cols: cols, Len: b.Len}, nil
}

// GenerateSeries is generate_series over integers, numerics or
// timestamps.
type GenerateSeries struct{ T types.T }

type seriesIter struct {
	t          types.T
	cur, stop  types.Datum
	step       types.Datum
	descending bool
	done       bool
}

func (g GenerateSeries) Start(ctx *Context, args []types.Datum) (RowIterator, error) {
	for _, a := range args {
		if a == nil {
			return &seriesIter{done: true}, nil
		}
	}
	it := &seriesIter{t: g.T, cur: args[0], stop: args[1]}
	if len(args) > 2 {
		it.step = args[2]
	} else if g.T.Kind == types.Numeric {
		it.step = apd.New(1, 0)
	} else {
		it.step = int64(1)
	}
	switch s := it.step.(type) {
	case int64:
		if s == 0 {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "step size cannot equal zero")
		}
		it.descending = s < 0
	case *apd.Decimal:
		if s.IsZero() {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "step size cannot equal zero")
		}
		it.descending = s.Negative
	case types.IntervalValue:
		if s == (types.IntervalValue{}) {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "step size cannot equal zero")
		}
		it.descending = s.Approx() < 0
	}
	return it, nil
}

func (s *seriesIter) Next(ctx *Context) (*batch.Batch, error) {
	if s.done {
		return nil, nil
	}
	if s.t.IsInteger() {
		cur, stop, step := s.cur.(int64), s.stop.(int64), s.step.(int64)
		vals := make([]int64, 0, ctx.BatchSize)
		for len(vals) < ctx.BatchSize {
			if (!s.descending && cur > stop) || (s.descending && cur < stop) {
				s.done = true
				break
			}
			vals = append(vals, cur)
			next := cur + step
			if (step > 0 && next < cur) || (step < 0 && next > cur) {
				s.done = true // overflow ends the series
				break
			}
			cur = next
		}
		s.cur = cur
		if len(vals) == 0 {
			return nil, nil
		}
		ds := make([]types.Datum, len(vals))
		for i, v := range vals {
			ds[i] = v
		}
		return &batch.Batch{Cols: []arrowArray{types.ArrayFromDatums(s.t, ds)}, Len: len(ds)}, nil
	}
	var ds []types.Datum
	for len(ds) < ctx.BatchSize {
		c := types.Compare(s.t, s.cur, s.stop)
		if (!s.descending && c > 0) || (s.descending && c < 0) {
			s.done = true
			break
		}
		ds = append(ds, s.cur)
		switch s.t.Kind {
		case types.Numeric:
			v, err := expr.NumericAdd(s.cur.(*apd.Decimal), s.step.(*apd.Decimal))
			if err != nil {
				return nil, err
			}
			s.cur = v
		default:
			v, err := expr.AddInterval(ctx.Eval, s.t, s.cur.(types.TimestampValue), s.step.(types.IntervalValue))
			if err != nil {
				return nil, err
			}
			s.cur = v
		}
	}
	if len(ds) == 0 {
		return nil, nil
	}
	return &batch.Batch{Cols: []arrowArray{types.ArrayFromDatums(s.t, ds)}, Len: len(ds)}, nil
}

// Unnest expands an array into rows.
type Unnest struct{ Elem types.T }

type oneBatch struct{ b *batch.Batch }

func (o *oneBatch) Next(*Context) (*batch.Batch, error) {
	b := o.b
	o.b = nil
	return b, nil
}

func (u Unnest) Start(_ *Context, args []types.Datum) (RowIterator, error) {
	if args[0] == nil {
		return &oneBatch{}, nil
	}
	elems := args[0].([]types.Datum)
	return &oneBatch{b: &batch.Batch{Cols: []arrowArray{types.ArrayFromDatums(u.Elem, elems)}, Len: len(elems)}}, nil
}

// RowsFunction runs a built-in set-returning function of package expr.
type RowsFunction struct{ Call *expr.SetFuncCall }

func (f RowsFunction) Start(ctx *Context, args []types.Datum) (RowIterator, error) {
	rows, err := f.Call.Fn.Rows(ctx.Eval, f.Call.ArgTypes, args)
	if err != nil {
		return nil, err
	}
	ts := make([]types.T, len(f.Call.Cols))
	for i, c := range f.Call.Cols {
		ts[i] = c.T
	}
	if len(rows) == 0 {
		return &oneBatch{}, nil
	}
	return &oneBatch{b: batch.FromRows(ts, rows)}, nil
}

// StaticRows is a set function over a fixed batch, for tests and simple
// system relations.
type StaticRows struct{ Batch *batch.Batch }

func (s StaticRows) Start(*Context, []types.Datum) (RowIterator, error) {
	return &oneBatch{b: s.Batch}, nil
}

var _ = fmt.Sprint
