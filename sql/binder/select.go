package binder

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// bindQuery binds a (sub)query as a new query level whose enclosing scope
// is outer; it returns the plan and the level's correlations.
func (b *Binder) bindQuery(s *pg.SelectStmt, outer *scope) (logical.Node, *queryLevel, error) {
	var parent *queryLevel
	if outer != nil {
		parent = outer.level
	}
	lvl := &queryLevel{parent: parent}
	plan, err := b.bindSelectLevel(s, outer, lvl)
	return plan, lvl, err
}

// bindSelect binds a top-level or FROM-clause query.
func (b *Binder) bindSelect(s *pg.SelectStmt, outer *scope) (logical.Node, error) {
	plan, _, err := b.bindQuery(s, outer)
	return plan, err
}

func (b *Binder) bindSelectLevel(s *pg.SelectStmt, outer *scope, lvl *queryLevel) (logical.Node, error) {
	if s.WithClause != nil {
		pop, err := b.bindWith(s.WithClause, outer, lvl)
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	if s.IntoClause != nil {
		return nil, pgerror.Unsupportedf("SELECT INTO is not supported; use CREATE TABLE AS")
	}
	if len(s.LockingClause) > 0 {
		// FOR UPDATE / FOR SHARE: snapshot isolation with first-committer
		// wins already protects the rows a transaction writes; reading
		// them needs no lock here.
	}
	if s.Op != pg.SetOperation_SETOP_NONE && s.Op != pg.SetOperation_SET_OPERATION_UNDEFINED {
		return b.bindSetOp(s, outer, lvl)
	}
	if len(s.ValuesLists) > 0 {
		v, err := b.bindValues(s.ValuesLists, outer, lvl)
		if err != nil {
			return nil, err
		}
		return b.bindOrderLimitOnOutput(v, s, outer, lvl)
	}
	return b.bindSimpleSelect(s, outer, lvl)
}

// target is one bound output column.
type target struct {
	e    expr.Expr
	name string
	// col describes a plain table column, for RowDescription.
	tableOID uint32
	attNum   int16
}

func (b *Binder) bindSimpleSelect(s *pg.SelectStmt, outer *scope, lvl *queryLevel) (logical.Node, error) {
	return b.bindSimpleSelectOutputs(s, outer, lvl, false)
}

// bindSimpleSelectOutputs binds a SELECT; keepUnknown leaves outputs of
// unknown type (NULL, 'a') unresolved, for a set operation to resolve.
func (b *Binder) bindSimpleSelectOutputs(s *pg.SelectStmt, outer *scope, lvl *queryLevel, keepUnknown bool) (logical.Node, error) {
	input, sc, err := b.bindFrom(s.FromClause, outer, lvl)
	if err != nil {
		return nil, err
	}
	if s.WhereClause != nil {
		lvl.noAggReason = "WHERE"
		w, err := b.bindExpr(s.WhereClause, sc)
		lvl.noAggReason = ""
		if err != nil {
			return nil, err
		}
		if w, err = b.coerceBool(w, "WHERE"); err != nil {
			return nil, err
		}
		input = &logical.Filter{Input: input, Pred: w}
	}

	grouped := len(s.GroupClause) > 0 || s.HavingClause != nil || b.hasAggregates(s)
	lvl.win = &windowContext{defs: s.WindowClause}
	if grouped {
		ac := &aggContext{inputIDs: map[expr.ColumnID]bool{}, checkGrouped: true}
		for _, c := range sc.cols {
			ac.inputIDs[c.id] = true
		}
		lvl.agg = ac
		if err := b.bindGroupBy(s, sc, lvl); err != nil {
			return nil, err
		}
	}

	// Target list.
	srfs := &srfContext{depth: map[expr.ColumnID]int{}}
	lvl.srf = srfs
	targets, err := b.bindTargets(s.TargetList, sc)
	lvl.srf = nil
	if err != nil {
		return nil, err
	}
	var having expr.Expr
	if s.HavingClause != nil {
		h, err := b.bindExpr(s.HavingClause, sc)
		if err != nil {
			return nil, err
		}
		if having, err = b.coerceBool(h, "HAVING"); err != nil {
			return nil, err
		}
	}
	distinct := len(s.DistinctClause) > 0
	distinctOn := distinct && s.DistinctClause[0] != nil && s.DistinctClause[0].Node != nil
	var distinctOnExprs []expr.Expr
	if distinctOn {
		for _, d := range s.DistinctClause {
			e, err := b.bindOrderTerm(d, targets, sc, "DISTINCT ON")
			if err != nil {
				return nil, err
			}
			distinctOnExprs = append(distinctOnExprs, e)
		}
	}
	// ORDER BY terms: output columns by name or ordinal, or expressions.
	var keys []logical.SortKey
	for _, o := range s.SortClause {
		sb := o.GetSortBy()
		e, err := b.bindOrderTerm(sb.Node, targets, sc, "ORDER BY")
		if err != nil {
			return nil, err
		}
		keys = append(keys, sortKey(e, sb))
	}

	// Grouping: build the Aggregate and rewrite expressions over it.
	if grouped {
		ac := lvl.agg
		for i := range targets {
			if targets[i].e, err = b.finalizeGrouped(targets[i].e, ac); err != nil {
				return nil, err
			}
		}
		if having != nil {
			if having, err = b.finalizeGrouped(having, ac); err != nil {
				return nil, err
			}
		}
		for i := range keys {
			if keys[i].Expr, err = b.finalizeGrouped(keys[i].Expr, ac); err != nil {
				return nil, err
			}
		}
		for i := range distinctOnExprs {
			if distinctOnExprs[i], err = b.finalizeGrouped(distinctOnExprs[i], ac); err != nil {
				return nil, err
			}
		}
		for i := range lvl.win.calls {
			wc := &lvl.win.calls[i]
			for j := range wc.Args {
				if wc.Args[j], err = b.finalizeGrouped(wc.Args[j], ac); err != nil {
					return nil, err
				}
			}
			for j := range wc.PartitionBy {
				if wc.PartitionBy[j], err = b.finalizeGrouped(wc.PartitionBy[j], ac); err != nil {
					return nil, err
				}
			}
			for j := range wc.OrderBy {
				if wc.OrderBy[j].Expr, err = b.finalizeGrouped(wc.OrderBy[j].Expr, ac); err != nil {
					return nil, err
				}
			}
		}
		if err := b.finalizeSetCalls(srfs, ac); err != nil {
			return nil, err
		}
		input = b.buildGroupedAggregate(input, ac)
		if having != nil {
			input = &logical.Filter{Input: input, Pred: having}
		}
		lvl.agg = nil
	}
	if len(lvl.win.calls) > 0 {
		input = &logical.Window{Input: input, Funcs: lvl.win.calls}
	}
	lvl.win = nil
	input = srfs.projectSets(input)

	// Unknown-typed outputs become text, and so do the sort keys that
	// name them, so that they still match their output column. Outputs a
	// set operation resolves stay unknown, unless DISTINCT or ORDER BY
	// compares them here first, as in PostgreSQL.
	for i := range targets {
		if targets[i].e.Type().Kind == types.Unknown && (!keepUnknown || distinct || sortsBy(keys, targets[i].e)) {
			orig := targets[i].e
			if targets[i].e, err = b.coerce(targets[i].e, types.TextType, expr.CastImplicit, ""); err != nil {
				return nil, err
			}
			for k := range keys {
				if exprEqual(keys[k].Expr, orig) {
					keys[k].Expr = targets[i].e
				}
			}
		}
	}
	return b.finishSelect(input, targets, keys, distinct, distinctOnExprs, s, sc)
}

// finishSelect projects the targets (plus hidden sort columns), then
// applies DISTINCT, ORDER BY and LIMIT.
func (b *Binder) finishSelect(input logical.Node, targets []target, keys []logical.SortKey, distinct bool,
	distinctOn []expr.Expr, s *pg.SelectStmt, sc *scope) (logical.Node, error) {
	proj := &logical.Project{Input: input}
	for _, t := range targets {
		id := b.newID()
		proj.Exprs = append(proj.Exprs, t.e)
		proj.Cols = append(proj.Cols, logical.Column{ID: id, Name: t.name, Type: t.e.Type(), TableOID: t.tableOID, AttrNum: t.attNum})
	}
	visible := len(proj.Cols)
	// Sort keys refer to output columns where they match a target;
	// otherwise they become hidden columns of the projection.
	outKeys := make([]logical.SortKey, len(keys))
	for i, k := range keys {
		outKeys[i] = k
		matched := false
		for j, t := range targets {
			if exprEqual(k.Expr, t.e) {
				outKeys[i].Expr = &expr.ColRef{ID: proj.Cols[j].ID, T: proj.Cols[j].Type, Name: proj.Cols[j].Name}
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if distinct && len(distinctOn) == 0 {
			return nil, pgerror.New(pgerror.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
		}
		id := b.newID()
		proj.Exprs = append(proj.Exprs, k.Expr)
		proj.Cols = append(proj.Cols, logical.Column{ID: id, Name: "?sort?", Type: k.Expr.Type()})
		outKeys[i].Expr = &expr.ColRef{ID: id, T: k.Expr.Type()}
	}
	var onCols []expr.Expr
	for _, d := range distinctOn {
		matched := false
		for j, t := range targets {
			if exprEqual(d, t.e) {
				onCols = append(onCols, &expr.ColRef{ID: proj.Cols[j].ID, T: proj.Cols[j].Type})
				matched = true
				break
			}
		}
		if !matched {
			id := b.newID()
			proj.Exprs = append(proj.Exprs, d)
			proj.Cols = append(proj.Cols, logical.Column{ID: id, Name: "?distinct?", Type: d.Type()})
			onCols = append(onCols, &expr.ColRef{ID: id, T: d.Type()})
		}
	}
	var plan logical.Node = proj
	if len(distinctOn) > 0 {
		// DISTINCT ON keeps the first row per key in ORDER BY order, whose
		// leading terms must be the DISTINCT ON expressions.
		for i, d := range onCols {
			if i < len(outKeys) && !exprEqual(d, outKeys[i].Expr) {
				return nil, pgerror.New(pgerror.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
			}
		}
		if len(outKeys) > 0 {
			plan = &logical.Sort{Input: plan, Keys: outKeys}
		}
		plan = &logical.Distinct{Input: plan, On: onCols}
		outKeys = nil
	} else if distinct {
		plan = &logical.Distinct{Input: plan}
	}
	if len(outKeys) > 0 {
		plan = &logical.Sort{Input: plan, Keys: outKeys}
	}
	plan, err := b.bindLimit(plan, s, sc)
	if err != nil {
		return nil, err
	}
	if len(proj.Cols) > visible {
		final := &logical.Project{Input: plan, Cols: proj.Cols[:visible]}
		for _, c := range proj.Cols[:visible] {
			final.Exprs = append(final.Exprs, &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name})
		}
		plan = final
	}
	return plan, nil
}

func (b *Binder) bindLimit(plan logical.Node, s *pg.SelectStmt, sc *scope) (logical.Node, error) {
	if s.LimitCount == nil && s.LimitOffset == nil {
		return plan, nil
	}
	if s.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, pgerror.Unsupportedf("FETCH ... WITH TIES is not supported")
	}
	lim := &logical.Limit{Input: plan}
	bind := func(n *pg.Node, what string) (expr.Expr, error) {
		if n == nil {
			return nil, nil
		}
		if c := n.GetAConst(); c != nil && c.Isnull {
			return nil, nil // LIMIT NULL / LIMIT ALL
		}
		empty := newScope(sc.outer, sc.level)
		e, err := b.bindExpr(n, empty)
		if err != nil {
			return nil, err
		}
		return b.coerce(e, types.Int8Type, expr.CastImplicit, "argument of "+what)
	}
	var err error
	if lim.Count, err = bind(s.LimitCount, "LIMIT"); err != nil {
		return nil, err
	}
	if lim.Offset, err = bind(s.LimitOffset, "OFFSET"); err != nil {
		return nil, err
	}
	if lim.Count == nil && lim.Offset == nil {
		return plan, nil
	}
	return lim, nil
}

// hasAggregates reports whether the target list, HAVING or ORDER BY call
// an aggregate at this query level.
func (b *Binder) hasAggregates(s *pg.SelectStmt) bool {
	found := false
	var walk func(n *pg.Node)
	walk = func(n *pg.Node) {
		if n == nil || found {
			return
		}
		switch {
		case n.GetFuncCall() != nil:
			fc := n.GetFuncCall()
			name := funcName(fc.Funcname)
			if fc.Over == nil && b.reg.IsAggregate(name) && !b.reg.Has(name) {
				found = true
				return
			}
			for _, a := range fc.Args {
				walk(a)
			}
			return
		case n.GetSubLink() != nil:
			// Aggregates inside a subquery belong to it.
			walk(n.GetSubLink().Testexpr)
			return
		}
		walkChildren(n, walk)
	}
	for _, t := range s.TargetList {
		walk(t)
	}
	for _, o := range s.SortClause {
		walk(o)
	}
	return found
}

// walkChildren calls fn on the expression children of n that the binder
// looks into when searching for aggregates.
func walkChildren(n *pg.Node, fn func(*pg.Node)) {
	switch {
	case n.GetResTarget() != nil:
		fn(n.GetResTarget().Val)
	case n.GetAExpr() != nil:
		fn(n.GetAExpr().Lexpr)
		fn(n.GetAExpr().Rexpr)
	case n.GetBoolExpr() != nil:
		for _, a := range n.GetBoolExpr().Args {
			fn(a)
		}
	case n.GetTypeCast() != nil:
		fn(n.GetTypeCast().Arg)
	case n.GetNullTest() != nil:
		fn(n.GetNullTest().Arg)
	case n.GetBooleanTest() != nil:
		fn(n.GetBooleanTest().Arg)
	case n.GetCaseExpr() != nil:
		c := n.GetCaseExpr()
		fn(c.Arg)
		for _, w := range c.Args {
			fn(w.GetCaseWhen().Expr)
			fn(w.GetCaseWhen().Result)
		}
		fn(c.Defresult)
	case n.GetCoalesceExpr() != nil:
		for _, a := range n.GetCoalesceExpr().Args {
			fn(a)
		}
	case n.GetMinMaxExpr() != nil:
		for _, a := range n.GetMinMaxExpr().Args {
			fn(a)
		}
	case n.GetList() != nil:
		for _, a := range n.GetList().Items {
			fn(a)
		}
	case n.GetSortBy() != nil:
		fn(n.GetSortBy().Node)
	case n.GetAArrayExpr() != nil:
		for _, a := range n.GetAArrayExpr().Elements {
			fn(a)
		}
	case n.GetCollateClause() != nil:
		fn(n.GetCollateClause().Arg)
	case n.GetAIndirection() != nil:
		fn(n.GetAIndirection().Arg)
	}
}

// bindGroupBy binds GROUP BY terms, which may name output columns by
// ordinal or alias.
func (b *Binder) bindGroupBy(s *pg.SelectStmt, sc *scope, lvl *queryLevel) error {
	ac := lvl.agg
	lvl.noAggReason = "GROUP BY"
	defer func() { lvl.noAggReason = "" }()
	var items [][][]int
	plain := true
	for _, g := range s.GroupClause {
		if gs := g.GetGroupingSet(); gs != nil {
			sets, err := b.expandGroupingSet(gs, s, sc)
			if err != nil {
				return err
			}
			items = append(items, sets)
			plain = false
			continue
		}
		i, err := b.groupExprIndex(g, s, sc, ac)
		if err != nil {
			return err
		}
		items = append(items, [][]int{{i}})
	}
	if !plain {
		var err error
		if ac.sets, err = crossGroupingSets(items); err != nil {
			return err
		}
		// PostgreSQL does not widen grouping sets by functional
		// dependencies: every column named must be grouped explicitly.
		return nil
	}
	// Grouping by a table's primary key groups by all its columns, which
	// depend on the key: PostgreSQL lets the query name them.
	for _, kt := range sc.keyed {
		all := true
		for _, p := range kt.pk {
			all = all && isGroupCol(ac, kt.ids[p])
		}
		if !all {
			continue
		}
		for _, id := range kt.ids {
			if isGroupCol(ac, id) {
				continue
			}
			for _, c := range sc.cols {
				if c.id == id {
					ac.groupExprs = append(ac.groupExprs, &expr.ColRef{ID: id, T: c.typ, Name: c.name})
					ac.groupCols = append(ac.groupCols, logical.Column{ID: id, Name: c.name, Type: c.typ})
					break
				}
			}
		}
	}
	return nil
}

// groupExprIndex binds one GROUP BY expression, which may name an output
// column by ordinal or alias, and returns its index among the level's
// group expressions, adding it when new.
func (b *Binder) groupExprIndex(g *pg.Node, s *pg.SelectStmt, sc *scope, ac *aggContext) (int, error) {
	var e expr.Expr
	var err error
	// An integer constant is an ordinal of the target list; other
	// constants are refused, as in PostgreSQL.
	if c := g.GetAConst(); c != nil {
		if _, ok := c.Val.(*pg.A_Const_Ival); !ok || c.Isnull {
			return 0, nonIntegerConstant(c, "GROUP BY")
		}
		if iv, ok := c.Val.(*pg.A_Const_Ival); ok {
			pos := int(iv.Ival.Ival)
			if pos < 1 || pos > len(s.TargetList) {
				return 0, pgerror.Newf(pgerror.InvalidColumnReference, "GROUP BY position %d is not in select list", pos).WithPosition(int(c.Location) + 1)
			}
			rt := s.TargetList[pos-1].GetResTarget()
			if rt.Val.GetColumnRef() != nil && rt.Val.GetColumnRef().Fields[len(rt.Val.GetColumnRef().Fields)-1].GetAStar() != nil {
				return 0, pgerror.Unsupportedf("GROUP BY position of * is not supported")
			}
			if e, err = b.bindExpr(rt.Val, sc); err != nil {
				return 0, err
			}
		}
	}
	if e == nil {
		e, err = b.bindExpr(g, sc)
		if err != nil {
			// A bare name that is not an input column may be an output
			// alias.
			if cr := g.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && pgerror.CodeOf(err) == pgerror.UndefinedColumn {
				name := strVal(cr.Fields[0])
				for _, t := range s.TargetList {
					rt := t.GetResTarget()
					if rt.Name != name {
						continue
					}
					alias, err := b.bindExpr(rt.Val, sc)
					if err != nil {
						return 0, err
					}
					// Two outputs of that name that differ make the
					// name ambiguous, as in PostgreSQL.
					if e != nil && !exprEqual(e, alias) {
						return 0, pgerror.Newf(pgerror.AmbiguousColumn, "GROUP BY %q is ambiguous", name).WithPosition(int(cr.Location) + 1)
					}
					e = alias
				}
			}
			if e == nil {
				return 0, err
			}
		}
	}
	if e.Type().Kind == types.Unknown {
		e, _ = b.coerce(e, types.TextType, expr.CastImplicit, "")
	}
	for i, prev := range ac.groupExprs {
		if exprEqual(prev, e) {
			return i, nil
		}
	}
	col := logical.Column{Name: "?group?", Type: e.Type()}
	if r, ok := e.(*expr.ColRef); ok && ac.inputIDs[r.ID] {
		// A plain column keeps its id above the aggregate, so that
		// correlated subqueries that name it need no remapping. An
		// outer query's column does not: the aggregate's output is
		// not that column.
		col.ID, col.Name = r.ID, r.Name
	} else {
		col.ID = b.newID()
	}
	ac.groupExprs = append(ac.groupExprs, e)
	ac.groupCols = append(ac.groupCols, col)
	return len(ac.groupExprs) - 1, nil
}

// finalizeGrouped rewrites an expression of a grouped query over the
// Aggregate's output: GROUP BY expressions become references to the group
// columns, and any other reference to an input column is an error.
func (b *Binder) finalizeGrouped(e expr.Expr, ac *aggContext) (expr.Expr, error) {
	for i, g := range ac.groupExprs {
		if exprEqual(e, g) {
			c := ac.groupCols[i]
			return &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}, nil
		}
	}
	switch x := e.(type) {
	case *expr.ColRef:
		if ac.inputIDs[x.ID] && !isGroupCol(ac, x.ID) {
			return nil, pgerror.Newf(pgerror.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", x.Name)
		}
		return x, nil
	case *expr.Subquery:
		for _, id := range x.Correlated {
			if ac.inputIDs[id] && !isGroupCol(ac, id) {
				return nil, pgerror.New(pgerror.GroupingError, "subquery uses ungrouped column from outer query")
			}
		}
	}
	ch := e.Children()
	if len(ch) == 0 {
		return e, nil
	}
	out := make([]expr.Expr, len(ch))
	changed := false
	for i, c := range ch {
		n, err := b.finalizeGrouped(c, ac)
		if err != nil {
			return nil, err
		}
		out[i] = n
		changed = changed || n != c
	}
	if !changed {
		return e, nil
	}
	return e.WithChildren(out), nil
}

func isGroupCol(ac *aggContext, id expr.ColumnID) bool {
	for _, c := range ac.groupCols {
		if c.ID == id {
			return true
		}
	}
	for _, a := range ac.aggs {
		if a.Col.ID == id {
			return true
		}
	}
	return false
}

// bindTargets binds the SELECT list, expanding * and t.*.
func (b *Binder) bindTargets(list []*pg.Node, sc *scope) ([]target, error) {
	var out []target
	for _, n := range list {
		rt := n.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			qual := ""
			if len(cr.Fields) > 1 {
				qual = strVal(cr.Fields[len(cr.Fields)-2])
			}
			expanded, err := b.expandStar(qual, sc, cr.Location)
			if err != nil {
				return nil, err
			}
			out = append(out, expanded...)
			continue
		}
		e, err := b.bindExpr(rt.Val, sc)
		if err != nil {
			return nil, err
		}
		t := target{e: e, name: rt.Name}
		if t.name == "" {
			t.name = figureColname(rt.Val)
		}
		if r, ok := e.(*expr.ColRef); ok {
			for _, c := range sc.cols {
				if c.id == r.ID {
					t.tableOID, t.attNum = c.tableOID, c.attNum
				}
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func (b *Binder) expandStar(qual string, sc *scope, loc int32) ([]target, error) {
	var out []target
	found := false
	for _, c := range sc.cols {
		if c.hidden || c.system {
			continue
		}
		if qual == "" && c.shadowed {
			continue
		}
		if qual != "" && (c.qualifier != qual || c.merged) {
			continue
		}
		found = true
		var e expr.Expr = &expr.ColRef{ID: c.id, T: c.typ, Name: c.name}
		if c.expr != nil {
			e = c.expr
		}
		out = append(out, target{e: e, name: c.name, tableOID: c.tableOID, attNum: c.attNum})
	}
	if qual != "" && !found && !sc.tables[qual] {
		return nil, pgerror.Newf(pgerror.UndefinedTable, "missing FROM-clause entry for table %q", qual).WithPosition(int(loc) + 1)
	}
	if qual == "" && len(sc.cols) == 0 && len(out) == 0 {
		return nil, pgerror.New(pgerror.Syntax, "SELECT * with no tables specified is not valid").WithPosition(int(loc) + 1)
	}
	return out, nil
}

// figureColname names an output column as PostgreSQL's FigureColname does.
func figureColname(n *pg.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		return strVal(f[len(f)-1])
	case n.GetFuncCall() != nil:
		_, name := qualifiedName(n.GetFuncCall().Funcname)
		return strings.ToLower(name)
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if colnameStrength(tc.Arg) > 1 {
			return figureColname(tc.Arg)
		}
		_, name := qualifiedName(tc.TypeName.Names)
		if t, ok := types.FromName(name); ok {
			if t.Kind == types.Char && name == "bpchar" {
				return "bpchar"
			}
			return strings.ToLower(name)
		}
		return name
	case n.GetCaseExpr() != nil:
		if d := n.GetCaseExpr().Defresult; d != nil {
			if name := figureColname(d); name != "?column?" {
				return name
			}
		}
		return "case"
	case n.GetGroupingFunc() != nil:
		return "grouping"
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg.MinMaxOp_IS_GREATEST {
			return "greatest"
		}
		return "least"
	case n.GetSubLink() != nil:
		sl := n.GetSubLink()
		switch sl.SubLinkType {
		case pg.SubLinkType_EXISTS_SUBLINK:
			return "exists"
		case pg.SubLinkType_ARRAY_SUBLINK:
			return "array"
		case pg.SubLinkType_EXPR_SUBLINK:
			if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name
				}
				return figureColname(rt.Val)
			}
		}
	case n.GetAArrayExpr() != nil:
		return "array"
	case n.GetSqlvalueFunction() != nil:
		switch n.GetSqlvalueFunction().Op {
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
			return "current_date"
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
			return "current_timestamp"
		case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
			return "localtimestamp"
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER:
			return "current_user"
		case pg.SQLValueFunctionOp_SVFOP_SESSION_USER:
			return "session_user"
		case pg.SQLValueFunctionOp_SVFOP_USER:
			return "user"
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return "current_catalog"
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return "current_schema"
		}
	case n.GetAExpr() != nil:
		if n.GetAExpr().Kind == pg.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif"
		}
	case n.GetCollateClause() != nil:
		return figureColname(n.GetCollateClause().Arg)
	case n.GetAIndirection() != nil:
		return figureColname(n.GetAIndirection().Arg)
	}
	return "?column?"
}

// colnameStrength is how firmly a node names its column, as in
// PostgreSQL's FigureColnameInternal: 2 for a column, function or keyword
// expression, 1 for a name taken from a cast's type or "case", 0 for none.
// An outer cast names the column after its type unless the inner name is
// firm ('x'::regclass::text is "text", c.oid::regclass::text is "oid").
func colnameStrength(n *pg.Node) int {
	switch {
	case n.GetColumnRef() != nil, n.GetFuncCall() != nil, n.GetAArrayExpr() != nil, n.GetCoalesceExpr() != nil,
		n.GetMinMaxExpr() != nil, n.GetSqlvalueFunction() != nil:
		return 2
	case n.GetAExpr() != nil:
		if n.GetAExpr().Kind == pg.A_Expr_Kind_AEXPR_NULLIF {
			return 2
		}
	case n.GetTypeCast() != nil:
		if s := colnameStrength(n.GetTypeCast().Arg); s > 1 {
			return s
		}
		return 1
	case n.GetCaseExpr() != nil:
		if d := n.GetCaseExpr().Defresult; d != nil && colnameStrength(d) > 1 {
			return 2
		}
		return 1
	case n.GetSubLink() != nil:
		sl := n.GetSubLink()
		switch sl.SubLinkType {
		case pg.SubLinkType_EXISTS_SUBLINK, pg.SubLinkType_ARRAY_SUBLINK:
			return 2
		case pg.SubLinkType_EXPR_SUBLINK:
			if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return 2
				}
				return colnameStrength(rt.Val)
			}
		}
	case n.GetCollateClause() != nil:
		return colnameStrength(n.GetCollateClause().Arg)
	case n.GetAIndirection() != nil:
		return colnameStrength(n.GetAIndirection().Arg)
	}
	return 0
}

