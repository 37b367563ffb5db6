package sql

import (
	"context"
	"fmt"
	"io"
	"strconv"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/planner"
	"portalsdb/planner/logical"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/types"
)

// rebuildTable moves a table's rows into fresh storage laid out as nt,
// converting each row; the old storage is dropped. It serves the ALTERs
// that change a table's key or rows.
func (d *ddl) rebuildTable(old, nt *catalog.Table, convert func(row []types.Datum) ([]types.Datum, error)) error {
	oldSpec := tableSpec(old)
	id, err := d.s.e.db.AllocateIDs("oid", uint64(1+len(nt.Indexes)))
	if err != nil {
		return err
	}
	nt.StorageID = uint64(catalog.FirstUserOID) + id
	for i := range nt.Indexes {
		nt.Indexes[i].StorageID = uint64(catalog.FirstUserOID) + id + uint64(i) + 1
	}
	newSpec := tableSpec(nt)
	all := make([]int, len(old.Columns))
	for i := range all {
		all[i] = i
	}
	sc, err := d.t.txn.ScanRows(oldSpec, storage.ScanOptions{Columns: all})
	if err != nil {
		return err
	}
	var rows [][]types.Datum
	oldTypes := make([]types.T, len(old.Columns))
	for i, c := range old.Columns {
		oldTypes[i] = c.Type
	}
	for {
		rec, err := sc.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			sc.Close()
			return err
		}
		b := &batch.Batch{Cols: rec.Columns(), Len: int(rec.NumRows())}
		rows = append(rows, b.Rows(oldTypes)...)
	}
	sc.Close()
	for _, r := range rows {
		nr, err := convert(r)
		if err != nil {
			return err
		}
		for i, c := range nt.Columns {
			if c.NotNull && nr[i] == nil {
				return pgerror.Newf(pgerror.NotNullViolation, "column %q of relation %q contains null values", c.Name, nt.Name)
			}
		}
		if _, err := d.t.txn.InsertRow(newSpec, nr); err != nil {
			return err
		}
	}
	return storage.DropTableData(d.t.txn, oldSpec)
}

// evalDefault computes a column's DEFAULT for one row.
func (d *ddl) evalDefault(col catalog.Column) (types.Datum, error) {
	if col.Default == "" {
		return nil, nil
	}
	n, err := binder.ParseExpr(col.Default)
	if err != nil {
		return nil, err
	}
	e, err := binder.BindScalar(d.view, n, nil, "")
	if err != nil {
		return nil, err
	}
	if e, err = binder.Coerce(e, col.Type, "column \""+col.Name+"\""); err != nil {
		return nil, err
	}
	return expr.EvalConst(d.s.evalCtx(d.t, nil), e)
}

func (d *ddl) alterTable(as *pg.AlterTableStmt) error {
	old, _, err := d.view.lookupTable(as.Relation.Schemaname, as.Relation.Relname)
	if err != nil {
		if as.MissingOk && pgerror.CodeOf(err) == pgerror.UndefinedTable {
			d.s.notice(fmt.Sprintf("relation %q does not exist, skipping", as.Relation.Relname))
			return nil
		}
		return err
	}
	if old.Kind != catalog.KindTable && !onlyOwnerChanges(as) {
		return pgerror.Newf(pgerror.WrongObjectType, "%q is not a table", old.Name)
	}
	for _, c := range as.Cmds {
		cmd := c.GetAlterTableCmd()
		cur, _ := d.snap().TableByOID(old.OID)
		if err := d.alterCmd(cur, cmd); err != nil {
			return err
		}
	}
	return nil
}

// onlyOwnerChanges reports whether an ALTER TABLE only changes owners,
// which it may do for any relation (pg_dump sends ALTER TABLE s OWNER TO
// for sequences and views).
func onlyOwnerChanges(as *pg.AlterTableStmt) bool {
	for _, c := range as.Cmds {
		if c.GetAlterTableCmd().GetSubtype() != pg.AlterTableType_AT_ChangeOwner {
			return false
		}
	}
	return len(as.Cmds) > 0
}

