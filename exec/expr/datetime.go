package expr

import (
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

var (
	dateT  = types.DateType
	tsT    = types.TimestampType
	tstzT  = types.TimestampTZType
	ivT    = types.IntervalType
	timeT  = types.TimeType
	errDTO = pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
)

func wall(ts types.TimestampValue) time.Time { return time.UnixMicro(int64(ts)).UTC() }

// addInterval adds iv to a timestamp. For timestamptz the month and day
// steps are taken in loc, so that adding '1 day' across a DST change keeps
// the wall-clock time, as PostgreSQL does.
func addInterval(ts types.TimestampValue, iv types.IntervalValue, loc *time.Location) (types.TimestampValue, error) {
	if ts == types.TimestampInfinity || ts == types.TimestampNegInfinity {
		return ts, nil
	}
	if loc != nil {
		ts = types.UTCToLocal(ts, loc)
	}
	t := wall(ts)
	if iv.Months != 0 {
		y, m, d := t.Date()
		total := int(m) - 1 + int(iv.Months)
		ny := y + floorDivInt2(total, 12)
		nm := time.Month(total - floorDivInt2(total, 12)*12 + 1)
		last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if d > last {
			d = last
		}
		t = time.Date(ny, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	if iv.Days != 0 {
		t = t.AddDate(0, 0, int(iv.Days))
	}
	us := t.UnixMicro()
	r := us + iv.Micros
	if (iv.Micros > 0 && r < us) || (iv.Micros < 0 && r > us) {
		return 0, errDTO
	}
	out := types.TimestampValue(r)
	if loc != nil {
		out = types.LocalToUTC(out, loc)
	}
	return out, nil
}

func floorDivInt2(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func negInterval(iv types.IntervalValue) types.IntervalValue {
	return types.IntervalValue{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
}

// subTimestamps is timestamp - timestamp: days and time, no months, as
// PostgreSQL's timestamp_mi with justify_hours.
func subTimestamps(a, b types.TimestampValue) types.IntervalValue {
	d := int64(a) - int64(b)
	days := d / types.MicrosPerDay
	return types.IntervalValue{Days: int32(days), Micros: d - days*types.MicrosPerDay}
}

func mulInterval(iv types.IntervalValue, f float64) (types.IntervalValue, error) {
	months := float64(iv.Months) * f
	days := float64(iv.Days) * f
	micros := float64(iv.Micros) * f
	wm := math.Trunc(months)
	days += (months - wm) * 30
	wd := math.Trunc(days)
	micros += (days - wd) * float64(types.MicrosPerDay)
	if math.IsNaN(f) || math.Abs(wm) > math.MaxInt32 || math.Abs(wd) > math.MaxInt32 || math.Abs(micros) > math.MaxInt64 {
		return types.IntervalValue{}, pgerror.New(pgerror.DatetimeFieldOverflow, "interval out of range")
	}
	return types.IntervalValue{Months: int32(wm), Days: int32(wd), Micros: int64(math.Round(micros))}, nil
}

func registerDatetime(r *Registry) {
	add := func(name string, args []types.T, ret types.T, fn RowKernel) {
		r.add(&Overload{Name: name, Args: args, Ret: ret, Infix: true, Row: fn})
	}
	add("+", []types.T{dateT, i4}, dateT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return a[0].(types.DateValue) + types.DateValue(a[1].(int64)), nil
	})
	add("+", []types.T{i4, dateT}, dateT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return a[1].(types.DateValue) + types.DateValue(a[0].(int64)), nil
	})
	add("-", []types.T{dateT, i4}, dateT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return a[0].(types.DateValue) - types.DateValue(a[1].(int64)), nil
	})
	add("-", []types.T{dateT, dateT}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return int64(a[0].(types.DateValue) - a[1].(types.DateValue)), nil
	})
	add("+", []types.T{dateT, ivT}, tsT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return addInterval(dateToTimestamp(a[0].(types.DateValue)), a[1].(types.IntervalValue), nil)
	})
	add("-", []types.T{dateT, ivT}, tsT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return addInterval(dateToTimestamp(a[0].(types.DateValue)), negInterval(a[1].(types.IntervalValue)), nil)
	})
	add("+", []types.T{dateT, timeT}, tsT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return dateToTimestamp(a[0].(types.DateValue)) + types.TimestampValue(a[1].(types.TimeOfDay)), nil
	})
	for _, t := range []types.T{tsT, tstzT} {
		tz := t.Kind == types.TimestampTZ
		locOf := func(c *Ctx) *time.Location {
			if tz {
				return c.env().Loc
			}
			return nil
		}
		add("+", []types.T{t, ivT}, t, func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return addInterval(a[0].(types.TimestampValue), a[1].(types.IntervalValue), locOf(c))
		})
		add("+", []types.T{ivT, t}, t, func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return addInterval(a[1].(types.TimestampValue), a[0].(types.IntervalValue), locOf(c))
		})
		add("-", []types.T{t, ivT}, t, func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return addInterval(a[0].(types.TimestampValue), negInterval(a[1].(types.IntervalValue)), locOf(c))
		})
		add("-", []types.T{t, t}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return subTimestamps(a[0].(types.TimestampValue), a[1].(types.TimestampValue)), nil
		})
	}
	add("+", []types.T{ivT, ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		x, y := a[0].(types.IntervalValue), a[1].(types.IntervalValue)
		return types.IntervalValue{Months: x.Months + y.Months, Days: x.Days + y.Days, Micros: x.Micros + y.Micros}, nil
	})
	add("-", []types.T{ivT, ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		x, y := a[0].(types.IntervalValue), a[1].(types.IntervalValue)
		return types.IntervalValue{Months: x.Months - y.Months, Days: x.Days - y.Days, Micros: x.Micros - y.Micros}, nil
	})
	add("-", []types.T{ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return negInterval(a[0].(types.IntervalValue)), nil
	})
	add("*", []types.T{ivT, f8}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return mulInterval(a[0].(types.IntervalValue), a[1].(float64))
	})
	add("*", []types.T{f8, ivT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return mulInterval(a[1].(types.IntervalValue), a[0].(float64))
	})
	add("/", []types.T{ivT, f8}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		if a[1].(float64) == 0 {
			return nil, errDivByZero
		}
		return mulInterval(a[0].(types.IntervalValue), 1/a[1].(float64))
	})
	add("+", []types.T{timeT, ivT}, timeT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		_, rem := floorDivInt(int64(a[0].(types.TimeOfDay))+a[1].(types.IntervalValue).Micros, types.MicrosPerDay)
		return types.TimeOfDay(rem), nil
	})
	add("-", []types.T{timeT, timeT}, ivT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return types.IntervalValue{Micros: int64(a[0].(types.TimeOfDay) - a[1].(types.TimeOfDay))}, nil
	})

	now := func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		return types.TimestampValue(c.env().Now.UnixMicro()), nil
	}
	for _, name := range []string{"now", "transaction_timestamp", "statement_timestamp", "current_timestamp"} {
		r.add(&Overload{Name: name, Ret: tstzT, Stable: true, Row: now})
	}
	r.add(&Overload{Name: "clock_timestamp", Ret: tstzT, Volatile: true, Row: func(*Ctx, []types.Datum) (types.Datum, error) {
		return types.TimestampValue(time.Now().UnixMicro()), nil
	}})
	r.add(&Overload{Name: "localtimestamp", Ret: tsT, Stable: true, Row: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		return types.UTCToLocal(types.TimestampValue(c.env().Now.UnixMicro()), c.env().Loc), nil
	}})
	r.add(&Overload{Name: "current_date", Ret: dateT, Stable: true, Row: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
		return timestampToDate(types.UTCToLocal(types.TimestampValue(c.env().Now.UnixMicro()), c.env().Loc)), nil
	}})
	for _, t := range []types.T{tsT, tstzT, dateT, timeT, ivT} {
		t := t
		r.add(&Overload{Name: "date_part", Args: []types.T{text, t}, Ret: f8, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			v, err := extractField(c, a[0].(string), t, a[1])
			if err != nil {
				return nil, err
			}
			f, _ := v.Float64()
			return f, nil
		}})
		r.add(&Overload{Name: "extract", Args: []types.T{text, t}, Ret: num, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return extractField(c, a[0].(string), t, a[1])
		}})
	}
	for _, t := range []types.T{tsT, tstzT} {
		t := t
		r.add(&Overload{Name: "date_trunc", Args: []types.T{text, t}, Ret: t, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			var loc *time.Location
			if t.Kind == types.TimestampTZ {
				loc = c.env().Loc
			}
			return truncTimestamp(a[0].(string), a[1].(types.TimestampValue), loc)
		}})
	}
	r.add(&Overload{Name: "to_timestamp", Args: []types.T{f8}, Ret: tstzT, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		f := a[0].(float64)
		if math.IsInf(f, 1) {
			return types.TimestampInfinity, nil
		}
		if math.IsInf(f, -1) {
			return types.TimestampNegInfinity, nil
		}
		return types.TimestampValue(math.Round(f * 1e6)), nil
	}})
	r.add(&Overload{Name: "make_date", Args: []types.T{i4, i4, i4}, Ret: dateT, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		y, m, d := a[0].(int64), a[1].(int64), a[2].(int64)
		t := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC)
		if m < 1 || m > 12 || d < 1 || t.Day() != int(d) || y == 0 {
			return nil, pgerror.Newf(pgerror.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
		}
		if y < 0 {
			t = time.Date(int(y)+1, time.Month(m), int(d), 0, 0, 0, 0, time.UTC)
		}
		q, _ := floorDivInt(t.Unix(), 86400)
		return types.DateValue(q), nil
	}})
}

