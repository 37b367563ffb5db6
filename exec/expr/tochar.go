package expr

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// to_char, to_date, to_timestamp and to_number: PostgreSQL's template
// patterns (formatting.c), in the C locale.

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	romanMonth = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}
)

// dtKeywords are the datetime template patterns, longest first so that
// "HH24" wins over "HH" and "YYYY" over "YY".
var dtKeywords = []string{
	"A.D.", "a.d.", "A.M.", "a.m.", "B.C.", "b.c.", "P.M.", "p.m.",
	"Y,YYY", "y,yyy",
	"HH24", "hh24", "HH12", "hh12", "IDDD", "iddd", "IYYY", "iyyy", "SSSSS", "sssss", "SSSS", "ssss",
	"MONTH", "Month", "month", "YYYY", "yyyy",
	"DAY", "Day", "day", "DDD", "ddd", "IYY", "iyy", "MON", "Mon", "mon", "YYY", "yyy",
	"FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "ff1", "ff2", "ff3", "ff4", "ff5", "ff6",
	"TZH", "tzh", "TZM", "tzm",
	"AD", "ad", "AM", "am", "BC", "bc", "CC", "cc", "DD", "dd", "DY", "Dy", "dy", "HH", "hh", "ID", "id",
	"IW", "iw", "IY", "iy", "MI", "mi", "MM", "mm", "MS", "ms", "OF", "of", "PM", "pm", "RM", "rm",
	"SS", "ss", "TZ", "tz", "US", "us", "WW", "ww", "YY", "yy",
	"D", "d", "I", "i", "J", "j", "Q", "q", "W", "w", "Y", "y",
}

// dtNode is one element of a parsed datetime template.
type dtNode struct {
	key     string // the keyword, "" for literal text
	lit     string
	fill    bool // FM
	th      int  // 0, or 1 for "th", 2 for "TH"
	literal bool
}

func parseDTFormat(f string) []dtNode {
	var out []dtNode
	fill := false
	for i := 0; i < len(f); {
		rest := f[i:]
		if strings.HasPrefix(rest, "FM") || strings.HasPrefix(rest, "fm") {
			fill = true
			i += 2
			continue
		}
		if strings.HasPrefix(rest, "FX") || strings.HasPrefix(rest, "fx") || strings.HasPrefix(rest, "TM") || strings.HasPrefix(rest, "tm") {
			i += 2
			continue
		}
		if rest[0] == '"' {
			j := i + 1
			var b strings.Builder
			for j < len(f) && f[j] != '"' {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				b.WriteByte(f[j])
				j++
			}
			out = append(out, dtNode{lit: b.String(), literal: true})
			i = j + 1
			fill = false
			continue
		}
		matched := ""
		for _, k := range dtKeywords {
			if strings.HasPrefix(rest, k) {
				matched = k
				break
			}
		}
		if matched == "" {
			r := rest[:utf8Len(rest)]
			out = append(out, dtNode{lit: r})
			i += len(r)
			continue
		}
		n := dtNode{key: matched, fill: fill}
		fill = false
		i += len(matched)
		switch {
		case strings.HasPrefix(f[i:], "TH"):
			n.th = 2
			i += 2
		case strings.HasPrefix(f[i:], "th"):
			n.th = 1
			i += 2
		}
		out = append(out, n)
	}
	return out
}

func utf8Len(s string) int {
	for i := range s {
		if i > 0 {
			return i
		}
	}
	return len(s)
}

// ordinal returns the English ordinal suffix of n.
func ordinal(n int64, upper bool) string {
	if n < 0 {
		n = -n
	}
	s := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			s = "st"
		case 2:
			s = "nd"
		case 3:
			s = "rd"
		}
	}
	if upper {
		return strings.ToUpper(s)
	}
	return s
}

// casing applies a keyword's letter case to a name: "MONTH" upper,
// "Month" capitalized, "month" lower.
func casing(key, name string) string {
	switch {
	case key == strings.ToUpper(key):
		return strings.ToUpper(name)
	case key == strings.ToLower(key):
		return strings.ToLower(name)
	}
	return name
}

// dtFields are the values a datetime template reads from.
type dtFields struct {
	year, month, day, hour, minute, second int
	micro                                  int64
	interval                               bool
	t                                      time.Time
	zoneAbbrev                             string
	zoneOffset                             int // seconds east
	hasZone                                bool
}

func padNum(v int64, width int, fill bool) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if !fill && len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if neg {
		s = "-" + s
	}
	return s
}

