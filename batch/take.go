package batch

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"portalsdb/types"
)

// TakeArray returns the values of a at the positions idx, in that order. A
// negative position yields NULL (used by outer joins for the missing side).
func TakeArray(a arrow.Array, idx []int32) arrow.Array {
	switch x := a.(type) {
	case *array.Int64:
		return takeFixed(x, x.Int64Values(), idx, arrow.Int64Traits.CastToBytes)
	case *array.Int32:
		return takeFixed(x, x.Int32Values(), idx, arrow.Int32Traits.CastToBytes)
	case *array.Int16:
		return takeFixed(x, x.Int16Values(), idx, arrow.Int16Traits.CastToBytes)
	case *array.Float64:
		return takeFixed(x, x.Float64Values(), idx, arrow.Float64Traits.CastToBytes)
	case *array.Float32:
		return takeFixed(x, x.Float32Values(), idx, arrow.Float32Traits.CastToBytes)
	case *array.Date32:
		return takeFixed(x, x.Date32Values(), idx, arrow.Date32Traits.CastToBytes)
	case *array.Timestamp:
		return takeFixed(x, x.TimestampValues(), idx, arrow.TimestampTraits.CastToBytes)
	case *array.Time64:
		return takeFixed(x, x.Time64Values(), idx, arrow.Time64Traits.CastToBytes)
	case *array.MonthDayNanoInterval:
		return takeFixed(x, x.MonthDayNanoIntervalValues(), idx, arrow.MonthDayNanoIntervalTraits.CastToBytes)
	case *array.String:
		b := array.NewStringBuilder(types.Allocator)
		b.Reserve(len(idx))
		for _, i := range idx {
			if i < 0 || x.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(x.Value(int(i)))
			}
		}
		return b.NewArray()
	case *array.Binary:
		b := array.NewBinaryBuilder(types.Allocator, arrow.BinaryTypes.Binary)
		b.Reserve(len(idx))
		for _, i := range idx {
			if i < 0 || x.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(x.Value(int(i)))
			}
		}
		return b.NewArray()
	case *array.Boolean:
		b := array.NewBooleanBuilder(types.Allocator)
		b.Reserve(len(idx))
		for _, i := range idx {
			if i < 0 || x.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(x.Value(int(i)))
			}
		}
		return b.NewArray()
	case *array.Null:
		return array.NewNull(len(idx))
	}
	// Rare types: through a generic builder.
	b := array.NewBuilder(types.Allocator, a.DataType())
	b.Reserve(len(idx))
	for _, i := range idx {
		if i < 0 || a.IsNull(int(i)) {
			b.AppendNull()
			continue
		}
		appendValueFrom(b, a, int(i))
	}
	return b.NewArray()
}

// appendValueFrom appends a[i] to b, for array types without a fast path.
func appendValueFrom(b array.Builder, a arrow.Array, i int) {
	switch x := a.(type) {
	case *array.FixedSizeBinary:
		b.(*array.FixedSizeBinaryBuilder).Append(x.Value(i))
	case *array.List:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		start, end := x.ValueOffsets(i)
		vals := x.ListValues()
		vb := lb.ValueBuilder()
		for j := start; j < end; j++ {
			if vals.IsNull(int(j)) {
				vb.AppendNull()
			} else {
				appendValueFrom(vb, vals, int(j))
			}
		}
	default:
		// Everything else has a fast path in TakeArray.
		s := array.NewSlice(a, int64(i), int64(i+1))
		_ = b.AppendValueFromString(s.ValueStr(0))
	}
}

func takeFixed[T any](a arrow.Array, vals []T, idx []int32, toBytes func([]T) []byte) arrow.Array {
	out := make([]T, len(idx))
	nulls := a.NullN() > 0
	anyNeg := false
	for k, i := range idx {
		if i < 0 {
			anyNeg = true
			continue
		}
		out[k] = vals[i]
	}
	var validity *memory.Buffer
	nullCount := 0
	if nulls || anyNeg {
		bits := make([]byte, bitutil.BytesForBits(int64(len(idx))))
		for k, i := range idx {
			if i >= 0 && a.IsValid(int(i)) {
				bitutil.SetBit(bits, k)
			} else {
				nullCount++
			}
		}
		validity = memory.NewBufferBytes(bits)
	}
	data := array.NewData(a.DataType(), len(idx), []*memory.Buffer{validity, memory.NewBufferBytes(toBytes(out))}, nil, nullCount, 0)
	return array.MakeFromData(data)
}

// Builders builds a batch row by row from datums.
type Builders struct {
	ts []types.T
	bs []array.Builder
	n  int // rows appended, for batches without columns
}

// NewBuilders returns builders for columns of the given types.
func NewBuilders(ts []types.T) *Builders {
	bs := make([]array.Builder, len(ts))
	for i, t := range ts {
		bs[i] = array.NewBuilder(types.Allocator, t.ArrowType())
	}
	return &Builders{ts: ts, bs: bs}
}

// Column returns the builder of column i, for typed appends.
func (b *Builders) Column(i int) array.Builder { return b.bs[i] }

// AppendRow appends one row of datums.
func (b *Builders) AppendRow(row []types.Datum) {
	for i, d := range row {
		types.AppendDatum(b.bs[i], b.ts[i], d)
	}
	b.n++
}

// AddRows counts n rows appended column by column through Column.
func (b *Builders) AddRows(n int) { b.n += n }

// Len returns the number of rows appended since the last Build.
func (b *Builders) Len() int { return b.n }

// Build returns the rows appended so far as a batch and resets the builders.
func (b *Builders) Build() *Batch {
	n := b.n
	b.n = 0
	cols := make([]arrow.Array, len(b.bs))
	for i, bb := range b.bs {
		cols[i] = bb.NewArray()
	}
	return &Batch{Cols: cols, Len: n}
}
