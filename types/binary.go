package types

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
)

// PostgreSQL's binary formats count dates and timestamps from 2000-01-01,
// portalsdb's values from 1970-01-01.
const (
	pgEpochDays   = 10957                       // days from 1970-01-01 to 2000-01-01
	pgEpochMicros = pgEpochDays * 86400_000_000 // the same in microseconds
	JSONBVersion  = 1                           // the first byte of binary jsonb
)

// PGDate converts a date to PostgreSQL's binary date; the infinities are
// the same extreme values in both.
func PGDate(d DateValue) int32 {
	if d == DateInfinity || d == DateNegInfinity {
		return int32(d)
	}
	return int32(d) - pgEpochDays
}

func fromPGDate(v int32) DateValue {
	if v == math.MaxInt32 || v == math.MinInt32 {
		return DateValue(v)
	}
	return DateValue(int64(v) + pgEpochDays)
}

func PGTimestamp(ts TimestampValue) int64 {
	if ts == TimestampInfinity || ts == TimestampNegInfinity {
		return int64(ts)
	}
	return int64(ts) - pgEpochMicros
}

func fromPGTimestamp(v int64) TimestampValue {
	if v == math.MaxInt64 || v == math.MinInt64 {
		return TimestampValue(v)
	}
	return TimestampValue(v + pgEpochMicros)
}

// Float4Bits and Float8Bits send NaN as the one quiet NaN PostgreSQL
// sends, whatever NaN payload the value carries.
func Float4Bits(f float32) uint32 {
	if f != f {
		return 0x7fc00000
	}
	return math.Float32bits(f)
}

func Float8Bits(f float64) uint64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return math.Float64bits(f)
}

// BinaryOutputSupported reports whether values of t can be sent in binary.
func BinaryOutputSupported(t T) bool {
	switch t.Kind {
	case Record:
		return false
	case Array:
		return t.Elem != Array && BinaryOutputSupported(t.ElemType())
	}
	return true
}

func NoBinaryOutput(t T) error {
	return pgerror.Newf(pgerror.UndefinedFunction, "no binary output function available for type %s", t)
}

