package types

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
)

// ParseText reads s, in PostgreSQL's text input format, as a value of type
// t. Bad input gets 22P02 (or 22007 for dates and times), values out of
// range 22003 (22008 for dates and times).
func ParseText(t T, s string, env *Env) (Datum, error) {
	switch t.Kind {
	case Bool:
		return ParseBool(s)
	case Int2:
		return ParseInt(s, 16, t)
	case Int4:
		return ParseInt(s, 32, t)
	case Int8:
		return ParseInt(s, 64, t)
	case Oid, RegClass, RegType, RegProc, RegNamespace:
		v, err := ParseInt(s, 64, t)
		if err != nil {
			return nil, err
		}
		if v.(int64) < 0 || v.(int64) > math.MaxUint32 {
			return nil, pgerror.Newf(pgerror.NumericValueOutOfRange, "value %q is out of range for type oid", s)
		}
		return v, nil
	case Float4:
		return ParseFloat(s, 32)
	case Float8:
		return ParseFloat(s, 64)
	case Numeric:
		d, err := ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return CoerceNumeric(d, t)
	case Text, Unknown, Name, Record:
		return s, nil
	case Varchar, Char:
		return CoerceString(s, t, false)
	case Bytea:
		return ParseBytea(s)
	case Date:
		return ParseDate(s, env)
	case Time:
		return ParseTime(s)
	case Timestamp:
		return ParseTimestamp(s, env, false)
	case TimestampTZ:
		return ParseTimestamp(s, env, true)
	case Interval:
		return ParseInterval(s)
	case UUID:
		return ParseUUID(s)
	case JSONB:
		return NormalizeJSON(s)
	case JSON:
		return ValidateJSON(s)
	case Array:
		return ParseArray(s, t.ElemType(), env)
	}
	return nil, pgerror.Unsupportedf("text input for type %s is not supported", t)
}

func syntaxError(t string, s string) error {
	return pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t, s)
}

// ParseBool reads a boolean as PostgreSQL's boolin: true, yes, on, 1 and
// their opposites, any unique prefix of the words, in any case.
func ParseBool(s string) (Datum, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch {
	case v == "":
	case v == "1", strings.HasPrefix("true", v), strings.HasPrefix("yes", v), v == "on":
		return true, nil
	case v == "0", strings.HasPrefix("false", v), strings.HasPrefix("no", v), len(v) >= 2 && strings.HasPrefix("off", v):
		return false, nil
	}
	return nil, syntaxError("boolean", s)
}

// ParseInt reads an integer that must fit in bits bits.
func ParseInt(s string, bits int, t T) (Datum, error) {
	v := strings.TrimSpace(s)
	name := kinds[t.Kind].name
	if t.IsOidLike() {
		name = "oid"
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 10, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerror.Newf(pgerror.NumericValueOutOfRange, "value %q is out of range for type %s", s, name)
		}
		if strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X") || strings.HasPrefix(v, "0o") || strings.HasPrefix(v, "0b") {
			n, err = strconv.ParseInt(v, 0, bits)
			if err == nil {
				return n, nil
			}
		}
		return nil, syntaxError(name, s)
	}
	return n, nil
}

// ParseFloat reads a float, accepting Infinity and NaN in any case.
func ParseFloat(s string, bits int) (Datum, error) {
	v := strings.TrimSpace(s)
	name := "double precision"
	if bits == 32 {
		name = "real"
	}
	switch strings.ToLower(v) {
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	if v == "" || strings.ContainsAny(v, "_xXpP") {
		return nil, syntaxError(name, s)
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerror.Newf(pgerror.NumericValueOutOfRange, "%q is out of range for type %s", s, name)
		}
		return nil, syntaxError(name, s)
	}
	return f, nil
}

// ParseNumeric reads a numeric, accepting NaN and Infinity.
func ParseNumeric(s string) (*apd.Decimal, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf":
		return &apd.Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	if v == "" || strings.ContainsAny(v, "iInN_") {
		return nil, syntaxError("numeric", s)
	}
	if d, ok := plainNumeric(v); ok {
		return d, nil
	}
	d, _, err := apd.NewFromString(v)
	if err != nil {
		return nil, syntaxError("numeric", s)
	}
	if d.Exponent > 0 {
		// 1e3 reads as 1000, as in PostgreSQL.
		_, _ = NumericContext.Quantize(d, d, 0)
	}
	return d, nil
}

