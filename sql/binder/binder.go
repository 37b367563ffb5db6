package binder

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// Relation is what a name in FROM resolves to.
type Relation struct {
	// Table is the catalog descriptor.
	Table *catalog.Table
	// Ref describes a stored table for scanning; nil for views.
	Ref *logical.TableRef
	// Virtual, when set, produces a system relation's rows.
	Virtual *Virtual
}

// Virtual is a system relation computed on demand (pg_catalog,
// information_schema, portals_catalog).
type Virtual struct {
	Name    string
	Columns []logical.TableColumn
	// Impl is handed to the executor through a FunctionScan.
	Impl any
}

// Catalog is what the binder needs to resolve names.
type Catalog interface {
	// Relation resolves a relation name; schema is empty for an
	// unqualified name, which follows the search path.
	Relation(schema, name string) (*Relation, error)
	// ParseView parses a view's stored query.
	ParseView(t *catalog.Table) (*pg.Node, error)
	// SetReturningFunction resolves a function in FROM that is not a
	// built-in (portal calls); ok is false when there is none.
	SetReturningFunction(name string, argTypes []types.T) (*SRF, bool, error)
}

// SRF is a set-returning function usable in FROM.
type SRF struct {
	Name     string
	ArgTypes []types.T
	Columns  []logical.TableColumn
	Impl     any
}

// Bound is a bound statement.
type Bound struct {
	Plan logical.Node
	// Columns are the result columns; nil when the statement returns no
	// rows.
	Columns []logical.Column
	// Params are the types of $1.., inferred where the client left them
	// open.
	Params []types.T
	// Kind is the statement's command: SELECT, INSERT, UPDATE, DELETE.
	Kind string
}

// Binder binds the statements of one session. It is not safe for
// concurrent use.
type Binder struct {
	cat    Catalog
	reg    *expr.Registry
	params []types.T
	nextID expr.ColumnID
	nextWT int
	// ctes are the common table expressions in scope, innermost last.
	ctes []*cteScope
	// viewDepth guards against views that refer to themselves.
	viewDepth int
	// env is the session's time zone and clock, for literals and
	// constant folding that depend on them; nil means UTC.
	env *types.Env
	// args names the parameters of a portal's body: a name that is no
	// column resolves to the argument, as in a SQL function.
	args *namedArgs
}

type namedArgs struct {
	owner string // the portal, which qualifies its arguments: reserve.p_qty
	names []string
}

// SetArgNames names parameters $1.. for a portal's body: an unqualified
// name that no column in scope has, or one qualified by owner, is the
// argument of that name. Columns win over arguments, as in PostgreSQL's
// SQL functions.
func (b *Binder) SetArgNames(owner string, names []string) {
	b.args = &namedArgs{owner: owner, names: names}
}

// namedArg resolves a column reference to a portal argument.
func (b *Binder) namedArg(qual, name string) (expr.Expr, bool) {
	if b.args == nil || (qual != "" && qual != b.args.owner) {
		return nil, false
	}
	for i, n := range b.args.names {
		if n == name {
			return &expr.Param{Index: i + 1, T: b.params[i]}, true
		}
	}
	return nil, false
}

// SetEnv gives the binder the session's time zone and clock: typed
// literals such as timestamptz '2024-01-01 10:00' are read, and constant
// expressions folded, in the session's zone, as PostgreSQL does at parse
// analysis.
func (b *Binder) SetEnv(env *types.Env) { b.env = env }

// New returns a binder for one statement. paramTypes are the types the
// client declared (Unknown where it did not).
func New(cat Catalog, paramTypes []types.T) *Binder {
	p := make([]types.T, len(paramTypes))
	copy(p, paramTypes)
	return &Binder{cat: cat, reg: expr.Builtins, params: p}
}

func (b *Binder) newID() expr.ColumnID {
	b.nextID++
	return b.nextID
}

// NextColumnID returns an id no column of the bound plan uses, for
// rewrites that add columns.
func (b *Binder) NextColumnID() expr.ColumnID { return b.newID() }

