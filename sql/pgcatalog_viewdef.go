package sql

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/sql/binder"
	"portalsdb/types"
)

// viewDef is pg_get_viewdef: a view's query laid out as PostgreSQL prints
// it, one clause per line, columns qualified by their relation. pretty
// drops the parentheses precedence does not need. A query shape the
// printer does not know is returned as stored.
func (c *sysContext) viewDef(r *relDesc, pretty bool) (types.Datum, error) {
	if r.table == nil || r.table.ViewSQL == "" {
		return nil, nil
	}
	if text, ok := c.printView(r.table.ViewSQL, pretty); ok {
		return text, nil
	}
	return " " + r.table.ViewSQL + ";", nil
}

func (c *sysContext) printView(sql string, pretty bool) (string, bool) {
	tree, err := pg.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return "", false
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || sel.Op != pg.SetOperation_SETOP_NONE || sel.WithClause != nil || len(sel.ValuesLists) > 0 {
		return "", false
	}
	a := &analyzer{qualify: true, regclassName: c.regclassName}
	p := &printer{pretty: pretty}
	var from []string
	for _, f := range sel.FromClause {
		s, ok := c.printFromItem(f, a, p)
		if !ok {
			return "", false
		}
		from = append(from, s)
	}
	var b strings.Builder
	b.WriteString(" SELECT ")
	if len(sel.DistinctClause) > 0 {
		if len(sel.DistinctClause) == 1 && sel.DistinctClause[0].GetNode() == nil {
			b.WriteString("DISTINCT ")
		} else {
			return "", false
		}
	}
	var targets []string
	for _, t := range sel.TargetList {
		rt := t.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			qual := ""
			if len(cr.Fields) == 2 {
				qual = cr.Fields[0].GetString_().GetSval()
			}
			for _, rel := range a.rels {
				if qual != "" && rel.qualifier != qual {
					continue
				}
				for _, col := range rel.cols {
					targets = append(targets, expr.QuoteIdent(rel.qualifier)+"."+expr.QuoteIdent(col.name))
				}
			}
			continue
		}
		d, err := a.analyze(rt.Val)
		if err != nil {
			return "", false
		}
		if d.dtype().Kind == types.Unknown {
			d = coerce(d, types.TextType)
		}
		s := printExpr(d, pretty, false)
		name := rt.Name
		if name == "" {
			name = defaultColumnName(rt.Val)
		}
		if v, isVar := d.(*dVar); !isVar || v.name != name {
			s += " AS " + expr.QuoteIdent(name)
		}
		targets = append(targets, s)
	}
	b.WriteString(strings.Join(targets, ",\n    "))
	if len(from) > 0 {
		b.WriteString("\n   FROM ")
		b.WriteString(strings.Join(from, ",\n    "))
	}
	clause := func(prefix string, n *pg.Node) bool {
		d, err := a.analyze(n)
		if err != nil {
			return false
		}
		b.WriteString(prefix)
		b.WriteString(printExpr(d, pretty, false))
		return true
	}
	if sel.WhereClause != nil && !clause("\n  WHERE ", sel.WhereClause) {
		return "", false
	}
	if len(sel.GroupClause) > 0 {
		var parts []string
		for _, g := range sel.GroupClause {
			d, err := a.analyze(g)
			if err != nil {
				return "", false
			}
			parts = append(parts, printExpr(d, pretty, false))
		}
		b.WriteString("\n  GROUP BY " + strings.Join(parts, ", "))
	}
	if sel.HavingClause != nil && !clause("\n HAVING ", sel.HavingClause) {
		return "", false
	}
	if len(sel.SortClause) > 0 {
		var parts []string
		for _, s := range sel.SortClause {
			sb := s.GetSortBy()
			d, err := a.analyze(sb.Node)
			if err != nil {
				return "", false
			}
			part := printExpr(d, pretty, false)
			if sb.SortbyDir == pg.SortByDir_SORTBY_DESC {
				part += " DESC"
			}
			switch sb.SortbyNulls {
			case pg.SortByNulls_SORTBY_NULLS_FIRST:
				if sb.SortbyDir != pg.SortByDir_SORTBY_DESC {
					part += " NULLS FIRST"
				}
			case pg.SortByNulls_SORTBY_NULLS_LAST:
				if sb.SortbyDir == pg.SortByDir_SORTBY_DESC {
					part += " NULLS LAST"
				}
			}
			parts = append(parts, part)
		}
		b.WriteString("\n  ORDER BY " + strings.Join(parts, ", "))
	}
	if sel.LimitOffset != nil && !clause("\n OFFSET ", sel.LimitOffset) {
		return "", false
	}
	if sel.LimitCount != nil && !clause("\n LIMIT ", sel.LimitCount) {
		return "", false
	}
	b.WriteString(";")
	return b.String(), true
}

