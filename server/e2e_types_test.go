package server

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

var rewrite = flag.Bool("rewrite", false, "rewrite expected outputs in testdata from the PostgreSQL at PORTALSDB_TEST_PG_DSN")

// typeCase is one line of testdata/types.txt.
type typeCase struct {
	typ, lit string
	// text and bin are PostgreSQL's answers; known is false until
	// -rewrite has filled them in.
	text  string
	bin   []byte
	known bool
	// What pgx makes of it, against PostgreSQL: the value it decodes from
	// the binary and the text format (rendered by textOf), and what its
	// binary decoding stores when sent back as a parameter (its text
	// output, or "ERROR <sqlstate>"). pgx has its own limits (it drops the
	// scale of a binary numeric zero, it sends a Go string as json text),
	// so PostgreSQL's answers are the reference here too.
	pgxBinary, pgxText, pgxBack string
}

const typesFile = "testdata/types.txt"

func loadTypeCases(t *testing.T) (header []string, cases []typeCase) {
	t.Helper()
	data, err := os.ReadFile(typesFile)
	if err != nil {
		t.Fatal(err)
	}
	for n, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			header = append(header, line)
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 2 && len(f) != 7 {
			t.Fatalf("%s:%d: want 2 or 7 tab-separated fields", typesFile, n+1)
		}
		c := typeCase{typ: f[0]}
		if c.lit, err = strconv.Unquote(f[1]); err != nil {
			t.Fatalf("%s:%d: literal: %v", typesFile, n+1, err)
		}
		if len(f) == 7 {
			c.known = true
			if c.bin, err = hex.DecodeString(f[3]); err != nil {
				t.Fatalf("%s:%d: binary: %v", typesFile, n+1, err)
			}
			for i, dst := range []*string{&c.text, &c.pgxBinary, &c.pgxText, &c.pgxBack} {
				field := f[2]
				if i > 0 {
					field = f[3+i]
				}
				if *dst, err = strconv.Unquote(field); err != nil {
					t.Fatalf("%s:%d: field %d: %v", typesFile, n+1, i, err)
				}
			}
		}
		cases = append(cases, c)
	}
	return header, cases
}

func writeTypeCases(t *testing.T, header []string, cases []typeCase) {
	var b strings.Builder
	for _, h := range header {
		b.WriteString(h + "\n")
	}
	for _, c := range cases {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.typ, strconv.Quote(c.lit), strconv.Quote(c.text), hex.EncodeToString(c.bin),
			strconv.Quote(c.pgxBinary), strconv.Quote(c.pgxText), strconv.Quote(c.pgxBack))
	}
	if err := os.WriteFile(typesFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestE2ETypes round-trips every type of issue 2 through a table column:
// written as a SQL literal, as a text parameter, as a binary parameter and
// as the Go value pgx decoded; read back in text and binary formats, raw and
// through pgx. The text and binary answers must be PostgreSQL's, byte for
// byte (testdata/types.txt, checked against a real PostgreSQL when
// PORTALSDB_TEST_PG_DSN is set).
func TestE2ETypes(t *testing.T) {
	header, cases := loadTypeCases(t)
	if dsn := os.Getenv("PORTALSDB_TEST_PG_DSN"); dsn != "" {
		pg := connectDSN(t, dsn, pgx.QueryExecModeCacheStatement)
		learn := *rewrite
		roundTripTypes(t, "postgres", pg, cases, learn)
		if learn && !t.Failed() {
			writeTypeCases(t, header, cases)
		}
	} else if *rewrite {
		t.Fatal("-rewrite needs PORTALSDB_TEST_PG_DSN")
	}
	for _, c := range cases {
		if !c.known {
			t.Fatalf("%s %q has no recorded answer: run with -rewrite and PORTALSDB_TEST_PG_DSN", c.typ, c.lit)
		}
	}
	srv := startE2E(t)
	roundTripTypes(t, "portalsdb", connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement), cases, false)
}