func (d *ddl) put(t *catalog.Table) error {
	snap, err := d.snap().PutTable(d.store(), t)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

// refuseWithDependents refuses a change of t that views depending on it
// would not follow; what names the change ("drop column c of table t").
func (d *ddl) refuseWithDependents(t *catalog.Table, what string) error {
	if deps := d.dependents(t.OID); len(deps) > 0 {
		return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot %s because other objects depend on it", what).
			WithDetail(fmt.Sprintf("%s %s depends on table %s", deps[0].Kind, deps[0].Name, t.Name)).
			WithHint("Drop the dependent objects first.")
	}
	return nil
}

func (d *ddl) alterCmd(cur *catalog.Table, cmd *pg.AlterTableCmd) error {
	t := cur.Clone()
	switch cmd.Subtype {
	case pg.AlterTableType_AT_AddColumn:
		cd := cmd.Def.GetColumnDef()
		if _, _, dup := t.Column(cd.Colname); dup {
			if cmd.MissingOk {
				d.s.noticeCode(pgerror.DuplicateColumn, fmt.Sprintf("column %q of relation %q already exists, skipping", cd.Colname, t.Name))
				return nil
			}
			return pgerror.Newf(pgerror.DuplicateColumn, "column %q of relation %q already exists", cd.Colname, t.Name)
		}
		col, err := d.columnDef(t, cd)
		if err != nil {
			return err
		}
		for _, cn := range cd.Constraints {
			switch cn.GetConstraint().Contype {
			case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_CHECK:
				return pgerror.Unsupportedf("constraints in ADD COLUMN are not supported; add them with ADD CONSTRAINT")
			}
		}
		t.Columns = append(t.Columns, col)
		if col.Default != "" || col.NotNull {
			// Existing rows get the default now.
			if err := d.rebuildTable(cur, t, func(r []types.Datum) ([]types.Datum, error) {
				v, err := d.evalDefault(col)
				return append(r, v), err
			}); err != nil {
				return err
			}
		}
		return d.put(t)
	case pg.AlterTableType_AT_DropColumn:
		_, idx, ok := t.Column(cmd.Name)
		if !ok {
			if cmd.MissingOk {
				d.s.notice(fmt.Sprintf("column %q of relation %q does not exist, skipping", cmd.Name, t.Name))
				return nil
			}
			return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
		}
		if err := d.refuseWithDependents(t, "drop column "+cmd.Name+" of table "+t.Name); err != nil {
			return err
		}
		id := t.Columns[idx].ID
		for _, pk := range t.PrimaryKey {
			if pk == id {
				return pgerror.Unsupportedf("dropping a primary key column is not supported; drop the constraint first")
			}
		}
		spec := tableSpec(cur)
		var keep []catalog.Index
		for i, ix := range t.Indexes {
			uses := false
			for _, c := range ix.Columns {
				uses = uses || c == id
			}
			if uses {
				if err := storage.DropIndexData(d.t.txn, &spec.Indexes[i]); err != nil {
					return err
				}
				continue
			}
			keep = append(keep, ix)
		}
		t.Indexes = keep
		t.Columns = append(t.Columns[:idx], t.Columns[idx+1:]...)
		var checks []catalog.Check
		for _, c := range t.Checks {
			n, err := binder.ParseExpr(c.Expr)
			if err == nil {
				if _, err := binder.BindScalar(d.view, n, tableColumns(t.Columns), t.Name); err == nil {
					checks = append(checks, c)
				}
			}
		}
		t.Checks = checks
		if err := d.put(t); err != nil {
			return err
		}
		// The sequences the column owns go with it.
		return d.sequenceLinks(cur, id, cmd.Behavior == pg.DropBehavior_DROP_CASCADE)
	case pg.AlterTableType_AT_SetIdentity:
		return d.alterIdentity(t, cmd.Name, cmd.Def.GetList().GetItems())
	case pg.AlterTableType_AT_AddIdentity:
		return d.addIdentity(t, cmd.Name, cmd.Def.GetConstraint().GetOptions())
	case pg.AlterTableType_AT_DropIdentity:
		return d.dropIdentity(t, cmd.Name, cmd.MissingOk)
	case pg.AlterTableType_AT_ChangeOwner:
		r, ok := d.snap().Role(cmd.Newowner.GetRolename())
		if !ok {
			return pgerror.Newf(pgerror.UndefinedObject, "role %q does not exist", cmd.Newowner.GetRolename())
		}
		t.Owner = r.OID
		return d.put(t)
	case pg.AlterTableType_AT_ColumnDefault:
		col, _, ok := t.Column(cmd.Name)
		if !ok {
			return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
		}
		if cmd.Def == nil {
			col.Default = ""
		} else {
			text, err := d.validateDefault(cmd.Def, col.Name, col.Type)
			if err != nil {
				return err
			}
			col.Default = text
		}
		return d.put(t)
	case pg.AlterTableType_AT_SetNotNull:
		col, _, ok := t.Column(cmd.Name)
		if !ok {
			return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
		}
		col.NotNull = true
		if err := d.verifyRows(cur, t); err != nil {
			return err
		}
		return d.put(t)
	case pg.AlterTableType_AT_DropNotNull:
		col, _, ok := t.Column(cmd.Name)
		if !ok {
			return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
		}
		for _, pk := range t.PrimaryKey {
			if pk == col.ID {
				return pgerror.Newf(pgerror.InvalidTableDefinition, "column %q is in a primary key", col.Name)
			}
		}
		col.NotNull = false
		return d.put(t)
	case pg.AlterTableType_AT_AddConstraint:
		return d.addConstraint(cur, t, cmd.Def.GetConstraint())
	case pg.AlterTableType_AT_DropConstraint:
		return d.dropConstraint(cur, t, cmd.Name, cmd.MissingOk)
	case pg.AlterTableType_AT_AlterColumnType:
		return pgerror.Unsupportedf("ALTER COLUMN TYPE is not supported")
	}
	return pgerror.Unsupportedf("ALTER TABLE %v is not supported", cmd.Subtype)
}

// verifyRows checks the table's rows against t's NOT NULL and CHECK
// constraints.
func (d *ddl) verifyRows(cur, t *catalog.Table) error {
	rv := &pg.RangeVar{Relname: cur.Name}
	if sc, ok := d.snap().SchemaByOID(cur.Schema); ok {
		rv.Schemaname = sc.Name
	}
	var conds []string
	for _, c := range t.Columns {
		if c.NotNull {
			conds = append(conds, quoteIdent(c.Name)+" IS NULL")
		}
	}
	for _, c := range t.Checks {
		conds = append(conds, "NOT ("+c.Expr+")")
	}
	if len(conds) == 0 {
		return nil
	}
	for i, cond := range conds {
		q := "SELECT 1 FROM " + quoteIdent(rv.Schemaname) + "." + quoteIdent(rv.Relname) + " WHERE " + cond + " LIMIT 1"
		n, err := d.countQuery(q)
		if err != nil {
			return err
		}
		if n > 0 {
			if i < len(conds)-len(t.Checks) {
				return pgerror.Newf(pgerror.NotNullViolation, "column of relation %q contains null values", t.Name)
			}
			return pgerror.Newf(pgerror.CheckViolation, "check constraint %q of relation %q is violated by some row", t.Checks[i-(len(conds)-len(t.Checks))].Name, t.Name)
		}
	}
	return nil
}

// countQuery runs a query in the DDL's transaction and counts its rows.
func (d *ddl) countQuery(q string) (int, error) {
	tree, err := pg.Parse(q)
	if err != nil {
		return 0, pgerror.Internalf("internal query %q: %v", q, err)
	}
	bound, err := binder.New(d.view, nil).Bind(tree.Stmts[0].Stmt)
	if err != nil {
		return 0, err
	}
	plan, err := planner.Build(bound.Plan, idSource())
	if err != nil {
		return 0, err
	}
	ev := d.s.evalCtx(d.t, nil)
	ev.Subplans = plan.Subplans
	ectx := exec.NewContext(context.Background(), ev, d.t.txn)
	ectx.Generators = d.s.e.rt
	plan.Subplans.Bind(ectx)
	out, err := exec.Drain(ectx, plan.Root, plan.Types)
	if err != nil {
		return 0, err
	}
	return out.Len, nil
}

func quoteIdent(s string) string {
	return `"` + s + `"`
}

func (d *ddl) addConstraint(cur, t *catalog.Table, c *pg.Constraint) error {
	keys := func() ([]uint32, []string, error) {
		var ids []uint32
		var names []string
		for _, k := range c.Keys {
			col, _, ok := t.Column(strVal(k))
			if !ok {
				return nil, nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q named in key does not exist", strVal(k))
			}
			ids = append(ids, col.ID)
			names = append(names, col.Name)
		}
		return ids, names, nil
	}
	switch c.Contype {
	case pg.ConstrType_CONSTR_CHECK:
		text, err := d.validateCheck(c.RawExpr, t.Name, t.Columns)
		if err != nil {
			return err
		}
		name := c.Conname
		if name == "" {
			name = checkConstraintName(t.Name, c.RawExpr)
		}
		t.Checks = append(t.Checks, catalog.Check{Name: name, Expr: text})
		if err := d.verifyRows(cur, t); err != nil {
			return err
		}
		return d.put(t)
	case pg.ConstrType_CONSTR_UNIQUE:
		ids, names, err := keys()
		if err != nil {
			return err
		}
		name := c.Conname
		sc := t.Schema
		if name == "" {
			name = uniqueName(t.Name+"_"+joinNames(names)+"_key", func(n string) bool { return d.relationExists(sc, n) })
		}
		oid, err := d.newOID()
		if err != nil {
			return err
		}
		t.Indexes = append(t.Indexes, catalog.Index{OID: oid, Name: name, Columns: ids, Unique: true, Constraint: true})
		spec := tableSpec(t)
		if err := d.t.txn.BackfillIndex(spec, &spec.Indexes[len(spec.Indexes)-1]); err != nil {
			return err
		}
		return d.put(t)
	case pg.ConstrType_CONSTR_PRIMARY:
		if len(t.PrimaryKey) > 0 {
			return pgerror.Newf(pgerror.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
		}
		ids, _, err := keys()
		if err != nil {
			return err
		}
		t.PrimaryKey = ids
		t.PKName = c.Conname
		if t.PKName == "" {
			t.PKName = t.Name + "_pkey"
		}
		for _, id := range ids {
			col, _, _ := t.ColumnByID(id)
			col.NotNull = true
		}
		if t.PKOID, err = d.newOID(); err != nil {
			return err
		}
		if err := d.rebuildTable(cur, t, func(r []types.Datum) ([]types.Datum, error) { return r, nil }); err != nil {
			return err
		}
		return d.put(t)
	case pg.ConstrType_CONSTR_FOREIGN:
		return pgerror.Unsupportedf("foreign key constraints are not supported")
	}
	return pgerror.Unsupportedf("constraint type %v is not supported", c.Contype)
}

func joinNames(ns []string) string {
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += "_"
		}
		out += n
	}
	return out
}