func formatDatetime(f string, v dtFields) string {
	var b strings.Builder
	year := v.year
	displayYear := year
	if !v.interval && year <= 0 {
		displayYear = 1 - year // BC years count from 1
	}
	hour12 := v.hour % 12
	if hour12 == 0 && !v.interval {
		hour12 = 12
	}
	for _, n := range parseDTFormat(f) {
		if n.key == "" {
			b.WriteString(n.lit)
			continue
		}
		num := int64(0)
		numeric := true
		var s string
		switch strings.ToUpper(n.key) {
		case "HH", "HH12":
			num, s = int64(hour12), padNum(int64(hour12), 2, n.fill)
		case "HH24":
			num, s = int64(v.hour), padNum(int64(v.hour), 2, n.fill)
		case "MI":
			num, s = int64(v.minute), padNum(int64(v.minute), 2, n.fill)
		case "SS":
			num, s = int64(v.second), padNum(int64(v.second), 2, n.fill)
		case "MS":
			num, s = v.micro/1000, padNum(v.micro/1000, 3, n.fill)
		case "US":
			num, s = v.micro, padNum(v.micro, 6, n.fill)
		case "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			d := int(n.key[2] - '0')
			val := v.micro / int64(math.Pow10(6-d))
			num, s = val, padNum(val, d, n.fill)
		case "SSSS", "SSSSS":
			val := int64(v.hour*3600 + v.minute*60 + v.second)
			num, s = val, strconv.FormatInt(val, 10)
		case "AM", "PM", "A.M.", "P.M.":
			numeric = false
			am := v.hour < 12
			switch {
			case strings.Contains(n.key, "."):
				s = "P.M."
				if am {
					s = "A.M."
				}
			default:
				s = "PM"
				if am {
					s = "AM"
				}
			}
			if n.key == strings.ToLower(n.key) {
				s = strings.ToLower(s)
			}
		case "AD", "BC", "A.D.", "B.C.":
			numeric = false
			bc := year <= 0
			if strings.Contains(n.key, ".") {
				s = "A.D."
				if bc {
					s = "B.C."
				}
			} else {
				s = "AD"
				if bc {
					s = "BC"
				}
			}
			if n.key == strings.ToLower(n.key) {
				s = strings.ToLower(s)
			}
		case "Y,YYY":
			y := int64(displayYear)
			num, s = y, strconv.FormatInt(y/1000, 10)+","+padNum(y%1000, 3, false)
		case "YYYY":
			num, s = int64(displayYear), padNum(int64(displayYear), 4, n.fill)
		case "YYY":
			num, s = int64(displayYear%1000), padNum(int64(displayYear%1000), 3, n.fill)
		case "YY":
			num, s = int64(displayYear%100), padNum(int64(displayYear%100), 2, n.fill)
		case "Y":
			num, s = int64(displayYear%10), strconv.Itoa(displayYear%10)
		case "IYYY", "IYY", "IY", "I":
			iy, _ := v.t.ISOWeek()
			width := len(n.key)
			mod := int(math.Pow10(width))
			if width == 4 {
				num, s = int64(iy), padNum(int64(iy), 4, n.fill)
			} else {
				num, s = int64(iy%mod), padNum(int64(iy%mod), width, n.fill)
			}
		case "MONTH":
			numeric = false
			if v.month >= 1 {
				s = casing(n.key, monthNames[v.month-1])
				if !n.fill {
					s += strings.Repeat(" ", 9-len(s))
				}
			}
		case "MON":
			numeric = false
			if v.month >= 1 {
				s = casing(n.key, monthNames[v.month-1][:3])
			}
		case "MM":
			num, s = int64(v.month), padNum(int64(v.month), 2, n.fill)
		case "DAY":
			numeric = false
			s = casing(n.key, dayNames[v.t.Weekday()])
			if !n.fill {
				s += strings.Repeat(" ", 9-len(s))
			}
		case "DY":
			numeric = false
			s = casing(n.key, dayNames[v.t.Weekday()][:3])
		case "DDD":
			num, s = int64(v.t.YearDay()), padNum(int64(v.t.YearDay()), 3, n.fill)
		case "IDDD":
			iy, iw := v.t.ISOWeek()
			_ = iy
			wd := (int(v.t.Weekday())+6)%7 + 1
			val := int64((iw-1)*7 + wd)
			num, s = val, padNum(val, 3, n.fill)
		case "DD":
			num, s = int64(v.day), padNum(int64(v.day), 2, n.fill)
		case "D":
			val := int64(v.t.Weekday()) + 1
			num, s = val, strconv.FormatInt(val, 10)
		case "ID":
			val := int64((int(v.t.Weekday())+6)%7 + 1)
			num, s = val, strconv.FormatInt(val, 10)
		case "W":
			val := int64((v.day-1)/7 + 1)
			num, s = val, strconv.FormatInt(val, 10)
		case "WW":
			val := int64((v.t.YearDay()-1)/7 + 1)
			num, s = val, padNum(val, 2, n.fill)
		case "IW":
			_, iw := v.t.ISOWeek()
			num, s = int64(iw), padNum(int64(iw), 2, n.fill)
		case "CC":
			var c int64
			if v.interval {
				c = int64(year / 100)
			} else if year > 0 {
				c = int64((year + 99) / 100)
			} else {
				c = -int64((99 - (year - 1)) / 100)
			}
			num, s = c, padNum(c, 2, n.fill)
		case "J":
			val := julianDay(v.year, v.month, v.day)
			num, s = val, strconv.FormatInt(val, 10)
		case "Q":
			val := int64((v.month-1)/3 + 1)
			num, s = val, strconv.FormatInt(val, 10)
		case "RM":
			numeric = false
			if v.month >= 1 {
				s = romanMonth[v.month-1]
				if !n.fill {
					s += strings.Repeat(" ", 4-len(s))
				}
				if n.key == "rm" {
					s = strings.ToLower(s)
				}
			}
		case "TZ":
			numeric = false
			if v.hasZone {
				s = v.zoneAbbrev
				if n.key == "tz" {
					s = strings.ToLower(s)
				}
			}
		case "OF":
			numeric = false
			if v.hasZone {
				s = formatOffset(v.zoneOffset, false)
			}
		case "TZH":
			numeric = false
			if v.hasZone {
				off := v.zoneOffset
				sign := "+"
				if off < 0 {
					sign, off = "-", -off
				}
				s = sign + padNum(int64(off/3600), 2, false)
			}
		case "TZM":
			if v.hasZone {
				off := v.zoneOffset
				if off < 0 {
					off = -off
				}
				num, s = int64(off/60%60), padNum(int64(off/60%60), 2, n.fill)
			}
		}
		b.WriteString(s)
		if n.th != 0 && numeric {
			b.WriteString(ordinal(num, n.th == 2))
		}
	}
	return b.String()
}

