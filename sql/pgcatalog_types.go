package sql

import (
	"sort"
	"strings"

	"portalsdb/types"
)

// pgTypeInfo is one row of pg_type. The values are PostgreSQL's own for
// the same type, so that drivers that read pg_type (typcategory, typelem,
// typinput...) see what they expect.
type pgTypeInfo struct {
	oid       uint32
	name      string
	len       int16
	byval     bool
	typtype   byte // b base, p pseudo
	category  byte
	preferred bool
	elem      uint32
	array     uint32
	input     string
	output    string
	receive   string
	send      string
	modin     string
	modout    string
	align     byte
	storage   byte
	collation uint32
	subscript string
	// kind is the portalsdb type; pseudo types portalsdb has no values
	// of leave it Unknown.
	kind types.Kind
}

// Collation OIDs, as PostgreSQL numbers them.
const (
	defaultCollationOID uint32 = 100
	cCollationOID       uint32 = 950
	posixCollationOID   uint32 = 951
)

// pgBaseTypes are the scalar and pseudo types. Array types are derived.
var pgBaseTypes = []pgTypeInfo{
	{oid: 16, name: "bool", len: 1, byval: true, typtype: 'b', category: 'B', preferred: true, array: 1000, input: "boolin", output: "boolout", receive: "boolrecv", send: "boolsend", align: 'c', storage: 'p', kind: types.Bool},
	{oid: 17, name: "bytea", len: -1, typtype: 'b', category: 'U', array: 1001, input: "byteain", output: "byteaout", receive: "bytearecv", send: "byteasend", align: 'i', storage: 'x', kind: types.Bytea},
	{oid: 19, name: "name", len: 64, typtype: 'b', category: 'S', elem: 18, array: 1003, input: "namein", output: "nameout", receive: "namerecv", send: "namesend", align: 'c', storage: 'p', collation: cCollationOID, subscript: "raw_array_subscript_handler", kind: types.Name},
	{oid: 20, name: "int8", len: 8, byval: true, typtype: 'b', category: 'N', array: 1016, input: "int8in", output: "int8out", receive: "int8recv", send: "int8send", align: 'd', storage: 'p', kind: types.Int8},
	{oid: 21, name: "int2", len: 2, byval: true, typtype: 'b', category: 'N', array: 1005, input: "int2in", output: "int2out", receive: "int2recv", send: "int2send", align: 's', storage: 'p', kind: types.Int2},
	{oid: 23, name: "int4", len: 4, byval: true, typtype: 'b', category: 'N', array: 1007, input: "int4in", output: "int4out", receive: "int4recv", send: "int4send", align: 'i', storage: 'p', kind: types.Int4},
	{oid: 24, name: "regproc", len: 4, byval: true, typtype: 'b', category: 'N', array: 1008, input: "regprocin", output: "regprocout", receive: "regprocrecv", send: "regprocsend", align: 'i', storage: 'p', kind: types.RegProc},
	{oid: 25, name: "text", len: -1, typtype: 'b', category: 'S', preferred: true, array: 1009, input: "textin", output: "textout", receive: "textrecv", send: "textsend", align: 'i', storage: 'x', collation: defaultCollationOID, kind: types.Text},
	{oid: 26, name: "oid", len: 4, byval: true, typtype: 'b', category: 'N', preferred: true, array: 1028, input: "oidin", output: "oidout", receive: "oidrecv", send: "oidsend", align: 'i', storage: 'p', kind: types.Oid},
	{oid: 700, name: "float4", len: 4, byval: true, typtype: 'b', category: 'N', array: 1021, input: "float4in", output: "float4out", receive: "float4recv", send: "float4send", align: 'i', storage: 'p', kind: types.Float4},
	{oid: 701, name: "float8", len: 8, byval: true, typtype: 'b', category: 'N', preferred: true, array: 1022, input: "float8in", output: "float8out", receive: "float8recv", send: "float8send", align: 'd', storage: 'p', kind: types.Float8},
	{oid: 705, name: "unknown", len: -2, typtype: 'p', category: 'X', input: "unknownin", output: "unknownout", receive: "unknownrecv", send: "unknownsend", align: 'c', storage: 'p', kind: types.Unknown},
	{oid: 1042, name: "bpchar", len: -1, typtype: 'b', category: 'S', array: 1014, input: "bpcharin", output: "bpcharout", receive: "bpcharrecv", send: "bpcharsend", modin: "bpchartypmodin", modout: "bpchartypmodout", align: 'i', storage: 'x', collation: defaultCollationOID, kind: types.Char},
	{oid: 1043, name: "varchar", len: -1, typtype: 'b', category: 'S', array: 1015, input: "varcharin", output: "varcharout", receive: "varcharrecv", send: "varcharsend", modin: "varchartypmodin", modout: "varchartypmodout", align: 'i', storage: 'x', collation: defaultCollationOID, kind: types.Varchar},
	{oid: 1082, name: "date", len: 4, byval: true, typtype: 'b', category: 'D', array: 1182, input: "date_in", output: "date_out", receive: "date_recv", send: "date_send", align: 'i', storage: 'p', kind: types.Date},
	{oid: 1083, name: "time", len: 8, byval: true, typtype: 'b', category: 'D', array: 1183, input: "time_in", output: "time_out", receive: "time_recv", send: "time_send", modin: "timetypmodin", modout: "timetypmodout", align: 'd', storage: 'p', kind: types.Time},
	{oid: 1114, name: "timestamp", len: 8, byval: true, typtype: 'b', category: 'D', array: 1115, input: "timestamp_in", output: "timestamp_out", receive: "timestamp_recv", send: "timestamp_send", modin: "timestamptypmodin", modout: "timestamptypmodout", align: 'd', storage: 'p', kind: types.Timestamp},
	{oid: 1184, name: "timestamptz", len: 8, byval: true, typtype: 'b', category: 'D', preferred: true, array: 1185, input: "timestamptz_in", output: "timestamptz_out", receive: "timestamptz_recv", send: "timestamptz_send", modin: "timestamptztypmodin", modout: "timestamptztypmodout", align: 'd', storage: 'p', kind: types.TimestampTZ},
	{oid: 1186, name: "interval", len: 16, typtype: 'b', category: 'T', preferred: true, array: 1187, input: "interval_in", output: "interval_out", receive: "interval_recv", send: "interval_send", modin: "intervaltypmodin", modout: "intervaltypmodout", align: 'd', storage: 'p', kind: types.Interval},
	{oid: 1700, name: "numeric", len: -1, typtype: 'b', category: 'N', array: 1231, input: "numeric_in", output: "numeric_out", receive: "numeric_recv", send: "numeric_send", modin: "numerictypmodin", modout: "numerictypmodout", align: 'i', storage: 'm', kind: types.Numeric},
	{oid: 2205, name: "regclass", len: 4, byval: true, typtype: 'b', category: 'N', array: 2210, input: "regclassin", output: "regclassout", receive: "regclassrecv", send: "regclasssend", align: 'i', storage: 'p', kind: types.RegClass},
	{oid: 2206, name: "regtype", len: 4, byval: true, typtype: 'b', category: 'N', array: 2211, input: "regtypein", output: "regtypeout", receive: "regtyperecv", send: "regtypesend", align: 'i', storage: 'p', kind: types.RegType},
	{oid: 2249, name: "record", len: -1, typtype: 'p', category: 'P', array: 2287, input: "record_in", output: "record_out", receive: "record_recv", send: "record_send", align: 'd', storage: 'x', kind: types.Record},
	{oid: 2275, name: "cstring", len: -2, typtype: 'p', category: 'P', input: "cstring_in", output: "cstring_out", receive: "cstring_recv", send: "cstring_send", align: 'c', storage: 'p'},
	{oid: 2276, name: "any", len: 4, byval: true, typtype: 'p', category: 'P', input: "any_in", output: "any_out", align: 'i', storage: 'p'},
	{oid: 2277, name: "anyarray", len: -1, typtype: 'p', category: 'P', input: "anyarray_in", output: "anyarray_out", receive: "anyarray_recv", send: "anyarray_send", align: 'd', storage: 'x', kind: types.Array},
	{oid: 2278, name: "void", len: 4, byval: true, typtype: 'p', category: 'P', input: "void_in", output: "void_out", receive: "void_recv", send: "void_send", align: 'i', storage: 'p', kind: types.Void},
	{oid: 2281, name: "internal", len: 8, byval: true, typtype: 'p', category: 'P', input: "internal_in", output: "internal_out", align: 'd', storage: 'p'},
	{oid: 2283, name: "anyelement", len: 4, byval: true, typtype: 'p', category: 'P', input: "anyelement_in", output: "anyelement_out", align: 'i', storage: 'p'},
	{oid: 2776, name: "anynonarray", len: 4, byval: true, typtype: 'p', category: 'P', input: "anynonarray_in", output: "anynonarray_out", align: 'i', storage: 'p'},
	{oid: 2950, name: "uuid", len: 16, typtype: 'b', category: 'U', array: 2951, input: "uuid_in", output: "uuid_out", receive: "uuid_recv", send: "uuid_send", align: 'c', storage: 'p', kind: types.UUID},
	{oid: 3802, name: "jsonb", len: -1, typtype: 'b', category: 'U', array: 3807, input: "jsonb_in", output: "jsonb_out", receive: "jsonb_recv", send: "jsonb_send", align: 'i', storage: 'x', subscript: "jsonb_subscript_handler", kind: types.JSONB},
	{oid: 4089, name: "regnamespace", len: 4, byval: true, typtype: 'b', category: 'N', array: 4090, input: "regnamespacein", output: "regnamespaceout", receive: "regnamespacerecv", send: "regnamespacesend", align: 'i', storage: 'p', kind: types.RegNamespace},
}

