package expr

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// JSON functions and operators. A value is parsed into a jnode tree that
// keeps each element's text as written, which the json type returns, and
// is normalized for jsonb: object keys deduplicated (the last wins) and
// ordered shortest first, then bytewise; numbers in numeric's canonical
// form.

var (
	jsonT  = types.JSONType
	jsonbT = types.JSONBType
)

// jnode is one JSON value.
type jnode struct {
	kind byte   // 'o' object, 'a' array, 's' string, 'n' number, 't' true, 'f' false, 'z' null
	raw  string // the text as written (json)
	str  string // a string's value
	num  string // a number's text
	keys []string
	vals []*jnode // object values, or array elements
}

func jsonSyntaxError(detail string) error {
	return pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail(detail)
}

type jsonParser struct {
	s   string
	pos int
}

func parseJSON(s string) (*jnode, error) {
	p := &jsonParser{s: s}
	p.space()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.s) {
		return nil, jsonSyntaxError("Expected end of input, but found \"" + p.s[p.pos:min(p.pos+10, len(p.s))] + "\".")
	}
	return n, nil
}

func (p *jsonParser) space() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// next reads what follows an object member or array element: ',' when
// more follow, close at the end.
func (p *jsonParser) next(close byte) (more bool, err error) {
	p.space()
	if p.pos >= len(p.s) {
		return false, jsonSyntaxError("The input string ended unexpectedly.")
	}
	switch p.s[p.pos] {
	case ',':
		p.pos++
		return true, nil
	case close:
		p.pos++
		return false, nil
	}
	return false, jsonSyntaxError("Expected \",\" or \"" + string(close) + "\".")
}

func (p *jsonParser) value(depth int) (*jnode, error) {
	if depth > 6400 {
		return nil, pgerror.New(pgerror.StatementTooComplex, "stack depth limit exceeded")
	}
	if p.pos >= len(p.s) {
		return nil, jsonSyntaxError("The input string ended unexpectedly.")
	}
	start := p.pos
	var n *jnode
	switch c := p.s[p.pos]; {
	case c == '{':
		n = &jnode{kind: 'o'}
		p.pos++
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			break
		}
		for {
			p.space()
			if p.pos >= len(p.s) || p.s[p.pos] != '"' {
				if p.pos >= len(p.s) {
					return nil, jsonSyntaxError("The input string ended unexpectedly.")
				}
				return nil, jsonSyntaxError("Expected string, but found \"" + p.s[p.pos:p.pos+1] + "\".")
			}
			key, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			p.space()
			if p.pos >= len(p.s) || p.s[p.pos] != ':' {
				return nil, jsonSyntaxError("Expected \":\".")
			}
			p.pos++
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, key.str)
			n.vals = append(n.vals, v)
			more, err := p.next('}')
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
	case c == '[':
		n = &jnode{kind: 'a'}
		p.pos++
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == ']' {
			p.pos++
			break
		}
		for {
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
			more, err := p.next(']')
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
	case c == '"':
		str, err := p.str()
		if err != nil {
			return nil, err
		}
		n = &jnode{kind: 's', str: str}
	case c == '-' || c >= '0' && c <= '9':
		j := p.pos
		if p.s[j] == '-' {
			j++
		}
		digits := func() int {
			k := j
			for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
				j++
			}
			return j - k
		}
		if d := digits(); d == 0 || d > 1 && p.s[j-d] == '0' {
			return nil, jsonSyntaxError("Token \"" + p.s[p.pos:j] + "\" is invalid.")
		}
		if j < len(p.s) && p.s[j] == '.' {
			j++
			if digits() == 0 {
				return nil, jsonSyntaxError("Token \"" + p.s[p.pos:j] + "\" is invalid.")
			}
		}
		if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
			j++
			if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
				j++
			}
			if digits() == 0 {
				return nil, jsonSyntaxError("Token \"" + p.s[p.pos:j] + "\" is invalid.")
			}
		}
		n = &jnode{kind: 'n', num: p.s[p.pos:j]}
		p.pos = j
	case strings.HasPrefix(p.s[p.pos:], "true"):
		n = &jnode{kind: 't'}
		p.pos += 4
	case strings.HasPrefix(p.s[p.pos:], "false"):
		n = &jnode{kind: 'f'}
		p.pos += 5
	case strings.HasPrefix(p.s[p.pos:], "null"):
		n = &jnode{kind: 'z'}
		p.pos += 4
	default:
		end := p.pos + 1
		for end < len(p.s) && (p.s[end] >= 'a' && p.s[end] <= 'z' || p.s[end] >= 'A' && p.s[end] <= 'Z') {
			end++
		}
		return nil, jsonSyntaxError("Token \"" + p.s[p.pos:end] + "\" is invalid.")
	}
	n.raw = p.s[start:p.pos]
	return n, nil
}

