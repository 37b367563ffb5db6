package rowcodec

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
	enc := codec.row.NewBatchEncoder(cols)
	for i, row := range rows {
		want, err := codec.row.Encode(nil, row)
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
