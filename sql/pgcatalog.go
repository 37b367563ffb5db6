package sql

import (
	"sync"

	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// The relations of pg_catalog that describe schemas, relations, columns,
// indexes and constraints. Column lists follow PostgreSQL 16.

// oidList turns OIDs into an oid[] value.
func oidList(oids ...uint32) []types.Datum {
	out := make([]types.Datum, len(oids))
	for i, o := range oids {
		out[i] = int64(o)
	}
	return out
}

// int2List turns attribute numbers into an int2[] value.
func int2List(ns []int16) []types.Datum {
	out := make([]types.Datum, len(ns))
	for i, n := range ns {
		out[i] = int64(n)
	}
	return out
}

func char(b byte) string { return string([]byte{b}) }

var _ = defineSystemTables(
	&systemTable{oid: 2615, schema: "pg_catalog", name: "pg_namespace", kind: 'r',
		cols: columns("oid oid, nspname name, nspowner oid, nspacl aclitem[]"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, sc := range c.snap.Schemas() {
				emit(sysRow{"oid": int64(sc.OID), "nspname": sc.Name, "nspowner": int64(schemaOwner(sc))})
			}
		}},

	&systemTable{oid: 1259, schema: "pg_catalog", name: "pg_class", kind: 'r',
		cols: columns(`oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid,
			relfilenode oid, reltablespace oid, relpages integer, reltuples real, relallvisible integer,
			reltoastrelid oid, relhasindex boolean, relisshared boolean, relpersistence "char", relkind "char",
			relnatts smallint, relchecks smallint, relhasrules boolean, relhastriggers boolean,
			relhassubclass boolean, relrowsecurity boolean, relforcerowsecurity boolean, relispopulated boolean,
			relreplident "char", relispartition boolean, relrewrite oid, relfrozenxid xid, relminmxid xid,
			relacl aclitem[], reloptions text[], relpartbound pg_node_tree`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				emit(c.pgClassRow(r))
			}
		},
		liveColumn: "reltuples", liveValue: relTuples},

	&systemTable{oid: 1249, schema: "pg_catalog", name: "pg_attribute", kind: 'r',
		cols: columns(`attrelid oid, attname name, atttypid oid, attstattarget integer, attlen smallint,
			attnum smallint, attndims integer, attcacheoff integer, atttypmod integer, attbyval boolean,
			attalign "char", attstorage "char", attcompression "char", attnotnull boolean, atthasdef boolean,
			atthasmissing boolean, attidentity "char", attgenerated "char", attisdropped boolean,
			attislocal boolean, attinhcount integer, attcollation oid, attacl aclitem[], attoptions text[],
			attfdwoptions text[], attmissingval anyarray`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				for i, a := range r.attrs {
					ti := typeInfoOf(a.typ)
					ndims := 0
					if a.typ.Kind == types.Array {
						ndims = 1
					}
					coll := ti.collation
					storage := ti.storage
					if r.kind == 'i' {
						// Index columns store plain values.
						storage = 'p'
						if ti.storage != 'p' {
							storage = ti.storage
						}
					}
					emit(sysRow{
						"attrelid": int64(r.oid), "attname": a.name, "atttypid": int64(typeOID(a.typ)),
						"attstattarget": int64(-1), "attlen": int64(ti.len), "attnum": int64(i + 1),
						"attndims": int64(ndims), "attcacheoff": int64(-1), "atttypmod": int64(attributeTypmod(a.typ)),
						"attbyval": ti.byval, "attalign": char(ti.align), "attstorage": char(storage),
						"attcompression": "", "attnotnull": a.notNull, "atthasdef": a.hasDef,
						"atthasmissing": false, "attidentity": a.identity, "attgenerated": "",
						"attisdropped": false, "attislocal": true, "attinhcount": int64(0),
						"attcollation": int64(coll),
					})
				}
			}
		}},

	&systemTable{oid: 2610, schema: "pg_catalog", name: "pg_index", kind: 'r',
		cols: columns(`indexrelid oid, indrelid oid, indnatts smallint, indnkeyatts smallint, indisunique boolean,
			indnullsnotdistinct boolean, indisprimary boolean, indisexclusion boolean, indimmediate boolean,
			indisclustered boolean, indisvalid boolean, indcheckxmin boolean, indisready boolean,
			indislive boolean, indisreplident boolean, indkey int2vector, indcollation oidvector,
			indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, ix := range c.derived.indexes {
				emit(pgIndexRow(ix))
			}
		}},

	&systemTable{oid: 2606, schema: "pg_catalog", name: "pg_constraint", kind: 'r',
		cols: columns(`oid oid, conname name, connamespace oid, contype "char", condeferrable boolean,
			condeferred boolean, convalidated boolean, conrelid oid, contypid oid, conindid oid,
			conparentid oid, confrelid oid, confupdtype "char", confdeltype "char", confmatchtype "char",
			conislocal boolean, coninhcount integer, connoinherit boolean, conkey smallint[],
			confkey smallint[], conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols smallint[],
			conexclop oid[], conbin pg_node_tree`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, con := range c.derived.constraints {
				row := sysRow{
					"oid": int64(con.oid), "conname": con.name, "connamespace": int64(con.table.Schema),
					"contype": char(con.kind), "condeferrable": false, "condeferred": false, "convalidated": true,
					"conrelid": int64(con.table.OID), "contypid": int64(0), "conindid": int64(0),
					"conparentid": int64(0), "confrelid": int64(0), "confupdtype": " ", "confdeltype": " ",
					"confmatchtype": " ", "conislocal": true, "coninhcount": int64(0), "connoinherit": false,
				}
				if con.index != nil {
					row["conindid"] = int64(con.index.oid)
					row["conkey"] = int2List(con.attnums)
				}
				if con.kind == 'c' {
					row["conbin"] = con.check
					row["conkey"] = int2List(c.checkColumns(con))
				}
				emit(row)
			}
		}},

	&systemTable{oid: 2604, schema: "pg_catalog", name: "pg_attrdef", kind: 'r',
		cols: columns("oid oid, adrelid oid, adnum smallint, adbin pg_node_tree"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, d := range c.derived.attrdefs {
				emit(sysRow{"oid": int64(d.oid), "adrelid": int64(d.table.OID), "adnum": int64(d.attnum), "adbin": d.expr})
			}
		}},

	&systemTable{oid: 2601, schema: "pg_catalog", name: "pg_am", kind: 'r',
		cols: columns(`oid oid, amname name, amhandler regproc, amtype "char"`),
		rows: func(c *sysContext, emit func(sysRow)) {
			emit(sysRow{"oid": int64(heapAMOID), "amname": "heap", "amhandler": int64(procOID("heap_tableam_handler")), "amtype": "t"})
			emit(sysRow{"oid": int64(btreeAMOID), "amname": "btree", "amhandler": int64(procOID("bthandler")), "amtype": "i"})
			emit(sysRow{"oid": int64(streamAMOID), "amname": "stream", "amhandler": int64(0), "amtype": "t"})
		}},

	&systemTable{oid: 2608, schema: "pg_catalog", name: "pg_depend", kind: 'r',
		cols: columns(`classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, refobjsubid integer, deptype "char"`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, t := range c.snap.Tables() {
				// A view depends on the relations it reads, through its
				// rewrite rule, whose OID portalsdb takes to be the view's.
				for _, dep := range t.DependsOn {
					emit(sysRow{"classid": int64(2618), "objid": int64(t.OID), "objsubid": int64(0),
						"refclassid": int64(1259), "refobjid": int64(dep), "refobjsubid": int64(0), "deptype": "n"})
				}
			}
			for _, ix := range c.derived.indexes {
				dt := "a"
				if ix.constraint {
					dt = "i"
				}
				for _, n := range ix.attnums {
					emit(sysRow{"classid": int64(1259), "objid": int64(ix.oid), "objsubid": int64(0),
						"refclassid": int64(1259), "refobjid": int64(ix.table.OID), "refobjsubid": int64(n), "deptype": dt})
				}
			}
			c.sequenceDepends(emit)
		}},

	&systemTable{oid: 2224, schema: "pg_catalog", name: "pg_sequence", kind: 'r',
		cols: columns("seqrelid oid, seqtypid oid, seqstart bigint, seqincrement bigint, seqmax bigint, seqmin bigint, seqcache bigint, seqcycle boolean"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, t := range c.derived.sequences {
				sd := t.Sequence
				emit(sysRow{"seqrelid": int64(t.OID), "seqtypid": int64(typeOID(sd.Type)), "seqstart": sd.Start,
					"seqincrement": sd.Increment, "seqmax": sd.Max, "seqmin": sd.Min, "seqcache": sd.Cache, "seqcycle": sd.Cycle})
			}
		}},

	&systemTable{oid: 2611, schema: "pg_catalog", name: "pg_inherits", kind: 'r',
		cols: columns("inhrelid oid, inhparent oid, inhseqno integer, inhdetachpending boolean")},
	&systemTable{oid: 2609, schema: "pg_catalog", name: "pg_description", kind: 'r',
		cols: columns("objoid oid, classoid oid, objsubid integer, description text"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, d := range c.descriptions() {
				emit(sysRow{"objoid": int64(d.objoid), "classoid": int64(d.classoid), "objsubid": int64(0), "description": d.text})
			}
		}},
	&systemTable{oid: 2396, schema: "pg_catalog", name: "pg_shdescription", kind: 'r',
		cols: columns("objoid oid, classoid oid, description text")},
	&systemTable{oid: 2618, schema: "pg_catalog", name: "pg_rewrite", kind: 'r',
		cols: columns(`oid oid, rulename name, ev_class oid, ev_type "char", ev_enabled "char", is_instead boolean, ev_qual pg_node_tree, ev_action pg_node_tree`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, t := range c.snap.Tables() {
				// Views and workflows (materialized views) have a
				// _RETURN rule, as PostgreSQL's views and
				// materialized views do.
				if t.Kind == catalog.KindView || t.Kind == catalog.KindWorkflow {
					emit(sysRow{"oid": int64(t.OID), "rulename": "_RETURN", "ev_class": int64(t.OID), "ev_type": "1",
						"ev_enabled": "O", "is_instead": true, "ev_qual": "<>", "ev_action": t.ViewSQL})
				}
			}
		}},
)

// schemaOwner is the owner pg_namespace shows. As in PostgreSQL 15 and
// later, the public schema belongs to pg_database_owner.
func schemaOwner(sc *catalog.Schema) uint32 {
	if sc.OID == catalog.PublicOID && sc.Owner == catalog.PostgresRoleOID {
		return pgDatabaseOwnerOID
	}
	return sc.Owner
}

func seqMax(t types.T) int64 {
	switch t.Kind {
	case types.Int2:
		return 32767
	case types.Int4:
		return 2147483647
	}
	return 9223372036854775807
}

// pgClassRow is a relation's row of pg_class.
func (c *sysContext) pgClassRow(r *relDesc) sysRow {
	row := sysRow{
		"oid": int64(r.oid), "relname": r.name, "relnamespace": int64(r.nsp), "reltype": int64(0),
		"reloftype": int64(0), "relowner": int64(r.owner), "relam": int64(0), "relfilenode": int64(0),
		"reltablespace": int64(0), "relpages": int64(0), "reltuples": float64(-1), "relallvisible": int64(0),
		"reltoastrelid": int64(0), "relhasindex": false, "relisshared": false, "relpersistence": "p",
		"relkind": char(r.kind), "relnatts": int64(len(r.attrs)), "relchecks": int64(0), "relhasrules": false,
		"relhastriggers": false, "relhassubclass": false, "relrowsecurity": false, "relforcerowsecurity": false,
		"relispopulated": true, "relreplident": "n", "relispartition": false, "relrewrite": int64(0),
		"relfrozenxid": int64(0), "relminmxid": int64(0),
	}
	switch {
	case r.table != nil && r.kind == 'r':
		row["relam"] = int64(heapAMOID)
		row["relfilenode"] = int64(r.oid)
		row["relreplident"] = "d"
		row["relhasindex"] = len(r.table.PrimaryKey) > 0 || len(r.table.Indexes) > 0
		row["relchecks"] = int64(len(r.table.Checks))
		if r.table.Kind == catalog.KindStream {
			row["relam"] = int64(streamAMOID)
		}
	case r.table != nil && r.kind == 'm':
		// A workflow's result is stored like a table's rows.
		row["relam"] = int64(heapAMOID)
		row["relfilenode"] = int64(r.oid)
		row["relreplident"] = "d"
		row["relhasrules"] = true
	case r.table != nil && r.kind == 'v':
		row["relhasrules"] = true
	case r.index != nil:
		row["relam"] = int64(btreeAMOID)
		row["relfilenode"] = int64(r.oid)
		row["reltuples"] = float64(0)
	case r.table != nil && r.kind == 'S':
		row["relfilenode"] = int64(r.oid)
		row["reltuples"] = float64(1)
	case r.sys != nil && r.kind == 'r':
		row["relam"] = int64(heapAMOID)
		row["relfilenode"] = int64(r.oid)
	}
	return row
}

// pgIndexRow is an index's row of pg_index.
func pgIndexRow(ix *indexDesc) sysRow {
	n := int64(len(ix.attnums))
	opts := make([]int16, len(ix.desc))
	for i, d := range ix.desc {
		if d {
			// INDOPTION_DESC, with NULLS FIRST as DESC implies.
			opts[i] = 3
		}
	}
	colls := make([]uint32, len(ix.attnums))
	classes := make([]uint32, len(ix.attnums))
	for i, a := range ix.attnums {
		if a >= 1 && int(a) <= len(ix.table.Columns) {
			colls[i] = typeInfoOf(ix.table.Columns[a-1].Type).collation
		}
	}
	return sysRow{
		"indexrelid": int64(ix.oid), "indrelid": int64(ix.table.OID), "indnatts": n, "indnkeyatts": n,
		"indisunique": ix.unique, "indnullsnotdistinct": false, "indisprimary": ix.primary,
		"indisexclusion": false, "indimmediate": true, "indisclustered": false, "indisvalid": true,
		"indcheckxmin": false, "indisready": true, "indislive": true, "indisreplident": false,
		"indkey": int2List(ix.attnums), "indcollation": oidList(colls...), "indclass": oidList(classes...),
		"indoption": int2List(opts),
	}
}

// relTuples is pg_class.reltuples: a table's current row estimate, or -1
// (never counted) until it has rows, as PostgreSQL shows a table that was
// never analyzed; what the cached row holds for other relations.
func relTuples(c *sysContext, row []types.Datum) types.Datum {
	pos := pgClassPositions()
	if row[pos.relkind] == "r" {
		if n := c.e.stats.rows(uint32(row[pos.oid].(int64))); n > 0 {
			return n
		}
	}
	return row[pos.reltuples]
}

// pgClassPositions are the positions of the pg_class columns relTuples
// reads.
var pgClassPositions = sync.OnceValue(func() struct{ oid, relkind, reltuples int } {
	t := systemTables["pg_catalog"]["pg_class"]
	return struct{ oid, relkind, reltuples int }{t.column("oid"), t.column("relkind"), t.column("reltuples")}
})
