package types

import (
	"math"
	"testing"
	"time"

	"portalsdb/pgerror"
)

func TestFloatText(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{1, 64, "1"},
		{0.1, 64, "0.1"},
		{1e15, 64, "1e+15"},
		{123456789012345, 64, "123456789012345"},
		{1234567890123456, 64, "1.234567890123456e+15"},
		{0.0001, 64, "0.0001"},
		{0.00001, 64, "1e-05"},
		{-2.5, 64, "-2.5"},
		{math.Inf(1), 64, "Infinity"},
		{math.NaN(), 64, "NaN"},
		{float64(float32(1e6)), 32, "1e+06"},
		{float64(float32(123456)), 32, "123456"},
		{float64(float32(0.1)), 32, "0.1"},
	}
	for _, c := range cases {
		if got := string(AppendFloat(nil, c.f, c.bits)); got != c.want {
			t.Errorf("AppendFloat(%v, %d) = %q, want %q", c.f, c.bits, got, c.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	env := &Env{Loc: time.UTC, Now: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	cases := []struct {
		t       T
		in, out string
	}{
		{BoolType, "yes", "t"},
		{BoolType, "OFF", "f"},
		{Int4Type, " 42 ", "42"},
		{Int8Type, "-9223372036854775808", "-9223372036854775808"},
		{NumericType, "1.50", "1.50"},
		{NumericType, "1e3", "1000"},
		{NumericPS(5, 2), "3.14159", "3.14"},
		{DateType, "2024-02-29", "2024-02-29"},
		{DateType, "0001-01-01 BC", "0001-01-01 BC"},
		{DateType, "12/25/2023", "2023-12-25"},
		{DateType, "today", "2024-05-06"},
		{TimestampType, "2024-01-02 03:04:05.120", "2024-01-02 03:04:05.12"},
		{TimestampType, "2024-01-02T03:04:05", "2024-01-02 03:04:05"},
		{TimestampTZType, "2024-01-02 03:04:05+02", "2024-01-02 01:04:05+00"},
		{TimeType, "13:45", "13:45:00"},
		{IntervalType, "1 day 02:03:04", "1 day 02:03:04"},
		{IntervalType, "4 seconds", "00:00:04"},
		{IntervalType, "1 year 2 months", "1 year 2 mons"},
		{IntervalType, "-1 year +3 days", "-1 years +3 days"},
		{IntervalType, "1.5 days", "1 day 12:00:00"},
		{IntervalType, "P1DT2H", "1 day 02:00:00"},
		{UUIDType, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{ByteaType, `\x0102ff`, `\x0102ff`},
		{ByteaType, `ab\\c`, `\x61625c63`},
		{JSONBType, `{"b":1, "a": [1,2,{"zz":null}], "a":true}`, `{"a": true, "b": 1}`},
		{VarcharN(3), "ab ", "ab "},
		{CharN(4), "ab", "ab  "},
		{ArrayOf(Int4), "{1, 2,NULL}", "{1,2,NULL}"},
		{ArrayOf(Text), `{"a b",c}`, `{"a b",c}`},
	}
	for _, c := range cases {
		d, err := ParseText(c.t, c.in, env)
		if err != nil {
			t.Errorf("ParseText(%s, %q): %v", c.t, c.in, err)
			continue
		}
		if got := FormatText(c.t, d, env); got != c.out {
			t.Errorf("%s %q -> %q, want %q", c.t, c.in, got, c.out)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		t    T
		in   string
		code pgerror.Code
	}{
		{Int4Type, "abc", pgerror.InvalidTextRepresentation},
		{Int4Type, "99999999999", pgerror.NumericValueOutOfRange},
		{Int2Type, "40000", pgerror.NumericValueOutOfRange},
		{BoolType, "maybe", pgerror.InvalidTextRepresentation},
		{DateType, "2024-13-01", pgerror.DatetimeFieldOverflow},
		{DateType, "not a date", pgerror.InvalidDatetimeFormat},
		{NumericType, "1.2.3", pgerror.InvalidTextRepresentation},
		{NumericPS(3, 1), "123.4", pgerror.NumericValueOutOfRange},
		{VarcharN(2), "abc", pgerror.StringDataRightTruncation},
		{UUIDType, "xyz", pgerror.InvalidTextRepresentation},
		{JSONBType, "{", pgerror.InvalidTextRepresentation},
	}
	for _, c := range cases {
		_, err := ParseText(c.t, c.in, nil)
		if got := pgerror.CodeOf(err); got != c.code {
			t.Errorf("ParseText(%s, %q) code = %s (%v), want %s", c.t, c.in, got, err, c.code)
		}
	}
}

func TestCompare(t *testing.T) {
	if CompareFloat(math.NaN(), math.Inf(1)) != 1 || CompareFloat(math.NaN(), math.NaN()) != 0 {
		t.Error("NaN ordering")
	}
	a := IntervalValue{Months: 1}
	b := IntervalValue{Days: 30}
	if CompareInterval(a, b) != 0 {
		t.Error("1 mon should equal 30 days")
	}
	if CompareInterval(IntervalValue{Micros: -1}, IntervalValue{}) != -1 {
		t.Error("negative interval ordering")
	}
	if Compare(CharType, "ab  ", "ab") != 0 {
		t.Error("char ignores trailing blanks")
	}
}

func TestTypeNames(t *testing.T) {
	for name, want := range map[string]string{
		"int4": "integer", "varchar": "character varying", "float8": "double precision",
		"timestamptz": "timestamp with time zone", "_int4": "integer[]", "text[]": "text[]",
	} {
		ty, ok := FromName(name)
		if !ok || ty.String() != want {
			t.Errorf("FromName(%q) = %v %v, want %s", name, ty, ok, want)
		}
	}
	if o := ArrayOf(Int4).Oid(); o != 1007 {
		t.Errorf("int4[] oid = %d", o)
	}
	if ty, ok := FromOid(1043); !ok || ty.Kind != Varchar {
		t.Errorf("FromOid(1043) = %v", ty)
	}
}

func TestArrowRoundTrip(t *testing.T) {
	env := DefaultEnv()
	cases := []struct {
		t  T
		in []string
	}{
		{BoolType, []string{"t", "f"}},
		{Int2Type, []string{"1", "-2"}},
		{Int4Type, []string{"7"}},
		{Int8Type, []string{"9000000000"}},
		{Float4Type, []string{"1.5"}},
		{Float8Type, []string{"0.1"}},
		{NumericType, []string{"12.340"}},
		{TextType, []string{"hello"}},
		{ByteaType, []string{`\x00ff`}},
		{DateType, []string{"2020-01-01"}},
		{TimeType, []string{"01:02:03"}},
		{TimestampType, []string{"2020-01-01 01:02:03.5"}},
		{TimestampTZType, []string{"2020-01-01 01:02:03+00"}},
		{IntervalType, []string{"1 mon 2 days 00:00:03"}},
		{UUIDType, []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}},
		{ArrayOf(Int8), []string{"{1,NULL,3}"}},
	}
	for _, c := range cases {
		var ds []Datum
		for _, s := range c.in {
			d, err := ParseText(c.t, s, env)
			if err != nil {
				t.Fatalf("%s %q: %v", c.t, s, err)
			}
			ds = append(ds, d)
		}
		ds = append(ds, nil)
		arr := ArrayFromDatums(c.t, ds)
		for i, s := range c.in {
			if got := FormatText(c.t, DatumAt(c.t, arr, i), env); got != s {
				t.Errorf("%s: row %d = %q, want %q", c.t, i, got, s)
			}
		}
		if DatumAt(c.t, arr, len(c.in)) != nil {
			t.Errorf("%s: NULL did not round-trip", c.t)
		}
	}
}
