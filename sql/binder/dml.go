package binder

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// ParseExpr parses a stored SQL expression (a DEFAULT or CHECK).
func ParseExpr(text string) (*pg.Node, error) {
	tree, err := pg.Parse("SELECT " + text)
	if err != nil {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "stored expression %q does not parse: %v", text, err)
	}
	return tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val, nil
}

// targetTable resolves the table a COPY writes.
func (b *Binder) targetTable(rv *pg.RangeVar, verb string) (*Relation, error) {
	rel, err := b.cat.Relation(rv.Schemaname, rv.Relname)
	if err != nil {
		return nil, posErr(pgerror.Flatten(err), rv.Location)
	}
	if err := checkWritable(rel, rv.Relname, verb); err != nil {
		return nil, err
	}
	return rel, nil
}

// checkWritable refuses to write a relation that is no table, or a stream
// that only its feeder fills.
func checkWritable(rel *Relation, name, verb string) error {
	if rel.Ref == nil || rel.Ref.Kind == logical.WorkflowRelation || rel.Ref.Kind == logical.StreamRelation && verb != "insert into" && verb != "copy to" {
		kind := "view"
		if rel.Table != nil {
			kind = rel.Table.Kind.String()
		}
		e := pgerror.Newf(pgerror.WrongObjectType, "cannot %s %s %q", verb, kind, name)
		if kind == "stream" {
			e = e.WithDetail("Streams are append-only: their events can only be inserted.")
		}
		return e
	}
	if rel.Table != nil && rel.Table.Stream.Fed() {
		by := "its generator"
		switch {
		case len(rel.Table.Stream.Sequencer) > 0:
			by = "its sequencer"
		case rel.Table.Stream.Split != nil:
			by = "the splitter " + rel.Table.Stream.Split.Splitter
		}
		return pgerror.Newf(pgerror.WrongObjectType, "cannot %s stream %q: %s fills it", verb, name, by)
	}
	return nil
}

// defaultExpr returns the DEFAULT of table column i, NULL when none.
func (b *Binder) defaultExpr(rel *Relation, i int) (expr.Expr, error) {
	col := rel.Table.Columns[i]
	if col.Default == "" {
		return expr.Null(col.Type), nil
	}
	n, err := ParseExpr(col.Default)
	if err != nil {
		return nil, err
	}
	e, err := b.bindExpr(n, newScope(nil, &queryLevel{}))
	if err != nil {
		return nil, err
	}
	return b.coerce(e, col.Type, expr.CastAssignment, "column \""+col.Name+"\"")
}

// tableScope returns a scope over a table row whose columns have the
// given ids.
func tableScope(rel *Relation, qualifier string, cols []logical.Column) *scope {
	sc := newScope(nil, &queryLevel{})
	for i, c := range cols {
		sc.add(scopeCol{qualifier: qualifier, name: rel.Table.Columns[i].Name, id: c.ID, typ: c.Type})
	}
	return sc
}

func (b *Binder) bindChecks(rel *Relation, sc *scope) ([]logical.Check, error) {
	var out []logical.Check
	for _, c := range rel.Table.Checks {
		n, err := ParseExpr(c.Expr)
		if err != nil {
			return nil, err
		}
		e, err := b.bindExpr(n, sc)
		if err != nil {
			return nil, err
		}
		if e, err = b.coerceBool(e, "CHECK"); err != nil {
			return nil, err
		}
		out = append(out, logical.Check{Name: c.Name, Expr: e})
	}
	return out, nil
}

func (b *Binder) bindReturning(list []*pg.Node, sc *scope) ([]expr.Expr, []logical.Column, error) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	targets, err := b.bindTargets(list, sc)
	if err != nil {
		return nil, nil, err
	}
	var es []expr.Expr
	var cols []logical.Column
	for _, t := range targets {
		e := t.e
		if e.Type().Kind == types.Unknown {
			e, _ = b.coerce(e, types.TextType, expr.CastImplicit, "")
		}
		es = append(es, e)
		cols = append(cols, logical.Column{ID: b.newID(), Name: t.name, Type: e.Type(), TableOID: t.tableOID, AttrNum: t.attNum})
	}
	return es, cols, nil
}

