package parser

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"

	"portalsdb/pgerror"
)

// Statement is one statement of a query string.
type Statement struct {
	// Text is the statement's own text, without the terminating semicolon.
	Text string
	// Offset is the byte offset of Text in the string it came from.
	Offset int
	// AST is the PostgreSQL parse tree; nil for a portalsdb statement.
	AST *pg_query.Node
	// Custom is set for portalsdb's own statements.
	Custom *Custom
	// AsOf is set when the statement reads AS OF ATOM n.
	AsOf *AsOf
}

// AsOf is an AS OF ATOM clause: a constant atom, or a $n parameter.
type AsOf struct {
	Atom  uint64
	Param int
}

// SQL returns the statement text (pgwire.RawStatement).
func (s *Statement) SQL() string { return s.Text }

// StmtOffset returns the statement's byte offset in its query string.
func (s *Statement) StmtOffset() int { return s.Offset }

// Split parses a query string into its statements. Like PostgreSQL, it
// fails as a whole on a syntax error anywhere. An empty or all-comment
// string has no statements.
func Split(query string) ([]*Statement, error) {
	if containsFold(query, "atom") {
		return splitAsOf(query)
	}
	return splitPlain(query)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

// splitAsOf blanks out AS OF ATOM clauses (keeping every other byte where
// it was, so error positions stay right), parses the rest, and gives each
// statement its clause.
func splitAsOf(query string) ([]*Statement, error) {
	res, err := pg_query.Scan(query)
	if err != nil {
		return splitPlain(query)
	}
	type clause struct {
		start, end int
		asOf       AsOf
	}
	var clauses []clause
	toks := res.Tokens
	for i := 0; i+3 < len(toks); i++ {
		w := func(k int) string { return strings.ToUpper(query[toks[i+k].Start:toks[i+k].End]) }
		if w(0) != "AS" || w(1) != "OF" || w(2) != "ATOM" {
			continue
		}
		arg := query[toks[i+3].Start:toks[i+3].End]
		c := clause{start: int(toks[i].Start), end: int(toks[i+3].End)}
		switch {
		case toks[i+3].Token == pg_query.Token_ICONST:
			n, err := strconv.ParseUint(arg, 10, 64)
			if err != nil {
				return nil, pgerror.Newf(pgerror.Syntax, "bad atom %q", arg).WithPosition(c.start + 1)
			}
			c.asOf.Atom = n
		case toks[i+3].Token == pg_query.Token_SCONST:
			// A quoted number: what a client that interpolates its
			// parameters (pgx's simple protocol) sends for $n, and an
			// unknown literal PostgreSQL would read as the number.
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(arg, "'"), "'"), 10, 64)
			if err != nil {
				return nil, pgerror.Newf(pgerror.Syntax, "bad atom %s", arg).WithPosition(int(toks[i+3].Start) + 1)
			}
			c.asOf.Atom = n
		case toks[i+3].Token == pg_query.Token_PARAM:
			n, _ := strconv.Atoi(strings.TrimPrefix(arg, "$"))
			c.asOf.Param = n
		default:
			return nil, pgerror.New(pgerror.Syntax, "AS OF ATOM takes an atom number or a parameter").WithPosition(int(toks[i+3].Start) + 1)
		}
		clauses = append(clauses, c)
		i += 3
	}
	if len(clauses) == 0 {
		return splitPlain(query)
	}
	b := []byte(query)
	for _, c := range clauses {
		for k := c.start; k < c.end; k++ {
			b[k] = ' '
		}
	}
	stmts, err := splitPlain(string(b))
	if err != nil {
		return nil, err
	}
	for _, st := range stmts {
		for _, c := range clauses {
			if c.start < st.Offset || c.start > st.Offset+len(st.Text)+8 {
				continue
			}
			if st.AsOf != nil && *st.AsOf != c.asOf {
				return nil, pgerror.New(pgerror.Syntax, "a statement reads at one atom: its AS OF ATOM clauses differ").WithPosition(c.start + 1)
			}
			a := c.asOf
			st.AsOf = &a
		}
	}
	return stmts, nil
}

