package sql

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// System relations: pg_catalog and information_schema are not stored.
// Each relation is a systemTable whose rows are computed, when a query
// reads it, from the catalog snapshot the statement was bound against
// (so a transaction sees its own DDL) and from the engine's live state
// (sessions, settings, row estimates). The binder sees them as Virtual
// relations scanned through a FunctionScan.

// sysColumn is a column of a system relation.
type sysColumn struct {
	name string
	typ  types.T
}

// sysRow is one row being built: column name to value. Columns left out
// are NULL. Building rows by name keeps the long column lists of
// pg_class or pg_attribute readable and immune to positional slips.
type sysRow map[string]types.Datum

// systemTable is a relation of pg_catalog or information_schema.
type systemTable struct {
	oid    uint32
	schema string
	name   string
	// kind is the pg_class.relkind PostgreSQL gives it: 'r' for catalog
	// tables, 'v' for views.
	kind byte
	cols []sysColumn
	// rows produces the rows; nil for relations that are always empty in
	// portalsdb (triggers, policies, publications...).
	rows func(c *sysContext, emit func(sysRow))
	// live marks relations whose rows depend on more than the catalog
	// snapshot and the search path (sessions, settings, statistics); they
	// are computed on every scan. The others are cached per snapshot.
	live bool
	// liveColumn, when set, names a column computed on every scan even
	// though the rest of the rows are cached; liveValue gives its value
	// for a row.
	liveColumn string
	liveValue  func(c *sysContext, row []types.Datum) types.Datum
}

// systemTables holds every system relation by schema, then name. It is
// built once at package initialization and never changed.
var systemTables = map[string]map[string]*systemTable{}

// systemTablesByOID indexes the same relations by OID, for pg_class and
// the functions taking a regclass.
var systemTablesByOID = map[uint32]*systemTable{}

// defineSystemTables registers relations; each file that defines system
// relations calls it from a package-level variable initializer.
func defineSystemTables(ts ...*systemTable) bool {
	for _, t := range ts {
		if systemTables[t.schema] == nil {
			systemTables[t.schema] = map[string]*systemTable{}
		}
		if _, dup := systemTables[t.schema][t.name]; dup {
			panic("system relation defined twice: " + t.schema + "." + t.name)
		}
		if _, dup := systemTablesByOID[t.oid]; dup {
			panic(fmt.Sprintf("system relation OID %d used twice (%s)", t.oid, t.name))
		}
		systemTables[t.schema][t.name] = t
		systemTablesByOID[t.oid] = t
	}
	return true
}

// sortedSystemTables returns every system relation ordered by OID.
func sortedSystemTables() []*systemTable {
	out := make([]*systemTable, 0, len(systemTablesByOID))
	for _, t := range systemTablesByOID {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].oid < out[j].oid })
	return out
}

// columns parses a column list written as PostgreSQL's catalogs document
// them: "oid oid, relname name, relkind \"char\"". Types portalsdb does not
// have map to their closest relative: "char", pg_node_tree, inet and
// pg_lsn to text; aclitem[] to text[]; int2vector and oidvector to
// arrays; xid to oid.
func columns(spec string) []sysColumn {
	var out []sysColumn
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		name, typ, ok := strings.Cut(part, " ")
		if !ok {
			panic("bad system column spec: " + part)
		}
		t, ok := sysType(strings.TrimSpace(typ))
		if !ok {
			panic("unknown system column type: " + part)
		}
		out = append(out, sysColumn{name: name, typ: t})
	}
	return out
}

func sysType(name string) (types.T, bool) {
	switch name {
	case `"char"`, "pg_node_tree", "inet", "pg_lsn", "anyarray", "sql_identifier", "character_data", "yes_or_no":
		return types.TextType, true
	case `"char"[]`, "aclitem[]":
		return types.ArrayOf(types.Text), true
	case "int2vector":
		return types.ArrayOf(types.Int2), true
	case "oidvector":
		return types.ArrayOf(types.Oid), true
	case "xid":
		return types.OidType, true
	case "cardinal_number":
		return types.Int4Type, true
	case "time_stamp":
		return types.TimestampTZType, true
	}
	return types.FromName(name)
}