// plainNumeric reads a numeric written plainly, [-+]digits[.digits], with
// at most 18 digits: the form numerics take in Arrow columns and in most
// client text. It builds the decimal from an int64 coefficient, which is
// several times cheaper than apd's general parser (COPY and every read of
// a numeric column go through here); other forms report false.
func plainNumeric(s string) (*apd.Decimal, bool) {
	neg, coeff, scale, ok := PlainNumericParts(s)
	if !ok {
		return nil, false
	}
	d := apd.New(int64(coeff), -int32(scale))
	d.Negative = neg
	return d, true
}

// PlainNumericParts splits a numeric written plainly, [-+]digits[.digits]
// with at most 18 digits, into its sign, coefficient and scale (digits
// after the point): 1.50 is 150 at scale 2. Other forms report false.
// Kernels use it to compute on small numerics without a decimal.
func PlainNumericParts(s string) (neg bool, coeff uint64, scale int, ok bool) {
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits, i := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		coeff = coeff*10 + uint64(s[i]-'0')
		digits++
	}
	if digits == 0 {
		return false, 0, 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			coeff = coeff*10 + uint64(s[i]-'0')
			digits++
			scale++
		}
		if scale == 0 {
			return false, 0, 0, false
		}
	}
	if i != len(s) || digits > 18 {
		return false, 0, 0, false
	}
	return neg, coeff, scale, true
}

// CoerceNumeric rounds d to the scale of numeric(p,s) and checks its
// precision; an unconstrained t returns d unchanged.
func CoerceNumeric(d *apd.Decimal, t T) (*apd.Decimal, error) {
	p, s, ok := t.NumericPrecisionScale()
	if !ok || d.Form != apd.Finite {
		return d, nil
	}
	if d.Exponent == -s && d.Coeff.IsUint64() {
		// Already at the scale (a client sending numeric(p,s) values
		// usually does): only the precision needs a check.
		if c := d.Coeff.Uint64(); c != 0 && decimalDigits(c) > int(p) {
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow").
				WithDetail(fmtOverflowDetail(p, s))
		}
		return d, nil
	}
	var out apd.Decimal
	if _, err := NumericContext.Quantize(&out, d, -s); err != nil {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow")
	}
	digits := int32(out.NumDigits())
	if out.IsZero() {
		digits = 0
	}
	if digits > p {
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow").
			WithDetail(fmtOverflowDetail(p, s))
	}
	return &out, nil
}

// decimalDigits is the number of decimal digits of c.
func decimalDigits(c uint64) int {
	n := 1
	for c >= 10 {
		c /= 10
		n++
	}
	return n
}

func fmtOverflowDetail(p, s int32) string {
	return "A field with precision " + strconv.Itoa(int(p)) + ", scale " + strconv.Itoa(int(s)) +
		" must round to an absolute value less than " + func() string {
		if p-s <= 0 {
			return "1"
		}
		return "10^" + strconv.Itoa(int(p-s))
	}() + "."
}

// CoerceString applies the length of varchar(n) or char(n) to s. An
// explicit cast truncates; an assignment of a longer value is an error
// unless the excess is spaces. char(n) pads with spaces.
func CoerceString(s string, t T, explicit bool) (string, error) {
	if t.Mod < 0 {
		return s, nil
	}
	n := int(t.Mod)
	runes := 0
	cut := len(s)
	for i := range s {
		if runes == n {
			cut = i
			break
		}
		runes++
	}
	if cut < len(s) {
		if !explicit && strings.TrimRight(s[cut:], " ") != "" {
			return "", pgerror.Newf(pgerror.StringDataRightTruncation, "value too long for type %s", t)
		}
		s = s[:cut]
	}
	if t.Kind == Char && runes < n {
		s += strings.Repeat(" ", n-runes)
	}
	return s, nil
}

// ParseBytea reads bytea in hex (\x0a0b) or escape format.
func ParseBytea(s string) (Datum, error) {
	if strings.HasPrefix(s, `\x`) {
		h := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\t' || r == '\r' {
				return -1
			}
			return r
		}, s[2:])
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, syntaxError("bytea", s)
		}
		return b, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			out = append(out, '\\')
			i++
			continue
		}
		if i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		return nil, syntaxError("bytea", s)
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// ParseUUID reads a UUIDValue, with or without hyphens and braces.
func ParseUUID(s string) (Datum, error) {
	v := strings.TrimSpace(s)
	v = strings.TrimPrefix(strings.TrimSuffix(v, "}"), "{")
	v = strings.ReplaceAll(v, "-", "")
	var u UUIDValue
	if len(v) != 32 {
		return nil, syntaxError("uuid", s)
	}
	if _, err := hex.Decode(u[:], []byte(v)); err != nil {
		return nil, syntaxError("uuid", s)
	}
	return u, nil
}

