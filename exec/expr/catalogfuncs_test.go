package expr

import "testing"

// The expected strings were printed by PostgreSQL 15's pg_size_pretty and
// quote_ident for the same inputs.

func TestSizePretty(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {1, "1 bytes"}, {10239, "10239 bytes"}, {10240, "10 kB"}, {10751, "10 kB"}, {10752, "11 kB"},
		{20971007, "20 MB"}, {20971008, "20 MB"}, {1073741824, "1024 MB"}, {21474836479, "20 GB"},
		{21990232555519, "20 TB"}, {21990232555520, "20 TB"}, {1125899906842624, "1024 TB"},
		{9223372036854775807, "8192 PB"}, {-1, "-1 bytes"}, {-10240, "-10 kB"}, {-10752, "-11 kB"}, {-20971520, "-20 MB"},
	}
	for _, c := range cases {
		if got := SizePretty(c.n); got != c.want {
			t.Errorf("SizePretty(%d) = %q, PostgreSQL prints %q", c.n, got, c.want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	in := []string{"a", "A", "a b", "_x1", "1x", "select", "user", "int", "between", "name", "text", "é", `a"b`, ""}
	want := []string{"a", `"A"`, `"a b"`, "_x1", `"1x"`, `"select"`, `"user"`, `"int"`, `"between"`, "name", "text", `"é"`, `"a""b"`, `""`}
	for i, s := range in {
		if got := QuoteIdent(s); got != want[i] {
			t.Errorf("QuoteIdent(%q) = %s, PostgreSQL gives %s", s, got, want[i])
		}
	}
}

func TestArrayToString(t *testing.T) {
	star := "*"
	arr := []any{"a", nil, "c"}
	if got := ArrayToString(arr, ",", nil); got != "a,c" {
		t.Errorf("without a NULL string: %q", got)
	}
	if got := ArrayToString(arr, ",", &star); got != "a,*,c" {
		t.Errorf("with a NULL string: %q", got)
	}
	if got := ArrayToString([]any{int64(1), int64(2)}, "-", nil); got != "1-2" {
		t.Errorf("integers: %q", got)
	}
}
