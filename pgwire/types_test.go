package pgwire

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"portalsdb/types"
)

// scanTarget returns a fresh pgx value to decode a value of the named type
// into, one that keeps NULLs and infinities.
func scanTarget(name string) any {
	elem, isArray := strings.CutSuffix(name, "[]")
	switch elem {
	case "bool":
		return target[pgtype.Bool](isArray)
	case "int2":
		return target[pgtype.Int2](isArray)
	case "int4":
		return target[pgtype.Int4](isArray)
	case "int8":
		return target[pgtype.Int8](isArray)
	case "float4":
		return target[pgtype.Float4](isArray)
	case "float8":
		return target[pgtype.Float8](isArray)
	case "numeric":
		return target[pgtype.Numeric](isArray)
	case "text", "varchar", "bpchar", "name":
		return target[pgtype.Text](isArray)
	case "bytea":
		return target[[]byte](isArray)
	case "date":
		return target[pgtype.Date](isArray)
	case "time":
		return target[pgtype.Time](isArray)
	case "timestamp":
		return target[pgtype.Timestamp](isArray)
	case "timestamptz":
		return target[pgtype.Timestamptz](isArray)
	case "interval":
		return target[pgtype.Interval](isArray)
	case "uuid":
		return target[pgtype.UUID](isArray)
	case "jsonb":
		return target[pgtype.Text](isArray)
	case "oid":
		return target[pgtype.Uint32](isArray)
	}
	panic("no scan target for " + name)
}

func target[T any](array bool) any {
	if array {
		return new(pgtype.FlatArray[T])
	}
	return new(T)
}

func decodeWith(t *testing.T, m *pgtype.Map, name string, oid uint32, format int16, src []byte) any {
	t.Helper()
	dst := scanTarget(name)
	if err := m.Scan(oid, format, src, dst); err != nil {
		t.Fatalf("pgx cannot decode %s %q in format %d: %v", name, src, format, err)
	}
	return reflect.ValueOf(dst).Elem().Interface()
}

// pgxText renders a decoded value in pgx's own text encoding, to compare
// two decodings of the same value.
func pgxText(t *testing.T, m *pgtype.Map, oid uint32, v any) string {
	t.Helper()
	b, err := m.Encode(oid, pgtype.TextFormatCode, v, nil)
	if err != nil {
		t.Fatalf("pgx cannot encode %#v: %v", v, err)
	}
	return string(b)
}

