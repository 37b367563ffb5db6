package pgwire

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/pgerror"
	"portalsdb/sql/auth"
	"portalsdb/types"
)

// fakeEngine is the Engine the tests run the server against. Its sessions
// understand a tiny language, one statement per ';':
//
//	select <item>, ...       one row; an item is an integer (int4), 'text',
//	                         <literal>::<type>, or $n::<type> (echoes param n)
//	values <type>            the rows of fixtureValues[<type>], one column
//	gen <n>                  n rows (id int8, label text), in batches of 7
//	nextfail <n>             n rows of gen, then Next fails with 22012
//	insert                   no rows, tag "INSERT 0 1"
//	error <code> <message>   Prepare fails with that SQLSTATE
//	execerror                Execute fails with 23505 and every error field
//	panic <split|prepare|execute|next>
//	sleep                    Execute waits for its context, then fails 57014
//	block                    Execute waits for fakeEngine.release
//	notice <text>            sends a NOTICE while it runs
//	set timezone <zone>      changes TimeZone and reports it
//	begin | commit | rollback
//	copy <t> from stdin [binary]    stores the data under <t>
//	copy <t> to stdout              sends the text lines stored under <t>
//	copy <t> from stdin fail        fails at once, without reading
//
// A word "bogus" at the start of a statement is a syntax error of the
// whole string (Split fails), and "select nosuchcol" fails Prepare with a
// position inside the statement.
type fakeEngine struct {
	mu     sync.Mutex
	roles  map[string]RoleInfo
	tables map[string][]byte
	// idleNotifier is the Notifier of the last session that ran "idle".
	idleNotifier Notifier

	opened, closed atomic.Int32
	executed       atomic.Int32
	// sleeping receives the context of each "sleep" query as it starts;
	// canceled receives one value as each such query sees its context end.
	sleeping chan context.Context
	canceled chan struct{}
	// release ends the "block" statements, which wait for it, ignoring
	// their context; blocked receives one value as each starts.
	release chan struct{}
	blocked chan struct{}
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		roles: map[string]RoleInfo{
			"postgres": {CanLogin: true, Superuser: true},
			"nologin":  {CanLogin: false},
		},
		tables:   map[string][]byte{},
		sleeping: make(chan context.Context, 16),
		canceled: make(chan struct{}, 16),
		release:  make(chan struct{}),
		blocked:  make(chan struct{}, 16),
	}
}

func (e *fakeEngine) setPassword(user, password string) {
	secret, err := auth.SCRAMSecret(password)
	if err != nil {
		panic(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.roles[user]
	r.CanLogin = true
	r.SCRAMSecret = secret
	e.roles[user] = r
}

func (e *fakeEngine) Role(user string) (RoleInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.roles[user]
	return r, ok
}

func (e *fakeEngine) NewSession(ctx context.Context, user string, params map[string]string, n Notifier) (Session, error) {
	if params["database"] == "nosuchdb" {
		return nil, pgerror.Newf(pgerror.InvalidCatalogName, "database %q does not exist", params["database"])
	}
	e.opened.Add(1)
	return &fakeSession{eng: e, notifier: n, txn: 'I', loc: time.UTC}, nil
}

func (e *fakeEngine) table(name string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]byte(nil), e.tables[name]...)
}

type fakeSession struct {
	eng      *fakeEngine
	notifier Notifier
	txn      byte
	loc      *time.Location
	closed   bool
}

func (s *fakeSession) TimeZone() *time.Location { return s.loc }

func (s *fakeSession) TxnStatus() byte { return s.txn }

func (s *fakeSession) Close() error {
	if s.closed {
		panic("session closed twice")
	}
	s.closed = true
	s.eng.closed.Add(1)
	return nil
}

type fakeRaw struct {
	sql    string
	offset int
}

func (r fakeRaw) SQL() string  { return r.sql }
func (r fakeRaw) Offset() int  { return r.offset }
func (r fakeRaw) word() string { return strings.ToLower(strings.Fields(r.sql + " x")[0]) }

