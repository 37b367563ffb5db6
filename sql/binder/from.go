package binder

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// cteScope is a WITH clause's names.
type cteScope struct {
	ctes map[string]*boundCTE
}

type boundCTE struct {
	cte  *logical.CTE
	cols []logical.Column
	// work is set while the recursive term of a recursive CTE is bound.
	work     *logical.WorkTable
	workCols []logical.Column
}

// bindWith binds a WITH clause and makes its names visible until pop.
func (b *Binder) bindWith(w *pg.WithClause, outer *scope, lvl *queryLevel) (func(), error) {
	cs := &cteScope{ctes: map[string]*boundCTE{}}
	b.ctes = append(b.ctes, cs)
	pop := func() { b.ctes = b.ctes[:len(b.ctes)-1] }
	for _, n := range w.Ctes {
		c := n.GetCommonTableExpr()
		if _, dup := cs.ctes[c.Ctename]; dup {
			pop()
			return nil, pgerror.Newf(pgerror.DuplicateAlias, "WITH query name %q specified more than once", c.Ctename).WithPosition(int(c.Location) + 1)
		}
		sel := c.Ctequery.GetSelectStmt()
		if sel == nil {
			pop()
			return nil, pgerror.Unsupportedf("data-modifying statements in WITH are not supported").WithPosition(int(c.Location) + 1)
		}
		var plan logical.Node
		var err error
		if w.Recursive && sel.Op == pg.SetOperation_SETOP_UNION && referencesName(sel.Rarg, c.Ctename) {
			plan, err = b.bindRecursiveCTE(c, sel, cs, outer, lvl)
		} else {
			plan, err = b.bindSelectLevel(sel, outer, lvl)
		}
		if err != nil {
			pop()
			return nil, err
		}
		cols := renameCols(plan.Columns(), c.Aliascolnames)
		if len(c.Aliascolnames) > len(cols) {
			pop()
			return nil, pgerror.Newf(pgerror.InvalidColumnReference, "WITH query %q has %d columns available but %d columns specified", c.Ctename, len(cols), len(c.Aliascolnames))
		}
		b.nextWT++
		cs.ctes[c.Ctename] = &boundCTE{cte: &logical.CTE{ID: b.nextWT, Name: c.Ctename, Plan: plan}, cols: cols}
	}
	return pop, nil
}

func renameCols(cols []logical.Column, names []*pg.Node) []logical.Column {
	out := append([]logical.Column(nil), cols...)
	for i, n := range names {
		if i < len(out) {
			out[i].Name = strVal(n)
		}
	}
	return out
}

// referencesName reports whether a query mentions a relation name in FROM.
func referencesName(s *pg.SelectStmt, name string) bool {
	if s == nil {
		return false
	}
	found := false
	var walk func(n *pg.Node)
	walk = func(n *pg.Node) {
		if n == nil || found {
			return
		}
		switch {
		case n.GetRangeVar() != nil:
			if n.GetRangeVar().Relname == name && n.GetRangeVar().Schemaname == "" {
				found = true
			}
		case n.GetJoinExpr() != nil:
			walk(n.GetJoinExpr().Larg)
			walk(n.GetJoinExpr().Rarg)
		case n.GetRangeSubselect() != nil:
			if sel := n.GetRangeSubselect().Subquery.GetSelectStmt(); sel != nil && referencesName(sel, name) {
				found = true
			}
		}
	}
	for _, f := range s.FromClause {
		walk(f)
	}
	return found || referencesName(s.Larg, name) || referencesName(s.Rarg, name)
}

