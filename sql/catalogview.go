package sql

import (
	"strings"
	"sync"
	"sync/atomic"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
)

// specCache keeps the storage layout of each table descriptor. Descriptors
// are immutable, so a pointer identifies a version.
type specCache struct{ m sync.Map } // *catalog.Table -> *tableLayout

type tableLayout struct {
	spec *storage.TableSpec
	ref  *logical.TableRef
}

// tableSpec builds the storage layout of a table descriptor.
func tableSpec(t *catalog.Table) *storage.TableSpec {
	ts := &storage.TableSpec{ID: uint64(t.OID), Name: t.Name, PKName: t.PKName}
	if t.StorageID != 0 {
		ts.ID = t.StorageID
	}
	ord := map[uint32]int{}
	for i, c := range t.Columns {
		ts.Columns = append(ts.Columns, storage.ColumnSpec{ID: c.ID, Name: c.Name, Type: c.Type})
		ord[c.ID] = i
	}
	for _, id := range t.PrimaryKey {
		ts.PrimaryKey = append(ts.PrimaryKey, ord[id])
	}
	for _, ix := range t.Indexes {
		is := storage.IndexSpec{ID: uint64(ix.OID), Name: ix.Name, Unique: ix.Unique, Desc: append([]bool(nil), ix.Desc...)}
		if ix.StorageID != 0 {
			is.ID = ix.StorageID
		}
		for _, id := range ix.Columns {
			is.Columns = append(is.Columns, ord[id])
		}
		for len(is.Desc) < len(is.Columns) {
			is.Desc = append(is.Desc, false)
		}
		ts.Indexes = append(ts.Indexes, is)
	}
	return ts
}

func (c *specCache) layout(t *catalog.Table, rows float64) *tableLayout {
	if v, ok := c.m.Load(t); ok {
		l := v.(*tableLayout)
		return l
	}
	spec := tableSpec(t)
	ref := &logical.TableRef{OID: t.OID, Name: t.Name, Spec: spec, PrimaryKey: spec.PrimaryKey}
	for i, col := range t.Columns {
		ref.Columns = append(ref.Columns, logical.TableColumn{Name: col.Name, Type: col.Type, NotNull: col.NotNull, AttrNum: int16(i + 1)})
	}
	for i := range spec.Indexes {
		ix := &spec.Indexes[i]
		ref.Indexes = append(ref.Indexes, logical.IndexRef{Name: ix.Name, Columns: ix.Columns, Desc: ix.Desc, Unique: ix.Unique, Spec: ix})
	}
	l := &tableLayout{spec: spec, ref: ref}
	c.m.Store(t, l)
	return l
}

// tableStats keeps a rough row count per table, for join ordering.
type tableStats struct{ m sync.Map } // oid -> *atomic.Int64

func (s *tableStats) counter(oid uint32) *atomic.Int64 {
	if v, ok := s.m.Load(oid); ok {
		return v.(*atomic.Int64)
	}
	v, _ := s.m.LoadOrStore(oid, new(atomic.Int64))
	return v.(*atomic.Int64)
}

func (s *tableStats) add(oid uint32, n int64) {
	c := s.counter(oid)
	if c.Add(n) < 0 {
		c.Store(0)
	}
}

func (s *tableStats) rows(oid uint32) float64 { return float64(s.counter(oid).Load()) }

// catalogView is the catalog as one statement of a session sees it; it
// implements binder.Catalog.
type catalogView struct {
	e          *Engine
	snap       *catalog.Snapshot
	searchPath []string
	// session is the session the statement runs in; nil outside one.
	session *Session
	// sys is computed on first use by system relations and catalog
	// functions.
	sys *sysContext
}

