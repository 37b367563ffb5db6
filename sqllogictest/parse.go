package sqllogictest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxIncludeDepth bounds `include` nesting so that a file including itself
// ends in a parse error instead of running out of memory.
const maxIncludeDepth = 16

// ParseFile reads and parses one script, expanding `include` directives
// relative to the file's directory. dialect may be DialectAuto. The only error
// is failing to read path itself; anything the parser does not understand
// becomes a KindInvalid record, which fails when run.
func ParseFile(path string, dialect Dialect) (*Script, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, string(src), dialect, 0), nil
}

// Parse parses a script held in memory. name is used for locations and to
// resolve `include` patterns.
func Parse(name string, src string, dialect Dialect) *Script {
	return parse(name, src, dialect, 0)
}

func parse(name, src string, forced Dialect, depth int) *Script {
	lines := splitLines(src)
	dialect := forced
	if dialect == DialectAuto {
		dialect = DetectDialect(name, lines)
	}
	p := &parser{file: name, lines: lines, dialect: dialect, forced: forced, depth: depth}
	p.records = make([]Record, 0, countRecordHeaders(lines))
	p.run()
	return &Script{Path: name, Dialect: dialect, Records: p.records}
}

// splitLines splits src into lines without their line terminator. A trailing
// carriage return is removed (the corpus keeps CRLF endings) and a line of
// only white space becomes empty, as in SQLite's runner.
func splitLines(src string) []string {
	lines := make([]string, 0, strings.Count(src, "\n")+1)
	for len(src) > 0 {
		var line string
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			line, src = src, ""
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if isBlank(line) {
			line = ""
		}
		lines = append(lines, line)
	}
	return lines
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\v', '\f':
		default:
			return false
		}
	}
	return true
}

// countRecordHeaders estimates the number of records, to size the slice
// once.
func countRecordHeaders(lines []string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "query") || strings.HasPrefix(l, "statement") {
			n++
		}
	}
	return n
}

func isComment(line string) bool { return len(line) > 0 && line[0] == '#' }

// directives are the words that can start a record. A multi-line expected
// error ends at a blank line followed by one of them (or by a comment, a
// second blank line or the end of the file).
var directives = map[string]bool{
	"statement": true, "query": true, "skipif": true, "onlyif": true, "halt": true,
	"hash-threshold": true, "connection": true, "include": true, "sleep": true,
	"control": true, "system": true, "subtest": true,
}

// rsOnlyDirectives never occur in SQLite's format.
var rsOnlyDirectives = map[string]bool{
	"connection": true, "include": true, "sleep": true, "control": true,
	"system": true, "subtest": true, "let": true,
}

// DetectDialect decides a file's dialect from its text. The rule:
//
//  1. A file that uses a construct only sqllogictest-rs has is in the rs
//     dialect: a record starting with connection, include, sleep, control,
//     system, subtest or let; `statement count`; `query error`;
//     `statement error <text>` where the text is not a `#` comment; a
//     `----` section after a statement; or `retry` on a header.
//  2. Otherwise the layout of multi-column results decides. A query with k > 1
//     columns whose result lines each hold exactly k space-separated fields
//     votes rs (one row per line); one whose lines each hold a single field
//     votes SQLite (one value per line). Hash lines don't vote. The larger
//     vote wins.
//  3. With no evidence either way (only single-column queries), files named
//     *.test are SQLite's format and all others are rs.
func DetectDialect(name string, lines []string) Dialect {
	rowVotes, valueVotes := 0, 0
	var buf [16]string
	atStart := true // the previous non-comment line was blank
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			atStart = true
			continue
		}
		if isComment(line) {
			continue
		}
		if !atStart {
			continue
		}
		atStart = false
		fields := appendFields(buf[:0], line)
		head := fields[0]
		if rsOnlyDirectives[head] {
			return DialectRS
		}
		for _, f := range fields {
			if f == "retry" {
				return DialectRS
			}
			if strings.HasPrefix(f, "#") {
				break
			}
		}
		switch head {
		case "statement":
			if len(fields) > 1 && fields[1] == "count" {
				return DialectRS
			}
			if len(fields) > 2 && fields[1] == "error" && !strings.HasPrefix(fields[2], "#") {
				return DialectRS
			}
			for j := i + 1; j < len(lines) && lines[j] != ""; j++ {
				if lines[j] == "----" {
					return DialectRS
				}
			}
		case "query":
			if len(fields) > 1 && fields[1] == "error" {
				return DialectRS
			}
			if len(fields) < 2 || len(fields[1]) < 2 {
				continue
			}
			k := len(fields[1])
			j := i + 1
			for j < len(lines) && lines[j] != "" && lines[j] != "----" {
				j++
			}
			if j >= len(lines) || lines[j] != "----" {
				continue
			}
			allRow, allValue, n := true, true, 0
			for j++; j < len(lines) && lines[j] != ""; j++ {
				if isComment(lines[j]) || isHashLine(lines[j]) {
					continue
				}
				n++
				nf := countFields(lines[j])
				allRow = allRow && nf == k
				allValue = allValue && nf == 1
			}
			switch {
			case n == 0:
			case allRow:
				rowVotes++
			case allValue:
				valueVotes++
			}
		}
	}
	switch {
	case rowVotes > valueVotes:
		return DialectRS
	case valueVotes > rowVotes:
		return DialectSQLite
	case strings.HasSuffix(name, ".test"):
		return DialectSQLite
	default:
		return DialectRS
	}
}

