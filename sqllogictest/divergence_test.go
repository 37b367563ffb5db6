package sqllogictest

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseDivergences(t *testing.T) {
	d, err := ParseDivergences(strings.NewReader(`# header comment
evidence/a.test:3  before any group

# == SQLite-only syntax ==
evidence/a.test:10  REPLACE INTO
# a plain comment does not start a group
evidence/b.test:7   empty IN ()

# == arithmetic ==
random/expr/slt_good_0.test:46601  numeric division
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []DivergenceEntry{
		{Path: "evidence/a.test", Line: 3, Reason: "before any group"},
		{Path: "evidence/a.test", Line: 10, Reason: "REPLACE INTO", Kind: "SQLite-only syntax"},
		{Path: "evidence/b.test", Line: 7, Reason: "empty IN ()", Kind: "SQLite-only syntax"},
		{Path: "random/expr/slt_good_0.test", Line: 46601, Reason: "numeric division", Kind: "arithmetic"},
	}
	if got := d.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseDivergencesRejectsBadLines(t *testing.T) {
	for _, bad := range []string{
		"evidence/a.test  no line number\n",
		"evidence/a.test:x  bad number\n",
		"evidence/a.test:0  zero\n",
		"evidence/a.test:3  once\nevidence/a.test:3  twice\n",
	} {
		if _, err := ParseDivergences(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestDivergencesMatchPathSuffixes(t *testing.T) {
	d, err := ParseDivergences(strings.NewReader("10/slt_good_0.test:1  short\ncommute/10/slt_good_0.test:2  long\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file  string
		path  string
		lines []int
	}{
		{"/x/sqlite/index/commute/10/slt_good_0.test", "commute/10/slt_good_0.test", []int{2}},
		{"../shared/index/other/10/slt_good_0.test", "10/slt_good_0.test", []int{1}},
		{"/x/index/commute/100/slt_good_0.test", "", nil}, // not at a path boundary
		{"commute/10/slt_good_0.test", "commute/10/slt_good_0.test", []int{2}},
	}
	for _, c := range cases {
		path, lines := d.forFile(filepath.FromSlash(c.file))
		var got []int
		for l := range lines {
			got = append(got, l)
		}
		if path != c.path || !reflect.DeepEqual(got, c.lines) {
			t.Errorf("%s: matched %q lines %v, want %q lines %v", c.file, path, got, c.path, c.lines)
		}
	}
}

func TestWriteDivergencesRoundTrips(t *testing.T) {
	entries := []DivergenceEntry{
		{Path: "b.test", Line: 9, Reason: "second file", Kind: "one"},
		{Path: "a.test", Line: 20, Reason: "later line", Kind: "one"},
		{Path: "a.test", Line: 4, Reason: "other kind", Kind: "two"},
		{Path: "a.test", Line: 2, Reason: "earlier line", Kind: "one"},
	}
	var buf bytes.Buffer
	if err := WriteDivergences(&buf, "a header\nof two lines", entries); err != nil {
		t.Fatal(err)
	}
	d, err := ParseDivergences(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []DivergenceEntry{entries[3], entries[1], entries[0], entries[2]}
	if got := d.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

// TestBuiltinDivergencesNameCorpusRecords checks that every shipped entry
// points at the header of a statement or query in the corpus.
func TestBuiltinDivergencesNameCorpusRecords(t *testing.T) {
	d, err := BuiltinDivergences()
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() == 0 {
		t.Fatal("the builtin divergence list is empty")
	}
	corpus := corpusDir(t)
	headers := map[string]map[int]bool{}
	for _, e := range d.Entries() {
		if headers[e.Path] == nil {
			s, err := ParseFile(filepath.Join(corpus, filepath.FromSlash(e.Path)), DialectAuto)
			if err != nil {
				t.Errorf("%s: %v", e, err)
				continue
			}
			headers[e.Path] = map[int]bool{}
			for _, r := range s.Records {
				if r.Kind == KindStatement || r.Kind == KindQuery {
					headers[e.Path][r.Line] = true
				}
			}
		}
		if !headers[e.Path][e.Line] {
			t.Errorf("%s: no statement or query starts at that line", e)
		}
		if e.Reason == "" || e.Kind == "" {
			t.Errorf("%s: entry without a reason or a kind", e)
		}
	}
}