// roundTripTypes runs the round trips against one server. With learn, it
// records the server's answers in cases instead of checking them.
func roundTripTypes(t *testing.T, target string, conn *pgx.Conn, cases []typeCase, learn bool) {
	ctx := ctxT(t)
	pc := conn.PgConn()
	schema := fmt.Sprintf("e2e_types_%d", rand.Uint32())
	mustExec(t, conn, `CREATE SCHEMA `+schema, `SET search_path = `+schema, `SET TimeZone = 'UTC'`)
	defer conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)

	tables := map[string]string{}
	oids := map[string]uint32{}
	for _, c := range cases {
		if _, ok := tables[c.typ]; ok {
			continue
		}
		name := fmt.Sprintf("rt%d", len(tables))
		tables[c.typ] = name
		mustExec(t, conn, fmt.Sprintf(`CREATE TABLE %s (id int PRIMARY KEY, v %s)`, name, c.typ))
		sd, err := pc.Prepare(ctx, "", `SELECT v FROM `+name, nil)
		if err != nil {
			t.Fatal(err)
		}
		oids[c.typ] = sd.Fields[0].DataTypeOID
	}

	read := func(table string, id int, format int16) ([]byte, bool, error) {
		res := pc.ExecParams(ctx, `SELECT v FROM `+table+` WHERE id = $1`, [][]byte{[]byte(strconv.Itoa(id))},
			[]uint32{23}, []int16{0}, []int16{format}).Read()
		if res.Err != nil {
			return nil, false, res.Err
		}
		if len(res.Rows) != 1 {
			return nil, false, fmt.Errorf("row %d: got %d rows", id, len(res.Rows))
		}
		v := res.Rows[0][0]
		return bytes.Clone(v), v == nil, nil
	}
	insertParam := func(table string, id int, oid uint32, format int16, v []byte) error {
		return pc.ExecParams(ctx, `INSERT INTO `+table+` VALUES ($1, $2)`, [][]byte{[]byte(strconv.Itoa(id)), v},
			[]uint32{23, oid}, []int16{0, format}, nil).Read().Err
	}

	for k := range cases {
		c := &cases[k]
		what := fmt.Sprintf("%s: %s %q", target, c.typ, c.lit)
		table, oid := tables[c.typ], oids[c.typ]
		base := (k + 1) * 10

		// A SQL literal, read back in both formats.
		if _, err := pc.Exec(ctx, fmt.Sprintf(`INSERT INTO %s VALUES (%d, %s)`, table, base, quoteLiteral(c.lit))).ReadAll(); err != nil {
			t.Errorf("%s: insert literal: %v", what, err)
			continue
		}
		text, null, err := read(table, base, 0)
		if err != nil {
			t.Errorf("%s: read text: %v", what, err)
			continue
		}
		bin, _, err := read(table, base, 1)
		if err != nil {
			t.Errorf("%s: read binary: %v", what, err)
			continue
		}
		if learn {
			if null {
				t.Errorf("%s: reads as NULL", what)
			}
			c.text, c.bin, c.known = string(text), bin, true
		} else {
			if string(text) != c.text {
				t.Errorf("%s: text output %q, PostgreSQL gives %q", what, text, c.text)
			}
			if !bytes.Equal(bin, c.bin) {
				t.Errorf("%s: binary output %x, PostgreSQL gives %x", what, bin, c.bin)
			}
		}

		// Parameters: the literal and PostgreSQL's text output as text
		// parameters, PostgreSQL's binary output as a binary parameter.
		// Each reads back as PostgreSQL's text and binary output.
		params := []struct {
			name   string
			format int16
			v      []byte
		}{{"text parameter of the literal", 0, []byte(c.lit)}, {"text parameter of the output", 0, []byte(c.text)},
			{"binary parameter", 1, c.bin}}
		for i, p := range params {
			id := base + 1 + i
			if err := insertParam(table, id, oid, p.format, p.v); err != nil {
				t.Errorf("%s: %s: %v", what, p.name, err)
				continue
			}
			gotText, _, err := read(table, id, 0)
			if err != nil {
				t.Errorf("%s: %s: read text: %v", what, p.name, err)
				continue
			}
			gotBin, _, err := read(table, id, 1)
			if err != nil {
				t.Errorf("%s: %s: read binary: %v", what, p.name, err)
				continue
			}
			if string(gotText) != c.text || !bytes.Equal(gotBin, c.bin) {
				t.Errorf("%s: %s reads back as %q / %x, want %q / %x", what, p.name, gotText, gotBin, c.text, c.bin)
			}
		}

		// pgx decodes the value from both formats, and sends its binary
		// decoding back as a parameter, as it does with PostgreSQL.
		binVal, err := pgxValue(conn, table, base, pgx.BinaryFormatCode)
		if err != nil {
			t.Errorf("%s: pgx binary: %v", what, err)
			continue
		}
		textVal, err := pgxValue(conn, table, base, pgx.TextFormatCode)
		if err != nil {
			t.Errorf("%s: pgx text: %v", what, err)
			continue
		}
		back := ""
		id := base + 5
		if _, err := conn.Exec(ctx, `INSERT INTO `+table+` VALUES ($1, $2)`, id, binVal); err != nil {
			back = "ERROR " + pgErr(t, err).Code
		} else if v, null, err := read(table, id, 0); err != nil {
			t.Errorf("%s: pgx parameter: read: %v", what, err)
		} else if null {
			back = "NULL"
		} else {
			back = string(v)
		}
		if learn {
			c.pgxBinary, c.pgxText, c.pgxBack = textOf(binVal), textOf(textVal), back
			continue
		}
		if got := textOf(binVal); got != c.pgxBinary {
			t.Errorf("%s: pgx decodes the binary format as %s, from PostgreSQL as %s", what, got, c.pgxBinary)
		}
		if got := textOf(textVal); got != c.pgxText {
			t.Errorf("%s: pgx decodes the text format as %s, from PostgreSQL as %s", what, got, c.pgxText)
		}
		if back != c.pgxBack {
			t.Errorf("%s: pgx's value %s sent back reads %q, with PostgreSQL %q", what, textOf(binVal), back, c.pgxBack)
		}
	}
}