// dateTimeFields is the parsed form of a date/time literal.
type dateTimeFields struct {
	year, month, day int64
	hasDate, hasTime bool
	hour, min, sec   int64
	micros           int64
	hasZone          bool
	zoneOffset       int // seconds east of UTC
	zoneLoc          *time.Location
	bc               bool
	special          string // "infinity", "-infinity", "epoch", "now", "today", ...
}

func dateFieldError(typ, s string) error {
	return pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid input syntax for type %s: %q", typ, s)
}

func rangeError(s string) error {
	return pgerror.Newf(pgerror.DatetimeFieldOverflow, "date/time field value out of range: %q", s)
}

// parseDateTime reads the forms PostgreSQL users write: ISO 8601 dates and
// timestamps with ' ' or 'T', MM/DD/YYYY, time zones as Z, +hh[:mm],
// abbreviations and IANA names, BC, and the special words.
func parseDateTime(s, typ string) (dateTimeFields, error) {
	var f dateTimeFields
	v := strings.TrimSpace(s)
	lower := strings.ToLower(v)
	switch lower {
	case "infinity", "+infinity", "-infinity", "epoch", "now", "today", "tomorrow", "yesterday", "allballs":
		f.special = strings.TrimPrefix(lower, "+")
		return f, nil
	}
	if strings.HasSuffix(lower, " bc") {
		f.bc = true
		v = strings.TrimSpace(v[:len(v)-3])
	} else if strings.HasSuffix(lower, " ad") {
		v = strings.TrimSpace(v[:len(v)-3])
	}
	// Split the date from the time at 'T' or the first space.
	datePart, rest := v, ""
	if i := strings.IndexAny(v, " T"); i > 0 && (v[i] == ' ' || isDigit(v, i-1) && isDigit(v, i+1)) {
		datePart, rest = v[:i], strings.TrimSpace(v[i+1:])
	}
	if strings.Contains(datePart, ":") {
		// A bare time.
		rest, datePart = v, ""
	}
	if datePart != "" {
		if err := parseDatePart(&f, datePart); err != nil {
			return f, dateFieldError(typ, s)
		}
	}
	if rest != "" {
		if err := parseTimePart(&f, rest); err != nil {
			return f, dateFieldError(typ, s)
		}
	}
	return f, nil
}

func isDigit(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }

func parseDatePart(f *dateTimeFields, d string) error {
	f.hasDate = true
	var parts []string
	switch {
	case strings.Count(d, "-") == 2 && !strings.HasPrefix(d, "-"):
		parts = strings.Split(d, "-")
	case strings.Count(d, "/") == 2:
		p := strings.Split(d, "/")
		if len(p[0]) == 4 {
			parts = p
		} else { // MDY
			parts = []string{p[2], p[0], p[1]}
		}
	case strings.Count(d, ".") == 2:
		parts = strings.Split(d, ".")
	case len(d) == 8 && allDigits(d):
		parts = []string{d[:4], d[4:6], d[6:]}
	default:
		return errBad
	}
	if len(parts) != 3 {
		return errBad
	}
	nums := [3]int64{}
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || p == "" {
			return errBad
		}
		nums[i] = n
	}
	f.year, f.month, f.day = nums[0], nums[1], nums[2]
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

type badInput struct{}

func (badInput) Error() string { return "bad date/time input" }

var errBad error = badInput{}

