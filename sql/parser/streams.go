package parser

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/pgerror"
)

// The statements of streams and workflows, parsed from their tokens. Their
// column definitions, expressions and queries are PostgreSQL syntax and go
// through PostgreSQL's grammar.

// QualifiedName is an optionally schema-qualified object name.
type QualifiedName struct{ Schema, Name string }

func (q QualifiedName) String() string {
	if q.Schema != "" {
		return q.Schema + "." + q.Name
	}
	return q.Name
}

// CreateStreamStmt is CREATE STREAM.
type CreateStreamStmt struct {
	Name        QualifiedName
	IfNotExists bool
	// Columns are the column definitions, as CREATE TABLE parses them.
	Columns []*pg.ColumnDef
	// Watermark is WATERMARK FOR column AS expression.
	WatermarkColumn string
	WatermarkExpr   *pg.Node
	WatermarkText   string
	// Options are WITH (name = value, ...).
	Options map[string]string
	// Generator, when set, makes the stream a generator's output.
	Generator     string
	GeneratorArgs map[string]*pg.Node
}

// CreateWorkflowStmt is CREATE WORKFLOW, and CREATE MATERIALIZED VIEW.
type CreateWorkflowStmt struct {
	Name              QualifiedName
	IfNotExists       bool
	OrReplace         bool
	Into              *QualifiedName
	Query             *pg.Node
	QueryText         string
	EmitOnWindowClose bool
	// MaterializedView is set when made by CREATE MATERIALIZED VIEW.
	MaterializedView bool
}

// SubscribeStmt is SUBSCRIBE [TO] name [WITH (...)].
type SubscribeStmt struct {
	Name    QualifiedName
	Options map[string]string
}

// DropObjects is DROP STREAM / WORKFLOW / PORTAL / SEQUENCER / SPLITTER.
type DropObjects struct {
	Kind     string // "stream", "workflow", ...
	Names    []QualifiedName
	IfExists bool
	Cascade  bool
}

// AlterWorkflowStmt is ALTER WORKFLOW name RESUME | SKIP ATOM.
type AlterWorkflowStmt struct {
	Name   QualifiedName
	Action string // "resume" or "skip atom"
}

// cursor walks a custom statement's tokens.
type cursor struct {
	c   *Custom
	pos int
}

func (c *cursor) peek() *Token {
	if c.pos < len(c.c.Tokens) {
		return &c.c.Tokens[c.pos]
	}
	return nil
}

func (c *cursor) word() string {
	if t := c.peek(); t != nil {
		return strings.ToUpper(t.Text)
	}
	return ""
}

func (c *cursor) errAt(msg string) error {
	pos := len(c.c.Text)
	if t := c.peek(); t != nil {
		pos = t.Start
	}
	near := "end of input"
	if t := c.peek(); t != nil {
		near = `"` + t.Text + `"`
	}
	return pgerror.Newf(pgerror.Syntax, "syntax error at or near %s", near).WithDetail(msg).WithPosition(pos + 1)
}

// accept consumes the words if they come next.
func (c *cursor) accept(words ...string) bool {
	for i, w := range words {
		if c.pos+i >= len(c.c.Tokens) || strings.ToUpper(c.c.Tokens[c.pos+i].Text) != w {
			return false
		}
	}
	c.pos += len(words)
	return true
}

func (c *cursor) expect(words ...string) error {
	if !c.accept(words...) {
		return c.errAt("expected " + strings.Join(words, " "))
	}
	return nil
}