func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if p.pos+1 >= len(p.s) {
				return "", jsonSyntaxError("The input string ended unexpectedly.")
			}
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if r >= 0xD800 && r <= 0xDBFF && strings.HasPrefix(p.s[p.pos:], `\u`) {
					p.pos += 2
					lo, err := p.hex4()
					if err != nil {
						return "", err
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				}
				if r == 0 {
					return "", pgerror.New(pgerror.UntranslatableCharacter, "unsupported Unicode escape sequence").
						WithDetail("\\u0000 cannot be converted to text.")
				}
				b.WriteRune(r)
			default:
				return "", jsonSyntaxError("Escape sequence \"\\" + string(e) + "\" is invalid.")
			}
		case c < 0x20:
			return "", jsonSyntaxError("Character with value 0x" + strconv.FormatInt(int64(c), 16) + " must be escaped.")
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", jsonSyntaxError("The input string ended unexpectedly.")
}

func (p *jsonParser) hex4() (rune, error) {
	if p.pos+4 > len(p.s) {
		return 0, jsonSyntaxError("\"\\u\" must be followed by four hexadecimal digits.")
	}
	v, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, jsonSyntaxError("\"\\u\" must be followed by four hexadecimal digits.")
	}
	p.pos += 4
	return rune(v), nil
}

// normalize turns a parsed tree into jsonb's form.
func (n *jnode) normalize() *jnode {
	switch n.kind {
	case 'n':
		if d, err := types.ParseNumeric(n.num); err == nil {
			return &jnode{kind: 'n', num: string(types.AppendNumeric(nil, d))}
		}
		return n
	case 'a':
		out := &jnode{kind: 'a', vals: make([]*jnode, len(n.vals))}
		for i, v := range n.vals {
			out.vals[i] = v.normalize()
		}
		return out
	case 'o':
		last := map[string]int{}
		for i, k := range n.keys {
			last[k] = i
		}
		out := &jnode{kind: 'o'}
		for i, k := range n.keys {
			if last[k] == i {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, n.vals[i].normalize())
			}
		}
		sortObject(out)
		return out
	}
	return n
}

// sortObject orders keys as jsonb does: shorter keys first, then bytewise.
func sortObject(n *jnode) {
	idx := make([]int, len(n.keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := n.keys[idx[a]], n.keys[idx[b]]
		if len(ka) != len(kb) {
			return len(ka) < len(kb)
		}
		return ka < kb
	})
	keys := make([]string, len(idx))
	vals := make([]*jnode, len(idx))
	for i, j := range idx {
		keys[i], vals[i] = n.keys[j], n.vals[j]
	}
	n.keys, n.vals = keys, vals
}

// appendJSONString writes s as a JSON string literal, escaping as
// PostgreSQL does.
func appendJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			} else {
				b.WriteRune(c)
			}
		}
	}
	b.WriteByte('"')
}

// text renders a normalized tree as jsonb prints it.
func (n *jnode) text() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *jnode) write(b *strings.Builder) {
	switch n.kind {
	case 'o':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			appendJSONString(b, k)
			b.WriteString(": ")
			n.vals[i].write(b)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteString(", ")
			}
			v.write(b)
		}
		b.WriteByte(']')
	case 's':
		appendJSONString(b, n.str)
	case 'n':
		b.WriteString(n.num)
	case 't':
		b.WriteString("true")
	case 'f':
		b.WriteString("false")
	default:
		b.WriteString("null")
	}
}

// asText is ->> of a node: a string's value, other values' text, NULL
// for null.
func (n *jnode) asText(jsonb bool) types.Datum {
	switch n.kind {
	case 's':
		return n.str
	case 'z':
		return nil
	}
	if jsonb {
		return n.text()
	}
	return n.raw
}

// out renders a node as a value of the json or jsonb type.
func (n *jnode) out(jsonb bool) string {
	if jsonb {
		return n.text()
	}
	return n.raw
}

func (n *jnode) typeName() string {
	switch n.kind {
	case 'o':
		return "object"
	case 'a':
		return "array"
	case 's':
		return "string"
	case 'n':
		return "number"
	case 't', 'f':
		return "boolean"
	}
	return "null"
}

// readJSON parses a json or jsonb datum; jsonb values are already
// normalized text, so parsing keeps them so.
func readJSON(d types.Datum) (*jnode, error) {
	return parseJSON(d.(string))
}

