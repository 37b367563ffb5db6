package sql

import (
	"strconv"
	"strings"

	"portalsdb/sql/catalog"
)

// The catalog stores a table's indexes, constraints and column defaults
// inside its descriptor. pg_catalog shows them as objects of their own,
// with OIDs; derivedCatalog lists them once per statement.
//
// OIDs: a relation, an index and a primary key's index have OIDs stored in
// the catalog. A PRIMARY KEY or UNIQUE constraint takes the OID of the index
// that enforces it. CHECK constraints and column defaults have no stored
// OID; theirs are computed from the table's OID and the object's position,
// in ranges user objects never reach (at or above 2^31), so they are stable
// across restarts without being stored.

const (
	checkOIDBase   uint32 = 0x8000_0000
	attrdefOIDBase uint32 = 0xC000_0000
)

// checkOID is the OID of the i-th CHECK constraint of a table.
func checkOID(table uint32, i int) uint32 {
	return checkOIDBase | (table&0xF_FFFF)<<11 | uint32(i)&0x7FF
}

// attrdefOID is the OID of a column's default.
func attrdefOID(table uint32, attnum int16) uint32 {
	return attrdefOIDBase | (table&0xF_FFFF)<<11 | uint32(attnum)&0x7FF
}

// indexDesc is an index as pg_index and pg_class show it.
type indexDesc struct {
	oid     uint32
	name    string
	table   *catalog.Table
	attnums []int16
	desc    []bool
	unique  bool
	primary bool
	// constraint is true for the indexes of PRIMARY KEY and UNIQUE
	// constraints.
	constraint bool
}

// constraintDesc is a row of pg_constraint.
type constraintDesc struct {
	oid     uint32
	name    string
	kind    byte // 'p', 'u' or 'c'
	table   *catalog.Table
	attnums []int16
	index   *indexDesc
	// check is a CHECK constraint's expression as stored (SQL text).
	check string
}

// attrdefDesc is a row of pg_attrdef.
type attrdefDesc struct {
	oid    uint32
	table  *catalog.Table
	attnum int16
	expr   string
}

// derivedCatalog lists the objects kept inside table descriptors.
type derivedCatalog struct {
	indexes     []*indexDesc
	indexByOID  map[uint32]*indexDesc
	constraints []*constraintDesc
	conByOID    map[uint32]*constraintDesc
	attrdefs    []*attrdefDesc
	// sequences are the sequences, which are relations of their own.
	sequences []*catalog.Table
}

// attnum returns the attribute number of a column id: its position, from
// 1, as the planner numbers table columns.
func attnum(t *catalog.Table, colID uint32) int16 {
	_, i, ok := t.ColumnByID(colID)
	if !ok {
		return 0
	}
	return int16(i + 1)
}

func derive(snap *catalog.Snapshot) *derivedCatalog {
	d := &derivedCatalog{indexByOID: map[uint32]*indexDesc{}, conByOID: map[uint32]*constraintDesc{}}
	for _, t := range snap.Tables() {
		if t.Kind == catalog.KindSequence && t.Sequence != nil {
			d.sequences = append(d.sequences, t)
		}
		if t.Kind == catalog.KindStream {
			d.addDefaults(t)
		}
		if t.Kind != catalog.KindTable {
			continue
		}
		if len(t.PrimaryKey) > 0 && t.PKName != "" {
			ix := &indexDesc{oid: t.PKOID, name: t.PKName, table: t, unique: true, primary: true, constraint: true}
			for _, id := range t.PrimaryKey {
				ix.attnums = append(ix.attnums, attnum(t, id))
			}
			ix.desc = make([]bool, len(ix.attnums))
			d.addIndex(ix)
			d.addConstraint(&constraintDesc{oid: ix.oid, name: ix.name, kind: 'p', table: t, attnums: ix.attnums, index: ix})
		}
		for _, x := range t.Indexes {
			ix := &indexDesc{oid: x.OID, name: x.Name, table: t, unique: x.Unique, constraint: x.Constraint}
			for i, id := range x.Columns {
				ix.attnums = append(ix.attnums, attnum(t, id))
				ix.desc = append(ix.desc, i < len(x.Desc) && x.Desc[i])
			}
			d.addIndex(ix)
			if x.Constraint && x.Unique {
				d.addConstraint(&constraintDesc{oid: ix.oid, name: ix.name, kind: 'u', table: t, attnums: ix.attnums, index: ix})
			}
		}
		for i, c := range t.Checks {
			d.addConstraint(&constraintDesc{oid: checkOID(t.OID, i), name: c.Name, kind: 'c', table: t, check: c.Expr})
		}
		d.addDefaults(t)
	}
	return d
}

// addDefaults lists the stored defaults of a table's or stream's columns.
func (d *derivedCatalog) addDefaults(t *catalog.Table) {
	for i, c := range t.Columns {
		if hasStoredDefault(&t.Columns[i]) {
			n := int16(i + 1)
			d.attrdefs = append(d.attrdefs, &attrdefDesc{oid: attrdefOID(t.OID, n), table: t, attnum: n, expr: c.Default})
		}
	}
}

func (d *derivedCatalog) addIndex(ix *indexDesc) {
	d.indexes = append(d.indexes, ix)
	d.indexByOID[ix.oid] = ix
}

func (d *derivedCatalog) addConstraint(c *constraintDesc) {
	d.constraints = append(d.constraints, c)
	d.conByOID[c.oid] = c
}

// tableIndexes returns the indexes of a table, primary key first.
func (d *derivedCatalog) tableIndexes(t *catalog.Table) []*indexDesc {
	var out []*indexDesc
	for _, ix := range d.indexes {
		if ix.table == t {
			out = append(out, ix)
		}
	}
	return out
}

// chooseName makes a name as PostgreSQL's ChooseRelationName does:
// table_column_suffix cut to 63 bytes, with a number appended until it is
// free.
func chooseName(table, column, suffix string, taken func(string) bool) string {
	for i := 0; ; i++ {
		tail := "_" + suffix
		if i > 0 {
			tail += strconv.Itoa(i)
		}
		t, c := table, column
		for len(t)+1+len(c)+len(tail) > 63 {
			if len(t) > len(c) {
				t = t[:len(t)-1]
			} else {
				c = c[:len(c)-1]
			}
		}
		name := t + "_" + c + tail
		if !taken(name) {
			return name
		}
	}
}

// hasStoredDefault reports whether PostgreSQL would keep a pg_attrdef row
// for a column: it has a default other than NULL and is not an identity
// column.
func hasStoredDefault(c *catalog.Column) bool {
	d := strings.TrimSpace(c.Default)
	return d != "" && !strings.EqualFold(d, "null") && !c.Identity
}
