package binder

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/sql/catalog"
)

// A DML statement may name an automatically updatable view, as in
// PostgreSQL: a view over one table (or one such view) that only filters
// and renames or computes columns. The statement then writes the base
// table. Its WHERE sees the view's columns, the view's own WHERE limits
// the rows an UPDATE or DELETE reaches, and columns the view computes can
// be read but not assigned. The views are bound here, over the base
// table's columns, so that nothing below the binder knows about them.

// viewLayer is one view a DML statement writes through.
type viewLayer struct {
	view *catalog.Table
	sel  *pg.SelectStmt
	// inner is the qualifier of the view's one FROM item, by which the
	// view's query names the columns below it.
	inner string
}

// dmlTarget is what a DML statement writes: the base table or stream,
// and the views named on the way to it, outermost first.
type dmlTarget struct {
	rel   *Relation
	views []viewLayer
	// name is the relation as the statement named it.
	name string
}

// viewColumn is a column a statement on a view sees.
type viewColumn struct {
	name string
	// base is the base table column it is, or -1 for a computed one.
	base int
}

// viewWhere is a view's WHERE over the rows being written, and whether
// the view's CHECK OPTION makes it a constraint on new rows.
type viewWhere struct {
	view  string
	pred  expr.Expr
	check bool
}

// resolveTarget resolves the relation an INSERT, UPDATE or DELETE
// writes, through any automatically updatable views.
func (b *Binder) resolveTarget(rv *pg.RangeVar, verb string) (*dmlTarget, error) {
	t := &dmlTarget{name: rv.Relname}
	cur := rv
	for {
		rel, err := b.cat.Relation(cur.Schemaname, cur.Relname)
		if err != nil {
			return nil, posErr(pgerror.Flatten(err), rv.Location)
		}
		if rel.Ref != nil || rel.Table == nil || rel.Table.Kind != catalog.KindView {
			if err := checkWritable(rel, cur.Relname, verb); err != nil {
				return nil, err
			}
			t.rel = rel
			return t, nil
		}
		if len(t.views) > 32 {
			return nil, pgerror.Newf(pgerror.InvalidRecursion, "infinite recursion detected in rules for relation %q", rv.Relname)
		}
		node, err := b.cat.ParseView(rel.Table)
		if err != nil {
			return nil, err
		}
		sel := node.GetSelectStmt()
		if why := b.notAutoUpdatable(sel); why != "" {
			return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "cannot %s view %q", verb, rel.Table.Name).
				WithDetail(why).WithHint(viewDMLHint(verb))
		}
		inner := sel.FromClause[0].GetRangeVar()
		qual := inner.Relname
		if inner.Alias != nil {
			qual = inner.Alias.Aliasname
		}
		t.views = append(t.views, viewLayer{view: rel.Table, sel: sel, inner: qual})
		cur = inner
	}
}

func viewDMLHint(verb string) string {
	switch verb {
	case "insert into":
		return "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule."
	case "update":
		return "To enable updating the view, provide an INSTEAD OF UPDATE trigger or an unconditional ON UPDATE DO INSTEAD rule."
	}
	return "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule."
}

// NotAutoUpdatable returns why a view defined by sel cannot be written
// through, in PostgreSQL's words, or "" when it can.
func NotAutoUpdatable(sel *pg.SelectStmt) string {
	return New(nil, nil).notAutoUpdatable(sel)
}