func (b *Binder) bindRecursiveCTE(c *pg.CommonTableExpr, sel *pg.SelectStmt, cs *cteScope, outer *scope, lvl *queryLevel) (logical.Node, error) {
	anchor, err := b.bindSelectLevel(sel.Larg, outer, lvl)
	if err != nil {
		return nil, err
	}
	acols := renameCols(anchor.Columns(), c.Aliascolnames)
	b.nextWT++
	wt := &logical.WorkTable{ID: b.nextWT, Name: c.Ctename}
	bc := &boundCTE{work: wt, workCols: acols}
	cs.ctes[c.Ctename] = bc
	rec, err := b.bindSelectLevel(sel.Rarg, outer, lvl)
	delete(cs.ctes, c.Ctename)
	if err != nil {
		return nil, err
	}
	rcols := rec.Columns()
	if len(rcols) != len(acols) {
		return nil, pgerror.New(pgerror.Syntax, "each UNION query must have the same number of columns")
	}
	casts := make([]expr.Expr, len(rcols))
	need := false
	for i := range rcols {
		if !rcols[i].Type.Same(acols[i].Type) {
			e, err := b.coerce(&expr.ColRef{ID: rcols[i].ID, T: rcols[i].Type}, acols[i].Type, expr.CastAssignment, "")
			if err != nil {
				return nil, pgerror.Newf(pgerror.DatatypeMismatch, "recursive query %q column %d has type %s in non-recursive term but type %s overall",
					c.Ctename, i+1, acols[i].Type, rcols[i].Type)
			}
			casts[i], need = e, true
		} else {
			casts[i] = &expr.ColRef{ID: rcols[i].ID, T: rcols[i].Type}
		}
	}
	if need {
		rec = projectCasts(b, rec, casts)
	}
	cols := make([]logical.Column, len(acols))
	for i, a := range acols {
		cols[i] = logical.Column{ID: b.newID(), Name: a.Name, Type: a.Type}
	}
	return &logical.RecursiveUnion{Anchor: anchor, Recursive: rec, WorkTable: wt, All: sel.All, Cols: cols}, nil
}

func (b *Binder) lookupCTE(name string) *boundCTE {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if c, ok := b.ctes[i].ctes[name]; ok {
			return c
		}
	}
	return nil
}

// bindFrom binds a FROM list: its items are cross-joined (the planner
// orders the joins).
func (b *Binder) bindFrom(items []*pg.Node, outer *scope, lvl *queryLevel) (logical.Node, *scope, error) {
	sc := newScope(outer, lvl)
	if len(items) == 0 {
		return &logical.Values{Rows: [][]expr.Expr{{}}}, sc, nil
	}
	var plan logical.Node
	for _, it := range items {
		p, err := b.bindFromItem(it, sc, outer, lvl)
		if err != nil {
			return nil, nil, err
		}
		switch fs, _ := p.(*logical.FunctionScan); {
		case plan == nil:
			if fs != nil && fs.Lateral {
				return nil, nil, pgerror.Internalf("a first FROM item cannot be lateral")
			}
			plan = p
		case fs != nil && fs.Lateral:
			plan = &logical.LateralJoin{Left: plan, Right: fs}
		default:
			plan = &logical.Join{Kind: logical.InnerJoin, Left: plan, Right: p}
		}
	}
	return plan, sc, nil
}

// bindFromItem binds one FROM item, adding its columns to sc. Lateral items
// see the columns already in sc.
func (b *Binder) bindFromItem(n *pg.Node, sc *scope, outer *scope, lvl *queryLevel) (logical.Node, error) {
	switch {
	case n.GetRangeVar() != nil:
		return b.bindRangeVar(n.GetRangeVar(), sc)
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		sel := rs.Subquery.GetSelectStmt()
		visible := outer
		if rs.Lateral {
			visible = sc
		}
		plan, sublvl, err := b.bindQuery(sel, visible)
		if err != nil {
			return nil, err
		}
		if rs.Lateral && len(sublvl.correlated) > 0 {
			return nil, pgerror.Unsupportedf("LATERAL subqueries that refer to earlier FROM items are not supported yet")
		}
		// A subquery in FROM may refer to the queries enclosing this one:
		// those references correlate this query level too, and are read
		// from the outer row like this level's own.
		for i, id := range sublvl.correlated {
			lvl.addCorrelated(id, sublvl.corrTypes[i])
		}
		alias := ""
		var colnames []*pg.Node
		if rs.Alias != nil {
			alias, colnames = rs.Alias.Aliasname, rs.Alias.Colnames
			if err := checkAlias(sc, alias, -1); err != nil {
				return nil, err
			}
		}
		cols := renameCols(plan.Columns(), colnames)
		for _, c := range cols {
			sc.add(scopeCol{qualifier: alias, name: c.Name, id: c.ID, typ: c.Type})
		}
		if len(colnames) > 0 {
			plan = renamePlan(plan, cols)
		}
		return plan, nil
	case n.GetJoinExpr() != nil:
		return b.bindJoin(n.GetJoinExpr(), sc, outer, lvl)
	case n.GetRangeFunction() != nil:
		return b.bindRangeFunction(n.GetRangeFunction(), sc)
	}
	return nil, pgerror.Unsupportedf("FROM item %s is not supported", nodeName(n))
}

