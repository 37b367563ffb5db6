package sql

import (
	"runtime"
	"strconv"
	"strings"
	"time"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// The catalog side of the system information functions: catalogView is
// what statements find in expr.Ctx.Catalog, and it answers the reg* casts
// and the functions exec/expr declares in catalogfuncs.go.

var (
	_ expr.CatalogResolver  = (*catalogView)(nil)
	_ expr.CatalogFunctions = (*catalogView)(nil)
	_ expr.RegFormatter     = (*catalogView)(nil)
)

// processStart is when the server process started, for
// pg_postmaster_start_time. It is set once, at initialization.
var processStart = time.Now()

// splitQualifiedName splits a possibly qualified, possibly quoted name as
// PostgreSQL's stringToQualifiedNameList does: unquoted parts fold to lower
// case.
func splitQualifiedName(s string) ([]string, bool) {
	var parts []string
	s = strings.TrimSpace(s)
	for {
		var part string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			closed := false
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed || b.Len() == 0 {
				return nil, false
			}
			part, s = b.String(), s[i:]
		} else {
			end := strings.IndexByte(s, '.')
			if end < 0 {
				end = len(s)
			}
			part = strings.ToLower(strings.TrimSpace(s[:end]))
			s = s[end:]
			if part == "" || strings.ContainsAny(part, `" `) {
				return nil, false
			}
		}
		parts = append(parts, part)
		s = strings.TrimSpace(s)
		if s == "" {
			return parts, true
		}
		if s[0] != '.' {
			return nil, false
		}
		s = strings.TrimSpace(s[1:])
	}
}

// lookupRelation resolves a relation name, qualified or not.
func (c *sysContext) lookupRelation(text string) (*relDesc, error) {
	parts, ok := splitQualifiedName(text)
	if !ok {
		return nil, pgerror.Newf(pgerror.InvalidName, "invalid name syntax")
	}
	switch len(parts) {
	case 1:
		if r, ok := c.findRelation(parts[0]); ok {
			return r, nil
		}
	case 2, 3:
		sc, ok := c.snap.Schema(parts[len(parts)-2])
		if !ok {
			return nil, pgerror.Newf(pgerror.InvalidSchemaName, "schema %q does not exist", parts[len(parts)-2])
		}
		if r, ok := c.relationByName(sc.OID, parts[len(parts)-1]); ok {
			return r, nil
		}
	default:
		return nil, pgerror.Newf(pgerror.InvalidName, "improper relation name (too many dotted names): %s", text)
	}
	return nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", strings.Join(parts, "."))
}

// quickRelationOID finds a table, view, sequence or system relation by
// name without listing every relation as lookupRelation does: nextval('s')
// resolves its name each time a simple-protocol statement is bound. It
// answers only when sure; ok is false for index names, unknown names and
// bad syntax, which lookupRelation then handles.
func (v *catalogView) quickRelationOID(text string) (uint32, bool) {
	parts, ok := splitQualifiedName(text)
	if !ok || len(parts) > 3 {
		return 0, false
	}
	schemas := v.searchPath
	if len(parts) > 1 {
		schemas = parts[len(parts)-2 : len(parts)-1]
	}
	name := parts[len(parts)-1]
	for _, schema := range schemas {
		if st, ok := systemTables[schema][name]; ok {
			return st.oid, true
		}
		sc, ok := v.snap.Schema(schema)
		if !ok {
			continue
		}
		if t, ok := v.snap.Table(sc.OID, name); ok {
			return t.OID, true
		}
		if _, ok := v.snap.IndexOwner(sc.OID, name); ok {
			return 0, false
		}
	}
	return 0, false
}