// formatOffset renders a UTC offset as "+05" or "+05:30".
func formatOffset(off int, colonSeconds bool) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := sign + padNum(int64(off/3600), 2, false)
	if m := off / 60 % 60; m != 0 || off%60 != 0 {
		s += ":" + padNum(int64(m), 2, false)
		if sec := off % 60; sec != 0 {
			s += ":" + padNum(int64(sec), 2, false)
		}
	}
	return s
}

func timestampFields(us int64) dtFields {
	c := civilOf(us)
	return dtFields{year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, micro: c.micro, t: c.t}
}

func intervalFields(iv types.IntervalValue) dtFields {
	us := iv.Micros
	f := dtFields{interval: true, year: int(iv.Months / 12), month: int(iv.Months % 12), day: int(iv.Days)}
	f.hour = int(us / types.MicrosPerHour)
	us -= int64(f.hour) * types.MicrosPerHour
	f.minute = int(us / types.MicrosPerMinute)
	us -= int64(f.minute) * types.MicrosPerMinute
	f.second = int(us / types.MicrosPerSecond)
	f.micro = us - int64(f.second)*types.MicrosPerSecond
	f.t = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	return f
}

// Number templates.

type numNode struct {
	kind byte // '9' '0' '.' ',' 'S' 'M'(MI) 'P'(PL) 'G'(SG) 'R'(PR) 'V' 'N'(RN) 'T'(th) 'E'(EEEE) 'L' 'B' or 0 literal
	lit  string
	up   bool // TH vs th, RN vs rn
}

type numFormat struct {
	nodes     []numNode
	pre, post int
	fill      bool
	zero      bool // a 0 appears before the decimal point
	zeroStart int  // index among integer digits of the first 0
	sign      bool // S, MI, PL, SG or PR present
	roman     bool
	multi     int // digits after V
	eeee      bool
	decimal   bool
}

func parseNumFormat(f string) (*numFormat, error) {
	nf := &numFormat{zeroStart: -1}
	afterDecimal, afterV := false, false
	for i := 0; i < len(f); {
		rest := f[i:]
		up := strings.ToUpper(rest)
		switch {
		case strings.HasPrefix(up, "FM"):
			nf.fill = true
			i += 2
		case rest[0] == '9' || rest[0] == '0':
			if afterV {
				nf.multi++
			}
			if afterDecimal {
				nf.post++
			} else {
				if rest[0] == '0' && !nf.zero {
					nf.zero = true
					nf.zeroStart = nf.pre
				}
				nf.pre++
			}
			nf.nodes = append(nf.nodes, numNode{kind: rest[0]})
			i++
		case rest[0] == '.' || up[0] == 'D':
			if nf.decimal {
				return nil, pgerror.New(pgerror.Syntax, "multiple decimal points")
			}
			nf.decimal, afterDecimal = true, true
			nf.nodes = append(nf.nodes, numNode{kind: '.'})
			i++
		case rest[0] == ',' || up[0] == 'G':
			nf.nodes = append(nf.nodes, numNode{kind: ','})
			i++
		case strings.HasPrefix(up, "PR"):
			if i+2 != len(f) {
				return nil, pgerror.New(pgerror.Syntax, "\"PR\" must be the last pattern used")
			}
			nf.sign = true
			nf.nodes = append(nf.nodes, numNode{kind: 'R'})
			i += 2
		case strings.HasPrefix(up, "MI"):
			nf.sign = true
			nf.nodes = append(nf.nodes, numNode{kind: 'M'})
			i += 2
		case strings.HasPrefix(up, "PL"):
			nf.sign = true
			nf.nodes = append(nf.nodes, numNode{kind: 'P'})
			i += 2
		case strings.HasPrefix(up, "SG"):
			nf.sign = true
			nf.nodes = append(nf.nodes, numNode{kind: 'G'})
			i += 2
		case up[0] == 'S':
			nf.sign = true
			nf.nodes = append(nf.nodes, numNode{kind: 'S'})
			i++
		case strings.HasPrefix(up, "RN"):
			nf.roman = true
			nf.nodes = append(nf.nodes, numNode{kind: 'N', up: rest[0] == 'R'})
			i += 2
		case strings.HasPrefix(up, "TH"):
			nf.nodes = append(nf.nodes, numNode{kind: 'T', up: rest[0] == 'T'})
			i += 2
		case strings.HasPrefix(up, "EEEE"):
			nf.eeee = true
			nf.nodes = append(nf.nodes, numNode{kind: 'E'})
			i += 4
		case up[0] == 'V':
			afterV = true
			i++
		case up[0] == 'L':
			nf.nodes = append(nf.nodes, numNode{kind: 'L'})
			i++
		case up[0] == 'B':
			i++
		case rest[0] == '"':
			j := i + 1
			for j < len(f) && f[j] != '"' {
				j++
			}
			nf.nodes = append(nf.nodes, numNode{lit: f[i+1 : min(j, len(f))]})
			i = j + 1
		default:
			r := rest[:utf8Len(rest)]
			nf.nodes = append(nf.nodes, numNode{lit: r})
			i += len(r)
		}
	}
	if nf.multi > 0 {
		// V shifts: its digits are integer digits of the shifted value.
		nf.pre += nf.post
		nf.post = 0
	}
	return nf, nil
}

