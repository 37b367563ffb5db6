package types

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Env is the session state that text conversions depend on.
type Env struct {
	// Loc is the session's TimeZone, for timestamptz input and output.
	Loc *time.Location
	// Now is the transaction's start time, for 'now', 'today' and friends.
	Now time.Time
}

// DefaultEnv returns an Env in UTC at the current time.
func DefaultEnv() *Env { return &Env{Loc: time.UTC, Now: time.Now()} }

func (e *Env) loc() *time.Location {
	if e == nil || e.Loc == nil {
		return time.UTC
	}
	return e.Loc
}

func (e *Env) now() time.Time {
	if e == nil || e.Now.IsZero() {
		return time.Now()
	}
	return e.Now
}

// FormatText returns d in PostgreSQL's text output format. NULL formats as
// the empty string; callers that must tell NULL apart check d first.
func FormatText(t T, d Datum, env *Env) string {
	return string(AppendText(nil, t, d, env))
}

// AppendText appends d in PostgreSQL's text output format to buf.
func AppendText(buf []byte, t T, d Datum, env *Env) []byte {
	if d == nil {
		return buf
	}
	switch t.Kind {
	case Bool:
		if d.(bool) {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case Int2, Int4, Int8, Oid:
		return strconv.AppendInt(buf, d.(int64), 10)
	case RegClass, RegType, RegProc, RegNamespace:
		if s, ok := d.(string); ok {
			return append(buf, s...)
		}
		return strconv.AppendInt(buf, d.(int64), 10)
	case Float4:
		return AppendFloat(buf, d.(float64), 32)
	case Float8:
		return AppendFloat(buf, d.(float64), 64)
	case Numeric:
		return AppendNumeric(buf, d.(*apd.Decimal))
	case Text, Varchar, Char, Name, JSON, JSONB, Unknown, Record:
		return append(buf, d.(string)...)
	case Bytea:
		b := d.([]byte)
		buf = append(buf, '\\', 'x')
		n := len(buf)
		buf = append(buf, make([]byte, hex.EncodedLen(len(b)))...)
		hex.Encode(buf[n:], b)
		return buf
	case Date:
		return AppendDate(buf, d.(DateValue))
	case Time:
		return appendTimeOfDay(buf, int64(d.(TimeOfDay)))
	case Timestamp:
		return AppendTimestamp(buf, d.(TimestampValue), nil)
	case TimestampTZ:
		return AppendTimestamp(buf, d.(TimestampValue), env.loc())
	case Interval:
		return AppendInterval(buf, d.(IntervalValue))
	case UUID:
		return append(buf, d.(UUIDValue).String()...)
	case Array:
		return appendArray(buf, t.ElemType(), d.([]Datum), env)
	case Void:
		return buf
	}
	return fmt.Appendf(buf, "%v", d)
}

// AppendFloat formats f as PostgreSQL does with extra_float_digits = 1: the
// shortest text that reads back as the same value, in exponential notation
// when the decimal exponent is below -4 or at least 15 (6 for float4).
func AppendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bits)
	// e is like "-1.2345e+06".
	epos := strings.LastIndexByte(string(e), 'e')
	exp, _ := strconv.Atoi(string(e[epos+1:]))
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if exp < -4 || exp >= limit {
		mant := e[:epos]
		buf = append(buf, mant...)
		buf = append(buf, 'e')
		if exp < 0 {
			buf = append(buf, '-')
			exp = -exp
		} else {
			buf = append(buf, '+')
		}
		if exp < 10 {
			buf = append(buf, '0')
		}
		return strconv.AppendInt(buf, int64(exp), 10)
	}
	return strconv.AppendFloat(buf, f, 'f', -1, bits)
}

// AppendNumeric formats a numeric as PostgreSQL does: plain notation with
// the value's own scale.
func AppendNumeric(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(buf, "-Infinity"...)
		}
		return append(buf, "Infinity"...)
	}
	if d.Exponent > 0 {
		// Plain notation never shows a positive exponent.
		var c apd.Decimal
		_, _ = NumericContext.Quantize(&c, d, 0)
		d = &c
	}
	if d.IsZero() && d.Negative {
		var c apd.Decimal
		c.Set(d)
		c.Negative = false
		d = &c
	}
	if d.Exponent >= -19 && d.Coeff.IsUint64() {
		return AppendNumericParts(buf, d.Negative, d.Coeff.Uint64(), int(-d.Exponent))
	}
	return d.Append(buf, 'f')
}

// AppendNumericParts writes coeff * 10^-scale in plain notation, as apd's
// 'f' format does, without its general (big-number) path: most numerics a
// database stores have a coefficient that fits a uint64, and writing them
// is on the path of every COPY and every read of a numeric column. A zero
// is written without its sign, as AppendNumeric writes it.
func AppendNumericParts(buf []byte, neg bool, coeff uint64, scale int) []byte {
	if neg && coeff != 0 {
		buf = append(buf, '-')
	}
	var tmp [20]byte
	digits := strconv.AppendUint(tmp[:0], coeff, 10)
	if scale == 0 {
		return append(buf, digits...)
	}
	if len(digits) <= scale {
		buf = append(buf, "0."...)
		for range scale - len(digits) {
			buf = append(buf, '0')
		}
		return append(buf, digits...)
	}
	cut := len(digits) - scale
	buf = append(buf, digits[:cut]...)
	buf = append(buf, '.')
	return append(buf, digits[cut:]...)
}

