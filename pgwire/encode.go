package pgwire

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// A fieldWriter appends the DataRow fields of one column of one batch: the
// int32 length (-1 for NULL) and the value in the column's format.
//
// The hot types (integers, floats, bool, the string types, and the fixed
// width date and time types) have writers that read the Arrow buffers
// directly. Everything else goes through types.DatumAt and the Datum
// encoders, which box each value but handle every type.
type fieldWriter interface {
	appendField(buf []byte, row int) ([]byte, error)
}

// bindFieldWriters makes the writers for a batch, reusing dst's storage.
func bindFieldWriters(dst []fieldWriter, cols []Column, formats []int16, b arrow.RecordBatch, env *types.Env) ([]fieldWriter, error) {
	for i, col := range cols {
		f := textFormat
		if formats != nil {
			f = formats[i]
		}
		w, err := newFieldWriter(col.Type, f, b.Column(i), env)
		if err != nil {
			return dst, err
		}
		dst = append(dst, w)
	}
	return dst, nil
}

// nullMask reads an Arrow validity bitmap; bits is nil when the array has
// no nulls.
type nullMask struct {
	bits   []byte
	offset int
}

func newNullMask(a arrow.Array) nullMask {
	if a.NullN() == 0 {
		return nullMask{}
	}
	return nullMask{bits: a.NullBitmapBytes(), offset: a.Data().Offset()}
}

func (m nullMask) isNull(i int) bool {
	return m.bits != nil && !bitutil.BitIsSet(m.bits, m.offset+i)
}

func appendNull(buf []byte) []byte { return append(buf, 0xff, 0xff, 0xff, 0xff) }

// beginField reserves the length word of a variable-length field; endField
// fills it in.
func beginField(buf []byte) ([]byte, int) { return append(buf, 0, 0, 0, 0), len(buf) }

func endField(buf []byte, at int) []byte {
	binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	return buf
}

func arrowMismatch(t types.T, a arrow.Array) error {
	return pgerror.Internalf("result column of type %s holds an Arrow %s array", t, a.DataType())
}

func newFieldWriter(t types.T, format int16, a arrow.Array, env *types.Env) (fieldWriter, error) {
	nulls := newNullMask(a)
	bin := format == binaryFormat
	var w fieldWriter
	switch t.Kind {
	case types.Bool:
		if arr, ok := a.(*array.Boolean); ok {
			w = boolField{nulls, arr, bin}
		}
	case types.Int2:
		if arr, ok := a.(*array.Int16); ok {
			w = intField[int16]{nulls, arr.Int16Values(), bin}
		}
	case types.Int4:
		if arr, ok := a.(*array.Int32); ok {
			w = intField[int32]{nulls, arr.Int32Values(), bin}
		}
	case types.Int8:
		if arr, ok := a.(*array.Int64); ok {
			w = intField[int64]{nulls, arr.Int64Values(), bin}
		}
	case types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		if arr, ok := a.(*array.Int64); ok {
			w = oidField{nulls, arr.Int64Values(), bin}
		}
	case types.Float4:
		if arr, ok := a.(*array.Float32); ok {
			w = float4Field{nulls, arr.Float32Values(), bin}
		}
	case types.Float8:
		if arr, ok := a.(*array.Float64); ok {
			w = float8Field{nulls, arr.Float64Values(), bin}
		}
	case types.Text, types.Varchar, types.Char, types.Name, types.Unknown, types.JSON:
		if arr, ok := a.(*array.String); ok {
			w = stringField{nulls, arr, false}
		}
	case types.JSONB:
		if arr, ok := a.(*array.String); ok {
			w = stringField{nulls, arr, bin}
		}
	case types.Numeric:
		if arr, ok := a.(*array.String); ok {
			w = numericField{nulls, arr, bin}
		}
	case types.Bytea:
		if arr, ok := a.(*array.Binary); ok {
			w = byteaField{nulls, arr, bin}
		}
	case types.Date:
		if arr, ok := a.(*array.Date32); ok {
			w = dateField{nulls, arr.Date32Values(), bin}
		}
	case types.Timestamp, types.TimestampTZ:
		if arr, ok := a.(*array.Timestamp); ok {
			var loc *time.Location
			if t.Kind == types.TimestampTZ {
				loc = env.Loc
				if loc == nil {
					loc = time.UTC
				}
			}
			w = timestampField{nulls, arr.TimestampValues(), bin, loc}
		}
	default:
		if !bin || types.BinaryOutputSupported(t) {
			return datumField{t: t, a: a, binary: bin, env: env}, nil
		}
		return nil, types.NoBinaryOutput(t)
	}
	if w == nil {
		return nil, arrowMismatch(t, a)
	}
	return w, nil
}

type boolField struct {
	nulls  nullMask
	a      *array.Boolean
	binary bool
}

func (f boolField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	v := f.a.Value(i)
	if f.binary {
		if v {
			return append(buf, 0, 0, 0, 1, 1), nil
		}
		return append(buf, 0, 0, 0, 1, 0), nil
	}
	if v {
		return append(buf, 0, 0, 0, 1, 't'), nil
	}
	return append(buf, 0, 0, 0, 1, 'f'), nil
}