func (b *Binder) bindInsert(s *pg.InsertStmt) (*Bound, error) {
	if s.WithClause != nil {
		pop, err := b.bindWith(s.WithClause, nil, &queryLevel{})
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	t, err := b.resolveTarget(s.Relation, "insert into")
	if err != nil {
		return nil, err
	}
	rel := t.rel
	tcols := rel.Table.Columns
	rowCols := make([]logical.Column, len(tcols))
	for i, c := range tcols {
		rowCols[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type}
	}
	alias := t.name
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	// RETURNING and a view's check option see the new row as the
	// statement's target shows it.
	sc, wheres, vcols, err := b.viewScope(t, rowCols, alias, &queryLevel{})
	if err != nil {
		return nil, err
	}
	targets := insertTargets{t: t}
	if len(s.Cols) == 0 {
		targets.cols = vcols
	} else {
		seen, seenBase := map[string]bool{}, map[int]bool{}
		for _, c := range s.Cols {
			rt := c.GetResTarget()
			if len(rt.Indirection) > 0 {
				return nil, pgerror.Unsupportedf("assignment to a subfield or array element is not supported")
			}
			vc, ok := t.column(vcols, rt.Name)
			if !ok {
				return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.name).WithPosition(int(rt.Location) + 1)
			}
			if seen[rt.Name] {
				return nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", rt.Name).WithPosition(int(rt.Location) + 1)
			}
			if vc.base >= 0 && seenBase[vc.base] {
				return nil, pgerror.Newf(pgerror.Syntax, "multiple assignments to same column %q", tcols[vc.base].Name)
			}
			seen[rt.Name], seenBase[vc.base] = true, true
			targets.cols = append(targets.cols, vc)
		}
	}
	var input logical.Node
	sel := s.SelectStmt.GetSelectStmt()
	switch {
	case sel == nil:
		// DEFAULT VALUES.
		row := make([]expr.Expr, len(tcols))
		for i := range tcols {
			if row[i], err = b.defaultExpr(rel, i); err != nil {
				return nil, err
			}
		}
		input = &logical.Values{Rows: [][]expr.Expr{row}, Cols: rowCols}
	case len(sel.ValuesLists) > 0 && sel.Op == pg.SetOperation_SETOP_NONE && len(sel.SortClause) == 0 && sel.LimitCount == nil && sel.WithClause == nil:
		input, err = b.bindInsertValues(rel, targets, len(s.Cols) > 0, sel.ValuesLists, rowCols)
		if err != nil {
			return nil, err
		}
	default:
		q, err := b.bindSetOpArg(sel, nil, &queryLevel{})
		if err != nil {
			return nil, err
		}
		qcols := q.Columns()
		if len(qcols) > len(targets.cols) {
			return nil, pgerror.New(pgerror.Syntax, "INSERT has more expressions than target columns")
		}
		if len(qcols) < len(targets.cols) && len(s.Cols) > 0 {
			// Without a column list, missing trailing columns get defaults.
			return nil, pgerror.New(pgerror.Syntax, "INSERT has more target columns than expressions")
		}
		exprs := make([]expr.Expr, len(tcols))
		for i := range tcols {
			if exprs[i], err = b.defaultExpr(rel, i); err != nil {
				return nil, err
			}
		}
		for k, qc := range qcols {
			i, err := targets.base(k)
			if err != nil {
				return nil, err
			}
			e, err := b.coerce(&expr.ColRef{ID: qc.ID, T: qc.Type, Name: qc.Name}, tcols[i].Type, expr.CastAssignment, "column \""+tcols[i].Name+"\"")
			if err != nil {
				return nil, err
			}
			exprs[i] = e
		}
		input = &logical.Project{Input: q, Exprs: exprs, Cols: rowCols}
	}
	ins := &logical.Insert{Table: rel.Ref, Input: input}
	if ins.Checks, err = b.bindChecks(rel, tableScope(rel, rel.Table.Name, rowCols)); err != nil {
		return nil, err
	}
	ins.Checks = append(ins.Checks, viewChecks(wheres)...)
	if s.OnConflictClause != nil && len(t.views) > 0 {
		return nil, pgerror.Unsupportedf("ON CONFLICT on a view is not supported")
	}
	if s.OnConflictClause != nil {
		if ins.OnConflict, err = b.bindOnConflict(rel, s.OnConflictClause, alias, rowCols); err != nil {
			return nil, err
		}
	}
	if ins.Returning, ins.ReturningCols, err = b.bindReturning(s.ReturningList, sc); err != nil {
		return nil, err
	}
	return &Bound{Plan: ins, Columns: ins.ReturningCols, Kind: "INSERT"}, nil
}