func (n *jnode) field(key string) *jnode {
	if n.kind != 'o' {
		return nil
	}
	// The last of duplicate keys wins, as for json's -> operator.
	for i := len(n.keys) - 1; i >= 0; i-- {
		if n.keys[i] == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *jnode) index(i int64) *jnode {
	if n.kind != 'a' {
		return nil
	}
	if i < 0 {
		i += int64(len(n.vals))
	}
	if i < 0 || i >= int64(len(n.vals)) {
		return nil
	}
	return n.vals[i]
}

// path follows a text[] path: object keys, or array indexes as text.
func (n *jnode) path(p []types.Datum) *jnode {
	cur := n
	for _, step := range p {
		if cur == nil || step == nil {
			return nil
		}
		s := step.(string)
		switch cur.kind {
		case 'o':
			cur = cur.field(s)
		case 'a':
			i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil
			}
			cur = cur.index(i)
		default:
			return nil
		}
	}
	return cur
}

// jsonCompare orders jsonb values as PostgreSQL: objects above arrays
// above booleans above numbers above strings above null; objects by
// pair count, then keys and values; arrays by length, then elements.
func jsonCompare(a, b *jnode) int {
	rank := func(n *jnode) int {
		switch n.kind {
		case 'z':
			return 0
		case 's':
			return 1
		case 'n':
			return 2
		case 't', 'f':
			return 3
		case 'a':
			return 4
		}
		return 5
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		// An empty top-level array sorts below everything, as a raw
		// scalar; ignore that corner.
		return cmpInt(ra, rb)
	}
	switch a.kind {
	case 's':
		return strings.Compare(a.str, b.str)
	case 'n':
		x, _ := types.ParseNumeric(a.num)
		y, _ := types.ParseNumeric(b.num)
		return types.CompareNumeric(x, y)
	case 't', 'f':
		return cmpInt(boolRank(a.kind), boolRank(b.kind))
	case 'a':
		if len(a.vals) != len(b.vals) {
			return cmpInt(len(a.vals), len(b.vals))
		}
		for i := range a.vals {
			if c := jsonCompare(a.vals[i], b.vals[i]); c != 0 {
				return c
			}
		}
	case 'o':
		if len(a.keys) != len(b.keys) {
			return cmpInt(len(a.keys), len(b.keys))
		}
		for i := range a.keys {
			ka, kb := a.keys[i], b.keys[i]
			if ka != kb {
				if len(ka) != len(kb) {
					return cmpInt(len(ka), len(kb))
				}
				return strings.Compare(ka, kb)
			}
			if c := jsonCompare(a.vals[i], b.vals[i]); c != 0 {
				return c
			}
		}
	}
	return 0
}