func parseTimePart(f *dateTimeFields, t string) error {
	f.hasTime = true
	// Find where the zone starts: Z, +, - after the clock, or a letter.
	clock, zone := t, ""
	for i := 1; i < len(t); i++ {
		c := t[i]
		if c == '+' || c == '-' || c == 'Z' || c == 'z' || c == ' ' || (c >= 'A' && c <= 'Y') || (c >= 'a' && c <= 'y') {
			clock, zone = t[:i], strings.TrimSpace(t[i:])
			break
		}
	}
	parts := strings.Split(clock, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return errBad
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return errBad
	}
	f.hour, f.min = h, m
	if len(parts) == 3 {
		sec := parts[2]
		frac := ""
		if i := strings.IndexByte(sec, '.'); i >= 0 {
			sec, frac = sec[:i], sec[i+1:]
		}
		sv, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return errBad
		}
		f.sec = sv
		if frac != "" {
			if !allDigits(frac) {
				return errBad
			}
			// Round to microseconds.
			for len(frac) < 7 {
				frac += "0"
			}
			us, _ := strconv.ParseInt(frac[:6], 10, 64)
			if frac[6] >= '5' {
				us++
			}
			f.micros = us
		}
	}
	if zone != "" {
		return parseZone(f, zone)
	}
	return nil
}

func parseZone(f *dateTimeFields, z string) error {
	f.hasZone = true
	lz := strings.ToLower(z)
	switch lz {
	case "z", "utc", "gmt", "zulu", "ut":
		return nil
	}
	if z[0] == '+' || z[0] == '-' {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		body := z[1:]
		var h, m, s int64
		var err error
		switch {
		case strings.Contains(body, ":"):
			p := strings.Split(body, ":")
			h, err = strconv.ParseInt(p[0], 10, 64)
			if err == nil && len(p) > 1 {
				m, err = strconv.ParseInt(p[1], 10, 64)
			}
			if err == nil && len(p) > 2 {
				s, err = strconv.ParseInt(p[2], 10, 64)
			}
		case len(body) == 4:
			h, err = strconv.ParseInt(body[:2], 10, 64)
			if err == nil {
				m, err = strconv.ParseInt(body[2:], 10, 64)
			}
		default:
			h, err = strconv.ParseInt(body, 10, 64)
		}
		if err != nil || h > 15 || m > 59 || s > 59 {
			return errBad
		}
		f.zoneOffset = sign * int(h*3600+m*60+s)
		return nil
	}
	loc, err := LoadZone(z)
	if err != nil {
		return errBad
	}
	f.zoneLoc = loc
	return nil
}

// LoadZone resolves a time zone name: an IANA name, UTC, or a POSIX-style
// fixed offset such as "+05:30".
func LoadZone(name string) (*time.Location, error) {
	switch strings.ToLower(name) {
	case "utc", "gmt", "z", "zulu", "etc/utc", "universal":
		return time.UTC, nil
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc, nil
	}
	// Case-insensitive match of common names.
	for _, n := range []string{"Europe/", "America/", "Asia/", "Africa/", "Australia/", "Pacific/"} {
		if strings.HasPrefix(strings.ToLower(name), strings.ToLower(n)) {
			if loc, err := time.LoadLocation(n + strings.ToUpper(name[len(n):len(n)+1]) + name[len(n)+1:]); err == nil {
				return loc, nil
			}
		}
	}
	return nil, pgerror.Newf(pgerror.InvalidParameterValue, "time zone %q not recognized", name)
}

func daysFromCivil(year, month, day int64) (int64, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return 0, false
	}
	t := time.Date(int(year), time.Month(month), int(day), 0, 0, 0, 0, time.UTC)
	if t.Day() != int(day) {
		return 0, false // Feb 30 and friends
	}
	return floorDivSec(t.Unix()), true
}

func floorDivSec(secs int64) int64 {
	d, _ := floorDiv(secs, 86400)
	return d
}

func (f *dateTimeFields) astronomicalYear() int64 {
	if f.bc {
		return 1 - f.year
	}
	return f.year
}

// ParseDate reads a date.
func ParseDate(s string, env *Env) (Datum, error) {
	f, err := parseDateTime(s, "date")
	if err != nil {
		return nil, err
	}
	now := env.now().In(env.loc())
	today := func(offset int) DateValue {
		y, m, d := now.Date()
		days, _ := daysFromCivil(int64(y), int64(m), int64(d))
		return DateValue(days + int64(offset))
	}
	switch f.special {
	case "infinity":
		return DateInfinity, nil
	case "-infinity":
		return DateNegInfinity, nil
	case "epoch":
		return DateValue(0), nil
	case "now", "today":
		return today(0), nil
	case "tomorrow":
		return today(1), nil
	case "yesterday":
		return today(-1), nil
	case "":
	default:
		return nil, dateFieldError("date", s)
	}
	if !f.hasDate {
		return nil, dateFieldError("date", s)
	}
	if f.year == 0 {
		return nil, rangeError(s)
	}
	days, ok := daysFromCivil(f.astronomicalYear(), f.month, f.day)
	if !ok {
		return nil, rangeError(s)
	}
	return DateValue(days), nil
}