// sysContext is what row producers read: the statement's catalog and the
// engine's live state.
type sysContext struct {
	view *catalogView
	snap *catalog.Snapshot
	e    *Engine
	// derived holds the objects portalsdb keeps implicitly (constraints,
	// defaults, index rows) with their OIDs.
	derived *derivedCatalog

	rels      []*relDesc
	relByOID  map[uint32]*relDesc
	relByName map[relKey]*relDesc
}

// systemRelation resolves a name to a system relation. A qualified name
// must name a system schema; an unqualified one follows the search path,
// where pg_catalog comes first unless the path lists it elsewhere, so a
// user table in an earlier schema hides a system relation of the same
// name as in PostgreSQL.
func (e *Engine) systemRelation(view *catalogView, schema, name string) (*binder.Relation, bool) {
	if schema != "" {
		t, ok := systemTables[schema][name]
		if !ok {
			return nil, false
		}
		return view.virtualRelation(t), true
	}
	for _, s := range view.searchPath {
		if t, ok := systemTables[s][name]; ok {
			return view.virtualRelation(t), true
		}
		if sc, ok := view.snap.Schema(s); ok {
			if _, ok := view.snap.Table(sc.OID, name); ok {
				return nil, false
			}
		}
	}
	return nil, false
}

func (v *catalogView) virtualRelation(t *systemTable) *binder.Relation {
	cols := make([]logical.TableColumn, len(t.cols))
	for i, c := range t.cols {
		cols[i] = logical.TableColumn{Name: c.name, Type: c.typ, AttrNum: int16(i + 1)}
	}
	return &binder.Relation{Virtual: &binder.Virtual{
		Name:    t.schema + "." + t.name,
		Columns: cols,
		Impl:    &systemScan{t: t, view: v},
	}}
}

// systemScan is the exec.SetFunction producing a system relation's rows.
type systemScan struct {
	t    *systemTable
	view *catalogView
}

func (s *systemScan) Start(ctx *exec.Context, _ []types.Datum) (exec.RowIterator, error) {
	if s.t.rows == nil {
		return &batchList{}, nil
	}
	if s.t.live {
		rows, err := s.t.compute(s.view.sysContext())
		if err != nil {
			return nil, err
		}
		return &batchList{bs: s.t.batches(rows, ctx.BatchSize)}, nil
	}
	entry, err := s.view.e.sysCache.get(s.view, s.t, ctx.BatchSize)
	if err != nil {
		return nil, err
	}
	if s.t.liveColumn == "" {
		return &batchList{bs: entry.batches}, nil
	}
	// Replace the live column of each cached batch.
	c := s.view.sysContext()
	col := s.t.column(s.t.liveColumn)
	typ := s.t.cols[col].typ
	out := make([]*batch.Batch, len(entry.batches))
	row := 0
	for i, b := range entry.batches {
		vals := make([]types.Datum, b.Len)
		for j := range vals {
			vals[j] = s.t.liveValue(c, entry.rows[row])
			row++
		}
		cols := append([]arrow.Array(nil), b.Cols...)
		cols[col] = types.ArrayFromDatums(typ, vals)
		out[i] = &batch.Batch{Cols: cols, Len: b.Len}
	}
	return &batchList{bs: out}, nil
}

// columnTypes returns the types of the relation's columns.
func (t *systemTable) columnTypes() []types.T {
	ts := make([]types.T, len(t.cols))
	for i, c := range t.cols {
		ts[i] = c.typ
	}
	return ts
}