// pgTypes is every row of pg_type, ordered by OID; pgTypeByOID and
// pgTypeByName index it.
var (
	pgTypes      = buildPgTypes()
	pgTypeByOID  = indexPgTypes(pgTypes)
	pgTypeByName = func() map[string]*pgTypeInfo {
		m := map[string]*pgTypeInfo{}
		for i := range pgTypes {
			m[pgTypes[i].name] = &pgTypes[i]
		}
		return m
	}()
)

func buildPgTypes() []pgTypeInfo {
	out := append([]pgTypeInfo(nil), pgBaseTypes...)
	for _, b := range pgBaseTypes {
		if b.array == 0 {
			continue
		}
		a := pgTypeInfo{oid: b.array, name: "_" + b.name, len: -1, typtype: b.typtype, category: 'A', elem: b.oid,
			input: "array_in", output: "array_out", receive: "array_recv", send: "array_send",
			modin: b.modin, modout: b.modout, align: 'i', storage: 'x', collation: b.collation,
			subscript: "array_subscript_handler", kind: types.Array}
		if b.align == 'd' {
			a.align = 'd'
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].oid < out[j].oid })
	return out
}

func indexPgTypes(ts []pgTypeInfo) map[uint32]*pgTypeInfo {
	m := make(map[uint32]*pgTypeInfo, len(ts))
	for i := range ts {
		m[ts[i].oid] = &ts[i]
	}
	return m
}