func pgxValue(conn *pgx.Conn, table string, id int, format int16) (any, error) {
	rows, err := conn.Query(ctxBG(), `SELECT v FROM `+table+` WHERE id = $1`, pgx.QueryResultFormats{format}, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, fmt.Errorf("no row: %v", rows.Err())
	}
	vals, err := rows.Values()
	if err != nil {
		return nil, err
	}
	rows.Close()
	return vals[0], rows.Err()
}

func quoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// TestE2ETimeZones compares the text of timestamptz values, and of
// timestamps converted between zones, with PostgreSQL's in sessions of
// several time zones.
func TestE2ETimeZones(t *testing.T) {
	pg := connectDSN(t, pgDSN(t), pgx.QueryExecModeSimpleProtocol)
	srv := startE2E(t)
	ours := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	queries := []string{
		`SELECT '2024-01-02 03:04:05.5+02'::timestamptz`,
		`SELECT '2024-07-01 12:00:00'::timestamptz`,
		`SELECT '2024-03-31 02:30:00'::timestamptz`,
		`SELECT '1900-01-01 00:00:00+00'::timestamptz`,
		`SELECT '2024-01-02 03:04:05+00'::timestamptz::timestamp`,
		`SELECT '2024-01-02 03:04:05'::timestamp::timestamptz`,
		`SELECT '2024-10-27 01:30:00'::timestamp::timestamptz`,
	}
	for _, zone := range []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"} {
		for _, conn := range []*pgx.Conn{pg, ours} {
			mustExec(t, conn, `SET TimeZone = '`+zone+`'`)
		}
		for _, q := range queries {
			want := rawText(t, pg, q)
			if got := rawText(t, ours, q); got != want {
				t.Errorf("TimeZone %s: %s gives %q, PostgreSQL %q", zone, q, got, want)
			}
		}
		// SET and the query in one string: the query's output follows
		// the zone just set.
		for _, q := range queries[:2] {
			q = `SET TimeZone = '` + zone + `'; ` + q
			for _, conn := range []*pgx.Conn{pg, ours} {
				mustExec(t, conn, `SET TimeZone = 'UTC'`)
			}
			want := rawText(t, pg, q)
			if got := rawText(t, ours, q); got != want {
				t.Errorf("%s gives %q, PostgreSQL %q", q, got, want)
			}
		}
	}
}

// rawText runs a one-value query with the simple protocol and returns the
// value's text as the server sent it.
func rawText(t *testing.T, conn *pgx.Conn, q string) string {
	t.Helper()
	res, err := conn.PgConn().Exec(ctxT(t), q).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	// Statements before the last return no rows (SET, say).
	last := res[len(res)-1]
	if len(last.Rows) != 1 || len(last.Rows[0]) != 1 {
		t.Fatalf("%s: want one value", q)
	}
	if last.Rows[0][0] == nil {
		return "NULL"
	}
	return string(last.Rows[0][0])
}
