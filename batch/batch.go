package batch

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/types"
)

// Batch is a set of equal-length columns.
type Batch struct {
	Cols []arrow.Array
	Len  int
}

// New returns a batch of the given columns, all of length n.
func New(cols []arrow.Array, n int) *Batch { return &Batch{Cols: cols, Len: n} }

// Empty returns a batch with no rows and the given column types.
func Empty(ts []types.T) *Batch {
	cols := make([]arrow.Array, len(ts))
	for i, t := range ts {
		cols[i] = array.MakeArrayOfNull(types.Allocator, t.ArrowType(), 0)
	}
	return &Batch{Cols: cols}
}

// FromRows builds a batch from rows of datums of the given types.
func FromRows(ts []types.T, rows [][]types.Datum) *Batch {
	bs := NewBuilders(ts)
	for _, r := range rows {
		bs.AppendRow(r)
	}
	return bs.Build()
}

// Row returns row i as datums.
func (b *Batch) Row(ts []types.T, i int) []types.Datum {
	return b.RowInto(make([]types.Datum, len(b.Cols)), ts, i)
}

// RowInto is Row into dst, which must have room for every column: a loop
// over rows that keeps none of them reuses one slice.
func (b *Batch) RowInto(dst []types.Datum, ts []types.T, i int) []types.Datum {
	dst = dst[:len(b.Cols)]
	for c, col := range b.Cols {
		dst[c] = types.DatumAt(ts[c], col, i)
	}
	return dst
}

// Rows returns every row as datums; for tests and row-at-a-time paths.
func (b *Batch) Rows(ts []types.T) [][]types.Datum {
	out := make([][]types.Datum, b.Len)
	for i := range out {
		out[i] = b.Row(ts, i)
	}
	return out
}

// Project returns a batch of the columns at the given positions.
func (b *Batch) Project(idx []int) *Batch {
	cols := make([]arrow.Array, len(idx))
	for i, j := range idx {
		cols[i] = b.Cols[j]
	}
	return &Batch{Cols: cols, Len: b.Len}
}

// Slice returns rows [from, to).
func (b *Batch) Slice(from, to int) *Batch {
	if from == 0 && to == b.Len {
		return b
	}
	cols := make([]arrow.Array, len(b.Cols))
	for i, c := range b.Cols {
		cols[i] = array.NewSlice(c, int64(from), int64(to))
	}
	return &Batch{Cols: cols, Len: to - from}
}

// Take returns the rows at the given positions, in that order.
func (b *Batch) Take(idx []int32) *Batch {
	cols := make([]arrow.Array, len(b.Cols))
	for i, c := range b.Cols {
		cols[i] = TakeArray(c, idx)
	}
	return &Batch{Cols: cols, Len: len(idx)}
}

// Concat joins batches with the same column types into one.
func Concat(ts []types.T, bs []*Batch) *Batch {
	switch len(bs) {
	case 0:
		return Empty(ts)
	case 1:
		return bs[0]
	}
	n := 0
	for _, b := range bs {
		n += b.Len
	}
	cols := make([]arrow.Array, len(ts))
	parts := make([]arrow.Array, len(bs))
	for c := range ts {
		for i, b := range bs {
			parts[i] = b.Cols[c]
		}
		arr, err := array.Concatenate(parts, types.Allocator)
		if err != nil {
			// Concatenate fails only on mismatched types: a bug.
			panic(err)
		}
		cols[c] = arr
	}
	return &Batch{Cols: cols, Len: n}
}

// ToRecord wraps the batch as an Arrow record batch with the given schema.
func (b *Batch) ToRecord(schema *arrow.Schema) arrow.RecordBatch {
	return array.NewRecordBatch(schema, b.Cols, int64(b.Len))
}

// Schema returns an Arrow schema for columns of the given names and types.
func Schema(names []string, ts []types.T) *arrow.Schema {
	fields := make([]arrow.Field, len(ts))
	for i, t := range ts {
		fields[i] = arrow.Field{Name: names[i], Type: t.ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
