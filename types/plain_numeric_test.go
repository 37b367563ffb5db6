package types

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// TestPlainNumericMatchesApd: the fast reader of plain numerics builds
// exactly the decimal apd's general parser builds (coefficient, exponent
// and sign, so that 1.50 keeps its scale and -0 its sign), and declines
// every form it does not handle.
func TestPlainNumericMatchesApd(t *testing.T) {
	inputs := []string{"0", "-0", "+0", "0.0", "1", "-1", "1.50", "007", "0.001", "-12.3400",
		"999999999999999999", "-999999999999999999", "99999999999999999.9", "0.000000000000000001",
		"1000000000000000000", "12345678901234567.89", "9223372036854775807"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var sb strings.Builder
		if rng.IntN(3) == 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10))
		if rng.IntN(2) == 0 {
			sb.WriteByte('.')
			for range 1 + rng.IntN(12) {
				sb.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		inputs = append(inputs, sb.String())
	}
	handled := 0
	for _, s := range inputs {
		want, _, err := apd.NewFromString(s)
		if err != nil {
			t.Fatalf("apd cannot read %q: %v", s, err)
		}
		got, ok := plainNumeric(s)
		if !ok {
			continue
		}
		handled++
		if got.Coeff.Cmp(&want.Coeff) != 0 || got.Exponent != want.Exponent || got.Negative != want.Negative || got.Form != want.Form {
			t.Errorf("plainNumeric(%q) = %s (exp %d, neg %v); apd reads %s (exp %d, neg %v)",
				s, got, got.Exponent, got.Negative, want, want.Exponent, want.Negative)
		}
	}
	if handled < len(inputs)/2 {
		t.Errorf("plainNumeric handled only %d of %d plain inputs", handled, len(inputs))
	}
	for _, s := range []string{"", "-", ".5", "5.", "1e3", "1.2.3", "NaN", " 1", "1 ", "0x10", "1_000", "1234567890123456789"} {
		if d, ok := plainNumeric(s); ok {
			t.Errorf("plainNumeric(%q) = %s; want it declined", s, d)
		}
	}
}

// TestAppendNumericSmallMatchesApd: the fast writer of numerics with a
// uint64 coefficient writes what apd's plain format writes.
func TestAppendNumericSmallMatchesApd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(coeff uint64, exp int32, neg bool) {
		var d apd.Decimal
		d.Coeff.SetUint64(coeff)
		d.Exponent, d.Negative = exp, neg
		if d.IsZero() {
			d.Negative = false
		}
		got := string(AppendNumeric(nil, &d))
		want := string(d.Append(nil, 'f'))
		if got != want {
			t.Errorf("AppendNumeric(%d e%d neg %v) = %q; apd writes %q", coeff, exp, neg, got, want)
		}
	}
	for _, c := range []uint64{0, 1, 9, 10, 150, 99999, 1<<64 - 1, 10000000000000000000} {
		for exp := int32(-22); exp <= 0; exp++ {
			check(c, exp, false)
			check(c, exp, true)
		}
	}
	for range 5000 {
		check(rng.Uint64()>>rng.IntN(64), -int32(rng.IntN(24)), rng.IntN(2) == 0)
	}
}

// TestCoerceNumericAtScale: a value already at numeric(p,s)'s scale takes
// a shortcut; it must accept and refuse exactly what rounding to the
// scale accepts and refuses.
func TestCoerceNumericAtScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		p := int32(1 + rng.IntN(20))
		s := int32(rng.IntN(int(p) + 1))
		typ := T{Kind: Numeric, Mod: p<<16 | s}
		var d apd.Decimal
		d.Coeff.SetUint64(rng.Uint64() >> rng.IntN(64))
		d.Exponent, d.Negative = -s, rng.IntN(2) == 0
		got, gotErr := CoerceNumeric(&d, typ)
		// The reference: round to the scale, then count digits.
		var q apd.Decimal
		_, qerr := NumericContext.Quantize(&q, &d, -s)
		digits := int32(q.NumDigits())
		if q.IsZero() {
			digits = 0
		}
		wantErr := qerr != nil || digits > p
		if (gotErr != nil) != wantErr {
			t.Fatalf("CoerceNumeric(%s, numeric(%d,%d)): error %v, want error %v", &d, p, s, gotErr, wantErr)
		}
		if gotErr == nil && (got.Cmp(&q) != 0 || got.Exponent != q.Exponent) {
			t.Fatalf("CoerceNumeric(%s, numeric(%d,%d)) = %s, want %s", &d, p, s, got, &q)
		}
	}
}
