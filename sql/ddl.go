package sql

import (
	"context"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/planner/logical"
	"portalsdb/sql/auth"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/types"
)

// ddl is one DDL statement's work on transaction t's catalog.
type ddl struct {
	s    *Session
	t    *txnState
	view *catalogView
	// cascaded describes the objects a DROP ... CASCADE took with it, for
	// the one notice PostgreSQL gives per statement.
	cascaded []string
	// droppedColumns are the columns (column 0: whole tables) the
	// statement drops, whose sequences go with them.
	droppedColumns map[columnRef]bool
}

func (d *ddl) store() catalog.Store { return metaStore{d.t.txn} }

// snap is the catalog the statement changes.
func (d *ddl) snap() *catalog.Snapshot { return d.view.snap }

// install records a changed catalog in the transaction.
func (d *ddl) install(c *catalog.Snapshot) {
	d.t.cat = c
	d.view.snap = c
}

func (d *ddl) newOID() (uint32, error) {
	id, err := d.s.e.db.AllocateIDs("oid", 1)
	if err != nil {
		return 0, err
	}
	return catalog.FirstUserOID + uint32(id), nil
}

func (s *Session) execDDL(ctx context.Context, t *txnState, n *pg.Node, pr *prepared) (pgwire.Result, error) {
	d := &ddl{s: s, t: t, view: s.catalogView(t)}
	var tag string
	var err error
	switch {
	case n.GetCreateStmt() != nil:
		tag, err = "CREATE TABLE", d.createTable(n.GetCreateStmt())
	case n.GetCreateTableAsStmt() != nil:
		if n.GetCreateTableAsStmt().Objtype == pg.ObjectType_OBJECT_MATVIEW {
			return nil, pgerror.Internalf("materialized views are created outside DDL transactions")
		}
		return d.createTableAs(ctx, n.GetCreateTableAsStmt())
	case n.GetDropStmt() != nil:
		tag, err = d.drop(n.GetDropStmt())
	case n.GetIndexStmt() != nil:
		tag, err = "CREATE INDEX", d.createIndex(n.GetIndexStmt())
	case n.GetViewStmt() != nil:
		tag, err = "CREATE VIEW", d.createView(n.GetViewStmt())
	case n.GetCreateSchemaStmt() != nil:
		tag, err = "CREATE SCHEMA", d.createSchema(n.GetCreateSchemaStmt())
	case n.GetAlterTableStmt() != nil:
		tag, err = "ALTER TABLE", d.alterTable(n.GetAlterTableStmt())
	case n.GetRenameStmt() != nil:
		tag, err = d.rename(n.GetRenameStmt())
	case n.GetTruncateStmt() != nil:
		tag, err = "TRUNCATE TABLE", d.truncate(n.GetTruncateStmt())
	case n.GetCreateRoleStmt() != nil:
		tag, err = "CREATE ROLE", d.createRole(n.GetCreateRoleStmt())
	case n.GetAlterRoleStmt() != nil:
		tag, err = "ALTER ROLE", d.alterRole(n.GetAlterRoleStmt())
	case n.GetDropRoleStmt() != nil:
		tag, err = "DROP ROLE", d.dropRole(n.GetDropRoleStmt())
	case n.GetVacuumStmt() != nil:
		tag, err = d.vacuum(n.GetVacuumStmt())
	case n.GetCreateSeqStmt() != nil:
		tag, err = "CREATE SEQUENCE", d.createSequence(n.GetCreateSeqStmt())
	case n.GetAlterSeqStmt() != nil:
		tag, err = "ALTER SEQUENCE", d.alterSequence(n.GetAlterSeqStmt())
	default:
		return nil, pgerror.Unsupportedf("%s is not supported", describeNode(n))
	}
	if err != nil {
		return nil, err
	}
	return &tagResult{tag: tag}, nil
}

// pgQueryVersion is the parse tree version of pg_query_go's grammar
// (PostgreSQL 17.7), which Deparse checks.
const pgQueryVersion = 170007