// column returns the position of a column.
func (t *systemTable) column(name string) int {
	for i, c := range t.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// compute produces the relation's rows in column order.
func (t *systemTable) compute(c *sysContext) ([][]types.Datum, error) {
	pos := make(map[string]int, len(t.cols))
	for i, col := range t.cols {
		pos[col.name] = i
	}
	var rows [][]types.Datum
	var bad string
	t.rows(c, func(r sysRow) {
		row := make([]types.Datum, len(t.cols))
		for k, v := range r {
			i, ok := pos[k]
			if !ok {
				bad = k
				continue
			}
			row[i] = v
		}
		rows = append(rows, row)
	})
	if bad != "" {
		return nil, pgerror.Internalf("system relation %s has no column %s", t.name, bad)
	}
	return rows, nil
}

// batches cuts rows into batches of at most size rows.
func (t *systemTable) batches(rows [][]types.Datum, size int) []*batch.Batch {
	if size <= 0 {
		size = 1024
	}
	ts := t.columnTypes()
	var out []*batch.Batch
	for len(rows) > 0 {
		n := min(size, len(rows))
		out = append(out, batch.FromRows(ts, rows[:n]))
		rows = rows[n:]
	}
	return out
}

// systemCache keeps the rows of the system relations that depend only on
// the catalog snapshot and the search path, for the newest pair seen:
// psql's \d sends a dozen queries over the same catalog, and correlated
// subqueries scan the same relations again for each outer row. Batches
// are never changed once built, so scans share them.
type systemCache struct {
	mu      sync.Mutex
	snap    *catalog.Snapshot
	path    string
	entries map[*systemTable]*cachedRows
}

type cachedRows struct {
	rows    [][]types.Datum
	batches []*batch.Batch
	size    int
}

func (sc *systemCache) get(v *catalogView, t *systemTable, size int) (*cachedRows, error) {
	path := strings.Join(v.searchPath, ",")
	sc.mu.Lock()
	if sc.snap != v.snap || sc.path != path {
		sc.snap, sc.path, sc.entries = v.snap, path, map[*systemTable]*cachedRows{}
	}
	if e, ok := sc.entries[t]; ok && e.size == size {
		sc.mu.Unlock()
		return e, nil
	}
	sc.mu.Unlock()
	rows, err := t.compute(v.sysContext())
	if err != nil {
		return nil, err
	}
	e := &cachedRows{rows: rows, batches: t.batches(rows, size), size: size}
	sc.mu.Lock()
	if sc.snap == v.snap && sc.path == path {
		sc.entries[t] = e
	}
	sc.mu.Unlock()
	return e, nil
}

// batchList yields batches computed in advance.
type batchList struct{ bs []*batch.Batch }

func (l *batchList) Next(*exec.Context) (*batch.Batch, error) {
	if len(l.bs) == 0 {
		return nil, nil
	}
	b := l.bs[0]
	l.bs = l.bs[1:]
	return b, nil
}

// sysContext returns the context row producers read.
func (v *catalogView) sysContext() *sysContext {
	if v.sys == nil {
		v.sys = &sysContext{view: v, snap: v.snap, e: v.e, derived: derive(v.snap)}
	}
	return v.sys
}

// printRegColumns makes result columns of the reg* types (regclass,
// regtype, regproc, regnamespace) print names, as their output functions
// do in PostgreSQL: the values are int64 OIDs in Arrow, and only the
// catalog knows the names, so the result casts them to text when the
// statement runs. Such columns are described to the client as text.
func printRegColumns(b *binder.Binder, bound *binder.Bound) {
	if bound.Kind != "SELECT" {
		return
	}
	need := false
	for _, c := range bound.Columns {
		if c.Type.IsOidLike() && c.Type.Kind != types.Oid {
			need = true
		}
	}
	if !need {
		return
	}
	exprs := make([]expr.Expr, len(bound.Columns))
	cols := make([]logical.Column, len(bound.Columns))
	for i, c := range bound.Columns {
		ref := &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}
		if c.Type.IsOidLike() && c.Type.Kind != types.Oid {
			exprs[i] = &expr.Cast{Arg: ref, To: types.TextType, Explicit: true}
			cols[i] = logical.Column{ID: b.NextColumnID(), Name: c.Name, Type: types.TextType}
			continue
		}
		exprs[i], cols[i] = ref, c
	}
	bound.Plan = &logical.Project{Input: bound.Plan, Exprs: exprs, Cols: cols}
	bound.Columns = cols
}