// typeOID returns the pg_type OID of a portalsdb type.
func typeOID(t types.T) uint32 { return t.Oid() }

// typeInfoOf returns the pg_type row of a portalsdb type.
func typeInfoOf(t types.T) *pgTypeInfo {
	if ti, ok := pgTypeByOID[t.Oid()]; ok {
		return ti
	}
	return pgTypeByOID[25]
}

// typmodToMod turns an atttypmod back into types.T's modifier.
func typmodToMod(k types.Kind, typmod int64) int32 {
	if typmod < 0 {
		return -1
	}
	switch k {
	case types.Varchar, types.Char, types.Numeric:
		if typmod >= 4 {
			return int32(typmod - 4)
		}
	}
	return -1
}

// formatType is PostgreSQL's format_type(oid, typmod): the SQL name of a
// type with its modifier.
func formatType(oid uint32, typmod int64) string {
	if oid == 0 {
		return "-"
	}
	ti, ok := pgTypeByOID[oid]
	if !ok {
		return "???"
	}
	if ti.category == 'A' && ti.elem != 0 {
		return formatType(ti.elem, typmod) + "[]"
	}
	if ti.kind == types.Unknown && ti.oid != 705 || ti.kind == types.Array {
		return ti.name
	}
	t := types.T{Kind: ti.kind, Mod: typmodToMod(ti.kind, typmod)}
	if ti.kind == types.Char && t.Mod < 0 {
		return "bpchar"
	}
	return t.String()
}

// attributeTypmod is the typmod pg_attribute.atttypmod holds for t.
func attributeTypmod(t types.T) int32 {
	if t.Kind == types.Array {
		return types.T{Kind: t.Elem, Mod: t.Mod}.TypeModifier()
	}
	return t.TypeModifier()
}

// lookupTypeName resolves a type name as regtype input reads it: SQL
// spellings ("integer", "character varying"), typnames ("int4"),
// "pg_catalog." prefixes, and array forms ("int4[]", "_int4").
func lookupTypeName(name string) (*pgTypeInfo, bool) {
	n := strings.TrimSpace(name)
	n = strings.TrimPrefix(n, "pg_catalog.")
	n = strings.Trim(n, `"`)
	if ti, ok := pgTypeByName[n]; ok {
		return ti, true
	}
	if ti, ok := pgTypeByName[strings.ToLower(n)]; ok {
		return ti, true
	}
	base := strings.ToLower(n)
	if i := strings.Index(base, "("); i >= 0 {
		j := strings.Index(base, ")")
		if j > i {
			base = strings.TrimSpace(base[:i] + base[j+1:])
		}
	}
	t, ok := types.FromName(base)
	if !ok {
		return nil, false
	}
	ti, ok := pgTypeByOID[t.Oid()]
	return ti, ok
}