func countFields(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		sp := s[i] == ' ' || s[i] == '\t'
		if !sp && !in {
			n++
		}
		in = !sp
	}
	return n
}

var hashLineRE = regexp.MustCompile(`^([0-9]+) values hashing to ([0-9a-f]{32})$`)

func isHashLine(s string) bool {
	return strings.Contains(s, " values hashing to ") && hashLineRE.MatchString(s)
}

// parseHashLine splits "N values hashing to <md5>".
func parseHashLine(s string) (n int, hash string, ok bool) {
	if !strings.Contains(s, " values hashing to ") {
		return 0, "", false
	}
	m := hashLineRE.FindStringSubmatch(s)
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, "", false
	}
	return n, m[2], true
}

type parser struct {
	file    string
	lines   []string
	dialect Dialect
	forced  Dialect // the caller's choice, DialectAuto to detect; included files get it too
	depth   int
	i       int // index of the next line to read

	records    []Record
	conditions []Condition
	connection string
	words      [16]string // scratch for headerFields
}

// next returns the next line and advances. In SQLite's format comment lines
// are dropped wherever they occur, as SQLite's runner does.
func (p *parser) next() (string, bool) {
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		p.i++
		if p.dialect == DialectSQLite && isComment(line) {
			continue
		}
		return line, true
	}
	return "", false
}

// peek returns the next line without advancing (comments skipped as next
// does).
func (p *parser) peek() (string, bool) {
	save := p.i
	line, ok := p.next()
	p.i = save
	return line, ok
}

// skipRecord advances to the next blank line.
func (p *parser) skipRecord() {
	for p.i < len(p.lines) && p.lines[p.i] != "" {
		p.i++
	}
}

func (p *parser) invalid(line int, format string, args ...any) {
	p.records = append(p.records, Record{
		Kind: KindInvalid, File: p.file, Line: line, Dialect: p.dialect,
		Conditions: p.takeConditions(), Connection: p.takeConnection(),
		ParseError: fmt.Sprintf(format, args...),
	})
	p.skipRecord()
}

func (p *parser) takeConditions() []Condition {
	c := p.conditions
	p.conditions = nil
	return c
}

func (p *parser) takeConnection() string {
	c := p.connection
	p.connection = ""
	return c
}