// printFromItem prints a FROM item and adds its columns to the scope.
func (c *sysContext) printFromItem(n *pg.Node, a *analyzer, p *printer) (string, bool) {
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		r, err := c.lookupRelation(quoteParts(rv.Schemaname, rv.Relname))
		if err != nil {
			return "", false
		}
		qual := r.name
		s := c.qualifiedRelationName(r, false)
		if rv.Alias != nil {
			qual = rv.Alias.Aliasname
			s += " " + expr.QuoteIdent(qual)
		}
		sr := scopeRel{qualifier: qual}
		for _, at := range r.attrs {
			sr.cols = append(sr.cols, scopeColumn{name: at.name, t: at.typ})
		}
		a.rels = append(a.rels, sr)
		return s, true
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		if j.IsNatural || len(j.UsingClause) > 0 || j.Alias != nil {
			return "", false
		}
		l, ok := c.printFromItem(j.Larg, a, p)
		if !ok {
			return "", false
		}
		r, ok := c.printFromItem(j.Rarg, a, p)
		if !ok {
			return "", false
		}
		kw := map[pg.JoinType]string{pg.JoinType_JOIN_INNER: "JOIN", pg.JoinType_JOIN_LEFT: "LEFT JOIN",
			pg.JoinType_JOIN_RIGHT: "RIGHT JOIN", pg.JoinType_JOIN_FULL: "FULL JOIN"}[j.Jointype]
		if kw == "" {
			return "", false
		}
		s := l + "\n     " + kw + " " + r
		if j.Quals != nil {
			d, err := a.analyze(j.Quals)
			if err != nil {
				return "", false
			}
			cond := printExpr(d, p.pretty, false)
			if !p.pretty {
				// Outside pretty mode a join condition gets parentheses of
				// its own.
				cond = "(" + cond + ")"
			}
			s += " ON " + cond
		} else if kw == "JOIN" {
			s = l + "\n     CROSS JOIN " + r
		}
		if !p.pretty {
			s = "(" + s + ")"
		}
		return s, true
	}
	return "", false
}

func quoteParts(schema, name string) string {
	q := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	if schema != "" {
		return `"` + strings.ReplaceAll(schema, `"`, `""`) + `".` + q
	}
	return q
}

// defaultColumnName is the name PostgreSQL gives an unnamed result column.
func defaultColumnName(n *pg.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		return f[len(f)-1].GetString_().GetSval()
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall().Funcname
		return f[len(f)-1].GetString_().GetSval()
	case n.GetTypeCast() != nil:
		if name := defaultColumnName(n.GetTypeCast().Arg); name != "?column?" {
			return name
		}
		tn := n.GetTypeCast().TypeName.Names
		return tn[len(tn)-1].GetString_().GetSval()
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetCaseExpr() != nil:
		return "case"
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg.MinMaxOp_IS_LEAST {
			return "least"
		}
		return "greatest"
	}
	return "?column?"
}

// collectColumnRefs gathers the column names an expression refers to.
func collectColumnRefs(n *pg.Node, out map[string]bool) {
	if n == nil {
		return
	}
	if cr := n.GetColumnRef(); cr != nil {
		if f := cr.Fields[len(cr.Fields)-1]; f.GetString_() != nil {
			out[f.GetString_().Sval] = true
		}
		return
	}
	// Walk the node's children through its protobuf reflection-free
	// accessors for the shapes check constraints take.
	switch {
	case n.GetAExpr() != nil:
		collectColumnRefs(n.GetAExpr().Lexpr, out)
		collectColumnRefs(n.GetAExpr().Rexpr, out)
	case n.GetBoolExpr() != nil:
		for _, a := range n.GetBoolExpr().Args {
			collectColumnRefs(a, out)
		}
	case n.GetList() != nil:
		for _, a := range n.GetList().Items {
			collectColumnRefs(a, out)
		}
	case n.GetFuncCall() != nil:
		for _, a := range n.GetFuncCall().Args {
			collectColumnRefs(a, out)
		}
	case n.GetTypeCast() != nil:
		collectColumnRefs(n.GetTypeCast().Arg, out)
	case n.GetNullTest() != nil:
		collectColumnRefs(n.GetNullTest().Arg, out)
	case n.GetBooleanTest() != nil:
		collectColumnRefs(n.GetBooleanTest().Arg, out)
	case n.GetCoalesceExpr() != nil:
		for _, a := range n.GetCoalesceExpr().Args {
			collectColumnRefs(a, out)
		}
	case n.GetMinMaxExpr() != nil:
		for _, a := range n.GetMinMaxExpr().Args {
			collectColumnRefs(a, out)
		}
	case n.GetCaseExpr() != nil:
		ce := n.GetCaseExpr()
		collectColumnRefs(ce.Arg, out)
		for _, w := range ce.Args {
			collectColumnRefs(w.GetCaseWhen().Expr, out)
			collectColumnRefs(w.GetCaseWhen().Result, out)
		}
		collectColumnRefs(ce.Defresult, out)
	case n.GetAArrayExpr() != nil:
		for _, a := range n.GetAArrayExpr().Elements {
			collectColumnRefs(a, out)
		}
	case n.GetCollateClause() != nil:
		collectColumnRefs(n.GetCollateClause().Arg, out)
	}
}

// viewUpdatable reports whether PostgreSQL would find a view automatically
// updatable (one base relation, no DISTINCT, grouping, aggregates, limits
// or set operations), and which of its columns are plain column
// references and so updatable themselves.
func viewUpdatable(sql string, ncols int) (bool, []bool) {
	cols := make([]bool, ncols)
	tree, err := pg.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return false, cols
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if binder.NotAutoUpdatable(sel) != "" {
		return false, cols
	}
	i := 0
	for _, t := range sel.TargetList {
		rt := t.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil {
			if cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
				for ; i < ncols; i++ {
					cols[i] = true
				}
				continue
			}
			if i < ncols {
				cols[i] = true
			}
		}
		i++
	}
	return true, cols
}

// checkConstraintName names an unnamed CHECK constraint as PostgreSQL
// does: table_column_check when the expression reads exactly one column,
// table_check otherwise (cut to fit 63 bytes; the caller makes it unique).
func checkConstraintName(table string, check *pg.Node) string {
	used := map[string]bool{}
	collectColumnRefs(check, used)
	if len(used) == 1 {
		for col := range used {
			return chooseName(table, col, "check", func(string) bool { return false })
		}
	}
	name := table
	for len(name)+len("_check") > 63 {
		name = name[:len(name)-1]
	}
	return name + "_check"
}