// ParseTime reads a time of day.
func ParseTime(s string) (Datum, error) {
	f, err := parseDateTime(s, "time without time zone")
	if err != nil {
		return nil, err
	}
	if f.special == "allballs" {
		return TimeOfDay(0), nil
	}
	if !f.hasTime {
		return nil, dateFieldError("time without time zone", s)
	}
	if f.hour > 24 || f.min > 59 || f.sec > 60 || (f.hour == 24 && (f.min > 0 || f.sec > 0 || f.micros > 0)) {
		return nil, rangeError(s)
	}
	return TimeOfDay(f.hour*MicrosPerHour + f.min*MicrosPerMinute + f.sec*MicrosPerSecond + f.micros), nil
}

// ParseTimestamp reads a timestamp; with tz it is a timestamptz, read in
// the session time zone unless the text names its own.
func ParseTimestamp(s string, env *Env, tz bool) (Datum, error) {
	typ := "timestamp without time zone"
	if tz {
		typ = "timestamp with time zone"
	}
	f, err := parseDateTime(s, typ)
	if err != nil {
		return nil, err
	}
	loc := env.loc()
	midnight := func(offset int) TimestampValue {
		n := env.now().In(loc)
		y, m, d := n.Date()
		t := time.Date(y, m, d+offset, 0, 0, 0, 0, loc)
		if !tz {
			t = time.Date(y, m, d+offset, 0, 0, 0, 0, time.UTC)
		}
		return TimestampValue(t.UnixMicro())
	}
	switch f.special {
	case "infinity":
		return TimestampInfinity, nil
	case "-infinity":
		return TimestampNegInfinity, nil
	case "epoch":
		return TimestampValue(0), nil
	case "now":
		n := env.now()
		if !tz {
			_, off := n.In(loc).Zone()
			return TimestampValue(n.UnixMicro() + int64(off)*MicrosPerSecond), nil
		}
		return TimestampValue(n.UnixMicro()), nil
	case "today":
		return midnight(0), nil
	case "tomorrow":
		return midnight(1), nil
	case "yesterday":
		return midnight(-1), nil
	case "":
	default:
		return nil, dateFieldError(typ, s)
	}
	if !f.hasDate {
		return nil, dateFieldError(typ, s)
	}
	if f.year == 0 {
		return nil, rangeError(s)
	}
	days, ok := daysFromCivil(f.astronomicalYear(), f.month, f.day)
	if !ok || f.hour > 24 || f.min > 59 || f.sec > 60 {
		return nil, rangeError(s)
	}
	us := days*MicrosPerDay + f.hour*MicrosPerHour + f.min*MicrosPerMinute + f.sec*MicrosPerSecond + f.micros
	if !tz {
		return TimestampValue(us), nil
	}
	switch {
	case f.hasZone && f.zoneLoc == nil:
		return TimestampValue(us - int64(f.zoneOffset)*MicrosPerSecond), nil
	case f.zoneLoc != nil:
		loc = f.zoneLoc
	}
	return TimestampValue(localToUTC(us, loc)), nil
}

// localToUTC converts a wall-clock reading in loc to UTC microseconds.
func localToUTC(wallMicros int64, loc *time.Location) int64 {
	if loc == time.UTC {
		return wallMicros
	}
	secs, rem := floorDiv(wallMicros, MicrosPerSecond)
	// Around a transition a wall-clock time has two readings (fall back)
	// or none (spring forward). As PostgreSQL, take the offset after the
	// transition for the first, before it for the second.
	offsetAt := func(unix int64) int64 {
		_, off := time.Unix(unix, 0).In(loc).Zone()
		return int64(off)
	}
	before, after := offsetAt(secs-86400), offsetAt(secs+86400)
	valid := func(off int64) bool { return offsetAt(secs-off) == off }
	var off int64
	switch {
	case before == after:
		off = offsetAt(secs - before)
		if !valid(off) {
			off = before
		}
	case valid(after):
		off = after
	case valid(before):
		off = before
	default:
		off = before
	}
	return (secs-off)*MicrosPerSecond + rem
}