type intField[T int16 | int32 | int64] struct {
	nulls  nullMask
	vals   []T
	binary bool
}

func (f intField[T]) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	v := f.vals[i]
	if f.binary {
		switch any(v).(type) {
		case int16:
			return binary.BigEndian.AppendUint16(append(buf, 0, 0, 0, 2), uint16(v)), nil
		case int32:
			return binary.BigEndian.AppendUint32(append(buf, 0, 0, 0, 4), uint32(v)), nil
		default:
			return binary.BigEndian.AppendUint64(append(buf, 0, 0, 0, 8), uint64(v)), nil
		}
	}
	buf, at := beginField(buf)
	return endField(strconv.AppendInt(buf, int64(v), 10), at), nil
}

// oidField writes oid and the reg* types, held as int64 in Arrow and sent
// as unsigned 32-bit integers.
type oidField struct {
	nulls  nullMask
	vals   []int64
	binary bool
}

func (f oidField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	if f.binary {
		return binary.BigEndian.AppendUint32(append(buf, 0, 0, 0, 4), uint32(f.vals[i])), nil
	}
	buf, at := beginField(buf)
	return endField(strconv.AppendInt(buf, f.vals[i], 10), at), nil
}

type float4Field struct {
	nulls  nullMask
	vals   []float32
	binary bool
}

func (f float4Field) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	if f.binary {
		return binary.BigEndian.AppendUint32(append(buf, 0, 0, 0, 4), types.Float4Bits(f.vals[i])), nil
	}
	buf, at := beginField(buf)
	return endField(types.AppendFloat(buf, float64(f.vals[i]), 32), at), nil
}

type float8Field struct {
	nulls  nullMask
	vals   []float64
	binary bool
}

func (f float8Field) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	if f.binary {
		return binary.BigEndian.AppendUint64(append(buf, 0, 0, 0, 8), types.Float8Bits(f.vals[i])), nil
	}
	buf, at := beginField(buf)
	return endField(types.AppendFloat(buf, f.vals[i], 64), at), nil
}

// stringField writes the string types, whose text and binary forms are the
// same bytes, and jsonb, whose binary form is a version byte (1) and then
// the text.
type stringField struct {
	nulls     nullMask
	a         *array.String
	jsonbWire bool
}

func (f stringField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	s := f.a.Value(i)
	if f.jsonbWire {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)+1))
		return append(append(buf, types.JSONBVersion), s...), nil
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
	return append(buf, s...), nil
}

// numericField writes numeric, held in Arrow as its canonical text.
type numericField struct {
	nulls  nullMask
	a      *array.String
	binary bool
}

func (f numericField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	s := f.a.Value(i)
	if !f.binary {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
		return append(buf, s...), nil
	}
	buf, at := beginField(buf)
	buf, err := types.AppendNumericBinary(buf, s)
	if err != nil {
		return buf, err
	}
	return endField(buf, at), nil
}

type byteaField struct {
	nulls  nullMask
	a      *array.Binary
	binary bool
}

func (f byteaField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	v := f.a.Value(i)
	if f.binary {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
		return append(buf, v...), nil
	}
	buf, at := beginField(buf)
	return endField(types.AppendText(buf, types.ByteaType, v, nil), at), nil
}

type dateField struct {
	nulls  nullMask
	vals   []arrow.Date32
	binary bool
}

func (f dateField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	d := types.DateValue(f.vals[i])
	if f.binary {
		return binary.BigEndian.AppendUint32(append(buf, 0, 0, 0, 4), uint32(types.PGDate(d))), nil
	}
	buf, at := beginField(buf)
	return endField(types.AppendDate(buf, d), at), nil
}

type timestampField struct {
	nulls  nullMask
	vals   []arrow.Timestamp
	binary bool
	loc    *time.Location // nil: timestamp without time zone
}

func (f timestampField) appendField(buf []byte, i int) ([]byte, error) {
	if f.nulls.isNull(i) {
		return appendNull(buf), nil
	}
	ts := types.TimestampValue(f.vals[i])
	if f.binary {
		return binary.BigEndian.AppendUint64(append(buf, 0, 0, 0, 8), uint64(types.PGTimestamp(ts))), nil
	}
	buf, at := beginField(buf)
	return endField(types.AppendTimestamp(buf, ts, f.loc), at), nil
}

// datumField writes any type through its Datum: arrays, time, interval,
// uuid, and whatever else has no fast path.
type datumField struct {
	t      types.T
	a      arrow.Array
	binary bool
	env    *types.Env
}

func (f datumField) appendField(buf []byte, i int) ([]byte, error) {
	if f.a.IsNull(i) {
		return appendNull(buf), nil
	}
	return appendDatumField(buf, f.t, types.DatumAt(f.t, f.a, i), f.binary, f.env)
}

// appendDatumField appends a length-prefixed field for one Datum.
func appendDatumField(buf []byte, t types.T, d types.Datum, bin bool, env *types.Env) ([]byte, error) {
	if d == nil {
		return appendNull(buf), nil
	}
	buf, at := beginField(buf)
	if !bin {
		return endField(types.AppendText(buf, t, d, env), at), nil
	}
	buf, err := types.AppendBinary(buf, t, d)
	if err != nil {
		return buf[:at], err
	}
	return endField(buf, at), nil
}