func splitPlain(query string) ([]*Statement, error) {
	tree, err := pg_query.Parse(query)
	if err == nil {
		out := make([]*Statement, 0, len(tree.Stmts))
		for _, raw := range tree.Stmts {
			start := int(raw.StmtLocation)
			end := len(query)
			if raw.StmtLen > 0 {
				end = start + int(raw.StmtLen)
			}
			text := query[start:end]
			// Leading white space is part of the location in some cases.
			trimmed := strings.TrimLeft(text, " \t\r\n")
			start += len(text) - len(trimmed)
			out = append(out, &Statement{Text: strings.TrimRight(trimmed, "; \t\r\n"), Offset: start, AST: raw.Stmt})
		}
		return out, nil
	}
	// The grammar refused the string; it may hold portalsdb statements.
	pieces, scanErr := splitTokens(query)
	if scanErr != nil {
		return nil, syntaxError(query, err)
	}
	anyCustom := false
	var out []*Statement
	var pieceErr error
	for _, p := range pieces {
		if c, ok := recognizeCustom(p.text); ok {
			anyCustom = true
			out = append(out, &Statement{Text: p.text, Offset: p.offset, Custom: c})
			continue
		}
		t, perr := pg_query.Parse(p.text)
		if perr != nil {
			if pieceErr == nil {
				pieceErr = shiftPosition(syntaxError(p.text, perr), query, p.offset)
			}
			continue
		}
		for _, raw := range t.Stmts {
			out = append(out, &Statement{Text: p.text, Offset: p.offset, AST: raw.Stmt})
		}
	}
	if !anyCustom {
		// The grammar's own error on the whole string is PostgreSQL's
		// (it sees the ";" that pieces leave out).
		return nil, syntaxError(query, err)
	}
	if pieceErr != nil {
		return nil, pieceErr
	}
	return out, nil
}

type piece struct {
	text   string
	offset int
}

// splitTokens splits query at top-level semicolons, using PostgreSQL's
// scanner so that semicolons in strings and comments do not count.
func splitTokens(query string) ([]piece, error) {
	res, err := pg_query.Scan(query)
	if err != nil {
		return nil, err
	}
	var out []piece
	start := -1
	end := 0
	depth := 0
	flush := func() {
		if start >= 0 {
			out = append(out, piece{text: query[start:end], offset: start})
		}
		start = -1
	}
	for _, tok := range res.Tokens {
		switch {
		case tok.Token == pg_query.Token_ASCII_59 && depth == 0:
			flush()
			continue
		case tok.Token == pg_query.Token_ASCII_40:
			depth++
		case tok.Token == pg_query.Token_ASCII_41:
			depth--
		case tok.Token == pg_query.Token_SQL_COMMENT || tok.Token == pg_query.Token_C_COMMENT:
			continue
		}
		if start < 0 {
			start = int(tok.Start)
		}
		end = int(tok.End)
	}
	flush()
	return out, nil
}

// syntaxError converts a pg_query error into a 42601 error with the
// character position PostgreSQL would report.
func syntaxError(query string, err error) error {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		e := pgerror.New(pgerror.Syntax, pe.Message)
		if strings.HasPrefix(pe.Message, "unterminated") || strings.Contains(pe.Message, "invalid") {
			e.Code = pgerror.Syntax
		}
		if pe.Cursorpos > 0 {
			e.Position = pe.Cursorpos
		}
		return e
	}
	return pgerror.New(pgerror.Syntax, err.Error())
}

// shiftPosition moves the error position of a piece into the whole query,
// counting characters.
func shiftPosition(err error, query string, offset int) error {
	var e *pgerror.Error
	if errors.As(err, &e) && e.Position > 0 {
		return e.WithPosition(e.Position + utf8.RuneCountInString(query[:offset]))
	}
	return err
}
