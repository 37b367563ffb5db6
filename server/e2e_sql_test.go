package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestE2EStatements runs the everyday statements of issue 2 through pgx in
// each query execution mode: the simple protocol (pgx interpolates the
// arguments), and the extended protocol with cached prepared statements or
// a describe before each execute.
func TestE2EStatements(t *testing.T) {
	for _, m := range execModes {
		t.Run(m.name, func(t *testing.T) {
			srv := startE2E(t)
			conn := connect(t, srv.Addr(), m.mode)
			runStatementScenario(t, conn)
		})
	}
}

func runStatementScenario(t *testing.T, conn *pgx.Conn) {
	ctx := ctxT(t)
	mustExec(t, conn,
		`CREATE SCHEMA shop`,
		`CREATE TABLE shop.items (id serial PRIMARY KEY, name text NOT NULL, qty int NOT NULL DEFAULT 7,
			price numeric(10,2) DEFAULT 1.50, tag text UNIQUE)`,
	)

	// Multi-row VALUES with RETURNING: serial ids and defaults come back.
	got := queryStrings(t, conn, `INSERT INTO shop.items (name, tag) VALUES ($1, $2), ($3, $4), ('pear', NULL)
		RETURNING id, name, qty, price`, "apple", "a", "plum", "p")
	wantRows(t, "insert returning", got, [][]string{
		{"1", "apple", "7", "1.50"}, {"2", "plum", "7", "1.50"}, {"3", "pear", "7", "1.50"}})

	// DEFAULT in VALUES, and the command tag's row count.
	tag, err := conn.Exec(ctx, `INSERT INTO shop.items VALUES (DEFAULT, 'fig', DEFAULT, 2.25, DEFAULT)`)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "INSERT 0 1" || tag.RowsAffected() != 1 {
		t.Fatalf("tag %q", tag)
	}
	wantRows(t, "default", queryStrings(t, conn, `SELECT id, qty, price, tag FROM shop.items WHERE name = 'fig'`),
		[][]string{{"4", "7", "2.25", "NULL"}})

	// ON CONFLICT DO NOTHING skips the duplicate, on the primary key and on
	// a unique column, and returns nothing for it.
	got = queryStrings(t, conn, `INSERT INTO shop.items (id, name, tag) VALUES (1, 'dup', 'x') ON CONFLICT DO NOTHING RETURNING id`)
	wantRows(t, "do nothing pk", got, nil)
	got = queryStrings(t, conn, `INSERT INTO shop.items (id, name, tag) VALUES (50, 'dup', 'a') ON CONFLICT (tag) DO NOTHING RETURNING id`)
	wantRows(t, "do nothing unique", got, nil)
	// ON CONFLICT DO UPDATE sees the old row and EXCLUDED.
	got = queryStrings(t, conn, `INSERT INTO shop.items (id, name, qty) VALUES (1, 'apple2', 5), (1000, 'kiwi', 1)
		ON CONFLICT (id) DO UPDATE SET qty = items.qty + excluded.qty, name = excluded.name RETURNING id, name, qty`)
	wantRows(t, "do update", got, [][]string{{"1", "apple2", "12"}, {"1000", "kiwi", "1"}})
	// The WHERE of DO UPDATE filters which conflicts update.
	tag, err = conn.Exec(ctx, `INSERT INTO shop.items (id, name) VALUES (1, 'no'), (2, 'yes')
		ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE items.qty = 7`)
	if err != nil {
		t.Fatal(err)
	}
	if tag.RowsAffected() != 1 {
		t.Fatalf("DO UPDATE ... WHERE affected %d rows, want 1", tag.RowsAffected())
	}

	// UPDATE ... FROM and DELETE ... USING join another table.
	mustExec(t, conn,
		`CREATE TABLE shop.deliveries (item_id int, n int)`,
		`INSERT INTO shop.deliveries VALUES (1, 10), (3, 20), (99, 5)`)
	got = queryStrings(t, conn, `UPDATE shop.items SET qty = items.qty + d.n FROM shop.deliveries d
		WHERE d.item_id = items.id RETURNING items.id, items.qty`)
	sortRows(got)
	wantRows(t, "update from", got, [][]string{{"1", "22"}, {"3", "27"}})
	tag, err = conn.Exec(ctx, `DELETE FROM shop.deliveries USING shop.items WHERE deliveries.item_id = items.id AND items.qty > $1`, 25)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "DELETE 1" {
		t.Fatalf("delete using: tag %q", tag)
	}
	wantRows(t, "after delete using", queryStrings(t, conn, `SELECT item_id FROM shop.deliveries ORDER BY item_id`),
		[][]string{{"1"}, {"99"}})

	// INSERT ... SELECT, with the serial column filled in.
	tag, err = conn.Exec(ctx, `INSERT INTO shop.items (name, qty) SELECT 'copy of ' || name, qty * 2 FROM shop.items WHERE id <= 2`)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "INSERT 0 2" {
		t.Fatalf("insert select: tag %q", tag)
	}
	wantRows(t, "insert select", queryStrings(t, conn, `SELECT id > 4, qty FROM shop.items WHERE name LIKE 'copy of %' ORDER BY qty`),
		[][]string{{"true", "14"}, {"true", "44"}})

	// A view follows its table.
	mustExec(t, conn, `CREATE VIEW shop.big AS SELECT id, name FROM shop.items WHERE qty > 20`)
	wantRows(t, "view", queryStrings(t, conn, `SELECT name FROM shop.big ORDER BY id`),
		[][]string{{"apple2"}, {"pear"}, {"copy of apple2"}})
	mustExec(t, conn, `UPDATE shop.items SET qty = 0 WHERE name = 'pear'`)
	wantRows(t, "view after update", queryStrings(t, conn, `SELECT count(*) FROM shop.big`), [][]string{{"2"}})
	mustExec(t, conn, `DROP VIEW shop.big`)

	// Indexes serve point and range lookups: EXPLAIN shows the index, and
	// the answers equal those of a scan that cannot use it.
	mustExec(t, conn, `CREATE INDEX items_qty ON shop.items (qty)`)
	for i := 0; i < 200; i++ {
		if _, err := conn.Exec(ctx, `INSERT INTO shop.items (name, qty) VALUES ($1, $2)`, "bulk", i%50); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ pred, noIndex string }{
		{"qty = 7", "qty + 0 = 7"},
		{"qty BETWEEN 10 AND 12", "qty + 0 BETWEEN 10 AND 12"},
		{"qty > 45", "qty + 0 > 45"},
	} {
		plan := explain(t, conn, `SELECT id FROM shop.items WHERE `+c.pred)
		if !strings.Contains(plan, "Index Scan using items_qty") {
			t.Errorf("%s: plan does not use the index:\n%s", c.pred, plan)
		}
		a := queryStrings(t, conn, `SELECT id, qty FROM shop.items WHERE `+c.pred+` ORDER BY id`)
		b := queryStrings(t, conn, `SELECT id, qty FROM shop.items WHERE `+c.noIndex+` ORDER BY id`)
		if len(a) == 0 {
			t.Errorf("%s: no rows", c.pred)
		}
		wantRows(t, c.pred, a, b)
	}
	// A primary-key lookup reads the key, not the whole table.
	plan := explain(t, conn, `SELECT name FROM shop.items WHERE id = 3`)
	if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "Primary Key") {
		t.Errorf("primary key lookup plan:\n%s", plan)
	}
	wantRows(t, "pk lookup", queryStrings(t, conn, `SELECT name FROM shop.items WHERE id = $1`, 3), [][]string{{"pear"}})

	// ALTER TABLE: ADD COLUMN fills existing rows with the default, DROP
	// COLUMN removes it, RENAME renames columns and tables.
	mustExec(t, conn, `ALTER TABLE shop.items ADD COLUMN color text DEFAULT 'green'`)
	wantRows(t, "add column", queryStrings(t, conn, `SELECT DISTINCT color FROM shop.items`), [][]string{{"green"}})
	mustExec(t, conn, `ALTER TABLE shop.items DROP COLUMN price`)
	if _, err := conn.Exec(ctx, `SELECT price FROM shop.items`); err == nil {
		t.Fatal("price still exists after DROP COLUMN")
	} else {
		wantCode(t, err, "42703")
	}
	mustExec(t, conn, `ALTER TABLE shop.items RENAME COLUMN color TO colour`, `ALTER TABLE shop.items RENAME TO goods`)
	wantRows(t, "renamed", queryStrings(t, conn, `SELECT colour, name FROM shop.goods WHERE id = 1`),
		[][]string{{"green", "apple2"}})
	_, err = conn.Exec(ctx, `SELECT 1 FROM shop.items`)
	wantCode(t, err, "42P01")
	// The index survived the renames and still answers.
	plan = explain(t, conn, `SELECT id FROM shop.goods WHERE qty = 7`)
	if !strings.Contains(plan, "Index Scan using items_qty") {
		t.Errorf("index after rename:\n%s", plan)
	}

	// Schemas: the search path decides which table an unqualified name is.
	mustExec(t, conn,
		`CREATE TABLE public.goods (id int PRIMARY KEY, what text)`,
		`INSERT INTO public.goods VALUES (1, 'public one')`)
	wantRows(t, "public first", queryStrings(t, conn, `SELECT what FROM goods`), [][]string{{"public one"}})
	mustExec(t, conn, `SET search_path = shop, public`)
	wantRows(t, "shop first", queryStrings(t, conn, `SELECT name FROM goods WHERE id = 1`), [][]string{{"apple2"}})
	mustExec(t, conn, `RESET search_path`)

	// TRUNCATE empties the table; the serial goes on counting.
	mustExec(t, conn, `TRUNCATE shop.goods`)
	wantRows(t, "truncate", queryStrings(t, conn, `SELECT count(*) FROM shop.goods`), [][]string{{"0"}})
	got = queryStrings(t, conn, `INSERT INTO shop.goods (name) VALUES ('again') RETURNING id > 200`)
	wantRows(t, "serial after truncate", got, [][]string{{"true"}})

	mustExec(t, conn, `DROP SCHEMA shop CASCADE`)
	_, err = conn.Exec(ctx, `SELECT 1 FROM shop.goods`)
	wantCode(t, err, "42P01")
}

func explain(t *testing.T, conn *pgx.Conn, q string) string {
	t.Helper()
	var lines []string
	for _, r := range queryStrings(t, conn, `EXPLAIN `+q) {
		lines = append(lines, r[0])
	}
	return strings.Join(lines, "\n")
}

func wantRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d rows %v, want %d rows %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Fatalf("%s: row %d is %v, want %v (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

func sortRows(rows [][]string) {
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(strings.Join(a, "|"), strings.Join(b, "|")) })
}
