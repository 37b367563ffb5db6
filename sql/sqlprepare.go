package sql

import (
	"context"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/sql/binder"
	"portalsdb/sql/parser"
	"portalsdb/types"
)

// SQL-level prepared statements: PREPARE name [(types)] AS query,
// EXECUTE name [(args)], DEALLOCATE [PREPARE] name | ALL. They share the
// analysis and plan reuse of protocol-level prepared statements; the names
// live in the session, apart from the protocol's.

func (s *Session) namedStatement(name string) (*prepared, error) {
	p, ok := s.sqlPrepared[name]
	if !ok {
		return nil, pgerror.Newf(pgerror.UndefinedPreparedStatement, "prepared statement %q does not exist", name)
	}
	return p, nil
}

func (s *Session) sqlPrepare(ps *pg.PrepareStmt, text string) (pgwire.Result, error) {
	if _, dup := s.sqlPrepared[ps.Name]; dup {
		return nil, s.fail(pgerror.Newf(pgerror.DuplicatePreparedStatement, "prepared statement %q already exists", ps.Name))
	}
	if !isQuery(ps.Query) {
		return nil, s.fail(pgerror.Newf(pgerror.Syntax, "PREPARE takes SELECT, INSERT, UPDATE, DELETE or VALUES"))
	}
	declared := make([]types.T, len(ps.Argtypes))
	for i, a := range ps.Argtypes {
		t, err := binder.TypeFromName(a.GetTypeName())
		if err != nil {
			return nil, s.fail(err)
		}
		declared[i] = t
	}
	body := text
	if i := strings.Index(strings.ToUpper(text), " AS "); i >= 0 {
		body = strings.TrimSpace(text[i+4:])
	}
	p, err := s.prepare(&parser.Statement{Text: body, AST: ps.Query}, declared)
	if err != nil {
		return nil, s.fail(err)
	}
	if s.sqlPrepared == nil {
		s.sqlPrepared = map[string]*prepared{}
	}
	s.sqlPrepared[ps.Name] = p
	return &tagResult{tag: "PREPARE"}, nil
}

// sqlExecute evaluates EXECUTE's arguments as constants of the statement's
// parameter types and runs it.
func (s *Session) sqlExecute(ctx context.Context, es *pg.ExecuteStmt) (pgwire.Result, error) {
	p, err := s.namedStatement(es.Name)
	if err != nil {
		return nil, s.fail(err)
	}
	if len(es.Params) != len(p.params) {
		return nil, s.fail(pgerror.Newf(pgerror.Syntax, "wrong number of parameters for prepared statement %q", es.Name).
			WithDetail(fmt.Sprintf("Expected %d parameters but got %d.", len(p.params), len(es.Params))))
	}
	view := s.catalogView(s.txn)
	params := make([]types.Datum, len(es.Params))
	for i, n := range es.Params {
		e, err := binder.BindScalar(view, n, nil, "")
		if err != nil {
			return nil, s.fail(err)
		}
		if !e.Type().Same(p.params[i]) {
			if e, err = binder.Coerce(e, p.params[i], "EXECUTE parameter"); err != nil {
				return nil, s.fail(err)
			}
		}
		if params[i], err = expr.EvalConst(s.evalCtx(s.txn, nil), e); err != nil {
			return nil, s.fail(err)
		}
	}
	s.running = p.st.Text
	return s.execQuery(ctx, p, params)
}

func (s *Session) sqlDeallocate(ds *pg.DeallocateStmt) (pgwire.Result, error) {
	if ds.Name == "" {
		s.sqlPrepared = nil
		return &tagResult{tag: "DEALLOCATE ALL"}, nil
	}
	if _, err := s.namedStatement(ds.Name); err != nil {
		return nil, s.fail(err)
	}
	delete(s.sqlPrepared, ds.Name)
	return &tagResult{tag: "DEALLOCATE"}, nil
}