// renamePlan gives a plan's output columns new names (same ids).
func renamePlan(p logical.Node, cols []logical.Column) logical.Node {
	exprs := make([]expr.Expr, len(cols))
	for i, c := range cols {
		exprs[i] = &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}
	}
	return &logical.Project{Input: p, Exprs: exprs, Cols: cols}
}

func (b *Binder) bindRangeVar(rv *pg.RangeVar, sc *scope) (logical.Node, error) {
	alias := rv.Relname
	var colnames []*pg.Node
	if rv.Alias != nil {
		alias, colnames = rv.Alias.Aliasname, rv.Alias.Colnames
	}
	if err := checkAlias(sc, alias, rv.Location); err != nil {
		return nil, err
	}
	if rv.Schemaname == "" {
		if c := b.lookupCTE(rv.Relname); c != nil {
			if c.work != nil {
				cols := make([]logical.Column, len(c.workCols))
				for i, w := range c.workCols {
					cols[i] = logical.Column{ID: b.newID(), Name: w.Name, Type: w.Type}
				}
				cols = renameCols(cols, colnames)
				for _, col := range cols {
					sc.add(scopeCol{qualifier: alias, name: col.Name, id: col.ID, typ: col.Type})
				}
				return &logical.WorkTableScan{WorkTable: c.work, Cols: cols}, nil
			}
			cols := make([]logical.Column, len(c.cols))
			for i, cc := range c.cols {
				cols[i] = logical.Column{ID: b.newID(), Name: cc.Name, Type: cc.Type}
			}
			cols = renameCols(cols, colnames)
			for _, col := range cols {
				sc.add(scopeCol{qualifier: alias, name: col.Name, id: col.ID, typ: col.Type})
			}
			return &logical.CTEScan{CTE: c.cte, Cols: cols}, nil
		}
	}
	rel, err := b.cat.Relation(rv.Schemaname, rv.Relname)
	if err != nil {
		return nil, posErr(pgerror.Flatten(err), rv.Location)
	}
	if len(colnames) > 0 && rel.Table != nil && len(colnames) > len(rel.Table.Columns) {
		return nil, pgerror.Newf(pgerror.InvalidColumnReference, "table %q has %d columns available but %d columns specified", alias, len(rel.Table.Columns), len(colnames))
	}
	switch {
	case rel.Virtual != nil:
		cols := make([]logical.Column, len(rel.Virtual.Columns))
		for i, c := range rel.Virtual.Columns {
			cols[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type}
		}
		cols = renameCols(cols, colnames)
		for _, c := range cols {
			sc.add(scopeCol{qualifier: alias, name: c.Name, id: c.ID, typ: c.Type})
		}
		return &logical.FunctionScan{Name: rel.Virtual.Name, Cols: cols, Impl: rel.Virtual.Impl}, nil
	case rel.Ref != nil:
		scan := &logical.Scan{Table: rel.Ref, Alias: alias}
		for i, c := range rel.Ref.Columns {
			col := logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type, TableOID: rel.Ref.OID, AttrNum: c.AttrNum}
			if i < len(colnames) {
				col.Name = strVal(colnames[i])
			}
			scan.Cols = append(scan.Cols, col)
			sc.add(scopeCol{qualifier: alias, name: col.Name, id: col.ID, typ: col.Type, tableOID: rel.Ref.OID, attNum: c.AttrNum})
		}
		if rel.Ref.Kind == logical.StreamRelation {
			scan.Atom = &logical.Column{ID: b.newID(), Name: "_atom", Type: types.Int8Type}
			sc.add(scopeCol{qualifier: alias, name: "_atom", id: scan.Atom.ID, typ: types.Int8Type, system: true})
		}
		if len(rel.Ref.PrimaryKey) > 0 {
			sc.keyed = append(sc.keyed, keyedTable{ids: logical.IDs(scan.Cols), pk: rel.Ref.PrimaryKey})
		}
		return scan, nil
	case rel.Table != nil && rel.Table.ViewSQL != "":
		if b.viewDepth > 32 {
			return nil, pgerror.Newf(pgerror.InvalidRecursion, "infinite recursion detected in rules for relation %q", rv.Relname)
		}
		node, err := b.cat.ParseView(rel.Table)
		if err != nil {
			return nil, err
		}
		b.viewDepth++
		saved := b.ctes
		b.ctes = nil // a view sees no CTEs of the query that uses it
		plan, err := b.bindSelect(node.GetSelectStmt(), nil)
		b.ctes = saved
		b.viewDepth--
		if err != nil {
			return nil, err
		}
		cols := plan.Columns()
		// The view's stored column names win over its query's.
		for i := range cols {
			if i < len(rel.Table.Columns) {
				cols[i].Name = rel.Table.Columns[i].Name
			}
		}
		cols = renameCols(cols, colnames)
		for _, c := range cols {
			sc.add(scopeCol{qualifier: alias, name: c.Name, id: c.ID, typ: c.Type})
		}
		return renamePlan(plan, cols), nil
	}
	return nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", rv.Relname).WithPosition(int(rv.Location) + 1)
}

