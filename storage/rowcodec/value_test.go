package rowcodec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

var valueTypes = append(append([]types.T{}, keyTypes...), types.JSONBType, types.ArrayOf(types.Float8))

// sameDatum reports whether a and b are the same stored value: equal under
// types.Compare, and for numerics the same text (scale included).
func sameDatum(t types.T, a, b types.Datum) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if t.Kind == types.Numeric {
		return string(types.AppendNumeric(nil, a.(*apd.Decimal))) == string(types.AppendNumeric(nil, b.(*apd.Decimal)))
	}
	if t.IsFloat() {
		x, y := a.(float64), b.(float64)
		if t.Kind == types.Float4 {
			x = float64(float32(x))
		}
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	}
	if t.Kind == types.Char {
		return a.(string) == b.(string)
	}
	if t.Kind == types.Array && t.Elem == types.Float8 {
		x, y := a.([]types.Datum), b.([]types.Datum)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameDatum(t.ElemType(), x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return types.Compare(t, a, b) == 0
}

func randRow(r *rand.Rand, cols []Column) []types.Datum {
	row := make([]types.Datum, len(cols))
	for i, c := range cols {
		if r.IntN(5) > 0 {
			row[i] = randDatum(r, c.Type)
		}
	}
	return row
}

func allColumns() []Column {
	cols := make([]Column, len(valueTypes))
	for i, typ := range valueTypes {
		if typ.Kind == types.JSONB {
			typ = types.TextType // randDatum has no JSON generator; same storage
		}
		// Ids out of order and sparse, as after ALTER TABLE.
		cols[i] = Column{ID: uint32(3*len(valueTypes) - 2*i), Type: typ}
	}
	return cols
}

func TestRowRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cols := allColumns()
	codec, err := NewRowCodec(cols)
	if err != nil {
		t.Fatal(err)
	}
	// Arrow: project every column in reverse order, one of them twice.
	var proj []Column
	var builders []array.Builder
	for i := len(cols) - 1; i >= 0; i-- {
		proj = append(proj, cols[i])
	}
	proj = append(proj, cols[3])
	for _, c := range proj {
		builders = append(builders, array.NewBuilder(types.Allocator, c.Type.ArrowType()))
	}
	dec, err := NewDecoder(proj, builders)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]types.Datum
	out := make([]types.Datum, len(cols))
	for range 500 {
		row := randRow(r, cols)
		enc, err := codec.Encode(nil, row)
		if err != nil {
			t.Fatal(err)
		}
		if err := codec.Decode(enc, out); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			if !sameDatum(c.Type, row[i], out[i]) {
				t.Fatalf("column %d (%s): wrote %v, read %v", i, c.Type, row[i], out[i])
			}
		}
		if err := dec.AppendRow(enc); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	for j, b := range builders {
		arr := b.NewArray()
		if arr.Len() != len(rows) {
			t.Fatalf("builder %d has %d values for %d rows", j, arr.Len(), len(rows))
		}
		col := proj[j]
		ord := len(cols) - 1 - j
		if j == len(cols) {
			ord = 3
		}
		for i, row := range rows {
			got := types.DatumAt(col.Type, arr, i)
			want := row[ord]
			if col.Type.Kind == types.Interval && want != nil {
				// Arrow holds nanoseconds; the extreme test values overflow them.
				iv := want.(types.IntervalValue)
				if iv.Micros > math.MaxInt64/1000 || iv.Micros < math.MinInt64/1000 {
					continue
				}
			}
			if !sameDatum(col.Type, want, got) {
				t.Fatalf("arrow column %d (%s) row %d: wrote %v, read %v", j, col.Type, i, want, got)
			}
		}
	}
}

func TestRowSchemaChanges(t *testing.T) {
	old, _ := NewRowCodec([]Column{{1, types.Int8Type}, {2, types.TextType}, {3, types.Float8Type}})
	enc, err := old.Encode(nil, []types.Datum{int64(7), "dropped", 2.5})
	if err != nil {
		t.Fatal(err)
	}
	// Column 2 dropped, column 4 added.
	cur, _ := NewRowCodec([]Column{{4, types.TextType}, {1, types.Int8Type}, {3, types.Float8Type}})
	out := make([]types.Datum, 3)
	if err := cur.Decode(enc, out); err != nil {
		t.Fatal(err)
	}
	if out[0] != nil || out[1] != int64(7) || out[2] != 2.5 {
		t.Fatalf("decoded %v, want [NULL 7 2.5]", out)
	}
	b := array.NewBuilder(types.Allocator, types.TextType.ArrowType())
	dec, err := NewDecoder([]Column{{4, types.TextType}}, []array.Builder{b})
	if err != nil {
		t.Fatal(err)
	}
	if err := dec.AppendRow(enc); err != nil {
		t.Fatal(err)
	}
	if arr := b.NewArray(); arr.Len() != 1 || !arr.IsNull(0) {
		t.Fatalf("added column reads %v, want NULL", arr)
	}
}

// TestRowCorruptionIsAnError feeds truncated and mangled values to both
// decoders: they must return XX001 or succeed, never panic.
func TestRowCorruptionIsAnError(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cols := allColumns()
	codec, _ := NewRowCodec(cols)
	builders := make([]array.Builder, len(cols))
	for i, c := range cols {
		builders[i] = array.NewBuilder(types.Allocator, c.Type.ArrowType())
	}
	dec, _ := NewDecoder(cols, builders)
	out := make([]types.Datum, len(cols))
	errs := 0
	for range 3000 {
		enc, _ := codec.Encode(nil, randRow(r, cols))
		if len(enc) == 0 {
			continue
		}
		bad := append([]byte(nil), enc...)
		if r.IntN(2) == 0 {
			bad = bad[:r.IntN(len(bad))]
		} else {
			for range 1 + r.IntN(3) {
				bad[r.IntN(len(bad))] = byte(r.IntN(256))
			}
		}
		for _, err := range []error{codec.Decode(bad, out), dec.AppendRow(bad)} {
			if err != nil {
				errs++
				if pgerror.CodeOf(err) != pgerror.DataCorrupted {
					t.Fatalf("error %v has code %s, want XX001", err, pgerror.CodeOf(err))
				}
			}
		}
	}
	if errs == 0 {
		t.Fatal("no mangled value was detected")
	}
}

func TestRowEncodeErrors(t *testing.T) {
	if _, err := NewRowCodec([]Column{{1, types.Int8Type}, {1, types.TextType}}); err == nil {
		t.Error("duplicate column ids accepted")
	}
	c, _ := NewRowCodec([]Column{{1, types.Int8Type}})
	if _, err := c.Encode(nil, []types.Datum{"x"}); err == nil {
		t.Error("a string stored as int8")
	}
	if _, err := c.Encode(nil, nil); err == nil {
		t.Error("a row of the wrong width encoded")
	}
}