func toRoman(n int64) string {
	vals := []int64{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// formatNumber is to_char of a number given as its digits: neg, the
// integer digits and the fraction digits, already rounded to the
// template's post digits.
func formatNumber(nf *numFormat, neg bool, intPart, frac string, intValue int64) string {
	var b strings.Builder
	if nf.roman {
		s := "###############"
		if intValue >= 1 && intValue <= 3999 {
			s = toRoman(intValue)
		}
		for _, n := range nf.nodes {
			if n.kind == 'N' {
				if !n.up {
					s = strings.ToLower(s)
				}
				if !nf.fill && len(s) < 15 {
					s = strings.Repeat(" ", 15-len(s)) + s
				}
				b.WriteString(s)
			} else if n.kind == 0 {
				b.WriteString(n.lit)
			}
		}
		return b.String()
	}
	overflow := len(intPart) > nf.pre && !(intPart == "0" && nf.pre == 0)
	if intPart == "0" && nf.pre == 0 {
		intPart = ""
	}
	outPreSpaces := nf.pre - len(intPart)
	if overflow {
		intPart = strings.Repeat("#", nf.pre)
		frac = strings.Repeat("#", nf.post)
		outPreSpaces = 0
	}
	// Fill mode drops fraction zeros after the last significant digit
	// where the template has 9s.
	lastRelevant := len(frac)
	if nf.fill {
		for lastRelevant > 0 && frac[lastRelevant-1] == '0' {
			lastRelevant--
		}
		// 0s in the template keep their digits.
		k, after := 0, false
		for _, n := range nf.nodes {
			switch {
			case n.kind == '.':
				after = true
			case after && (n.kind == '9' || n.kind == '0'):
				k++
				if n.kind == '0' {
					lastRelevant = max(lastRelevant, min(k, len(frac)))
				}
			}
		}
	}
	predecSpace := !nf.zero && intPart == "0" && nf.post > 0
	signChar := func() string {
		switch {
		case neg:
			return "-"
		case nf.fill:
			return ""
		}
		return " "
	}
	signWritten := nf.sign
	anchored := false // S: written next to the number
	for _, n := range nf.nodes {
		if n.kind == 'S' {
			anchored = true
		}
	}
	leadingS := anchored && len(nf.nodes) > 0 && nf.nodes[0].kind == 'S'
	writeSign := func() {
		if !signWritten {
			b.WriteString(signChar())
			signWritten = true
		}
		if leadingS {
			if neg {
				b.WriteString("-")
			} else {
				b.WriteString("+")
			}
			leadingS = false
		}
	}
	digit := 0  // integer digit positions seen
	fdigit := 0 // fraction digit positions seen
	numIn := false
	afterDecimal := false
	for i, n := range nf.nodes {
		switch n.kind {
		case '9', '0':
			if afterDecimal {
				if fdigit < len(frac) {
					if nf.fill && n.kind == '9' && fdigit >= lastRelevant {
						fdigit++
						continue
					}
					b.WriteByte(frac[fdigit])
				}
				fdigit++
				continue
			}
			k := digit
			digit++
			if k < outPreSpaces {
				if nf.zero && nf.zeroStart <= k {
					if nf.zeroStart == k {
						writeSign()
					}
					b.WriteByte('0')
					numIn = true
				} else if !nf.fill {
					b.WriteByte(' ')
				}
				continue
			}
			idx := k - outPreSpaces
			if idx == 0 && predecSpace {
				if !nf.fill {
					b.WriteByte(' ')
				} else if lastRelevant == 0 {
					writeSign()
					b.WriteByte('0')
				}
				continue
			}
			writeSign()
			b.WriteByte(intPart[idx])
			numIn = true
		case '.':
			afterDecimal = true
			if len(frac) == 0 {
				// No fraction digits: no decimal point either.
				continue
			}
			writeSign()
			if nf.fill && lastRelevant == 0 && !hasZeroAfter(nf.nodes[i+1:]) {
				b.WriteByte('.')
				continue
			}
			b.WriteByte('.')
		case ',':
			switch {
			case numIn:
				b.WriteByte(',')
			case !nf.fill:
				b.WriteByte(' ')
			}
		case 'S':
			if i > 0 {
				// Trailing S: the sign right after the number.
				if neg {
					b.WriteString("-")
				} else {
					b.WriteString("+")
				}
			}
		case 'M':
			if neg {
				b.WriteString("-")
			} else if !nf.fill {
				b.WriteString(" ")
			}
		case 'P':
			if !neg {
				b.WriteString("+")
			} else if !nf.fill {
				b.WriteString(" ")
			}
		case 'G':
			if neg {
				b.WriteString("-")
			} else {
				b.WriteString("+")
			}
		case 'R':
			if neg {
				s := b.String()
				t := strings.TrimLeft(s, " ")
				b.Reset()
				b.WriteString(s[:len(s)-len(t)])
				if len(s) > len(t) {
					// Replace the sign's blank by the bracket.
					str := b.String()
					b.Reset()
					b.WriteString(str[:len(str)-1])
				}
				b.WriteString("<" + t + ">")
			} else if !nf.fill {
				b.WriteString(" ")
			}
		case 'T':
			if !neg && len(frac) == 0 {
				b.WriteString(ordinal(intValue, n.up))
			}
		case 'L':
			b.WriteString("$")
		case 0:
			b.WriteString(n.lit)
		}
	}
	if !signWritten {
		writeSign()
	}
	return b.String()
}

func hasZeroAfter(nodes []numNode) bool {
	for _, n := range nodes {
		if n.kind == '0' {
			return true
		}
	}
	return false
}

// numberDigits splits |d|, rounded half away from zero to post decimals,
// into its integer and fraction digits.
func numberDigits(d *apd.Decimal, post int) (neg bool, intPart, frac string, err error) {
	var r apd.Decimal
	c := *types.NumericContext
	c.Rounding = apd.RoundHalfUp
	c.Precision = uint32(max(int64(d.NumDigits())+int64(d.Exponent)+int64(post)+2, 1))
	if _, err := c.Quantize(&r, d, -int32(post)); err != nil {
		return false, "", "", errOverflowNumeric
	}
	neg = r.Negative && !r.IsZero()
	r.Negative = false
	s := r.Text('f')
	intPart, frac = s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
	}
	return neg, intPart, frac, nil
}

func toCharNumeric(d *apd.Decimal, f string) (types.Datum, error) {
	nf, err := parseNumFormat(f)
	if err != nil {
		return nil, err
	}
	if d.Form != apd.Finite {
		s := strings.Repeat("#", nf.pre)
		if nf.post > 0 {
			s += "." + strings.Repeat("#", nf.post)
		}
		return " " + s, nil
	}
	if nf.multi > 0 {
		var m apd.Decimal
		_, _ = types.NumericContext.Mul(&m, d, apd.New(1, int32(nf.multi)))
		d = &m
	}
	if nf.eeee {
		fv, _ := d.Float64()
		return toCharEEEE(fv, nf), nil
	}
	neg, intPart, frac, err := numberDigits(d, nf.post)
	if err != nil {
		return nil, err
	}
	iv, _ := strconv.ParseInt(intPart, 10, 64)
	return formatNumber(nf, neg, intPart, frac, iv), nil
}

func toCharFloat(v float64, f string, bits int) (types.Datum, error) {
	nf, err := parseNumFormat(f)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s := strings.Repeat("#", nf.pre)
		if nf.post > 0 {
			s += "." + strings.Repeat("#", nf.post)
		}
		return " " + s, nil
	}
	if nf.multi > 0 {
		v *= math.Pow10(nf.multi)
	}
	if nf.eeee {
		return toCharEEEE(v, nf), nil
	}
	if nf.roman {
		return formatNumber(nf, false, "", "", int64(math.Round(v))), nil
	}
	// Only the digits a float holds are shown, as PostgreSQL limits the
	// template's fraction to DBL_DIG (FLT_DIG) significant digits.
	maxDigits := 15
	if bits == 32 {
		maxDigits = 6
	}
	post := nf.post
	preLen := len(strconv.FormatFloat(math.Abs(v), 'f', 0, 64))
	if preLen >= maxDigits {
		post = 0
	} else if preLen+post > maxDigits {
		post = maxDigits - preLen
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', post, 64)
	neg := math.Signbit(v) && s != strings.Repeat("0", len(s)) && strings.Trim(s, "0.") != ""
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
	}
	iv, _ := strconv.ParseInt(intPart, 10, 64)
	return formatNumber(nf, neg, intPart, frac, iv), nil
}