// Bind binds one statement: SELECT, VALUES, INSERT, UPDATE or DELETE.
func (b *Binder) Bind(stmt *pg.Node) (*Bound, error) {
	var bound *Bound
	var err error
	switch {
	case stmt.GetSelectStmt() != nil:
		var plan logical.Node
		plan, err = b.bindSelect(stmt.GetSelectStmt(), nil)
		if err == nil {
			bound = &Bound{Plan: plan, Columns: plan.Columns(), Kind: "SELECT"}
		}
	case stmt.GetInsertStmt() != nil:
		bound, err = b.bindInsert(stmt.GetInsertStmt())
	case stmt.GetUpdateStmt() != nil:
		bound, err = b.bindUpdate(stmt.GetUpdateStmt())
	case stmt.GetDeleteStmt() != nil:
		bound, err = b.bindDelete(stmt.GetDeleteStmt())
	default:
		return nil, pgerror.Unsupportedf("statement is not a query")
	}
	if err != nil {
		return nil, err
	}
	for i, p := range b.params {
		if p.Kind == types.Unknown {
			// PostgreSQL leaves an unused or unconstrained parameter as
			// text.
			b.params[i] = types.TextType
		}
	}
	bound.Params = b.params
	return bound, nil
}

// scopeCol is a column visible to name resolution.
type scopeCol struct {
	qualifier string // the table alias or name
	name      string
	id        expr.ColumnID
	typ       types.T
	// hidden columns (row keys) are never found by name.
	hidden bool
	// system columns (_atom) are found by name but not by *.
	system bool
	// merged marks the output column of a JOIN USING: found unqualified;
	// the qualified names reach the sides' own columns.
	merged bool
	// shadowed marks a side column of a USING join: not found unqualified.
	shadowed bool
	tableOID uint32
	attNum   int16
	// expr, when set, is what the name stands for: a column a view
	// computes, read by a statement that writes through the view.
	expr expr.Expr
}

// scope is the set of columns an expression can name, with a link to the
// enclosing query's scope for correlated references.
type scope struct {
	cols   []scopeCol
	outer  *scope
	level  *queryLevel
	tables map[string]bool // qualifiers present, to report unknown tables
	// lateral holds the columns of the FROM items left of a JOIN's right
	// side, which a function call there may refer to.
	lateral *scope
	// keyed lists the stored tables in FROM that have a primary key, for
	// grouping by it.
	keyed []keyedTable
}

// keyedTable is one stored table of a FROM clause with a primary key: the
// ids of its columns, and the positions among them of the key columns.
type keyedTable struct {
	ids []expr.ColumnID
	pk  []int
}

// queryLevel tracks one (sub)query being bound: the outer columns it
// refers to.
type queryLevel struct {
	parent     *queryLevel
	correlated []expr.ColumnID
	corrTypes  []types.T
	// aggs collects aggregate calls while binding in aggregate context.
	agg *aggContext
	// inAggArg is set while binding an aggregate's arguments.
	inAggArg bool
	// allowAggs is false in WHERE, JOIN ON and GROUP BY.
	noAggReason string
	// windows collects window function calls.
	win *windowContext
	// srf collects the set-returning calls of the select list while it is
	// bound; nil elsewhere, where they are refused.
	srf *srfContext
}

func (l *queryLevel) addCorrelated(id expr.ColumnID, t types.T) {
	for _, c := range l.correlated {
		if c == id {
			return
		}
	}
	l.correlated = append(l.correlated, id)
	l.corrTypes = append(l.corrTypes, t)
}

func newScope(outer *scope, level *queryLevel) *scope {
	return &scope{outer: outer, level: level, tables: map[string]bool{}}
}

func (s *scope) add(c scopeCol) {
	s.cols = append(s.cols, c)
	if c.qualifier != "" {
		s.tables[c.qualifier] = true
	}
}