// ResolveRegName implements expr.CatalogResolver: the input functions of
// regclass, regtype, regproc and regnamespace.
func (v *catalogView) ResolveRegName(t types.T, name string) (types.Datum, error) {
	s := strings.TrimSpace(name)
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return int64(n), nil
	}
	if s == "-" {
		return int64(0), nil
	}
	if t.Kind == types.RegClass {
		if oid, ok := v.quickRelationOID(s); ok {
			return int64(oid), nil
		}
	}
	c := v.sysContext()
	switch t.Kind {
	case types.RegClass:
		r, err := c.lookupRelation(s)
		if err != nil {
			return nil, err
		}
		return int64(r.oid), nil
	case types.RegType:
		ti, ok := lookupTypeName(s)
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", s)
		}
		return int64(ti.oid), nil
	case types.RegProc:
		fname := s
		args := ""
		if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
			fname, args = s[:i], s[i+1:len(s)-1]
		}
		parts, ok := splitQualifiedName(fname)
		if !ok {
			return nil, pgerror.Newf(pgerror.InvalidName, "invalid name syntax")
		}
		if p, ok := c.lookupPortalProc(parts); ok {
			if args != "" || strings.Contains(s, "(") {
				if argKey(p.args) != normalizeArgList(args) {
					return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %q does not exist", s)
				}
			}
			return int64(p.oid), nil
		}
		if len(parts) == 2 && parts[0] != "pg_catalog" {
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %q does not exist", s)
		}
		procs := builtinProcs().byName[parts[len(parts)-1]]
		if args != "" || strings.Contains(s, "(") {
			for _, p := range procs {
				if argKey(p.args) == normalizeArgList(args) {
					return int64(p.oid), nil
				}
			}
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %q does not exist", s)
		}
		switch len(procs) {
		case 0:
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %q does not exist", s)
		case 1:
			return int64(procs[0].oid), nil
		}
		return nil, pgerror.Newf(pgerror.AmbiguousFunction, "more than one function named %q", s)
	case types.RegNamespace:
		parts, ok := splitQualifiedName(s)
		if !ok || len(parts) != 1 {
			return nil, pgerror.Newf(pgerror.InvalidName, "invalid name syntax")
		}
		sc, ok := v.snap.Schema(parts[0])
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "schema %q does not exist", parts[0])
		}
		return int64(sc.OID), nil
	}
	return types.ParseText(t, s, nil)
}

// normalizeArgList renders "integer, text" as argKey renders types.
func normalizeArgList(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	var out []string
	for _, a := range strings.Split(s, ",") {
		ti, ok := lookupTypeName(a)
		if !ok {
			return "?"
		}
		out = append(out, formatType(ti.oid, -1))
	}
	return strings.Join(out, ",")
}

// FormatReg implements expr.RegFormatter: the output functions of the
// reg* types. Names are quoted where needed and qualified when the search
// path would not find them; unknown OIDs print as numbers.
func (v *catalogView) FormatReg(t types.T, oid int64) string {
	if oid == 0 {
		return "-"
	}
	c := v.sysContext()
	switch t.Kind {
	case types.RegClass:
		if r, ok := c.relation(uint32(oid)); ok {
			return c.qualifiedRelationName(r, false)
		}
	case types.RegType:
		if _, ok := pgTypeByOID[uint32(oid)]; ok {
			return formatType(uint32(oid), -1)
		}
	case types.RegProc:
		if p, ok := c.proc(uint32(oid)); ok {
			if !c.procVisible(p) {
				return expr.QuoteIdent(c.schemaName(procSchema(p))) + "." + expr.QuoteIdent(p.name)
			}
			return expr.QuoteIdent(p.name)
		}
	case types.RegNamespace:
		if sc, ok := v.snap.SchemaByOID(uint32(oid)); ok {
			return expr.QuoteIdent(sc.Name)
		}
	}
	return strconv.FormatInt(oid, 10)
}

// qualifiedRelationName quotes a relation's name, qualifying it with its
// schema when always is set or the search path would not find it.
func (c *sysContext) qualifiedRelationName(r *relDesc, always bool) string {
	name := expr.QuoteIdent(r.name)
	if always || !c.relationVisible(r) {
		return expr.QuoteIdent(c.schemaName(r.nsp)) + "." + name
	}
	return name
}

func oidArg(d types.Datum) uint32 { return uint32(d.(int64)) }

func boolArg(args []types.Datum, i int) bool {
	return i < len(args) && args[i] != nil && args[i].(bool)
}

