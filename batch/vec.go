package batch

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"portalsdb/types"
)

// Fixed wraps a Go slice of fixed-width values as an Arrow array of type dt
// without copying. validity is a bitmap (nil: no NULLs) and nullCount its
// number of zero bits.
func Fixed[T any](dt arrow.DataType, vals []T, toBytes func([]T) []byte, validity []byte, nullCount int) arrow.Array {
	var vb *memory.Buffer
	if validity != nil && nullCount > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nullCount = 0
	}
	data := array.NewData(dt, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(toBytes(vals))}, nil, nullCount, 0)
	return array.MakeFromData(data)
}

// Int64s wraps vals as an int64 array.
func Int64s(vals []int64, validity []byte, nullCount int) arrow.Array {
	return Fixed(arrow.PrimitiveTypes.Int64, vals, arrow.Int64Traits.CastToBytes, validity, nullCount)
}

// Int32s wraps vals as an int32 array.
func Int32s(vals []int32, validity []byte, nullCount int) arrow.Array {
	return Fixed(arrow.PrimitiveTypes.Int32, vals, arrow.Int32Traits.CastToBytes, validity, nullCount)
}

// Int16s wraps vals as an int16 array.
func Int16s(vals []int16, validity []byte, nullCount int) arrow.Array {
	return Fixed(arrow.PrimitiveTypes.Int16, vals, arrow.Int16Traits.CastToBytes, validity, nullCount)
}

// Float64s wraps vals as a float64 array.
func Float64s(vals []float64, validity []byte, nullCount int) arrow.Array {
	return Fixed(arrow.PrimitiveTypes.Float64, vals, arrow.Float64Traits.CastToBytes, validity, nullCount)
}

// Float32s wraps vals as a float32 array.
func Float32s(vals []float32, validity []byte, nullCount int) arrow.Array {
	return Fixed(arrow.PrimitiveTypes.Float32, vals, arrow.Float32Traits.CastToBytes, validity, nullCount)
}

// Bools builds a boolean array from Go bools and a validity bitmap.
func Bools(vals []bool, validity []byte, nullCount int) arrow.Array {
	n := len(vals)
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	for i, v := range vals {
		if v {
			bitutil.SetBit(bits, i)
		}
	}
	var vb *memory.Buffer
	if validity != nil && nullCount > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nullCount = 0
	}
	data := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{vb, memory.NewBufferBytes(bits)}, nil, nullCount, 0)
	return array.MakeFromData(data)
}

// BoolBits builds a boolean array from a value bitmap and a validity bitmap.
func BoolBits(n int, values []byte, validity []byte, nullCount int) arrow.Array {
	var vb *memory.Buffer
	if validity != nil && nullCount > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nullCount = 0
	}
	data := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{vb, memory.NewBufferBytes(values)}, nil, nullCount, 0)
	return array.MakeFromData(data)
}

// Broadcast returns an array of n copies of d, of type t.
func Broadcast(t types.T, d types.Datum, n int) arrow.Array {
	if d == nil {
		return array.MakeArrayOfNull(types.Allocator, t.ArrowType(), n)
	}
	switch t.Kind {
	case types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		v := d.(int64)
		out := make([]int64, n)
		for i := range out {
			out[i] = v
		}
		return Int64s(out, nil, 0)
	case types.Int4:
		v := int32(d.(int64))
		out := make([]int32, n)
		for i := range out {
			out[i] = v
		}
		return Int32s(out, nil, 0)
	case types.Float8:
		v := d.(float64)
		out := make([]float64, n)
		for i := range out {
			out[i] = v
		}
		return Float64s(out, nil, 0)
	case types.Bool:
		v := d.(bool)
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		if v {
			for i := range bits {
				bits[i] = 0xff
			}
		}
		return BoolBits(n, bits, nil, 0)
	}
	b := array.NewBuilder(types.Allocator, t.ArrowType())
	b.Reserve(n)
	for i := 0; i < n; i++ {
		types.AppendDatum(b, t, d)
	}
	return b.NewArray()
}

// Validity returns a's validity bitmap as a fresh slice aligned to bit 0,
// or nil when a has no NULLs.
func Validity(a arrow.Array) []byte {
	if a.NullN() == 0 {
		return nil
	}
	n := a.Len()
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	src := a.NullBitmapBytes()
	off := a.Data().Offset()
	if off == 0 && src != nil {
		copy(out, src[:len(out)])
		return out
	}
	for i := 0; i < n; i++ {
		if a.IsValid(i) {
			bitutil.SetBit(out, i)
		}
	}
	return out
}

// AndValidity returns the bitmap of rows valid in every array, and the
// number of NULL rows; nil when none has NULLs.
func AndValidity(n int, arrs ...arrow.Array) ([]byte, int) {
	var out []byte
	for _, a := range arrs {
		if a.NullN() == 0 {
			continue
		}
		v := Validity(a)
		if out == nil {
			out = v
			continue
		}
		for i := range out {
			out[i] &= v[i]
		}
	}
	if out == nil {
		return nil, 0
	}
	valid := bitutil.CountSetBits(out, 0, n)
	return out, n - valid
}

// IsValid reports whether bit i of a validity bitmap is set; a nil bitmap is
// all valid.
func IsValid(validity []byte, i int) bool {
	return validity == nil || bitutil.BitIsSet(validity, i)
}