// bindOrderTerm binds an ORDER BY or DISTINCT ON term (clause names which):
// an ordinal, an output column name, or an expression over the input.
func (b *Binder) bindOrderTerm(n *pg.Node, targets []target, sc *scope, clause string) (expr.Expr, error) {
	if c := n.GetAConst(); c != nil {
		iv, ok := c.Val.(*pg.A_Const_Ival)
		if !ok || c.Isnull {
			return nil, nonIntegerConstant(c, clause)
		}
		pos := int(iv.Ival.Ival)
		if pos < 1 || pos > len(targets) {
			return nil, pgerror.Newf(pgerror.InvalidColumnReference, "%s position %d is not in select list", clause, pos).WithPosition(int(c.Location) + 1)
		}
		return targets[pos-1].e, nil
	}
	if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil {
		name := strVal(cr.Fields[0])
		var match *target
		for i := range targets {
			if targets[i].name == name {
				if match != nil && !exprEqual(match.e, targets[i].e) {
					return nil, pgerror.Newf(pgerror.AmbiguousColumn, "ORDER BY %q is ambiguous", name).WithPosition(int(cr.Location) + 1)
				}
				match = &targets[i]
			}
		}
		if match != nil {
			return match.e, nil
		}
	}
	return b.bindExpr(n, sc)
}