func appendPadded(buf []byte, v int64, width int) []byte {
	s := strconv.AppendInt(nil, v, 10)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// civil splits days since 1970-01-01 into year, month, day (astronomical
// years: 0 is 1 BC).
func civil(days int64) (year int64, month, day int) {
	t := time.Unix(days*86400, 0).UTC()
	return int64(t.Year()), int(t.Month()), t.Day()
}

func appendYear(buf []byte, year int64) ([]byte, bool) {
	bc := year <= 0
	if bc {
		year = 1 - year
	}
	return appendPadded(buf, year, 4), bc
}

// AppendDate formats a date as YYYY-MM-DD, with " BC" for years before 1.
func AppendDate(buf []byte, d DateValue) []byte {
	switch d {
	case DateInfinity:
		return append(buf, "infinity"...)
	case DateNegInfinity:
		return append(buf, "-infinity"...)
	}
	y, m, dd := civil(int64(d))
	buf, bc := appendYear(buf, y)
	buf = append(buf, '-')
	buf = appendPadded(buf, int64(m), 2)
	buf = append(buf, '-')
	buf = appendPadded(buf, int64(dd), 2)
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendFraction(buf []byte, micros int64) []byte {
	if micros == 0 {
		return buf
	}
	var tmp [6]byte
	for i := 5; i >= 0; i-- {
		tmp[i] = byte('0' + micros%10)
		micros /= 10
	}
	n := 6
	for n > 0 && tmp[n-1] == '0' {
		n--
	}
	buf = append(buf, '.')
	return append(buf, tmp[:n]...)
}

func appendTimeOfDay(buf []byte, us int64) []byte {
	h := us / MicrosPerHour
	us -= h * MicrosPerHour
	m := us / MicrosPerMinute
	us -= m * MicrosPerMinute
	s := us / MicrosPerSecond
	us -= s * MicrosPerSecond
	buf = appendPadded(buf, h, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, m, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, s, 2)
	return appendFraction(buf, us)
}

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return
}

// AppendTimestamp formats ts. With loc nil it is a timestamp without time
// zone; otherwise ts is shown in loc with its UTC offset.
func AppendTimestamp(buf []byte, ts TimestampValue, loc *time.Location) []byte {
	switch ts {
	case TimestampInfinity:
		return append(buf, "infinity"...)
	case TimestampNegInfinity:
		return append(buf, "-infinity"...)
	}
	us := int64(ts)
	offset := 0
	if loc != nil {
		secs, _ := floorDiv(us, MicrosPerSecond)
		_, offset = time.Unix(secs, 0).In(loc).Zone()
		us += int64(offset) * MicrosPerSecond
	}
	days, rem := floorDiv(us, MicrosPerDay)
	y, m, d := civil(days)
	buf, bc := appendYear(buf, y)
	buf = append(buf, '-')
	buf = appendPadded(buf, int64(m), 2)
	buf = append(buf, '-')
	buf = appendPadded(buf, int64(d), 2)
	buf = append(buf, ' ')
	buf = appendTimeOfDay(buf, rem)
	if loc != nil {
		buf = appendOffset(buf, offset)
	}
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendOffset(buf []byte, offset int) []byte {
	if offset < 0 {
		buf = append(buf, '-')
		offset = -offset
	} else {
		buf = append(buf, '+')
	}
	buf = appendPadded(buf, int64(offset/3600), 2)
	if rem := offset % 3600; rem != 0 {
		buf = append(buf, ':')
		buf = appendPadded(buf, int64(rem/60), 2)
		if s := rem % 60; s != 0 {
			buf = append(buf, ':')
			buf = appendPadded(buf, int64(s), 2)
		}
	}
	return buf
}

// AppendInterval formats iv in PostgreSQL's default IntervalStyle.
func AppendInterval(buf []byte, iv IntervalValue) []byte {
	years := int64(iv.Months / 12)
	mons := int64(iv.Months % 12)
	days := int64(iv.Days)
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			buf = append(buf, ' ')
		}
		if isBefore && v > 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, v, 10)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if v != 1 {
			buf = append(buf, 's')
		}
		isBefore = v < 0
		isZero = false
	}
	part(years, "year")
	part(mons, "mon")
	part(days, "day")
	us := iv.Micros
	if isZero || us != 0 {
		if !isZero {
			buf = append(buf, ' ')
		}
		if us < 0 {
			buf = append(buf, '-')
			us = -us
		} else if isBefore {
			buf = append(buf, '+')
		}
		buf = appendTimeOfDay(buf, us)
	}
	return buf
}

func appendArray(buf []byte, elem T, elems []Datum, env *Env) []byte {
	buf = append(buf, '{')
	for i, e := range elems {
		if i > 0 {
			buf = append(buf, ',')
		}
		if e == nil {
			buf = append(buf, "NULL"...)
			continue
		}
		s := AppendText(nil, elem, e, env)
		if arrayNeedsQuotes(s) {
			buf = append(buf, '"')
			for _, c := range s {
				if c == '"' || c == '\\' {
					buf = append(buf, '\\')
				}
				buf = append(buf, c)
			}
			buf = append(buf, '"')
		} else {
			buf = append(buf, s...)
		}
	}
	return append(buf, '}')
}

func arrayNeedsQuotes(s []byte) bool {
	if len(s) == 0 || strings.EqualFold(string(s), "null") {
		return true
	}
	for _, c := range s {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}