func (b *Binder) notAutoUpdatable(sel *pg.SelectStmt) string {
	switch {
	case sel == nil || sel.Op != pg.SetOperation_SETOP_NONE:
		return "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable."
	case len(sel.ValuesLists) > 0:
		return "Views that do not select from a single table or view are not automatically updatable."
	case sel.WithClause != nil:
		return "Views containing WITH are not automatically updatable."
	case len(sel.DistinctClause) > 0:
		return "Views containing DISTINCT are not automatically updatable."
	case len(sel.GroupClause) > 0:
		return "Views containing GROUP BY are not automatically updatable."
	case sel.HavingClause != nil:
		return "Views containing HAVING are not automatically updatable."
	case sel.LimitCount != nil || sel.LimitOffset != nil:
		return "Views containing LIMIT or OFFSET are not automatically updatable."
	case len(sel.FromClause) != 1 || sel.FromClause[0].GetRangeVar() == nil:
		return "Views that do not select from a single table or view are not automatically updatable."
	}
	var why string
	for _, t := range sel.TargetList {
		eachCall(t.GetResTarget().Val, func(fc *pg.FuncCall) {
			name := funcName(fc.Funcname)
			switch {
			case why != "":
			case fc.Over != nil:
				why = "Views that return window functions are not automatically updatable."
			case fc.AggStar || b.reg.IsAggregate(name):
				why = "Views that return aggregate functions are not automatically updatable."
			case b.isSetReturning(name):
				why = "Views that return set-returning functions are not automatically updatable."
			}
		})
	}
	return why
}

// eachCall calls fn for every function call in an expression, outside
// subqueries (whose aggregates are their own).
func eachCall(n *pg.Node, fn func(*pg.FuncCall)) {
	WalkTree(n, func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg.SubLink:
			return false
		case *pg.FuncCall:
			fn(x)
		}
		return true
	})
}

// viewScope binds the views of t over rows of the base table whose
// columns are base: it returns the scope a statement naming the view
// sees (its columns qualified by alias), the views' WHERE conditions, and
// the view's columns. For a plain table it is the table's own scope.
func (b *Binder) viewScope(t *dmlTarget, base []logical.Column, alias string, lvl *queryLevel) (*scope, []viewWhere, []viewColumn, error) {
	qual := alias
	if len(t.views) > 0 {
		qual = t.views[len(t.views)-1].inner
	}
	// Only the scope the statement sees belongs to its query level; the
	// views' own are apart.
	levelOf := func(outermost bool) *queryLevel {
		if outermost {
			return lvl
		}
		return &queryLevel{}
	}
	sc := newScope(nil, levelOf(len(t.views) == 0))
	cols := make([]viewColumn, len(base))
	for i, c := range base {
		sc.add(scopeCol{qualifier: qual, name: c.Name, id: c.ID, typ: c.Type, tableOID: c.TableOID, attNum: c.AttrNum})
		cols[i] = viewColumn{name: c.Name, base: i}
	}
	var wheres []viewWhere
	// A CASCADED check option checks the views below too; LOCAL only the
	// view itself (and those below with check options of their own).
	cascade := make([]bool, len(t.views))
	for i := 1; i < len(t.views); i++ {
		cascade[i] = cascade[i-1] || t.views[i-1].view.ViewCheckOption == catalog.CheckCascaded
	}
	for i := len(t.views) - 1; i >= 0; i-- {
		v := t.views[i]
		isc := sc
		if w := v.sel.WhereClause; w != nil {
			pred, err := b.bindExpr(w, isc)
			if err != nil {
				return nil, nil, nil, err
			}
			if pred, err = b.coerceBool(pred, "WHERE"); err != nil {
				return nil, nil, nil, err
			}
			wheres = append(wheres, viewWhere{view: v.view.Name, pred: pred, check: cascade[i] || v.view.ViewCheckOption != ""})
		}
		targets, err := b.bindTargets(v.sel.TargetList, isc)
		if err != nil {
			return nil, nil, nil, err
		}
		byID := map[expr.ColumnID]int{}
		for k, c := range isc.cols {
			byID[c.id] = cols[k].base
		}
		next := alias
		if i > 0 {
			next = t.views[i-1].inner
		}
		outer := newScope(nil, levelOf(i == 0))
		var outCols []viewColumn
		for j, tg := range targets {
			if j >= len(v.view.Columns) {
				break
			}
			name := v.view.Columns[j].Name
			c := scopeCol{qualifier: next, name: name, typ: tg.e.Type(), tableOID: tg.tableOID, attNum: tg.attNum}
			vc := viewColumn{name: name, base: -1}
			if r, ok := tg.e.(*expr.ColRef); ok {
				if k, ok := byID[r.ID]; ok {
					c.id, vc.base = r.ID, k
				}
			}
			if vc.base < 0 {
				c.id, c.expr = b.newID(), tg.e
			}
			outer.add(c)
			outCols = append(outCols, vc)
		}
		sc, cols, qual = outer, outCols, next
	}
	return sc, wheres, cols, nil
}

