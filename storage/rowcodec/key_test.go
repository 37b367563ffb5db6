package rowcodec

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/types"
)

// randDatum returns a random value of type t from a small domain, so that
// equal values and near neighbours are common.
func randDatum(r *rand.Rand, t types.T) types.Datum {
	switch t.Kind {
	case types.Bool:
		return r.IntN(2) == 0
	case types.Int2, types.Int4, types.Int8, types.Oid:
		edges := []int64{0, 1, -1, 255, 256, -256, -257, 65535, 65536, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
		v := r.Int64N(1<<uint(r.IntN(63))) * int64(1-2*r.IntN(2))
		if r.IntN(2) == 0 {
			v = edges[r.IntN(len(edges))]
		}
		switch t.Kind { // stay within the type's range
		case types.Int2:
			v = int64(int16(v))
		case types.Int4:
			v = int64(int32(v))
		}
		return v
	case types.Float4, types.Float8:
		edges := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1, -1, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}
		if r.IntN(3) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(20)-10))
	case types.Numeric:
		switch r.IntN(12) {
		case 0:
			return &apd.Decimal{Form: apd.NaN}
		case 1:
			return &apd.Decimal{Form: apd.Infinite}
		case 2:
			return &apd.Decimal{Form: apd.Infinite, Negative: true}
		}
		d := apd.New(r.Int64N(2000)-1000, int32(r.IntN(7)-3))
		if r.IntN(4) == 0 { // a big coefficient
			d.Coeff.SetString("123456789012345678901234567890", 10)
			d.Negative = r.IntN(2) == 0
		}
		// Rescale: the same value with trailing zeros (1.0 vs 1.00).
		for range r.IntN(3) {
			d.Coeff.Mul(&d.Coeff, apd.NewBigInt(10))
			d.Exponent--
		}
		if d.Coeff.Sign() == 0 && r.IntN(2) == 0 {
			d.Negative = true // -0
		}
		return d
	case types.Text, types.Varchar, types.Name, types.Bytea:
		alpha := []byte{0, 1, 'a', 'b', 0xff}
		b := make([]byte, r.IntN(5))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		if t.Kind == types.Bytea {
			return b
		}
		return string(b)
	case types.Char:
		alpha := []byte{' ', 'a', 'b', 0}
		b := make([]byte, r.IntN(5))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	case types.Date:
		edges := []types.DateValue{types.DateInfinity, types.DateNegInfinity, 0, -1}
		if r.IntN(3) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return types.DateValue(r.Int32N(200000) - 100000)
	case types.Time:
		return types.TimeOfDay(r.Int64N(types.MicrosPerDay))
	case types.Timestamp, types.TimestampTZ:
		edges := []types.TimestampValue{types.TimestampInfinity, types.TimestampNegInfinity, 0}
		if r.IntN(3) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return types.TimestampValue(r.Int64N(1<<50) - 1<<49)
	case types.Interval:
		// Small components, so that 1 month = 30 days and 1 day = 24 hours
		// collide often; sometimes the extremes.
		if r.IntN(8) == 0 {
			return types.IntervalValue{Months: math.MaxInt32 * int32(1-2*r.IntN(2)), Days: r.Int32N(3), Micros: math.MaxInt64 * int64(1-2*r.IntN(2))}
		}
		return types.IntervalValue{
			Months: r.Int32N(5) - 2,
			Days:   (r.Int32N(5) - 2) * 30,
			Micros: (r.Int64N(5) - 2) * types.MicrosPerDay * int64(1+29*r.IntN(2)),
		}
	case types.UUID:
		var u types.UUIDValue
		for i := range u {
			u[i] = []byte{0, 0x7f, 0xff}[r.IntN(3)]
		}
		return u
	case types.Array:
		n := r.IntN(4)
		out := make([]types.Datum, n)
		for i := range out {
			if r.IntN(4) > 0 {
				out[i] = randDatum(r, t.ElemType())
			}
		}
		return out
	}
	panic("randDatum: no generator for " + t.String())
}

var keyTypes = []types.T{
	types.BoolType, types.Int2Type, types.Int4Type, types.Int8Type, types.OidType,
	types.Float4Type, types.Float8Type, types.NumericType,
	types.TextType, types.VarcharType, types.NameType, types.CharN(4), types.ByteaType,
	types.DateType, types.TimeType, types.TimestampType, types.TimestampTZType,
	types.IntervalType, types.UUIDType, types.ArrayOf(types.Int8), types.ArrayOf(types.Text),
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// compareWithNulls is types.Compare with NULL last.
func compareWithNulls(t types.T, a, b types.Datum) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return types.Compare(t, a, b)
}

