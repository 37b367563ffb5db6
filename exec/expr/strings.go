package expr

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

var (
	text = types.TextType
	i4   = types.Int4Type
	i8   = types.Int8Type
	f8   = types.Float8Type
	num  = types.NumericType
	bl   = types.BoolType
)

func rowStr(fn func(s string) string) RowKernel {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return fn(a[0].(string)), nil }
}

// lacksConcat reports whether t has no || operator of its own, so that
// t || unknown concatenates text.
func lacksConcat(t types.T) bool {
	return t.IsNumeric() || t.IsDatetime() || t.Kind == types.Bool || t.Kind == types.UUID
}

func registerStrings(r *Registry) {
	r.add(&Overload{Name: "||", Args: []types.T{text, text}, Ret: text, Infix: true, Vec: concatKernel})
	// text || anything and anything || text: the other side is written as
	// text, as PostgreSQL's anynonarray variants.
	r.add(&Overload{Name: "||", Infix: true, Match: func(args []types.T) (types.T, bool) {
		if len(args) != 2 || args[0].Kind == types.Array || args[1].Kind == types.Array {
			return types.T{}, false
		}
		if args[0].IsString() && args[1].Kind != types.Unknown || args[1].IsString() && args[0].Kind != types.Unknown {
			return text, true
		}
		// 'id ' || 42: an unknown literal beside a type that has no ||
		// of its own is text, as PostgreSQL's textanycat resolves it.
		if args[0].Kind == types.Unknown && lacksConcat(args[1]) || args[1].Kind == types.Unknown && lacksConcat(args[0]) {
			return text, true
		}
		return types.T{}, false
	}, Row: func(ctx *Ctx, a []types.Datum) (types.Datum, error) {
		return nil, pgerror.Internalf("|| with non-text operands must be cast by the binder")
	}})
	for _, op := range []struct {
		name      string
		negate    bool
		foldCase  bool
		isPattern bool
	}{{"~~", false, false, true}, {"!~~", true, false, true}, {"~~*", false, true, true}, {"!~~*", true, true, true}} {
		op := op
		r.add(&Overload{Name: op.name, Args: []types.T{text, text}, Ret: bl, Infix: true,
			Vec: likeKernel(op.negate, op.foldCase)})
	}
	for _, op := range []struct {
		name     string
		negate   bool
		foldCase bool
	}{{"~", false, false}, {"!~", true, false}, {"~*", false, true}, {"!~*", true, true}} {
		op := op
		r.add(&Overload{Name: op.name, Args: []types.T{text, text}, Ret: bl, Infix: true,
			Row: func(ctx *Ctx, a []types.Datum) (types.Datum, error) {
				re, err := ctx.compileRegex(a[1].(string), op.foldCase)
				if err != nil {
					return nil, err
				}
				return re.MatchString(a[0].(string)) != op.negate, nil
			}})
	}
	r.add(&Overload{Name: "lower", Args: []types.T{text}, Ret: text, Vec: caseKernel(false)})
	r.add(&Overload{Name: "upper", Args: []types.T{text}, Ret: text, Vec: caseKernel(true)})
	for _, name := range []string{"length", "char_length", "character_length"} {
		r.add(&Overload{Name: name, Args: []types.T{text}, Ret: i4, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return int64(utf8.RuneCountInString(a[0].(string))), nil
		}})
	}
	r.add(&Overload{Name: "octet_length", Args: []types.T{text}, Ret: i4, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return int64(len(a[0].(string))), nil
	}})
	substr := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		s := []rune(a[0].(string))
		start := a[1].(int64)
		end := int64(len(s)) + 1
		if len(a) == 3 {
			l := a[2].(int64)
			if l < 0 {
				return nil, pgerror.New(pgerror.SubstringError, "negative substring length not allowed")
			}
			end = start + l
		}
		if start < 1 {
			start = 1
		}
		if end > int64(len(s))+1 {
			end = int64(len(s)) + 1
		}
		if start >= end {
			return "", nil
		}
		return string(s[start-1 : end-1]), nil
	}
	for _, name := range []string{"substr", "substring"} {
		r.add(&Overload{Name: name, Args: []types.T{text, i4}, Ret: text, Row: substr})
		r.add(&Overload{Name: name, Args: []types.T{text, i4, i4}, Ret: text, Row: substr})
	}
	trim := func(mode int) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			s := a[0].(string)
			cut := " "
			if len(a) > 1 {
				cut = a[1].(string)
			}
			switch mode {
			case 0:
				return strings.Trim(s, cut), nil
			case 1:
				return strings.TrimLeft(s, cut), nil
			}
			return strings.TrimRight(s, cut), nil
		}
	}
	for name, mode := range map[string]int{"btrim": 0, "ltrim": 1, "rtrim": 2} {
		r.add(&Overload{Name: name, Args: []types.T{text}, Ret: text, Row: trim(mode)})
		r.add(&Overload{Name: name, Args: []types.T{text, text}, Ret: text, Row: trim(mode)})
	}
	r.add(&Overload{Name: "replace", Args: []types.T{text, text, text}, Ret: text, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		if a[1].(string) == "" {
			return a[0], nil
		}
		return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
	}})
	strpos := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		i := strings.Index(a[0].(string), a[1].(string))
		if i < 0 {
			return int64(0), nil
		}
		return int64(utf8.RuneCountInString(a[0].(string)[:i]) + 1), nil
	}
	r.add(&Overload{Name: "strpos", Args: []types.T{text, text}, Ret: i4, Row: strpos})
	r.add(&Overload{Name: "position", Args: []types.T{text, text}, Ret: i4, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		// position(sub IN s) arrives as position(s, sub) from the parser.
		return strpos(c, a)
	}})
	r.add(&Overload{Name: "concat", Args: []types.T{types.UnknownType}, Variadic: true, NullCall: true,
		Match: func(args []types.T) (types.T, bool) { return text, len(args) > 0 },
		Vec:   concatAnyKernel(-1)})
	r.add(&Overload{Name: "concat_ws", NullCall: true,
		Match: func(args []types.T) (types.T, bool) { return text, len(args) > 1 },
		Vec:   concatAnyKernel(0)})
}