func (d *ddl) dropConstraint(cur, t *catalog.Table, name string, missingOK bool) error {
	for i, c := range t.Checks {
		if c.Name == name {
			t.Checks = append(t.Checks[:i], t.Checks[i+1:]...)
			return d.put(t)
		}
	}
	for i, ix := range t.Indexes {
		if ix.Name == name && ix.Constraint {
			spec := tableSpec(cur)
			if err := storage.DropIndexData(d.t.txn, &spec.Indexes[i]); err != nil {
				return err
			}
			t.Indexes = append(t.Indexes[:i], t.Indexes[i+1:]...)
			return d.put(t)
		}
	}
	if t.PKName == name && len(t.PrimaryKey) > 0 {
		t.PrimaryKey, t.PKName, t.PKOID = nil, "", 0
		if err := d.rebuildTable(cur, t, func(r []types.Datum) ([]types.Datum, error) { return r, nil }); err != nil {
			return err
		}
		return d.put(t)
	}
	if missingOK {
		d.s.notice(fmt.Sprintf("constraint %q of relation %q does not exist, skipping", name, t.Name))
		return nil
	}
	return pgerror.Newf(pgerror.UndefinedObject, "constraint %q of relation %q does not exist", name, t.Name)
}

func (d *ddl) rename(rs *pg.RenameStmt) (string, error) {
	switch rs.RenameType {
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_COLUMN, pg.ObjectType_OBJECT_SEQUENCE:
		t, _, err := d.view.lookupTable(rs.Relation.Schemaname, rs.Relation.Relname)
		if err != nil {
			if rs.MissingOk && pgerror.CodeOf(err) == pgerror.UndefinedTable {
				return "ALTER TABLE", nil
			}
			return "", err
		}
		if rs.RenameType == pg.ObjectType_OBJECT_SEQUENCE && t.Kind != catalog.KindSequence {
			return "", pgerror.Newf(pgerror.WrongObjectType, "%q is not a sequence", t.Name)
		}
		nt := t.Clone()
		if rs.RenameType == pg.ObjectType_OBJECT_COLUMN {
			col, _, ok := nt.Column(rs.Subname)
			if !ok {
				return "", pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", rs.Subname)
			}
			if _, _, dup := nt.Column(rs.Newname); dup {
				return "", pgerror.Newf(pgerror.DuplicateColumn, "column %q of relation %q already exists", rs.Newname, t.Name)
			}
			if err := d.refuseWithDependents(t, "rename column "+rs.Subname+" of table "+t.Name); err != nil {
				return "", err
			}
			if len(nt.Checks) > 0 {
				return "", pgerror.Unsupportedf("renaming a column of a table with CHECK constraints is not supported")
			}
			col.Name = rs.Newname
		} else {
			if d.relationExists(t.Schema, rs.Newname) {
				return "", pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", rs.Newname)
			}
			if err := d.refuseWithDependents(t, "rename "+t.Kind.String()+" "+t.Name); err != nil {
				return "", err
			}
			nt.Name = rs.Newname
		}
		if err := d.put(nt); err != nil {
			return "", err
		}
		if rs.RenameType == pg.ObjectType_OBJECT_VIEW {
			return "ALTER VIEW", nil
		}
		if rs.RenameType == pg.ObjectType_OBJECT_SEQUENCE {
			return "ALTER SEQUENCE", nil
		}
		return "ALTER TABLE", nil
	case pg.ObjectType_OBJECT_INDEX:
		var owner *catalog.Table
		for _, sp := range d.view.searchPath {
			if sc, ok := d.snap().Schema(sp); ok {
				if t, ok := d.snap().IndexOwner(sc.OID, rs.Relation.Relname); ok {
					owner = t
					break
				}
			}
		}
		if owner == nil {
			return "", pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", rs.Relation.Relname)
		}
		if d.relationExists(owner.Schema, rs.Newname) {
			return "", pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", rs.Newname)
		}
		nt := owner.Clone()
		if nt.PKName == rs.Relation.Relname {
			nt.PKName = rs.Newname
		}
		for i := range nt.Indexes {
			if nt.Indexes[i].Name == rs.Relation.Relname {
				nt.Indexes[i].Name = rs.Newname
			}
		}
		return "ALTER INDEX", d.put(nt)
	case pg.ObjectType_OBJECT_SCHEMA:
		return "", pgerror.Unsupportedf("ALTER SCHEMA RENAME is not supported")
	}
	return "", pgerror.Unsupportedf("ALTER ... RENAME of %v is not supported", rs.RenameType)
}

