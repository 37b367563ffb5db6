package difftest

import (
	"strings"
	"testing"
)

func res(oids []uint32, rows ...string) *Result {
	r := &Result{OIDs: oids}
	for range oids {
		r.Cols = append(r.Cols, "c")
	}
	for _, line := range rows {
		var row []*string
		for _, v := range strings.Split(line, ",") {
			if v == "<null>" {
				row = append(row, nil)
			} else {
				v := v
				row = append(row, &v)
			}
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

func TestCompare(t *testing.T) {
	ints := []uint32{23}
	cases := []struct {
		name       string
		want, got  *Result
		ordered    bool
		kind       Kind
		side       string
		checkTypes bool
	}{
		{"same rows in another order", res(ints, "1", "2"), res(ints, "2", "1"), false, "", "", true},
		{"order matters under a total ORDER BY", res(ints, "1", "2"), res(ints, "2", "1"), true, KindOrder, "", true},
		{"a missing row", res(ints, "1", "1"), res(ints, "1"), false, KindRows, "", true},
		{"NULL is not the text NULL", res([]uint32{25}, "<null>"), res([]uint32{25}, "NULL"), false, KindRows, "", true},
		{"types", res(ints, "1"), res([]uint32{20}, "1"), false, KindTypes, "", true},
		{"types ignored", res(ints, "1"), res([]uint32{20}, "1"), false, "", "", false},
		{"columns", res([]uint32{23, 23}), res(ints), false, KindColumns, "", true},
		{"same error class", &Result{Code: "22012"}, &Result{Code: "22003"}, false, "", "", true},
		{"different error class", &Result{Code: "22012"}, &Result{Code: "42883"}, false, KindErrCode, "", true},
		{"only portalsdb fails", res(ints, "1"), &Result{Code: "XX000"}, false, KindError, "portalsdb", true},
		{"only PostgreSQL fails", &Result{Code: "22012"}, res(ints), false, KindError, "postgres", true},
		{"rows affected", &Result{Tag: "UPDATE 2"}, &Result{Tag: "UPDATE 3"}, false, KindCount, "", true},
		{"insert tags compare by count", &Result{Tag: "INSERT 0 2"}, &Result{Tag: "INSERT 0 2"}, false, "", "", true},
		{"timeout", res(ints), &Result{Timeout: true, Code: errorsTimeout}, false, KindSlow, "", true},
	}
	for _, c := range cases {
		d := Compare(c.want, c.got, c.ordered, c.checkTypes)
		var kind Kind
		side := ""
		if d != nil {
			kind, side = d.Kind, d.Side
		}
		if kind != c.kind || side != c.side {
			t.Errorf("%s: got %q/%q (%v), want %q/%q", c.name, kind, side, d, c.kind, c.side)
		}
	}
}

func TestMultisetMinus(t *testing.T) {
	got := multisetMinus([]string{"a", "a", "b", "c"}, []string{"a", "c", "d"})
	if strings.Join(got, ",") != "a,b" {
		t.Errorf("got %v", got)
	}
}
