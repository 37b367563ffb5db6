package server

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestE2ECopyFromBinary loads 100k rows with pgx's CopyFrom (COPY FROM
// STDIN in the binary format) and reads them back with SQL and with COPY
// TO STDOUT in the text and csv formats.
func TestE2ECopyFromBinary(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	mustExec(t, conn, `CREATE TABLE events (id bigint PRIMARY KEY, kind text, amount numeric, ok bool, note text)`)
	const n = 100_000
	rows := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		var note any
		if i%7 == 0 {
			note = nil
		} else {
			note = fmt.Sprintf("n\t%d", i)
		}
		return []any{int64(i), "k" + strconv.Itoa(i%10), fmt.Sprintf("%d.%02d", i, i%100), i%2 == 0, note}, nil
	})
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"id", "kind", "amount", "ok", "note"}, rows)
	if err != nil {
		t.Fatal(err)
	}
	if copied != n {
		t.Fatalf("CopyFrom reported %d rows, want %d", copied, n)
	}
	var count, sumID, nulls, oks int64
	var total string
	err = conn.QueryRow(ctx, `SELECT count(*), sum(id), count(*) - count(note), sum(amount)::text, count(*) FILTER (WHERE ok) FROM events`).
		Scan(&count, &sumID, &nulls, &total, &oks)
	if err != nil {
		t.Fatal(err)
	}
	var wantTotal int64
	for i := int64(0); i < n; i++ {
		wantTotal += i*100 + i%100
	}
	wantTotalText := fmt.Sprintf("%d.%02d", wantTotal/100, wantTotal%100)
	if count != n || sumID != n*(n-1)/2 || nulls != (n+6)/7 || total != wantTotalText || oks != n/2 {
		t.Fatalf("count %d sum %d nulls %d total %s oks %d; want %d %d %d %s %d",
			count, sumID, nulls, total, oks, n, n*(n-1)/2, (n+6)/7, wantTotalText, n/2)
	}

	// COPY TO STDOUT: one line per row, escaped as the format says.
	for _, format := range []string{"text", "csv"} {
		var buf bytes.Buffer
		tag, err := conn.PgConn().CopyTo(ctx, &buf, `COPY events TO STDOUT (FORMAT `+format+`)`)
		if err != nil {
			t.Fatal(err)
		}
		if tag.String() != "COPY "+strconv.Itoa(n) {
			t.Fatalf("%s: tag %q", format, tag)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != n {
			t.Fatalf("%s: %d lines, want %d", format, len(lines), n)
		}
		want := map[string]string{
			"text": "14\tk4\t14.14\tt\t\\N",
			"csv":  "15,k5,15.15,f,n\t15",
		}[format]
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("%s: no line %q among %q...", format, want, lines[:3])
		}
	}
}

// copyTricky is a table whose values need quoting and escaping in both
// text and csv formats.
const copyTricky = `CREATE TABLE tricky (id int PRIMARY KEY, s text, b bytea, d date, f float8, n numeric, j jsonb)`

var copyTrickyRows = []string{
	`(1, 'plain', '\x00ff', '2024-01-02', 1.5, 1.50, '{"a": 1}')`,
	`(2, E'tab\there\nnewline\\backslash', 'abc', 'infinity', 'NaN', 'NaN', '"s"')`,
	`(3, 'comma, "quotes"', NULL, NULL, NULL, NULL, NULL)`,
	`(4, '', '\x', '1999-12-31 BC', -0, -0.0, '[1, "a,b"]')`,
	`(5, E'\\N', '\x5c4e', '2000-02-29', 1e300, 1e20, 'null')`,
	`(6, NULL, NULL, NULL, NULL, NULL, NULL)`,
	`(7, 'é and 日本', NULL, NULL, 0.1, 0.1, '{"é": "日本"}')`,
}

