package pgwire

import (
	"context"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"

	"portalsdb/types"
)

// BenchmarkPreparedRoundTrip measures round trips of a trivial prepared
// query through pgx (Bind, Execute, Sync with a binary int8 parameter and
// result): against this server with a fake engine that answers at once,
// and, with PORTALSDB_TEST_PG_DSN set, against a real PostgreSQL.
//
//	go test ./pgwire -run '^$' -bench PreparedRoundTrip
func BenchmarkPreparedRoundTrip(b *testing.B) {
	loop := func(b *testing.B, conn *pgx.Conn) {
		ctx := context.Background()
		var v int64
		if err := conn.QueryRow(ctx, "select $1::int8", int64(1)).Scan(&v); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := conn.QueryRow(ctx, "select $1::int8", int64(i)).Scan(&v); err != nil {
				b.Fatal(err)
			}
			if v != int64(i) {
				b.Fatalf("got %d, want %d", v, i)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
	}
	b.Run("portalsdb", func(b *testing.B) {
		_, addr := startServer(b, Config{}, newFakeEngine())
		loop(b, connect(b, addr, pgx.QueryExecModeCacheStatement))
	})
	b.Run("postgres", func(b *testing.B) {
		dsn := os.Getenv("PORTALSDB_TEST_PG_DSN")
		if dsn == "" {
			b.Skip("PORTALSDB_TEST_PG_DSN is not set")
		}
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			b.Fatal(err)
		}
		cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
		conn, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(context.Background())
		loop(b, conn)
	})
}

// BenchmarkEncodeRows measures DataRow encoding straight from Arrow
// batches: 1024 rows of (int8, text, float8, bool), in text and binary.
func BenchmarkEncodeRows(b *testing.B) {
	const n = 1024
	cols := []Column{{Name: "i", Type: types.Int8Type}, {Name: "s", Type: types.TextType},
		{Name: "f", Type: types.Float8Type}, {Name: "b", Type: types.BoolType}}
	ints, strs, floats, bools := make([]types.Datum, n), make([]types.Datum, n), make([]types.Datum, n), make([]types.Datum, n)
	for i := range n {
		ints[i], strs[i], floats[i], bools[i] = int64(i*7919), "row label", float64(i)/3, i%2 == 0
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
	}
	batch := array.NewRecordBatch(arrow.NewSchema(fields, nil), []arrow.Array{
		types.ArrayFromDatums(cols[0].Type, ints), types.ArrayFromDatums(cols[1].Type, strs),
		types.ArrayFromDatums(cols[2].Type, floats), types.ArrayFromDatums(cols[3].Type, bools),
	}, n)
	for _, format := range []struct {
		name string
		code int16
	}{{"text", textFormat}, {"binary", binaryFormat}} {
		b.Run(format.name, func(b *testing.B) {
			c := &conn{}
			formats := []int16{format.code, format.code, format.code, format.code}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w, err := bindFieldWriters(nil, cols, formats, batch, &types.Env{})
				if err != nil {
					b.Fatal(err)
				}
				c.out = c.out[:0]
				for row := 0; row < n; row++ {
					if err := c.appendDataRow(w, row); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
