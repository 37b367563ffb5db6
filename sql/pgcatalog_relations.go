package sql

import (
	"strconv"
	"sync"

	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// Access method OIDs, as PostgreSQL numbers them.
const (
	heapAMOID  uint32 = 2
	btreeAMOID uint32 = 403
)

// relDesc is a row of pg_class: a table, view, index or sequence, stored
// or system.
type relDesc struct {
	oid   uint32
	name  string
	nsp   uint32
	kind  byte // r table, v view, m materialized view, i index, S sequence
	owner uint32
	attrs []attrDesc

	table *catalog.Table // user tables, views and sequences
	sys   *systemTable   // system relations
	index *indexDesc
}

// attrDesc is a row of pg_attribute.
type attrDesc struct {
	name     string
	typ      types.T
	notNull  bool
	hasDef   bool
	identity string // "" or "d"
}

// relKind maps a catalog object kind to pg_class.relkind.
func relKind(k catalog.ObjectKind) byte {
	switch k {
	case catalog.KindView:
		return 'v'
	case catalog.KindWorkflow:
		return 'm'
	case catalog.KindSequence:
		return 'S'
	}
	return 'r'
}

// sequenceAttrs are the columns of every sequence relation.
var sequenceAttrs = []attrDesc{
	{name: "last_value", typ: types.Int8Type, notNull: true},
	{name: "log_cnt", typ: types.Int8Type, notNull: true},
	{name: "is_called", typ: types.BoolType, notNull: true},
}

// systemNamespace returns the OID of a system relation's schema.
func systemNamespace(t *systemTable) uint32 {
	switch t.schema {
	case "information_schema":
		return catalog.InformationSchOID
	case portalsCatalog:
		return catalog.PortalsCatalogOID
	}
	return catalog.PgCatalogOID
}

// systemRelDescs are the pg_class rows of the system relations; they never
// change.
var systemRelDescs = sync.OnceValue(func() []*relDesc {
	var out []*relDesc
	for _, t := range sortedSystemTables() {
		r := &relDesc{oid: t.oid, name: t.name, nsp: systemNamespace(t), kind: t.kind, owner: catalog.PostgresRoleOID, sys: t}
		for _, c := range t.cols {
			r.attrs = append(r.attrs, attrDesc{name: c.name, typ: c.typ})
		}
		out = append(out, r)
	}
	return out
})

// relations lists every relation the statement's catalog holds, system
// relations first, then user objects by OID.
func (c *sysContext) relations() []*relDesc {
	if c.rels != nil {
		return c.rels
	}
	out := append([]*relDesc(nil), systemRelDescs()...)
	for _, t := range c.snap.Tables() {
		r := &relDesc{oid: t.OID, name: t.Name, nsp: t.Schema, kind: relKind(t.Kind), owner: t.Owner, table: t}
		for _, col := range t.Columns {
			a := attrDesc{name: col.Name, typ: col.Type, notNull: col.NotNull, hasDef: hasStoredDefault(&col)}
			if col.Identity {
				a.identity = "d"
			}
			r.attrs = append(r.attrs, a)
		}
		if t.Kind == catalog.KindSequence {
			r.attrs = sequenceAttrs
		}
		out = append(out, r)
		for _, ix := range c.derived.tableIndexes(t) {
			ir := &relDesc{oid: ix.oid, name: ix.name, nsp: t.Schema, kind: 'i', owner: t.Owner, index: ix}
			for _, n := range ix.attnums {
				if n >= 1 && int(n) <= len(t.Columns) {
					col := t.Columns[n-1]
					ir.attrs = append(ir.attrs, attrDesc{name: col.Name, typ: col.Type})
				}
			}
			out = append(out, ir)
		}
	}
	c.rels = out
	c.relByOID = make(map[uint32]*relDesc, len(out))
	c.relByName = make(map[relKey]*relDesc, len(out))
	for _, r := range out {
		c.relByOID[r.oid] = r
		k := relKey{r.nsp, r.name}
		if _, dup := c.relByName[k]; !dup {
			c.relByName[k] = r
		}
	}
	return out
}

// relKey identifies a relation by schema and name.
type relKey struct {
	nsp  uint32
	name string
}

// relationByName returns the relation of a name in a schema.
func (c *sysContext) relationByName(nsp uint32, name string) (*relDesc, bool) {
	c.relations()
	r, ok := c.relByName[relKey{nsp, name}]
	return r, ok
}

// searchPathOIDs returns the OIDs of the schemas of the search path that
// exist, in order.
func (c *sysContext) searchPathOIDs() []uint32 {
	var out []uint32
	for _, s := range c.view.searchPath {
		if sc, ok := c.snap.Schema(s); ok {
			out = append(out, sc.OID)
		}
	}
	return out
}

// findRelation resolves an unqualified relation name through the search
// path.
func (c *sysContext) findRelation(name string) (*relDesc, bool) {
	for _, nsp := range c.searchPathOIDs() {
		if r, ok := c.relationByName(nsp, name); ok {
			return r, true
		}
	}
	return nil, false
}

// relationVisible is pg_table_is_visible: the relation is the one its
// name finds through the search path.
func (c *sysContext) relationVisible(r *relDesc) bool {
	found, ok := c.findRelation(r.name)
	return ok && found == r
}

// relation returns the relation with the given OID.
func (c *sysContext) relation(oid uint32) (*relDesc, bool) {
	c.relations()
	r, ok := c.relByOID[oid]
	return r, ok
}

// schemaName returns the name of a schema OID.
func (c *sysContext) schemaName(oid uint32) string {
	if sc, ok := c.snap.SchemaByOID(oid); ok {
		return sc.Name
	}
	return ""
}

// roleName returns the name of a role OID, as pg_get_userbyid does.
func (c *sysContext) roleName(oid uint32) string {
	if r, ok := c.snap.RoleByOID(oid); ok {
		return r.Name
	}
	for _, r := range builtinRoles {
		if r.oid == oid {
			return r.name
		}
	}
	return "unknown (OID=" + strconv.FormatUint(uint64(oid), 10) + ")"
}