// CallCatalogFunction implements expr.CatalogFunctions.
func (v *catalogView) CallCatalogFunction(ctx *expr.Ctx, name string, args []types.Datum) (types.Datum, error) {
	c := v.sysContext()
	switch name {
	case "pg_table_is_visible":
		r, ok := c.relation(oidArg(args[0]))
		if !ok {
			return nil, nil
		}
		return c.relationVisible(r), nil
	case "pg_type_is_visible":
		_, ok := pgTypeByOID[oidArg(args[0])]
		if !ok {
			return nil, nil
		}
		return c.schemaInPath(catalog.PgCatalogOID), nil
	case "pg_function_is_visible":
		p, ok := c.proc(oidArg(args[0]))
		if !ok {
			return nil, nil
		}
		return c.procVisible(p), nil
	case "pg_operator_is_visible", "pg_opclass_is_visible", "pg_opfamily_is_visible", "pg_collation_is_visible",
		"pg_conversion_is_visible", "pg_statistics_obj_is_visible", "pg_ts_config_is_visible",
		"pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible":
		return c.schemaInPath(catalog.PgCatalogOID), nil
	case "format_type":
		if args[0] == nil {
			return nil, nil
		}
		typmod := int64(-1)
		if args[1] != nil {
			typmod = args[1].(int64)
		}
		return formatType(oidArg(args[0]), typmod), nil
	case "pg_get_expr":
		return c.getExpr(args[0].(string), oidArg(args[1]), boolArg(args, 2))
	case "pg_get_indexdef":
		col := int64(0)
		if len(args) > 1 {
			col = args[1].(int64)
		}
		return c.indexDef(oidArg(args[0]), col), nil
	case "pg_get_constraintdef":
		return c.constraintDef(oidArg(args[0]), boolArg(args, 1))
	case "pg_get_viewdef":
		var r *relDesc
		if s, ok := args[0].(string); ok {
			var err error
			if r, err = c.lookupRelation(s); err != nil {
				return nil, err
			}
		} else if r, ok = c.relation(oidArg(args[0])); !ok {
			return nil, nil
		}
		pretty := boolArg(args, 1)
		if len(args) > 1 {
			if _, isInt := args[1].(int64); isInt {
				pretty = true
			}
		}
		return c.viewDef(r, pretty)
	case "pg_get_ruledef":
		r, ok := c.relation(oidArg(args[0]))
		if !ok || r.table == nil || r.kind != 'v' {
			return nil, nil
		}
		def, err := c.viewDef(r, boolArg(args, 1))
		if err != nil || def == nil {
			return def, err
		}
		return "CREATE RULE \"_RETURN\" AS\n    ON SELECT TO " + c.qualifiedRelationName(r, true) + " DO INSTEAD " +
			strings.TrimLeft(def.(string), " "), nil
	case "pg_get_triggerdef", "pg_get_partkeydef", "pg_get_partition_constraintdef", "pg_get_statisticsobjdef_columns":
		return nil, nil
	case "pg_get_userbyid":
		return c.roleName(oidArg(args[0])), nil
	case "pg_get_function_result", "pg_get_function_arguments", "pg_get_function_identity_arguments":
		p, ok := c.proc(oidArg(args[0]))
		if !ok {
			return nil, nil
		}
		switch {
		case p.portal != nil && name == "pg_get_function_result":
			return portalResult(p.portal), nil
		case p.portal != nil:
			return portalArguments(p.portal), nil
		case name == "pg_get_function_result":
			return functionResult(p), nil
		}
		return functionArguments(p), nil
	case "pg_get_function_sqlbody":
		// Portal bodies are kept as text, in prosrc, as for a SQL function
		// written with a string body.
		return nil, nil
	case "obj_description":
		catalogName := ""
		if len(args) > 1 && args[1] != nil {
			catalogName = args[1].(string)
		}
		return c.objDescription(oidArg(args[0]), catalogName), nil
	case "pg_get_serial_sequence":
		return c.serialSequence(args[0].(string), args[1].(string))
	case "pg_relation_is_publishable":
		return false, nil
	case "pg_relation_size", "pg_table_size":
		r, ok := c.relation(oidArg(args[0]))
		if !ok {
			return nil, nil
		}
		if len(args) > 1 && args[1].(string) != "main" {
			return int64(0), nil
		}
		return c.relationSize(r), nil
	case "pg_total_relation_size":
		r, ok := c.relation(oidArg(args[0]))
		if !ok {
			return nil, nil
		}
		return c.relationSize(r) + c.indexesSize(r), nil
	case "pg_indexes_size":
		r, ok := c.relation(oidArg(args[0]))
		if !ok {
			return nil, nil
		}
		return c.indexesSize(r), nil
	case "pg_database_size":
		var total int64
		for _, r := range c.relations() {
			if r.table != nil && r.kind == 'r' {
				total += c.relationSize(r) + c.indexesSize(r)
			}
		}
		return total, nil
	case "pg_tablespace_location":
		return "", nil
	case "current_schemas":
		var out []types.Datum
		implicit := boolArg(args, 0)
		explicit := map[string]bool{}
		if v.session != nil {
			for _, s := range splitSearchPath(v.session.get("search_path")) {
				explicit[s] = true
			}
		}
		for _, s := range v.searchPath {
			if _, ok := v.snap.Schema(s); !ok {
				continue
			}
			if !implicit && !explicit[s] {
				continue
			}
			out = append(out, s)
		}
		return out, nil
	case "version":
		return "PostgreSQL " + ServerVersion + " on " + runtime.GOARCH + "-pc-" + runtime.GOOS + "-gnu, compiled by " +
			runtime.Version() + ", 64-bit", nil
	case "pg_backend_pid":
		if v.session == nil {
			return nil, nil
		}
		return int64(v.session.pid), nil
	case "pg_postmaster_start_time", "pg_conf_load_time":
		return types.TimestampValue(processStart.UnixMicro()), nil
	case "to_regclass", "to_regtype", "to_regproc", "to_regnamespace":
		t := map[string]types.T{"to_regclass": types.RegClassType, "to_regtype": types.RegTypeType,
			"to_regproc": types.RegProcType, "to_regnamespace": types.RegNamespaceTyp}[name]
		d, err := v.ResolveRegName(t, args[0].(string))
		if err != nil {
			if pgerror.CodeOf(err) == pgerror.InvalidName {
				return nil, err
			}
			return nil, nil
		}
		return d, nil
	}
	return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s is not implemented", name)
}