// createTableAs runs CREATE TABLE AS and SELECT INTO.
func (d *ddl) createTableAs(ctx context.Context, cs *pg.CreateTableAsStmt) (pgwire.Result, error) {
	if cs.Objtype == pg.ObjectType_OBJECT_MATVIEW {
		return nil, pgerror.Unsupportedf("materialized views are not supported yet")
	}
	into := cs.Into
	sc, err := d.view.creationSchema(into.Rel.Schemaname)
	if err != nil {
		return nil, err
	}
	if d.relationExists(sc.OID, into.Rel.Relname) {
		if cs.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateTable, fmt.Sprintf("relation %q already exists, skipping", into.Rel.Relname))
			return &tagResult{tag: "CREATE TABLE AS"}, nil
		}
		return nil, pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", into.Rel.Relname)
	}
	bound, err := binder.New(d.view, nil).Bind(cs.Query)
	if err != nil {
		return nil, err
	}
	oid, err := d.newOID()
	if err != nil {
		return nil, err
	}
	tbl := &catalog.Table{OID: oid, Schema: sc.OID, Name: into.Rel.Relname, Kind: catalog.KindTable, Owner: catalog.PostgresRoleOID}
	for i, c := range bound.Columns {
		name := c.Name
		if i < len(into.ColNames) {
			name = strVal(into.ColNames[i])
		}
		if _, _, dup := tbl.Column(name); dup {
			return nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", name)
		}
		tbl.NextColumnID++
		tbl.Columns = append(tbl.Columns, catalog.Column{ID: tbl.NextColumnID, Name: name, Type: c.Type})
	}
	if err := d.put(tbl); err != nil {
		return nil, err
	}
	if into.SkipData {
		return &tagResult{tag: "CREATE TABLE AS"}, nil
	}
	l := d.s.e.specs.layout(tbl, 0)
	ins := &logical.Insert{Table: l.ref, Input: bound.Plan}
	plan, err := planner.Build(ins, idSource())
	if err != nil {
		return nil, err
	}
	ev := d.s.evalCtx(d.t, nil)
	ev.Subplans = plan.Subplans
	sctx, cancel := d.s.statementContext(ctx)
	defer cancel()
	ectx := exec.NewContext(sctx, ev, d.t.txn)
	ectx.Generators = d.s.e.rt
	plan.Subplans.Bind(ectx)
	if _, err := exec.Drain(ectx, plan.Root, plan.Types); err != nil {
		return nil, err
	}
	n := plan.Root.(exec.DML).Count()
	if d.t.rows == nil {
		d.t.rows = map[uint32]int64{}
	}
	d.t.rows[oid] += n
	return &tagResult{tag: "SELECT " + strconv.FormatInt(n, 10)}, nil
}
