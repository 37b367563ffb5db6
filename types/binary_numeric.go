package types

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
)

// The sign word of PostgreSQL's binary numeric.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
	// numericMaxDScale is the largest display scale PostgreSQL accepts.
	numericMaxDScale = 0x3FFF
	// numericInfDScale is the display scale PostgreSQL sends with the
	// infinities: an artifact of how it stores them, which clients ignore,
	// copied so that the bytes are the same as PostgreSQL's.
	numericInfDScale = 0x20
)

// AppendNumericBinary writes a numeric given as decimal text (the Arrow form
// of numeric) in PostgreSQL's binary format: ndigits, weight, sign and
// display scale as 16-bit words, then ndigits base-10000 digits, the first
// of which is worth 10000^weight. Leading and trailing zero digits are
// left out; the display scale keeps the trailing zeros of the text.
func AppendNumericBinary(buf []byte, s string) ([]byte, error) {
	switch s {
	case "NaN":
		return appendNumericHeader(buf, 0, 0, numericNaN, 0), nil
	case "Infinity":
		return appendNumericHeader(buf, 0, 0, numericPInf, numericInfDScale), nil
	case "-Infinity":
		return appendNumericHeader(buf, 0, 0, numericNInf, numericInfDScale), nil
	}
	if strings.ContainsAny(s, "eE") {
		// Not in canonical form; let apd write it out plainly first.
		d, _, err := apd.NewFromString(s)
		if err != nil {
			return buf, pgerror.Internalf("invalid numeric value %q", s)
		}
		s = string(AppendNumeric(nil, d))
	}
	sign := uint16(numericPos)
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = numericNeg, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, fracPart, _ := strings.Cut(s, ".")
	if !digitsOnly(intPart) || !digitsOnly(fracPart) || intPart == "" && fracPart == "" {
		return buf, pgerror.Internalf("invalid numeric value %q", s)
	}
	dscale := len(fracPart)
	if dscale > numericMaxDScale {
		return buf, pgerror.Newf(pgerror.NumericValueOutOfRange, "numeric display scale %d is out of range", dscale)
	}
	intPart = strings.TrimLeft(intPart, "0")
	// Align the digits on groups of four around the decimal point.
	lead := (4 - len(intPart)%4) % 4
	trail := (4 - len(fracPart)%4) % 4
	weight := (lead+len(intPart))/4 - 1
	ngroups := (lead + len(intPart) + len(fracPart) + trail) / 4
	groups := make([]uint16, 0, ngroups)
	var g, n int
	emit := func(c byte) {
		g = g*10 + int(c-'0')
		n++
		if n == 4 {
			groups = append(groups, uint16(g))
			g, n = 0, 0
		}
	}
	for range lead {
		emit('0')
	}
	for i := 0; i < len(intPart); i++ {
		emit(intPart[i])
	}
	for i := 0; i < len(fracPart); i++ {
		emit(fracPart[i])
	}
	for range trail {
		emit('0')
	}
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight, sign = 0, numericPos
	}
	if weight > 0x7fff || weight < -0x8000 {
		return buf, pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
	}
	buf = appendNumericHeader(buf, len(groups), weight, sign, dscale)
	for _, d := range groups {
		buf = binary.BigEndian.AppendUint16(buf, d)
	}
	return buf, nil
}

func appendNumericHeader(buf []byte, ndigits, weight int, sign uint16, dscale int) []byte {
	buf = binary.BigEndian.AppendUint16(buf, uint16(ndigits))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	return binary.BigEndian.AppendUint16(buf, uint16(dscale))
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodeNumericBinary reads PostgreSQL's binary numeric.
func decodeNumericBinary(b []byte) (*apd.Decimal, error) {
	t := NumericType
	if len(b) < 8 {
		return nil, badBinary(t, "header too short")
	}
	ndigits := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	b = b[8:]
	if len(b) != 2*ndigits {
		return nil, badBinary(t, "expected %d digits, got %d bytes", ndigits, len(b))
	}
	switch sign {
	case numericNaN:
		return &apd.Decimal{Form: apd.NaN}, nil
	case numericPInf:
		return &apd.Decimal{Form: apd.Infinite}, nil
	case numericNInf:
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	case numericPos, numericNeg:
	default:
		return nil, badBinary(t, "invalid sign")
	}
	if dscale > numericMaxDScale {
		return nil, badBinary(t, "invalid scale")
	}
	digits := make([]int, ndigits)
	for i := range digits {
		d := int(binary.BigEndian.Uint16(b[2*i:]))
		if d >= 10000 {
			return nil, badBinary(t, "invalid digit")
		}
		digits[i] = d
	}
	group := func(i int) int {
		if i >= 0 && i < len(digits) {
			return digits[i]
		}
		return 0
	}
	if intDigits := 4 * max(weight+1, 0); intDigits+dscale <= 18 {
		// The value fits an int64 coefficient: build it from the groups
		// rather than through text (COPY BINARY reads many numerics).
		var coeff int64
		for i := 0; i <= weight; i++ {
			coeff = coeff*10000 + int64(group(i))
		}
		for k, have := 1, 0; have < dscale; k++ {
			take := min(4, dscale-have)
			coeff = coeff*pow10[take] + int64(group(weight+k))/pow10[4-take]
			have += take
		}
		d := apd.New(coeff, -int32(dscale))
		d.Negative = sign == numericNeg
		return d, nil
	}
	var sb strings.Builder
	if sign == numericNeg {
		sb.WriteByte('-')
	}
	if weight < 0 {
		sb.WriteByte('0')
	} else {
		// Digit i is worth 10000^(weight-i).
		sb.WriteString(strconv.Itoa(group(0)))
		for i := 1; i <= weight; i++ {
			writeGroup(&sb, group(i))
		}
	}
	if dscale > 0 {
		sb.WriteByte('.')
		var frac strings.Builder
		for k := 1; frac.Len() < dscale; k++ {
			writeGroup(&frac, group(weight+k))
		}
		sb.WriteString(frac.String()[:dscale])
	}
	d, _, err := apd.NewFromString(sb.String())
	if err != nil {
		return nil, badBinary(t, "%v", err)
	}
	return d, nil
}

var pow10 = [5]int64{1, 10, 100, 1000, 10000}

func writeGroup(sb *strings.Builder, g int) {
	s := strconv.Itoa(g)
	for range 4 - len(s) {
		sb.WriteByte('0')
	}
	sb.WriteString(s)
}