// appendFields appends the space-separated words of s to dst, like
// strings.Fields without allocating when dst has room.
func appendFields(dst []string, s string) []string {
	i := 0
	for i < len(s) {
		for i < len(s) && isSpaceByte(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !isSpaceByte(s[i]) {
			i++
		}
		if i > start {
			dst = append(dst, s[start:i])
		}
	}
	return dst
}

// headerFields splits a directive line into words. A word starting with '#'
// begins a trailing comment (`skipif mysql # why`), which is dropped. The
// result aliases p's buffer and is valid until the next call.
func (p *parser) headerFields(line string) []string {
	fields := appendFields(p.words[:0], line)
	for i, f := range fields {
		if f[0] == '#' {
			return fields[:i]
		}
	}
	return fields
}

func (p *parser) run() {
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		if line == "" || isComment(line) {
			p.i++
			continue
		}
		lineNo := p.i + 1
		p.i++
		fields := p.headerFields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "skipif", "onlyif":
			if len(fields) < 2 {
				p.invalid(lineNo, "%s needs a label", fields[0])
				continue
			}
			p.conditions = append(p.conditions, Condition{Only: fields[0] == "onlyif", Label: fields[1]})
		case "connection":
			if len(fields) != 2 {
				p.invalid(lineNo, "connection needs one name")
				continue
			}
			if fields[1] == "default" {
				p.connection = ""
			} else {
				p.connection = fields[1]
			}
		case "statement":
			p.statement(lineNo, line, fields)
		case "query":
			p.query(lineNo, line, fields)
		case "hash-threshold":
			n := -1
			if len(fields) >= 2 {
				if v, err := strconv.Atoi(fields[1]); err == nil && v >= 0 {
					n = v
				}
			}
			if n < 0 {
				p.invalid(lineNo, "hash-threshold needs a non-negative number")
				continue
			}
			p.simple(Record{Kind: KindHashThreshold, Line: lineNo, Threshold: n})
		case "halt":
			p.simple(Record{Kind: KindHalt, Line: lineNo})
		case "sleep":
			if len(fields) != 2 {
				p.invalid(lineNo, "sleep needs one duration")
				continue
			}
			d, err := parseDuration(fields[1])
			if err != nil {
				p.invalid(lineNo, "sleep: %v", err)
				continue
			}
			p.simple(Record{Kind: KindSleep, Line: lineNo, Duration: d})
		case "control":
			p.control(lineNo, fields)
		case "include":
			if len(fields) != 2 {
				p.invalid(lineNo, "include needs one file pattern")
				continue
			}
			p.include(lineNo, fields[1])
		case "subtest":
			// A name for the following records in sqllogictest-rs reports;
			// it changes nothing.
		case "system":
			p.system(lineNo, fields)
		default:
			p.invalid(lineNo, "unknown record type %q", fields[0])
		}
	}
	if len(p.conditions) > 0 {
		// Conditions with no record after them guard nothing.
		p.conditions = nil
	}
}

func (p *parser) simple(r Record) {
	r.File, r.Dialect = p.file, p.dialect
	r.Conditions = p.takeConditions()
	r.Connection = p.takeConnection()
	p.records = append(p.records, r)
}

// body reads the SQL lines of a record up to a blank line or `----`, and
// says whether it stopped at `----`.
func (p *parser) body() (string, bool) {
	first, n := "", 0
	var b strings.Builder
	for {
		line, ok := p.peek()
		if !ok || line == "" {
			break
		}
		p.next()
		if line == "----" {
			return joined(first, n, &b), true
		}
		switch n {
		case 0:
			first = line
		case 1:
			b.WriteString(first)
			fallthrough
		default:
			b.WriteByte('\n')
			b.WriteString(line)
		}
		n++
	}
	return joined(first, n, &b), false
}

func joined(first string, n int, b *strings.Builder) string {
	if n <= 1 {
		return first
	}
	return b.String()
}

// resultLines reads expected result lines up to a blank line. When no
// comment is dropped from among them they are a slice of the file's lines,
// not a copy.
func (p *parser) resultLines() []string {
	start := p.i
	contiguous := true
	var out []string
	for {
		line, ok := p.peek()
		if !ok || line == "" {
			break
		}
		before := p.i
		p.next()
		if p.i != before+1 && contiguous {
			// next skipped comment lines: copy what we have so far.
			contiguous = false
			out = append(out, p.lines[start:before]...)
		}
		if !contiguous {
			out = append(out, line)
		}
	}
	if contiguous {
		if p.i == start {
			return nil
		}
		return p.lines[start:p.i:p.i]
	}
	return out
}

