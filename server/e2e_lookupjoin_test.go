package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestE2ELookupJoin: a few rows joined to a large table by its primary key
// or an index are joined by lookups per row (an index nested-loop join),
// with the answers of a hash join: duplicates, NULL and missing keys,
// several matches per row through a non-unique index, a chain of two
// lookups, and a prepared statement run twice. Two large inputs still meet
// in a hash join.
func TestE2ELookupJoin(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	const bigRows = 5000
	mustExec(t, conn,
		"CREATE TABLE big (k int PRIMARY KEY, v int, w text)",
		"CREATE INDEX big_v ON big (v)",
		fmt.Sprintf("INSERT INTO big SELECT g, g %% 1000, 'w' || g FROM generate_series(1, %d) g", bigRows),
		"CREATE TABLE small (id int, x int, y int)",
		`INSERT INTO small VALUES (1, 1, 0), (2, 2, 999), (3, 2, NULL), (4, 4999, 1000), (5, 5000, 5),
			(6, 5001, 0), (7, NULL, 5), (8, 0, 17), (9, 77, -1)`,
	)
	type smallRow struct{ id, x, y int }
	const null = -1 << 31
	small := []smallRow{{1, 1, 0}, {2, 2, 999}, {3, 2, null}, {4, 4999, 1000}, {5, 5000, 5}, {6, 5001, 0}, {7, null, 5}, {8, 0, 17}, {9, 77, -1}}

	explain := func(q string) string {
		var lines []string
		for _, r := range queryStrings(t, conn, "EXPLAIN "+q) {
			lines = append(lines, r[0])
		}
		return strings.Join(lines, "\n")
	}
	check := func(name, q string, want [][]string, lookups int) {
		t.Helper()
		plan := explain(q)
		if n := strings.Count(plan, "lookups per outer row"); n != lookups {
			t.Errorf("%s: %d lookup joins, want %d:\n%s", name, n, lookups, plan)
		}
		for run := 0; run < 2; run++ { // the second run reuses the prepared plan
			if got := queryStrings(t, conn, q); !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%s, run %d:\n got %v\nwant %v", name, run, got, want)
			}
		}
	}

	var byKey [][]string
	for _, s := range small {
		if s.x >= 1 && s.x <= bigRows {
			byKey = append(byKey, []string{fmt.Sprint(s.id), fmt.Sprint(s.x), fmt.Sprintf("w%d", s.x)})
		}
	}
	check("primary key", "SELECT s.id, b.k, b.w FROM small s JOIN big b ON b.k = s.x ORDER BY s.id", byKey, 1)

	var byIndex [][]string
	for _, s := range small {
		for k := 4001; k <= bigRows; k++ {
			if s.y != null && k%1000 == s.y {
				byIndex = append(byIndex, []string{fmt.Sprint(s.id), fmt.Sprint(k)})
			}
		}
	}
	check("index", "SELECT s.id, b.k FROM small s, big b WHERE b.v = s.y AND b.k > 4000 ORDER BY s.id, b.k", byIndex, 1)

	var chain [][]string
	for _, s := range small {
		if s.x >= 1 && s.x <= bigRows {
			chain = append(chain, []string{fmt.Sprint(s.id), fmt.Sprintf("w%d", s.x%1000+1)})
		}
	}
	check("chain", "SELECT s.id, b2.w FROM small s JOIN big b ON b.k = s.x JOIN big b2 ON b2.k = b.v + 1 ORDER BY s.id", chain, 2)

	check("two large inputs", "SELECT count(*) FROM big a JOIN big b ON a.k = b.k", [][]string{{fmt.Sprint(bigRows)}}, 0)
	if plan := explain("SELECT count(*) FROM big a JOIN big b ON a.k = b.k"); !strings.Contains(plan, "Hash Inner Join") {
		t.Errorf("two large inputs should meet in a hash join:\n%s", plan)
	}
}
