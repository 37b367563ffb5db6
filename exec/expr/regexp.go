package expr

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// PostgreSQL's regular expressions (Spencer's ARE) run on Go's RE2 engine
// after a translation of the syntax that differs: "." also matches a
// newline unless the newline-sensitive flag is given, \m \M \y \Y and
// [[:<:]] [[:>:]] are word boundaries. Back-references and lookaround have
// no RE2 equivalent and are reported as invalid expressions.

// regexFlags are the option letters of the regexp_* functions.
type regexFlags struct {
	global, foldCase, newline, literal, expanded bool
}

func parseRegexFlags(s string) (regexFlags, error) {
	var f regexFlags
	for _, c := range s {
		switch c {
		case 'g':
			f.global = true
		case 'i':
			f.foldCase = true
		case 'c':
			f.foldCase = false
		case 'n', 'm':
			f.newline = true
		case 's':
			f.newline = false
		case 'q':
			f.literal = true
		case 'x':
			f.expanded = true
		case 't':
			f.expanded = false
		case 'p', 'w':
			f.newline = true
		default:
			return f, pgerror.Newf(pgerror.InvalidParameterValue, "invalid regular expression option: %q", string(c))
		}
	}
	return f, nil
}

// translateRegex rewrites a PostgreSQL ARE as RE2 syntax.
func translateRegex(pat string, f regexFlags) string {
	var b strings.Builder
	b.WriteString("(?")
	if f.newline {
		b.WriteString("m")
	} else {
		b.WriteString("s")
	}
	if f.foldCase {
		b.WriteString("i")
	}
	b.WriteString(")")
	if f.literal {
		b.WriteString(regexp.QuoteMeta(pat))
		return b.String()
	}
	inBracket := false
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case f.expanded && !inBracket && (c == ' ' || c == '\t' || c == '\n'):
			continue
		case f.expanded && !inBracket && c == '#':
			for i < len(pat) && pat[i] != '\n' {
				i++
			}
			continue
		case c == '\\' && i+1 < len(pat) && !inBracket:
			switch pat[i+1] {
			case 'm', 'M', 'y':
				b.WriteString(`\b`)
			case 'Y':
				b.WriteString(`\B`)
			case 'Z':
				b.WriteString(`\z`)
			default:
				b.WriteByte('\\')
				b.WriteByte(pat[i+1])
			}
			i++
			continue
		case !inBracket && strings.HasPrefix(pat[i:], "[[:<:]]"):
			b.WriteString(`\b`)
			i += len("[[:<:]]") - 1
			continue
		case !inBracket && strings.HasPrefix(pat[i:], "[[:>:]]"):
			b.WriteString(`\b`)
			i += len("[[:>:]]") - 1
			continue
		case c == '[' && !inBracket:
			inBracket = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal member.
			if i+1 < len(pat) && pat[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(pat) && pat[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case c == '[' && inBracket && i+1 < len(pat) && pat[i+1] == ':':
			end := strings.Index(pat[i:], ":]")
			if end > 0 {
				b.WriteString(pat[i : i+end+2])
				i += end + 1
				continue
			}
		case c == ']' && inBracket:
			inBracket = false
		case c == '\\' && inBracket:
			b.WriteString(`\\`)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// compilePGRegex compiles a PostgreSQL pattern with flags, caching it for
// the statement's execution.
func (c *Ctx) compilePGRegex(pat string, f regexFlags) (*regexp.Regexp, error) {
	key := translateRegex(pat, f)
	if c != nil {
		if re, ok := c.regexes[key]; ok {
			return re, nil
		}
	}
	re, err := regexp.Compile(key)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*syntax.Error); ok {
			switch e.Code {
			case syntax.ErrMissingParen, syntax.ErrUnexpectedParen:
				msg = "parentheses () not balanced"
			case syntax.ErrMissingBracket:
				msg = "brackets [] not balanced"
			case syntax.ErrInvalidEscape, syntax.ErrInvalidPerlOp:
				msg = "invalid escape \\ sequence"
			case syntax.ErrMissingRepeatArgument:
				msg = "quantifier operand invalid"
			case syntax.ErrInvalidRepeatSize, syntax.ErrInvalidRepeatOp:
				msg = "invalid repetition count(s)"
			}
		}
		return nil, pgerror.Newf(pgerror.InvalidRegularExpression, "invalid regular expression: %s", msg)
	}
	if c != nil {
		if c.regexes == nil {
			c.regexes = map[string]*regexp.Regexp{}
		}
		c.regexes[key] = re
	}
	return re, nil
}

// allMatches returns the matches regexp_replace and regexp_matches visit:
// RE2's, plus the empty match right after a non-empty one that RE2 skips
// and PostgreSQL does not.
func allMatches(re *regexp.Regexp, s string, global bool) [][]int {
	if !global {
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return nil
		}
		return [][]int{m}
	}
	ms := re.FindAllStringSubmatchIndex(s, -1)
	out := make([][]int, 0, len(ms))
	for i, m := range ms {
		out = append(out, m)
		e := m[1]
		if m[0] == e || (i+1 < len(ms) && ms[i+1][0] == e) {
			continue
		}
		if rest := re.FindStringSubmatchIndex(s[e:]); rest != nil && rest[0] == 0 && rest[1] == 0 {
			for j := range rest {
				if rest[j] >= 0 {
					rest[j] += e
				}
			}
			out = append(out, rest)
		}
	}
	return out
}