// extractField is EXTRACT(field FROM v).
func extractField(c *Ctx, field string, t types.T, v types.Datum) (*apd.Decimal, error) {
	field = strings.ToLower(field)
	var us int64 // wall-clock microseconds since the epoch
	switch t.Kind {
	case types.Date:
		us = int64(dateToTimestamp(v.(types.DateValue)))
	case types.Timestamp:
		us = int64(v.(types.TimestampValue))
	case types.TimestampTZ:
		if field == "epoch" {
			return decFromMicros(int64(v.(types.TimestampValue))), nil
		}
		us = int64(types.UTCToLocal(v.(types.TimestampValue), c.env().Loc))
	case types.Time:
		us = int64(v.(types.TimeOfDay))
	case types.Interval:
		return extractInterval(field, v.(types.IntervalValue))
	}
	t0 := wall(types.TimestampValue(us))
	_, rem := floorDivInt(us, types.MicrosPerDay)
	switch field {
	case "epoch":
		return decFromMicros(us), nil
	case "year", "years":
		y := t0.Year()
		if y <= 0 {
			y--
		}
		return apd.New(int64(y), 0), nil
	case "month", "months", "mon":
		return apd.New(int64(t0.Month()), 0), nil
	case "day", "days":
		return apd.New(int64(t0.Day()), 0), nil
	case "hour", "hours":
		return apd.New(rem/types.MicrosPerHour, 0), nil
	case "minute", "minutes", "min":
		return apd.New(rem%types.MicrosPerHour/types.MicrosPerMinute, 0), nil
	case "second", "seconds", "sec":
		return apd.New(rem%types.MicrosPerMinute, -6), nil
	case "millisecond", "milliseconds":
		return apd.New(rem%types.MicrosPerMinute, -3), nil
	case "microsecond", "microseconds":
		return apd.New(rem%types.MicrosPerMinute, 0), nil
	case "dow":
		return apd.New(int64(t0.Weekday()), 0), nil
	case "isodow":
		d := int64(t0.Weekday())
		if d == 0 {
			d = 7
		}
		return apd.New(d, 0), nil
	case "doy":
		return apd.New(int64(t0.YearDay()), 0), nil
	case "week":
		_, w := t0.ISOWeek()
		return apd.New(int64(w), 0), nil
	case "isoyear":
		y, _ := t0.ISOWeek()
		return apd.New(int64(y), 0), nil
	case "quarter":
		return apd.New(int64((t0.Month()-1)/3+1), 0), nil
	case "decade":
		return apd.New(int64(floorDivInt2(t0.Year(), 10)), 0), nil
	case "century":
		y := t0.Year()
		if y > 0 {
			return apd.New(int64((y+99)/100), 0), nil
		}
		return apd.New(-int64((99-(y-1))/100), 0), nil
	case "millennium":
		y := t0.Year()
		if y > 0 {
			return apd.New(int64((y+999)/1000), 0), nil
		}
		return apd.New(-int64((999-(y-1))/1000), 0), nil
	case "timezone":
		if t.Kind == types.TimestampTZ {
			_, off := time.UnixMicro(int64(v.(types.TimestampValue))).In(c.env().Loc).Zone()
			return apd.New(int64(off), 0), nil
		}
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "unit %q not supported for type %s", field, t)
}