func (b *Binder) bindJoin(j *pg.JoinExpr, sc *scope, outer *scope, lvl *queryLevel) (logical.Node, error) {
	lsc := newScope(outer, lvl)
	left, err := b.bindFromItem(j.Larg, lsc, outer, lvl)
	if err != nil {
		return nil, err
	}
	rsc := newScope(outer, lvl)
	rsc.lateral = lsc
	right, err := b.bindFromItem(j.Rarg, rsc, outer, lvl)
	if err != nil {
		return nil, err
	}
	var kind logical.JoinKind
	switch j.Jointype {
	case pg.JoinType_JOIN_INNER:
		kind = logical.InnerJoin
	case pg.JoinType_JOIN_LEFT:
		kind = logical.LeftJoin
	case pg.JoinType_JOIN_RIGHT:
		kind = logical.RightJoin
	case pg.JoinType_JOIN_FULL:
		kind = logical.FullJoin
	default:
		return nil, pgerror.Unsupportedf("join type %v is not supported", j.Jointype)
	}
	js := newScope(outer, lvl)
	js.cols = append(append(js.cols, lsc.cols...), rsc.cols...)
	for q := range lsc.tables {
		js.tables[q] = true
	}
	for q := range rsc.tables {
		if js.tables[q] && q != "" {
			return nil, pgerror.Newf(pgerror.DuplicateAlias, "table name %q specified more than once", q)
		}
		js.tables[q] = true
	}
	join := &logical.Join{Kind: kind, Left: left, Right: right}
	var usingNames []string
	if j.IsNatural {
		for _, lc := range lsc.cols {
			if lc.hidden || lc.shadowed {
				continue
			}
			for _, rc := range rsc.cols {
				if !rc.hidden && !rc.shadowed && rc.name == lc.name {
					usingNames = append(usingNames, lc.name)
				}
			}
		}
	}
	for _, u := range j.UsingClause {
		usingNames = append(usingNames, strVal(u))
	}
	var plan logical.Node = join
	if j.IsNatural || len(j.UsingClause) > 0 {
		var conds []expr.Expr
		var merged []scopeCol
		var mergedExprs []expr.Expr
		lcSeen := map[string]bool{}
		for _, name := range usingNames {
			if lcSeen[name] {
				return nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q appears more than once in USING clause", name)
			}
			lcSeen[name] = true
			l, err := findUnqualified(lsc, name, "left")
			if err != nil {
				return nil, err
			}
			r, err := findUnqualified(rsc, name, "right")
			if err != nil {
				return nil, err
			}
			t, err := commonType([]types.T{l.typ, r.typ}, "JOIN/USING")
			if err != nil {
				return nil, err
			}
			lref, err := b.coerce(&expr.ColRef{ID: l.id, T: l.typ, Name: name}, t, expr.CastImplicit, "")
			if err != nil {
				return nil, err
			}
			rref, err := b.coerce(&expr.ColRef{ID: r.id, T: r.typ, Name: name}, t, expr.CastImplicit, "")
			if err != nil {
				return nil, err
			}
			eq, err := b.callOp("=", []expr.Expr{lref, rref}, 0)
			if err != nil {
				return nil, err
			}
			conds = append(conds, eq)
			var me expr.Expr
			switch kind {
			case logical.RightJoin:
				me = rref
			case logical.FullJoin:
				me = &expr.Coalesce{Args: []expr.Expr{lref, rref}, T: t}
			default:
				me = lref
			}
			mc := scopeCol{name: name, typ: t, merged: true}
			if r, ok := me.(*expr.ColRef); ok {
				mc.id = r.ID
			} else {
				mc.id = b.newID()
			}
			merged = append(merged, mc)
			mergedExprs = append(mergedExprs, me)
		}
		join.On = expr.And(conds...)
		// Side columns named in USING are found only qualified; the merged
		// columns come first, as in PostgreSQL.
		var rest []scopeCol
		for _, c := range js.cols {
			if lcSeen[c.name] {
				c.shadowed = true
			}
			rest = append(rest, c)
		}
		js.cols = append(merged, rest...)
		// Materialize merged columns that are computed (FULL JOIN).
		var projExprs []expr.Expr
		var projCols []logical.Column
		needProj := false
		for i, m := range merged {
			if _, ok := mergedExprs[i].(*expr.ColRef); !ok {
				needProj = true
			}
			projExprs = append(projExprs, mergedExprs[i])
			projCols = append(projCols, logical.Column{ID: m.id, Name: m.name, Type: m.typ})
		}
		if needProj {
			for _, c := range join.Columns() {
				projExprs = append(projExprs, &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name})
				projCols = append(projCols, c)
			}
			plan = &logical.Project{Input: join, Exprs: projExprs, Cols: projCols}
		}
	} else if j.Quals != nil {
		lvl.noAggReason = "JOIN conditions"
		on, err := b.bindExpr(j.Quals, js)
		lvl.noAggReason = ""
		if err != nil {
			return nil, err
		}
		if join.On, err = b.coerceBool(on, "JOIN/ON"); err != nil {
			return nil, err
		}
	}
	if fs, ok := right.(*logical.FunctionScan); ok && fs.Lateral {
		if kind != logical.InnerJoin && kind != logical.LeftJoin {
			return nil, pgerror.New(pgerror.InvalidColumnReference, "invalid reference to FROM-clause entry in a function call").
				WithDetail("The combining JOIN type must be INNER or LEFT for a LATERAL reference.")
		}
		if plan != join {
			return nil, pgerror.Unsupportedf("USING and NATURAL with a lateral function call are not supported")
		}
		plan = &logical.LateralJoin{Left: left, Right: fs, Outer: kind == logical.LeftJoin, On: join.On}
	}
	if j.Alias != nil {
		// JOIN ... AS x hides the inner qualifiers behind x.
		var cols []scopeCol
		for i, c := range js.cols {
			if c.shadowed || c.hidden {
				continue
			}
			c.qualifier = j.Alias.Aliasname
			if i < len(j.Alias.Colnames) {
				c.name = strVal(j.Alias.Colnames[i])
			}
			cols = append(cols, c)
		}
		js.cols = cols
		js.tables = map[string]bool{j.Alias.Aliasname: true}
	}
	for _, c := range js.cols {
		sc.add(c)
	}
	for q := range js.tables {
		sc.tables[q] = true
	}
	return plan, nil
}