// concatKernel is text || text.
func concatKernel(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
	a, b := args[0].(*array.String), args[1].(*array.String)
	out := array.NewStringBuilder(types.Allocator)
	out.Reserve(n)
	var buf []byte
	for i := 0; i < n; i++ {
		if a.IsNull(i) || b.IsNull(i) {
			out.AppendNull()
			continue
		}
		buf = append(append(buf[:0], a.Value(i)...), b.Value(i)...)
		out.BinaryBuilder.Append(buf)
	}
	return out.NewArray(), nil
}

// concatAnyKernel is concat (sep < 0) or concat_ws (sep = index of the
// separator argument): NULL arguments are skipped.
func concatAnyKernel(sep int) VecKernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		out := array.NewStringBuilder(types.Allocator)
		out.Reserve(n)
		for i := 0; i < n; i++ {
			var sb strings.Builder
			first := true
			if sep >= 0 && args[sep].IsNull(i) {
				out.AppendNull()
				continue
			}
			for k, a := range args {
				if k == sep || a.IsNull(i) {
					continue
				}
				if sep >= 0 && !first {
					sb.WriteString(args[sep].(*array.String).Value(i))
				}
				first = false
				sb.WriteString(arrayValueText(ctx, a, i))
			}
			out.Append(sb.String())
		}
		return out.NewArray(), nil
	}
}

// arrayValueText renders a[i] as text, guessing the SQL type from the
// Arrow type; used where a function takes "any".
func arrayValueText(ctx *Ctx, a arrow.Array, i int) string {
	t := SQLTypeOfArrow(a.DataType())
	return types.FormatText(t, types.DatumAt(t, a, i), ctx.env())
}

// SQLTypeOfArrow returns the natural SQL type of an Arrow type.
func SQLTypeOfArrow(dt arrow.DataType) types.T {
	switch dt.ID() {
	case arrow.BOOL:
		return types.BoolType
	case arrow.INT16:
		return types.Int2Type
	case arrow.INT32:
		return types.Int4Type
	case arrow.INT64:
		return types.Int8Type
	case arrow.FLOAT32:
		return types.Float4Type
	case arrow.FLOAT64:
		return types.Float8Type
	case arrow.BINARY:
		return types.ByteaType
	case arrow.DATE32:
		return types.DateType
	case arrow.TIME64:
		return types.TimeType
	case arrow.TIMESTAMP:
		if dt.(*arrow.TimestampType).TimeZone != "" {
			return types.TimestampTZType
		}
		return types.TimestampType
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return types.IntervalType
	case arrow.FIXED_SIZE_BINARY:
		return types.UUIDType
	case arrow.LIST:
		return types.ArrayOf(SQLTypeOfArrow(dt.(*arrow.ListType).Elem()).Kind)
	}
	return types.TextType
}

// likeKernel implements LIKE and ILIKE, caching the compiled pattern when
// it does not change from row to row.
func likeKernel(negate, foldCase bool) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		s, p := args[0].(*array.String), args[1].(*array.String)
		validity, nulls := batch.AndValidity(n, s, p)
		out := make([]byte, bitutil.BytesForBits(int64(n)))
		var lastPat string
		var m *likeMatcher
		for i := 0; i < n; i++ {
			if !batch.IsValid(validity, i) {
				continue
			}
			pat := p.Value(i)
			if m == nil || pat != lastPat {
				var err error
				m, err = newLikeMatcher(pat, foldCase)
				if err != nil {
					return nil, err
				}
				lastPat = pat
			}
			if m.match(s.Value(i)) != negate {
				bitutil.SetBit(out, i)
			}
		}
		return batch.BoolBits(n, out, validity, nulls), nil
	}
}

// likeMatcher matches a LIKE pattern: % any run, _ one character, \
// escapes the next character.
type likeMatcher struct {
	pat      []rune
	foldCase bool
}

func newLikeMatcher(pat string, foldCase bool) (*likeMatcher, error) {
	for i := 0; i < len(pat); i++ {
		if pat[i] == '\\' {
			if i+1 == len(pat) {
				return nil, pgerror.New(pgerror.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
		}
	}
	if foldCase {
		pat = asciiLower(pat)
	}
	return &likeMatcher{pat: []rune(pat), foldCase: foldCase}, nil
}

func (m *likeMatcher) match(s string) bool {
	if m.foldCase {
		s = asciiLower(s)
	}
	return likeMatch([]rune(s), m.pat)
}

func likeMatch(s, p []rune) bool {
	// Iterative matching with backtracking to the last %.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '%':
				starP, starS = pi, si
				pi++
				continue
			case c == '_':
				si++
				pi++
				continue
			case c == '\\' && pi+1 < len(p):
				if p[pi+1] == s[si] {
					si++
					pi += 2
					continue
				}
			case c == s[si]:
				si++
				pi++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si, pi = starS, starP+1
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// compileRegex compiles a regular expression, caching it for the rest of
// the statement's execution (a Ctx is used by one goroutine at a time).
func (c *Ctx) compileRegex(pat string, foldCase bool) (*regexp.Regexp, error) {
	return c.compilePGRegex(pat, regexFlags{foldCase: foldCase})
}
