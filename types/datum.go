package types

import (
	"encoding/hex"
	"math"

	"github.com/cockroachdb/apd/v3"
)

// Datum is one SQL value in its Go representation; see the package comment
// for the representation of each Kind. The nil Datum is NULL.
type Datum = any

// DateValue is a calendar date: days since 1970-01-01 in the proleptic Gregorian
// calendar. The extreme values are PostgreSQL's infinity and -infinity.
type DateValue int32

// DateValue infinities.
const (
	DateInfinity    DateValue = math.MaxInt32
	DateNegInfinity DateValue = math.MinInt32
)

// TimestampValue is microseconds since 1970-01-01 00:00:00 UTC. For timestamp
// without time zone it is the wall-clock reading taken as if in UTC.
type TimestampValue int64

// TimestampValue infinities.
const (
	TimestampInfinity    TimestampValue = math.MaxInt64
	TimestampNegInfinity TimestampValue = math.MinInt64
)

// TimeOfDay is microseconds since midnight.
type TimeOfDay int64

// IntervalValue is PostgreSQL's interval: months, days and microseconds are kept
// apart because their lengths vary.
type IntervalValue struct {
	Months int32
	Days   int32
	Micros int64
}

// Microseconds per unit.
const (
	MicrosPerSecond = int64(1_000_000)
	MicrosPerMinute = 60 * MicrosPerSecond
	MicrosPerHour   = 60 * MicrosPerMinute
	MicrosPerDay    = 24 * MicrosPerHour
)

// Approx returns the interval as microseconds, taking a month as 30 days, as
// PostgreSQL does to compare and order intervals.
func (iv IntervalValue) Approx() float64 {
	return float64(iv.Months)*30*float64(MicrosPerDay) + float64(iv.Days)*float64(MicrosPerDay) + float64(iv.Micros)
}

// cmpKey returns a 128-bit comparable form: PostgreSQL's interval_cmp_value.
func (iv IntervalValue) cmpKey() (hi int64, lo uint64) {
	days := int64(iv.Months)*30 + int64(iv.Days)
	// total = days*MicrosPerDay + Micros, in 128 bits.
	dayMicrosHi, dayMicrosLo := mul64(days, MicrosPerDay)
	return add128(dayMicrosHi, dayMicrosLo, iv.Micros)
}

func mul64(a, b int64) (hi int64, lo uint64) {
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(abs64(a)), uint64(abs64(b))
	h, l := mulU64(ua, ub)
	if neg {
		l = ^l + 1
		h = ^h
		if l == 0 {
			h++
		}
	}
	return int64(h), l
}

func mulU64(a, b uint64) (uint64, uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t & mask32
	w2 := t >> 32
	w1 += a0 * b1
	hi := a1*b1 + w2 + w1>>32
	return hi, a * b
}

func add128(hi int64, lo uint64, v int64) (int64, uint64) {
	nlo := lo + uint64(v)
	carry := int64(0)
	if nlo < lo {
		carry = 1
	}
	if v < 0 {
		carry--
	}
	return hi + carry, nlo
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// UUIDValue is a 128-bit universally unique identifier.
type UUIDValue [16]byte

// String returns the canonical hyphenated form.
func (u UUIDValue) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// NewNumeric returns a numeric datum from an int64.
func NewNumeric(v int64) *apd.Decimal { return apd.New(v, 0) }

// NumericContext is the context for numeric arithmetic: enough precision for
// any value PostgreSQL's numeric holds in practice, with the traps that
// PostgreSQL turns into errors.
var NumericContext = func() *apd.Context {
	c := apd.BaseContext.WithPrecision(1000)
	c.MaxExponent = 131072
	c.MinExponent = -16383
	c.Traps = apd.InvalidOperation | apd.DivisionByZero | apd.Overflow
	c.Rounding = apd.RoundHalfUp
	return c
}()