func findUnqualified(s *scope, name, side string) (*scopeCol, error) {
	var found *scopeCol
	for i := range s.cols {
		c := &s.cols[i]
		if c.hidden || c.shadowed || c.name != name {
			continue
		}
		if found != nil {
			return nil, pgerror.Newf(pgerror.AmbiguousColumn, "common column name %q appears more than once in %s table", name, side)
		}
		found = c
	}
	if found == nil {
		return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
	}
	return found, nil
}

// bindRangeFunction binds a set-returning function in FROM.
func (b *Binder) bindRangeFunction(rf *pg.RangeFunction, sc *scope) (logical.Node, error) {
	if len(rf.Functions) != 1 || rf.IsRowsfrom {
		return nil, pgerror.Unsupportedf("ROWS FROM is not supported")
	}
	item := rf.Functions[0].GetList().Items[0]
	fc := item.GetFuncCall()
	if fc == nil {
		return nil, pgerror.Unsupportedf("this function call form in FROM is not supported")
	}
	name := funcName(fc.Funcname)
	if name == "tumble" || name == "hop" || name == "session" {
		return b.bindTimeWindow(rf, fc, name, sc)
	}
	// A function in FROM may refer to the FROM items before it, with or
	// without LATERAL, as in PostgreSQL.
	es := sc
	if sc.lateral != nil {
		es = newScope(sc.outer, sc.level)
		es.cols = append(append(es.cols, sc.lateral.cols...), sc.cols...)
		for q := range sc.lateral.tables {
			es.tables[q] = true
		}
		for q := range sc.tables {
			es.tables[q] = true
		}
	}
	args := make([]expr.Expr, len(fc.Args))
	ts := make([]types.T, len(fc.Args))
	for i, a := range fc.Args {
		e, err := b.bindExpr(a, es)
		if err != nil {
			return nil, err
		}
		args[i], ts[i] = e, e.Type()
	}
	lateral := false
	for _, a := range args {
		for id := range expr.ColumnsUsed(a) {
			for _, c := range es.cols {
				if c.id == id {
					lateral = true
				}
			}
		}
	}
	alias := name
	var colnames []*pg.Node
	if rf.Alias != nil {
		alias, colnames = rf.Alias.Aliasname, rf.Alias.Colnames
	}
	cols, impl, err := b.bindSetFunction(name, args, ts, fc.Location)
	if err != nil {
		return nil, err
	}
	// A function of one scalar column takes the alias as its column name;
	// a portal returns a table, whose columns keep their names.
	if _, table := impl.(tableFunction); len(cols) == 1 && rf.Alias != nil && len(colnames) == 0 && !table {
		cols[0].Name = alias
	}
	if rf.Ordinality {
		cols = append(cols, logical.Column{ID: b.newID(), Name: "ordinality", Type: types.Int8Type})
	}
	cols = renameCols(cols, colnames)
	for _, c := range cols {
		sc.add(scopeCol{qualifier: alias, name: c.Name, id: c.ID, typ: c.Type})
	}
	return &logical.FunctionScan{Name: name, Args: args, Cols: cols, Impl: impl, Lateral: lateral, Ordinality: rf.Ordinality}, nil
}

