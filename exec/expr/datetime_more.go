package expr

import (
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Date and time functions beyond datetime.go: EXTRACT on every field,
// date_trunc with a time zone and on intervals, age, make_*, justify_*,
// isfinite, AT TIME ZONE, OVERLAPS, current_time and localtime.

// datetimeUnits maps PostgreSQL's unit spellings to canonical names.
var datetimeUnits = func() map[string]string {
	m := map[string]string{}
	for canon, alts := range map[string]string{
		"microseconds": "microsecond microseconds us usec usecs useconds",
		"milliseconds": "millisecond milliseconds ms msec msecs mseconds",
		"second":       "second seconds s sec secs",
		"minute":       "minute minutes m min mins",
		"hour":         "hour hours h hr hrs",
		"day":          "day days d",
		"week":         "week weeks w",
		"month":        "month months mon mons",
		"quarter":      "quarter qtr",
		"year":         "year years y yr yrs",
		"decade":       "decade decades dec decs",
		"century":      "century centuries c cent",
		"millennium":   "millennium millennia mil mils",
		"dow":          "dow",
		"isodow":       "isodow",
		"doy":          "doy",
		"isoyear":      "isoyear",
		"epoch":        "epoch",
		"julian":       "julian j",
		"timezone":     "timezone",
		"timezone_h":   "timezone_h timezone_hour",
		"timezone_m":   "timezone_m timezone_minute",
	} {
		for _, a := range strings.Fields(alts) {
			m[a] = canon
		}
	}
	return m
}()

func unitError(unit string, t types.T, recognized bool) error {
	if recognized {
		return pgerror.Newf(pgerror.FeatureNotSupported, "unit %q not supported for type %s", unit, t)
	}
	return pgerror.Newf(pgerror.InvalidParameterValue, "unit %q not recognized for type %s", unit, t)
}

// civil is the broken-down form of a wall-clock timestamp.
type civil struct {
	year                 int // astronomical: 0 is 1 BC
	month, day           int
	hour, minute, second int
	micro                int64
	t                    time.Time
}

func civilOf(us int64) civil {
	secs, rem := floorDivInt(us, types.MicrosPerSecond)
	t := time.Unix(secs, 0).UTC()
	return civil{year: t.Year(), month: int(t.Month()), day: t.Day(), hour: t.Hour(), minute: t.Minute(),
		second: t.Second(), micro: rem, t: t}
}

// julianDay is the Julian day number of a proleptic Gregorian date.
func julianDay(y, m, d int) int64 {
	days, _ := floorDivInt(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
	return days + 2440588
}

func decInt(v int64) *apd.Decimal { return apd.New(v, 0) }

// decScaled is v / 10^scale with exactly scale digits after the point.
func decScaled(v int64, scale int32) *apd.Decimal { return apd.New(v, -scale) }

// extractField is EXTRACT(field FROM v): a numeric, with PostgreSQL's
// scales (seconds with 6 decimals, milliseconds with 3).
func extractField(c *Ctx, field string, t types.T, v types.Datum) (*apd.Decimal, error) {
	unit := strings.ToLower(field)
	canon, ok := datetimeUnits[unit]
	if !ok {
		return nil, unitError(unit, t, false)
	}
	switch t.Kind {
	case types.Interval:
		return extractInterval(canon, unit, v.(types.IntervalValue))
	case types.Time:
		us := int64(v.(types.TimeOfDay))
		switch canon {
		case "microseconds":
			return decInt(us % types.MicrosPerMinute), nil
		case "milliseconds":
			return decScaled(us%types.MicrosPerMinute, 3), nil
		case "second":
			return decScaled(us%types.MicrosPerMinute, 6), nil
		case "minute":
			return decInt(us % types.MicrosPerHour / types.MicrosPerMinute), nil
		case "hour":
			return decInt(us / types.MicrosPerHour), nil
		case "epoch":
			return decScaled(us, 6), nil
		}
		return nil, unitError(unit, t, true)
	}
	var ts types.TimestampValue
	switch t.Kind {
	case types.Date:
		d := v.(types.DateValue)
		switch canon {
		case "microseconds", "milliseconds", "second", "minute", "hour", "timezone", "timezone_h", "timezone_m":
			return nil, unitError(unit, t, true)
		}
		if d == types.DateInfinity || d == types.DateNegInfinity {
			return infiniteField(canon, d == types.DateNegInfinity), nil
		}
		if canon == "epoch" {
			return decInt(int64(d) * 86400), nil
		}
		ts = dateToTimestamp(d)
	case types.Timestamp, types.TimestampTZ:
		ts = v.(types.TimestampValue)
		if ts == types.TimestampInfinity || ts == types.TimestampNegInfinity {
			if t.Kind == types.Timestamp && strings.HasPrefix(canon, "timezone") {
				return nil, unitError(unit, t, true)
			}
			return infiniteField(canon, ts == types.TimestampNegInfinity), nil
		}
	}
	utc := int64(ts)
	var offset int64
	if t.Kind == types.TimestampTZ {
		local := types.UTCToLocal(ts, c.env().Loc)
		offset = (int64(local) - utc) / types.MicrosPerSecond
		ts = local
	}
	w := civilOf(int64(ts))
	secMicros := int64(w.second)*types.MicrosPerSecond + w.micro
	switch canon {
	case "microseconds":
		return decInt(secMicros), nil
	case "milliseconds":
		return decScaled(secMicros, 3), nil
	case "second":
		return decScaled(secMicros, 6), nil
	case "minute":
		return decInt(int64(w.minute)), nil
	case "hour":
		return decInt(int64(w.hour)), nil
	case "day":
		return decInt(int64(w.day)), nil
	case "month":
		return decInt(int64(w.month)), nil
	case "quarter":
		return decInt(int64((w.month-1)/3 + 1)), nil
	case "week":
		_, wk := w.t.ISOWeek()
		return decInt(int64(wk)), nil
	case "year":
		if w.year > 0 {
			return decInt(int64(w.year)), nil
		}
		return decInt(int64(w.year - 1)), nil
	case "decade":
		if w.year >= 0 {
			return decInt(int64(w.year / 10)), nil
		}
		return decInt(-int64((8 - (w.year - 1)) / 10)), nil
	case "century":
		if w.year > 0 {
			return decInt(int64((w.year + 99) / 100)), nil
		}
		return decInt(-int64((99 - (w.year - 1)) / 100)), nil
	case "millennium":
		if w.year > 0 {
			return decInt(int64((w.year + 999) / 1000)), nil
		}
		return decInt(-int64((999 - (w.year - 1)) / 1000)), nil
	case "dow":
		return decInt(int64(w.t.Weekday())), nil
	case "isodow":
		d := int64(w.t.Weekday())
		if d == 0 {
			d = 7
		}
		return decInt(d), nil
	case "doy":
		return decInt(int64(w.t.YearDay())), nil
	case "isoyear":
		y, _ := w.t.ISOWeek()
		if y <= 0 {
			y--
		}
		return decInt(int64(y)), nil
	case "epoch":
		if t.Kind == types.Date {
			return decInt(utc / types.MicrosPerSecond), nil
		}
		return decScaled(utc, 6), nil
	case "julian":
		jd := decInt(julianDay(w.year, w.month, w.day))
		if t.Kind == types.Date {
			return jd, nil
		}
		dayMicros := int64(w.hour*3600+w.minute*60)*types.MicrosPerSecond + secMicros
		frac, err := NumericDivide(decInt(dayMicros), decInt(types.MicrosPerDay))
		if err != nil {
			return nil, err
		}
		return NumericAdd(jd, frac)
	case "timezone":
		if t.Kind != types.TimestampTZ {
			return nil, unitError(unit, t, true)
		}
		return decInt(offset), nil
	case "timezone_h":
		if t.Kind != types.TimestampTZ {
			return nil, unitError(unit, t, true)
		}
		return decInt(offset / 3600), nil
	case "timezone_m":
		if t.Kind != types.TimestampTZ {
			return nil, unitError(unit, t, true)
		}
		return decInt(offset / 60 % 60), nil
	}
	return nil, unitError(unit, t, true)
}

// infiniteField is a field of an infinite date or timestamp: infinite for
// the fields that grow without bound, NULL for the others.
func infiniteField(canon string, negative bool) *apd.Decimal {
	switch canon {
	case "year", "decade", "century", "millennium", "julian", "isoyear", "epoch":
		return &apd.Decimal{Form: apd.Infinite, Negative: negative}
	}
	return nil
}

func extractInterval(canon, unit string, iv types.IntervalValue) (*apd.Decimal, error) {
	years := int64(iv.Months / 12)
	switch canon {
	case "microseconds":
		return decInt(iv.Micros % types.MicrosPerMinute), nil
	case "milliseconds":
		return decScaled(iv.Micros%types.MicrosPerMinute, 3), nil
	case "second":
		return decScaled(iv.Micros%types.MicrosPerMinute, 6), nil
	case "minute":
		return decInt(iv.Micros / types.MicrosPerMinute % 60), nil
	case "hour":
		return decInt(iv.Micros / types.MicrosPerHour), nil
	case "day":
		return decInt(int64(iv.Days)), nil
	case "month":
		return decInt(int64(iv.Months % 12)), nil
	case "quarter":
		return decInt(int64(iv.Months%12/3) + 1), nil
	case "year":
		return decInt(years), nil
	case "decade":
		return decInt(years / 10), nil
	case "century":
		return decInt(years / 100), nil
	case "millennium":
		return decInt(years / 1000), nil
	case "epoch":
		// A year is 365.25 days, a month 30.
		secs := 31557600*int64(iv.Months/12) + 2592000*int64(iv.Months%12) + 86400*int64(iv.Days)
		return NumericAdd(decScaled(secs*1000000, 6), decScaled(iv.Micros, 6))
	}
	return nil, unitError(unit, types.IntervalType, true)
}

// truncTimestamp is date_trunc on a wall-clock timestamp; with loc, the
// value is a timestamptz truncated in that zone.
func truncTimestamp(unit string, ts types.TimestampValue, loc *time.Location) (types.Datum, error) {
	t := types.TimestampType
	if loc != nil {
		t = types.TimestampTZType
	}
	canon, ok := datetimeUnits[strings.ToLower(unit)]
	if !ok {
		return nil, unitError(strings.ToLower(unit), t, false)
	}
	if ts == types.TimestampInfinity || ts == types.TimestampNegInfinity {
		return ts, nil
	}
	w := ts
	if loc != nil {
		w = types.UTCToLocal(ts, loc)
	}
	c := civilOf(int64(w))
	y, m, d := c.year, time.Month(c.month), c.day
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	var out time.Time
	micro := int64(0)
	switch canon {
	case "microseconds":
		out, micro = c.t, c.micro
	case "milliseconds":
		out, micro = c.t, c.micro/1000*1000
	case "second":
		out = c.t
	case "minute":
		out = time.Date(y, m, d, c.hour, c.minute, 0, 0, time.UTC)
	case "hour":
		out = time.Date(y, m, d, c.hour, 0, 0, 0, time.UTC)
	case "day":
		out = date(y, m, d)
	case "week":
		wd := (int(c.t.Weekday()) + 6) % 7
		out = date(y, m, d-wd)
	case "month":
		out = date(y, m, 1)
	case "quarter":
		out = date(y, (m-1)/3*3+1, 1)
	case "year":
		out = date(y, 1, 1)
	case "decade":
		if y > 0 {
			out = date(y/10*10, 1, 1)
		} else {
			out = date(-((8-(y-1))/10)*10, 1, 1)
		}
	case "century":
		if y > 0 {
			out = date((y+99)/100*100-99, 1, 1)
		} else {
			out = date(-((99-(y-1))/100)*100-99+1, 1, 1)
		}
	case "millennium":
		if y > 0 {
			out = date((y+999)/1000*1000-999, 1, 1)
		} else {
			out = date(-((999-(y-1))/1000)*1000-999+1, 1, 1)
		}
	default:
		return nil, unitError(strings.ToLower(unit), t, true)
	}
	r := types.TimestampValue(out.Unix()*types.MicrosPerSecond + micro)
	if loc != nil {
		r = types.LocalToUTC(r, loc)
	}
	return r, nil
}

func truncInterval(unit string, iv types.IntervalValue) (types.Datum, error) {
	canon, ok := datetimeUnits[strings.ToLower(unit)]
	if !ok {
		return nil, unitError(strings.ToLower(unit), types.IntervalType, false)
	}
	out := types.IntervalValue{}
	switch canon {
	case "millennium":
		out.Months = iv.Months / 12000 * 12000
	case "century":
		out.Months = iv.Months / 1200 * 1200
	case "decade":
		out.Months = iv.Months / 120 * 120
	case "year":
		out.Months = iv.Months / 12 * 12
	case "quarter":
		out.Months = iv.Months / 3 * 3
	case "month":
		out.Months = iv.Months
	case "day":
		out.Months, out.Days = iv.Months, iv.Days
	case "hour":
		out = iv
		out.Micros = iv.Micros / types.MicrosPerHour * types.MicrosPerHour
	case "minute":
		out = iv
		out.Micros = iv.Micros / types.MicrosPerMinute * types.MicrosPerMinute
	case "second":
		out = iv
		out.Micros = iv.Micros / types.MicrosPerSecond * types.MicrosPerSecond
	case "milliseconds":
		out = iv
		out.Micros = iv.Micros / 1000 * 1000
	case "microseconds":
		out = iv
	case "week":
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "unit %q not supported for type interval", strings.ToLower(unit)).
			WithDetail("Months usually have fractional weeks.")
	default:
		return nil, unitError(strings.ToLower(unit), types.IntervalType, true)
	}
	return out, nil
}

var daysInMonth = [2][12]int{
	{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
	{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func leapIndex(y int) int {
	if isLeap(y) {
		return 1
	}
	return 0
}

// age is the symbolic difference of two wall-clock timestamps, in years,
// months and days, as PostgreSQL's age(): fields are subtracted one by one
// and borrow from the next larger field, a month borrowing the length of
// the earlier timestamp's month.
func age(a, b types.TimestampValue) (types.Datum, error) {
	if a == types.TimestampInfinity || a == types.TimestampNegInfinity || b == types.TimestampInfinity || b == types.TimestampNegInfinity {
		return nil, pgerror.New(pgerror.DatetimeFieldOverflow, "interval out of range")
	}
	t1, t2 := civilOf(int64(a)), civilOf(int64(b))
	micro := t1.micro - t2.micro
	sec := t1.second - t2.second
	min := t1.minute - t2.minute
	hour := t1.hour - t2.hour
	mday := t1.day - t2.day
	mon := t1.month - t2.month
	year := t1.year - t2.year
	neg := a < b
	if neg {
		micro, sec, min, hour, mday, mon, year = -micro, -sec, -min, -hour, -mday, -mon, -year
	}
	for micro < 0 {
		micro += types.MicrosPerSecond
		sec--
	}
	for sec < 0 {
		sec += 60
		min--
	}
	for min < 0 {
		min += 60
		hour--
	}
	for hour < 0 {
		hour += 24
		mday--
	}
	for mday < 0 {
		if neg {
			mday += daysInMonth[leapIndex(t1.year)][t1.month-1]
		} else {
			mday += daysInMonth[leapIndex(t2.year)][t2.month-1]
		}
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	if neg {
		micro, sec, min, hour, mday, mon, year = -micro, -sec, -min, -hour, -mday, -mon, -year
	}
	return types.IntervalValue{
		Months: int32(year*12 + mon),
		Days:   int32(mday),
		Micros: int64((hour*60+min)*60+sec)*types.MicrosPerSecond + micro,
	}, nil
}

// makeTimestamp builds a wall-clock timestamp from fields, with
// PostgreSQL's range checks; hour 24 is allowed for midnight at the end
// of the day.
func makeTimestamp(y, m, d, h, mi int64, sec float64) (types.TimestampValue, error) {
	if y == 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, pgerror.Newf(pgerror.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	yy := int(y)
	if y < 0 {
		yy = int(y) + 1
	}
	if int(d) > daysInMonth[leapIndex(yy)][m-1] {
		return 0, pgerror.Newf(pgerror.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	tod, err := makeTimeOfDay(h, mi, sec)
	if err != nil {
		return 0, err
	}
	days, _ := floorDivInt(time.Date(yy, time.Month(m), int(d), 0, 0, 0, 0, time.UTC).Unix(), 86400)
	return types.TimestampValue(days*types.MicrosPerDay + int64(tod)), nil
}

func makeTimeOfDay(h, mi int64, sec float64) (types.TimeOfDay, error) {
	us := int64(math.Round(sec * 1e6))
	bad := h < 0 || mi < 0 || mi > 59 || sec < 0 || us > 60*types.MicrosPerSecond || h > 24 ||
		h == 24 && (mi > 0 || us > 0) || math.IsNaN(sec)
	if bad {
		return 0, pgerror.Newf(pgerror.DatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", h, mi, types.FormatText(f8, sec, nil))
	}
	return types.TimeOfDay(h*types.MicrosPerHour + mi*types.MicrosPerMinute + us), nil
}

// zoneFor resolves a time zone for AT TIME ZONE: an IANA name, UTC, an
// abbreviation, or a POSIX offset such as '+05' (hours west of UTC, so
// '+05' is UTC-5).
func zoneFor(name string) (*time.Location, error) {
	s := strings.TrimSpace(name)
	if off, ok := zoneAbbrevs[strings.ToUpper(s)]; ok {
		return time.FixedZone(strings.ToUpper(s), off), nil
	}
	posix := s
	if u := strings.ToUpper(s); strings.HasPrefix(u, "UTC") && len(s) > 3 || strings.HasPrefix(u, "GMT") && len(s) > 3 {
		posix = s[3:]
	}
	if posix != "" && (posix[0] == '+' || posix[0] == '-' || posix[0] >= '0' && posix[0] <= '9') {
		sign := -1
		body := posix
		switch posix[0] {
		case '+':
			body = posix[1:]
		case '-':
			sign, body = 1, posix[1:]
		}
		var h, m, sec int
		parts := strings.Split(body, ":")
		ok := len(parts) <= 3
		for i, p := range parts {
			v, err := parseSmallInt(p)
			if err != nil {
				ok = false
				break
			}
			switch i {
			case 0:
				h = v
			case 1:
				m = v
			case 2:
				sec = v
			}
		}
		if ok && h <= 168 && m < 60 && sec < 60 {
			return time.FixedZone(name, sign*(h*3600+m*60+sec)), nil
		}
	}
	loc, err := types.LoadZone(s)
	if err != nil {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "time zone %q not recognized", name)
	}
	return loc, nil
}

func parseSmallInt(s string) (int, error) {
	if s == "" || len(s) > 4 {
		return 0, pgerror.New(pgerror.InvalidParameterValue, "bad number")
	}
	v := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, pgerror.New(pgerror.InvalidParameterValue, "bad number")
		}
		v = v*10 + int(c-'0')
	}
	return v, nil
}

// zoneAbbrevs are common time zone abbreviations and their UTC offsets.
var zoneAbbrevs = map[string]int{
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
	"PST": -8 * 3600, "PDT": -7 * 3600, "AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
	"CET": 3600, "CEST": 2 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600, "WET": 0, "WEST": 3600,
	"BST": 3600, "IST": 2 * 3600, "MSK": 3 * 3600, "JST": 9 * 3600, "KST": 9 * 3600,
	"AEST": 10 * 3600, "AEDT": 11 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
}

// overlaps is (s1, e1) OVERLAPS (s2, e2) with SQL's NULL rules.
func overlaps(s1, e1, s2, e2 types.Datum) types.Datum {
	lt := func(a, b types.Datum) bool { return a.(types.TimestampValue) < b.(types.TimestampValue) }
	if s1 == nil {
		if e1 == nil {
			return nil
		}
		s1, e1 = e1, nil
	} else if e1 != nil && lt(e1, s1) {
		s1, e1 = e1, s1
	}
	if s2 == nil {
		if e2 == nil {
			return nil
		}
		s2, e2 = e2, nil
	} else if e2 != nil && lt(e2, s2) {
		s2, e2 = e2, s2
	}
	switch {
	case lt(s2, s1):
		if e2 == nil {
			return nil
		}
		if lt(s1, e2) {
			return true
		}
		if e1 == nil {
			return nil
		}
		return false
	case lt(s1, s2):
		if e1 == nil {
			return nil
		}
		if lt(s2, e1) {
			return true
		}
		if e2 == nil {
			return nil
		}
		return false
	}
	if e1 == nil || e2 == nil {
		return nil
	}
	return true
}

func registerDatetimeMore(r *Registry) {
	row := func(name string, args []types.T, ret types.T, fn RowKernel) {
		r.add(&Overload{Name: name, Args: args, Ret: ret, Row: fn})
	}
	r.add(&Overload{Name: "date_trunc", Args: []types.T{text, tstzT, text}, Ret: tstzT, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		loc, err := zoneFor(a[2].(string))
		if err != nil {
			return nil, err
		}
		return truncTimestamp(a[0].(string), a[1].(types.TimestampValue), loc)
	}})
	row("date_trunc", []types.T{text, ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return truncInterval(a[0].(string), a[1].(types.IntervalValue))
	})
	for _, t := range []types.T{tsT, tstzT} {
		t := t
		local := func(c *Ctx, v types.Datum) types.TimestampValue {
			if t.Kind == types.TimestampTZ {
				return types.UTCToLocal(v.(types.TimestampValue), c.env().Loc)
			}
			return v.(types.TimestampValue)
		}
		row("age", []types.T{t, t}, ivT, func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return age(local(c, a[0]), local(c, a[1]))
		})
		r.add(&Overload{Name: "age", Args: []types.T{t}, Ret: ivT, Stable: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			today := timestampToDate(types.UTCToLocal(types.TimestampValue(c.env().Now.UnixMicro()), c.env().Loc))
			return age(dateToTimestamp(today), local(c, a[0]))
		}})
		row("isfinite", []types.T{t}, bl, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := a[0].(types.TimestampValue)
			return v != types.TimestampInfinity && v != types.TimestampNegInfinity, nil
		})
	}
	row("isfinite", []types.T{dateT}, bl, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		v := a[0].(types.DateValue)
		return v != types.DateInfinity && v != types.DateNegInfinity, nil
	})
	row("isfinite", []types.T{ivT}, bl, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return true, nil })
	row("make_timestamp", []types.T{i4, i4, i4, i4, i4, f8}, tsT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return makeTimestamp(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), a[5].(float64))
	})
	makeTZ := func(c *Ctx, a []types.Datum) (types.Datum, error) {
		ts, err := makeTimestamp(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), a[5].(float64))
		if err != nil {
			return nil, err
		}
		loc := c.env().Loc
		if len(a) > 6 {
			if loc, err = zoneFor(a[6].(string)); err != nil {
				return nil, err
			}
		}
		return types.LocalToUTC(ts, loc), nil
	}
	r.add(&Overload{Name: "make_timestamptz", Args: []types.T{i4, i4, i4, i4, i4, f8}, Ret: tstzT, Stable: true, Row: makeTZ})
	r.add(&Overload{Name: "make_timestamptz", Args: []types.T{i4, i4, i4, i4, i4, f8, text}, Ret: tstzT, Row: makeTZ})
	row("make_time", []types.T{i4, i4, f8}, timeT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return makeTimeOfDay(a[0].(int64), a[1].(int64), a[2].(float64))
	})
	// make_interval(years, months, weeks, days, hours, mins, secs), each
	// optional from the right.
	makeInterval := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		get := func(i int) int64 {
			if i < len(a) {
				return a[i].(int64)
			}
			return 0
		}
		secs := 0.0
		if len(a) > 6 {
			secs = a[6].(float64)
		}
		months := get(0)*12 + get(1)
		days := get(2)*7 + get(3)
		micros := float64(get(4))*float64(types.MicrosPerHour) + float64(get(5))*float64(types.MicrosPerMinute) + math.Round(secs*1e6)
		if months > math.MaxInt32 || months < math.MinInt32 || days > math.MaxInt32 || days < math.MinInt32 ||
			math.IsNaN(micros) || math.Abs(micros) > math.MaxInt64 {
			return nil, pgerror.New(pgerror.DatetimeFieldOverflow, "interval out of range")
		}
		return types.IntervalValue{Months: int32(months), Days: int32(days), Micros: int64(micros)}, nil
	}
	if r.named == nil {
		r.named = map[string]NamedParams{}
	}
	r.named["make_interval"] = NamedParams{
		Names:    []string{"years", "months", "weeks", "days", "hours", "mins", "secs"},
		Types:    []types.T{i4, i4, i4, i4, i4, i4, f8},
		Defaults: []types.Datum{int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), float64(0)},
	}
	for n := 0; n <= 7; n++ {
		args := make([]types.T, n)
		for i := range args {
			args[i] = i4
			if i == 6 {
				args[i] = f8
			}
		}
		row("make_interval", args, ivT, makeInterval)
	}
	row("justify_days", []types.T{ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		iv := a[0].(types.IntervalValue)
		return justifyDays(iv), nil
	})
	row("justify_hours", []types.T{ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return justifyHours(a[0].(types.IntervalValue)), nil
	})
	row("justify_interval", []types.T{ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return justifyInterval(a[0].(types.IntervalValue)), nil
	})
	// AT TIME ZONE: timestamp to timestamptz reads the wall clock in the
	// zone; timestamptz to timestamp gives the zone's wall clock.
	row("timezone", []types.T{text, tsT}, tstzT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		loc, err := zoneFor(a[0].(string))
		if err != nil {
			return nil, err
		}
		return types.LocalToUTC(a[1].(types.TimestampValue), loc), nil
	})
	row("timezone", []types.T{text, tstzT}, tsT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		loc, err := zoneFor(a[0].(string))
		if err != nil {
			return nil, err
		}
		return types.UTCToLocal(a[1].(types.TimestampValue), loc), nil
	})
	intervalZone := func(iv types.IntervalValue) (int64, error) {
		if iv.Months != 0 || iv.Days != 0 {
			return 0, pgerror.Newf(pgerror.InvalidParameterValue, "interval time zone %q must not include months or days",
				types.FormatText(ivT, iv, nil))
		}
		return iv.Micros, nil
	}
	row("timezone", []types.T{ivT, tsT}, tstzT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		off, err := intervalZone(a[0].(types.IntervalValue))
		if err != nil {
			return nil, err
		}
		return a[1].(types.TimestampValue) - types.TimestampValue(off), nil
	})
	row("timezone", []types.T{ivT, tstzT}, tsT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		off, err := intervalZone(a[0].(types.IntervalValue))
		if err != nil {
			return nil, err
		}
		return a[1].(types.TimestampValue) + types.TimestampValue(off), nil
	})
	// (start, end) OVERLAPS (start, end), each end a timestamp or an
	// interval after its start.
	r.add(&Overload{Name: "overlaps", NullCall: true, Poly: func(args []types.T) ([]types.T, types.T, bool) {
		if len(args) != 4 {
			return nil, types.T{}, false
		}
		base := tsT
		for _, a := range args {
			switch a.Kind {
			case types.TimestampTZ:
				base = tstzT
			case types.Timestamp, types.Date, types.Interval, types.Unknown:
			case types.Time:
				return nil, types.T{}, false
			default:
				return nil, types.T{}, false
			}
		}
		at := make([]types.T, 4)
		for i, a := range args {
			if i%2 == 1 && a.Kind == types.Interval {
				at[i] = ivT
			} else {
				at[i] = base
			}
		}
		if args[0].Kind == types.Interval || args[2].Kind == types.Interval {
			return nil, types.T{}, false
		}
		return at, bl, true
	}, RowTyped: func(c *Ctx, ts []types.T, a []types.Datum) (types.Datum, error) {
		end := func(start, e types.Datum, t types.T) (types.Datum, error) {
			if t.Kind != types.Interval {
				return e, nil
			}
			if start == nil || e == nil {
				return nil, nil
			}
			return AddInterval(c, ts[0], start.(types.TimestampValue), e.(types.IntervalValue))
		}
		e1, err := end(a[0], a[1], ts[1])
		if err != nil {
			return nil, err
		}
		e2, err := end(a[2], a[3], ts[3])
		if err != nil {
			return nil, err
		}
		return overlaps(a[0], e1, a[2], e2), nil
	}})
	r.add(&Overload{Name: "-", Args: []types.T{timeT, ivT}, Ret: timeT, Infix: true, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		_, rem := floorDivInt(int64(a[0].(types.TimeOfDay))-a[1].(types.IntervalValue).Micros, types.MicrosPerDay)
		return types.TimeOfDay(rem), nil
	}})
	localTime := func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		local := types.UTCToLocal(types.TimestampValue(c.env().Now.UnixMicro()), c.env().Loc)
		_, rem := floorDivInt(int64(local), types.MicrosPerDay)
		return types.TimeOfDay(rem), nil
	}
	r.add(&Overload{Name: "current_time", Ret: timeT, Stable: true, Row: localTime})
	r.add(&Overload{Name: "localtime", Ret: timeT, Stable: true, Row: localTime})
}

