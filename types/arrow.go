package types

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
)

// DatumAt returns row i of arr, whose values are of type t, as a Datum.
// It boxes the value; hot paths read the typed Arrow arrays directly.
func DatumAt(t T, arr arrow.Array, i int) Datum {
	if arr.IsNull(i) {
		return nil
	}
	switch t.Kind {
	case Bool:
		return arr.(*array.Boolean).Value(i)
	case Int2:
		return int64(arr.(*array.Int16).Value(i))
	case Int4:
		return int64(arr.(*array.Int32).Value(i))
	case Int8, Oid, RegClass, RegType, RegProc, RegNamespace:
		return arr.(*array.Int64).Value(i)
	case Float4:
		return float64(arr.(*array.Float32).Value(i))
	case Float8:
		return arr.(*array.Float64).Value(i)
	case Numeric:
		v := arr.(*array.String).Value(i)
		if d, ok := plainNumeric(v); ok {
			return d
		}
		d, _, err := apd.NewFromString(v)
		if err != nil {
			d, _ = ParseNumeric(v)
		}
		return d
	case Bytea:
		return arr.(*array.Binary).Value(i)
	case Date:
		return DateValue(arr.(*array.Date32).Value(i))
	case Time:
		return TimeOfDay(arr.(*array.Time64).Value(i))
	case Timestamp, TimestampTZ:
		return TimestampValue(arr.(*array.Timestamp).Value(i))
	case Interval:
		v := arr.(*array.MonthDayNanoInterval).Value(i)
		return IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	case UUID:
		var u UUIDValue
		copy(u[:], arr.(*array.FixedSizeBinary).Value(i))
		return u
	case Array:
		l := arr.(*array.List)
		start, end := l.ValueOffsets(i)
		values := l.ListValues()
		et := t.ElemType()
		out := make([]Datum, 0, end-start)
		for j := start; j < end; j++ {
			out = append(out, DatumAt(et, values, int(j)))
		}
		return out
	case Void:
		return nil
	default:
		return arr.(*array.String).Value(i)
	}
}

// AppendDatum appends d, a Datum of type t, to b, a builder for t's Arrow
// type. A nil d appends NULL.
func AppendDatum(b array.Builder, t T, d Datum) {
	if d == nil {
		b.AppendNull()
		return
	}
	switch t.Kind {
	case Bool:
		b.(*array.BooleanBuilder).Append(d.(bool))
	case Int2:
		b.(*array.Int16Builder).Append(int16(d.(int64)))
	case Int4:
		b.(*array.Int32Builder).Append(int32(d.(int64)))
	case Int8, Oid, RegClass, RegType, RegProc, RegNamespace:
		b.(*array.Int64Builder).Append(d.(int64))
	case Float4:
		b.(*array.Float32Builder).Append(float32(d.(float64)))
	case Float8:
		b.(*array.Float64Builder).Append(d.(float64))
	case Numeric:
		b.(*array.StringBuilder).Append(string(AppendNumeric(nil, d.(*apd.Decimal))))
	case Bytea:
		b.(*array.BinaryBuilder).Append(d.([]byte))
	case Date:
		b.(*array.Date32Builder).Append(arrow.Date32(d.(DateValue)))
	case Time:
		b.(*array.Time64Builder).Append(arrow.Time64(d.(TimeOfDay)))
	case Timestamp, TimestampTZ:
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(d.(TimestampValue)))
	case Interval:
		iv := d.(IntervalValue)
		b.(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: iv.Micros * 1000})
	case UUID:
		u := d.(UUIDValue)
		b.(*array.FixedSizeBinaryBuilder).Append(u[:])
	case Array:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder()
		et := t.ElemType()
		for _, e := range d.([]Datum) {
			AppendDatum(vb, et, e)
		}
	case Void:
		b.AppendNull()
	default:
		b.(*array.StringBuilder).Append(d.(string))
	}
}

// ArrayFromDatums builds an Arrow array of type t from datums.
func ArrayFromDatums(t T, ds []Datum) arrow.Array {
	b := array.NewBuilder(Allocator, t.ArrowType())
	defer b.Release()
	b.Reserve(len(ds))
	for _, d := range ds {
		AppendDatum(b, t, d)
	}
	return b.NewArray()
}

// TimeFromTimestamp converts a timestamp value to a time.Time in UTC.
func TimeFromTimestamp(ts TimestampValue) time.Time {
	return time.UnixMicro(int64(ts)).UTC()
}