// ident reads an identifier: quoted ones keep their case, others fold to
// lower case.
func (c *cursor) ident() (string, error) {
	t := c.peek()
	if t == nil || t.Kind == int32(pg.Token_SCONST) || strings.ContainsAny(t.Text[:1], "(),;=") {
		return "", c.errAt("expected a name")
	}
	c.pos++
	if strings.HasPrefix(t.Text, `"`) {
		return strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`), nil
	}
	return strings.ToLower(t.Text), nil
}

func (c *cursor) qualifiedName() (QualifiedName, error) {
	first, err := c.ident()
	if err != nil {
		return QualifiedName{}, err
	}
	if t := c.peek(); t != nil && t.Text == "." {
		c.pos++
		second, err := c.ident()
		if err != nil {
			return QualifiedName{}, err
		}
		return QualifiedName{Schema: first, Name: second}, nil
	}
	return QualifiedName{Name: first}, nil
}

// parens returns the text inside the parenthesized group that starts at
// the cursor, and moves past it.
func (c *cursor) parens() (string, int, error) {
	t := c.peek()
	if t == nil || t.Text != "(" {
		return "", 0, c.errAt("expected (")
	}
	start := t.Start + 1
	depth := 0
	for ; c.pos < len(c.c.Tokens); c.pos++ {
		switch c.c.Tokens[c.pos].Text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				end := c.c.Tokens[c.pos].Start
				c.pos++
				return c.c.Text[start:end], start, nil
			}
		}
	}
	return "", 0, c.errAt("unbalanced parentheses")
}

func (c *cursor) done() error {
	if c.peek() != nil {
		return c.errAt("unexpected text at the end of the statement")
	}
	return nil
}

// splitTopLevel splits text at commas outside parentheses and quotes.
func splitTopLevel(text string) ([]string, []int, error) {
	res, err := pg.Scan(text)
	if err != nil {
		return nil, nil, pgerror.New(pgerror.Syntax, err.Error())
	}
	var parts []string
	var offs []int
	depth, start := 0, 0
	for _, t := range res.Tokens {
		switch {
		case t.Token == pg.Token_ASCII_40:
			depth++
		case t.Token == pg.Token_ASCII_41:
			depth--
		case t.Token == pg.Token_ASCII_44 && depth == 0:
			parts = append(parts, text[start:t.Start])
			offs = append(offs, start)
			start = int(t.End)
		}
	}
	parts = append(parts, text[start:])
	offs = append(offs, start)
	return parts, offs, nil
}

// parseOptions reads WITH (name = value, ...) through PostgreSQL's
// grammar for table options.
func parseOptions(text string) (map[string]string, error) {
	tree, err := pg.Parse("CREATE TABLE x (a int) WITH (" + text + ")")
	if err != nil {
		return nil, pgerror.Newf(pgerror.Syntax, "bad WITH options: %v", err)
	}
	out := map[string]string{}
	for _, o := range tree.Stmts[0].Stmt.GetCreateStmt().Options {
		de := o.GetDefElem()
		out[strings.ToLower(de.Defname)] = defElemText(de.Arg)
	}
	return out, nil
}

func defElemText(n *pg.Node) string {
	switch {
	case n == nil:
		return "true"
	case n.GetString_() != nil:
		return n.GetString_().Sval
	case n.GetInteger() != nil:
		return strconv.Itoa(int(n.GetInteger().Ival))
	case n.GetFloat() != nil:
		return n.GetFloat().Fval
	case n.GetBoolean() != nil:
		if n.GetBoolean().Boolval {
			return "true"
		}
		return "false"
	case n.GetTypeName() != nil:
		var parts []string
		for _, x := range n.GetTypeName().Names {
			parts = append(parts, x.GetString_().Sval)
		}
		return strings.Join(parts, ".")
	}
	return ""
}

// ParseCreateStream parses CREATE STREAM.
func ParseCreateStream(c *Custom) (*CreateStreamStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("CREATE", "STREAM"); err != nil {
		return nil, err
	}
	s := &CreateStreamStmt{}
	s.IfNotExists = cur.accept("IF", "NOT", "EXISTS")
	var err error
	if s.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	// A generator stream's columns come from its generator; parentheses
	// before FROM GENERATOR hold only its WATERMARK clause.
	var body string
	var off int
	hasBody := false
	if t := cur.peek(); t != nil && t.Text == "(" {
		if body, off, err = cur.parens(); err != nil {
			return nil, err
		}
		hasBody = true
	}
	if cur.accept("FROM", "GENERATOR") {
		if hasBody {
			if err := s.parseGeneratorClauses(body, c.Text, off); err != nil {
				return nil, err
			}
		}
		if s.Generator, err = cur.ident(); err != nil {
			return nil, err
		}
		args, _, err := cur.parens()
		if err != nil {
			return nil, err
		}
		tree, perr := pg.Parse("SELECT f(" + args + ")")
		if perr != nil {
			return nil, pgerror.Newf(pgerror.Syntax, "bad generator arguments: %v", perr)
		}
		s.GeneratorArgs = map[string]*pg.Node{}
		fc := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val.GetFuncCall()
		for _, a := range fc.Args {
			na := a.GetNamedArgExpr()
			if na == nil {
				return nil, pgerror.New(pgerror.Syntax, "generator arguments are named: name => value")
			}
			s.GeneratorArgs[strings.ToLower(na.Name)] = na.Arg
		}
	} else {
		if !hasBody {
			return nil, cur.errAt("expected (")
		}
		parts, offs, err := splitTopLevel(body)
		if err != nil {
			return nil, err
		}
		var cols []string
		for i, p := range parts {
			trimmed := strings.TrimSpace(p)
			if strings.HasPrefix(strings.ToUpper(trimmed), "WATERMARK") {
				if err := s.parseWatermark(trimmed, c.Text, off+offs[i]); err != nil {
					return nil, err
				}
				continue
			}
			cols = append(cols, p)
		}
		if len(cols) == 0 {
			return nil, pgerror.New(pgerror.Syntax, "a stream needs at least one column")
		}
		tree, perr := pg.Parse("CREATE TABLE x (" + strings.Join(cols, ",") + ")")
		if perr != nil {
			return nil, shiftPosition(syntaxError("", perr), c.Text, off-len("CREATE TABLE x ("))
		}
		for _, el := range tree.Stmts[0].Stmt.GetCreateStmt().TableElts {
			cd := el.GetColumnDef()
			if cd == nil {
				return nil, pgerror.New(pgerror.FeatureNotSupported, "streams have no table constraints: they are append-only")
			}
			s.Columns = append(s.Columns, cd)
		}
	}
	if cur.accept("WITH") {
		body, _, err := cur.parens()
		if err != nil {
			return nil, err
		}
		if s.Options, err = parseOptions(body); err != nil {
			return nil, err
		}
	}
	return s, cur.done()
}

// parseGeneratorClauses reads the parentheses of a generator stream, which
// may hold a WATERMARK clause and nothing else.
func (s *CreateStreamStmt) parseGeneratorClauses(body, stmt string, off int) error {
	parts, offs, err := splitTopLevel(body)
	if err != nil {
		return err
	}
	for i, p := range parts {
		trimmed := strings.TrimSpace(p)
		if !strings.HasPrefix(strings.ToUpper(trimmed), "WATERMARK") {
			return pgerror.New(pgerror.Syntax, "a generator stream's columns come from its generator: only a WATERMARK clause goes in its parentheses").
				WithPosition(off + offs[i] + 1)
		}
		if err := s.parseWatermark(trimmed, stmt, off+offs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *CreateStreamStmt) parseWatermark(text, stmt string, offset int) error {
	res, err := pg.Scan(text)
	if err != nil || len(res.Tokens) < 5 {
		return pgerror.New(pgerror.Syntax, "expected WATERMARK FOR column AS expression").WithPosition(offset + 1)
	}
	toks := res.Tokens
	if strings.ToUpper(text[toks[1].Start:toks[1].End]) != "FOR" || strings.ToUpper(text[toks[3].Start:toks[3].End]) != "AS" {
		return pgerror.New(pgerror.Syntax, "expected WATERMARK FOR column AS expression").WithPosition(offset + 1)
	}
	col := text[toks[2].Start:toks[2].End]
	if strings.HasPrefix(col, `"`) {
		col = col[1 : len(col)-1]
	} else {
		col = strings.ToLower(col)
	}
	if s.WatermarkColumn != "" {
		return pgerror.New(pgerror.Syntax, "a stream has at most one watermark").WithPosition(offset + 1)
	}
	s.WatermarkColumn = col
	s.WatermarkText = strings.TrimSpace(text[toks[4].Start:])
	tree, perr := pg.Parse("SELECT " + s.WatermarkText)
	if perr != nil {
		return shiftPosition(syntaxError("", perr), stmt, offset+int(toks[4].Start)-len("SELECT "))
	}
	s.WatermarkExpr = tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	return nil
}