// schemaInPath reports whether a schema is on the search path.
func (c *sysContext) schemaInPath(oid uint32) bool {
	for _, o := range c.searchPathOIDs() {
		if o == oid {
			return true
		}
	}
	return false
}

// relationSize estimates a table's size on disk as PostgreSQL would count
// it: its rows at their types' widths plus tuple headers, in whole 8 kB
// pages. portalsdb's storage is compressed, so this is a guide only.
func (c *sysContext) relationSize(r *relDesc) int64 {
	if r.table != nil && r.kind == 'S' {
		// A sequence is one page in PostgreSQL.
		return 8192
	}
	if r.table == nil || r.kind != 'r' {
		return 0
	}
	rows := int64(c.e.stats.rows(r.oid))
	if rows <= 0 {
		return 0
	}
	width := int64(24)
	for _, a := range r.attrs {
		if l := typeInfoOf(a.typ).len; l > 0 {
			width += int64(l)
		} else {
			width += 16
		}
	}
	return pages(rows * width)
}

func (c *sysContext) indexesSize(r *relDesc) int64 {
	if r.table == nil {
		return 0
	}
	rows := int64(c.e.stats.rows(r.oid))
	var total int64
	for _, ix := range c.derived.tableIndexes(r.table) {
		total += pages(rows*int64(16+8*len(ix.attnums))) + 8192
	}
	return total
}

func pages(bytes int64) int64 { return (bytes + 8191) / 8192 * 8192 }

// serialSequence is pg_get_serial_sequence.
func (c *sysContext) serialSequence(table, column string) (types.Datum, error) {
	r, err := c.lookupRelation(table)
	if err != nil {
		return nil, err
	}
	if r.table == nil {
		return nil, nil
	}
	col, _, ok := r.table.Column(column)
	if !ok {
		return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", column, r.name)
	}
	sq := c.ownedSequence(r.table.OID, col.ID)
	if sq == nil {
		return nil, nil
	}
	return expr.QuoteIdent(c.schemaName(sq.Schema)) + "." + expr.QuoteIdent(sq.Name), nil
}