func toCharEEEE(v float64, nf *numFormat) string {
	s := strconv.FormatFloat(v, 'e', nf.post, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if len(exp) == 2 { // e+5 -> e+05
		exp = exp[:1] + "0" + exp[1:]
	}
	out := mant + "e" + exp
	if v >= 0 {
		out = " " + out
	}
	return out
}

// to_date, to_timestamp.

type parsedDT struct {
	year, month, day, hour, minute, second int
	micro                                  int64
	pm, hasAmPm, bc                        bool
	yearDigits                             int
	hasYear, hasMonth, hasDay              bool
	doy, julian                            int
	tzOffset                               *int
}

func dtError(s string) error {
	return pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid value %q for template", s)
}

// parseDatetime reads s following template f.
func parseDatetime(s, f string) (*parsedDT, error) {
	nodes := parseDTFormat(f)
	p := &parsedDT{month: 1, day: 1}
	i := 0
	skipSpaces := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	isNumericKey := func(k string) bool {
		switch strings.ToUpper(k) {
		case "MONTH", "MON", "DAY", "DY", "AM", "PM", "A.M.", "P.M.", "AD", "BC", "A.D.", "B.C.", "RM", "TZ":
			return false
		}
		return true
	}
	readNum := func(width int, exact bool) (int64, error) {
		skipSpaces()
		start := i
		neg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			neg = s[i] == '-'
			i++
		}
		ds := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && (!exact || i-ds < width) {
			i++
		}
		if i == ds {
			if start < len(s) {
				return 0, pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid value %q for template", s[start:min(start+width, len(s))])
			}
			return 0, pgerror.New(pgerror.InvalidDatetimeFormat, "source string too short for template")
		}
		v, err := strconv.ParseInt(s[ds:i], 10, 64)
		if err != nil {
			return 0, dtError(s[ds:i])
		}
		if neg {
			v = -v
		}
		return v, nil
	}
	matchWord := func(words []string, n int) (int, error) {
		skipSpaces()
		rest := strings.ToLower(s[i:])
		for k, w := range words {
			cand := strings.ToLower(w)
			if n > 0 {
				cand = cand[:n]
			}
			if strings.HasPrefix(rest, cand) {
				i += len(cand)
				return k, nil
			}
		}
		return 0, pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid value %q for template", s[i:min(i+3, len(s))])
	}
	for ni, n := range nodes {
		if n.key == "" && n.literal {
			// Quoted text skips as many characters of the input.
			for range n.lit {
				if i < len(s) {
					_, size := utf8DecodeAt(s, i)
					i += size
				}
			}
			continue
		}
		if n.key == "" {
			// A separator in the template skips one character of the
			// input that is not a letter or digit.
			for range n.lit {
				if n.lit == " " {
					skipSpaces()
					break
				}
				if i < len(s) && !unicode.IsLetter(rune(s[i])) && !unicode.IsDigit(rune(s[i])) {
					i++
				}
			}
			continue
		}
		exact := false
		if ni+1 < len(nodes) && nodes[ni+1].key != "" && isNumericKey(nodes[ni+1].key) {
			exact = true
		}
		var v int64
		var err error
		switch strings.ToUpper(n.key) {
		case "YYYY", "IYYY":
			v, err = readNum(4, exact)
			p.year, p.hasYear, p.yearDigits = int(v), true, 4
		case "Y,YYY":
			var hi, lo int64
			if hi, err = readNum(3, false); err == nil {
				if i < len(s) && s[i] == ',' {
					i++
				}
				lo, err = readNum(3, true)
				v = hi*1000 + lo
			}
			p.year, p.hasYear, p.yearDigits = int(v), true, 4
		case "YYY", "IYY":
			v, err = readNum(3, exact)
			p.year, p.hasYear, p.yearDigits = int(v), true, 3
		case "YY", "IY":
			v, err = readNum(2, exact)
			p.year, p.hasYear, p.yearDigits = int(v), true, 2
		case "Y", "I":
			v, err = readNum(1, exact)
			p.year, p.hasYear, p.yearDigits = int(v), true, 1
		case "MM":
			v, err = readNum(2, exact)
			p.month, p.hasMonth = int(v), true
		case "MONTH":
			var k int
			k, err = matchWord(monthNames, 0)
			p.month, p.hasMonth = k+1, true
		case "MON":
			var k int
			k, err = matchWord(monthNames, 3)
			p.month, p.hasMonth = k+1, true
		case "RM":
			var k int
			// Longest numerals first.
			order := []int{7, 2, 6, 3, 11, 8, 1, 5, 10, 4, 9, 0}
			words := make([]string, len(order))
			for j, o := range order {
				words[j] = romanMonth[o]
			}
			k, err = matchWord(words, 0)
			if err == nil {
				p.month, p.hasMonth = order[k]+1, true
			}
		case "DD":
			v, err = readNum(2, exact)
			p.day, p.hasDay = int(v), true
		case "DDD", "IDDD":
			v, err = readNum(3, exact)
			p.doy = int(v)
		case "DAY":
			_, err = matchWord(dayNames, 0)
		case "DY":
			_, err = matchWord(dayNames, 3)
		case "D", "ID", "W", "WW", "IW", "Q", "CC":
			_, err = readNum(len(n.key), exact)
		case "HH", "HH12", "HH24":
			v, err = readNum(2, exact)
			p.hour = int(v)
			if strings.ToUpper(n.key) != "HH24" && err == nil && (v < 1 || v > 12) {
				return nil, pgerror.Newf(pgerror.InvalidDatetimeFormat, "hour \"%d\" is invalid for the 12-hour clock", v).
					WithHint("Use the 24-hour clock, or give an hour between 1 and 12.")
			}
		case "MI":
			v, err = readNum(2, exact)
			p.minute = int(v)
		case "SS":
			v, err = readNum(2, exact)
			p.second = int(v)
		case "SSSS", "SSSSS":
			v, err = readNum(5, exact)
			p.hour, p.minute, p.second = int(v/3600), int(v/60%60), int(v%60)
		case "MS", "US", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			skipSpaces()
			start := i
			width := 6
			switch strings.ToUpper(n.key) {
			case "MS":
				width = 3
			case "US":
				width = 6
			default:
				width = int(n.key[2] - '0')
			}
			v, err = readNum(width, exact)
			digits := i - start
			scale := 6
			if strings.ToUpper(n.key) == "MS" {
				scale = 3
				p.micro += v * int64(math.Pow10(3-min(digits, 3))) * 1000
			} else {
				p.micro += v * int64(math.Pow10(scale-min(digits, scale)))
			}
		case "AM", "PM", "A.M.", "P.M.":
			var k int
			k, err = matchWord([]string{"am", "pm", "a.m.", "p.m."}, 0)
			p.hasAmPm, p.pm = true, k%2 == 1
		case "AD", "BC", "A.D.", "B.C.":
			var k int
			k, err = matchWord([]string{"ad", "bc", "a.d.", "b.c."}, 0)
			p.bc = k%2 == 1
		case "J":
			v, err = readNum(8, exact)
			p.julian = int(v)
		case "TZH":
			v, err = readNum(2, exact)
			off := int(v) * 3600
			p.tzOffset = &off
		case "TZM":
			v, err = readNum(2, exact)
			if p.tzOffset != nil {
				if *p.tzOffset < 0 {
					*p.tzOffset -= int(v) * 60
				} else {
					*p.tzOffset += int(v) * 60
				}
			}
		case "TZ", "OF":
			return nil, pgerror.Newf(pgerror.FeatureNotSupported, "formatting field %q is only supported in to_char", n.key)
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// resolve turns parsed fields into a wall-clock timestamp, checking
// ranges as PostgreSQL does.
func (p *parsedDT) resolve(input string) (types.TimestampValue, error) {
	year := p.year
	if p.hasYear && p.yearDigits < 4 && year < int(math.Pow10(p.yearDigits)) {
		// Two-digit years are the nearest to 2020.
		switch p.yearDigits {
		case 1:
			year += 2020
		case 2:
			if year < 70 {
				year += 2000
			} else {
				year += 1900
			}
		case 3:
			if year < 100 {
				year += 2000
			} else {
				year += 1000
			}
		}
	}
	if !p.hasYear {
		year = 0 // PostgreSQL's default: 1 BC
	}
	if p.month == 0 {
		p.month = 1
	}
	if p.day == 0 {
		p.day = 1
	}
	if p.bc {
		year = 1 - year
	}
	hour := p.hour
	if p.hasAmPm {
		if hour > 12 || hour < 1 {
			return 0, pgerror.Newf(pgerror.InvalidDatetimeFormat, "hour \"%d\" is invalid for the 12-hour clock", hour)
		}
		if p.pm && hour < 12 {
			hour += 12
		} else if !p.pm && hour == 12 {
			hour = 0
		}
	}
	rangeErr := pgerror.Newf(pgerror.DatetimeFieldOverflow, "date/time field value out of range: %q", input)
	var days int64
	switch {
	case p.julian > 0:
		days = int64(p.julian) - 2440588
	case p.doy > 0 && !p.hasMonth:
		first, _ := floorDivInt(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), 86400)
		if p.doy > 365+leapIndex(year) {
			return 0, rangeErr
		}
		days = first + int64(p.doy) - 1
	default:
		if p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth[leapIndex(year)][p.month-1] {
			return 0, rangeErr
		}
		days, _ = floorDivInt(time.Date(year, time.Month(p.month), p.day, 0, 0, 0, 0, time.UTC).Unix(), 86400)
	}
	if hour < 0 || hour > 24 || p.minute < 0 || p.minute > 59 || p.second < 0 || p.second > 60 ||
		hour == 24 && (p.minute > 0 || p.second > 0 || p.micro > 0) {
		return 0, rangeErr
	}
	if days > 106751991 || days < -2451545 {
		return 0, pgerror.Newf(pgerror.DatetimeFieldOverflow, "date out of range: %q", input)
	}
	us := days*types.MicrosPerDay + int64(hour)*types.MicrosPerHour + int64(p.minute)*types.MicrosPerMinute +
		int64(p.second)*types.MicrosPerSecond + p.micro
	return types.TimestampValue(us), nil
}

// toNumber reads a number following a numeric template, as PostgreSQL's
// lenient to_number: digits fill the template's digit positions, a
// decimal point the D or . position, and a minus sign, a trailing S/MI or
// angle brackets make it negative; group separators, currency symbols
// and blanks are skipped.
func toNumber(s, f string) (types.Datum, error) {
	nf, err := parseNumFormat(f)
	if err != nil {
		return nil, err
	}
	var intDigits, fracDigits strings.Builder
	neg := false
	afterPoint := false
	sawDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if afterPoint {
				if fracDigits.Len() < nf.post {
					fracDigits.WriteByte(c)
				}
			} else {
				intDigits.WriteByte(c)
			}
		case c == '.' && nf.decimal && !afterPoint:
			afterPoint = true
		case c == '-' || c == '<':
			neg = true
		case c == ',' || c == ' ' || c == '+' || c == '$' || c == '>':
		default:
			if !sawDigit && intDigits.Len() == 0 {
				return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", " ")
			}
		}
	}
	if !sawDigit {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", " ")
	}
	str := intDigits.String()
	if str == "" {
		str = "0"
	}
	if fracDigits.Len() > 0 {
		str += "." + fracDigits.String()
	}
	if neg {
		str = "-" + str
	}
	d, _, err := apd.NewFromString(str)
	if err != nil {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", s)
	}
	if nf.multi > 0 {
		var q apd.Decimal
		_, _ = types.NumericContext.Quo(&q, d, apd.New(1, int32(nf.multi)))
		d = &q
	}
	return d, nil
}