// ParseCreateWorkflow parses CREATE WORKFLOW, and CREATE MATERIALIZED VIEW
// with EMIT ON WINDOW CLOSE.
func ParseCreateWorkflow(c *Custom) (*CreateWorkflowStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("CREATE"); err != nil {
		return nil, err
	}
	w := &CreateWorkflowStmt{}
	w.OrReplace = cur.accept("OR", "REPLACE")
	switch {
	case cur.accept("WORKFLOW"):
	case cur.accept("MATERIALIZED", "VIEW"):
		w.MaterializedView = true
	default:
		return nil, cur.errAt("expected WORKFLOW")
	}
	w.IfNotExists = cur.accept("IF", "NOT", "EXISTS")
	var err error
	if w.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	if cur.accept("INTO") {
		into, err := cur.qualifiedName()
		if err != nil {
			return nil, err
		}
		w.Into = &into
	}
	if err := cur.expect("AS"); err != nil {
		return nil, err
	}
	t := cur.peek()
	if t == nil {
		return nil, cur.errAt("expected a query")
	}
	offset := t.Start
	query := c.Text[offset:]
	// EMIT ON WINDOW CLOSE ends the statement.
	toks := c.Tokens[cur.pos:]
	if n := len(toks); n >= 4 {
		tail := strings.ToUpper(toks[n-4].Text + " " + toks[n-3].Text + " " + toks[n-2].Text + " " + toks[n-1].Text)
		if tail == "EMIT ON WINDOW CLOSE" {
			w.EmitOnWindowClose = true
			query = c.Text[offset:toks[n-4].Start]
		}
	}
	w.QueryText = strings.TrimSpace(query)
	if w.Query, err = ParseQuery(w.QueryText, offset, c.Text); err != nil {
		return nil, err
	}
	if w.Query.GetSelectStmt() == nil {
		return nil, pgerror.New(pgerror.WrongObjectType, "a workflow is defined by a SELECT")
	}
	return w, nil
}