// multilineError reads an expected error message under `----`. It ends at
// two blank lines, at the end of the file, or at a blank line followed by
// the start of another record; single blank lines inside the message (as in
// "Caused by:" sections) are kept.
func (p *parser) multilineError() string {
	var lines []string
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		if line == "" {
			following := ""
			if p.i+1 < len(p.lines) {
				following = p.lines[p.i+1]
			}
			if following == "" || isComment(following) || directives[firstWord(following)] {
				break
			}
		}
		lines = append(lines, line)
		p.i++
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func firstWord(s string) string {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// errorExpect parses what follows `error` on a statement or query header:
// nothing, `pgcode XXXXX [regex]`, or a regex. In SQLite's format anything
// after `error` is a comment.
func (p *parser) errorExpect(line string) (*ErrorExpect, error) {
	rest := strings.TrimSpace(line)
	// Drop "statement"/"query" and "error".
	for range 2 {
		rest = strings.TrimLeft(rest, " \t")
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			rest = rest[i:]
		} else {
			rest = ""
		}
	}
	rest = strings.TrimSpace(rest)
	e := &ErrorExpect{}
	if rest == "" || (p.dialect == DialectSQLite && strings.HasPrefix(rest, "#")) {
		return e, nil
	}
	words := strings.Fields(rest)
	if words[0] == "pgcode" {
		if len(words) < 2 || !isSQLState(words[1]) {
			return nil, fmt.Errorf("pgcode needs a five-character SQLSTATE")
		}
		e.Code = strings.ToUpper(words[1])
		words = words[2:]
		if len(words) == 0 {
			return e, nil
		}
	}
	re, err := regexp.Compile(strings.Join(words, " "))
	if err != nil {
		return nil, fmt.Errorf("bad error regex: %v", err)
	}
	e.Regex = re
	return e, nil
}

func isSQLState(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// retryTokens parses `retry N backoff <dur>` at the start of words and
// returns the remaining words.
func retryTokens(words []string) (Retry, []string, error) {
	if len(words) < 4 || words[0] != "retry" || words[2] != "backoff" {
		return Retry{}, words, fmt.Errorf("want `retry N backoff <duration>`")
	}
	n, err := strconv.Atoi(words[1])
	if err != nil || n < 0 {
		return Retry{}, words, fmt.Errorf("bad retry count %q", words[1])
	}
	d, err := parseDuration(words[3])
	if err != nil {
		return Retry{}, words, err
	}
	return Retry{Attempts: n, Backoff: d}, words[4:], nil
}

func (p *parser) statement(lineNo int, line string, fields []string) {
	r := Record{Kind: KindStatement, Line: lineNo, Count: -1}
	if len(fields) < 2 {
		p.invalid(lineNo, "statement needs ok, error or count")
		return
	}
	rest := fields[2:]
	switch fields[1] {
	case "ok":
	case "error":
		e, err := p.errorExpect(line)
		if err != nil {
			p.invalid(lineNo, "%v", err)
			return
		}
		r.Error = e
		rest = nil
	case "count":
		if len(fields) < 3 {
			p.invalid(lineNo, "statement count needs a number")
			return
		}
		n, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil || n < 0 {
			p.invalid(lineNo, "bad statement count %q", fields[2])
			return
		}
		r.Count = n
		rest = fields[3:]
	default:
		p.invalid(lineNo, "statement argument should be ok, error or count, not %q", fields[1])
		return
	}
	if len(rest) > 0 {
		retry, more, err := retryTokens(rest)
		if err != nil || len(more) > 0 {
			if p.dialect != DialectSQLite {
				p.invalid(lineNo, "unexpected words after statement %s: %q", fields[1], strings.Join(rest, " "))
				return
			}
		} else {
			r.Retry = retry
		}
	}
	sql, delimited := p.body()
	r.SQL = sql
	if delimited {
		if r.Error == nil {
			p.invalid(lineNo, "statement has results; use query")
			return
		}
		if r.Error.Code != "" || r.Error.Regex != nil {
			p.invalid(lineNo, "expected error given both inline and under ----")
			return
		}
		r.Error.Message, r.Error.Exact = p.multilineError(), true
	}
	if sql == "" {
		p.invalid(lineNo, "statement without SQL")
		return
	}
	p.simple(r)
}

func (p *parser) query(lineNo int, line string, fields []string) {
	r := Record{Kind: KindQuery, Line: lineNo, Count: -1}
	if len(fields) >= 2 && fields[1] == "error" {
		e, err := p.errorExpect(line)
		if err != nil {
			p.invalid(lineNo, "%v", err)
			return
		}
		r.Error = e
	} else if len(fields) >= 2 {
		r.Types = fields[1]
		if err := p.checkTypes(r.Types); err != nil {
			p.invalid(lineNo, "%v", err)
			return
		}
		words := fields[2:]
		for len(words) > 0 {
			w := words[0]
			if m, ok := parseSortMode(w); ok && r.Sort == SortDefault && r.Label == "" {
				r.Sort = m
				words = words[1:]
				continue
			}
			if w == "retry" {
				retry, more, err := retryTokens(words)
				if err != nil {
					p.invalid(lineNo, "%v", err)
					return
				}
				r.Retry, words = retry, more
				continue
			}
			if r.Label == "" && r.Sort != SortDefault {
				r.Label = w
				words = words[1:]
				continue
			}
			if p.dialect == DialectSQLite {
				if r.Sort == SortDefault {
					p.invalid(lineNo, "unknown sort method %q", w)
					return
				}
				break // SQLite's runner ignores further words
			}
			p.invalid(lineNo, "unexpected word %q in query header", w)
			return
		}
	} else if p.dialect == DialectSQLite {
		p.invalid(lineNo, "missing type string")
		return
	}
	sql, delimited := p.body()
	r.SQL = sql
	if sql == "" {
		p.invalid(lineNo, "query without SQL")
		return
	}
	if delimited {
		if r.Error != nil {
			if r.Error.Code != "" || r.Error.Regex != nil {
				p.invalid(lineNo, "expected error given both inline and under ----")
				return
			}
			r.Error.Message, r.Error.Exact = p.multilineError(), true
		} else {
			r.Results = p.resultLines()
		}
	}
	p.simple(r)
}

func (p *parser) checkTypes(types string) error {
	for i := 0; i < len(types); i++ {
		c := types[i]
		if p.dialect == DialectSQLite {
			if c != 'I' && c != 'R' && c != 'T' {
				return fmt.Errorf("unknown type character %q in type string", c)
			}
			continue
		}
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '?') {
			return fmt.Errorf("unknown type character %q in type string", c)
		}
	}
	return nil
}

func (p *parser) control(lineNo int, fields []string) {
	if len(fields) != 3 {
		p.invalid(lineNo, "control needs a setting and a value")
		return
	}
	switch fields[1] {
	case "sortmode":
		if m, ok := parseSortMode(fields[2]); !ok || m == SortDefault {
			p.invalid(lineNo, "invalid sort mode %q", fields[2])
			return
		}
	case "resultmode":
		if fields[2] != "valuewise" && fields[2] != "rowwise" {
			p.invalid(lineNo, "invalid result mode %q", fields[2])
			return
		}
	case "substitution":
		if fields[2] != "on" && fields[2] != "off" {
			p.invalid(lineNo, "invalid substitution %q", fields[2])
			return
		}
	default:
		p.invalid(lineNo, "unknown control %q", fields[1])
		return
	}
	p.simple(Record{Kind: KindControl, Line: lineNo, Control: append([]string(nil), fields[1:]...)})
}

func (p *parser) system(lineNo int, fields []string) {
	if len(fields) != 2 || fields[1] != "ok" {
		p.invalid(lineNo, "system needs ok")
		return
	}
	cmd, delimited := p.body()
	r := Record{Kind: KindSystem, Line: lineNo, SQL: cmd, Count: -1}
	if delimited {
		r.Results = p.resultLines()
	}
	p.simple(r)
}

func (p *parser) include(lineNo int, pattern string) {
	if p.depth >= maxIncludeDepth {
		p.invalid(lineNo, "include nested more than %d deep", maxIncludeDepth)
		return
	}
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(filepath.Dir(p.file), pattern)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		p.invalid(lineNo, "include: %v", err)
		return
	}
	if len(matches) == 0 {
		p.invalid(lineNo, "include %q matches no file", pattern)
		return
	}
	sort.Strings(matches)
	for _, m := range matches {
		src, err := os.ReadFile(m)
		if err != nil {
			p.invalid(lineNo, "include: %v", err)
			return
		}
		sub := parse(m, string(src), p.forced, p.depth+1)
		p.records = append(p.records, sub.Records...)
	}
}

// parseDuration accepts Go durations ("1s", "500ms") and the humantime
// spellings sqllogictest-rs files use ("1sec", "2min").
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	r := strings.NewReplacer("secs", "s", "sec", "s", "mins", "m", "min", "m", "hours", "h", "hour", "h", "msec", "ms")
	if d, err := time.ParseDuration(r.Replace(s)); err == nil {
		return d, nil
	}
	return 0, fmt.Errorf("invalid duration %q", s)
}
