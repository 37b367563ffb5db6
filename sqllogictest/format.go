package sqllogictest

import (
	"crypto/md5"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
)

// boolOID is PostgreSQL's type OID of boolean. SQLite has no boolean type, so
// its expected results hold 1 and 0 where PostgreSQL answers t and f; the
// official runner gets the same 1/0 through psqlODBC.
const boolOID = 16

// cell is one value as the server sent it, in text format.
type cell struct {
	text string
	null bool
}

// resultSet is the last row-returning result of a query.
type resultSet struct {
	oids  []uint32
	cells []cell // row-major, len = rows * len(oids)
	// described is false when the SQL returned no row description at all
	// (it was not a query).
	described bool
}

func (rs *resultSet) ncols() int { return len(rs.oids) }

func (rs *resultSet) nrows() int {
	if len(rs.oids) == 0 {
		return 0
	}
	return len(rs.cells) / len(rs.oids)
}

// renderSQLite renders one value the way SQLite's runner prints a column of
// the given type letter:
//   - I: the value converted to an integer and printed with %d. PostgreSQL
//     answers numeric or float for some integer-typed SQLite expressions
//     (avg, division of numerics); like the official runner's SQL_C_SLONG
//     fetch, the text is converted and truncated toward zero.
//   - R: the value converted to a double and printed with %.3f.
//   - T: the text, "(empty)" for the empty string, each byte outside
//     printable ASCII replaced by '@'.
//
// NULL is "NULL" for every type; booleans are 1 and 0.
func renderSQLite(typ byte, oid uint32, c cell) string {
	if c.null {
		return "NULL"
	}
	s := c.text
	if oid == boolOID {
		s = boolDigit(s)
	}
	switch typ {
	case 'I':
		return formatInteger(s)
	case 'R':
		return formatReal(s)
	default:
		return formatText(s)
	}
}

func boolDigit(s string) string {
	switch s {
	case "t", "true", "1":
		return "1"
	default:
		return "0"
	}
}

// formatInteger converts text to an integer as C's conversion functions do:
// an integer is kept; a decimal or float is truncated toward zero (saturating
// at the int64 range); otherwise the longest integer prefix is used, and text
// with none is 0.
func formatInteger(s string) string {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if isCanonicalInt(s) {
			return s
		}
		return strconv.FormatInt(n, 10)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatInt(truncToInt64(f), 10)
	}
	return strconv.FormatInt(leadingInt(s), 10)
}

func isCanonicalInt(s string) bool {
	if s == "0" {
		return true
	}
	if s[0] == '-' {
		s = s[1:]
	}
	return len(s) > 0 && s[0] != '0' && s[0] != '+'
}

func truncToInt64(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// leadingInt is atol: optional white space and sign, then digits.
func leadingInt(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (math.MaxInt64-9)/10 {
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// formatReal converts text to a double (strtod: the longest numeric prefix,
// else 0) and prints it with %.3f, spelling infinities and NaN as C does.
func formatReal(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f = float64(leadingInt(s))
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			f, _ = strconv.ParseFloat(s, 64) // ±Inf on overflow
		}
	}
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

// formatText applies SQLite's text rules.
func formatText(s string) string {
	if s == "" {
		return "(empty)"
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] < ' ' || b[j] > '~' {
					b[j] = '@'
				}
			}
			return string(b)
		}
	}
	return s
}

// renderRS renders one value as sqllogictest-rs does: the server's text,
// "NULL" for NULL and "(empty)" for the empty string, white space runs
// collapsed to one space so that rows can be split on spaces.
func renderRS(c cell) string {
	if c.null {
		return "NULL"
	}
	if c.text == "" {
		return "(empty)"
	}
	return normalizeSpaces(c.text)
}

// normalizeSpaces trims s and collapses each run of white space to a single
// space, the normalisation sqllogictest-rs applies to both sides.
func normalizeSpaces(s string) string {
	clean := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		sp := isSpaceByte(s[i])
		if sp && (prevSpace || s[i] != ' ') {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean && (len(s) == 0 || !isSpaceByte(s[len(s)-1])) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// sortRows sorts rows of ncols values each, in place, comparing column by
// column with byte-wise string comparison (strcmp), as SQLite's rowsort.
func sortRows(values []string, ncols int) {
	if ncols <= 0 || len(values) <= ncols {
		return
	}
	n := len(values) / ncols
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = values[i*ncols : (i+1)*ncols : (i+1)*ncols]
	}
	slices.SortStableFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
	sorted := make([]string, 0, len(values))
	for _, r := range rows {
		sorted = append(sorted, r...)
	}
	copy(values, sorted)
}

// hashValues is the MD5 of every value followed by a newline, as hex.
func hashValues(values []string) string {
	h := md5.New()
	nl := []byte{'\n'}
	for _, v := range values {
		h.Write([]byte(v))
		h.Write(nl)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashLine is the result line SQLite writes for hashed results.
func hashLine(n int, hash string) string {
	return strconv.Itoa(n) + " values hashing to " + hash
}