// ParseSubscribe parses SUBSCRIBE [TO] name [WITH (...)].
func ParseSubscribe(c *Custom) (*SubscribeStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("SUBSCRIBE"); err != nil {
		return nil, err
	}
	cur.accept("TO")
	s := &SubscribeStmt{Options: map[string]string{}}
	var err error
	if s.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	if cur.accept("WITH") {
		body, _, err := cur.parens()
		if err != nil {
			return nil, err
		}
		if s.Options, err = parseOptions(body); err != nil {
			return nil, err
		}
	}
	return s, cur.done()
}

// ParseDrop parses DROP STREAM / WORKFLOW / PORTAL / SEQUENCER / SPLITTER.
func ParseDrop(c *Custom) (*DropObjects, error) {
	cur := &cursor{c: c}
	if err := cur.expect("DROP"); err != nil {
		return nil, err
	}
	d := &DropObjects{Kind: strings.ToLower(cur.word())}
	cur.pos++
	d.IfExists = cur.accept("IF", "EXISTS")
	for {
		n, err := cur.qualifiedName()
		if err != nil {
			return nil, err
		}
		d.Names = append(d.Names, n)
		if t := cur.peek(); d.Kind == "portal" && t != nil && t.Text == "(" {
			// DROP PORTAL name(argument types), as DROP FUNCTION allows:
			// portals are not overloaded, so the list only documents.
			if _, _, err := cur.parens(); err != nil {
				return nil, err
			}
		}
		if t := cur.peek(); t == nil || t.Text != "," {
			break
		}
		cur.pos++
	}
	switch {
	case cur.accept("CASCADE"):
		d.Cascade = true
	case cur.accept("RESTRICT"):
	}
	return d, cur.done()
}