// column finds a view column by name.
func (t *dmlTarget) column(cols []viewColumn, name string) (viewColumn, bool) {
	for _, c := range cols {
		if c.name == name {
			return c, true
		}
	}
	return viewColumn{}, false
}

// assignable returns the base column a statement may assign through view
// column c, or the error PostgreSQL gives.
func (t *dmlTarget) assignable(c viewColumn, verb string) (int, error) {
	if c.base >= 0 {
		return c.base, nil
	}
	return 0, pgerror.Newf(pgerror.FeatureNotSupported, "cannot %s column %q of view %q", verb, c.name, t.name).
		WithDetail("View columns that are not columns of their base relation are not updatable.")
}

// viewChecks turns the views' check options into constraints on the
// rows written.
func viewChecks(wheres []viewWhere) []logical.Check {
	var out []logical.Check
	for _, w := range wheres {
		if w.check {
			out = append(out, logical.Check{Name: w.view, Expr: w.pred, ViewOption: true})
		}
	}
	return out
}

// viewFilter limits the rows an UPDATE or DELETE reaches to those the
// views show.
func viewFilter(plan logical.Node, wheres []viewWhere) logical.Node {
	for _, w := range wheres {
		plan = &logical.Filter{Input: plan, Pred: w.pred}
	}
	return plan
}

// viewCheckOption reads a CREATE VIEW's check option, from WITH CHECK
// OPTION or WITH (check_option = ...).
func viewCheckOption(vs *pg.ViewStmt) (string, error) {
	opt := ""
	switch vs.WithCheckOption {
	case pg.ViewCheckOption_LOCAL_CHECK_OPTION:
		opt = catalog.CheckLocal
	case pg.ViewCheckOption_CASCADED_CHECK_OPTION:
		opt = catalog.CheckCascaded
	}
	for _, o := range vs.Options {
		d := o.GetDefElem()
		if d == nil || d.Defname != "check_option" {
			continue
		}
		v := ""
		if s := d.Arg.GetString_(); s != nil {
			v = strings.ToLower(s.Sval)
		}
		switch v {
		case catalog.CheckLocal, catalog.CheckCascaded:
			opt = v
		default:
			return "", pgerror.New(pgerror.InvalidParameterValue, `invalid value for enum option "check_option": `+v).
				WithDetail(`Valid values are "local" and "cascaded".`)
		}
	}
	return opt, nil
}

// ViewCheckOption returns a CREATE VIEW's check option ("", "local" or
// "cascaded"), refusing one on a view that cannot be written through.
func ViewCheckOption(vs *pg.ViewStmt) (string, error) {
	opt, err := viewCheckOption(vs)
	if err != nil || opt == "" {
		return opt, err
	}
	if why := NotAutoUpdatable(vs.Query.GetSelectStmt()); why != "" {
		return "", pgerror.New(pgerror.FeatureNotSupported, "WITH CHECK OPTION is supported only on automatically updatable views").WithHint(why)
	}
	return opt, nil
}

// insertTargets are the columns an INSERT assigns, in the order of its
// values.
type insertTargets struct {
	t    *dmlTarget
	cols []viewColumn
}

// base returns the base table column the k-th value goes to.
func (tg insertTargets) base(k int) (int, error) {
	return tg.t.assignable(tg.cols[k], "insert into")
}