// LocalToUTC converts a timestamp-without-time-zone reading, taken as wall
// time in loc, to a timestamptz.
func LocalToUTC(ts TimestampValue, loc *time.Location) TimestampValue {
	if ts == TimestampInfinity || ts == TimestampNegInfinity {
		return ts
	}
	return TimestampValue(localToUTC(int64(ts), loc))
}

// UTCToLocal converts a timestamptz to the wall-clock reading in loc.
func UTCToLocal(ts TimestampValue, loc *time.Location) TimestampValue {
	if ts == TimestampInfinity || ts == TimestampNegInfinity {
		return ts
	}
	secs, _ := floorDiv(int64(ts), MicrosPerSecond)
	_, off := time.Unix(secs, 0).In(loc).Zone()
	return ts + TimestampValue(int64(off)*MicrosPerSecond)
}

var intervalUnits = map[string]struct {
	months int64
	days   int64
	micros int64
}{
	"microsecond": {0, 0, 1}, "microseconds": {0, 0, 1}, "us": {0, 0, 1}, "usec": {0, 0, 1}, "usecs": {0, 0, 1},
	"millisecond": {0, 0, 1000}, "milliseconds": {0, 0, 1000}, "ms": {0, 0, 1000}, "msec": {0, 0, 1000}, "msecs": {0, 0, 1000},
	"second": {0, 0, MicrosPerSecond}, "seconds": {0, 0, MicrosPerSecond}, "s": {0, 0, MicrosPerSecond}, "sec": {0, 0, MicrosPerSecond}, "secs": {0, 0, MicrosPerSecond},
	"minute": {0, 0, MicrosPerMinute}, "minutes": {0, 0, MicrosPerMinute}, "m": {0, 0, MicrosPerMinute}, "min": {0, 0, MicrosPerMinute}, "mins": {0, 0, MicrosPerMinute},
	"hour": {0, 0, MicrosPerHour}, "hours": {0, 0, MicrosPerHour}, "h": {0, 0, MicrosPerHour}, "hr": {0, 0, MicrosPerHour}, "hrs": {0, 0, MicrosPerHour},
	"day": {0, 1, 0}, "days": {0, 1, 0}, "d": {0, 1, 0},
	"week": {0, 7, 0}, "weeks": {0, 7, 0}, "w": {0, 7, 0},
	"month": {1, 0, 0}, "months": {1, 0, 0}, "mon": {1, 0, 0}, "mons": {1, 0, 0},
	"year": {12, 0, 0}, "years": {12, 0, 0}, "y": {12, 0, 0}, "yr": {12, 0, 0}, "yrs": {12, 0, 0},
	"decade": {120, 0, 0}, "decades": {120, 0, 0},
	"century": {1200, 0, 0}, "centuries": {1200, 0, 0},
	"millennium": {12000, 0, 0}, "millennia": {12000, 0, 0},
}

// IntervalUnit returns the size of a named interval unit, for INTERVAL '4'
// SECOND style literals and date_trunc.
func IntervalUnit(name string) (months, days, micros int64, ok bool) {
	u, ok := intervalUnits[strings.ToLower(name)]
	return u.months, u.days, u.micros, ok
}

// ParseInterval reads an interval: "1 day 02:03:04", "4 seconds",
// "-1 year +2 mons", "@ 1 hour ago", "10:00", and ISO 8601 "P1DT2H".
func ParseInterval(s string) (Datum, error) {
	v := strings.TrimSpace(strings.ToLower(s))
	v = strings.TrimPrefix(v, "@")
	if strings.HasPrefix(v, "p") {
		return parseISOInterval(s, v[1:])
	}
	var months, days float64
	var micros float64
	fields := strings.Fields(v)
	ago := false
	if len(fields) > 0 && fields[len(fields)-1] == "ago" {
		ago = true
		fields = fields[:len(fields)-1]
	}
	if len(fields) == 0 {
		return nil, syntaxError("interval", s)
	}
	for i := 0; i < len(fields); i++ {
		tok := fields[i]
		if strings.Contains(tok, ":") {
			neg := strings.HasPrefix(tok, "-")
			tok = strings.TrimLeft(tok, "+-")
			p := strings.Split(tok, ":")
			if len(p) > 3 {
				return nil, syntaxError("interval", s)
			}
			var parts [3]float64
			for j, x := range p {
				f, err := strconv.ParseFloat(x, 64)
				if err != nil {
					return nil, syntaxError("interval", s)
				}
				parts[j] = f
			}
			us := parts[0]*float64(MicrosPerHour) + parts[1]*float64(MicrosPerMinute) + parts[2]*float64(MicrosPerSecond)
			if neg {
				us = -us
			}
			micros += us
			continue
		}
		// A number, with its unit glued on or in the next field.
		j := 0
		for j < len(tok) && (tok[j] == '-' || tok[j] == '+' || tok[j] == '.' || (tok[j] >= '0' && tok[j] <= '9') || (j > 0 && tok[j] == 'e')) {
			j++
		}
		num, unit := tok[:j], tok[j:]
		if num == "" {
			return nil, syntaxError("interval", s)
		}
		n, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return nil, syntaxError("interval", s)
		}
		if unit == "" {
			if i+1 < len(fields) {
				if _, ok := intervalUnits[fields[i+1]]; ok {
					i++
					unit = fields[i]
				}
			}
		}
		if unit == "" {
			// A bare number is seconds.
			micros += n * float64(MicrosPerSecond)
			continue
		}
		u, ok := intervalUnits[unit]
		if !ok {
			return nil, syntaxError("interval", s)
		}
		months += n * float64(u.months)
		days += n * float64(u.days)
		micros += n * float64(u.micros)
	}
	return intervalFromParts(s, months, days, micros, ago)
}