// ParseAlterWorkflow parses ALTER WORKFLOW name RESUME | SKIP ATOM.
func ParseAlterWorkflow(c *Custom) (*AlterWorkflowStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("ALTER", "WORKFLOW"); err != nil {
		return nil, err
	}
	a := &AlterWorkflowStmt{}
	var err error
	if a.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	switch {
	case cur.accept("RESUME"):
		a.Action = "resume"
	case cur.accept("SKIP", "ATOM"):
		a.Action = "skip atom"
	default:
		return nil, cur.errAt("expected RESUME or SKIP ATOM")
	}
	return a, cur.done()
}

// AlterStreamStmt is ALTER STREAM name PAUSE | RESUME.
type AlterStreamStmt struct {
	Name  QualifiedName
	Pause bool
}

// ParseAlterStream parses ALTER STREAM name PAUSE | RESUME.
func ParseAlterStream(c *Custom) (*AlterStreamStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("ALTER", "STREAM"); err != nil {
		return nil, err
	}
	a := &AlterStreamStmt{}
	var err error
	if a.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	switch {
	case cur.accept("PAUSE"):
		a.Pause = true
	case cur.accept("RESUME"):
	default:
		return nil, cur.errAt("expected PAUSE or RESUME")
	}
	return a, cur.done()
}

// ExplainWorkflowStmt is EXPLAIN WORKFLOW name, or EXPLAIN CREATE WORKFLOW.
type ExplainWorkflowStmt struct {
	Name   *QualifiedName
	Create *CreateWorkflowStmt
}

// ParseExplainWorkflow parses EXPLAIN WORKFLOW name and EXPLAIN CREATE
// WORKFLOW ....
func ParseExplainWorkflow(c *Custom) (*ExplainWorkflowStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("EXPLAIN"); err != nil {
		return nil, err
	}
	if cur.accept("WORKFLOW") {
		n, err := cur.qualifiedName()
		if err != nil {
			return nil, err
		}
		return &ExplainWorkflowStmt{Name: &n}, cur.done()
	}
	t := cur.peek()
	if t == nil {
		return nil, cur.errAt("expected WORKFLOW or CREATE")
	}
	inner := &Custom{Kind: CreateWorkflow, Tokens: c.Tokens[cur.pos:], Text: c.Text}
	w, err := ParseCreateWorkflow(inner)
	if err != nil {
		return nil, err
	}
	return &ExplainWorkflowStmt{Create: w}, nil
}

// CreatePortalStmt is CREATE PORTAL name(args) RETURNS TABLE (cols) ON
// server AS body.
type CreatePortalStmt struct {
	Name      QualifiedName
	OrReplace bool
	Args      []*pg.ColumnDef
	Returns   []*pg.ColumnDef
	Server    QualifiedName
	Body      *pg.Node
	BodyText  string
}

