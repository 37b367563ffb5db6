package rowcodec

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// TestRowDecoderMatchesDecoder decodes random rows of every stored type
// with both decoders and checks that the one-row arrays equal the
// builders' arrays, value for value and type for type; columns are
// projected in reverse order, one twice (the slab must make room), and
// one the rows do not hold.
func TestRowDecoderMatchesDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	cols := allColumns()
	codec, err := NewRowCodec(cols)
	if err != nil {
		t.Fatal(err)
	}
	var proj []Column
	for i := len(cols) - 1; i >= 0; i-- {
		proj = append(proj, cols[i])
	}
	for _, c := range cols {
		if c.Type.Kind == types.Text {
			proj = append(proj, c) // a variable-width column twice
			break
		}
	}
	proj = append(proj, Column{ID: 1000, Type: types.Int8Type}) // never written
	builders := make([]array.Builder, len(proj))
	for i, c := range proj {
		builders[i] = array.NewBuilder(types.Allocator, c.Type.ArrowType())
	}
	dec, err := NewDecoder(proj, builders)
	if err != nil {
		t.Fatal(err)
	}
	one, err := NewRowDecoder(proj)
	if err != nil {
		t.Fatal(err)
	}
	for n := range 500 {
		row := randRow(r, cols)
		enc, err := codec.Encode(nil, row)
		if err != nil {
			t.Fatal(err)
		}
		if err := dec.AppendRow(enc); err != nil {
			t.Fatal(err)
		}
		got, err := one.Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		// Scribble over the value: the arrays must not share its memory.
		for i := range enc {
			enc[i] ^= 0x5a
		}
		if len(got) != len(proj) {
			t.Fatalf("%d arrays for %d columns", len(got), len(proj))
		}
		for j, c := range proj {
			want := builders[j].NewArray()
			if !arrow.TypeEqual(got[j].DataType(), want.DataType()) || got[j].Len() != 1 {
				t.Fatalf("row %d column %d (%s): array of %s and %d rows, want %s and 1", n, j, c.Type, got[j].DataType(), got[j].Len(), want.DataType())
			}
			if !array.ApproxEqual(got[j], want, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
				t.Fatalf("row %d column %d (%s): %v, want %v", n, j, c.Type, got[j], want)
			}
			if g, w := types.DatumAt(c.Type, got[j], 0), types.DatumAt(c.Type, want, 0); !sameDatum(c.Type, g, w) {
				t.Fatalf("row %d column %d (%s): datum %v, want %v", n, j, c.Type, g, w)
			}
		}
	}
}

// TestRowDecoderCorruptionIsAnError feeds it mangled values: XX001 or a
// result, never a panic.
func TestRowDecoderCorruptionIsAnError(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cols := allColumns()
	codec, _ := NewRowCodec(cols)
	one, err := NewRowDecoder(cols)
	if err != nil {
		t.Fatal(err)
	}
	errs := 0
	for range 3000 {
		enc, _ := codec.Encode(nil, randRow(r, cols))
		if len(enc) == 0 {
			continue
		}
		if r.IntN(2) == 0 {
			enc = enc[:r.IntN(len(enc))]
		} else {
			for range 1 + r.IntN(3) {
				enc[r.IntN(len(enc))] = byte(r.IntN(256))
			}
		}
		if _, err := one.Decode(enc); err != nil {
			errs++
			if pgerror.CodeOf(err) != pgerror.DataCorrupted {
				t.Fatalf("error %v has code %s, want XX001", err, pgerror.CodeOf(err))
			}
		}
	}
	if errs == 0 {
		t.Fatal("no mangled value was reported as corrupted")
	}
}
