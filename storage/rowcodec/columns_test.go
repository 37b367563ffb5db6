package rowcodec

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/types"
)

// randomColumns builds one Arrow column per type of n random values, a
// fifth of them NULL, and returns the rows as datums too.
func randomColumns(r *rand.Rand, ts []types.T, n int) ([]arrow.Array, [][]types.Datum) {
	rows := make([][]types.Datum, n)
	cols := make([]arrow.Array, len(ts))
	for c, t := range ts {
		b := array.NewBuilder(types.Allocator, t.ArrowType())
		for i := 0; i < n; i++ {
			if c == 0 {
				rows[i] = make([]types.Datum, len(ts))
			}
			var d types.Datum
			if r.IntN(5) > 0 {
				d = randDatum(r, t)
			}
			types.AppendDatum(b, t, d)
			// Read back what the column holds (float4 rounds, char pads).
			rows[i][c] = d
		}
		cols[c] = b.NewArray()
		for i := 0; i < n; i++ {
			rows[i][c] = types.DatumAt(t, cols[c], i)
		}
	}
	return cols, rows
}

// The columnar encodings give the same bytes as the Datum ones, for every
// storable type, NULLs included.
func TestColumnarEncodingsMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	ts := keyTypes
	cols, rows := randomColumns(r, ts, 500)
	for c, typ := range ts {
		for i, row := range rows {
			want, err := AppendKey([]byte{9}, typ, row[c], false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := AppendKeyAt([]byte{9}, typ, cols[c], i)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s row %d (%v): key %x, want %x", typ, i, row[c], got, want)
			}
		}
	}
	codec, err := NewChangeCodec(ts)
	if err != nil {
		t.Fatal(err)
	}
	sameValueEncodings(t, codec.row, cols, rows)
	diffs := make([]int8, len(rows))
	for i := range diffs {
		diffs[i] = int8(1 - 2*r.IntN(2))
	}
	want, err := codec.Encode(nil, rows, diffs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := codec.EncodeBatch(nil, cols, len(rows), diffs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d chunks, want %d", len(got), len(want))
	}
	for k := range got {
		if !bytes.Equal(got[k], want[k]) {
			t.Fatalf("chunk %d differs", k)
		}
	}
}

// bidLike returns columns shaped like Nexmark bids.
func bidLike(n int) ([]types.T, []arrow.Array) {
	ts := []types.T{types.Int8Type, types.Int8Type, types.Int8Type, types.TextType, types.TextType, types.TimestampType, types.TextType}
	r := rand.New(rand.NewPCG(1, 2))
	cols := make([]arrow.Array, len(ts))
	for c, t := range ts {
		b := array.NewBuilder(types.Allocator, t.ArrowType())
		for i := 0; i < n; i++ {
			switch t.Kind {
			case types.Int8:
				b.(*array.Int64Builder).Append(r.Int64N(1 << 30))
			case types.Timestamp:
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(1704067200000000 + int64(i)*100))
			default:
				b.(*array.StringBuilder).Append("https://www.nexmark.com/abc/def/ghi/item.htm?query=1&channel_id=1234567")
			}
		}
		cols[c] = b.NewArray()
	}
	return ts, cols
}

func BenchmarkEncodeBatch(b *testing.B) {
	ts, cols := bidLike(10000)
	codec, _ := NewChangeCodec(ts)
	diffs := make([]int8, 10000)
	for i := range diffs {
		diffs[i] = 1
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := codec.EncodeBatch(nil, cols, 10000, diffs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "rows/s")
}

// TestNumericTextStoredAsIs: a numeric column's Arrow text is stored as it
// is only when it is the canonical text (what storing the parsed value
// writes); any other spelling is parsed and written out again.
func TestNumericTextStoredAsIs(t *testing.T) {
	texts := []string{"0", "1.50", "-12.345", "NaN", "Infinity", "-Infinity", "123456789012345678901234567890.1",
		"-0", "-0.00", "007", "+5", "1e3", "1.2E-2", "0.000", "-0.010", "10"}
	b := array.NewStringBuilder(types.Allocator)
	for _, s := range texts {
		b.Append(s)
	}
	col := b.NewArray()
	ts := []types.T{types.NumericType}
	codec, err := NewRowCodec([]Column{{ID: 1, Type: types.NumericType}})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]types.Datum, len(texts))
	for i := range texts {
		rows[i] = []types.Datum{types.DatumAt(ts[0], col, i)}
	}
	sameValueEncodings(t, codec, []arrow.Array{col}, rows)
	for i, s := range texts {
		d := rows[i][0]
		canonical := string(types.AppendNumeric(nil, d.(*apd.Decimal))) == s
		if canonicalNumericText(s) != canonical {
			t.Errorf("canonicalNumericText(%q) = %v, but AppendNumeric gives it back: %v", s, !canonical, canonical)
		}
	}
}

// sameValueEncodings checks that encoding each row from its columns gives
// the bytes of encoding its datums.
func sameValueEncodings(t *testing.T, codec *RowCodec, cols []arrow.Array, rows [][]types.Datum) {
	t.Helper()
	enc := codec.NewBatchEncoder(cols)
	for i, row := range rows {
		want, err := codec.Encode(nil, row)
		if err != nil {
			t.Fatal(err)
		}
		got, err := enc.AppendRow(nil, i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("row %d: value %x, want %x", i, got, want)
		}
	}
}
