package parser

import (
	"testing"

	"portalsdb/pgerror"
)

func TestSplit(t *testing.T) {
	stmts, err := Split("SELECT 1; select ';' ;  INSERT INTO t VALUES (1)")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SELECT 1", "select ';'", "INSERT INTO t VALUES (1)"}
	if len(stmts) != len(want) {
		t.Fatalf("got %d statements", len(stmts))
	}
	for i, s := range stmts {
		if s.Text != want[i] || s.AST == nil {
			t.Errorf("stmt %d = %q (ast %v), want %q", i, s.Text, s.AST != nil, want[i])
		}
	}
	if stmts[2].Offset != 24 {
		t.Errorf("offset = %d", stmts[2].Offset)
	}
	empty, err := Split("  -- nothing\n")
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty: %v %v", empty, err)
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	_, err := Split("SELECT 1; SELEC 2")
	e := pgerror.Flatten(err)
	if e.Code != pgerror.Syntax || e.Position != 11 {
		t.Fatalf("got %+v", e)
	}
}

func TestCustomStatements(t *testing.T) {
	stmts, err := Split("CREATE STREAM s (a INT); SELECT 1; SUBSCRIBE w")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 3 || stmts[0].Custom == nil || stmts[0].Custom.Kind != CreateStream ||
		stmts[1].AST == nil || stmts[2].Custom.Kind != Subscribe {
		t.Fatalf("got %+v", stmts)
	}
	// A syntax error in a plain statement next to a custom one points at
	// the right character.
	_, err = Split("CREATE STREAM s (a INT); SELECT FROM WHERE")
	e := pgerror.Flatten(err)
	if e.Code != pgerror.Syntax || e.Position != 38 {
		t.Fatalf("got %+v", e)
	}
}

// AS OF ATOM takes a number, a parameter, or a quoted number (what a
// client interpolating its parameters sends).
func TestAsOfAtom(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want AsOf
	}{
		{"SELECT * FROM s AS OF ATOM 42", AsOf{Atom: 42}},
		{"SELECT * FROM s AS OF ATOM $2", AsOf{Param: 2}},
		{"SELECT * FROM s AS OF ATOM '42'", AsOf{Atom: 42}},
	} {
		stmts, err := Split(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if len(stmts) != 1 || stmts[0].AsOf == nil || *stmts[0].AsOf != c.want {
			t.Errorf("%s: got %+v", c.sql, stmts[0].AsOf)
		}
	}
	for _, bad := range []string{"SELECT * FROM s AS OF ATOM 'x'", "SELECT * FROM s AS OF ATOM now()"} {
		if _, err := Split(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