// resolve finds a column by optional qualifier and name. It walks out to
// enclosing queries, recording the correlation.
func (s *scope) resolve(qualifier, name string, loc int32) (*scopeCol, error) {
	for cur := s; cur != nil; cur = cur.outer {
		var found *scopeCol
		for i := range cur.cols {
			c := &cur.cols[i]
			if c.hidden || c.name != name {
				continue
			}
			if qualifier == "" && c.shadowed {
				continue
			}
			if qualifier != "" && (c.qualifier != qualifier || c.merged) {
				continue
			}
			if found != nil && found.id != c.id {
				return nil, pgerror.Newf(pgerror.AmbiguousColumn, "column reference %q is ambiguous", name).WithPosition(int(loc) + 1)
			}
			found = c
		}
		if found != nil {
			if cur.level != s.level {
				for l := s.level; l != nil && l != cur.level; l = l.parent {
					if found.expr == nil {
						l.addCorrelated(found.id, found.typ)
						continue
					}
					expr.Walk(found.expr, func(e expr.Expr) bool {
						if r, ok := e.(*expr.ColRef); ok {
							l.addCorrelated(r.ID, r.T)
						}
						return true
					})
				}
			}
			return found, nil
		}
		// A qualifier names the innermost FROM item called so: when that
		// item lacks the column, the name does not reach further out.
		if qualifier != "" && cur.tables[qualifier] {
			return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %s.%s does not exist", qualifier, name).WithPosition(int(loc) + 1)
		}
	}
	if qualifier != "" {
		for cur := s; cur != nil; cur = cur.outer {
			if cur.tables[qualifier] {
				return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %s.%s does not exist", qualifier, name).WithPosition(int(loc) + 1)
			}
		}
		return nil, pgerror.Newf(pgerror.UndefinedTable, "missing FROM-clause entry for table %q", qualifier).WithPosition(int(loc) + 1)
	}
	return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", name).WithPosition(int(loc) + 1)
}

// strVal returns the string of a String node.
func strVal(n *pg.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

// qualifiedName splits a list of String nodes into schema and name,
// dropping a pg_catalog qualifier for built-ins.
func qualifiedName(ns []*pg.Node) (string, string) {
	parts := make([]string, 0, len(ns))
	for _, n := range ns {
		parts = append(parts, strVal(n))
	}
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", parts[0]
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

func funcName(ns []*pg.Node) string {
	schema, name := qualifiedName(ns)
	if schema == "" || schema == "pg_catalog" {
		return strings.ToLower(name)
	}
	return schema + "." + name
}

// leftmostLocation returns the smallest token location inside an
// expression, or -1: where PostgreSQL points for errors about a whole
// expression, such as an assignment of the wrong type.
func leftmostLocation(n *pg.Node) int32 {
	best := int32(-1)
	WalkTree(n, func(m protoreflect.Message) bool {
		if fd := m.Descriptor().Fields().ByName("location"); fd != nil && fd.Kind() == protoreflect.Int32Kind {
			if loc := int32(m.Get(fd).Int()); loc >= 0 && (best < 0 || loc < best) {
				best = loc
			}
		}
		return true
	})
	return best
}

// WalkTree calls visit for every node of the parse tree under n, parents
// before children; visit returns false to skip a node's children. It
// reaches every kind of node, so callers need not list them.
func WalkTree(n *pg.Node, visit func(m protoreflect.Message) bool) {
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if !visit(m) {
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message())
				}
			case !fd.IsMap() && fd.Kind() == protoreflect.MessageKind:
				walk(v.Message())
			}
			return true
		})
	}
	if n != nil {
		walk(n.ProtoReflect())
	}
}

// assignErr places an error of assigning expression n to a column at n,
// as PostgreSQL does.
func assignErr(err error, n *pg.Node) error {
	return posErr(pgerror.Flatten(err), leftmostLocation(n))
}

func posErr(err *pgerror.Error, loc int32) error {
	if loc >= 0 && err.Position == 0 {
		return err.WithPosition(int(loc) + 1)
	}
	return err
}