func boolRank(k byte) int {
	if k == 't' {
		return 1
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// contains is jsonb's @>: every element of b is in a.
func contains(a, b *jnode, top bool) bool {
	if a.kind != b.kind {
		// A top-level array contains a scalar it has as an element.
		if top && a.kind == 'a' && b.kind != 'o' && b.kind != 'a' {
			for _, v := range a.vals {
				if jsonCompare(v, b) == 0 {
					return true
				}
			}
		}
		return false
	}
	switch a.kind {
	case 'o':
		for i, k := range b.keys {
			v := a.field(k)
			if v == nil || !contains(v, b.vals[i], false) {
				return false
			}
		}
		return true
	case 'a':
		for _, bv := range b.vals {
			found := false
			for _, av := range a.vals {
				if bv.kind == 'o' || bv.kind == 'a' {
					if av.kind == bv.kind && contains(av, bv, false) {
						found = true
						break
					}
				} else if jsonCompare(av, bv) == 0 {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return jsonCompare(a, b) == 0
}

// hasKey is jsonb's ?: an object key, or a string element of an array or
// a string scalar.
func hasKey(n *jnode, key string) bool {
	switch n.kind {
	case 'o':
		return n.field(key) != nil
	case 'a':
		for _, v := range n.vals {
			if v.kind == 's' && v.str == key {
				return true
			}
		}
	case 's':
		return n.str == key
	}
	return false
}

// concatJSON is jsonb ||: objects merge, arrays and scalars concatenate as
// arrays.
func concatJSON(a, b *jnode) *jnode {
	if a.kind == 'o' && b.kind == 'o' {
		out := &jnode{kind: 'o'}
		for i, k := range a.keys {
			if b.field(k) == nil {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, a.vals[i])
			}
		}
		out.keys = append(out.keys, b.keys...)
		out.vals = append(out.vals, b.vals...)
		sortObject(out)
		return out
	}
	elems := func(n *jnode) []*jnode {
		if n.kind == 'a' {
			return n.vals
		}
		return []*jnode{n}
	}
	out := &jnode{kind: 'a'}
	out.vals = append(append(out.vals, elems(a)...), elems(b)...)
	return out
}

// deletePath is jsonb #-.
func deletePath(n *jnode, p []types.Datum) (*jnode, error) {
	if len(p) == 0 || p[0] == nil {
		return n, nil
	}
	key := p[0].(string)
	switch n.kind {
	case 'o':
		out := &jnode{kind: 'o'}
		for i, k := range n.keys {
			v := n.vals[i]
			if k == key {
				if len(p) == 1 {
					continue
				}
				var err error
				if v, err = deletePath(v, p[1:]); err != nil {
					return nil, err
				}
			}
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, v)
		}
		return out, nil
	case 'a':
		i, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "path element at position 1 is not an integer: %q", key)
		}
		if i < 0 {
			i += int64(len(n.vals))
		}
		out := &jnode{kind: 'a'}
		for j, v := range n.vals {
			if int64(j) == i {
				if len(p) == 1 {
					continue
				}
				if v, err = deletePath(v, p[1:]); err != nil {
					return nil, err
				}
			}
			out.vals = append(out.vals, v)
		}
		return out, nil
	}
	return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot delete path in scalar")
}

// setPath is jsonb_set and jsonb_insert: replace (or insert before/after)
// the value at path, creating the last key when create is set.
func setPath(n *jnode, p []types.Datum, val *jnode, create, insert, after bool, depth int) (*jnode, error) {
	if len(p) == 0 {
		return n, nil
	}
	if p[0] == nil {
		return nil, pgerror.Newf(pgerror.NullValueNotAllowed, "path element at position %d is null", depth+1)
	}
	key := p[0].(string)
	last := len(p) == 1
	switch n.kind {
	case 'o':
		out := &jnode{kind: 'o'}
		found := false
		for i, k := range n.keys {
			v := n.vals[i]
			if k == key {
				found = true
				if last {
					if insert {
						return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot replace existing key").
							WithHint("Try using the function jsonb_set to replace key value.")
					}
					v = val
				} else {
					var err error
					if v, err = setPath(v, p[1:], val, create, insert, after, depth+1); err != nil {
						return nil, err
					}
				}
			}
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, v)
		}
		if !found && last && (create || insert) {
			out.keys = append(out.keys, key)
			out.vals = append(out.vals, val)
			sortObject(out)
		}
		return out, nil
	case 'a':
		i, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "path element at position %d is not an integer: %q", depth+1, key)
		}
		nv := int64(len(n.vals))
		if i < 0 {
			i += nv
		}
		out := &jnode{kind: 'a'}
		switch {
		case last && i < 0 && (create || insert):
			out.vals = append([]*jnode{val}, n.vals...)
			return out, nil
		case last && i >= nv && (create || insert):
			out.vals = append(append(out.vals, n.vals...), val)
			return out, nil
		}
		for j, v := range n.vals {
			if int64(j) == i {
				switch {
				case last && insert && after:
					out.vals = append(out.vals, v, val)
					continue
				case last && insert:
					out.vals = append(out.vals, val, v)
					continue
				case last:
					v = val
				default:
					if v, err = setPath(v, p[1:], val, create, insert, after, depth+1); err != nil {
						return nil, err
					}
				}
			}
			out.vals = append(out.vals, v)
		}
		return out, nil
	}
	if depth > 0 {
		// A path through a scalar changes nothing.
		return n, nil
	}
	return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot set path in scalar")
}

func stripNulls(n *jnode) *jnode {
	switch n.kind {
	case 'o':
		out := &jnode{kind: 'o'}
		for i, k := range n.keys {
			if n.vals[i].kind == 'z' {
				continue
			}
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, stripNulls(n.vals[i]))
		}
		return out
	case 'a':
		out := &jnode{kind: 'a', vals: make([]*jnode, len(n.vals))}
		for i, v := range n.vals {
			out.vals[i] = stripNulls(v)
		}
		return out
	}
	return n
}