// bindInsertValues binds INSERT ... VALUES, where DEFAULT may stand for a
// value and each value is coerced to its column's type as it is assigned.
func (b *Binder) bindInsertValues(rel *Relation, targets insertTargets, explicitCols bool, lists []*pg.Node, rowCols []logical.Column) (logical.Node, error) {
	tcols := rel.Table.Columns
	defaults := make([]expr.Expr, len(tcols))
	for i := range tcols {
		d, err := b.defaultExpr(rel, i)
		if err != nil {
			return nil, err
		}
		defaults[i] = d
	}
	sc := newScope(nil, &queryLevel{})
	rows := make([][]expr.Expr, len(lists))
	width := -1
	for r, l := range lists {
		items := l.GetList().Items
		if width >= 0 && len(items) != width {
			return nil, pgerror.New(pgerror.Syntax, "VALUES lists must all be the same length")
		}
		width = len(items)
		if len(items) > len(targets.cols) {
			return nil, pgerror.New(pgerror.Syntax, "INSERT has more expressions than target columns")
		}
		if len(items) < len(targets.cols) && explicitCols {
			return nil, pgerror.New(pgerror.Syntax, "INSERT has more target columns than expressions")
		}
		row := make([]expr.Expr, len(tcols))
		copy(row, defaults)
		for k, it := range items {
			if it.GetSetToDefault() != nil {
				continue
			}
			i, err := targets.base(k)
			if err != nil {
				return nil, err
			}
			e, err := b.bindExpr(it, sc)
			if err != nil {
				return nil, err
			}
			if e, err = b.coerce(e, tcols[i].Type, expr.CastAssignment, "column \""+tcols[i].Name+"\""); err != nil {
				return nil, assignErr(err, it)
			}
			row[i] = e
		}
		rows[r] = row
	}
	return &logical.Values{Rows: rows, Cols: rowCols}, nil
}