// ParseCreatePortal parses CREATE PORTAL.
func ParseCreatePortal(c *Custom) (*CreatePortalStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("CREATE"); err != nil {
		return nil, err
	}
	p := &CreatePortalStmt{}
	p.OrReplace = cur.accept("OR", "REPLACE")
	if err := cur.expect("PORTAL"); err != nil {
		return nil, err
	}
	var err error
	if p.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	args, off, err := cur.parens()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(args) != "" {
		if p.Args, err = columnDefs(args, off, c.Text); err != nil {
			return nil, err
		}
	}
	if err := cur.expect("RETURNS", "TABLE"); err != nil {
		return nil, err
	}
	rets, off, err := cur.parens()
	if err != nil {
		return nil, err
	}
	if p.Returns, err = columnDefs(rets, off, c.Text); err != nil {
		return nil, err
	}
	if err := cur.expect("ON"); err != nil {
		return nil, err
	}
	if p.Server, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	if err := cur.expect("AS"); err != nil {
		return nil, err
	}
	t := cur.peek()
	if t == nil {
		return nil, cur.errAt("expected the portal's body")
	}
	p.BodyText = strings.TrimSpace(c.Text[t.Start:])
	if p.Body, err = ParseQuery(p.BodyText, t.Start, c.Text); err != nil {
		return nil, err
	}
	return p, nil
}

// columnDefs parses "name type, ..." through CREATE TABLE's grammar.
func columnDefs(text string, offset int, stmt string) ([]*pg.ColumnDef, error) {
	tree, err := pg.Parse("CREATE TABLE x (" + text + ")")
	if err != nil {
		return nil, shiftPosition(syntaxError("", err), stmt, offset-len("CREATE TABLE x ("))
	}
	var out []*pg.ColumnDef
	for _, el := range tree.Stmts[0].Stmt.GetCreateStmt().TableElts {
		cd := el.GetColumnDef()
		if cd == nil || len(cd.Constraints) > 0 {
			return nil, pgerror.New(pgerror.Syntax, "expected name type pairs").WithPosition(offset + 1)
		}
		out = append(out, cd)
	}
	return out, nil
}

// CreateSequencerStmt is CREATE SEQUENCER name FOR s1, s2, ...
type CreateSequencerStmt struct {
	Name    QualifiedName
	Sources []QualifiedName
}

// namedClause reads CREATE kind name then, the start both CREATE SEQUENCER
// and CREATE SPLITTER share, and returns the cursor after it.
func namedClause(c *Custom, kind, then string) (*cursor, QualifiedName, error) {
	cur := &cursor{c: c}
	if err := cur.expect("CREATE", kind); err != nil {
		return nil, QualifiedName{}, err
	}
	name, err := cur.qualifiedName()
	if err != nil {
		return nil, QualifiedName{}, err
	}
	return cur, name, cur.expect(then)
}

// ParseCreateSequencer parses CREATE SEQUENCER.
func ParseCreateSequencer(c *Custom) (*CreateSequencerStmt, error) {
	cur, name, err := namedClause(c, "SEQUENCER", "FOR")
	if err != nil {
		return nil, err
	}
	s := &CreateSequencerStmt{Name: name}
	for {
		n, err := cur.qualifiedName()
		if err != nil {
			return nil, err
		}
		s.Sources = append(s.Sources, n)
		if !cur.accept(",") {
			break
		}
	}
	return s, cur.done()
}

// SplitDef is one SPLIT name WHERE predicate of a splitter.
type SplitDef struct {
	Name      QualifiedName
	Predicate *pg.Node
	// PredicateText is the predicate's SQL text, as stored.
	PredicateText string
}

// CreateSplitterStmt is CREATE SPLITTER name ON source (SPLIT a WHERE p, ...).
type CreateSplitterStmt struct {
	Name   QualifiedName
	Source QualifiedName
	Splits []SplitDef
}

// ParseCreateSplitter parses CREATE SPLITTER.
func ParseCreateSplitter(c *Custom) (*CreateSplitterStmt, error) {
	cur, name, err := namedClause(c, "SPLITTER", "ON")
	if err != nil {
		return nil, err
	}
	s := &CreateSplitterStmt{Name: name}
	if s.Source, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	body, off, err := cur.parens()
	if err != nil {
		return nil, err
	}
	parts, offs, err := splitTopLevel(body)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		d, err := parseSplitDef(p, off+offs[i], c.Text)
		if err != nil {
			return nil, err
		}
		s.Splits = append(s.Splits, d)
	}
	if len(s.Splits) == 0 {
		return nil, cur.errAt("a splitter needs at least one SPLIT")
	}
	return s, cur.done()
}

