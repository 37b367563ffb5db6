package pgwire

import (
	"portalsdb/types"
)

// fixture is one value of a type, with PostgreSQL's text output for it.
type fixture struct {
	text  string
	datum types.Datum
}

// fixtureTexts are values of every type the wire protocol carries, written
// as PostgreSQL 15 prints them (DateStyle ISO, IntervalStyle postgres,
// TimeZone UTC). The datums are read from the same text.
var fixtureTexts = map[string][]string{
	"bool":        {"t", "f"},
	"int2":        {"0", "-32768", "32767"},
	"int4":        {"42", "-2147483648", "2147483647"},
	"int8":        {"0", "-9223372036854775808", "9223372036854775807"},
	"float4":      {"1.5", "0.1", "-0", "3.4028235e+38", "1e-45", "NaN", "Infinity", "-Infinity"},
	"float8":      {"0.1", "-1.2345678901234567e+300", "123456789012345", "1e+15", "5e-324", "NaN", "-Infinity"},
	"numeric":     {"0", "-1.50", "123456789.000000001", "0.0001", "0.00000000000000000001", "10000", "99999999999999999999999999999.99", "-0.5", "NaN", "Infinity", "-Infinity"},
	"text":        {"", "hello", "üñí 😀", "tab\there"},
	"varchar":     {"abc", ""},
	"bpchar":      {"x", "ab  "},
	"name":        {"pg_catalog"},
	"bytea":       {`\x`, `\x00ff10`},
	"date":        {"2000-01-01", "1970-01-01", "2024-02-29", "0044-03-15 BC", "infinity", "-infinity"},
	"time":        {"00:00:00", "23:59:59.999999", "12:34:56.5"},
	"timestamp":   {"2000-01-01 00:00:00", "1999-12-31 23:59:59.123456", "1969-07-20 20:17:40", "infinity", "-infinity"},
	"timestamptz": {"2024-06-01 12:00:00+00", "1969-07-20 20:17:40.5+00", "infinity"},
	"interval":    {"00:00:00", "1 year 2 mons 3 days 04:05:06.789", "-1 days +02:00:00", "-00:00:01", "5 mons"},
	"uuid":        {"00000000-0000-0000-0000-000000000000", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
	"jsonb":       {`{"a": 1, "b": [true, null, "x"]}`, `[]`, `"s"`, `3.14`},
	"oid":         {"0", "16384", "4294967295"},

	"bool[]":        {"{t,f,NULL}"},
	"int2[]":        {"{1,-2}"},
	"int4[]":        {"{1,2,NULL,-3}", "{}"},
	"int8[]":        {"{9223372036854775807}"},
	"float4[]":      {"{1.5,NaN}"},
	"float8[]":      {"{0.1,Infinity}"},
	"numeric[]":     {"{1.5,NaN,-0.001}"},
	"text[]":        {`{a,"b c","",NULL,"\"q\"","x\\y"}`},
	"varchar[]":     {"{a,b}"},
	"bpchar[]":      {"{a,b}"},
	"name[]":        {"{pg_catalog,public}"},
	"bytea[]":       {`{"\\x00ff","\\x"}`},
	"date[]":        {"{2000-01-01,infinity}"},
	"time[]":        {"{12:00:00}"},
	"timestamp[]":   {`{"2000-01-01 00:00:00"}`},
	"timestamptz[]": {`{"2024-06-01 12:00:00+00",NULL}`},
	"interval[]":    {`{"1 day",-00:00:01}`},
	"uuid[]":        {"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"},
	"jsonb[]":       {`{"{\"a\": 1}",NULL}`},
	"oid[]":         {"{1,2}"},
}

var fixtureValues = func() map[string][]fixture {
	out := map[string][]fixture{}
	for name, texts := range fixtureTexts {
		t, ok := types.FromName(name)
		if !ok {
			panic("unknown fixture type " + name)
		}
		for _, text := range texts {
			d, err := types.ParseText(t, text, &types.Env{})
			if err != nil {
				panic("fixture " + name + " " + text + ": " + err.Error())
			}
			out[name] = append(out[name], fixture{text: text, datum: d})
		}
	}
	return out
}()