func (b *Binder) bindOnConflict(rel *Relation, oc *pg.OnConflictClause, alias string, rowCols []logical.Column) (*logical.OnConflict, error) {
	out := &logical.OnConflict{Index: -2, DoNothing: oc.Action == pg.OnConflictAction_ONCONFLICT_NOTHING}
	if oc.Infer != nil {
		if oc.Infer.Conname != "" {
			switch {
			case oc.Infer.Conname == rel.Table.PKName:
				out.Index = -1
			default:
				found := false
				for i, ix := range rel.Ref.Indexes {
					if ix.Name == oc.Infer.Conname && ix.Unique {
						out.Index, found = i, true
					}
				}
				if !found {
					return nil, pgerror.Newf(pgerror.UndefinedObject, "constraint %q for table %q does not exist", oc.Infer.Conname, rel.Table.Name)
				}
			}
		} else {
			var ords []int
			for _, e := range oc.Infer.IndexElems {
				ie := e.GetIndexElem()
				_, i, ok := rel.Table.Column(ie.Name)
				if !ok {
					return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", ie.Name)
				}
				ords = append(ords, i)
			}
			out.Index = -3
			if sameSet(ords, rel.Ref.PrimaryKey) {
				out.Index = -1
			}
			for i, ix := range rel.Ref.Indexes {
				if ix.Unique && sameSet(ords, ix.Columns) && out.Index == -3 {
					out.Index = i
				}
			}
			if out.Index == -3 {
				return nil, pgerror.New(pgerror.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
			}
		}
	} else if !out.DoNothing {
		return nil, pgerror.New(pgerror.Syntax, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
			WithHint("For example, ON CONFLICT (column_name).")
	}
	if out.DoNothing {
		return out, nil
	}
	existing := make([]logical.Column, len(rowCols))
	excluded := make([]logical.Column, len(rowCols))
	sc := newScope(nil, &queryLevel{})
	for i, c := range rowCols {
		existing[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type}
		excluded[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type}
		sc.add(scopeCol{qualifier: alias, name: c.Name, id: existing[i].ID, typ: c.Type})
		sc.add(scopeCol{qualifier: "excluded", name: c.Name, id: excluded[i].ID, typ: c.Type})
	}
	// Unqualified names mean the existing row.
	for i := range sc.cols {
		if sc.cols[i].qualifier == "excluded" {
			sc.cols[i].shadowed = true
		}
	}
	out.ExistingCols, out.ExcludedCols = existing, excluded
	out.Set = map[int]expr.Expr{}
	for _, t := range oc.TargetList {
		rt := t.GetResTarget()
		_, i, ok := rel.Table.Column(rt.Name)
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, rel.Table.Name)
		}
		var e expr.Expr
		var err error
		if rt.Val.GetSetToDefault() != nil {
			e, err = b.defaultExpr(rel, i)
		} else {
			e, err = b.bindExpr(rt.Val, sc)
			if err == nil {
				if e, err = b.coerce(e, rel.Table.Columns[i].Type, expr.CastAssignment, "column \""+rel.Table.Columns[i].Name+"\""); err != nil {
					err = assignErr(err, rt.Val)
				}
			}
		}
		if err != nil {
			return nil, err
		}
		out.Set[i] = e
	}
	if oc.WhereClause != nil {
		w, err := b.bindExpr(oc.WhereClause, sc)
		if err != nil {
			return nil, err
		}
		if out.Where, err = b.coerceBool(w, "WHERE"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// targetScan is the scanned target of an UPDATE or DELETE.
type targetScan struct {
	t     *dmlTarget
	alias string
	scan  *logical.Scan
	// plan is the scan limited to the rows the target's views show,
	// joined with the FROM/USING items and filtered by WHERE.
	plan logical.Node
	// sc is what the statement's expressions see; cols its target's
	// columns.
	sc   *scope
	cols []viewColumn
	// wheres are the target's views' conditions.
	wheres []viewWhere
}

// bindTargetScan binds the scanned target of UPDATE or DELETE with its
// row keys, joined with the FROM/USING items and filtered by WHERE.
func (b *Binder) bindTargetScan(rv *pg.RangeVar, from []*pg.Node, where *pg.Node, verb string) (*targetScan, error) {
	t, err := b.resolveTarget(rv, verb)
	if err != nil {
		return nil, err
	}
	rel := t.rel
	ts := &targetScan{t: t, alias: t.name}
	if rv.Alias != nil {
		ts.alias = rv.Alias.Aliasname
	}
	lvl := &queryLevel{}
	ts.scan = &logical.Scan{Table: rel.Ref, Alias: ts.alias}
	if len(t.views) > 0 {
		ts.scan.Alias = t.views[len(t.views)-1].inner
	}
	for _, c := range rel.Ref.Columns {
		ts.scan.Cols = append(ts.scan.Cols, logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type, TableOID: rel.Ref.OID, AttrNum: c.AttrNum})
	}
	ts.scan.RowKey = &logical.Column{ID: b.newID(), Name: "?rowkey?", Type: types.ByteaType}
	if ts.sc, ts.wheres, ts.cols, err = b.viewScope(t, ts.scan.Cols, ts.alias, lvl); err != nil {
		return nil, err
	}
	ts.plan = viewFilter(ts.scan, ts.wheres)
	for _, f := range from {
		p, err := b.bindFromItem(f, ts.sc, nil, lvl)
		if err != nil {
			return nil, err
		}
		ts.plan = &logical.Join{Kind: logical.InnerJoin, Left: ts.plan, Right: p}
	}
	if where != nil {
		lvl.noAggReason = "WHERE"
		w, err := b.bindExpr(where, ts.sc)
		lvl.noAggReason = ""
		if err != nil {
			return nil, err
		}
		if w, err = b.coerceBool(w, "WHERE"); err != nil {
			return nil, err
		}
		ts.plan = &logical.Filter{Input: ts.plan, Pred: w}
	}
	return ts, nil
}

func (b *Binder) bindUpdate(s *pg.UpdateStmt) (*Bound, error) {
	if s.WithClause != nil {
		pop, err := b.bindWith(s.WithClause, nil, &queryLevel{})
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	ts, err := b.bindTargetScan(s.Relation, s.FromClause, s.WhereClause, "update")
	if err != nil {
		return nil, err
	}
	rel, scan, sc := ts.t.rel, ts.scan, ts.sc
	up := &logical.Update{Table: rel.Ref, Input: ts.plan, OldCols: scan.Cols, RowKeyCol: *scan.RowKey, Sets: map[int]expr.Expr{}}
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt.Val.GetMultiAssignRef() != nil {
			return nil, pgerror.Unsupportedf("multiple-column assignment is not supported")
		}
		if len(rt.Indirection) > 0 {
			return nil, pgerror.Unsupportedf("assignment to a subfield or array element is not supported")
		}
		vc, ok := ts.t.column(ts.cols, rt.Name)
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, ts.t.name).WithPosition(int(rt.Location) + 1)
		}
		i, err := ts.t.assignable(vc, "update")
		if err != nil {
			return nil, err
		}
		if _, dup := up.Sets[i]; dup {
			return nil, pgerror.Newf(pgerror.DuplicateColumn, "multiple assignments to same column %q", rel.Table.Columns[i].Name)
		}
		var e expr.Expr
		if rt.Val.GetSetToDefault() != nil {
			e, err = b.defaultExpr(rel, i)
		} else {
			e, err = b.bindExpr(rt.Val, sc)
			if err == nil {
				if e, err = b.coerce(e, rel.Table.Columns[i].Type, expr.CastAssignment, "column \""+rt.Name+"\""); err != nil {
					err = assignErr(err, rt.Val)
				}
			}
		}
		if err != nil {
			return nil, err
		}
		up.Sets[i] = e
	}
	up.NewCols = make([]logical.Column, len(scan.Cols))
	for i, c := range scan.Cols {
		up.NewCols[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type, TableOID: c.TableOID, AttrNum: c.AttrNum}
	}
	if up.Checks, err = b.bindChecks(rel, tableScope(rel, scan.Alias, up.NewCols)); err != nil {
		return nil, err
	}
	// RETURNING sees the new row as the target shows it, and the FROM
	// items' columns; a view's check option checks the new row.
	rsc, wheres, _, err := b.viewScope(ts.t, up.NewCols, ts.alias, &queryLevel{})
	if err != nil {
		return nil, err
	}
	up.Checks = append(up.Checks, viewChecks(wheres)...)
	for _, c := range sc.cols[len(ts.cols):] {
		rsc.add(c)
	}
	if up.Returning, up.ReturningCols, err = b.bindReturning(s.ReturningList, rsc); err != nil {
		return nil, err
	}
	return &Bound{Plan: up, Columns: up.ReturningCols, Kind: "UPDATE"}, nil
}

