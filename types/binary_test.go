package types

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
)

// randomDecimal returns a decimal in canonical text: a sign, up to 40
// integer digits (no leading zeros), up to 30 fraction digits.
func randomDecimal(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('-')
	}
	intDigits := r.IntN(41)
	if intDigits == 0 {
		b.WriteByte('0')
	}
	for i := 0; i < intDigits; i++ {
		d := byte('0' + r.IntN(10))
		if i == 0 && d == '0' {
			d = '1'
		}
		b.WriteByte(d)
	}
	if frac := r.IntN(31); frac > 0 {
		b.WriteByte('.')
		for i := 0; i < frac; i++ {
			// Runs of zeros exercise the base-10000 grouping.
			if r.IntN(3) == 0 {
				b.WriteByte('0')
			} else {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
		}
	}
	return b.String()
}

func TestNumericBinaryRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, uint64(len(t.Name()))))
	for i := 0; i < 5000; i++ {
		s := randomDecimal(r)
		buf, err := AppendNumericBinary(nil, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		d, err := decodeNumericBinary(buf)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", s, buf, err)
		}
		want, _, _ := apd.NewFromString(s)
		if got := string(AppendNumeric(nil, d)); got != string(AppendNumeric(nil, want)) {
			t.Fatalf("%s -> %x -> %s", s, buf, got)
		}
	}
}

// TestNumericBinarySmallValues covers values of at most 18 digits, which
// decode without going through text.
func TestNumericBinarySmallValues(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := []string{"0", "-0", "0.00", "-0.000", "1", "-1", "9999", "10000", "0.0001", "0.00001", "-0.5",
		"123456789012345678", "0.123456789012345678", "12345678.9012345678", "99999999999999.9999", "1.50"}
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteByte('-')
		}
		intDigits, frac := r.IntN(10), r.IntN(10)
		b.WriteByte(byte('1' + r.IntN(9)))
		for j := 1; j < intDigits; j++ {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		if frac > 0 {
			b.WriteByte('.')
			for j := 0; j < frac; j++ {
				if r.IntN(3) == 0 {
					b.WriteByte('0')
				} else {
					b.WriteByte(byte('0' + r.IntN(10)))
				}
			}
		}
		cases = append(cases, b.String(), "0."+strings.Repeat("0", r.IntN(8))+strings.NewReplacer("-", "", ".", "").Replace(b.String()))
	}
	for _, s := range cases {
		buf, err := AppendNumericBinary(nil, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		d, err := decodeNumericBinary(buf)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", s, buf, err)
		}
		want, _, _ := apd.NewFromString(s)
		if got, w := string(AppendNumeric(nil, d)), string(AppendNumeric(nil, want)); got != w {
			t.Fatalf("%s -> %x -> %s, want %s", s, buf, got, w)
		}
	}
}

func TestNumericBinaryLayout(t *testing.T) {
	// Words: ndigits, weight, sign, dscale, then base-10000 digits.
	cases := map[string][]uint16{
		"0":          {0, 0, 0, 0},
		"0.00":       {0, 0, 0, 2},
		"-0.0":       {0, 0, 0, 1},
		"1":          {1, 0, 0, 0, 1},
		"10000":      {1, 1, 0, 0, 1},
		"12345.678":  {3, 1, 0, 3, 1, 2345, 6780},
		"-0.0001":    {1, 0xffff, 0x4000, 4, 1},
		"0.00000001": {1, 0xfffe, 0, 8, 1},
		"NaN":        {0, 0, 0xC000, 0},
	}
	for s, words := range cases {
		buf, err := AppendNumericBinary(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		for _, w := range words {
			want = append(want, byte(w>>8), byte(w))
		}
		if string(buf) != string(want) {
			t.Errorf("%s: %x, want %x", s, buf, want)
		}
	}
}

func TestDecodeBinaryRejects(t *testing.T) {
	cases := []struct {
		typ  T
		data []byte
		code pgerror.Code
	}{
		{Int4Type, []byte{1, 2, 3}, pgerror.InvalidBinaryRepresentation},
		{Int8Type, []byte{1, 2, 3, 4}, pgerror.InvalidBinaryRepresentation},
		{BoolType, nil, pgerror.InvalidBinaryRepresentation},
		{TimeType, []byte{0xff, 0, 0, 0, 0, 0, 0, 0}, pgerror.InvalidDatetimeFormat},
		{TextType, []byte{0xc3, 0x28}, pgerror.CharacterNotInRepertoire},
		{JSONBType, []byte("{}"), pgerror.InvalidBinaryRepresentation},
		{NumericType, []byte{0, 1, 0, 0, 0, 0, 0, 0}, pgerror.InvalidBinaryRepresentation},             // digit missing
		{NumericType, []byte{0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10}, pgerror.InvalidBinaryRepresentation}, // digit 10000
		{NumericType, []byte{0, 0, 0, 0, 0x12, 0x34, 0, 0}, pgerror.InvalidBinaryRepresentation},       // sign
		// int4[] holding int8 elements
		{ArrayOf(Int4), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}, pgerror.DatatypeMismatch},
		// two dimensions
		{ArrayOf(Int4), []byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, pgerror.FeatureNotSupported},
		// length past the end
		{ArrayOf(Int4), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1}, pgerror.InvalidBinaryRepresentation},
		// trailing bytes
		{ArrayOf(Int4), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 1}, pgerror.InvalidBinaryRepresentation},
	}
	for _, c := range cases {
		if _, err := DecodeBinary(c.typ, c.data); pgerror.CodeOf(err) != c.code {
			t.Errorf("%s %x: err %v, want %s", c.typ, c.data, err, c.code)
		}
	}
}
