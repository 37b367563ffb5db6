package auth

import (
	"strings"
	"unicode/utf8"
)

// saslPrep normalizes a password with SASLprep (RFC 4013) the way
// PostgreSQL's pg_saslprep does before deriving keys, so that a secret made
// here matches the proof of a client that prepared the same password.
//
// As in PostgreSQL, a password that is not valid UTF-8 or that contains
// prohibited characters is used as it is. Pure ASCII, the common case, is
// always used as it is.
//
// Known gap: the NFKC normalization step and the bidirectional-text checks
// need Unicode tables that the standard library does not carry, so they
// are left out. Passwords already in NFKC form (text typed on nearly every
// keyboard) come out the same; compatibility characters such as
// full-width letters or ligatures do not.
func saslPrep(password string) string {
	ascii := true
	for i := 0; i < len(password); i++ {
		if password[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii || !utf8.ValidString(password) {
		return password
	}
	var b strings.Builder
	for _, r := range password {
		switch {
		case nonASCIISpace(r):
			b.WriteByte(' ')
		case mappedToNothing(r):
		default:
			b.WriteRune(r)
		}
	}
	mapped := b.String()
	for _, r := range mapped {
		if prohibited(r) {
			return password
		}
	}
	return mapped
}

// nonASCIISpace is RFC 3454 table C.1.2.
func nonASCIISpace(r rune) bool {
	return r == 0x00A0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200B) || r == 0x202F || r == 0x205F || r == 0x3000
}

// mappedToNothing is RFC 3454 table B.1.
func mappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, r >= 0x180B && r <= 0x180D,
		r >= 0x200B && r <= 0x200D, r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF:
		return true
	}
	return false
}

// prohibited is RFC 3454 tables C.2 to C.9, the output SASLprep forbids.
func prohibited(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F): // C.2.1, C.2.2 controls
		return true
	case r == 0x06DD, r == 0x070F, r == 0x180E, r == 0x200C, r == 0x200D, r == 0x2028, r == 0x2029,
		r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F, r == 0xFEFF,
		r >= 0xFFF9 && r <= 0xFFFC, r >= 0x1D173 && r <= 0x1D17A: // C.2.2
		return true
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD: // C.3
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // C.4
		return true
	case r >= 0xD800 && r <= 0xDFFF: // C.5
		return true
	case r >= 0xFFF9 && r <= 0xFFFD: // C.6
		return true
	case r >= 0x2FF0 && r <= 0x2FFB: // C.7
		return true
	case r == 0x0340, r == 0x0341, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E: // C.8
		return true
	case r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return false
}
