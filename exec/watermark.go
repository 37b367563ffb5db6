package exec

import (
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// Watermarks.
//
// A stream with WATERMARK FOR col AS expr promises that events whose col is
// below the watermark no longer arrive. The watermark before atom a is the
// greatest expr over the events of the atoms before a; an event of atom a
// whose col is below it is late and is dropped. Every reader of the stream
// (a batch scan and a workflow alike) applies the same rule, atom by atom in
// commit order, so what a workflow sees equals what a query sees.

// WatermarkSpec is a stream's watermark over its rows.
type WatermarkSpec struct {
	Column int       // ordinal of the time column
	Expr   expr.Expr // over the stream's columns, column i having id i+1
}

// WatermarkTracker applies a stream's watermark to its atoms in order.
type WatermarkTracker struct {
	spec    *WatermarkSpec
	ev      expr.Evaluator
	current types.Datum // nil until the first event
}

// NewWatermarkTracker returns a tracker starting from current (nil: no
// watermark yet).
func NewWatermarkTracker(spec *WatermarkSpec, width int, current types.Datum) (*WatermarkTracker, error) {
	layout := expr.Layout{}
	for i := 0; i < width; i++ {
		layout[expr.ColumnID(i+1)] = i
	}
	ev, err := expr.Compile(spec.Expr, layout)
	if err != nil {
		return nil, err
	}
	return &WatermarkTracker{spec: spec, ev: ev, current: current}, nil
}

// Current returns the watermark (nil before any event).
func (w *WatermarkTracker) Current() types.Datum { return w.current }

// Atom filters one atom's events (the first `width` columns of b are the
// stream's) and advances the watermark past them. It returns the positions
// of the events kept.
func (w *WatermarkTracker) Atom(ctx *Context, b *batch.Batch) ([]int32, error) {
	keep := make([]int32, 0, b.Len)
	times := b.Cols[w.spec.Column].(*array.Timestamp)
	for i := 0; i < b.Len; i++ {
		if w.current != nil && !times.IsNull(i) && int64(times.Value(i)) < int64(w.current.(types.TimestampValue)) {
			continue
		}
		keep = append(keep, int32(i))
	}
	if len(keep) == 0 {
		return keep, nil
	}
	kept := b
	if len(keep) < b.Len {
		kept = b.Take(keep)
	}
	marks, err := w.ev.Eval(ctx.Eval, kept)
	if err != nil {
		return nil, err
	}
	ts := marks.(*array.Timestamp)
	for i := 0; i < ts.Len(); i++ {
		if ts.IsNull(i) {
			continue
		}
		v := types.TimestampValue(ts.Value(i))
		if w.current == nil || v > w.current.(types.TimestampValue) {
			w.current = v
		}
	}
	return keep, nil
}
