package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/pgerror"
)

// CustomKind is the kind of a portalsdb statement.
type CustomKind uint8

// portalsdb's own statements.
const (
	CreateStream CustomKind = iota + 1
	CreateWorkflow
	CreatePortal
	CreateSequencer
	CreateSplitter
	Subscribe
	DropStream
	DropWorkflow
	DropPortal
	DropSequencer
	DropSplitter
	AlterWorkflow
	AlterSplitter
	AlterStream
	Flush
	ExplainWorkflow
	DeclareSubscribe
)

var customNames = map[CustomKind]string{
	CreateStream: "CREATE STREAM", CreateWorkflow: "CREATE WORKFLOW", CreatePortal: "CREATE PORTAL",
	CreateSequencer: "CREATE SEQUENCER", CreateSplitter: "CREATE SPLITTER", Subscribe: "SUBSCRIBE",
	DropStream: "DROP STREAM", DropWorkflow: "DROP WORKFLOW", DropPortal: "DROP PORTAL",
	DropSequencer: "DROP SEQUENCER", DropSplitter: "DROP SPLITTER", AlterWorkflow: "ALTER WORKFLOW", AlterSplitter: "ALTER SPLITTER",
	AlterStream: "ALTER STREAM", Flush: "FLUSH", ExplainWorkflow: "EXPLAIN WORKFLOW", DeclareSubscribe: "DECLARE CURSOR",
}

func (k CustomKind) String() string { return customNames[k] }

// Custom is a portalsdb statement, recognized by its leading keywords.
type Custom struct {
	Kind CustomKind
	// Tokens are the statement's tokens, for the statement's own parser.
	Tokens []Token
	Text   string
}

// Token is one lexical token of a custom statement.
type Token struct {
	Text    string
	Start   int
	Keyword bool
	// Kind is PostgreSQL's token number (an identifier, a string, an
	// operator character, ...).
	Kind int32
}

// recognizeCustom reports whether text starts with the keywords of a
// portalsdb statement.
func recognizeCustom(text string) (*Custom, bool) {
	toks, ok := scanTokens(text)
	if !ok {
		return nil, false
	}
	word := func(i int) string {
		if i < len(toks) {
			return strings.ToUpper(toks[i].Text)
		}
		return ""
	}
	kind := CustomKind(0)
	first, second := word(0), word(1)
	if second == "OR" && word(2) == "REPLACE" {
		second = word(3)
	}
	switch first {
	case "CREATE":
		if second == "MATERIALIZED" && strings.HasSuffix(strings.ToUpper(strings.Join(lastWords(toks, 4), " ")), "EMIT ON WINDOW CLOSE") {
			kind = CreateWorkflow
			break
		}
		switch second {
		case "STREAM":
			kind = CreateStream
		case "WORKFLOW":
			kind = CreateWorkflow
		case "PORTAL":
			kind = CreatePortal
		case "SEQUENCER":
			kind = CreateSequencer
		case "SPLITTER":
			kind = CreateSplitter
		}
	case "DROP":
		switch second {
		case "STREAM":
			kind = DropStream
		case "WORKFLOW":
			kind = DropWorkflow
		case "PORTAL":
			kind = DropPortal
		case "SEQUENCER":
			kind = DropSequencer
		case "SPLITTER":
			kind = DropSplitter
		}
	case "ALTER":
		switch second {
		case "WORKFLOW":
			kind = AlterWorkflow
		case "SPLITTER":
			kind = AlterSplitter
		case "STREAM":
			kind = AlterStream
		}
	case "EXPLAIN":
		if second == "WORKFLOW" || second == "CREATE" && (word(2) == "WORKFLOW" || word(2) == "MATERIALIZED") {
			kind = ExplainWorkflow
		}
	case "SUBSCRIBE":
		kind = Subscribe
	case "FLUSH":
		kind = Flush
	case "DECLARE":
		// DECLARE name ... CURSOR ... FOR SUBSCRIBE: a cursor over a
		// workflow's changes; other cursors are PostgreSQL's.
		for i := 2; i+2 < len(toks); i++ {
			if word(i) == "CURSOR" {
				for j := i + 1; j+1 < len(toks); j++ {
					if word(j) == "FOR" {
						if word(j+1) == "SUBSCRIBE" {
							kind = DeclareSubscribe
						}
						break
					}
				}
				break
			}
		}
	}
	if kind == 0 {
		return nil, false
	}
	return &Custom{Kind: kind, Tokens: toks, Text: text}, true
}

// scanTokens splits text into tokens, comments left out; ok is false when
// it does not scan or is empty.
func scanTokens(text string) ([]Token, bool) {
	res, err := pg_query.Scan(text)
	if err != nil || len(res.Tokens) == 0 {
		return nil, false
	}
	var toks []Token
	for _, t := range res.Tokens {
		if t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT {
			continue
		}
		toks = append(toks, Token{
			Text:    text[t.Start:t.End],
			Start:   int(t.Start),
			Keyword: t.KeywordKind != pg_query.KeywordKind_NO_KEYWORD,
			Kind:    int32(t.Token),
		})
	}
	return toks, len(toks) > 0
}

// recognizeTokens tokenizes a piece of a statement for a nested parser
// (offset is where it starts in the statement, for error positions).
func recognizeTokens(text string, offset int) (*Custom, bool) {
	toks, ok := scanTokens(text)
	if !ok {
		return nil, false
	}
	return &Custom{Tokens: toks, Text: text}, true
}

// ParseExprText parses one scalar expression embedded at offset in the
// enclosing statement.
func ParseExprText(text string, offset int, enclosing string) (*pg_query.Node, error) {
	tree, err := pg_query.Parse("SELECT " + text)
	if err != nil {
		return nil, shiftPosition(syntaxError("", err), enclosing, offset-len("SELECT "))
	}
	if len(tree.Stmts) != 1 || len(tree.Stmts[0].Stmt.GetSelectStmt().GetTargetList()) != 1 {
		return nil, pgerror.New(pgerror.Syntax, "expected one condition").WithPosition(offset + 1)
	}
	return tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val, nil
}

// ParseQuery parses an embedded query (the AS part of CREATE WORKFLOW,
// say) with PostgreSQL's grammar. offset is its byte offset in the
// enclosing statement, for error positions.
func ParseQuery(text string, offset int, enclosing string) (*pg_query.Node, error) {
	tree, err := pg_query.Parse(text)
	if err != nil {
		return nil, shiftPosition(syntaxError(text, err), enclosing, offset)
	}
	if len(tree.Stmts) != 1 {
		return nil, syntaxError(text, err)
	}
	return tree.Stmts[0].Stmt, nil
}

func lastWords(toks []Token, n int) []string {
	if len(toks) < n {
		n = len(toks)
	}
	out := make([]string, 0, n)
	for _, t := range toks[len(toks)-n:] {
		out = append(out, t.Text)
	}
	return out
}