func decFromMicros(us int64) *apd.Decimal {
	d := apd.New(us, -6)
	return d
}

func extractInterval(field string, iv types.IntervalValue) (*apd.Decimal, error) {
	switch field {
	case "epoch":
		secs := (float64(iv.Months)/12*365.25*86400 + float64(iv.Days)*86400) * 1e6
		return apd.New(int64(secs)+iv.Micros, -6), nil
	case "year", "years":
		return apd.New(int64(iv.Months/12), 0), nil
	case "month", "months", "mon":
		return apd.New(int64(iv.Months%12), 0), nil
	case "day", "days":
		return apd.New(int64(iv.Days), 0), nil
	case "hour", "hours":
		return apd.New(iv.Micros/types.MicrosPerHour, 0), nil
	case "minute", "minutes", "min":
		return apd.New(iv.Micros%types.MicrosPerHour/types.MicrosPerMinute, 0), nil
	case "second", "seconds", "sec":
		return apd.New(iv.Micros%types.MicrosPerMinute, -6), nil
	case "millisecond", "milliseconds":
		return apd.New(iv.Micros%types.MicrosPerMinute, -3), nil
	case "microsecond", "microseconds":
		return apd.New(iv.Micros%types.MicrosPerMinute, 0), nil
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "unit %q not supported for type interval", field)
}