// schemaFor resolves a schema name, or the search path when empty.
func (v *catalogView) lookupTable(schema, name string) (*catalog.Table, *catalog.Schema, error) {
	if schema != "" {
		sc, ok := v.snap.Schema(schema)
		if !ok {
			// PostgreSQL reports the relation, not the schema, as missing.
			return nil, nil, pgerror.Newf(pgerror.UndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
		}
		t, ok := v.snap.Table(sc.OID, name)
		if !ok {
			return nil, sc, pgerror.Newf(pgerror.UndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
		}
		return t, sc, nil
	}
	for _, s := range v.searchPath {
		sc, ok := v.snap.Schema(s)
		if !ok {
			continue
		}
		if t, ok := v.snap.Table(sc.OID, name); ok {
			return t, sc, nil
		}
	}
	return nil, nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", name)
}

// creationSchema is the schema new objects go to: the named one, or the
// first existing schema of the search path.
func (v *catalogView) creationSchema(schema string) (*catalog.Schema, error) {
	if schema != "" {
		sc, ok := v.snap.Schema(schema)
		if !ok {
			return nil, pgerror.Newf(pgerror.InvalidSchemaName, "schema %q does not exist", schema)
		}
		return sc, nil
	}
	for _, s := range v.searchPath {
		if s == "pg_catalog" {
			continue
		}
		if sc, ok := v.snap.Schema(s); ok {
			return sc, nil
		}
	}
	return nil, pgerror.New(pgerror.InvalidSchemaName, "no schema has been selected to create in")
}

// Relation implements binder.Catalog.
func (v *catalogView) Relation(schema, name string) (*binder.Relation, error) {
	if vt, ok := v.e.systemRelation(v, schema, name); ok {
		return vt, nil
	}
	t, _, err := v.lookupTable(schema, name)
	if err != nil {
		return nil, err
	}
	if t.Kind == catalog.KindSequence {
		return v.sequenceRelation(t), nil
	}
	rel := &binder.Relation{Table: t}
	switch t.Kind {
	case catalog.KindTable:
		l := v.e.specs.layout(t, 0)
		ref := *l.ref
		ref.Rows = v.e.stats.rows(t.OID)
		ref.Changelog = t.Changelog
		rel.Ref = &ref
	case catalog.KindStream, catalog.KindWorkflow:
		ref := &logical.TableRef{OID: t.OID, Name: t.Name, Kind: logical.StreamRelation}
		if t.Kind == catalog.KindWorkflow {
			ref.Kind = logical.WorkflowRelation
			ref.AppendOnly = t.Workflow != nil && t.Workflow.AppendOnly
		}
		for i, col := range t.Columns {
			ref.Columns = append(ref.Columns, logical.TableColumn{Name: col.Name, Type: col.Type, NotNull: col.NotNull, AttrNum: int16(i + 1)})
		}
		if t.Stream != nil && t.Stream.WatermarkColumn != "" {
			wm, err := v.watermark(t)
			if err != nil {
				return nil, err
			}
			ref.Watermark = wm
		}
		rel.Ref = ref
	}
	return rel, nil
}

// ParseView implements binder.Catalog.
func (v *catalogView) ParseView(t *catalog.Table) (*pg.Node, error) {
	tree, err := pg.Parse(t.ViewSQL)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "view %q has an unparsable definition", t.Name)
	}
	return tree.Stmts[0].Stmt, nil
}

// splitSearchPath parses a search_path setting.
func splitSearchPath(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		p = strings.Trim(p, `"`)
		if p == "$user" || p == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// watermark binds a stream's watermark expression over its columns.
func (v *catalogView) watermark(t *catalog.Table) (*logical.Watermark, error) {
	_, ord, ok := t.Column(t.Stream.WatermarkColumn)
	if !ok {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "stream %q has a watermark on a missing column", t.Name)
	}
	n, err := binder.ParseExpr(t.Stream.WatermarkExpr)
	if err != nil {
		return nil, err
	}
	e, err := binder.BindScalar(v, n, tableColumns(t.Columns), t.Name)
	if err != nil {
		return nil, err
	}
	if e.Type().Kind != t.Columns[ord].Type.Kind {
		if e, err = binder.Coerce(e, t.Columns[ord].Type, "watermark"); err != nil {
			return nil, err
		}
	}
	return &logical.Watermark{Column: ord, Expr: e}, nil
}
