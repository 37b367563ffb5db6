package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// windowAssigner computes the windows of TUMBLE and HOP.
type windowAssigner struct {
	time        expr.Evaluator
	timeType    types.T
	size, slide int64
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// assign returns, for each input row, the starts of its windows: one for
// TUMBLE, size/slide for HOP (rows with a NULL time belong to none).
func (w *windowAssigner) assign(ctx *Context, b *batch.Batch) (rows []int32, starts []int64, err error) {
	arr, err := w.time.Eval(ctx.Eval, b)
	if err != nil {
		return nil, nil, err
	}
	ts := arr.(*array.Timestamp)
	n := w.size / w.slide
	for i := 0; i < b.Len; i++ {
		if ts.IsNull(i) {
			continue
		}
		t := int64(ts.Value(i))
		if t == int64(types.TimestampInfinity) || t == int64(types.TimestampNegInfinity) {
			continue
		}
		last := floorDiv(t, w.slide) * w.slide
		for k := int64(0); k < n; k++ {
			start := last - k*w.slide
			if t < start+w.size {
				rows = append(rows, int32(i))
				starts = append(starts, start)
			}
		}
	}
	return rows, starts, nil
}

// expand builds the output batch: the chosen input rows, then window_start
// and window_end.
func (w *windowAssigner) expand(b *batch.Batch, rows []int32, starts []int64) *batch.Batch {
	cols := make([]arrow.Array, 0, len(b.Cols)+2)
	for _, c := range b.Cols {
		cols = append(cols, batch.TakeArray(c, rows))
	}
	ends := make([]int64, len(starts))
	for i, s := range starts {
		ends[i] = s + w.size
	}
	dt := w.timeType.ArrowType()
	cols = append(cols, batch.Fixed(dt, toTimestamps(starts), arrow.TimestampTraits.CastToBytes, nil, 0))
	cols = append(cols, batch.Fixed(dt, toTimestamps(ends), arrow.TimestampTraits.CastToBytes, nil, 0))
	return &batch.Batch{Cols: cols, Len: len(rows)}
}

func toTimestamps(v []int64) []arrow.Timestamp {
	out := make([]arrow.Timestamp, len(v))
	for i, x := range v {
		out[i] = arrow.Timestamp(x)
	}
	return out
}

func newWindowAssigner(timeExpr expr.Expr, size, slide int64, layout expr.Layout) (*windowAssigner, error) {
	ev, err := expr.Compile(timeExpr, layout)
	if err != nil {
		return nil, err
	}
	return &windowAssigner{time: ev, timeType: timeExpr.Type(), size: size, slide: slide}, nil
}

func describeWindow(size, slide int64) string {
	if size == slide {
		return fmt.Sprintf("Tumble (size %s)", types.FormatText(types.IntervalType, types.IntervalValue{Micros: size}, nil))
	}
	return fmt.Sprintf("Hop (size %s, slide %s)", types.FormatText(types.IntervalType, types.IntervalValue{Micros: size}, nil),
		types.FormatText(types.IntervalType, types.IntervalValue{Micros: slide}, nil))
}

// TimeWindow is the batch operator of TUMBLE and HOP.
type TimeWindow struct {
	input Operator
	w     *windowAssigner
}

// NewTimeWindow returns TUMBLE (size == slide) or HOP over input.
func NewTimeWindow(input Operator, timeExpr expr.Expr, size, slide int64, layout expr.Layout) (*TimeWindow, error) {
	w, err := newWindowAssigner(timeExpr, size, slide, layout)
	if err != nil {
		return nil, err
	}
	return &TimeWindow{input: input, w: w}, nil
}

func (t *TimeWindow) Describe() string        { return describeWindow(t.w.size, t.w.slide) }
func (t *TimeWindow) Children() []Operator    { return []Operator{t.input} }
func (t *TimeWindow) Open(ctx *Context) error { return t.input.Open(ctx) }
func (t *TimeWindow) Close() error            { return t.input.Close() }

func (t *TimeWindow) Next(ctx *Context) (*batch.Batch, error) {
	for {
		b, err := t.input.Next(ctx)
		if b == nil || err != nil {
			return nil, err
		}
		rows, starts, err := t.w.assign(ctx, b)
		if err != nil {
			return nil, err
		}
		if len(rows) > 0 {
			return t.w.expand(b, rows, starts), nil
		}
	}
}

// IncrTimeWindow is the incremental operator of TUMBLE and HOP: stateless,
// each change becomes a change of each of its windows.
type IncrTimeWindow struct {
	w *windowAssigner
}

// NewIncrTimeWindow returns incremental TUMBLE or HOP.
func NewIncrTimeWindow(timeExpr expr.Expr, size, slide int64, layout expr.Layout) (*IncrTimeWindow, error) {
	w, err := newWindowAssigner(timeExpr, size, slide, layout)
	if err != nil {
		return nil, err
	}
	return &IncrTimeWindow{w: w}, nil
}

func (t *IncrTimeWindow) Describe() string { return describeWindow(t.w.size, t.w.slide) }

func (t *IncrTimeWindow) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	rows, starts, err := t.w.assign(ctx, c.Batch)
	if err != nil {
		return nil, err
	}
	diffs := make([]int8, len(rows))
	for i, r := range rows {
		diffs[i] = c.Diff[r]
	}
	return &batch.ChangeBatch{Batch: t.w.expand(c.Batch, rows, starts), Diff: diffs}, nil
}