// truncTimestamp is date_trunc.
func truncTimestamp(unit string, ts types.TimestampValue, loc *time.Location) (types.Datum, error) {
	if ts == types.TimestampInfinity || ts == types.TimestampNegInfinity {
		return ts, nil
	}
	w := ts
	if loc != nil {
		w = types.UTCToLocal(ts, loc)
	}
	t := wall(w)
	y, m, d := t.Date()
	var out time.Time
	switch strings.ToLower(unit) {
	case "microseconds", "microsecond":
		out = t
	case "milliseconds", "millisecond":
		out = t.Truncate(time.Millisecond)
	case "second", "seconds":
		out = time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	case "minute", "minutes":
		out = time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, time.UTC)
	case "hour", "hours":
		out = time.Date(y, m, d, t.Hour(), 0, 0, 0, time.UTC)
	case "day", "days":
		out = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case "week", "weeks":
		wd := (int(t.Weekday()) + 6) % 7
		out = time.Date(y, m, d-wd, 0, 0, 0, 0, time.UTC)
	case "month", "months":
		out = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		out = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case "year", "years":
		out = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	case "decade":
		out = time.Date(floorDivInt2(y, 10)*10, 1, 1, 0, 0, 0, 0, time.UTC)
	case "century":
		out = time.Date((y-1)/100*100+1, 1, 1, 0, 0, 0, 0, time.UTC)
	case "millennium":
		out = time.Date((y-1)/1000*1000+1, 1, 1, 0, 0, 0, 0, time.UTC)
	default:
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "unit %q not supported for type timestamp", unit)
	}
	r := types.TimestampValue(out.UnixMicro())
	if loc != nil {
		r = types.LocalToUTC(r, loc)
	}
	return r, nil
}

// AddInterval adds an interval to a timestamp of type t (timestamp or
// timestamptz), as the + operator does.
func AddInterval(ctx *Ctx, t types.T, ts types.TimestampValue, iv types.IntervalValue) (types.TimestampValue, error) {
	var loc *time.Location
	if t.Kind == types.TimestampTZ {
		loc = ctx.env().Loc
	}
	return addInterval(ts, iv, loc)
}