func mustKey(t *testing.T, typ types.T, d types.Datum, desc bool) []byte {
	t.Helper()
	k, err := AppendKey(nil, typ, d, desc)
	if err != nil {
		t.Fatalf("AppendKey(%s, %v): %v", typ, d, err)
	}
	return k
}

// TestKeyOrderMatchesCompare is the property test of the key encoding: for
// random pairs, the byte order of the encodings is the SQL order, both
// directions, NULL included; equal values encode identically; and no
// encoding is a proper prefix of another.
func TestKeyOrderMatchesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, typ := range keyTypes {
		for range 3000 {
			var a, b types.Datum
			if r.IntN(20) > 0 {
				a = randDatum(r, typ)
			}
			if r.IntN(20) > 0 {
				b = randDatum(r, typ)
			}
			want := compareWithNulls(typ, a, b)
			ka, kb := mustKey(t, typ, a, false), mustKey(t, typ, b, false)
			if got := sign(bytes.Compare(ka, kb)); got != want {
				t.Fatalf("%s: compare(%v, %v) = %d, keys %x %x compare %d", typ, a, b, want, ka, kb, got)
			}
			if want != 0 && (bytes.HasPrefix(ka, kb) || bytes.HasPrefix(kb, ka)) {
				t.Fatalf("%s: key %x and %x: one is a prefix of the other", typ, ka, kb)
			}
			da, db := mustKey(t, typ, a, true), mustKey(t, typ, b, true)
			if got := sign(bytes.Compare(da, db)); got != -want {
				t.Fatalf("%s DESC: compare(%v, %v) = %d, keys compare %d", typ, a, b, want, got)
			}
		}
	}
}

// TestCompositeKeys checks that concatenated encodings compare column by
// column, with mixed directions.
func TestCompositeKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cols := []types.T{types.TextType, types.NumericType, types.Int8Type}
	desc := []bool{false, true, false}
	row := func() []types.Datum {
		out := make([]types.Datum, len(cols))
		for i, c := range cols {
			if r.IntN(8) > 0 {
				out[i] = randDatum(r, c)
			}
		}
		return out
	}
	enc := func(row []types.Datum) []byte {
		var k []byte
		for i, c := range cols {
			k = append(k, mustKey(t, c, row[i], desc[i])...)
		}
		return k
	}
	for range 5000 {
		a, b := row(), row()
		want := 0
		for i, c := range cols {
			if cmp := compareWithNulls(c, a[i], b[i]); cmp != 0 {
				want = cmp
				if desc[i] {
					want = -cmp
				}
				break
			}
		}
		if got := sign(bytes.Compare(enc(a), enc(b))); got != want {
			t.Fatalf("rows %v and %v: want %d, keys compare %d", a, b, want, got)
		}
	}
}

func TestKeyEqualValuesIdentical(t *testing.T) {
	same := []struct {
		t    types.T
		a, b types.Datum
	}{
		{types.NumericType, apd.New(1, 0), apd.New(100, -2)},
		{types.NumericType, apd.New(0, 5), &apd.Decimal{Negative: true}},
		{types.NumericType, &apd.Decimal{Form: apd.NaN}, &apd.Decimal{Form: apd.NaNSignaling}},
		{types.Float8Type, 0.0, math.Copysign(0, -1)},
		{types.Float8Type, math.NaN(), -math.NaN()},
		{types.CharN(5), "ab", "ab   "},
		{types.IntervalType, types.IntervalValue{Months: 1}, types.IntervalValue{Days: 30}},
		{types.IntervalType, types.IntervalValue{Days: 1}, types.IntervalValue{Micros: types.MicrosPerDay}},
	}
	for _, c := range same {
		if ka, kb := mustKey(t, c.t, c.a, false), mustKey(t, c.t, c.b, false); !bytes.Equal(ka, kb) {
			t.Errorf("%s: %v and %v encode as %x and %x", c.t, c.a, c.b, ka, kb)
		}
	}
}

func TestKeyErrors(t *testing.T) {
	if _, err := AppendKey(nil, types.Int8Type, "not an int", false); err == nil {
		t.Error("a string accepted as int8")
	}
	if _, err := AppendKey(nil, types.RecordType, "x", false); err == nil {
		t.Error("a record accepted in a key")
	}
	// A failed encoding leaves dst as it was.
	dst := []byte{9}
	if out, _ := AppendKey(dst, types.Int8Type, 1.5, false); !bytes.Equal(out, []byte{9}) {
		t.Errorf("dst after a failed encoding = %x", out)
	}
}