// Split cuts the string at semicolons outside quotes.
func (s *fakeSession) Split(ctx context.Context, query string) ([]RawStatement, error) {
	var out []RawStatement
	start, quoted := 0, false
	flush := func(end int) error {
		text := query[start:end]
		trimmed := strings.TrimLeft(text, " \t\r\n")
		offset := start + len(text) - len(trimmed)
		trimmed = strings.TrimRight(trimmed, " \t\r\n")
		if trimmed == "" {
			return nil
		}
		if strings.HasPrefix(strings.ToLower(trimmed), "bogus") {
			return pgerror.New(pgerror.Syntax, `syntax error at or near "bogus"`).
				WithPosition(charOffset(query, offset) + 1)
		}
		if strings.EqualFold(trimmed, "panic split") {
			panic("boom in Split")
		}
		out = append(out, fakeRaw{sql: trimmed, offset: offset})
		return nil
	}
	for i := 0; i < len(query); i++ {
		switch query[i] {
		case '\'':
			quoted = !quoted
		case ';':
			if !quoted {
				if err := flush(i); err != nil {
					return nil, err
				}
				start = i + 1
			}
		}
	}
	if err := flush(len(query)); err != nil {
		return nil, err
	}
	return out, nil
}

// fakePrepared is an analyzed fake statement.
type fakePrepared struct {
	raw        fakeRaw
	kind       string
	arg        string
	items      []fakeItem
	paramTypes []types.T
	columns    []Column
	copySpec   *CopySpec
}

type fakeItem struct {
	param int // 1-based; 0 for a literal
	typ   types.T
	value types.Datum
}

func (p *fakePrepared) ParamTypes() []types.T { return p.paramTypes }
func (p *fakePrepared) Columns() []Column     { return p.columns }
func (p *fakePrepared) Copy() (CopySpec, bool) {
	if p.copySpec == nil {
		return CopySpec{}, false
	}
	return *p.copySpec, true
}

func (s *fakeSession) Prepare(ctx context.Context, stmt RawStatement, paramOIDs []uint32) (Prepared, error) {
	raw := stmt.(fakeRaw)
	p := &fakePrepared{raw: raw, kind: raw.word()}
	rest := strings.TrimSpace(raw.sql[len(p.kind):])
	p.arg = rest
	switch p.kind {
	case "select":
		if err := s.prepareSelect(p, rest, paramOIDs); err != nil {
			return nil, err
		}
	case "values":
		t, ok := types.FromName(rest)
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", rest)
		}
		p.columns = []Column{{Name: "v", Type: t}}
	case "gen", "nextfail":
		p.columns = []Column{{Name: "id", Type: types.Int8Type, TableOID: 16384, AttrNum: 1}, {Name: "label", Type: types.TextType, TableOID: 16384, AttrNum: 2}}
	case "error":
		code, msg, _ := strings.Cut(rest, " ")
		return nil, pgerror.New(pgerror.Code(code), msg)
	case "panic":
		if rest == "prepare" {
			panic("boom in Prepare")
		}
	case "copy":
		low := strings.ToLower(rest)
		p.copySpec = &CopySpec{In: strings.Contains(low, "from stdin"), Binary: strings.Contains(low, "binary"), Columns: 2}
	case "insert", "execerror", "sleep", "block", "notice", "set", "begin", "commit", "rollback", "idle":
	default:
		return nil, pgerror.Newf(pgerror.Syntax, "syntax error at or near %q", p.kind).WithPosition(1)
	}
	return p, nil
}

