package incrtest

import (
	"context"
	"strings"
	"testing"
)

// TestNotIncrementalRefused: a query a workflow cannot maintain is refused
// at CREATE with 0A000 naming the construct, and leaves nothing behind.
func TestNotIncrementalRefused(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn, Schema...)
	cases := []struct{ query, names string }{
		{"SELECT k, random() AS r FROM s1", "random"},
		{"SELECT k, now() AS at FROM s1", "now"},
		{"SELECT k, v FROM s1 WHERE v > random() * 10", "random"},
		{"SELECT k FROM s1 GROUP BY k HAVING count(*) > random()", "random"},
		{"SELECT k, current_timestamp AS at FROM s1", "now"},
		{"SELECT k, clock_timestamp() AS at FROM s1", "clock_timestamp"},
		{"SELECT k, row_number() OVER (ORDER BY v) AS rn FROM s1", "window function"},
		{"SELECT k, sum(v) OVER (PARTITION BY k) AS s FROM s1", "window function"},
		{"SELECT k, v FROM s1 LIMIT 3", "LIMIT without ORDER BY"},
		{"SELECT * FROM s1 WHERE EXISTS (SELECT 1 FROM t1 WHERE t1.k < s1.k)", "EXISTS or IN with a subquery tied to the outer row by more than equalities"},
		{"SELECT * FROM s1 WHERE k NOT IN (SELECT k FROM t1)", "NOT IN with a subquery"},
		{"SELECT k, (SELECT max(x) FROM t1) AS m FROM s1", "subquery"},
		{"SELECT * FROM s1, t1", "cross join"},
		{"SELECT * FROM s1 CROSS JOIN s2", "cross join"},
		{"SELECT * FROM s1 JOIN t1 ON s1.k < t1.k", "cross join"},
		{"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r", "WITH RECURSIVE"},
		{"SELECT k FROM s1 EXCEPT SELECT k FROM s2", "EXCEPT"},
		{"SELECT k FROM s1 EXCEPT ALL SELECT k FROM s2", "EXCEPT ALL"},
		{"SELECT k FROM s1 INTERSECT SELECT k FROM s2", "INTERSECT"},
		{"SELECT DISTINCT ON (k) k, v FROM s1 ORDER BY k, v", "DISTINCT ON"},
		{"SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS p FROM s1 GROUP BY k", "percentile_cont"},
		{"SELECT k, mode() WITHIN GROUP (ORDER BY v) AS m FROM s1 GROUP BY k", "mode"},
		{"SELECT * FROM generate_series(1, 3) g", "generate_series"},
		{"SELECT * FROM (VALUES (1), (2)) v(x)", "VALUES"},
	}
	for _, c := range cases {
		_, err := conn.Exec(context.Background(), "CREATE WORKFLOW refused AS "+c.query)
		if sqlState(err) != "0A000" || !strings.Contains(err.Error(), c.names) {
			t.Errorf("CREATE WORKFLOW AS %s:\n  got %v\n  want 0A000 naming %q", c.query, err, c.names)
		}
		if _, err := conn.Exec(context.Background(), "SELECT * FROM refused"); sqlState(err) != "42P01" {
			t.Fatalf("after a refused CREATE WORKFLOW AS %s, SELECT * FROM refused: %v, want 42P01", c.query, err)
		}
	}
}