func registerRegexp(r *Registry) {
	arr := types.ArrayOf(types.Text)
	replace := func(c *Ctx, a []types.Datum) (types.Datum, error) {
		flags := ""
		if len(a) > 3 {
			flags = a[3].(string)
		}
		f, err := parseRegexFlags(flags)
		if err != nil {
			return nil, err
		}
		re, err := c.compilePGRegex(a[1].(string), f)
		if err != nil {
			return nil, err
		}
		return regexReplace(re, a[0].(string), a[2].(string), allMatches(re, a[0].(string), f.global)), nil
	}
	r.add(&Overload{Name: "regexp_replace", Args: []types.T{text, text, text}, Ret: text, Row: replace})
	r.add(&Overload{Name: "regexp_replace", Args: []types.T{text, text, text, text}, Ret: text, Row: replace})
	match := func() RowKernel {
		return func(c *Ctx, a []types.Datum) (types.Datum, error) {
			flags := ""
			if len(a) > 2 {
				flags = a[2].(string)
			}
			f, err := parseRegexFlags(flags)
			if err != nil {
				return nil, err
			}
			if f.global {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "regexp_match() does not support the \"global\" option").
					WithHint("Use the regexp_matches function instead.")
			}
			re, err := c.compilePGRegex(a[1].(string), f)
			if err != nil {
				return nil, err
			}
			s := a[0].(string)
			m := re.FindStringSubmatchIndex(s)
			if m == nil {
				return nil, nil
			}
			return matchGroups(s, m), nil
		}
	}
	// regexp_matches is set-returning (srf.go), in a select list too.
	r.add(&Overload{Name: "regexp_match", Args: []types.T{text, text}, Ret: arr, Row: match()})
	r.add(&Overload{Name: "regexp_match", Args: []types.T{text, text, text}, Ret: arr, Row: match()})
	split := func(c *Ctx, a []types.Datum) (types.Datum, error) {
		parts, err := regexSplit(c, a)
		if err != nil {
			return nil, err
		}
		out := make([]types.Datum, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	}
	r.add(&Overload{Name: "regexp_split_to_array", Args: []types.T{text, text}, Ret: arr, Row: split})
	r.add(&Overload{Name: "regexp_split_to_array", Args: []types.T{text, text, text}, Ret: arr, Row: split})
	count := func(c *Ctx, a []types.Datum) (types.Datum, error) {
		flags := "g"
		if len(a) > 3 {
			flags += a[3].(string)
		}
		f, err := parseRegexFlags(flags)
		if err != nil {
			return nil, err
		}
		re, err := c.compilePGRegex(a[1].(string), f)
		if err != nil {
			return nil, err
		}
		return int64(len(allMatches(re, a[0].(string), true))), nil
	}
	r.add(&Overload{Name: "regexp_count", Args: []types.T{text, text}, Ret: i4, Row: count})
	r.add(&Overload{Name: "regexp_like", Args: []types.T{text, text}, Ret: bl, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		re, err := c.compilePGRegex(a[1].(string), regexFlags{})
		if err != nil {
			return nil, err
		}
		return re.MatchString(a[0].(string)), nil
	}})
	similar := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		esc := `\`
		if len(a) > 1 {
			esc = a[1].(string)
		}
		return similarToRegex(a[0].(string), esc)
	}
	r.add(&Overload{Name: "similar_to_escape", Args: []types.T{text}, Ret: text, Row: similar})
	r.add(&Overload{Name: "similar_to_escape", Args: []types.T{text, text}, Ret: text, Row: similar})
	// substring(s FROM pattern): the first parenthesized group, or the
	// whole match.
	r.add(&Overload{Name: "substring", Args: []types.T{text, text}, Ret: text, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		re, err := c.compilePGRegex(a[1].(string), regexFlags{})
		if err != nil {
			return nil, err
		}
		return firstGroup(re, a[0].(string)), nil
	}})
	// substring(s SIMILAR pattern ESCAPE esc): the part between the
	// escaped double quotes.
	r.add(&Overload{Name: "substring", Args: []types.T{text, text, text}, Ret: text, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		pat, err := similarToRegex(a[1].(string), a[2].(string))
		if err != nil {
			return nil, err
		}
		re, err := c.compilePGRegex(pat.(string), regexFlags{})
		if err != nil {
			return nil, err
		}
		return firstGroup(re, a[0].(string)), nil
	}})
}

func firstGroup(re *regexp.Regexp, s string) types.Datum {
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	if len(m) > 2 {
		if m[2] < 0 {
			return nil
		}
		return s[m[2]:m[3]]
	}
	return s[m[0]:m[1]]
}

// matchGroups returns a match's groups as a text[]: the whole match when
// the pattern has none; NULL for a group that did not take part.
func matchGroups(s string, m []int) []types.Datum {
	if len(m) == 2 {
		return []types.Datum{s[m[0]:m[1]]}
	}
	out := make([]types.Datum, 0, len(m)/2-1)
	for g := 2; g < len(m); g += 2 {
		if m[g] < 0 {
			out = append(out, nil)
		} else {
			out = append(out, s[m[g]:m[g+1]])
		}
	}
	return out
}

// regexReplace substitutes each match: \1..\9 are groups, \& the whole
// match, \\ a backslash.
func regexReplace(re *regexp.Regexp, s, repl string, matches [][]int) string {
	if len(matches) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, m := range matches {
		b.WriteString(s[prev:m[0]])
		for i := 0; i < len(repl); i++ {
			c := repl[i]
			if c != '\\' || i+1 >= len(repl) {
				b.WriteByte(c)
				continue
			}
			d := repl[i+1]
			switch {
			case d >= '1' && d <= '9':
				g := int(d - '0')
				if 2*g+1 < len(m) && m[2*g] >= 0 {
					b.WriteString(s[m[2*g]:m[2*g+1]])
				}
				i++
			case d == '&':
				b.WriteString(s[m[0]:m[1]])
				i++
			case d == '\\':
				b.WriteByte('\\')
				i++
			default:
				b.WriteByte(c)
			}
		}
		prev = m[1]
	}
	b.WriteString(s[prev:])
	return b.String()
}

// regexSplit splits as regexp_split_to_array does: empty matches at the
// start or end of the string, or right after another match, split nothing.
func regexSplit(c *Ctx, a []types.Datum) ([]string, error) {
	flags := ""
	if len(a) > 2 {
		flags = a[2].(string)
	}
	f, err := parseRegexFlags(flags)
	if err != nil {
		return nil, err
	}
	if f.global {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "regexp_split_to_array() does not support the \"global\" option")
	}
	re, err := c.compilePGRegex(a[1].(string), f)
	if err != nil {
		return nil, err
	}
	s := a[0].(string)
	var parts []string
	prev := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] >= len(s) || m[1] <= prev {
			continue
		}
		parts = append(parts, s[prev:m[0]])
		prev = m[1]
	}
	parts = append(parts, s[prev:])
	return parts, nil
}

// similarToRegex translates a SIMILAR TO pattern into a POSIX one anchored
// at both ends, as PostgreSQL's similar_to_escape: % and _ are wildcards,
// the escape character quotes the next one, and escaped double quotes
// mark the part substring() returns.
func similarToRegex(pat, esc string) (types.Datum, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return nil, pgerror.New(pgerror.InvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	e := rune(-1)
	if esc != "" {
		e, _ = utf8.DecodeRuneInString(esc)
	}
	var b strings.Builder
	b.WriteString("^(?:")
	quotes := 0
	escaped := false
	inBracket := false
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case escaped:
			escaped = false
			if c == '"' {
				quotes++
				switch quotes {
				case 1:
					b.WriteString("){1,1}?(")
				case 2:
					b.WriteString("){1,1}(?:")
				default:
					return nil, pgerror.New(pgerror.InvalidEscapeSequence, "SQL regular expression may not contain more than two escape-double-quote separators")
				}
				continue
			}
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == e:
			escaped = true
		case inBracket:
			if c == ']' {
				inBracket = false
			}
			if c == '\\' {
				b.WriteString(`\\`)
			} else {
				b.WriteRune(c)
			}
		case c == '[':
			inBracket = true
			b.WriteRune(c)
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteByte('.')
		case c == '.' || c == '^' || c == '$':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(c)
		}
	}
	if escaped {
		return nil, pgerror.New(pgerror.InvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	b.WriteString(")$")
	return b.String(), nil
}