// pretty is jsonb_pretty: four spaces per level.
func pretty(n *jnode, b *strings.Builder, indent int) {
	pad := func(k int) { b.WriteString(strings.Repeat("    ", k)) }
	switch n.kind {
	case 'o':
		b.WriteString("{\n")
		for i, k := range n.keys {
			pad(indent + 1)
			appendJSONString(b, k)
			b.WriteString(": ")
			pretty(n.vals[i], b, indent+1)
			if i < len(n.keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		pad(indent)
		b.WriteByte('}')
	case 'a':
		b.WriteString("[\n")
		for i, v := range n.vals {
			pad(indent + 1)
			pretty(v, b, indent+1)
			if i < len(n.vals)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		pad(indent)
		b.WriteByte(']')
	default:
		n.write(b)
	}
}

// datumToJSON converts a SQL value to JSON, as to_jsonb does: numbers and
// booleans stay themselves, dates and timestamps become ISO strings,
// arrays become arrays, json embeds, and everything else is its text as
// a string.
func datumToJSON(ctx *Ctx, t types.T, d types.Datum) (*jnode, error) {
	if d == nil {
		return &jnode{kind: 'z', raw: "null"}, nil
	}
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Numeric:
		s := types.FormatText(t, d, ctx.env())
		if t.Kind == types.Numeric && d.(*apd.Decimal).Form != apd.Finite {
			return &jnode{kind: 's', str: s, raw: `"` + s + `"`}, nil
		}
		return &jnode{kind: 'n', num: s, raw: s}, nil
	case types.Float4, types.Float8:
		f := d.(float64)
		s := types.FormatText(t, d, ctx.env())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return &jnode{kind: 's', str: s, raw: `"` + s + `"`}, nil
		}
		return &jnode{kind: 'n', num: s, raw: s}, nil
	case types.Bool:
		if d.(bool) {
			return &jnode{kind: 't', raw: "true"}, nil
		}
		return &jnode{kind: 'f', raw: "false"}, nil
	case types.JSON, types.JSONB:
		n, err := readJSON(d)
		if err != nil {
			return nil, err
		}
		if t.Kind == types.JSONB {
			return n, nil
		}
		return n, nil
	case types.Array:
		out := &jnode{kind: 'a'}
		for _, e := range d.([]types.Datum) {
			v, err := datumToJSON(ctx, t.ElemType(), e)
			if err != nil {
				return nil, err
			}
			out.vals = append(out.vals, v)
		}
		// array_to_json style: no space after commas.
		var b strings.Builder
		b.WriteByte('[')
		for i, v := range out.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(v.raw)
		}
		b.WriteByte(']')
		out.raw = b.String()
		return out, nil
	case types.Date:
		s := types.FormatText(t, d, ctx.env())
		return jsonStringNode(s), nil
	case types.Timestamp, types.TimestampTZ:
		s := types.FormatText(t, d, ctx.env())
		if v := d.(types.TimestampValue); v != types.TimestampInfinity && v != types.TimestampNegInfinity {
			s = strings.Replace(s, " ", "T", 1)
			if t.Kind == types.TimestampTZ {
				// ISO 8601 offsets carry minutes: +00 becomes +00:00.
				if i := strings.LastIndexAny(s, "+-"); i > 10 && len(s)-i == 3 {
					s += ":00"
				}
			}
		}
		return jsonStringNode(s), nil
	}
	return jsonStringNode(types.FormatText(t, d, ctx.env())), nil
}

func jsonStringNode(s string) *jnode {
	var b strings.Builder
	appendJSONString(&b, s)
	return &jnode{kind: 's', str: s, raw: b.String()}
}

// jsonTextOf renders a node built from SQL values in json's style, which
// differs from jsonb's only in object separators (" : ").
func jsonTextOf(n *jnode) string {
	var b strings.Builder
	var w func(n *jnode)
	w = func(n *jnode) {
		switch {
		case n.kind == 'a' && n.raw == "":
			b.WriteByte('[')
			for i, v := range n.vals {
				if i > 0 {
					b.WriteString(", ")
				}
				w(v)
			}
			b.WriteByte(']')
		default:
			if n.raw != "" {
				b.WriteString(n.raw)
			} else {
				n.write(&b)
			}
		}
	}
	w(n)
	return b.String()
}

// jsonArg reads argument i of a kernel as a JSON tree.
func jsonArg(a []types.Datum, i int) (*jnode, error) { return readJSON(a[i]) }

