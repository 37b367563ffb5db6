package expr

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// String functions beyond the basic ones in strings.go. Case mapping
// follows the C locale, as the rest of portalsdb's string handling does:
// only ASCII letters change case, and only ASCII letters and digits count
// as word characters for initcap.

var bytea = types.ByteaType

func registerStringsMore(r *Registry) {
	row := func(name string, args []types.T, ret types.T, fn RowKernel) {
		r.add(&Overload{Name: name, Args: args, Ret: ret, Row: fn})
	}
	row("initcap", []types.T{text}, text, rowStr(initcap))
	leftRight := func(right bool) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			s := []rune(a[0].(string))
			n := a[1].(int64)
			l := int64(len(s))
			if n < 0 {
				n = max(l+n, 0)
			}
			n = min(n, l)
			if right {
				return string(s[l-n:]), nil
			}
			return string(s[:n]), nil
		}
	}
	row("left", []types.T{text, i4}, text, leftRight(false))
	row("right", []types.T{text, i4}, text, leftRight(true))
	row("repeat", []types.T{text, i4}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s, n := a[0].(string), a[1].(int64)
		if n <= 0 || s == "" {
			return "", nil
		}
		if int64(len(s))*n > 1<<30-1 {
			return nil, pgerror.New(pgerror.ProgramLimitExceeded, "requested length too large")
		}
		return strings.Repeat(s, int(n)), nil
	})
	row("reverse", []types.T{text}, text, rowStr(func(s string) string {
		rs := []rune(s)
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		return string(rs)
	}))
	for _, left := range []bool{true, false} {
		name := "rpad"
		if left {
			name = "lpad"
		}
		fn := padKernel(left)
		row(name, []types.T{text, i4}, text, fn)
		row(name, []types.T{text, i4, text}, text, fn)
	}
	row("split_part", []types.T{text, text, i4}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s, sep, n := a[0].(string), a[1].(string), a[2].(int64)
		if n == 0 {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "field position must not be zero")
		}
		var parts []string
		switch {
		case s == "":
			return "", nil
		case sep == "":
			parts = []string{s}
		default:
			parts = strings.Split(s, sep)
		}
		if n < 0 {
			n = int64(len(parts)) + n + 1
			if n < 1 {
				return "", nil
			}
		}
		if n > int64(len(parts)) {
			return "", nil
		}
		return parts[n-1], nil
	})
	startsWith := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return strings.HasPrefix(a[0].(string), a[1].(string)), nil
	}
	row("starts_with", []types.T{text, text}, bl, startsWith)
	r.add(&Overload{Name: "^@", Args: []types.T{text, text}, Ret: bl, Infix: true, Row: startsWith})
	row("ascii", []types.T{text}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := a[0].(string)
		if s == "" {
			return int64(0), nil
		}
		c, _ := utf8.DecodeRuneInString(s)
		return int64(c), nil
	})
	row("chr", []types.T{i4}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		c := a[0].(int64)
		switch {
		case c == 0:
			return nil, pgerror.New(pgerror.ProgramLimitExceeded, "null character not permitted")
		case c < 0:
			return nil, pgerror.New(pgerror.InvalidParameterValue, "character number must be positive")
		case c > utf8.MaxRune:
			return nil, pgerror.Newf(pgerror.ProgramLimitExceeded, "requested character too large for encoding: %d", c)
		case c >= 0xD800 && c <= 0xDFFF:
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "requested character not valid for encoding: %d", c)
		}
		return string(rune(c)), nil
	})
	row("to_hex", []types.T{i4}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return strconv.FormatUint(uint64(uint32(a[0].(int64))), 16), nil
	})
	row("to_hex", []types.T{i8}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return strconv.FormatUint(uint64(a[0].(int64)), 16), nil
	})
	row("translate", []types.T{text, text, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		from, to := []rune(a[1].(string)), []rune(a[2].(string))
		var b strings.Builder
		for _, c := range a[0].(string) {
			i := indexRune(from, c)
			switch {
			case i < 0:
				b.WriteRune(c)
			case i < len(to):
				b.WriteRune(to[i])
			}
		}
		return b.String(), nil
	})
	overlay := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s, repl := []rune(a[0].(string)), []rune(a[1].(string))
		start := a[2].(int64)
		n := int64(len(repl))
		if len(a) > 3 {
			n = a[3].(int64)
		}
		if start <= 0 || n < 0 {
			return nil, pgerror.New(pgerror.SubstringError, "negative substring length not allowed")
		}
		head := min(start-1, int64(len(s)))
		tail := min(start-1+n, int64(len(s)))
		return string(s[:head]) + string(repl) + string(s[tail:]), nil
	}
	row("overlay", []types.T{text, text, i4}, text, overlay)
	row("overlay", []types.T{text, text, i4, i4}, text, overlay)
	r.add(&Overload{Name: "format", NullCall: true, Match: func(args []types.T) (types.T, bool) {
		return text, len(args) > 0 && (args[0].IsString() || args[0].Kind == types.Unknown)
	}, Vec: formatKernel})
	row("quote_literal", []types.T{text}, text, rowStr(quoteLiteral))
	r.add(&Overload{Name: "quote_literal", Match: func(args []types.T) (types.T, bool) {
		return text, len(args) == 1 && !args[0].IsString() && args[0].Kind != types.Unknown
	}, Vec: perRowText(func(s string, null bool) (types.Datum, error) { return quoteLiteral(s), nil }, false)})
	row("quote_ident", []types.T{text}, text, rowStr(QuoteIdent))
	r.add(&Overload{Name: "quote_nullable", NullCall: true, Match: func(args []types.T) (types.T, bool) {
		return text, len(args) == 1
	}, Vec: perRowText(func(s string, null bool) (types.Datum, error) {
		if null {
			return "NULL", nil
		}
		return quoteLiteral(s), nil
	}, true)})
	r.add(&Overload{Name: "string_to_array", Args: []types.T{text, text}, Ret: types.ArrayOf(types.Text), NullCall: true, Row: stringToArray})
	r.add(&Overload{Name: "string_to_array", Args: []types.T{text, text, text}, Ret: types.ArrayOf(types.Text), NullCall: true, Row: stringToArray})
	r.add(&Overload{Name: "array_to_string", NullCall: true, Match: func(args []types.T) (types.T, bool) {
		if (len(args) != 2 && len(args) != 3) || args[0].Kind != types.Array {
			return types.T{}, false
		}
		for _, a := range args[1:] {
			if !a.IsString() && a.Kind != types.Unknown {
				return types.T{}, false
			}
		}
		return text, true
	}, Vec: arrayToStringKernel})

	// Bytea.
	r.add(&Overload{Name: "||", Args: []types.T{bytea, bytea}, Ret: bytea, Infix: true, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		x, y := a[0].([]byte), a[1].([]byte)
		out := make([]byte, 0, len(x)+len(y))
		return append(append(out, x...), y...), nil
	}})
	for _, name := range []string{"length", "octet_length"} {
		row(name, []types.T{bytea}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return int64(len(a[0].([]byte))), nil })
	}
	row("bit_length", []types.T{bytea}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return int64(8 * len(a[0].([]byte))), nil })
	row("bit_length", []types.T{text}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return int64(8 * len(a[0].(string))), nil })
	row("position", []types.T{bytea, bytea}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		// position(sub IN s) arrives as position(s, sub).
		return int64(bytes.Index(a[0].([]byte), a[1].([]byte)) + 1), nil
	})
	row("strpos", []types.T{bytea, bytea}, i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return int64(bytes.Index(a[0].([]byte), a[1].([]byte)) + 1), nil
	})
	byteaSubstr := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := a[0].([]byte)
		start := a[1].(int64)
		end := int64(len(s)) + 1
		if len(a) == 3 {
			l := a[2].(int64)
			if l < 0 {
				return nil, pgerror.New(pgerror.SubstringError, "negative substring length not allowed")
			}
			end = start + l
		}
		start = max(start, 1)
		end = min(end, int64(len(s))+1)
		if start >= end {
			return []byte{}, nil
		}
		return append([]byte(nil), s[start-1:end-1]...), nil
	}
	for _, name := range []string{"substr", "substring"} {
		row(name, []types.T{bytea, i4}, bytea, byteaSubstr)
		row(name, []types.T{bytea, i4, i4}, bytea, byteaSubstr)
	}
	byteaTrim := func(mode int) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			s, cut := a[0].([]byte), string(a[1].([]byte))
			switch mode {
			case 0:
				return bytes.Trim(s, cut), nil
			case 1:
				return bytes.TrimLeft(s, cut), nil
			}
			return bytes.TrimRight(s, cut), nil
		}
	}
	row("btrim", []types.T{bytea, bytea}, bytea, byteaTrim(0))
	row("ltrim", []types.T{bytea, bytea}, bytea, byteaTrim(1))
	row("rtrim", []types.T{bytea, bytea}, bytea, byteaTrim(2))
	row("encode", []types.T{bytea, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return encodeBytes(a[0].([]byte), a[1].(string))
	})
	row("decode", []types.T{text, text}, bytea, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return decodeBytes(a[0].(string), a[1].(string))
	})
	row("sha224", []types.T{bytea}, bytea, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := sha256.Sum224(a[0].([]byte))
		return s[:], nil
	})
	row("sha256", []types.T{bytea}, bytea, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := sha256.Sum256(a[0].([]byte))
		return s[:], nil
	})
	row("sha384", []types.T{bytea}, bytea, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := sha512.Sum384(a[0].([]byte))
		return s[:], nil
	})
	row("sha512", []types.T{bytea}, bytea, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := sha512.Sum512(a[0].([]byte))
		return s[:], nil
	})
	row("md5", []types.T{bytea}, text, func(c *Ctx, a []types.Datum) (types.Datum, error) {
		sum := md5.Sum(a[0].([]byte))
		return hex.EncodeToString(sum[:]), nil
	})
	row("convert_from", []types.T{bytea, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return convertFrom(a[0].([]byte), a[1].(string))
	})
	row("convert_to", []types.T{text, text}, bytea, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return convertTo(a[0].(string), a[1].(string))
	})
	r.add(&Overload{Name: "like_escape", Args: []types.T{text, text}, Ret: text, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return likeEscape(a[0].(string), a[1].(string))
	}})
}