// TestE2ECopyOutFormats compares COPY TO STDOUT's text and csv output of
// tricky values with PostgreSQL's, and checks that each loads back with
// COPY FROM STDIN into an equal table.
func TestE2ECopyOutFormats(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	var pg *pgx.Conn
	if dsn := os.Getenv("PORTALSDB_TEST_PG_DSN"); dsn != "" {
		pg = connectDSN(t, dsn, pgx.QueryExecModeCacheStatement)
		schema := "e2e_copy_" + strconv.Itoa(os.Getpid())
		mustExec(t, pg, `CREATE SCHEMA `+schema, `SET search_path = `+schema)
		t.Cleanup(func() { pg.Exec(ctxBG(), `DROP SCHEMA `+schema+` CASCADE`) })
	} else {
		t.Log("PORTALSDB_TEST_PG_DSN is not set: the output is not compared with PostgreSQL's")
	}
	setup := []string{copyTricky, `INSERT INTO tricky VALUES ` + strings.Join(copyTrickyRows, ", ")}
	mustExec(t, conn, setup...)
	if pg != nil {
		mustExec(t, pg, setup...)
	}
	ctx := ctxT(t)
	for _, opts := range []string{"FORMAT text", "FORMAT csv", "FORMAT csv, HEADER", "FORMAT text, NULL 'nil', DELIMITER '|'",
		"FORMAT csv, QUOTE '''', FORCE_QUOTE (s), NULL 'NULL'"} {
		q := `COPY tricky TO STDOUT (` + opts + `)`
		var out bytes.Buffer
		if _, err := conn.PgConn().CopyTo(ctx, &out, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if pg != nil {
			var want bytes.Buffer
			if _, err := pg.PgConn().CopyTo(ctx, &want, q); err != nil {
				t.Fatalf("PostgreSQL: %s: %v", q, err)
			}
			if out.String() != want.String() {
				t.Errorf("%s:\nportalsdb:\n%s\nPostgreSQL:\n%s", q, out.String(), want.String())
			}
		}
		// Loading the output back gives the same rows.
		mustExec(t, conn, strings.Replace(copyTricky, "tricky", "back", 1))
		if _, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(out.Bytes()), `COPY back FROM STDIN (`+opts+`)`); err != nil {
			t.Fatalf("load back %s: %v", opts, err)
		}
		diff := queryStrings(t, conn, `SELECT count(*) FROM (SELECT * FROM tricky EXCEPT SELECT * FROM back) a`)
		n := queryStrings(t, conn, `SELECT count(*) FROM back`)
		if diff[0][0] != "0" || n[0][0] != strconv.Itoa(len(copyTrickyRows)) {
			t.Errorf("%s: loaded back %s rows, %s differ", opts, n[0][0], diff[0][0])
		}
		mustExec(t, conn, `DROP TABLE back`)
	}
}

// TestE2ECopyFromCSV loads csv with a header, NULLs, quotes and quoted
// newlines, and checks that a bad row fails the whole COPY with 22P02.
func TestE2ECopyFromCSV(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	mustExec(t, conn, `CREATE TABLE people (id int PRIMARY KEY, name text, city text, age int)`)
	data := "id,name,city,age\n" +
		"1,Ann,Paris,30\n" +
		"2,\"Smith, Bob\",,41\n" +
		"3,\"say \"\"hi\"\"\",\"\",\n" +
		"4,\"two\nlines\",Rome,7\n"
	tag, err := conn.PgConn().CopyFrom(ctx, strings.NewReader(data), `COPY people FROM STDIN (FORMAT csv, HEADER)`)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "COPY 4" {
		t.Fatalf("tag %q", tag)
	}
	got := queryStrings(t, conn, `SELECT id, name, coalesce(city, '<null>'), coalesce(age::text, '<null>') FROM people ORDER BY id`)
	wantRows(t, "csv", got, [][]string{
		{"1", "Ann", "Paris", "30"},
		{"2", "Smith, Bob", "<null>", "41"},
		{"3", `say "hi"`, "", "<null>"},
		{"4", "two\nlines", "Rome", "7"},
	})

	// A bad value deep in the data fails the COPY, and none of its rows
	// stay, not even those before the bad one.
	var bad strings.Builder
	for i := 100; i < 2000; i++ {
		if i == 1500 {
			bad.WriteString("1500,x,y,notanumber\n")
			continue
		}
		fmt.Fprintf(&bad, "%d,name%d,city,%d\n", i, i, i%90)
	}
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader(bad.String()), `COPY people FROM STDIN (FORMAT csv)`)
	pe := wantCode(t, err, "22P02")
	if !strings.Contains(pe.Where, "1401") && !strings.Contains(pe.Message, "notanumber") {
		t.Errorf("error does not point at the bad row: %+v", pe)
	}
	wantRows(t, "after failed copy", queryStrings(t, conn, `SELECT count(*) FROM people`), [][]string{{"4"}})

	// A row with too few columns is 22P04, and also leaves nothing.
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("10,a,b,1\n11,a\n"), `COPY people FROM STDIN (FORMAT csv)`)
	wantCode(t, err, "22P04")
	wantRows(t, "after short row", queryStrings(t, conn, `SELECT count(*) FROM people`), [][]string{{"4"}})

	// Inside a transaction block, a failed COPY fails the block.
	mustExec(t, conn, `BEGIN`, `INSERT INTO people VALUES (50, 'kept?', NULL, NULL)`)
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("51,a,b,zz\n"), `COPY people FROM STDIN (FORMAT csv)`)
	wantCode(t, err, "22P02")
	_, err = conn.Exec(ctx, `SELECT 1`)
	wantCode(t, err, "25P02")
	mustExec(t, conn, `ROLLBACK`)
	wantRows(t, "after rolled back block", queryStrings(t, conn, `SELECT count(*) FROM people`), [][]string{{"4"}})

	// The connection is still good for more COPY.
	if _, err := conn.PgConn().CopyFrom(ctx, strings.NewReader("5\tEve\t\\N\t22\n"), `COPY people FROM STDIN`); err != nil {
		t.Fatal(err)
	}
	wantRows(t, "text copy", queryStrings(t, conn, `SELECT name, city IS NULL FROM people WHERE id = 5`), [][]string{{"Eve", "true"}})
}
