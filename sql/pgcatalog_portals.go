package sql

import (
	"strconv"
	"strings"

	"portalsdb/exec/expr"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// portalsdb's own objects in PostgreSQL's catalogs, so that psql and tools
// show them with the nearest thing PostgreSQL has:
//
//   - a workflow is a materialized view (relkind 'm', heap access method),
//     which is what CREATE MATERIALIZED VIEW makes in portalsdb too;
//   - a stream is a table whose access method is "stream" (\d+ prints
//     "Access method: stream") and whose pg_description comment says it is
//     a stream and how long it keeps its atoms;
//   - a portal is a SQL function returning a table (\df), with its
//     arguments, its reply's columns and its body; its comment names the
//     relation that serves it.

// streamAMOID is the OID of the "stream" access method in pg_am. It lies
// in the system range, next to portals_catalog's, and clashes with none of
// PostgreSQL's access methods.
const streamAMOID uint32 = 13150

// Language and pseudo-type OIDs pg_proc rows of portals refer to.
const (
	sqlLangOID uint32 = 14
	recordOID  uint32 = 2249
)

// portalProc is a portal as a pg_proc row: a set-returning SQL function
// whose result is a record of its reply's columns (RETURNS TABLE).
func portalProc(p *catalog.Portal) *procInfo {
	info := &procInfo{oid: p.OID, name: p.Name, kind: 'f', ret: recordOID, retset: true, volatile: 's', portal: p}
	if p.Writes {
		info.volatile = 'v'
	}
	for _, a := range p.Args {
		info.args = append(info.args, typeOID(a.Type))
	}
	return info
}

// portalProcs returns the pg_proc rows of the statement's portals.
func (c *sysContext) portalProcs() []*procInfo {
	ps := c.snap.Portals()
	out := make([]*procInfo, len(ps))
	for i, p := range ps {
		out[i] = portalProc(p)
	}
	return out
}

// proc returns a function by OID: a built-in one or a portal.
func (c *sysContext) proc(oid uint32) (*procInfo, bool) {
	if p, ok := builtinProcs().byOID[oid]; ok {
		return p, true
	}
	if p, ok := c.snap.PortalByOID(oid); ok {
		return portalProc(p), true
	}
	return nil, false
}

// procSchema is the schema of a function.
func procSchema(p *procInfo) uint32 {
	if p.portal != nil {
		return p.portal.Schema
	}
	return catalog.PgCatalogOID
}

// procVisible is pg_function_is_visible: the function's schema is on the
// search path, and no schema before it has a function of the same name
// (portals are not overloaded).
func (c *sysContext) procVisible(p *procInfo) bool {
	nsp := procSchema(p)
	for _, s := range c.searchPathOIDs() {
		if s == nsp {
			return true
		}
		if s == catalog.PgCatalogOID && len(builtinProcs().byName[p.name]) > 0 {
			return false
		}
		if q, ok := c.snap.Portal(s, p.name); ok && q.OID != p.oid {
			return false
		}
	}
	return false
}

// portalProcRow is a portal's row of pg_proc. The argument columns list
// the arguments ('i') and then the reply's columns ('t'), as PostgreSQL
// stores a function declared RETURNS TABLE.
func (c *sysContext) portalProcRow(p *procInfo) sysRow {
	pt := p.portal
	var all, modes, names []types.Datum
	for _, a := range pt.Args {
		all = append(all, int64(typeOID(a.Type)))
		modes = append(modes, "i")
		names = append(names, a.Name)
	}
	for _, r := range pt.Returns {
		all = append(all, int64(typeOID(r.Type)))
		modes = append(modes, "t")
		names = append(names, r.Name)
	}
	return sysRow{"oid": int64(p.oid), "proname": p.name, "pronamespace": int64(pt.Schema),
		"proowner": int64(pt.Owner), "prolang": int64(sqlLangOID), "procost": float64(100),
		"prorows": float64(1000), "provariadic": int64(0), "prosupport": int64(0), "prokind": "f",
		"prosecdef": false, "proleakproof": false, "proisstrict": false, "proretset": true,
		"provolatile": char(p.volatile), "proparallel": "u", "pronargs": int64(len(p.args)),
		"pronargdefaults": int64(0), "prorettype": int64(recordOID), "proargtypes": oidList(p.args...),
		"proallargtypes": all, "proargmodes": modes, "proargnames": names, "prosrc": pt.Body}
}

// portalArguments is pg_get_function_arguments of a portal: its named
// arguments.
func portalArguments(p *catalog.Portal) string {
	parts := make([]string, len(p.Args))
	for i, a := range p.Args {
		parts[i] = expr.QuoteIdent(a.Name) + " " + formatType(typeOID(a.Type), -1)
	}
	return strings.Join(parts, ", ")
}

// portalResult is pg_get_function_result of a portal: TABLE(columns).
func portalResult(p *catalog.Portal) string {
	parts := make([]string, len(p.Returns))
	for i, r := range p.Returns {
		parts[i] = expr.QuoteIdent(r.Name) + " " + formatType(typeOID(r.Type), -1)
	}
	return "TABLE(" + strings.Join(parts, ", ") + ")"
}

// description is a row of pg_description.
type description struct {
	objoid, classoid uint32
	text             string
}

// pg_class and pg_proc, as pg_description.classoid names them.
const (
	pgClassOID uint32 = 1259
	pgProcOID  uint32 = 1255
)

// descriptions lists the comments portalsdb gives its own objects:
// streams say they are streams, portals name their server. It stores no
// comments of users (COMMENT ON is not supported).
func (c *sysContext) descriptions() []description {
	var out []description
	for _, t := range c.snap.Tables() {
		if t.Kind == catalog.KindStream {
			out = append(out, description{objoid: t.OID, classoid: pgClassOID, text: streamComment(t)})
		}
	}
	for _, p := range c.snap.Portals() {
		text := "portal"
		if s, ok := c.snap.TableByOID(p.Server); ok {
			text = "portal served by " + s.Kind.String() + " " + c.qualifiedName(s.Schema, s.Name)
		}
		out = append(out, description{objoid: p.OID, classoid: pgProcOID, text: text})
	}
	return out
}

// streamComment describes a stream: where its events come from and how
// long it keeps them.
func streamComment(t *catalog.Table) string {
	var b strings.Builder
	b.WriteString("stream")
	sd := t.Stream
	if sd == nil {
		return b.String()
	}
	switch {
	case sd.Generator != "":
		b.WriteString(" from generator " + sd.Generator)
	case len(sd.Sequencer) > 0:
		b.WriteString(" filled by a sequencer")
	case sd.Split != nil:
		b.WriteString(" filled by splitter " + sd.Split.Splitter)
	}
	if sd.Retention != "" {
		b.WriteString(", retention " + sd.Retention)
	}
	if sd.WatermarkColumn != "" {
		b.WriteString(", watermark on " + sd.WatermarkColumn)
	}
	return b.String()
}

// qualifiedName quotes a name, qualified with its schema unless the
// schema is public.
func (c *sysContext) qualifiedName(schema uint32, name string) string {
	if schema == catalog.PublicOID {
		return expr.QuoteIdent(name)
	}
	return expr.QuoteIdent(c.schemaName(schema)) + "." + expr.QuoteIdent(name)
}

// objDescription is obj_description(oid [, catalog]).
func (c *sysContext) objDescription(oid uint32, catalogName string) types.Datum {
	want := uint32(0)
	switch catalogName {
	case "":
	case "pg_class":
		want = pgClassOID
	case "pg_proc":
		want = pgProcOID
	default:
		return nil
	}
	for _, d := range c.descriptions() {
		if d.objoid == oid && (want == 0 || d.classoid == want) {
			return d.text
		}
	}
	return nil
}

// lookupPortalProc finds the portal a regproc name (schema-qualified or
// not) names. An unqualified name follows the search path, where a
// built-in function of the same name in pg_catalog comes first when
// pg_catalog does.
func (c *sysContext) lookupPortalProc(parts []string) (*procInfo, bool) {
	if len(parts) == 2 {
		sc, ok := c.snap.Schema(parts[0])
		if !ok {
			return nil, false
		}
		if p, ok := c.snap.Portal(sc.OID, parts[1]); ok {
			return portalProc(p), true
		}
		return nil, false
	}
	for _, s := range c.searchPathOIDs() {
		if s == catalog.PgCatalogOID && len(builtinProcs().byName[parts[0]]) > 0 {
			return nil, false
		}
		if p, ok := c.snap.Portal(s, parts[0]); ok {
			return portalProc(p), true
		}
	}
	return nil, false
}

// portalSpecificName is a portal's information_schema.routines
// specific_name: name_oid, as PostgreSQL names functions there.
func portalSpecificName(p *catalog.Portal) string {
	return p.Name + "_" + strconv.FormatUint(uint64(p.OID), 10)
}

// portalRoutineRow is a portal's row of information_schema.routines: a
// SQL function returning records.
func portalRoutineRow(c *sysContext, p *catalog.Portal) sysRow {
	schema := c.schemaName(p.Schema)
	return sysRow{"specific_catalog": "postgres", "specific_schema": schema, "specific_name": portalSpecificName(p),
		"routine_catalog": "postgres", "routine_schema": schema, "routine_name": p.Name, "routine_type": "FUNCTION",
		"data_type": "record", "type_udt_catalog": "postgres", "type_udt_schema": "pg_catalog",
		"type_udt_name": "record", "dtd_identifier": "0", "routine_body": "SQL", "routine_definition": p.Body,
		"external_language": "SQL", "parameter_style": "GENERAL", "is_deterministic": "NO",
		"sql_data_access": "MODIFIES", "is_null_call": "NO", "schema_level_routine": "YES",
		"max_dynamic_result_sets": int64(0), "security_type": "INVOKER", "is_udt_dependent": "NO"}
}

// portalParameterRows emits a portal's rows of
// information_schema.parameters: its arguments (IN), then its reply's
// columns (OUT), as PostgreSQL lists a function declared RETURNS TABLE.
func portalParameterRows(c *sysContext, p *catalog.Portal, emit func(sysRow)) {
	schema := c.schemaName(p.Schema)
	pos := 0
	param := func(col catalog.Column, mode string) {
		pos++
		row := sysRow{"specific_catalog": "postgres", "specific_schema": schema, "specific_name": portalSpecificName(p),
			"ordinal_position": int64(pos), "parameter_mode": mode, "is_result": "NO", "as_locator": "NO",
			"parameter_name": col.Name, "data_type": infoDataType(col.Type), "udt_catalog": "postgres",
			"udt_schema": "pg_catalog", "udt_name": typeInfoOf(col.Type).name, "dtd_identifier": strconv.Itoa(pos)}
		emit(row)
	}
	for _, a := range p.Args {
		param(a, "IN")
	}
	for _, r := range p.Returns {
		param(r, "OUT")
	}
}