func indexRune(rs []rune, c rune) int {
	for i, r := range rs {
		if r == c {
			return i
		}
	}
	return -1
}

func isASCIIAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func initcap(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prevAlnum := false
	for _, c := range s {
		switch {
		case !prevAlnum && c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case prevAlnum && c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteRune(c)
		prevAlnum = isASCIIAlnum(c)
	}
	return b.String()
}

// asciiLower and asciiUpper map case as the C locale does.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// caseKernel is lower or upper over a whole string column: one pass
// mapping the ASCII letters of the column's data buffer, keeping its
// offsets and validity.
func caseKernel(upper bool) VecKernel {
	lo, hi := byte('A'), byte('Z')
	if upper {
		lo, hi = 'a', 'z'
	}
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		s := args[0].(*array.String)
		offs := s.ValueOffsets()
		base := offs[0]
		src := s.ValueBytes()
		data := make([]byte, len(src))
		for j, c := range src {
			if c >= lo && c <= hi {
				c ^= 0x20
			}
			data[j] = c
		}
		offsets := make([]int32, len(offs))
		for i, o := range offs {
			offsets[i] = o - base
		}
		return stringColumn(data, offsets, batch.Validity(s), s.NullN()), nil
	}
}

// stringColumn wraps data and offsets (len n+1, from 0) as a string array.
func stringColumn(data []byte, offsets []int32, validity []byte, nulls int) arrow.Array {
	var vb *memory.Buffer
	if validity != nil && nulls > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nulls = 0
	}
	d := array.NewData(arrow.BinaryTypes.String, len(offsets)-1,
		[]*memory.Buffer{vb, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	return array.NewStringData(d)
}

func padKernel(left bool) RowKernel {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := []rune(a[0].(string))
		n := a[1].(int64)
		fill := []rune(" ")
		if len(a) > 2 {
			fill = []rune(a[2].(string))
		}
		if n <= 0 {
			return "", nil
		}
		if n > 10485760 {
			return nil, pgerror.New(pgerror.ProgramLimitExceeded, "requested length too large")
		}
		if int64(len(s)) >= n || len(fill) == 0 {
			return string(s[:min(int64(len(s)), n)]), nil
		}
		pad := make([]rune, 0, n-int64(len(s)))
		for i := 0; int64(len(pad)) < n-int64(len(s)); i++ {
			pad = append(pad, fill[i%len(fill)])
		}
		if left {
			return string(pad) + string(s), nil
		}
		return string(s) + string(pad), nil
	}
}