// parseSplitDef parses "SPLIT name WHERE predicate".
func parseSplitDef(text string, offset int, stmt string) (SplitDef, error) {
	sub, ok := recognizeTokens(text, offset)
	if !ok {
		return SplitDef{}, pgerror.New(pgerror.Syntax, "expected SPLIT name WHERE condition").WithPosition(offset + 1)
	}
	cur := &cursor{c: sub}
	if err := cur.expect("SPLIT"); err != nil {
		return SplitDef{}, err
	}
	name, err := cur.qualifiedName()
	if err != nil {
		return SplitDef{}, err
	}
	if err := cur.expect("WHERE"); err != nil {
		return SplitDef{}, err
	}
	t := cur.peek()
	if t == nil {
		return SplitDef{}, cur.errAt("expected a condition")
	}
	pred := strings.TrimSpace(sub.Text[t.Start:])
	n, err := ParseExprText(pred, offset+t.Start, stmt)
	if err != nil {
		return SplitDef{}, err
	}
	return SplitDef{Name: name, Predicate: n, PredicateText: pred}, nil
}

// AlterSplitterStmt is ALTER SPLITTER name ADD SPLIT s WHERE p.
type AlterSplitterStmt struct {
	Name QualifiedName
	Add  SplitDef
}

// ParseAlterSplitter parses ALTER SPLITTER.
func ParseAlterSplitter(c *Custom) (*AlterSplitterStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("ALTER", "SPLITTER"); err != nil {
		return nil, err
	}
	a := &AlterSplitterStmt{}
	var err error
	if a.Name, err = cur.qualifiedName(); err != nil {
		return nil, err
	}
	if err := cur.expect("ADD"); err != nil {
		return nil, err
	}
	t := cur.peek()
	if t == nil {
		return nil, cur.errAt("expected SPLIT")
	}
	if a.Add, err = parseSplitDef(c.Text[t.Start:], t.Start, c.Text); err != nil {
		return nil, err
	}
	return a, nil
}

// DeclareSubscribeStmt is DECLARE name [NO SCROLL] CURSOR [WITH[OUT]
// HOLD] FOR SUBSCRIBE ...: a cursor a client FETCHes a workflow's changes
// from.
type DeclareSubscribeStmt struct {
	Name      string
	Hold      bool
	Subscribe *SubscribeStmt
}

// ParseDeclareSubscribe parses DECLARE ... CURSOR ... FOR SUBSCRIBE.
func ParseDeclareSubscribe(c *Custom) (*DeclareSubscribeStmt, error) {
	cur := &cursor{c: c}
	if err := cur.expect("DECLARE"); err != nil {
		return nil, err
	}
	d := &DeclareSubscribeStmt{}
	var err error
	if d.Name, err = cur.ident(); err != nil {
		return nil, err
	}
	for !cur.accept("CURSOR") {
		switch {
		case cur.accept("NO", "SCROLL"), cur.accept("ASENSITIVE"), cur.accept("INSENSITIVE"):
		case cur.accept("SCROLL"):
			return nil, pgerror.New(pgerror.FeatureNotSupported, "a SUBSCRIBE cursor can only scan forward")
		case cur.accept("BINARY"):
			return nil, pgerror.New(pgerror.FeatureNotSupported, "BINARY cursors are not supported")
		default:
			return nil, cur.errAt("syntax error")
		}
	}
	if cur.accept("WITH", "HOLD") {
		d.Hold = true
	} else {
		cur.accept("WITHOUT", "HOLD")
	}
	if err := cur.expect("FOR"); err != nil {
		return nil, err
	}
	d.Subscribe, err = ParseSubscribe(&Custom{Kind: Subscribe, Tokens: c.Tokens[cur.pos:], Text: c.Text})
	return d, err
}
