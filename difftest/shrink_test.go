package difftest

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestVariantsAreOneEditAway(t *testing.T) {
	a := &Col{Name: "a", T: TInt}
	e := &Binary{Op: "+", L: a, R: &Unary{Op: "-", X: intLit(5)}, T: TInt}
	var got []string
	for _, v := range variants(e) {
		got = append(got, SQL(v))
	}
	for _, want := range []string{"a", "- 5", "1", "NULL", "a + 5", "a + NULL"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("variants of %s lack %q: %q", SQL(e), want, got)
		}
	}
	if nodeCount(e) != 4 {
		t.Errorf("nodeCount = %d, want 4", nodeCount(e))
	}
}

// TestShrinkKeepsTheDifference shrinks a real difference: the second side
// is PostgreSQL printing floats with extra_float_digits=0, so 0.1 + 0.2 prints
// differently, and nothing else does.
func TestShrinkKeepsTheDifference(t *testing.T) {
	dsn := os.Getenv(pgDSNEnv)
	if dsn == "" {
		t.Skip(pgDSNEnv + " is not set; skipping the shrinker run")
	}
	ctx := context.Background()
	admin, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, sql := range []string{"DROP DATABASE IF EXISTS difftest_shrink", "CREATE DATABASE difftest_shrink"} {
		if _, err := admin.Exec(ctx, sql).ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/difftest_shrink"
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += "options=" + strings.ReplaceAll(url.QueryEscape("-c extra_float_digits=0"), "+", "%20")
	r := newRunner(t, dsn, u.String())

	ft := &Table{Name: "ft", Cols: []Column{{"a", "INTEGER", TInt}, {"f", "FLOAT", TFloat}}, PK: []string{"a"},
		Rows: [][]string{{"1", "0.5"}, {"2", "0.1"}, {"3", "1.5"}, {"4", "NULL"}}}
	other := &Table{Name: "other", Cols: []Column{{"x", "TEXT", TText}}, Rows: [][]string{{"'a'"}}}
	col := func(n string, ty Type) *Col { return &Col{Qual: "t", Name: n, T: ty} }
	query := &Select{Body: &Core{
		Items: []*SelectItem{
			{X: col("a", TInt)},
			{X: &Binary{Op: "+", L: col("f", TFloat), R: &Cast{X: &Lit{Text: "0.2", T: TNumeric}, To: "FLOAT", T: TFloat}, T: TFloat}, Alias: "s"},
			{X: &Binary{Op: "*", L: col("a", TInt), R: intLit(2), T: TInt}},
		},
		From:  []FromItem{&TableRef{Name: "ft", Alias: "t"}},
		Where: &Binary{Op: "AND", L: &Binary{Op: ">", L: col("a", TInt), R: intLit(0), T: TBool}, R: &Binary{Op: "<", L: col("a", TInt), R: intLit(100), T: TBool}, T: TBool},
	}, OrderBy: []*OrderItem{{X: intLit(1)}, {X: intLit(2)}, {X: intLit(3)}}, Ordered: true}
	c := &Case{Setup: &Setup{Tables: []*Table{ft, other}}, Stmts: []Stmt{{Node: query, Ordered: true}}}

	out, err := r.Run(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if out == nil || out.Diff.Kind != KindRows {
		t.Fatalf("the case should differ in rows, got %v", out)
	}
	sh := &Shrinker{R: r, MaxTrials: 500}
	small, smallOut, err := sh.Shrink(ctx, c, out)
	if err != nil {
		t.Fatal(err)
	}
	sql := small.Stmts[len(small.Stmts)-1].SQL()
	t.Logf("shrunk in %d trials to %s (%v)", sh.trials, sql, smallOut.Diff)
	if smallOut.Diff.Kind != KindRows {
		t.Errorf("shrunk case differs by %s, want rows", smallOut.Diff.Kind)
	}
	if len(small.Setup.Tables) != 1 || len(small.Setup.Tables[0].Rows) != 1 || small.Setup.Tables[0].Rows[0][len(small.Setup.Tables[0].Rows[0])-1] != "0.1" {
		t.Errorf("setup should shrink to the one row that adds up badly, got %q", small.Setup.Statements())
	}
	if strings.Contains(sql, "WHERE") || strings.Contains(sql, "*") || !strings.Contains(sql, "0.2") {
		t.Errorf("query should shrink to the float addition alone, got %s", sql)
	}
	if again, err := r.Run(ctx, small); err != nil || again == nil {
		t.Errorf("the shrunk case no longer differs: %v %v", again, err)
	}
}
