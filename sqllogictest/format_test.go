package sqllogictest

import (
	"reflect"
	"testing"
)

const (
	int4OID    = 23
	numericOID = 1700
	float8OID  = 701
	textOID    = 25
)

func TestRenderSQLite(t *testing.T) {
	cases := []struct {
		typ  byte
		oid  uint32
		in   cell
		want string
	}{
		{'I', int4OID, cell{text: "42"}, "42"},
		{'I', int4OID, cell{text: "-7"}, "-7"},
		{'I', int4OID, cell{null: true}, "NULL"},
		// PostgreSQL's numeric and float answers are converted to the
		// integer the header asks for, truncating toward zero.
		{'I', numericOID, cell{text: "58.22535211267605633816"}, "58"},
		{'I', numericOID, cell{text: "-50.0000000000000000"}, "-50"},
		{'I', numericOID, cell{text: "-0.5"}, "0"},
		{'I', float8OID, cell{text: "-0"}, "0"},
		{'I', float8OID, cell{text: "1e+20"}, "9223372036854775807"},
		{'I', float8OID, cell{text: "-1e+20"}, "-9223372036854775808"},
		{'I', float8OID, cell{text: "NaN"}, "0"},
		{'I', textOID, cell{text: "12abc"}, "12"},
		{'I', textOID, cell{text: "abc"}, "0"},
		{'I', textOID, cell{text: "+5"}, "5"},
		{'I', boolOID, cell{text: "t"}, "1"},
		{'I', boolOID, cell{text: "f"}, "0"},
		{'R', int4OID, cell{text: "5"}, "5.000"},
		{'R', numericOID, cell{text: "2.0005"}, "2.001"},
		{'R', float8OID, cell{text: "0.0625"}, "0.062"}, // round half to even, as printf
		{'R', float8OID, cell{text: "-0.0001"}, "-0.000"},
		{'R', float8OID, cell{text: "Infinity"}, "inf"},
		{'R', float8OID, cell{text: "-Infinity"}, "-inf"},
		{'R', float8OID, cell{null: true}, "NULL"},
		{'R', boolOID, cell{text: "t"}, "1.000"},
		{'T', textOID, cell{text: "hello world"}, "hello world"},
		{'T', textOID, cell{text: ""}, "(empty)"},
		{'T', textOID, cell{null: true}, "NULL"},
		{'T', textOID, cell{text: "a\tb\nc"}, "a@b@c"},
		{'T', textOID, cell{text: "é~"}, "@@~"}, // every byte outside printable ASCII
		{'T', boolOID, cell{text: "f"}, "0"},
		{'T', numericOID, cell{text: "1.50"}, "1.50"},
	}
	for _, c := range cases {
		if got := renderSQLite(c.typ, c.oid, c.in); got != c.want {
			t.Errorf("renderSQLite(%c, oid %d, %+v) = %q, want %q", c.typ, c.oid, c.in, got, c.want)
		}
	}
}

func TestRenderRS(t *testing.T) {
	cases := []struct {
		in   cell
		want string
	}{
		{cell{text: "t"}, "t"},
		{cell{null: true}, "NULL"},
		{cell{text: ""}, "(empty)"},
		{cell{text: "  a \t b  "}, "a b"},
		{cell{text: "1.50"}, "1.50"},
	}
	for _, c := range cases {
		if got := renderRS(c.in); got != c.want {
			t.Errorf("renderRS(%+v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSortRowsComparesColumnByColumn(t *testing.T) {
	// strcmp per column: "1" < "10", so [1 9] comes before [10 1]; the
	// joined strings "1 9" and "10 1" would sort the same way only by
	// accident of the space, so use a case where they differ.
	values := []string{"a", "2", "a b", "1", "a", "10"}
	sortRows(values, 2)
	want := []string{"a", "10", "a", "2", "a b", "1"}
	if !reflect.DeepEqual(values, want) {
		t.Errorf("rowsort = %q, want %q", values, want)
	}
	values = []string{"9", "10", "1", "NULL"}
	sortRows(values, 1)
	if want := []string{"1", "10", "9", "NULL"}; !reflect.DeepEqual(values, want) {
		t.Errorf("valuesort = %q, want %q", values, want)
	}
}

func TestHashValues(t *testing.T) {
	// md5("1\n2\n3\n4\n5\n6\n"), computed independently with Python's
	// hashlib.
	if got := hashValues([]string{"1", "2", "3", "4", "5", "6"}); got != "f3a4562cd2134c76b4ff170ce6f28fee" {
		t.Errorf("hash = %s", got)
	}
	// The hash of no values is the MD5 of nothing.
	if got := hashValues(nil); got != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("empty hash = %s", got)
	}
	n, h, ok := parseHashLine("6 values hashing to f3a4562cd2134c76b4ff170ce6f28fee")
	if !ok || n != 6 || h != "f3a4562cd2134c76b4ff170ce6f28fee" {
		t.Errorf("parseHashLine = %d %s %v", n, h, ok)
	}
	for _, bad := range []string{"6 values hashing to xyz", "values hashing to f3a4562cd2134c76b4ff170ce6f28fee", "6 values hashing to f3a4562cd2134c76b4ff170ce6f28fee extra"} {
		if _, _, ok := parseHashLine(bad); ok {
			t.Errorf("parseHashLine(%q) accepted", bad)
		}
	}
}
