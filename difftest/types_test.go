package difftest

import (
	"context"
	"testing"
	"time"
)

// TestResultTypes pins the result types of expressions whose type
// resolution difftest found wrong; the expectations are PostgreSQL 15's.
// Types do not show in sqllogictest files, so they are checked here through
// the row description.
func TestResultTypes(t *testing.T) {
	pdb, err := NewServer("portalsdb", startPortalsdb(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	ctx := context.Background()
	for _, setup := range []string{
		"CREATE TABLE tt (v VARCHAR(10), r REAL, i SMALLINT, d DECIMAL(10,2))",
		"INSERT INTO tt VALUES ('a', 1.5, 7, 2.50)",
	} {
		if res, err := pdb.Exec(ctx, setup, 10*time.Second); err != nil || res.Failed() {
			t.Fatalf("%s: %v %v", setup, err, res)
		}
	}
	cases := []struct {
		sql  string
		want string
	}{
		{"SELECT MAX(v), MIN(v) FROM tt", "(text, text)"},
		{"SELECT CASE WHEN TRUE THEN v ELSE CAST(1.5 AS TEXT) END FROM tt", "(text)"},
		{"SELECT CASE WHEN TRUE THEN v END, COALESCE(v, CAST('b' AS TEXT)), COALESCE(v, NULLIF('a', 'a')) FROM tt", "(varchar, varchar, varchar)"},
		{"SELECT r / 28, 1 / r, r * CAST(2 AS DOUBLE PRECISION), r + r FROM tt", "(float8, float8, float8, float4)"},
		{"SELECT NULLIF(r, CAST(1.5 AS FLOAT)), NULLIF(i, 70000), NULLIF(NULL, 1.5) FROM tt", "(float4, int2, numeric)"},
		{"SELECT COALESCE(71, d), d + 1 FROM tt", "(numeric, numeric)"},
		{"SELECT 'a' || 1.5, -2147483648, 2147483648", "(text, int4, int8)"},
		{"SELECT NULL UNION SELECT 1", "(int4)"},
	}
	for _, c := range cases {
		res, err := pdb.Exec(ctx, c.sql, 10*time.Second)
		if err != nil || res.Failed() {
			t.Errorf("%s: %v %s", c.sql, err, res.Message)
			continue
		}
		if got := typeNames(res.OIDs); got != c.want {
			t.Errorf("%s: types %s, want %s", c.sql, got, c.want)
		}
	}
}