func (s *fakeSession) prepareSelect(p *fakePrepared, rest string, paramOIDs []uint32) error {
	if strings.Contains(strings.ToLower(rest), " from ") {
		// Every table has the columns (id int8, label text), as pgx's
		// CopyFrom asks before it sends binary rows.
		p.kind = "table"
		p.columns = []Column{{Name: "id", Type: types.Int8Type}, {Name: "label", Type: types.TextType}}
		return nil
	}
	for i, text := range splitItems(rest) {
		text = strings.TrimSpace(text)
		at := strings.Index(p.raw.sql, text)
		name := "?column?"
		if strings.EqualFold(text, "nosuchcol") {
			return pgerror.New(pgerror.UndefinedColumn, `column "nosuchcol" does not exist`).WithPosition(at + 1)
		}
		lit, typeName, cast := cutCast(text)
		var it fakeItem
		switch {
		case strings.HasPrefix(lit, "$"):
			n, err := strconv.Atoi(lit[1:])
			if err != nil || n < 1 {
				return pgerror.Newf(pgerror.Syntax, "bad parameter %q", lit).WithPosition(at + 1)
			}
			it.param = n
			for len(p.paramTypes) < n {
				p.paramTypes = append(p.paramTypes, types.UnknownType)
			}
			if cast {
				t, ok := types.FromName(typeName)
				if !ok {
					return pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", typeName)
				}
				it.typ = t
			} else if n <= len(paramOIDs) && paramOIDs[n-1] != 0 {
				it.typ, _ = types.FromOid(paramOIDs[n-1])
			} else {
				it.typ = types.TextType
			}
			p.paramTypes[n-1] = it.typ
		case cast:
			t, ok := types.FromName(typeName)
			if !ok {
				return pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", typeName)
			}
			v, err := types.ParseText(t, unquote(lit), &types.Env{Loc: s.loc})
			if err != nil {
				return err
			}
			it.typ, it.value = t, v
			name = strings.TrimPrefix(t.TypName(), "_") // as PostgreSQL names a cast column
		case strings.HasPrefix(lit, "'"):
			it.typ, it.value = types.TextType, unquote(lit)
		default:
			v, err := strconv.ParseInt(lit, 10, 32)
			if err != nil {
				return pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", lit).WithPosition(at + 1)
			}
			it.typ, it.value = types.Int4Type, v
		}
		if it.param > 0 {
			name = "p" + strconv.Itoa(it.param)
		}
		_ = i
		p.items = append(p.items, it)
		p.columns = append(p.columns, Column{Name: name, Type: it.typ})
	}
	return nil
}