// quoteLiteral quotes s as a string literal; backslashes make it an E”
// literal with doubled backslashes, as PostgreSQL's quote_literal does.
func quoteLiteral(s string) string {
	var b strings.Builder
	if strings.Contains(s, `\`) {
		b.WriteByte('E')
	}
	b.WriteByte('\'')
	for _, c := range s {
		if c == '\'' || c == '\\' {
			b.WriteRune(c)
		}
		b.WriteRune(c)
	}
	b.WriteByte('\'')
	return b.String()
}

// QuoteIdent quotes an identifier when it needs quotes: when it is not all
// lower-case letters, digits and underscores starting with a letter or
// underscore, or when it is a keyword that cannot be a bare name.
func QuoteIdent(s string) string {
	safe := s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	for i := 0; safe && i < len(s); i++ {
		c := s[i]
		safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if safe && !reservedKeywords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedKeywords are PostgreSQL's keywords outside the unreserved
// category: reserved ones, and those allowed only as column or as
// function/type names. quote_ident and format('%I') quote them.
var reservedKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check
		collate column constraint create current_catalog current_date current_role current_time
		current_timestamp current_user default deferrable desc distinct do else end except false fetch
		for foreign from grant group having in initially intersect into lateral leading limit localtime
		localtimestamp not null offset on only or order placing primary references returning select
		session_user some symmetric system_user table then to trailing true union unique user using variadic when
		where window with
		between bigint bit boolean char character coalesce dec decimal exists extract float greatest
		grouping inout int integer interval least national nchar none normalize nullif numeric out
		overlay position precision real row setof smallint substring time timestamp treat trim values
		varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi
		xmlroot xmlserialize xmltable
		authorization binary collation concurrently cross current_schema freeze full ilike inner is
		isnull join left like natural notnull outer overlaps right similar tablesample verbose`) {
		m[w] = true
	}
	return m
}()