// tableScope returns the columns of a table as an analyzer scope.
func tableScope(t *catalog.Table, qualifier string) scopeRel {
	sr := scopeRel{qualifier: qualifier}
	for _, col := range t.Columns {
		sr.cols = append(sr.cols, scopeColumn{name: col.Name, t: col.Type})
	}
	return sr
}

// getExpr is pg_get_expr: the text portalsdb stores in adbin and conbin,
// printed over the columns of relation relid.
func (c *sysContext) getExpr(text string, relid uint32, pretty bool) (types.Datum, error) {
	a := &analyzer{regclassName: c.regclassName}
	var colType *types.T
	if r, ok := c.relation(relid); ok && r.table != nil {
		a.rels = []scopeRel{tableScope(r.table, r.name)}
		for _, col := range r.table.Columns {
			if col.Default == text {
				t := col.Type
				colType = &t
				break
			}
		}
	}
	n, err := parseExprText(text)
	if err != nil {
		return nil, err
	}
	d, err := a.analyze(n)
	if err != nil {
		return text, nil
	}
	if colType != nil {
		// A default is converted to its column's type on assignment.
		d = coerce(d, *colType)
	}
	return printExpr(d, pretty, false), nil
}

// checkColumns returns the attribute numbers a CHECK constraint reads.
func (c *sysContext) checkColumns(con *constraintDesc) []int16 {
	n, err := parseExprText(con.check)
	if err != nil {
		return nil
	}
	used := map[string]bool{}
	collectColumnRefs(n, used)
	var out []int16
	for i, col := range con.table.Columns {
		if used[col.Name] {
			out = append(out, int16(i+1))
		}
	}
	return out
}

// constraintDef is pg_get_constraintdef.
func (c *sysContext) constraintDef(oid uint32, pretty bool) (types.Datum, error) {
	con, ok := c.derived.conByOID[oid]
	if !ok {
		return nil, nil
	}
	switch con.kind {
	case 'p', 'u':
		var cols []string
		for _, n := range con.attnums {
			if n >= 1 && int(n) <= len(con.table.Columns) {
				cols = append(cols, expr.QuoteIdent(con.table.Columns[n-1].Name))
			}
		}
		kw := "PRIMARY KEY"
		if con.kind == 'u' {
			kw = "UNIQUE"
		}
		return kw + " (" + strings.Join(cols, ", ") + ")", nil
	}
	a := &analyzer{rels: []scopeRel{tableScope(con.table, con.table.Name)}, regclassName: c.regclassName}
	n, err := parseExprText(con.check)
	if err != nil {
		return nil, err
	}
	d, err := a.analyze(n)
	if err != nil {
		return "CHECK (" + con.check + ")", nil
	}
	return "CHECK (" + printExpr(d, pretty, false) + ")", nil
}

// indexDef is pg_get_indexdef: the CREATE INDEX statement, or with col > 0
// the definition of that key column.
func (c *sysContext) indexDef(oid uint32, col int64) types.Datum {
	ix, ok := c.derived.indexByOID[oid]
	if !ok {
		return nil
	}
	colName := func(n int16) string {
		if n >= 1 && int(n) <= len(ix.table.Columns) {
			return expr.QuoteIdent(ix.table.Columns[n-1].Name)
		}
		return "?"
	}
	if col > 0 {
		if int(col) > len(ix.attnums) {
			return ""
		}
		return colName(ix.attnums[col-1])
	}
	var cols []string
	for i, n := range ix.attnums {
		s := colName(n)
		if i < len(ix.desc) && ix.desc[i] {
			s += " DESC"
		}
		cols = append(cols, s)
	}
	unique := ""
	if ix.unique {
		unique = "UNIQUE "
	}
	tr, _ := c.relation(ix.table.OID)
	return "CREATE " + unique + "INDEX " + expr.QuoteIdent(ix.name) + " ON " + c.qualifiedRelationName(tr, true) +
		" USING btree (" + strings.Join(cols, ", ") + ")"
}
