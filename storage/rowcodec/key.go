package rowcodec

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Tags that start every key-encoded value.
const (
	keyTagValue byte = 0x10
	keyTagNull  byte = 0xf0
)

// Numeric classes, in order.
const (
	numNegInf   byte = 0x01
	numNegative byte = 0x02
	numZero     byte = 0x03
	numPositive byte = 0x04
	numPosInf   byte = 0x05
	numNaN      byte = 0x06
)

// Array element markers: the end of the array sorts before any element, and
// a NULL element after any value, as types.Compare orders arrays.
const (
	arrayEnd     byte = 0x01
	arrayElement byte = 0x02
	arrayNull    byte = 0x03
)

// AppendKey appends the key encoding of d, a value of type t (nil is NULL),
// ascending or descending.
func AppendKey(dst []byte, t types.T, d types.Datum, desc bool) ([]byte, error) {
	start := len(dst)
	var err error
	if d == nil {
		dst = append(dst, keyTagNull)
	} else {
		dst = append(dst, keyTagValue)
		dst, err = appendKeyBody(dst, t, d)
		if err != nil {
			return dst[:start], err
		}
	}
	if desc {
		for i := start; i < len(dst); i++ {
			dst[i] = ^dst[i]
		}
	}
	return dst, nil
}

// appendKeyBody appends the ascending encoding of a non-NULL value, without
// its tag. A datum of the wrong Go type is the caller's bug, reported as an
// internal error.
func appendKeyBody(dst []byte, t types.T, d types.Datum) ([]byte, error) {
	bad := func() ([]byte, error) {
		return dst, pgerror.Internalf("rowcodec: cannot key-encode %T as %s", d, t)
	}
	switch t.Kind {
	case types.Bool:
		v, ok := d.(bool)
		if !ok {
			return bad()
		}
		if v {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case types.Int2, types.Int4, types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		v, ok := d.(int64)
		if !ok {
			return bad()
		}
		return AppendIntKey(dst, v), nil
	case types.Float4, types.Float8:
		v, ok := d.(float64)
		if !ok {
			return bad()
		}
		return binary.BigEndian.AppendUint64(dst, floatKey(v)), nil
	case types.Numeric:
		v, ok := d.(*apd.Decimal)
		if !ok || v == nil {
			return bad()
		}
		return appendNumericKey(dst, v), nil
	case types.Char:
		v, ok := d.(string)
		if !ok {
			return bad()
		}
		return appendBytesKey(dst, strings.TrimRight(v, " ")), nil
	case types.Text, types.Varchar, types.Name, types.JSON, types.JSONB, types.Unknown:
		v, ok := d.(string)
		if !ok {
			return bad()
		}
		return appendBytesKey(dst, v), nil
	case types.Bytea:
		v, ok := d.([]byte)
		if !ok {
			return bad()
		}
		return appendBytesKey(dst, v), nil
	case types.Date:
		v, ok := d.(types.DateValue)
		if !ok {
			return bad()
		}
		return AppendIntKey(dst, int64(v)), nil
	case types.Time:
		v, ok := d.(types.TimeOfDay)
		if !ok {
			return bad()
		}
		return AppendIntKey(dst, int64(v)), nil
	case types.Timestamp, types.TimestampTZ:
		v, ok := d.(types.TimestampValue)
		if !ok {
			return bad()
		}
		return AppendIntKey(dst, int64(v)), nil
	case types.Interval:
		v, ok := d.(types.IntervalValue)
		if !ok {
			return bad()
		}
		hi, lo := intervalKey(v)
		dst = binary.BigEndian.AppendUint64(dst, uint64(hi)^(1<<63))
		return binary.BigEndian.AppendUint64(dst, lo), nil
	case types.UUID:
		v, ok := d.(types.UUIDValue)
		if !ok {
			return bad()
		}
		return append(dst, v[:]...), nil
	case types.Array:
		v, ok := d.([]types.Datum)
		if !ok {
			return bad()
		}
		et := t.ElemType()
		var err error
		for _, e := range v {
			if e == nil {
				dst = append(dst, arrayNull)
				continue
			}
			dst = append(dst, arrayElement)
			if dst, err = appendKeyBody(dst, et, e); err != nil {
				return dst, err
			}
		}
		return append(dst, arrayEnd), nil
	}
	return dst, pgerror.Unsupportedf("values of type %s cannot be used in a key", t)
}

// AppendIntKey appends an order-preserving variable-length encoding of v: a
// header byte that gives the sign and the number of bytes that follow, then
// those bytes big-endian. Small magnitudes take two bytes.
func AppendIntKey(dst []byte, v int64) []byte {
	if v >= 0 {
		n := byteLen(uint64(v))
		dst = append(dst, 0x80+byte(n))
		return appendLowBytes(dst, uint64(v), n)
	}
	n := byteLen(^uint64(v))
	dst = append(dst, 0x80-byte(n))
	return appendLowBytes(dst, uint64(v), n)
}

// byteLen returns how many bytes u needs, at least 1.
func byteLen(u uint64) int {
	return max(1, (bits.Len64(u)+7)/8)
}

func appendLowBytes(dst []byte, u uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(u>>(8*i)))
	}
	return dst
}