// splitItems splits at commas outside quotes, parentheses and brackets.
func splitItems(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

// cutCast splits "<lit>::<type>" at the last "::" outside quotes.
func cutCast(s string) (lit, typeName string, ok bool) {
	quoted, cut := false, -1
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\'' {
			quoted = !quoted
		}
		if !quoted && s[i] == ':' && s[i+1] == ':' {
			cut = i
		}
	}
	if cut < 0 {
		return s, "", false
	}
	lit = strings.TrimSpace(s[:cut])
	// pgx's simple protocol wraps negative numbers in parentheses.
	lit = strings.TrimSuffix(strings.TrimPrefix(lit, "("), ")")
	return strings.TrimSpace(lit), strings.TrimSpace(s[cut+2:]), true
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

func (s *fakeSession) Execute(ctx context.Context, prep Prepared, params []types.Datum, opts ExecOptions) (Result, error) {
	p := prep.(*fakePrepared)
	s.eng.executed.Add(1)
	switch p.kind {
	case "select":
		row := make([]types.Datum, len(p.items))
		for i, it := range p.items {
			if it.param > 0 {
				row[i] = params[it.param-1]
			} else {
				row[i] = it.value
			}
		}
		return newFakeResult(p.columns, [][]types.Datum{row}, 0, "SELECT 1"), nil
	case "table":
		return newFakeResult(p.columns, nil, 0, "SELECT 0"), nil
	case "values":
		vals := fixtureValues[strings.ToLower(p.arg)]
		rows := make([][]types.Datum, len(vals))
		for i, v := range vals {
			rows[i] = []types.Datum{v.datum}
		}
		return newFakeResult(p.columns, rows, 0, "SELECT "+strconv.Itoa(len(rows))), nil
	case "gen", "nextfail":
		n, _ := strconv.Atoi(p.arg)
		rows := make([][]types.Datum, n)
		for i := range rows {
			rows[i] = []types.Datum{int64(i + 1), "row " + strconv.Itoa(i+1)}
		}
		r := newFakeResult(p.columns, rows, 7, "SELECT "+strconv.Itoa(n))
		r.failAtEnd = p.kind == "nextfail"
		r.ctx = ctx
		return r, nil
	case "panic":
		switch p.arg {
		case "execute":
			panic("boom in Execute")
		case "next":
			r := newFakeResult(p.columns, nil, 0, "SELECT 0")
			r.panicInNext = true
			return r, nil
		}
		return newFakeResult(nil, nil, 0, "PANIC"), nil
	case "insert":
		return newFakeResult(nil, nil, 0, "INSERT 0 1"), nil
	case "execerror":
		return nil, &pgerror.Error{Code: pgerror.UniqueViolation, Message: "duplicate key value violates unique constraint \"t_pkey\"",
			Detail: "Key (id)=(1) already exists.", Hint: "Pick another id.", Table: "t", Column: "id", Constraint: "t_pkey"}
	case "sleep":
		s.eng.sleeping <- ctx
		<-ctx.Done()
		s.eng.canceled <- struct{}{}
		return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
	case "block":
		s.eng.blocked <- struct{}{}
		<-s.eng.release
		return newFakeResult(nil, nil, 0, "BLOCK"), nil
	case "notice":
		s.notifier.Notice(&pgerror.Error{Code: pgerror.Warning, Severity: pgerror.SeverityNotice, Message: p.arg})
		return newFakeResult(nil, nil, 0, "NOTICE"), nil
	case "idle":
		s.eng.mu.Lock()
		s.eng.idleNotifier = s.notifier
		s.eng.mu.Unlock()
		return newFakeResult(nil, nil, 0, "IDLE"), nil
	case "set":
		f := strings.Fields(strings.ReplaceAll(p.arg, "=", " "))
		if len(f) == 3 && strings.EqualFold(f[1], "to") {
			f = []string{f[0], f[2]}
		}
		if len(f) == 2 && strings.EqualFold(f[0], "timezone") {
			loc, err := time.LoadLocation(unquote(f[1]))
			if err != nil {
				return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", f[1])
			}
			s.loc = loc
			s.notifier.ParameterStatus("TimeZone", loc.String())
		}
		return newFakeResult(nil, nil, 0, "SET"), nil
	case "begin":
		s.txn = 'T'
		return newFakeResult(nil, nil, 0, "BEGIN"), nil
	case "commit", "rollback":
		tag := strings.ToUpper(p.kind)
		if s.txn == 'E' {
			tag = "ROLLBACK"
		}
		s.txn = 'I'
		return newFakeResult(nil, nil, 0, tag), nil
	case "copy":
		return s.copy(p, opts)
	}
	return nil, pgerror.Internalf("unhandled fake statement %q", p.kind)
}

func (s *fakeSession) copy(p *fakePrepared, opts ExecOptions) (Result, error) {
	table := strings.Trim(strings.Fields(p.arg)[0], `"`)
	if !p.copySpec.In {
		data := s.eng.table(table)
		lines := 0
		for _, line := range bytes.SplitAfter(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			if err := opts.CopyOut(line); err != nil {
				return nil, err
			}
			lines++
		}
		return newFakeResult(nil, nil, 0, "COPY "+strconv.Itoa(lines)), nil
	}
	if strings.HasSuffix(strings.ToLower(p.arg), " fail") {
		return nil, pgerror.New(pgerror.BadCopyFileFormat, "refusing the data without reading it")
	}
	data, err := io.ReadAll(opts.CopyIn)
	if err != nil {
		return nil, err
	}
	if !p.copySpec.Binary {
		// Text COPY ends at a line "\." if there is one: psql sends it
		// as data, and the COPY text parser (the SQL layer's) stops there.
		if i := bytes.Index(append([]byte("\n"), data...), []byte("\n\\.\n")); i >= 0 {
			data = data[:i]
		}
	}
	rows := bytes.Count(data, []byte("\n"))
	if p.copySpec.Binary {
		tuples, err := parseBinaryCopy(data)
		if err != nil {
			return nil, pgerror.New(pgerror.BadCopyFileFormat, err.Error())
		}
		rows = len(tuples)
		var text bytes.Buffer
		for _, t := range tuples {
			fmt.Fprintf(&text, "%s\t%s\n", t[0], t[1])
		}
		data = text.Bytes()
	}
	s.eng.mu.Lock()
	s.eng.tables[table] = append(s.eng.tables[table], data...)
	s.eng.mu.Unlock()
	return newFakeResult(nil, nil, 0, "COPY "+strconv.Itoa(rows)), nil
}

// parseBinaryCopy reads PostgreSQL's binary COPY format with two columns,
// int8 and text, into their text forms ("\N" for NULL).
func parseBinaryCopy(data []byte) ([][2]string, error) {
	sig := []byte("PGCOPY\n\xff\r\n\x00")
	if !bytes.HasPrefix(data, sig) || len(data) < len(sig)+8 {
		return nil, fmt.Errorf("missing binary COPY signature")
	}
	data = data[len(sig)+4:]
	ext := binary.BigEndian.Uint32(data)
	data = data[4+ext:]
	var out [][2]string
	for {
		if len(data) == 0 {
			return out, nil // the trailer is optional, as in PostgreSQL
		}
		if len(data) < 2 {
			return nil, fmt.Errorf("binary COPY data ends in the middle of a row")
		}
		n := int16(binary.BigEndian.Uint16(data))
		data = data[2:]
		if n == -1 {
			return out, nil
		}
		if n != 2 {
			return nil, fmt.Errorf("row has %d fields, want 2", n)
		}
		var row [2]string
		for i := 0; i < 2; i++ {
			l := int32(binary.BigEndian.Uint32(data))
			data = data[4:]
			if l < 0 {
				row[i] = `\N`
				continue
			}
			v := data[:l]
			data = data[l:]
			if i == 0 {
				row[i] = strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10)
			} else {
				row[i] = string(v)
			}
		}
		out = append(out, row)
	}
}