// bindOrderLimitOnOutput applies ORDER BY and LIMIT to a plan whose output
// columns are all ORDER BY may name (set operations, VALUES).
func (b *Binder) bindOrderLimitOnOutput(plan logical.Node, s *pg.SelectStmt, outer *scope, lvl *queryLevel) (logical.Node, error) {
	cols := plan.Columns()
	sc := newScope(outer, lvl)
	targets := make([]target, len(cols))
	for i, c := range cols {
		sc.add(scopeCol{name: c.Name, id: c.ID, typ: c.Type})
		targets[i] = target{e: &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}, name: c.Name}
	}
	if len(s.SortClause) > 0 {
		var keys []logical.SortKey
		for _, o := range s.SortClause {
			sb := o.GetSortBy()
			e, err := b.bindOrderTerm(sb.Node, targets, sc, "ORDER BY")
			if err != nil {
				return nil, err
			}
			if _, ok := e.(*expr.ColRef); !ok {
				return nil, pgerror.New(pgerror.FeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause").
					WithDetail("Only result column names can be used, not expressions or functions.")
			}
			keys = append(keys, sortKey(e, sb))
		}
		plan = &logical.Sort{Input: plan, Keys: keys}
	}
	return b.bindLimit(plan, s, sc)
}

// bindValues binds a VALUES list; each column takes the common type of its
// rows.
func (b *Binder) bindValues(lists []*pg.Node, outer *scope, lvl *queryLevel) (logical.Node, error) {
	sc := newScope(outer, lvl)
	rows := make([][]expr.Expr, len(lists))
	width := -1
	for i, l := range lists {
		items := l.GetList().Items
		if width >= 0 && len(items) != width {
			return nil, pgerror.New(pgerror.Syntax, "VALUES lists must all be the same length")
		}
		width = len(items)
		rows[i] = make([]expr.Expr, width)
		for j, it := range items {
			if it.GetSetToDefault() != nil {
				return nil, pgerror.New(pgerror.Syntax, "DEFAULT is not allowed in this context")
			}
			e, err := b.bindExpr(it, sc)
			if err != nil {
				return nil, err
			}
			rows[i][j] = e
		}
	}
	cols := make([]logical.Column, width)
	for j := 0; j < width; j++ {
		ts := make([]types.T, len(rows))
		for i := range rows {
			ts[i] = rows[i][j].Type()
		}
		t, err := commonType(ts, "VALUES")
		if err != nil {
			return nil, err
		}
		for i := range rows {
			if rows[i][j], err = b.coerce(rows[i][j], t, expr.CastImplicit, ""); err != nil {
				return nil, err
			}
		}
		cols[j] = logical.Column{ID: b.newID(), Name: "column" + itoa(j+1), Type: t}
	}
	return &logical.Values{Rows: rows, Cols: cols}, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// bindSetOp binds UNION / INTERSECT / EXCEPT.
func (b *Binder) bindSetOp(s *pg.SelectStmt, outer *scope, lvl *queryLevel) (logical.Node, error) {
	left, err := b.bindSetOpArg(s.Larg, outer, lvl)
	if err != nil {
		return nil, err
	}
	right, err := b.bindSetOpArg(s.Rarg, outer, lvl)
	if err != nil {
		return nil, err
	}
	var kind logical.SetOpKind
	name := "UNION"
	switch s.Op {
	case pg.SetOperation_SETOP_INTERSECT:
		kind, name = logical.Intersect, "INTERSECT"
	case pg.SetOperation_SETOP_EXCEPT:
		kind, name = logical.Except, "EXCEPT"
	}
	lc, rc := left.Columns(), right.Columns()
	if len(lc) != len(rc) {
		return nil, pgerror.Newf(pgerror.Syntax, "each %s query must have the same number of columns", name)
	}
	cols := make([]logical.Column, len(lc))
	lcast, rcast := make([]expr.Expr, len(lc)), make([]expr.Expr, len(lc))
	needL, needR := false, false
	for i := range lc {
		t, err := commonType([]types.T{lc[i].Type, rc[i].Type}, name)
		if err != nil {
			return nil, err
		}
		cols[i] = logical.Column{ID: b.newID(), Name: lc[i].Name, Type: t}
		lcast[i], needL = castCol(b, lc[i], t, needL)
		rcast[i], needR = castCol(b, rc[i], t, needR)
	}
	if needL {
		left = projectCasts(b, left, lcast)
	}
	if needR {
		right = projectCasts(b, right, rcast)
	}
	plan := &logical.SetOp{Kind: kind, All: s.All, Left: left, Right: right, Cols: cols}
	return b.bindOrderLimitOnOutput(plan, s, outer, lvl)
}

func sortsBy(keys []logical.SortKey, e expr.Expr) bool {
	for _, k := range keys {
		if exprEqual(k.Expr, e) {
			return true
		}
	}
	return false
}

// bindSetOpArg binds one side of a set operation, or the query of an
// INSERT. A plain SELECT keeps its unknown-typed outputs, so that SELECT
// NULL UNION SELECT 1 resolves the NULL as an integer and INSERT INTO t (i)
// SELECT NULL assigns it, as PostgreSQL does.
func (b *Binder) bindSetOpArg(s *pg.SelectStmt, outer *scope, lvl *queryLevel) (logical.Node, error) {
	plain := s.Op == pg.SetOperation_SETOP_NONE || s.Op == pg.SetOperation_SET_OPERATION_UNDEFINED
	if !plain || len(s.ValuesLists) > 0 || s.IntoClause != nil {
		return b.bindSelectLevel(s, outer, lvl)
	}
	if s.WithClause != nil {
		pop, err := b.bindWith(s.WithClause, outer, lvl)
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	return b.bindSimpleSelectOutputs(s, outer, lvl, true)
}

func castCol(b *Binder, c logical.Column, t types.T, need bool) (expr.Expr, bool) {
	ref := &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}
	if c.Type.Equal(t) {
		return ref, need
	}
	e, err := b.coerce(ref, t, expr.CastImplicit, "")
	if err != nil {
		return &expr.Cast{Arg: ref, To: t}, true
	}
	return e, true
}

func projectCasts(b *Binder, in logical.Node, es []expr.Expr) logical.Node {
	cols := make([]logical.Column, len(es))
	for i, e := range es {
		cols[i] = logical.Column{ID: b.newID(), Name: in.Columns()[i].Name, Type: e.Type()}
	}
	return &logical.Project{Input: in, Exprs: es, Cols: cols}
}

// nonIntegerConstant is PostgreSQL's error for ORDER BY 'a', GROUP BY 1.5
// and the like: only integer constants, as ordinals, may stand there.
func nonIntegerConstant(c *pg.A_Const, clause string) error {
	return pgerror.Newf(pgerror.Syntax, "non-integer constant in %s", clause).WithPosition(int(c.Location) + 1)
}