// AppendBinary appends d, a value of type t, in PostgreSQL's binary
// format (without the length word).
func AppendBinary(buf []byte, t T, d Datum) ([]byte, error) {
	bad := func() ([]byte, error) {
		return buf, pgerror.Internalf("value of Go type %T is not a %s", d, t)
	}
	switch t.Kind {
	case Bool:
		v, ok := d.(bool)
		if !ok {
			return bad()
		}
		if v {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case Int2, Int4, Int8, Oid, RegClass, RegType, RegProc, RegNamespace:
		v, ok := d.(int64)
		if !ok {
			return bad()
		}
		switch t.Kind {
		case Int2:
			return binary.BigEndian.AppendUint16(buf, uint16(v)), nil
		case Int4:
			return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
		case Int8:
			return binary.BigEndian.AppendUint64(buf, uint64(v)), nil
		}
		return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
	case Float4:
		v, ok := d.(float64)
		if !ok {
			return bad()
		}
		return binary.BigEndian.AppendUint32(buf, Float4Bits(float32(v))), nil
	case Float8:
		v, ok := d.(float64)
		if !ok {
			return bad()
		}
		return binary.BigEndian.AppendUint64(buf, Float8Bits(v)), nil
	case Numeric:
		v, ok := d.(*apd.Decimal)
		if !ok {
			return bad()
		}
		return AppendNumericBinary(buf, string(AppendNumeric(nil, v)))
	case Text, Varchar, Char, Name, Unknown, JSON:
		v, ok := d.(string)
		if !ok {
			return bad()
		}
		return append(buf, v...), nil
	case JSONB:
		v, ok := d.(string)
		if !ok {
			return bad()
		}
		return append(append(buf, JSONBVersion), v...), nil
	case Bytea:
		v, ok := d.([]byte)
		if !ok {
			return bad()
		}
		return append(buf, v...), nil
	case Date:
		v, ok := d.(DateValue)
		if !ok {
			return bad()
		}
		return binary.BigEndian.AppendUint32(buf, uint32(PGDate(v))), nil
	case Time:
		v, ok := d.(TimeOfDay)
		if !ok {
			return bad()
		}
		return binary.BigEndian.AppendUint64(buf, uint64(v)), nil
	case Timestamp, TimestampTZ:
		v, ok := d.(TimestampValue)
		if !ok {
			return bad()
		}
		return binary.BigEndian.AppendUint64(buf, uint64(PGTimestamp(v))), nil
	case Interval:
		v, ok := d.(IntervalValue)
		if !ok {
			return bad()
		}
		buf = binary.BigEndian.AppendUint64(buf, uint64(v.Micros))
		buf = binary.BigEndian.AppendUint32(buf, uint32(v.Days))
		return binary.BigEndian.AppendUint32(buf, uint32(v.Months)), nil
	case UUID:
		v, ok := d.(UUIDValue)
		if !ok {
			return bad()
		}
		return append(buf, v[:]...), nil
	case Void:
		return buf, nil
	case Array:
		v, ok := d.([]Datum)
		if !ok {
			return bad()
		}
		return appendBinaryArray(buf, t.ElemType(), v)
	}
	return buf, NoBinaryOutput(t)
}

// appendBinaryArray writes a one-dimensional array: ndim, has-nulls flag,
// element type, then the dimension's length and lower bound (1), then each
// element with its length word. The empty array has no dimensions.
func appendBinaryArray(buf []byte, elem T, elems []Datum) ([]byte, error) {
	ndim, hasNull := uint32(1), uint32(0)
	if len(elems) == 0 {
		ndim = 0
	}
	for _, e := range elems {
		if e == nil {
			hasNull = 1
			break
		}
	}
	buf = binary.BigEndian.AppendUint32(buf, ndim)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, elem.Oid())
	if ndim == 0 {
		return buf, nil
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(elems)))
	buf = binary.BigEndian.AppendUint32(buf, 1)
	var err error
	for _, e := range elems {
		if buf, err = appendBinaryField(buf, elem, e); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func badBinary(t T, format string, args ...any) error {
	return pgerror.Newf(pgerror.InvalidBinaryRepresentation, "incorrect binary data format for type %s: "+format,
		append([]any{t}, args...)...)
}

// DecodeBinary reads a value of type t from PostgreSQL's binary format. The
// result never aliases b.
func DecodeBinary(t T, b []byte) (Datum, error) {
	wantLen := func(n int) error {
		if len(b) != n {
			return badBinary(t, "expected %d bytes, got %d", n, len(b))
		}
		return nil
	}
	switch t.Kind {
	case Bool:
		if err := wantLen(1); err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case Int2:
		if err := wantLen(2); err != nil {
			return nil, err
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case Int4:
		if err := wantLen(4); err != nil {
			return nil, err
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case Int8:
		if err := wantLen(8); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case Oid, RegClass, RegType, RegProc, RegNamespace:
		if err := wantLen(4); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint32(b)), nil
	case Float4:
		if err := wantLen(4); err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case Float8:
		if err := wantLen(8); err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case Numeric:
		d, err := decodeNumericBinary(b)
		if err != nil {
			return nil, err
		}
		return CoerceNumeric(d, t)
	case Text, Varchar, Char, Name, Unknown, Record, JSON:
		if !utf8.Valid(b) {
			return nil, InvalidUTF8()
		}
		if t.Kind == Varchar || t.Kind == Char {
			return CoerceString(string(b), t, false)
		}
		return string(b), nil
	case JSONB:
		if len(b) == 0 || b[0] != JSONBVersion {
			return nil, badBinary(t, "unsupported jsonb version number")
		}
		if !utf8.Valid(b[1:]) {
			return nil, InvalidUTF8()
		}
		return NormalizeJSON(string(b[1:]))
	case Bytea:
		return append([]byte{}, b...), nil
	case Date:
		if err := wantLen(4); err != nil {
			return nil, err
		}
		return fromPGDate(int32(binary.BigEndian.Uint32(b))), nil
	case Time:
		if err := wantLen(8); err != nil {
			return nil, err
		}
		v := int64(binary.BigEndian.Uint64(b))
		if v < 0 || v > MicrosPerDay {
			return nil, pgerror.New(pgerror.InvalidDatetimeFormat, "time out of range")
		}
		return TimeOfDay(v), nil
	case Timestamp, TimestampTZ:
		if err := wantLen(8); err != nil {
			return nil, err
		}
		return fromPGTimestamp(int64(binary.BigEndian.Uint64(b))), nil
	case Interval:
		if err := wantLen(16); err != nil {
			return nil, err
		}
		return IntervalValue{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	case UUID:
		if err := wantLen(16); err != nil {
			return nil, err
		}
		var u UUIDValue
		copy(u[:], b)
		return u, nil
	case Array:
		return decodeBinaryArray(t, b)
	}
	return nil, pgerror.Newf(pgerror.UndefinedFunction, "no binary input function available for type %s", t)
}

// InvalidUTF8 is the error for text that is not valid UTF-8.
func InvalidUTF8() error {
	return pgerror.New(pgerror.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8"`)
}

// decodeBinaryArray reads a binary array of at most one dimension (the
// arrays portalsdb holds), whose elements must be of t's element type.
func decodeBinaryArray(t T, b []byte) (Datum, error) {
	elem := t.ElemType()
	if len(b) < 12 {
		return nil, badBinary(t, "array header too short")
	}
	ndim := int32(binary.BigEndian.Uint32(b))
	flags := binary.BigEndian.Uint32(b[4:])
	elemOid := binary.BigEndian.Uint32(b[8:])
	b = b[12:]
	if flags > 1 {
		return nil, badBinary(t, "invalid array flags")
	}
	if elemOid != elem.Oid() {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "binary data has array element type %d instead of expected %d (%s)",
			elemOid, elem.Oid(), elem)
	}
	switch {
	case ndim == 0:
		if len(b) != 0 {
			return nil, badBinary(t, "trailing data after empty array")
		}
		return []Datum{}, nil
	case ndim < 0:
		return nil, badBinary(t, "invalid number of dimensions: %d", ndim)
	case ndim > 1:
		return nil, pgerror.Unsupportedf("multidimensional arrays are not supported")
	}
	if len(b) < 8 {
		return nil, badBinary(t, "array dimension missing")
	}
	n := int32(binary.BigEndian.Uint32(b))
	b = b[8:] // the lower bound is not kept: arrays start at 1
	if n < 0 || int(n) > len(b)/4 {
		return nil, badBinary(t, "invalid array length %d", n)
	}
	out := make([]Datum, n)
	for i := range out {
		if len(b) < 4 {
			return nil, badBinary(t, "array element %d missing", i+1)
		}
		l := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		if l == -1 {
			continue
		}
		if l < 0 || int(l) > len(b) {
			return nil, badBinary(t, "invalid length of array element %d", i+1)
		}
		v, err := DecodeBinary(elem, b[:l])
		if err != nil {
			return nil, err
		}
		out[i] = v
		b = b[l:]
	}
	if len(b) != 0 {
		return nil, badBinary(t, "trailing data after array")
	}
	return out, nil
}

// appendBinaryField appends one length-prefixed binary field (-1 for
// NULL), as array elements and COPY BINARY tuples carry them.
func appendBinaryField(buf []byte, t T, d Datum) ([]byte, error) {
	if d == nil {
		return append(buf, 0xff, 0xff, 0xff, 0xff), nil
	}
	at := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	buf, err := AppendBinary(buf, t, d)
	if err != nil {
		return buf[:at], err
	}
	binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	return buf, nil
}