func registerToChar(r *Registry) {
	row := func(name string, args []types.T, ret types.T, fn RowKernel) {
		r.add(&Overload{Name: name, Args: args, Ret: ret, Row: fn})
	}
	nullIfEmpty := func(s string) types.Datum {
		if s == "" {
			return nil
		}
		return s
	}
	row("to_char", []types.T{tsT, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		ts := a[0].(types.TimestampValue)
		if ts == types.TimestampInfinity || ts == types.TimestampNegInfinity {
			return nil, nil
		}
		return nullIfEmpty(formatDatetime(a[1].(string), timestampFields(int64(ts)))), nil
	})
	r.add(&Overload{Name: "to_char", Args: []types.T{tstzT, text}, Ret: text, Stable: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		ts := a[0].(types.TimestampValue)
		if ts == types.TimestampInfinity || ts == types.TimestampNegInfinity {
			return nil, nil
		}
		loc := c.env().Loc
		f := timestampFields(int64(types.UTCToLocal(ts, loc)))
		name, off := time.UnixMicro(int64(ts)).In(loc).Zone()
		f.hasZone, f.zoneAbbrev, f.zoneOffset = true, name, off
		if name == "" || name[0] == '+' || name[0] == '-' {
			f.zoneAbbrev = formatOffset(off, false)
		}
		return nullIfEmpty(formatDatetime(a[1].(string), f)), nil
	}})
	row("to_char", []types.T{ivT, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return nullIfEmpty(formatDatetime(a[1].(string), intervalFields(a[0].(types.IntervalValue)))), nil
	})
	row("to_char", []types.T{num, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return toCharNumeric(a[0].(*apd.Decimal), a[1].(string))
	})
	for _, t := range []types.T{i4, i8} {
		row("to_char", []types.T{t, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return toCharNumeric(apd.New(a[0].(int64), 0), a[1].(string))
		})
	}
	row("to_char", []types.T{f8, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return toCharFloat(a[0].(float64), a[1].(string), 64)
	})
	row("to_char", []types.T{types.Float4Type, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return toCharFloat(a[0].(float64), a[1].(string), 32)
	})
	row("to_date", []types.T{text, text}, dateT, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		p, err := parseDatetime(a[0].(string), a[1].(string))
		if err != nil {
			return nil, err
		}
		ts, err := p.resolve(a[0].(string))
		if err != nil {
			return nil, err
		}
		return timestampToDate(ts), nil
	})
	r.add(&Overload{Name: "to_timestamp", Args: []types.T{text, text}, Ret: tstzT, Stable: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		p, err := parseDatetime(a[0].(string), a[1].(string))
		if err != nil {
			return nil, err
		}
		ts, err := p.resolve(a[0].(string))
		if err != nil {
			return nil, err
		}
		if p.tzOffset != nil {
			return ts - types.TimestampValue(int64(*p.tzOffset)*types.MicrosPerSecond), nil
		}
		return types.LocalToUTC(ts, c.env().Loc), nil
	}})
	row("to_number", []types.T{text, text}, num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return toNumber(a[0].(string), a[1].(string))
	})
}

func utf8DecodeAt(s string, i int) (rune, int) {
	for j := range s[i:] {
		if j > 0 {
			return 0, j
		}
	}
	return 0, len(s) - i
}