func justifyDays(iv types.IntervalValue) types.IntervalValue {
	months := iv.Months + iv.Days/30
	days := iv.Days % 30
	if days > 0 && months < 0 {
		days -= 30
		months++
	} else if days < 0 && months > 0 {
		days += 30
		months--
	}
	return types.IntervalValue{Months: months, Days: days, Micros: iv.Micros}
}

func justifyHours(iv types.IntervalValue) types.IntervalValue {
	days := iv.Days + int32(iv.Micros/types.MicrosPerDay)
	micros := iv.Micros % types.MicrosPerDay
	if days > 0 && micros < 0 {
		micros += types.MicrosPerDay
		days--
	} else if days < 0 && micros > 0 {
		micros -= types.MicrosPerDay
		days++
	}
	return types.IntervalValue{Months: iv.Months, Days: days, Micros: micros}
}

func justifyInterval(iv types.IntervalValue) types.IntervalValue {
	months := iv.Months
	days := iv.Days
	micros := iv.Micros
	days += int32(micros / types.MicrosPerDay)
	micros %= types.MicrosPerDay
	months += days / 30
	days %= 30
	if months > 0 && (days < 0 || days == 0 && micros < 0) {
		days += 30
		months--
	} else if months < 0 && (days > 0 || days == 0 && micros > 0) {
		days -= 30
		months++
	}
	if days > 0 && micros < 0 {
		micros += types.MicrosPerDay
		days--
	} else if days < 0 && micros > 0 {
		micros -= types.MicrosPerDay
		days++
	}
	return types.IntervalValue{Months: months, Days: days, Micros: micros}
}