func (b *Binder) bindDelete(s *pg.DeleteStmt) (*Bound, error) {
	if s.WithClause != nil {
		pop, err := b.bindWith(s.WithClause, nil, &queryLevel{})
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	ts, err := b.bindTargetScan(s.Relation, s.UsingClause, s.WhereClause, "delete from")
	if err != nil {
		return nil, err
	}
	del := &logical.Delete{Table: ts.t.rel.Ref, Input: ts.plan, OldCols: ts.scan.Cols, RowKeyCol: *ts.scan.RowKey}
	if del.Returning, del.ReturningCols, err = b.bindReturning(s.ReturningList, ts.sc); err != nil {
		return nil, err
	}
	return &Bound{Plan: del, Columns: del.ReturningCols, Kind: "DELETE"}, nil
}

// BindScalar binds a standalone expression (a DEFAULT or a CHECK being
// created) over the given named columns.
func BindScalar(cat Catalog, n *pg.Node, cols []logical.Column, qualifier string) (expr.Expr, error) {
	b := New(cat, nil)
	for _, c := range cols {
		if c.ID > b.nextID {
			b.nextID = c.ID
		}
	}
	sc := newScope(nil, &queryLevel{noAggReason: "check constraints"})
	for _, c := range cols {
		sc.add(scopeCol{qualifier: qualifier, name: c.Name, id: c.ID, typ: c.Type})
	}
	return b.bindExpr(n, sc)
}

// Coerce exposes assignment coercion for DDL (column defaults).
func Coerce(e expr.Expr, t types.T, what string) (expr.Expr, error) {
	b := New(nil, nil)
	return b.coerce(e, t, expr.CastAssignment, what)
}

// BindCopyFrom binds COPY table [(cols)] FROM STDIN: an insert whose rows
// come from source, a set function the caller builds for the copied
// columns' types. Columns not copied get their defaults.
func BindCopyFrom(cat Catalog, rv *pg.RangeVar, colNames []string, source func(ts []types.T) any) (*Bound, error) {
	b := New(cat, nil)
	rel, err := b.targetTable(rv, "copy to")
	if err != nil {
		return nil, err
	}
	tcols := rel.Table.Columns
	var targets []int
	if len(colNames) == 0 {
		for i := range tcols {
			targets = append(targets, i)
		}
	} else {
		seen := map[int]bool{}
		for _, n := range colNames {
			_, i, ok := rel.Table.Column(n)
			if !ok {
				return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", n, rel.Table.Name)
			}
			if seen[i] {
				return nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", n)
			}
			seen[i] = true
			targets = append(targets, i)
		}
	}
	ts := make([]types.T, len(targets))
	srcCols := make([]logical.Column, len(targets))
	for k, i := range targets {
		ts[k] = tcols[i].Type
		srcCols[k] = logical.Column{ID: b.newID(), Name: tcols[i].Name, Type: tcols[i].Type}
	}
	src := &logical.FunctionScan{Name: "copy", Cols: srcCols, Impl: source(ts)}
	rowCols := make([]logical.Column, len(tcols))
	exprs := make([]expr.Expr, len(tcols))
	for i, c := range tcols {
		rowCols[i] = logical.Column{ID: b.newID(), Name: c.Name, Type: c.Type}
		if exprs[i], err = b.defaultExpr(rel, i); err != nil {
			return nil, err
		}
	}
	for k, i := range targets {
		exprs[i] = &expr.ColRef{ID: srcCols[k].ID, T: srcCols[k].Type, Name: srcCols[k].Name}
	}
	ins := &logical.Insert{Table: rel.Ref, Input: &logical.Project{Input: src, Exprs: exprs, Cols: rowCols}}
	if ins.Checks, err = b.bindChecks(rel, tableScope(rel, rel.Table.Name, rowCols)); err != nil {
		return nil, err
	}
	return &Bound{Plan: ins, Kind: "INSERT"}, nil
}