// deparseExpr renders an expression node back to SQL text.
func deparseExpr(n *pg.Node) (string, error) {
	tree := &pg.ParseResult{Version: pgQueryVersion, Stmts: []*pg.RawStmt{{Stmt: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}},
	}}}}}}
	s, err := pg.Deparse(tree)
	if err != nil {
		return "", pgerror.Internalf("deparsing an expression: %v", err)
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

func deparseStmt(n *pg.Node) (string, error) {
	s, err := pg.Deparse(&pg.ParseResult{Version: pgQueryVersion, Stmts: []*pg.RawStmt{{Stmt: n}}})
	if err != nil {
		return "", pgerror.Internalf("deparsing a statement: %v", err)
	}
	return s, nil
}

func (d *ddl) relationExists(schema uint32, name string) bool {
	_, ok := d.snap().Table(schema, name)
	if !ok {
		_, ok = d.snap().IndexOwner(schema, name)
	}
	return ok
}

// tableColumns returns a table's columns as logical columns with ids
// 1..n, for binding CHECK and DEFAULT expressions.
func tableColumns(cols []catalog.Column) []logical.Column {
	out := make([]logical.Column, len(cols))
	for i, c := range cols {
		out[i] = logical.Column{ID: expr.ColumnID(i + 1), Name: c.Name, Type: c.Type}
	}
	return out
}

// validateDefault checks that a DEFAULT expression binds without columns
// and can be assigned to type t, and returns its text.
func (d *ddl) validateDefault(n *pg.Node, col string, t types.T) (string, error) {
	e, err := binder.BindScalar(d.view, n, nil, "")
	if err != nil {
		if pgerror.CodeOf(err) == pgerror.UndefinedColumn {
			return "", pgerror.New(pgerror.FeatureNotSupported, "cannot use column reference in DEFAULT expression")
		}
		return "", err
	}
	if expr.HasSubquery(e) {
		return "", pgerror.New(pgerror.FeatureNotSupported, "cannot use subquery in DEFAULT expression")
	}
	if _, err := binder.Coerce(e, t, "column \""+col+"\""); err != nil {
		return "", err
	}
	n = proto.Clone(n).(*pg.Node)
	if err := d.pinRegclassNames(n); err != nil {
		return "", err
	}
	return deparseExpr(n)
}

// validateCheck binds a CHECK over the table's columns and returns its
// text.
func (d *ddl) validateCheck(n *pg.Node, table string, cols []catalog.Column) (string, error) {
	e, err := binder.BindScalar(d.view, n, tableColumns(cols), table)
	if err != nil {
		return "", err
	}
	if expr.HasSubquery(e) {
		return "", pgerror.New(pgerror.FeatureNotSupported, "cannot use subquery in check constraint")
	}
	if e.Type().Kind != types.Bool && e.Type().Kind != types.Unknown {
		return "", pgerror.Newf(pgerror.DatatypeMismatch, "argument of CHECK must be type boolean, not type %s", e.Type())
	}
	return deparseExpr(n)
}

func uniqueName(base string, taken func(string) bool) string {
	if !taken(base) {
		return base
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s%d", base, i)
		if !taken(n) {
			return n
		}
	}
}

func (d *ddl) createTable(cs *pg.CreateStmt) error {
	if len(cs.InhRelations) > 0 || cs.Partspec != nil || cs.OfTypename != nil {
		return pgerror.Unsupportedf("inheritance, partitioning and typed tables are not supported")
	}
	sc, err := d.view.creationSchema(cs.Relation.Schemaname)
	if err != nil {
		return err
	}
	name := cs.Relation.Relname
	if d.relationExists(sc.OID, name) {
		if cs.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateTable, fmt.Sprintf("relation %q already exists, skipping", name))
			return nil
		}
		return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", name)
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	tbl := &catalog.Table{OID: oid, Schema: sc.OID, Name: name, Kind: catalog.KindTable, Owner: catalog.PostgresRoleOID}
	if r, ok := d.snap().Role(d.s.user); ok {
		tbl.Owner = r.OID
	}
	type pendingCheck struct {
		name string
		expr *pg.Node
	}
	var checks []pendingCheck
	var pk []string
	var uniques [][]string
	var uniqueNames []string
	for _, el := range cs.TableElts {
		switch {
		case el.GetColumnDef() != nil:
			cd := el.GetColumnDef()
			if _, _, dup := tbl.Column(cd.Colname); dup {
				return pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", cd.Colname)
			}
			col, err := d.columnDef(tbl, cd)
			if err != nil {
				return err
			}
			for _, cn := range cd.Constraints {
				c := cn.GetConstraint()
				switch c.Contype {
				case pg.ConstrType_CONSTR_PRIMARY:
					if pk != nil {
						return pgerror.Newf(pgerror.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", name)
					}
					pk = []string{cd.Colname}
					if c.Conname != "" {
						tbl.PKName = c.Conname
					}
				case pg.ConstrType_CONSTR_UNIQUE:
					uniques = append(uniques, []string{cd.Colname})
					uniqueNames = append(uniqueNames, c.Conname)
				case pg.ConstrType_CONSTR_CHECK:
					cname := c.Conname
					if cname == "" {
						cname = checkConstraintName(name, c.RawExpr)
					}
					checks = append(checks, pendingCheck{cname, c.RawExpr})
				}
			}
			tbl.Columns = append(tbl.Columns, col)
		case el.GetConstraint() != nil:
			c := el.GetConstraint()
			keys := func() []string {
				var out []string
				for _, k := range c.Keys {
					out = append(out, strVal(k))
				}
				return out
			}
			switch c.Contype {
			case pg.ConstrType_CONSTR_PRIMARY:
				if pk != nil {
					return pgerror.Newf(pgerror.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", name)
				}
				pk = keys()
				if c.Conname != "" {
					tbl.PKName = c.Conname
				}
			case pg.ConstrType_CONSTR_UNIQUE:
				uniques = append(uniques, keys())
				uniqueNames = append(uniqueNames, c.Conname)
			case pg.ConstrType_CONSTR_CHECK:
				cname := c.Conname
				if cname == "" {
					cname = checkConstraintName(name, c.RawExpr)
				}
				checks = append(checks, pendingCheck{cname, c.RawExpr})
			case pg.ConstrType_CONSTR_FOREIGN:
				return pgerror.Unsupportedf("foreign key constraints are not supported")
			default:
				return pgerror.Unsupportedf("constraint type %v is not supported", c.Contype)
			}
		case el.GetTableLikeClause() != nil:
			return pgerror.Unsupportedf("CREATE TABLE ... LIKE is not supported")
		}
	}
	if len(tbl.Columns) > 1600 {
		return pgerror.New(pgerror.TooManyColumns, "tables can have at most 1600 columns")
	}
	if pk != nil {
		if tbl.PKName == "" {
			tbl.PKName = name + "_pkey"
		}
		for _, k := range pk {
			col, _, ok := tbl.Column(k)
			if !ok {
				return pgerror.Newf(pgerror.UndefinedColumn, "column %q named in key does not exist", k)
			}
			if col.Type.Kind == types.JSONB || col.Type.Kind == types.JSON {
				return pgerror.Newf(pgerror.UndefinedObject, "data type %s has no default operator class for access method \"btree\"", col.Type)
			}
			col.NotNull = true
			tbl.PrimaryKey = append(tbl.PrimaryKey, col.ID)
		}
		if tbl.PKOID, err = d.newOID(); err != nil {
			return err
		}
	}
	taken := func(n string) bool {
		if n == tbl.PKName || d.relationExists(sc.OID, n) {
			return true
		}
		for _, ix := range tbl.Indexes {
			if ix.Name == n {
				return true
			}
		}
		return false
	}
	for i, u := range uniques {
		ix := catalog.Index{Name: uniqueNames[i], Unique: true, Constraint: true}
		for _, k := range u {
			col, _, ok := tbl.Column(k)
			if !ok {
				return pgerror.Newf(pgerror.UndefinedColumn, "column %q named in key does not exist", k)
			}
			ix.Columns = append(ix.Columns, col.ID)
		}
		if ix.Name == "" {
			ix.Name = uniqueName(name+"_"+strings.Join(u, "_")+"_key", taken)
		}
		if ix.OID, err = d.newOID(); err != nil {
			return err
		}
		tbl.Indexes = append(tbl.Indexes, ix)
	}
	for _, c := range checks {
		text, err := d.validateCheck(c.expr, name, tbl.Columns)
		if err != nil {
			return err
		}
		cname := uniqueName(c.name, func(n string) bool {
			for _, x := range tbl.Checks {
				if x.Name == n {
					return true
				}
			}
			return false
		})
		tbl.Checks = append(tbl.Checks, catalog.Check{Name: cname, Expr: text})
	}
	snap, err := d.snap().PutTable(d.store(), tbl)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

// columnDef builds a column from its definition: type, NOT NULL, DEFAULT,
// serial and identity.
func (d *ddl) columnDef(tbl *catalog.Table, cd *pg.ColumnDef) (catalog.Column, error) {
	tbl.NextColumnID++
	col := catalog.Column{ID: tbl.NextColumnID, Name: cd.Colname}
	_, tname := qualifiedNameOf(cd.TypeName.Names)
	serial := ""
	switch strings.ToLower(tname) {
	case "serial", "serial4":
		serial, col.Type = "int4", types.Int4Type
	case "bigserial", "serial8":
		serial, col.Type = "int8", types.Int8Type
	case "smallserial", "serial2":
		serial, col.Type = "int2", types.Int2Type
	default:
		t, err := binder.TypeFromName(cd.TypeName)
		if err != nil {
			return col, err
		}
		col.Type = t
	}
	if col.Type.Kind == types.Unknown || col.Type.Kind == types.Void || col.Type.Kind == types.Record {
		return col, pgerror.Newf(pgerror.InvalidTableDefinition, "column %q has pseudo-type %s", cd.Colname, col.Type)
	}
	if serial != "" {
		if err := d.columnSequence(tbl, &col, false, nil); err != nil {
			return col, err
		}
	}
	if cd.IsNotNull {
		col.NotNull = true
	}
	for _, cn := range cd.Constraints {
		c := cn.GetConstraint()
		switch c.Contype {
		case pg.ConstrType_CONSTR_NOTNULL:
			col.NotNull = true
		case pg.ConstrType_CONSTR_NULL:
			col.NotNull = false
		case pg.ConstrType_CONSTR_DEFAULT:
			text, err := d.validateDefault(c.RawExpr, cd.Colname, col.Type)
			if err != nil {
				return col, err
			}
			col.Default = text
		case pg.ConstrType_CONSTR_IDENTITY:
			if err := d.columnSequence(tbl, &col, true, c.Options); err != nil {
				return col, err
			}
		case pg.ConstrType_CONSTR_GENERATED:
			return col, pgerror.Unsupportedf("generated columns are not supported")
		case pg.ConstrType_CONSTR_FOREIGN:
			return col, pgerror.Unsupportedf("foreign key constraints are not supported")
		}
	}
	if cd.RawDefault != nil {
		text, err := d.validateDefault(cd.RawDefault, cd.Colname, col.Type)
		if err != nil {
			return col, err
		}
		col.Default = text
	}
	return col, nil
}

func qualifiedNameOf(ns []*pg.Node) (string, string) {
	var parts []string
	for _, n := range ns {
		parts = append(parts, strVal(n))
	}
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", parts[0]
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

func strVal(n *pg.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

// dependents returns the relations that depend on oid.
func (d *ddl) dependents(oid uint32) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range d.snap().Tables() {
		for _, dep := range t.DependsOn {
			if dep == oid {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// dropRelation drops a table or view, and with cascade its dependents.
func (d *ddl) dropRelation(t *catalog.Table, cascade bool) error {
	deps := d.dependents(t.OID)
	pdeps := d.portalsOf(t.OID)
	if (len(deps) > 0 || len(pdeps) > 0) && !cascade {
		var detail []string
		for _, dep := range deps {
			detail = append(detail, fmt.Sprintf("%s %s depends on %s %s", dep.Kind, dep.Name, t.Kind, t.Name))
		}
		for _, p := range pdeps {
			detail = append(detail, fmt.Sprintf("portal %s depends on %s %s", p.Name, t.Kind, t.Name))
		}
		return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop %s %s because other objects depend on it", t.Kind, t.Name).
			WithDetail(strings.Join(detail, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for _, p := range pdeps {
		if _, still := d.snap().PortalByOID(p.OID); !still {
			continue
		}
		d.cascaded = append(d.cascaded, "portal "+p.Name)
		if err := d.dropPortal(p, true); err != nil {
			return err
		}
	}
	for _, dep := range deps {
		if _, still := d.snap().TableByOID(dep.OID); !still {
			continue
		}
		d.cascaded = append(d.cascaded, d.describe(dep))
		if err := d.dropRelation(dep, true); err != nil {
			return err
		}
	}
	if err := d.sequenceLinks(t, 0, cascade); err != nil {
		return err
	}
	switch t.Kind {
	case catalog.KindTable:
		if err := storage.DropTableData(d.t.txn, tableSpec(t)); err != nil {
			return err
		}
	case catalog.KindWorkflow:
		if err := storage.DropTableData(d.t.txn, &storage.TableSpec{ID: uint64(t.OID), Name: t.Name}); err != nil {
			return err
		}
	case catalog.KindSequence:
		d.dropSequenceData(t)
	}
	snap, err := d.snap().DropTable(d.store(), t.OID)
	if err != nil {
		return err
	}
	d.install(snap)
	dropped := t
	d.t.onCommit = append(d.t.onCommit, func() { d.s.e.dropObjectData(dropped) })
	return nil
}

func (d *ddl) drop(ds *pg.DropStmt) (string, error) {
	cascade := ds.Behavior == pg.DropBehavior_DROP_CASCADE
	var tag string
	switch ds.RemoveType {
	case pg.ObjectType_OBJECT_TABLE:
		tag = "DROP TABLE"
	case pg.ObjectType_OBJECT_VIEW:
		tag = "DROP VIEW"
	case pg.ObjectType_OBJECT_INDEX:
		tag = "DROP INDEX"
	case pg.ObjectType_OBJECT_SCHEMA:
		tag = "DROP SCHEMA"
	case pg.ObjectType_OBJECT_MATVIEW:
		tag = "DROP MATERIALIZED VIEW"
	case pg.ObjectType_OBJECT_SEQUENCE:
		tag = "DROP SEQUENCE"
	default:
		return "", pgerror.Unsupportedf("DROP %v is not supported", ds.RemoveType)
	}
	for _, obj := range ds.Objects {
		var names []string
		if l := obj.GetList(); l != nil {
			for _, it := range l.Items {
				names = append(names, strVal(it))
			}
		} else if s := obj.GetString_(); s != nil {
			names = []string{s.Sval}
		}
		schema, name := "", names[len(names)-1]
		if len(names) > 1 {
			schema = names[len(names)-2]
		}
		var err error
		switch ds.RemoveType {
		case pg.ObjectType_OBJECT_SCHEMA:
			err = d.dropSchema(name, ds.MissingOk, cascade)
		case pg.ObjectType_OBJECT_INDEX:
			err = d.dropIndex(schema, name, ds.MissingOk)
		default:
			want := catalog.KindTable
			kindName := "table"
			switch ds.RemoveType {
			case pg.ObjectType_OBJECT_VIEW:
				want, kindName = catalog.KindView, "view"
			case pg.ObjectType_OBJECT_MATVIEW:
				want, kindName = catalog.KindWorkflow, "materialized view"
			case pg.ObjectType_OBJECT_SEQUENCE:
				want, kindName = catalog.KindSequence, "sequence"
			}
			t, _, lerr := d.view.lookupTable(schema, name)
			if lerr != nil {
				if pgerror.CodeOf(lerr) == pgerror.UndefinedTable || pgerror.CodeOf(lerr) == pgerror.InvalidSchemaName {
					if ds.MissingOk {
						d.s.notice(fmt.Sprintf("%s %q does not exist, skipping", kindName, name))
						continue
					}
					return "", pgerror.Newf(pgerror.UndefinedTable, "%s %q does not exist", kindName, name)
				}
				return "", lerr
			}
			if t.Kind != want {
				return "", pgerror.Newf(pgerror.WrongObjectType, "%q is not a %s", name, kindName).
					WithHint(fmt.Sprintf("Use DROP %s to remove a %s.", strings.ToUpper(t.Kind.String()), t.Kind))
			}
			err = d.dropRelation(t, cascade)
		}
		if err != nil {
			return "", err
		}
	}
	switch n := len(d.cascaded); {
	case n == 1:
		d.s.notice("drop cascades to " + d.cascaded[0])
	case n > 1:
		d.s.noticeDetail(fmt.Sprintf("drop cascades to %d other objects", n),
			"drop cascades to "+strings.Join(d.cascaded, "\ndrop cascades to "))
	}
	return tag, nil
}

// describe names a relation as PostgreSQL's notices do: "table t", with
// the schema when the search path does not find it by its bare name.
func (d *ddl) describe(t *catalog.Table) string {
	name := t.Name
	if found, _, err := d.view.lookupTable("", t.Name); err != nil || found.OID != t.OID {
		if sc, ok := d.snap().SchemaByOID(t.Schema); ok {
			name = sc.Name + "." + t.Name
		}
	}
	return t.Kind.String() + " " + name
}

func (d *ddl) dropIndex(schema, name string, missingOK bool) error {
	var owner *catalog.Table
	for _, sp := range d.view.searchPath {
		if schema != "" && sp != schema {
			continue
		}
		if sc, ok := d.snap().Schema(sp); ok {
			if t, ok := d.snap().IndexOwner(sc.OID, name); ok {
				owner = t
				break
			}
		}
	}
	if schema != "" && owner == nil {
		if sc, ok := d.snap().Schema(schema); ok {
			owner, _ = d.snap().IndexOwner(sc.OID, name)
		}
	}
	if owner == nil {
		if missingOK {
			d.s.notice(fmt.Sprintf("index %q does not exist, skipping", name))
			return nil
		}
		return pgerror.Newf(pgerror.UndefinedObject, "index %q does not exist", name)
	}
	if owner.PKName == name {
		return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", name, name, owner.Name).
			WithHint(fmt.Sprintf("You can drop constraint %s on table %s instead.", name, owner.Name))
	}
	t := owner.Clone()
	for i, ix := range t.Indexes {
		if ix.Name != name {
			continue
		}
		if ix.Constraint {
			return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", name, name, owner.Name).
				WithHint(fmt.Sprintf("You can drop constraint %s on table %s instead.", name, owner.Name))
		}
		spec := tableSpec(owner)
		if err := storage.DropIndexData(d.t.txn, &spec.Indexes[i]); err != nil {
			return err
		}
		t.Indexes = append(t.Indexes[:i], t.Indexes[i+1:]...)
		break
	}
	snap, err := d.snap().PutTable(d.store(), t)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

func (d *ddl) createIndex(is *pg.IndexStmt) error {
	if is.WhereClause != nil {
		return pgerror.Unsupportedf("partial indexes are not supported")
	}
	if is.AccessMethod != "" && is.AccessMethod != "btree" {
		return pgerror.Unsupportedf("access method %q is not supported", is.AccessMethod)
	}
	owner, sc, err := d.view.lookupTable(is.Relation.Schemaname, is.Relation.Relname)
	if err != nil {
		return err
	}
	if owner.Kind != catalog.KindTable {
		return pgerror.Newf(pgerror.WrongObjectType, "%q is not a table", owner.Name)
	}
	t := owner.Clone()
	ix := catalog.Index{Name: is.Idxname, Unique: is.Unique}
	var colNames []string
	for _, p := range is.IndexParams {
		el := p.GetIndexElem()
		if el.Expr != nil {
			return pgerror.Unsupportedf("indexes on expressions are not supported")
		}
		col, _, ok := t.Column(el.Name)
		if !ok {
			return pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", el.Name)
		}
		ix.Columns = append(ix.Columns, col.ID)
		ix.Desc = append(ix.Desc, el.Ordering == pg.SortByDir_SORTBY_DESC)
		colNames = append(colNames, el.Name)
	}
	if ix.Name == "" {
		suffix := "_idx"
		if is.Unique {
			suffix = "_key"
		}
		ix.Name = uniqueName(t.Name+"_"+strings.Join(colNames, "_")+suffix, func(n string) bool { return d.relationExists(sc.OID, n) })
	} else if d.relationExists(sc.OID, ix.Name) {
		if is.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateTable, fmt.Sprintf("relation %q already exists, skipping", ix.Name))
			return nil
		}
		return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", ix.Name)
	}
	if ix.OID, err = d.newOID(); err != nil {
		return err
	}
	t.Indexes = append(t.Indexes, ix)
	spec := tableSpec(t)
	if err := d.t.txn.BackfillIndex(spec, &spec.Indexes[len(spec.Indexes)-1]); err != nil {
		if pgerror.CodeOf(err) == pgerror.UniqueViolation {
			e := pgerror.Flatten(err)
			return pgerror.Newf(pgerror.UniqueViolation, "could not create unique index %q", ix.Name).WithDetail(e.Detail)
		}
		return err
	}
	snap, err := d.snap().PutTable(d.store(), t)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

// referencedRelations resolves the relations a query's FROM clauses name.
func (d *ddl) referencedRelations(n *pg.Node, ctes map[string]bool) []uint32 {
	var out []uint32
	seen := map[uint32]bool{}
	var walkSel func(s *pg.SelectStmt)
	var walk func(n *pg.Node)
	walk = func(n *pg.Node) {
		if n == nil {
			return
		}
		switch {
		case n.GetRangeVar() != nil:
			rv := n.GetRangeVar()
			if rv.Schemaname == "" && ctes[rv.Relname] {
				return
			}
			if t, _, err := d.view.lookupTable(rv.Schemaname, rv.Relname); err == nil && !seen[t.OID] {
				seen[t.OID] = true
				out = append(out, t.OID)
			}
		case n.GetJoinExpr() != nil:
			walk(n.GetJoinExpr().Larg)
			walk(n.GetJoinExpr().Rarg)
			walkSubqueries(n.GetJoinExpr().Quals, walk)
		case n.GetRangeSubselect() != nil:
			walk(n.GetRangeSubselect().Subquery)
		case n.GetSelectStmt() != nil:
			walkSel(n.GetSelectStmt())
		case n.GetSubLink() != nil:
			walk(n.GetSubLink().Subselect)
		}
	}
	walkSel = func(s *pg.SelectStmt) {
		if s == nil {
			return
		}
		if s.WithClause != nil {
			for _, c := range s.WithClause.Ctes {
				cte := c.GetCommonTableExpr()
				ctes[cte.Ctename] = true
				walk(cte.Ctequery)
			}
		}
		for _, f := range s.FromClause {
			walk(f)
		}
		// Subqueries anywhere in the clauses' expressions: WHERE NOT
		// EXISTS (...), a = ANY (...) inside AND, HAVING, the select list.
		for _, e := range [][]*pg.Node{{s.WhereClause, s.HavingClause}, s.TargetList, s.GroupClause, s.SortClause} {
			for _, n := range e {
				walkSubqueries(n, walk)
			}
		}
		walkSel(s.Larg)
		walkSel(s.Rarg)
	}
	walk(n)
	return out
}

// walkSubqueries calls fn with the query of every subquery in an
// expression, however deep.
func walkSubqueries(n *pg.Node, fn func(*pg.Node)) {
	binder.WalkTree(n, func(m protoreflect.Message) bool {
		if sl, ok := m.Interface().(*pg.SubLink); ok {
			fn(sl.Subselect)
			walkSubqueries(sl.Testexpr, fn)
			return false
		}
		return true
	})
}

func (d *ddl) createView(vs *pg.ViewStmt) error {
	sc, err := d.view.creationSchema(vs.View.Schemaname)
	if err != nil {
		return err
	}
	b := binder.New(d.view, nil)
	bound, err := b.Bind(vs.Query)
	if err != nil {
		return err
	}
	if bound.Kind != "SELECT" {
		return pgerror.Newf(pgerror.WrongObjectType, "views must be defined by a SELECT")
	}
	text, err := deparseStmt(vs.Query)
	if err != nil {
		return err
	}
	cols := bound.Columns
	if len(vs.Aliases) > len(cols) {
		return pgerror.New(pgerror.Syntax, "CREATE VIEW specifies more column names than columns")
	}
	name := vs.View.Relname
	existing, exists := d.snap().Table(sc.OID, name)
	if exists && !vs.Replace {
		return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", name)
	}
	checkOption, err := binder.ViewCheckOption(vs)
	if err != nil {
		return err
	}
	tbl := &catalog.Table{Schema: sc.OID, Name: name, Kind: catalog.KindView, Owner: catalog.PostgresRoleOID, ViewSQL: text, ViewCheckOption: checkOption}
	seen := map[string]bool{}
	for i, c := range cols {
		cname := c.Name
		if i < len(vs.Aliases) {
			cname = strVal(vs.Aliases[i])
		}
		if seen[cname] {
			return pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", cname)
		}
		seen[cname] = true
		tbl.NextColumnID++
		tbl.Columns = append(tbl.Columns, catalog.Column{ID: tbl.NextColumnID, Name: cname, Type: c.Type})
	}
	if exists {
		if existing.Kind != catalog.KindView {
			return pgerror.Newf(pgerror.WrongObjectType, "%q is not a view", name)
		}
		if len(tbl.Columns) < len(existing.Columns) {
			return pgerror.New(pgerror.InvalidTableDefinition, "cannot drop columns from view")
		}
		for i, c := range existing.Columns {
			if tbl.Columns[i].Name != c.Name || !tbl.Columns[i].Type.Same(c.Type) {
				return pgerror.Newf(pgerror.InvalidTableDefinition, "cannot change name or type of view column %q", c.Name)
			}
		}
		tbl.OID = existing.OID
	} else if tbl.OID, err = d.newOID(); err != nil {
		return err
	}
	tbl.DependsOn = d.referencedRelations(vs.Query, map[string]bool{})
	snap, err := d.snap().PutTable(d.store(), tbl)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

func (d *ddl) createSchema(cs *pg.CreateSchemaStmt) error {
	if len(cs.SchemaElts) > 0 {
		return pgerror.Unsupportedf("CREATE SCHEMA with elements is not supported")
	}
	name := cs.Schemaname
	if name == "" {
		return pgerror.Unsupportedf("CREATE SCHEMA AUTHORIZATION without a name is not supported")
	}
	if _, ok := d.snap().Schema(name); ok {
		if cs.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateSchema, fmt.Sprintf("schema %q already exists, skipping", name))
			return nil
		}
		return pgerror.Newf(pgerror.DuplicateSchema, "schema %q already exists", name)
	}
	if strings.HasPrefix(name, "pg_") {
		return pgerror.Newf(pgerror.ReservedName, "unacceptable schema name %q", name).WithDetail("The prefix \"pg_\" is reserved for system schemas.")
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	snap, err := d.snap().PutSchema(d.store(), &catalog.Schema{OID: oid, Name: name, Owner: catalog.PostgresRoleOID})
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

func (d *ddl) dropSchema(name string, missingOK, cascade bool) error {
	sc, ok := d.snap().Schema(name)
	if !ok {
		if missingOK {
			d.s.notice(fmt.Sprintf("schema %q does not exist, skipping", name))
			return nil
		}
		return pgerror.Newf(pgerror.InvalidSchemaName, "schema %q does not exist", name)
	}
	if sc.OID < catalog.FirstUserOID && name != "public" {
		return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop schema %s because it is required by the database system", name)
	}
	var members []*catalog.Table
	for _, t := range d.snap().Tables() {
		if t.Schema == sc.OID && !ownedSequence(t) {
			members = append(members, t)
		}
	}
	if len(members) > 0 && !cascade {
		var detail []string
		for _, t := range members {
			detail = append(detail, fmt.Sprintf("%s %s depends on schema %s", t.Kind, t.Name, name))
		}
		return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name).
			WithDetail(strings.Join(detail, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for _, t := range members {
		if _, still := d.snap().TableByOID(t.OID); !still {
			continue
		}
		d.cascaded = append(d.cascaded, d.describe(t))
		if err := d.dropRelation(t, true); err != nil {
			return err
		}
	}
	snap, err := d.snap().DropSchema(d.store(), sc.OID)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

func (d *ddl) truncate(ts *pg.TruncateStmt) error {
	for _, r := range ts.Relations {
		rv := r.GetRangeVar()
		t, _, err := d.view.lookupTable(rv.Schemaname, rv.Relname)
		if err != nil {
			return err
		}
		if t.Kind != catalog.KindTable {
			return pgerror.Newf(pgerror.WrongObjectType, "%q is not a table", t.Name)
		}
		// The table gets fresh storage; the old rows go with the old ids,
		// which garbage collection removes once no snapshot reads them.
		if err := storage.DropTableData(d.t.txn, tableSpec(t)); err != nil {
			return err
		}
		nt := t.Clone()
		id, err := d.s.e.db.AllocateIDs("oid", uint64(1+len(nt.Indexes)))
		if err != nil {
			return err
		}
		nt.StorageID = uint64(catalog.FirstUserOID) + id
		for i := range nt.Indexes {
			nt.Indexes[i].StorageID = uint64(catalog.FirstUserOID) + id + uint64(i) + 1
		}
		snap, err := d.snap().PutTable(d.store(), nt)
		if err != nil {
			return err
		}
		d.install(snap)
		d.s.e.stats.counter(t.OID).Store(0)
		if ts.RestartSeqs {
			if err := d.restartOwnedSequences(t.OID); err != nil {
				return err
			}
		}
	}
	return nil
}

func roleOptions(opts []*pg.Node, r *catalog.Role) error {
	for _, o := range opts {
		de := o.GetDefElem()
		if de == nil {
			continue
		}
		switch de.Defname {
		case "canlogin":
			r.Login = constBool(de.Arg)
		case "superuser":
			r.Superuser = constBool(de.Arg)
		case "password":
			if de.Arg == nil {
				r.SCRAMSecret = ""
				continue
			}
			pw := constText(de.Arg)
			secret, err := auth.SCRAMSecret(pw)
			if err != nil {
				return err
			}
			r.SCRAMSecret = secret
		case "createdb", "createrole", "inherit", "replication", "bypassrls", "connectionlimit", "validUntil":
			// Accepted; portalsdb has no privileges beyond superuser yet.
		default:
			return pgerror.Unsupportedf("role option %q is not supported", de.Defname)
		}
	}
	return nil
}

func constBool(n *pg.Node) bool {
	if n == nil {
		return true
	}
	if c := n.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg.A_Const_Ival:
			return v.Ival.Ival != 0
		case *pg.A_Const_Boolval:
			return v.Boolval.Boolval
		}
	}
	if b := n.GetBoolean(); b != nil {
		return b.Boolval
	}
	return true
}

func (d *ddl) createRole(cs *pg.CreateRoleStmt) error {
	if _, ok := d.snap().Role(cs.Role); ok {
		return pgerror.Newf(pgerror.DuplicateObject, "role %q already exists", cs.Role)
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	r := &catalog.Role{OID: oid, Name: cs.Role, Login: cs.StmtType == pg.RoleStmtType_ROLESTMT_USER}
	if err := roleOptions(cs.Options, r); err != nil {
		return err
	}
	snap, err := d.snap().PutRole(d.store(), r)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

func (d *ddl) alterRole(as *pg.AlterRoleStmt) error {
	name := as.Role.GetRolename()
	old, ok := d.snap().Role(name)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedObject, "role %q does not exist", name)
	}
	r := *old
	if err := roleOptions(as.Options, &r); err != nil {
		return err
	}
	snap, err := d.snap().PutRole(d.store(), &r)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

func (d *ddl) dropRole(ds *pg.DropRoleStmt) error {
	for _, rn := range ds.Roles {
		name := rn.GetRoleSpec().GetRolename()
		if _, ok := d.snap().Role(name); !ok {
			if ds.MissingOk {
				d.s.notice(fmt.Sprintf("role %q does not exist, skipping", name))
				continue
			}
			return pgerror.Newf(pgerror.UndefinedObject, "role %q does not exist", name)
		}
		if name == d.s.user {
			return pgerror.New(pgerror.ObjectInUse, "current user cannot be dropped")
		}
		if name == "postgres" {
			return pgerror.New(pgerror.DependentObjectsStillExist, "cannot drop role postgres because it is required by the database system")
		}
		snap, err := d.snap().DropRole(d.store(), name)
		if err != nil {
			return err
		}
		d.install(snap)
	}
	return nil
}

func (d *ddl) vacuum(vs *pg.VacuumStmt) (string, error) {
	if vs.IsVacuumcmd {
		if _, err := d.s.e.db.GC(); err != nil {
			return "", err
		}
		return "VACUUM", nil
	}
	// ANALYZE: refresh the row counts the planner orders joins by.
	for _, t := range d.snap().Tables() {
		if t.Kind != catalog.KindTable {
			continue
		}
		sc, err := d.t.txn.ScanRows(tableSpec(t), storage.ScanOptions{Columns: []int{0}})
		if err != nil {
			return "", err
		}
		var n int64
		for {
			rec, err := sc.Next()
			if err != nil {
				break
			}
			n += rec.NumRows()
		}
		sc.Close()
		d.s.e.stats.counter(t.OID).Store(n)
	}
	return "ANALYZE", nil
}