// perRowText adapts a function of one argument's text form; nullCall
// passes NULLs in.
func perRowText(fn func(s string, null bool) (types.Datum, error), nullCall bool) VecKernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		out := array.NewStringBuilder(types.Allocator)
		out.Reserve(n)
		for i := 0; i < n; i++ {
			null := args[0].IsNull(i)
			if null && !nullCall {
				out.AppendNull()
				continue
			}
			s := ""
			if !null {
				s = arrayValueText(ctx, args[0], i)
			}
			v, err := fn(s, null)
			if err != nil {
				return nil, err
			}
			if v == nil {
				out.AppendNull()
			} else {
				out.Append(v.(string))
			}
		}
		return out.NewArray(), nil
	}
}

// formatKernel is format(fmt, args...): %s, %I, %L and %%, with
// positions (%2$s), widths (%5s, %-5s, %*s) as PostgreSQL's.
func formatKernel(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
	out := array.NewStringBuilder(types.Allocator)
	out.Reserve(n)
	for i := 0; i < n; i++ {
		if args[0].IsNull(i) {
			out.AppendNull()
			continue
		}
		vals := make([]*string, len(args)-1)
		for k, a := range args[1:] {
			if !a.IsNull(i) {
				s := arrayValueText(ctx, a, i)
				vals[k] = &s
			}
		}
		s, err := formatString(args[0].(*array.String).Value(i), vals)
		if err != nil {
			return nil, err
		}
		out.Append(s)
	}
	return out.NewArray(), nil
}