func registerJSON(r *Registry) {
	for _, jt := range []types.T{jsonT, jsonbT} {
		jt := jt
		isB := jt.Kind == types.JSONB
		out := func(n *jnode) types.Datum {
			if n == nil {
				return nil
			}
			return n.out(isB)
		}
		op := func(name string, args []types.T, ret types.T, fn RowKernel) {
			r.add(&Overload{Name: name, Args: args, Ret: ret, Infix: true, Row: fn})
		}
		op("->", []types.T{jt, text}, jt, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			return out(n.field(a[1].(string))), nil
		})
		op("->", []types.T{jt, i4}, jt, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			return out(n.index(a[1].(int64))), nil
		})
		op("->>", []types.T{jt, text}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			if f := n.field(a[1].(string)); f != nil {
				return f.asText(isB), nil
			}
			return nil, nil
		})
		op("->>", []types.T{jt, i4}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			if f := n.index(a[1].(int64)); f != nil {
				return f.asText(isB), nil
			}
			return nil, nil
		})
		textArr := types.ArrayOf(types.Text)
		op("#>", []types.T{jt, textArr}, jt, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			return out(n.path(a[1].([]types.Datum))), nil
		})
		op("#>>", []types.T{jt, textArr}, text, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			if f := n.path(a[1].([]types.Datum)); f != nil {
				return f.asText(isB), nil
			}
			return nil, nil
		})
		prefix := "json"
		if isB {
			prefix = "jsonb"
		}
		extract := func(asText bool) RowKernel {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				n, err := jsonArg(a, 0)
				if err != nil {
					return nil, err
				}
				f := n.path(a[1:])
				if f == nil {
					return nil, nil
				}
				if asText {
					return f.asText(isB), nil
				}
				return out(f), nil
			}
		}
		r.add(&Overload{Name: prefix + "_extract_path", Args: []types.T{jt, text}, Variadic: true, Ret: jt, Row: extract(false)})
		r.add(&Overload{Name: prefix + "_extract_path_text", Args: []types.T{jt, text}, Variadic: true, Ret: text, Row: extract(true)})
		r.add(&Overload{Name: prefix + "_array_length", Args: []types.T{jt}, Ret: i4, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			switch n.kind {
			case 'a':
				return int64(len(n.vals)), nil
			case 'o':
				return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot get array length of a non-array")
			}
			return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot get array length of a scalar")
		}})
		r.add(&Overload{Name: prefix + "_typeof", Args: []types.T{jt}, Ret: text, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			return n.typeName(), nil
		}})
		r.add(&Overload{Name: prefix + "_strip_nulls", Args: []types.T{jt}, Ret: jt, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := jsonArg(a, 0)
			if err != nil {
				return nil, err
			}
			s := stripNulls(n)
			if isB {
				return s.text(), nil
			}
			return jsonTextOf(jsonRaw(s)), nil
		}})
		// Building: json_build_object, json_build_array, to_json.
		r.add(&Overload{Name: prefix + "_build_array", NullCall: true, Poly: anyArgs(jt, -1), RowTyped: buildRow(false, isB)})
		r.add(&Overload{Name: prefix + "_build_object", NullCall: true, Poly: anyArgs(jt, -1), RowTyped: buildRow(true, isB)})
		r.add(&Overload{Name: "to_" + prefix, Poly: func(args []types.T) ([]types.T, types.T, bool) {
			// An unknown literal stays unknown, and the call fails as
			// PostgreSQL's does for a polymorphic argument of unknown type.
			return args, jt, len(args) == 1
		}, RowTyped: toJSONRow(isB)})
		// Set-returning: each, each_text, array_elements(_text), object_keys.
		r.addSRF(&SetFunc{Name: prefix + "_each", Resolve: fixedSRF([]types.T{jt}, []SetColumn{{"key", text}, {"value", jt}}),
			Rows: strictRows(jsonEach(isB, false))})
		r.addSRF(&SetFunc{Name: prefix + "_each_text", Resolve: fixedSRF([]types.T{jt}, []SetColumn{{"key", text}, {"value", text}}),
			Rows: strictRows(jsonEach(isB, true))})
		r.addSRF(&SetFunc{Name: prefix + "_array_elements", Resolve: fixedSRF([]types.T{jt}, []SetColumn{{"value", jt}}),
			Rows: strictRows(jsonElements(isB, false))})
		r.addSRF(&SetFunc{Name: prefix + "_array_elements_text", Resolve: fixedSRF([]types.T{jt}, []SetColumn{{"value", text}}),
			Rows: strictRows(jsonElements(isB, true))})
		r.addSRF(&SetFunc{Name: prefix + "_object_keys", Resolve: fixedSRF([]types.T{jt}, []SetColumn{{prefix + "_object_keys", text}}),
			Rows: strictRows(func(_ *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
				n, err := readJSON(a[0])
				if err != nil {
					return nil, err
				}
				if n.kind != 'o' {
					return nil, pgerror.Newf(pgerror.InvalidParameterValue, "cannot call %s_object_keys on %s", prefix, scalarOrArray(n))
				}
				out := make([][]types.Datum, 0, len(n.keys))
				seen := map[string]bool{}
				for _, k := range n.keys {
					if !seen[k] || !isB {
						seen[k] = true
						out = append(out, []types.Datum{k})
					}
				}
				return out, nil
			})})
	}

	// jsonb only.
	row := func(name string, args []types.T, ret types.T, infix bool, fn RowKernel) {
		r.add(&Overload{Name: name, Args: args, Ret: ret, Infix: infix, Row: fn})
	}
	two := func(fn func(x, y *jnode) (types.Datum, error)) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, err := readJSON(a[0])
			if err != nil {
				return nil, err
			}
			y, err := readJSON(a[1])
			if err != nil {
				return nil, err
			}
			return fn(x, y)
		}
	}
	row("@>", []types.T{jsonbT, jsonbT}, bl, true, two(func(x, y *jnode) (types.Datum, error) { return contains(x, y, true), nil }))
	row("<@", []types.T{jsonbT, jsonbT}, bl, true, two(func(x, y *jnode) (types.Datum, error) { return contains(y, x, true), nil }))
	row("||", []types.T{jsonbT, jsonbT}, jsonbT, true, two(func(x, y *jnode) (types.Datum, error) { return concatJSON(x, y).text(), nil }))
	for op := opEQ; op <= opGE; op++ {
		op := op
		row(cmpNames[op], []types.T{jsonbT, jsonbT}, bl, true, two(func(x, y *jnode) (types.Datum, error) {
			return op.test(jsonCompare(x, y)), nil
		}))
	}
	textArr := types.ArrayOf(types.Text)
	row("?", []types.T{jsonbT, text}, bl, true, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		n, err := readJSON(a[0])
		if err != nil {
			return nil, err
		}
		return hasKey(n, a[1].(string)), nil
	})
	keysOp := func(all bool) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := readJSON(a[0])
			if err != nil {
				return nil, err
			}
			for _, k := range a[1].([]types.Datum) {
				if k == nil {
					continue
				}
				if hasKey(n, k.(string)) != all {
					return !all, nil
				}
			}
			return all, nil
		}
	}
	row("?|", []types.T{jsonbT, textArr}, bl, true, keysOp(false))
	row("?&", []types.T{jsonbT, textArr}, bl, true, keysOp(true))
	row("-", []types.T{jsonbT, text}, jsonbT, true, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return deleteKeys(a[0], []types.Datum{a[1]})
	})
	row("-", []types.T{jsonbT, textArr}, jsonbT, true, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return deleteKeys(a[0], a[1].([]types.Datum))
	})
	row("-", []types.T{jsonbT, i4}, jsonbT, true, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		n, err := readJSON(a[0])
		if err != nil {
			return nil, err
		}
		switch n.kind {
		case 'o':
			return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot delete from object using integer index")
		case 'a':
		default:
			return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot delete from scalar")
		}
		i := a[1].(int64)
		if i < 0 {
			i += int64(len(n.vals))
		}
		res := &jnode{kind: 'a'}
		for j, v := range n.vals {
			if int64(j) != i {
				res.vals = append(res.vals, v)
			}
		}
		return res.text(), nil
	})
	row("#-", []types.T{jsonbT, textArr}, jsonbT, true, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		n, err := readJSON(a[0])
		if err != nil {
			return nil, err
		}
		res, err := deletePath(n, a[1].([]types.Datum))
		if err != nil {
			return nil, err
		}
		return res.text(), nil
	})
	set := func(insert bool) RowKernel {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n, err := readJSON(a[0])
			if err != nil {
				return nil, err
			}
			v, err := readJSON(a[2])
			if err != nil {
				return nil, err
			}
			flag := !insert // create_if_missing defaults to true; insert_after to false
			if len(a) > 3 {
				flag = a[3].(bool)
			}
			var res *jnode
			if insert {
				res, err = setPath(n, a[1].([]types.Datum), v, false, true, flag, 0)
			} else {
				res, err = setPath(n, a[1].([]types.Datum), v, flag, false, false, 0)
			}
			if err != nil {
				return nil, err
			}
			return res.text(), nil
		}
	}
	row("jsonb_set", []types.T{jsonbT, textArr, jsonbT}, jsonbT, false, set(false))
	row("jsonb_set", []types.T{jsonbT, textArr, jsonbT, bl}, jsonbT, false, set(false))
	row("jsonb_insert", []types.T{jsonbT, textArr, jsonbT}, jsonbT, false, set(true))
	row("jsonb_insert", []types.T{jsonbT, textArr, jsonbT, bl}, jsonbT, false, set(true))
	row("jsonb_pretty", []types.T{jsonbT}, text, false, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		n, err := readJSON(a[0])
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		pretty(n, &b, 0)
		return b.String(), nil
	})
}

