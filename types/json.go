package types

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
)

// NormalizeJSON validates s as JSON and returns it in jsonb's canonical
// text form: object keys deduplicated (the last wins) and ordered shortest
// first, then bytewise, with ", " and ": " as separators. Numbers are
// numerics, printed as numeric prints them (1e3 is 1000, 1.50 stays 1.50).
func NormalizeJSON(s string) (Datum, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type json").
			WithDetail(err.Error())
	}
	if dec.More() {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type json").
			WithDetail("Token after the end of the JSON value.")
	}
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String(), nil
}

// ParseJSONValue decodes canonical JSON text into Go values (map[string]any,
// []any, json.Number, string, bool, nil).
func ParseJSONValue(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type json")
	}
	return v, nil
}

// FormatJSONValue renders a decoded JSON value in jsonb's canonical form.
func FormatJSONValue(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		// jsonb keeps numbers as numerics: 1e2 is 100, with every digit
		// of 1e1000 written out.
		if d, _, err := apd.NewFromString(x.String()); err == nil {
			d.Negative = d.Negative && !d.IsZero()
			b.WriteString(d.Text('f'))
		} else {
			b.WriteString(x.String())
		}
	case string:
		enc, _ := json.Marshal(x)
		b.Write(unescapeHTML(enc))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if len(keys[i]) != len(keys[j]) {
				return len(keys[i]) < len(keys[j])
			}
			return keys[i] < keys[j]
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			enc, _ := json.Marshal(k)
			b.Write(unescapeHTML(enc))
			b.WriteString(": ")
			writeJSON(b, x[k])
		}
		b.WriteByte('}')
	}
}

// unescapeHTML undoes encoding/json's escaping of <, > and &, which
// PostgreSQL does not do.
func unescapeHTML(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u00`)) {
		return b
	}
	b = bytes.ReplaceAll(b, []byte(`\u003c`), []byte("<"))
	b = bytes.ReplaceAll(b, []byte(`\u003e`), []byte(">"))
	return bytes.ReplaceAll(b, []byte(`\u0026`), []byte("&"))
}

// ValidateJSON checks that s is JSON and returns it as written, the json
// type's value.
func ValidateJSON(s string) (Datum, error) {
	if _, err := NormalizeJSON(s); err != nil {
		return nil, err
	}
	return s, nil
}
