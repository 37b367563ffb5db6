package expr

import (
	"math"
	"time"

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
	if loc != nil && iv.Months == 0 && iv.Days == 0 {
		// The time part moves the instant, not the wall clock.
		r := int64(ts) + iv.Micros
		if (iv.Micros > 0 && r < int64(ts)) || (iv.Micros < 0 && r > int64(ts)) {
			return 0, errDTO
		}
		return types.TimestampValue(r), nil
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
	if loc != nil {
		// Months and days step the wall clock in the zone; the time part
		// then moves the instant.
		us = int64(types.LocalToUTC(types.TimestampValue(us), loc))
	}
	r := us + iv.Micros
	if (iv.Micros > 0 && r < us) || (iv.Micros < 0 && r > us) {
		return 0, errDTO
	}
	return types.TimestampValue(r), nil
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
			if err != nil || v == nil {
				return nil, err
			}
			return toFloat(v), nil
		}})
		r.add(&Overload{Name: "extract", Args: []types.T{text, t}, Ret: num, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			v, err := extractField(c, a[0].(string), t, a[1])
			if err != nil || v == nil {
				return nil, err
			}
			return v, nil
		}})
	}
	for _, t := range []types.T{tsT, tstzT} {
		t := t
		r.add(&Overload{Name: "date_trunc", Args: []types.T{text, t}, Ret: t, Vec: dateTruncKernel(t)})
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

// AddInterval adds an interval to a timestamp of type t (timestamp or
// timestamptz), as the + operator does.
func AddInterval(ctx *Ctx, t types.T, ts types.TimestampValue, iv types.IntervalValue) (types.TimestampValue, error) {
	var loc *time.Location
	if t.Kind == types.TimestampTZ {
		loc = ctx.env().Loc
	}
	return addInterval(ts, iv, loc)
}