// fakeResult serves rows in batches of batchSize (all in one when 0).
type fakeResult struct {
	// ctx, when set, is the context Execute got: as the real engine's
	// plans do, the result reads it until its end and fails once it is
	// canceled.
	ctx         context.Context
	batches     []arrow.RecordBatch
	tag         string
	failAtEnd   bool
	panicInNext bool
	closed      bool
}

func newFakeResult(cols []Column, rows [][]types.Datum, batchSize int, tag string) *fakeResult {
	r := &fakeResult{tag: tag}
	if cols == nil {
		return r
	}
	if batchSize == 0 {
		batchSize = max(len(rows), 1)
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	for start := 0; start < len(rows) || start == 0; start += batchSize {
		end := min(start+batchSize, len(rows))
		arrs := make([]arrow.Array, len(cols))
		for i, c := range cols {
			ds := make([]types.Datum, 0, end-start)
			for _, row := range rows[start:end] {
				ds = append(ds, row[i])
			}
			arrs[i] = types.ArrayFromDatums(c.Type, ds)
		}
		r.batches = append(r.batches, array.NewRecordBatch(schema, arrs, int64(end-start)))
		if end == len(rows) {
			break
		}
	}
	return r
}

func (r *fakeResult) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.panicInNext {
		panic("boom in Next")
	}
	if r.ctx != nil && r.ctx.Err() != nil {
		return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
	}
	if len(r.batches) == 0 {
		if r.failAtEnd {
			return nil, pgerror.New(pgerror.DivisionByZero, "division by zero")
		}
		return nil, io.EOF
	}
	b := r.batches[0]
	r.batches = r.batches[1:]
	return b, nil
}

func (r *fakeResult) Tag() string  { return r.tag }
func (r *fakeResult) Close() error { r.closed = true; return nil }
