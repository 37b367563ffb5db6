package expr

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/types"
)

// Typed kernels for hot functions whose general form is row at a time:
// substring and date_trunc.

// substrKernel is substring(s, start [, length]): ASCII strings are cut by
// byte offsets; others take the row path, which counts characters.
func substrKernel(row RowKernel) VecKernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		s := args[0].(*array.String)
		starts := args[1].(*array.Int32)
		var lens *array.Int32
		if len(args) > 2 {
			lens = args[2].(*array.Int32)
		}
		validity, nulls := batch.AndValidity(n, args...)
		data := make([]byte, 0, len(s.ValueBytes()))
		offsets := make([]int32, n+1)
		for i := 0; i < n; i++ {
			offsets[i] = int32(len(data))
			if !batch.IsValid(validity, i) {
				continue
			}
			v := s.Value(i)
			start := int64(starts.Value(i))
			if !isASCII(v) || lens != nil && lens.Value(i) < 0 {
				a := []types.Datum{v, start}
				if lens != nil {
					a = append(a, int64(lens.Value(i)))
				}
				d, err := row(ctx, a)
				if err != nil {
					return nil, err
				}
				data = append(data, d.(string)...)
				continue
			}
			end := int64(len(v)) + 1
			if lens != nil {
				end = start + int64(lens.Value(i))
			}
			start = max(start, 1)
			end = min(end, int64(len(v))+1)
			if start < end {
				data = append(data, v[start-1:end-1]...)
			}
		}
		offsets[n] = int32(len(data))
		return stringColumn(data, offsets, validity, nulls), nil
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fixedTruncUnits are date_trunc's units of fixed length, in microseconds.
var fixedTruncUnits = map[string]int64{
	"microseconds": 1, "milliseconds": 1000, "second": types.MicrosPerSecond,
	"minute": types.MicrosPerMinute, "hour": types.MicrosPerHour, "day": types.MicrosPerDay,
}

// dateTruncKernel is date_trunc(unit, timestamp). A constant unit of fixed
// length on a timestamp without time zone truncates by arithmetic on the
// microseconds; other units and timestamptz go through the calendar.
func dateTruncKernel(t types.T) VecKernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		units := args[0].(*array.String)
		ts := args[1].(*array.Timestamp)
		if t.Kind == types.Timestamp && n > 0 && units.NullN() == 0 {
			unit := units.Value(0)
			same := true
			for i := 1; i < n && same; i++ {
				same = units.ValueLen(i) == len(unit) && units.Value(i) == unit
			}
			if step, ok := fixedTruncUnits[datetimeUnits[strings.ToLower(unit)]]; same && ok {
				vals := ts.TimestampValues()
				out := make([]int64, n)
				for i, v := range vals {
					us := int64(v)
					if v == arrow.Timestamp(types.TimestampInfinity) || v == arrow.Timestamp(types.TimestampNegInfinity) {
						out[i] = us
						continue
					}
					q, _ := floorDivInt(us, step)
					out[i] = q * step
				}
				validity, nulls := batch.AndValidity(n, units, ts)
				return batch.Fixed(t.ArrowType(), out, arrow.Int64Traits.CastToBytes, validity, nulls), nil
			}
		}
		b := array.NewTimestampBuilder(types.Allocator, t.ArrowType().(*arrow.TimestampType))
		b.Reserve(n)
		var loc *time.Location
		if t.Kind == types.TimestampTZ {
			loc = ctx.env().Loc
		}
		for i := 0; i < n; i++ {
			if units.IsNull(i) || ts.IsNull(i) {
				b.AppendNull()
				continue
			}
			v, err := truncTimestamp(units.Value(i), types.TimestampValue(ts.Value(i)), loc)
			if err != nil {
				return nil, err
			}
			b.Append(arrow.Timestamp(v.(types.TimestampValue)))
		}
		return b.NewArray(), nil
	}
}
