package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/planner"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/sql/parser"
	"portalsdb/types"
)

type stmtKind uint8

const (
	kindQuery   stmtKind = iota // SELECT, VALUES, INSERT, UPDATE, DELETE
	kindUtility                 // everything else
)

// prepared is an analyzed statement (pgwire.Prepared).
type prepared struct {
	st       *parser.Statement
	kind     stmtKind
	declared []types.T
	params   []types.T
	cols     []pgwire.Column
	// bound is the query bound against snap; a statement executed after
	// the catalog changed is bound again.
	bound *binder.Bound
	snap  *catalog.Snapshot
	// searchPath is the search_path the statement was bound under: names
	// resolve differently under another.
	searchPath string
	copy       *pgwire.CopySpec
	// plan is a plan of planBound kept for the next execution (see
	// planFor); planBusy says a run is using it.
	plan      *planner.Plan
	planBound *binder.Bound
	planBusy  bool
	// schema is the Arrow schema of cols, made once per binding.
	schema *arrow.Schema
	// feeders are the workflows and pumps upstream of what bound reads,
	// as of the catalog feedersSnap (see feedersOf).
	feeders      []uint32
	feedersBound *binder.Bound
	feedersSnap  *catalog.Snapshot
}

// resultSchema returns the Arrow schema of the statement's result rows.
func (p *prepared) resultSchema() *arrow.Schema {
	if p.schema == nil {
		p.schema = schemaOf(p.cols)
	}
	return p.schema
}

func (p *prepared) ParamTypes() []types.T    { return p.params }
func (p *prepared) Columns() []pgwire.Column { return p.cols }
func (p *prepared) Copy() (pgwire.CopySpec, bool) {
	if p.copy == nil {
		return pgwire.CopySpec{}, false
	}
	return *p.copy, true
}

func isQuery(n *pg.Node) bool {
	return n.GetSelectStmt() != nil || n.GetInsertStmt() != nil || n.GetUpdateStmt() != nil || n.GetDeleteStmt() != nil
}

func (s *Session) prepare(st *parser.Statement, declared []types.T) (*prepared, error) {
	p := &prepared{st: st, declared: declared, kind: kindUtility}
	if st.Custom != nil {
		if st.Custom.Kind == parser.Subscribe {
			sub, err := parser.ParseSubscribe(st.Custom)
			if err != nil {
				return nil, err
			}
			t, _, err := s.catalogView(s.txn).lookupTable(sub.Name.Schema, sub.Name.Name)
			if err != nil {
				return nil, err
			}
			p.cols = subscribeColumns(t)
		}
		if st.Custom.Kind == parser.ExplainWorkflow {
			p.cols = []pgwire.Column{{Name: "QUERY PLAN", Type: types.TextType}}
		}
		p.params = declared
		return p, nil
	}
	n := st.AST
	switch {
	case isQuery(n):
		p.kind = kindQuery
		if err := s.bind(p); err != nil {
			return nil, err
		}
	case n.GetExplainStmt() != nil:
		p.cols = []pgwire.Column{{Name: "QUERY PLAN", Type: types.TextType}}
		if inner := n.GetExplainStmt().Query; isQuery(inner) {
			// Bind now, so that errors and parameter types come at Parse.
			b := binder.New(s.catalogView(s.txn), declared)
			b.SetEnv(s.evalCtx(s.txn, nil).Env)
			bound, err := b.Bind(inner)
			if err != nil {
				return nil, err
			}
			p.params = bound.Params
		}
	case n.GetDeclareCursorStmt() != nil:
		// The query's parameters are the statement's.
		inner, err := s.prepare(&parser.Statement{Text: st.Text, AST: n.GetDeclareCursorStmt().Query}, declared)
		if err != nil {
			return nil, err
		}
		p.params = inner.params
	case n.GetFetchStmt() != nil && !n.GetFetchStmt().Ismove:
		// FETCH returns its cursor's columns.
		c, err := s.lookupCursor(n.GetFetchStmt().Portalname)
		if err != nil {
			return nil, err
		}
		p.cols = c.cols
	case n.GetExecuteStmt() != nil:
		// EXECUTE returns what the named statement returns.
		if target, ok := s.sqlPrepared[n.GetExecuteStmt().Name]; ok {
			p.cols = target.cols
		}
	case n.GetVariableShowStmt() != nil:
		name := strings.ToLower(n.GetVariableShowStmt().Name)
		if name == "all" {
			p.cols = []pgwire.Column{{Name: "name", Type: types.TextType}, {Name: "setting", Type: types.TextType}, {Name: "description", Type: types.TextType}}
		} else {
			p.cols = []pgwire.Column{{Name: showName(name), Type: types.TextType}}
		}
	case n.GetCopyStmt() != nil:
		spec, cols, err := s.prepareCopy(n.GetCopyStmt())
		if err != nil {
			return nil, err
		}
		p.copy = spec
		p.cols = cols
	}
	if p.params == nil {
		p.params = declared
	}
	if st.AsOf != nil && st.AsOf.Param > 0 {
		for len(p.params) < st.AsOf.Param {
			p.params = append(p.params, types.TextType)
		}
		p.params[st.AsOf.Param-1] = types.Int8Type
	}
	return p, nil
}

func showName(name string) string {
	switch name {
	case "time zone":
		return "TimeZone"
	case "transaction isolation level":
		return "transaction_isolation"
	}
	return displayName(name)
}

// bind binds a query against the catalog the session sees now.
func (s *Session) bind(p *prepared) error {
	view := s.catalogView(s.txn)
	b := binder.New(view, p.declared)
	b.SetEnv(s.evalCtx(s.txn, nil).Env)
	bound, err := b.Bind(p.st.AST)
	if err != nil {
		return err
	}
	printRegColumns(b, bound)
	if p.params != nil && len(bound.Params) != len(p.params) {
		return pgerror.New(pgerror.FeatureNotSupported, "cached plan must not change result type")
	}
	p.bound, p.snap, p.params = bound, view.snap, bound.Params
	p.searchPath = s.get("search_path")
	if bound.Columns != nil {
		p.cols = wireColumns(bound.Columns)
		p.schema = nil
	}
	return nil
}