func sortedFixtureNames() []string {
	names := make([]string, 0, len(fixtureValues))
	for name := range fixtureValues {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// realPostgres connects to the PostgreSQL named by PORTALSDB_TEST_PG_DSN,
// or returns nil when it is not set.
func realPostgres(t *testing.T) *pgconn.PgConn {
	t.Helper()
	dsn := os.Getenv("PORTALSDB_TEST_PG_DSN")
	if dsn == "" {
		return nil
	}
	pg, err := pgconn.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("PORTALSDB_TEST_PG_DSN: %v", err)
	}
	t.Cleanup(func() { pg.Close(context.Background()) })
	if err := pg.Exec(context.Background(), "SET TimeZone = 'UTC'; SET extra_float_digits = 1").Close(); err != nil {
		t.Fatal(err)
	}
	return pg
}

// TestTypeRoundTrips sends every fixture value through the server in both
// formats, as results and as parameters:
//   - the text result is exactly PostgreSQL's text output;
//   - pgx decodes the binary result to the same value as the text result;
//   - a parameter sent in binary (encoded by pgx) comes back as the same
//     text, and one sent in text comes back as the same binary bytes.
//
// With PORTALSDB_TEST_PG_DSN set, the text and binary bytes are also
// compared with what a real PostgreSQL sends for the same value.
func TestTypeRoundTrips(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	conn := connect(t, addr, pgx.QueryExecModeCacheStatement)
	pc := conn.PgConn()
	m := conn.TypeMap()
	pg := realPostgres(t)
	ctx := testCtx(t)
	for _, name := range sortedFixtureNames() {
		t.Run(name, func(t *testing.T) {
			typ, _ := types.FromName(name)
			oid := typ.Oid()
			text := pc.ExecParams(ctx, "values "+name, nil, nil, nil, []int16{0}).Read()
			bin := pc.ExecParams(ctx, "values "+name, nil, nil, nil, []int16{1}).Read()
			if text.Err != nil || bin.Err != nil {
				t.Fatalf("values: %v / %v", text.Err, bin.Err)
			}
			for _, r := range []*pgconn.Result{text, bin} {
				if fd := r.FieldDescriptions[0]; fd.DataTypeOID != oid {
					t.Fatalf("RowDescription oid %d, want %d", fd.DataTypeOID, oid)
				}
			}
			if bin.FieldDescriptions[0].Format != 1 || text.FieldDescriptions[0].Format != 0 {
				t.Fatalf("RowDescription formats %d/%d", text.FieldDescriptions[0].Format, bin.FieldDescriptions[0].Format)
			}
			for i, f := range fixtureValues[name] {
				gotText, gotBin := text.Rows[i][0], bin.Rows[i][0]
				if string(gotText) != f.text {
					t.Errorf("text output %q, want %q", gotText, f.text)
				}
				fromText := decodeWith(t, m, name, oid, 0, gotText)
				fromBin := decodeWith(t, m, name, oid, 1, gotBin)
				if a, b := pgxText(t, m, oid, fromText), pgxText(t, m, oid, fromBin); a != b {
					t.Errorf("%q: binary output decodes to %s, text output to %s", f.text, b, a)
				}

				param, err := m.Encode(oid, pgtype.BinaryFormatCode, fromText, nil)
				if err != nil {
					t.Fatalf("pgx cannot encode %q: %v", f.text, err)
				}
				if param == nil {
					param = []byte{} // an empty value, not NULL: no fixture is NULL
				}
				echo := pc.ExecParams(ctx, "select $1::"+name, [][]byte{param}, []uint32{oid}, []int16{1}, []int16{0}).Read()
				if echo.Err != nil {
					t.Errorf("binary parameter %q: %v", f.text, echo.Err)
				} else if got := string(echo.Rows[0][0]); got != f.text {
					t.Errorf("binary parameter %q comes back as %q", f.text, got)
				}
				echo = pc.ExecParams(ctx, "select $1::"+name, [][]byte{[]byte(f.text)}, []uint32{oid}, []int16{0}, []int16{1}).Read()
				if echo.Err != nil {
					t.Errorf("text parameter %q: %v", f.text, echo.Err)
				} else if got := echo.Rows[0][0]; !bytes.Equal(got, gotBin) {
					t.Errorf("text parameter %q comes back as binary %x, want %x", f.text, got, gotBin)
				}

				if pg == nil {
					continue
				}
				ref := pg.ExecParams(ctx, "select $1::"+name, [][]byte{[]byte(f.text)}, nil, []int16{0}, []int16{0}).Read()
				if ref.Err != nil {
					t.Fatalf("PostgreSQL: %v", ref.Err)
				}
				if got := string(ref.Rows[0][0]); got != f.text {
					t.Errorf("PostgreSQL prints %q as %q: the fixture is wrong", f.text, got)
				}
				ref = pg.ExecParams(ctx, "select $1::"+name, [][]byte{[]byte(f.text)}, nil, []int16{0}, []int16{1}).Read()
				if ref.Err != nil {
					t.Fatalf("PostgreSQL: %v", ref.Err)
				}
				if !bytes.Equal(ref.Rows[0][0], gotBin) {
					t.Errorf("%q in binary: portalsdb sends %x, PostgreSQL %x", f.text, gotBin, ref.Rows[0][0])
				}
			}
		})
	}
}

// TestDriverChoosesFormats runs the same typed query through every pgx
// execution mode: the extended protocol with binary parameters and results,
// with described statements, and the simple protocol with text.
func TestDriverChoosesFormats(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	modes := map[string]pgx.QueryExecMode{
		"CacheStatement": pgx.QueryExecModeCacheStatement,
		"CacheDescribe":  pgx.QueryExecModeCacheDescribe,
		"DescribeExec":   pgx.QueryExecModeDescribeExec,
		"Exec":           pgx.QueryExecModeExec,
		"SimpleProtocol": pgx.QueryExecModeSimpleProtocol,
	}
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			conn := connect(t, addr, mode)
			ctx := testCtx(t)
			var (
				i8  int64
				s   string
				f8  float64
				b   bool
				arr []int32
				n   pgtype.Numeric
				ts  pgtype.Timestamptz
			)
			ts0 := pgtype.Timestamptz{}
			if err := ts0.Scan("2024-06-01 12:00:00Z"); err != nil {
				t.Fatal(err)
			}
			var num pgtype.Numeric
			if err := num.Scan("-12.340"); err != nil {
				t.Fatal(err)
			}
			for round := 0; round < 3; round++ { // the cached modes prepare once, then reuse
				err := conn.QueryRow(ctx, "select $1::int8, $2::text, $3::float8, $4::bool, $5::int4[], $6::numeric, $7::timestamptz",
					int64(-42), "it's", 0.25, true, []int32{1, 2, 3}, num, ts0).Scan(&i8, &s, &f8, &b, &arr, &n, &ts)
				if err != nil {
					t.Fatal(err)
				}
				if i8 != -42 || s != "it's" || f8 != 0.25 || !b || len(arr) != 3 || arr[2] != 3 || !ts.Time.Equal(ts0.Time) {
					t.Fatalf("round %d: got %v %q %v %v %v %v", round, i8, s, f8, b, arr, ts.Time)
				}
				if v, _ := n.Value(); v != "-12.340" {
					t.Fatalf("numeric came back as %v", v)
				}
			}
		})
	}
}