func formatString(f string, vals []*string) (string, error) {
	var b strings.Builder
	next := 0
	tooFew := func() error { return pgerror.New(pgerror.InvalidParameterValue, "too few arguments for format()") }
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return "", pgerror.New(pgerror.InvalidParameterValue, "unterminated format() type specifier").
				WithHint("For a single \"%\" use \"%%\".")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// [argpos$][flags][width]type
		readNum := func() (int, bool) {
			j := i
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
			if j == i {
				return 0, false
			}
			v, _ := strconv.Atoi(f[i:j])
			i = j
			return v, true
		}
		start := i
		if v, ok := readNum(); ok && i < len(f) && f[i] == '$' {
			if v == 0 {
				return "", pgerror.New(pgerror.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
			}
			next = v - 1
			i++
		} else {
			i = start
		}
		minus := false
		for i < len(f) && f[i] == '-' {
			minus = true
			i++
		}
		width := 0
		if i < len(f) && f[i] == '*' {
			i++
			if next >= len(vals) {
				return "", tooFew()
			}
			if vals[next] != nil {
				w, err := strconv.Atoi(*vals[next])
				if err != nil {
					return "", pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type integer: %q", *vals[next])
				}
				width = w
			}
			next++
			if width < 0 {
				minus, width = true, -width
			}
		} else if v, ok := readNum(); ok {
			width = v
		}
		if i >= len(f) {
			return "", pgerror.New(pgerror.InvalidParameterValue, "unterminated format() type specifier").
				WithHint("For a single \"%\" use \"%%\".")
		}
		typ := f[i]
		if typ != 's' && typ != 'I' && typ != 'L' {
			return "", pgerror.Newf(pgerror.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", typ).
				WithHint("For a single \"%\" use \"%%\".")
		}
		if next >= len(vals) {
			return "", tooFew()
		}
		v := vals[next]
		next++
		var s string
		switch typ {
		case 's':
			if v != nil {
				s = *v
			}
		case 'I':
			if v == nil {
				return "", pgerror.New(pgerror.NullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			s = QuoteIdent(*v)
		case 'L':
			if v == nil {
				s = "NULL"
			} else {
				s = quoteLiteral(*v)
			}
		}
		if pad := width - utf8.RuneCountInString(s); pad > 0 {
			if minus {
				s += strings.Repeat(" ", pad)
			} else {
				s = strings.Repeat(" ", pad) + s
			}
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// stringToArray is string_to_array(s, sep [, null]): NULL when s is NULL;
// a NULL separator splits into characters, an empty one keeps s whole.
func stringToArray(_ *Ctx, a []types.Datum) (types.Datum, error) {
	if a[0] == nil {
		return nil, nil
	}
	s := a[0].(string)
	if s == "" {
		return []types.Datum{}, nil
	}
	var parts []string
	switch {
	case a[1] == nil:
		for _, c := range s {
			parts = append(parts, string(c))
		}
	case a[1].(string) == "":
		parts = []string{s}
	default:
		parts = strings.Split(s, a[1].(string))
	}
	out := make([]types.Datum, len(parts))
	for i, p := range parts {
		if len(a) > 2 && a[2] != nil && p == a[2].(string) {
			continue
		}
		out[i] = p
	}
	return out, nil
}

func arrayToStringKernel(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
	out := array.NewStringBuilder(types.Allocator)
	out.Reserve(n)
	list := args[0].(*array.List)
	et := SQLTypeOfArrow(list.DataType().(*arrow.ListType).Elem())
	for i := 0; i < n; i++ {
		if list.IsNull(i) || args[1].IsNull(i) {
			out.AppendNull()
			continue
		}
		sep := args[1].(*array.String).Value(i)
		var nullStr *string
		if len(args) > 2 && !args[2].IsNull(i) {
			s := args[2].(*array.String).Value(i)
			nullStr = &s
		}
		start, end := list.ValueOffsets(i)
		vals := list.ListValues()
		var b strings.Builder
		first := true
		for j := start; j < end; j++ {
			var s string
			if vals.IsNull(int(j)) {
				if nullStr == nil {
					continue
				}
				s = *nullStr
			} else {
				s = types.FormatText(et, types.DatumAt(et, vals, int(j)), ctx.env())
			}
			if !first {
				b.WriteString(sep)
			}
			first = false
			b.WriteString(s)
		}
		out.Append(b.String())
	}
	return out.NewArray(), nil
}

func encodeBytes(b []byte, format string) (types.Datum, error) {
	switch strings.ToLower(format) {
	case "hex":
		return hex.EncodeToString(b), nil
	case "base64":
		s := base64.StdEncoding.EncodeToString(b)
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76])
			out.WriteByte('\n')
			s = s[76:]
		}
		out.WriteString(s)
		return out.String(), nil
	case "escape":
		var out strings.Builder
		for _, c := range b {
			switch {
			case c == 0 || c >= 0x80:
				fmt.Fprintf(&out, `\%03o`, c)
			case c == '\\':
				out.WriteString(`\\`)
			default:
				out.WriteByte(c)
			}
		}
		return out.String(), nil
	}
	return nil, pgerror.Newf(pgerror.InvalidParameterValue, "unrecognized encoding: %q", format)
}

func decodeBytes(s, format string) (types.Datum, error) {
	switch strings.ToLower(format) {
	case "hex":
		out := make([]byte, 0, len(s)/2)
		for i := 0; i < len(s); {
			c := s[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			hi, ok := hexDigit(c)
			if !ok {
				return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid hexadecimal digit: \"%c\"", c)
			}
			if i+1 >= len(s) {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := hexDigit(s[i+1])
			if !ok {
				return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid hexadecimal digit: \"%c\"", s[i+1])
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return out, nil
	case "base64":
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
		out, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid base64 end sequence").
				WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
		}
		return out, nil
	case "escape":
		out := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '\\' {
				out = append(out, c)
				continue
			}
			switch {
			case i+1 < len(s) && s[i+1] == '\\':
				out = append(out, '\\')
				i++
			case i+3 < len(s)+0 && isOctalDigit(s[i+1]) && isOctalDigit(s[i+2]) && isOctalDigit(s[i+3]) && s[i+1] <= '3':
				out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
				i += 3
			default:
				return nil, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type bytea")
			}
		}
		return out, nil
	}
	return nil, pgerror.Newf(pgerror.InvalidParameterValue, "unrecognized encoding: %q", format)
}

func isOctalDigit(c byte) bool { return c >= '0' && c <= '7' }

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// encodingName normalizes an encoding name as PostgreSQL does: case and
// punctuation do not matter.
func encodingName(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	switch s := b.String(); s {
	case "utf8", "unicode":
		return "UTF8"
	case "latin1", "iso88591":
		return "LATIN1"
	case "sqlascii":
		return "SQL_ASCII"
	default:
		return s
	}
}

func convertFrom(b []byte, enc string) (types.Datum, error) {
	switch encodingName(enc) {
	case "UTF8", "SQL_ASCII":
		if i := invalidUTF8At(b); i >= 0 {
			return nil, pgerror.Newf(pgerror.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", b[i])
		}
		return string(b), nil
	case "LATIN1":
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(rs), nil
	}
	return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid source encoding name %q", enc)
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		c, size := utf8.DecodeRune(b[i:])
		if c == utf8.RuneError && size <= 1 || c == 0 {
			return i
		}
		i += size
	}
	return -1
}

func convertTo(s, enc string) (types.Datum, error) {
	switch encodingName(enc) {
	case "UTF8", "SQL_ASCII":
		return []byte(s), nil
	case "LATIN1":
		out := make([]byte, 0, len(s))
		for _, c := range s {
			if c > 0xff {
				return nil, pgerror.Newf(pgerror.UntranslatableCharacter, "character with byte sequence 0x%x in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"", string(c))
			}
			out = append(out, byte(c))
		}
		return out, nil
	}
	return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid destination encoding name %q", enc)
}

// likeEscape rewrites a LIKE pattern with a user-chosen escape character
// into one whose escape is the backslash, as PostgreSQL's like_escape. An
// empty escape turns escaping off.
func likeEscape(pat, esc string) (types.Datum, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return nil, pgerror.New(pgerror.InvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	var b strings.Builder
	if esc == "" {
		for _, c := range pat {
			if c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		return b.String(), nil
	}
	e, _ := utf8.DecodeRuneInString(esc)
	if e == '\\' {
		return pat, nil
	}
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == e:
			if i+1 >= len(rs) {
				return nil, pgerror.New(pgerror.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			b.WriteByte('\\')
			b.WriteRune(rs[i+1])
			i++
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), nil
}