// bindSetFunction resolves a call of a set-returning function in FROM or
// in a select list: its columns, with fresh ids, and its implementation.
// It coerces args in place.
func (b *Binder) bindSetFunction(name string, args []expr.Expr, ts []types.T, loc int32) ([]logical.Column, any, error) {
	var cols []logical.Column
	var impl any
	switch name {
	case "generate_series":
		t, err := b.coerceSeriesArgs(args)
		if err != nil {
			return nil, nil, err
		}
		cols = []logical.Column{{ID: b.newID(), Name: "generate_series", Type: t}}
		impl = "generate_series"
	case "unnest":
		if len(args) != 1 {
			var err error
			if cols, impl, err = b.bindSetFunc(name, args, ts, loc); err != nil {
				return nil, nil, err
			}
			break
		}
		at := args[0].Type()
		if at.Kind == types.Unknown {
			return nil, nil, pgerror.Newf(pgerror.IndeterminateDatatype, "could not determine polymorphic type because input has type unknown")
		}
		if at.Kind != types.Array {
			return nil, nil, pgerror.Newf(pgerror.UndefinedFunction, "function unnest(%s) does not exist", at)
		}
		cols = []logical.Column{{ID: b.newID(), Name: "unnest", Type: at.ElemType()}}
		impl = "unnest"
	default:
		if b.reg.HasSetFunction(name) {
			var err error
			if cols, impl, err = b.bindSetFunc(name, args, ts, loc); err != nil {
				return nil, nil, err
			}
			break
		}
		srf, ok, err := b.cat.SetReturningFunction(name, ts)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s does not exist", name).WithPosition(int(loc) + 1)
		}
		for i := range args {
			if i < len(srf.ArgTypes) {
				if args[i], err = b.coerce(args[i], srf.ArgTypes[i], expr.CastImplicit, ""); err != nil {
					return nil, nil, err
				}
			}
		}
		for _, c := range srf.Columns {
			cols = append(cols, logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type})
		}
		impl = srf.Impl
	}
	return cols, impl, nil
}