func intervalFromParts(s string, months, days, micros float64, ago bool) (Datum, error) {
	// Fractions cascade down: a fraction of a month becomes days (30 per
	// month), a fraction of a day becomes microseconds.
	wholeMonths := math.Trunc(months)
	days += (months - wholeMonths) * 30
	wholeDays := math.Trunc(days)
	micros += (days - wholeDays) * float64(MicrosPerDay)
	if math.Abs(wholeMonths) > math.MaxInt32 || math.Abs(wholeDays) > math.MaxInt32 || math.Abs(micros) > math.MaxInt64/2 {
		return nil, pgerror.Newf(pgerror.DatetimeFieldOverflow, "interval field value out of range: %q", s)
	}
	iv := IntervalValue{Months: int32(wholeMonths), Days: int32(wholeDays), Micros: int64(math.Round(micros))}
	if ago {
		iv = IntervalValue{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
	}
	return iv, nil
}

func parseISOInterval(orig, v string) (Datum, error) {
	var months, days, micros float64
	inTime := false
	num := ""
	for _, c := range v {
		switch {
		case c == 't':
			inTime = true
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			num += string(c)
		default:
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return nil, syntaxError("interval", orig)
			}
			num = ""
			switch {
			case c == 'y':
				months += 12 * n
			case c == 'm' && !inTime:
				months += n
			case c == 'w':
				days += 7 * n
			case c == 'd':
				days += n
			case c == 'h':
				micros += n * float64(MicrosPerHour)
			case c == 'm':
				micros += n * float64(MicrosPerMinute)
			case c == 's':
				micros += n * float64(MicrosPerSecond)
			default:
				return nil, syntaxError("interval", orig)
			}
		}
	}
	if num != "" {
		return nil, syntaxError("interval", orig)
	}
	return intervalFromParts(orig, months, days, micros, false)
}

// ParseArray reads an array literal such as {1,2,NULL} or {"a b",c}.
func ParseArray(s string, elem T, env *Env) (Datum, error) {
	v := strings.TrimSpace(s)
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "malformed array literal: %q", s)
	}
	body := v[1 : len(v)-1]
	out := []Datum{}
	if strings.TrimSpace(body) == "" {
		return out, nil
	}
	i := 0
	for {
		for i < len(body) && body[i] == ' ' {
			i++
		}
		var item string
		quoted := false
		if i < len(body) && body[i] == '"' {
			quoted = true
			i++
			var b strings.Builder
			for i < len(body) && body[i] != '"' {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				b.WriteByte(body[i])
				i++
			}
			if i >= len(body) {
				return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "malformed array literal: %q", s)
			}
			i++
			item = b.String()
		} else {
			j := i
			for j < len(body) && body[j] != ',' {
				j++
			}
			item = strings.TrimSpace(body[i:j])
			i = j
		}
		if !quoted && strings.EqualFold(item, "null") {
			out = append(out, nil)
		} else {
			d, err := ParseText(elem, item, env)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		for i < len(body) && body[i] == ' ' {
			i++
		}
		if i >= len(body) {
			break
		}
		if body[i] != ',' {
			return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "malformed array literal: %q", s)
		}
		i++
	}
	return out, nil
}