// jsonRaw fills in raw text for nodes built by transformation.
func jsonRaw(n *jnode) *jnode {
	if n.kind == 'o' {
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			appendJSONString(&b, k)
			b.WriteByte(':')
			b.WriteString(jsonRaw(n.vals[i]).raw)
		}
		b.WriteByte('}')
		n.raw = b.String()
	} else if n.kind == 'a' {
		var b strings.Builder
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsonRaw(v).raw)
		}
		b.WriteByte(']')
		n.raw = b.String()
	}
	return n
}

func scalarOrArray(n *jnode) string {
	switch n.kind {
	case 'a':
		return "an array"
	case 'o':
		return "an object"
	}
	return "a scalar"
}

func deleteKeys(d types.Datum, keys []types.Datum) (types.Datum, error) {
	n, err := readJSON(d)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, k := range keys {
		if k != nil {
			drop[k.(string)] = true
		}
	}
	switch n.kind {
	case 'o':
		out := &jnode{kind: 'o'}
		for i, k := range n.keys {
			if !drop[k] {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, n.vals[i])
			}
		}
		return out.text(), nil
	case 'a':
		out := &jnode{kind: 'a'}
		for _, v := range n.vals {
			if !(v.kind == 's' && drop[v.str]) {
				out.vals = append(out.vals, v)
			}
		}
		return out.text(), nil
	}
	return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot delete from scalar")
}