// tableFunction is implemented by the catalog's functions that return a
// table of named columns (portals): an alias names the table only.
type tableFunction interface{ ReturnsTable() bool }

// bindSetFunc binds a built-in set-returning function of package expr,
// coercing args in place.
func (b *Binder) bindSetFunc(name string, args []expr.Expr, ts []types.T, loc int32) ([]logical.Column, any, error) {
	call, _, err := b.reg.SetFunction(name, ts)
	if err != nil {
		return nil, nil, posErr(pgerror.Flatten(err), loc)
	}
	for i := range args {
		if args[i], err = b.coerce(args[i], call.ArgTypes[i], expr.CastImplicit, ""); err != nil {
			return nil, nil, err
		}
	}
	cols := make([]logical.Column, len(call.Cols))
	for i, c := range call.Cols {
		cols[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.T}
	}
	return cols, call, nil
}

func (b *Binder) coerceSeriesArgs(args []expr.Expr) (types.T, error) {
	if len(args) < 2 || len(args) > 3 {
		return types.T{}, pgerror.Newf(pgerror.UndefinedFunction, "function generate_series with %d arguments does not exist", len(args))
	}
	ts := []types.T{args[0].Type(), args[1].Type()}
	t, err := commonType(ts, "generate_series")
	if err != nil {
		return types.T{}, err
	}
	switch {
	case t.Kind == types.Unknown || t.Kind == types.Text:
		t = types.Int4Type
	case t.Kind == types.Int2:
		t = types.Int4Type
	case t.IsInteger(), t.Kind == types.Numeric:
	case t.Kind == types.Timestamp || t.Kind == types.TimestampTZ || t.Kind == types.Date:
		if t.Kind == types.Date {
			t = types.TimestampType
		}
	default:
		return types.T{}, pgerror.Newf(pgerror.UndefinedFunction, "function generate_series(%s, %s) does not exist", ts[0], ts[1])
	}
	var err2 error
	for i := 0; i < 2; i++ {
		if args[i], err2 = b.coerce(args[i], t, expr.CastImplicit, ""); err2 != nil {
			return types.T{}, err2
		}
	}
	if len(args) == 3 {
		step := t
		if t.Kind == types.Timestamp || t.Kind == types.TimestampTZ {
			step = types.IntervalType
		}
		if args[2], err2 = b.coerce(args[2], step, expr.CastImplicit, ""); err2 != nil {
			return types.T{}, err2
		}
	}
	return t, nil
}