// floatKey maps a float to an unsigned integer of the same order: NaN above
// +Inf, and -0 equal to 0, as PostgreSQL orders floats.
func floatKey(f float64) uint64 {
	if math.IsNaN(f) {
		return math.MaxUint64
	}
	if f == 0 {
		f = 0 // -0 becomes +0
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// appendBytesKey appends s with 0x00 escaped as 0x00 0xff, then the
// terminator 0x00 0x01, which sorts before any escaped byte: bytewise order
// is kept and the encoding is prefix-free.
func appendBytesKey[S string | []byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			dst = append(dst, 0, 0xff)
			continue
		}
		dst = append(dst, s[i])
	}
	return append(dst, 0, 1)
}

// appendNumericKey encodes a finite non-zero value as 0.d1d2d3… × 10^E with
// d1 ≠ 0 and no trailing zero digits, so equal values encode identically:
// the class byte, E as an integer key, then the digits in base-100 pairs
// (pair+1) and a 0 terminator, so that a shorter digit string sorts first.
// Negative values invert E and the digit bytes (terminator 0xff), since a
// larger magnitude is a smaller value.
func appendNumericKey(dst []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(dst, numNaN)
	case apd.Infinite:
		if d.Negative {
			return append(dst, numNegInf)
		}
		return append(dst, numPosInf)
	}
	if d.Coeff.Sign() == 0 {
		return append(dst, numZero)
	}
	var buf [64]byte
	digits := d.Coeff.Append(buf[:0], 10)
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	e := int64(d.Exponent) + int64(len(digits))
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	neg := d.Negative
	if neg {
		dst = append(dst, numNegative)
		dst = AppendIntKey(dst, -e)
	} else {
		dst = append(dst, numPositive)
		dst = AppendIntKey(dst, e)
	}
	for i := 0; i < len(digits); i += 2 {
		pair := (digits[i] - '0') * 10
		if i+1 < len(digits) {
			pair += digits[i+1] - '0'
		}
		b := pair + 1
		if neg {
			b = 0xff - b
		}
		dst = append(dst, b)
	}
	if neg {
		return append(dst, 0xff)
	}
	return append(dst, 0)
}

// intervalKey returns the interval's length in microseconds with 30-day
// months, as a 128-bit integer (hi signed, lo unsigned): PostgreSQL's
// interval_cmp_value, which types.CompareInterval orders by.
func intervalKey(iv types.IntervalValue) (hi int64, lo uint64) {
	days := int64(iv.Months)*30 + int64(iv.Days) // fits: |months| < 2^31
	// days * MicrosPerDay as a signed 128-bit product.
	neg := days < 0
	ud := uint64(days)
	if neg {
		ud = uint64(-days)
	}
	h, l := bits.Mul64(ud, uint64(types.MicrosPerDay))
	if neg {
		l = ^l + 1
		h = ^h
		if l == 0 {
			h++
		}
	}
	// Add the microseconds, sign-extended.
	m := uint64(iv.Micros)
	mh := uint64(0)
	if iv.Micros < 0 {
		mh = math.MaxUint64
	}
	var carry uint64
	l, carry = bits.Add64(l, m, 0)
	h, _ = bits.Add64(h, mh, carry)
	return int64(h), l
}
