package types

import (
	"bytes"
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two non-NULL datums of type t: -1, 0 or +1. Strings
// compare bytewise (the C collation); char(n) ignores trailing spaces;
// floats order NaN above every other value, and NaN equals NaN, as in
// PostgreSQL.
func Compare(t T, a, b Datum) int {
	switch t.Kind {
	case Bool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case Int2, Int4, Int8, Oid, RegClass, RegType, RegProc, RegNamespace:
		return cmpOrdered(a.(int64), b.(int64))
	case Float4, Float8:
		return CompareFloat(a.(float64), b.(float64))
	case Numeric:
		return CompareNumeric(a.(*apd.Decimal), b.(*apd.Decimal))
	case Char:
		return strings.Compare(strings.TrimRight(a.(string), " "), strings.TrimRight(b.(string), " "))
	case Text, Varchar, Name, Unknown, JSON, JSONB, Record:
		return strings.Compare(a.(string), b.(string))
	case Bytea:
		return bytes.Compare(a.([]byte), b.([]byte))
	case Date:
		return cmpOrdered(a.(DateValue), b.(DateValue))
	case Time:
		return cmpOrdered(a.(TimeOfDay), b.(TimeOfDay))
	case Timestamp, TimestampTZ:
		return cmpOrdered(a.(TimestampValue), b.(TimestampValue))
	case Interval:
		return CompareInterval(a.(IntervalValue), b.(IntervalValue))
	case UUID:
		x, y := a.(UUIDValue), b.(UUIDValue)
		return bytes.Compare(x[:], y[:])
	case Array:
		x, y := a.([]Datum), b.([]Datum)
		et := t.ElemType()
		for i := 0; i < len(x) && i < len(y); i++ {
			switch {
			case x[i] == nil && y[i] == nil:
				continue
			case x[i] == nil:
				return 1
			case y[i] == nil:
				return -1
			}
			if c := Compare(et, x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmpOrdered(len(x), len(y))
	}
	return 0
}

type ordered interface {
	~int | ~int32 | ~int64 | ~float64 | ~string
}

func cmpOrdered[V ordered](a, b V) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareFloat orders floats as PostgreSQL: NaN is above everything and
// equal to itself; -0 equals 0.
func CompareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmpOrdered(a, b)
}

// CompareNumeric orders numerics: NaN above +Infinity, as PostgreSQL.
func CompareNumeric(a, b *apd.Decimal) int {
	an := a.Form == apd.NaN || a.Form == apd.NaNSignaling
	bn := b.Form == apd.NaN || b.Form == apd.NaNSignaling
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(b)
}

// CompareInterval orders intervals by their length with 30-day months.
func CompareInterval(a, b IntervalValue) int {
	ah, al := a.cmpKey()
	bh, bl := b.cmpKey()
	if ah != bh {
		return cmpOrdered(ah, bh)
	}
	switch {
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}