// bindTimeWindow binds TUMBLE(relation, time, size) and
// HOP(relation, time, slide, size): the relation's columns, then
// window_start and window_end.
func (b *Binder) bindTimeWindow(rf *pg.RangeFunction, fc *pg.FuncCall, name string, sc *scope) (logical.Node, error) {
	want := 3
	if name == "hop" {
		want = 4
	}
	if name == "session" && len(fc.Args) >= 3 {
		// SESSION(relation, time, gap, partition key, ...)
		want = len(fc.Args)
	}
	if len(fc.Args) != want {
		return nil, pgerror.Newf(pgerror.UndefinedFunction, "%s takes %d arguments: (relation, time column, %s)", strings.ToUpper(name), want,
			map[string]string{"tumble": "size", "hop": "slide, size", "session": "gap[, partition key, ...]"}[name]).WithPosition(int(fc.Location) + 1)
	}
	cr := fc.Args[0].GetColumnRef()
	if cr == nil {
		return nil, pgerror.Newf(pgerror.Syntax, "the first argument of %s names a relation", strings.ToUpper(name)).WithPosition(int(fc.Location) + 1)
	}
	rv := &pg.RangeVar{Location: cr.Location}
	switch len(cr.Fields) {
	case 1:
		rv.Relname = strVal(cr.Fields[0])
	case 2:
		rv.Schemaname, rv.Relname = strVal(cr.Fields[0]), strVal(cr.Fields[1])
	default:
		return nil, pgerror.Newf(pgerror.Syntax, "improper relation name in %s", strings.ToUpper(name))
	}
	inner := newScope(sc.outer, sc.level)
	input, err := b.bindRangeVar(rv, inner)
	if err != nil {
		return nil, err
	}
	timeExpr, err := b.bindExpr(fc.Args[1], inner)
	if err != nil {
		return nil, err
	}
	tt := timeExpr.Type()
	if tt.Kind != types.Timestamp && tt.Kind != types.TimestampTZ {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "the time column of %s must be a timestamp, not %s", strings.ToUpper(name), tt)
	}
	durationArgs := fc.Args[2:]
	var partitionBy []expr.Expr
	if name == "session" {
		durationArgs = fc.Args[2:3]
		for _, a := range fc.Args[3:] {
			e, err := b.bindExpr(a, inner)
			if err != nil {
				return nil, err
			}
			partitionBy = append(partitionBy, e)
		}
	}
	durations := make([]int64, 0, 2)
	for _, a := range durationArgs {
		e, err := b.bindExpr(a, newScope(nil, &queryLevel{}))
		if err != nil {
			return nil, err
		}
		if e, err = b.coerce(e, types.IntervalType, expr.CastImplicit, ""); err != nil {
			return nil, err
		}
		v, err := expr.EvalConst(&expr.Ctx{}, e)
		if err != nil {
			return nil, err
		}
		iv, ok := v.(types.IntervalValue)
		if !ok || iv.Months != 0 {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "%s needs fixed-length intervals (no months or years)", strings.ToUpper(name))
		}
		d := int64(iv.Days)*types.MicrosPerDay + iv.Micros
		if d <= 0 {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "%s needs positive intervals", strings.ToUpper(name))
		}
		durations = append(durations, d)
	}
	size, slide := durations[0], durations[0]
	if name == "hop" {
		slide, size = durations[0], durations[1]
		if size%slide != 0 {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "HOP's window size must be a multiple of its slide")
		}
	}
	alias := name
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
	}
	win := &logical.TimeWindow{Input: input, Time: timeExpr, Size: size, Slide: slide}
	if name == "session" {
		win = &logical.TimeWindow{Input: input, Time: timeExpr, Gap: size, PartitionBy: partitionBy}
	}
	win.Cols = append(win.Cols, input.Columns()...)
	for _, c := range inner.cols {
		if c.hidden {
			continue
		}
		c.qualifier = alias
		sc.add(c)
	}
	for _, n := range []string{"window_start", "window_end"} {
		col := logical.Column{ID: b.newID(), Name: n, Type: tt}
		win.Cols = append(win.Cols, col)
		sc.add(scopeCol{qualifier: alias, name: n, id: col.ID, typ: tt})
	}
	return win, nil
}

// checkAlias refuses a second FROM item of the same name in one query
// level (FROM t, t), as PostgreSQL does.
func checkAlias(sc *scope, alias string, loc int32) error {
	if !sc.tables[alias] {
		return nil
	}
	err := pgerror.Newf(pgerror.DuplicateAlias, "table name %q specified more than once", alias)
	if loc >= 0 {
		return err.WithPosition(int(loc) + 1)
	}
	return err
}