func jsonEach(isB, asText bool) func(*Ctx, []types.T, []types.Datum) ([][]types.Datum, error) {
	return func(_ *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		n, err := readJSON(a[0])
		if err != nil {
			return nil, err
		}
		if n.kind != 'o' {
			name := "json_each"
			if isB {
				name = "jsonb_each"
			}
			if asText {
				name += "_text"
			}
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "cannot call %s on a non-object", name)
		}
		out := make([][]types.Datum, len(n.keys))
		for i, k := range n.keys {
			var v types.Datum
			if asText {
				v = n.vals[i].asText(isB)
			} else {
				v = n.vals[i].out(isB)
			}
			out[i] = []types.Datum{k, v}
		}
		return out, nil
	}
}

func jsonElements(isB, asText bool) func(*Ctx, []types.T, []types.Datum) ([][]types.Datum, error) {
	return func(_ *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		n, err := readJSON(a[0])
		if err != nil {
			return nil, err
		}
		if n.kind != 'a' {
			if n.kind == 'o' {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot extract elements from an object")
			}
			return nil, pgerror.New(pgerror.InvalidParameterValue, "cannot extract elements from a scalar")
		}
		out := make([][]types.Datum, len(n.vals))
		for i, v := range n.vals {
			if asText {
				out[i] = []types.Datum{v.asText(isB)}
			} else {
				out[i] = []types.Datum{v.out(isB)}
			}
		}
		return out, nil
	}
}

// buildRow is json(b)_build_object and json(b)_build_array over
// arguments of any type.
func buildRow(object, isB bool) func(*Ctx, []types.T, []types.Datum) (types.Datum, error) {
	return func(ctx *Ctx, ts []types.T, a []types.Datum) (types.Datum, error) {
		if object && len(a)%2 != 0 {
			name := "json_build_object"
			if isB {
				name = "jsonb_build_object"
			}
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "argument list must have even number of elements").
				WithHint("The arguments of " + name + "() must consist of alternating keys and values.")
		}
		node := &jnode{kind: 'a'}
		if object {
			node.kind = 'o'
		}
		for k, d := range a {
			if object && k%2 == 0 {
				if d == nil {
					return nil, pgerror.Newf(pgerror.InvalidParameterValue, "argument %d cannot be null", k+1).
						WithHint("Object keys should be text.")
				}
				node.keys = append(node.keys, types.FormatText(ts[k], d, ctx.env()))
				continue
			}
			v, err := datumToJSON(ctx, ts[k], d)
			if err != nil {
				return nil, err
			}
			node.vals = append(node.vals, v)
		}
		if isB {
			return node.normalize().text(), nil
		}
		return jsonBuildText(node), nil
	}
}

// anyArgs accepts arguments of any types, unknown literals as text.
func anyArgs(ret types.T, n int) func(args []types.T) ([]types.T, types.T, bool) {
	return func(args []types.T) ([]types.T, types.T, bool) {
		if n >= 0 && len(args) != n {
			return nil, types.T{}, false
		}
		at := make([]types.T, len(args))
		for i, a := range args {
			at[i] = a
			if a.Kind == types.Unknown {
				at[i] = text
			}
		}
		return at, ret, true
	}
}

// jsonBuildText renders json_build_object's and json_build_array's
// output: {"k" : v, ...} and [v, ...].
func jsonBuildText(n *jnode) string {
	var b strings.Builder
	if n.kind == 'o' {
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			appendJSONString(&b, k)
			b.WriteString(" : ")
			b.WriteString(jsonTextOf(n.vals[i]))
		}
		b.WriteByte('}')
		return b.String()
	}
	return jsonTextOf(n)
}

func toJSONRow(isB bool) func(*Ctx, []types.T, []types.Datum) (types.Datum, error) {
	return func(ctx *Ctx, ts []types.T, a []types.Datum) (types.Datum, error) {
		if ts[0].Kind == types.Unknown {
			return nil, pgerror.New(pgerror.DatatypeMismatch, "could not determine polymorphic type because input has type unknown")
		}
		v, err := datumToJSON(ctx, ts[0], a[0])
		if err != nil {
			return nil, err
		}
		if isB {
			return v.normalize().text(), nil
		}
		return jsonTextOf(v), nil
	}
}
