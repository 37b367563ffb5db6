package sql

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"portalsdb/pgerror"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// Sequences as catalog objects: CREATE, ALTER and DROP SEQUENCE, the
// sequences of serial and identity columns, and the links that tie
// sequences to columns: OWNED BY (the column's end drops the sequence) and
// column defaults that name a sequence (the sequence's end is refused
// without CASCADE). A sequence is a relation of kind KindSequence, so it
// shares the namespace of tables and views as in PostgreSQL. Its values
// are in sequence_values.go.

// sequenceOptions are the options of CREATE SEQUENCE, ALTER SEQUENCE and an
// identity column's sequence, as written.
type sequenceOptions struct {
	as        *types.T
	increment *int64
	cycle     *bool
	// min and max are set for MINVALUE n and MAXVALUE n; noMin and noMax
	// for NO MINVALUE and NO MAXVALUE.
	min, max     *int64
	noMin, noMax bool
	start        *int64
	cache        *int64
	// restart is set for RESTART; restartWith holds its WITH value.
	restart     bool
	restartWith *int64
	// ownedBy is set for OWNED BY: the names, or ["none"].
	ownedBy []string
	// name is an identity column's SEQUENCE NAME.
	name []string
}

// sequenceIntOption reads the number of a sequence option.
func sequenceIntOption(de *pg.DefElem) (int64, error) {
	var text string
	switch {
	case de.Arg.GetInteger() != nil:
		return int64(de.Arg.GetInteger().Ival), nil
	case de.Arg.GetFloat() != nil:
		text = de.Arg.GetFloat().Fval
	default:
		return 0, pgerror.Newf(pgerror.Syntax, "%s requires a numeric value", de.Defname)
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, pgerror.Newf(pgerror.Syntax, "%s requires an integer value", de.Defname)
	}
	return v, nil
}

func parseSequenceOptions(opts []*pg.Node) (*sequenceOptions, error) {
	o := &sequenceOptions{}
	seen := map[string]bool{}
	for _, n := range opts {
		de := n.GetDefElem()
		if de == nil {
			continue
		}
		if seen[de.Defname] {
			return nil, pgerror.New(pgerror.Syntax, "conflicting or redundant options")
		}
		seen[de.Defname] = true
		num := func() (*int64, error) {
			v, err := sequenceIntOption(de)
			if err != nil {
				return nil, err
			}
			return &v, nil
		}
		var err error
		switch de.Defname {
		case "as":
			t, terr := binder.TypeFromName(de.Arg.GetTypeName())
			if terr != nil {
				return nil, terr
			}
			if t.Kind != types.Int2 && t.Kind != types.Int4 && t.Kind != types.Int8 {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "sequence type must be smallint, integer, or bigint")
			}
			o.as = &t
		case "increment":
			o.increment, err = num()
		case "cycle":
			c := constBool(de.Arg)
			o.cycle = &c
		case "minvalue":
			if de.Arg == nil {
				o.noMin = true
			} else {
				o.min, err = num()
			}
		case "maxvalue":
			if de.Arg == nil {
				o.noMax = true
			} else {
				o.max, err = num()
			}
		case "start":
			o.start, err = num()
		case "restart":
			o.restart = true
			if de.Arg != nil {
				o.restartWith, err = num()
			}
		case "cache":
			o.cache, err = num()
		case "owned_by":
			for _, it := range de.Arg.GetList().GetItems() {
				o.ownedBy = append(o.ownedBy, strVal(it))
			}
		case "sequence_name":
			for _, it := range de.Arg.GetList().GetItems() {
				o.name = append(o.name, strVal(it))
			}
		default:
			return nil, pgerror.Unsupportedf("sequence option %q is not supported", de.Defname)
		}
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// integerRange returns the bounds of smallint, integer or bigint.
func integerRange(t types.T) (int64, int64) {
	switch t.Kind {
	case types.Int2:
		return math.MinInt16, math.MaxInt16
	case types.Int4:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// applySequenceOptions sets sd's parameters from o as PostgreSQL's
// init_params does, with its checks in its order. create is true for a new
// sequence, whose unset options take their defaults; for ALTER SEQUENCE,
// last is the sequence's current last_value, which must stay within the
// new bounds. It returns the RESTART value, if any.
func applySequenceOptions(sd *catalog.SequenceDesc, o *sequenceOptions, create bool, last int64) (restart *int64, err error) {
	resetMax, resetMin := false, false
	if o.as != nil {
		if !create {
			lo, hi := integerRange(sd.Type)
			resetMax, resetMin = sd.Max == hi, sd.Min == lo
		}
		sd.Type = *o.as
	} else if create {
		sd.Type = types.Int8Type
	}
	if o.increment != nil {
		if *o.increment == 0 {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "INCREMENT must not be zero")
		}
		sd.Increment = *o.increment
	} else if create {
		sd.Increment = 1
	}
	if o.cycle != nil {
		sd.Cycle = *o.cycle
	} else if create {
		sd.Cycle = false
	}
	lo, hi := integerRange(sd.Type)
	switch {
	case o.max != nil:
		sd.Max = *o.max
	case create || o.noMax || resetMax:
		sd.Max = -1
		if sd.Increment > 0 || resetMax {
			sd.Max = hi
		}
	}
	if sd.Max < lo || sd.Max > hi {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "MAXVALUE (%d) is out of range for sequence data type %s", sd.Max, sd.Type)
	}
	switch {
	case o.min != nil:
		sd.Min = *o.min
	case create || o.noMin || resetMin:
		sd.Min = 1
		if sd.Increment < 0 || resetMin {
			sd.Min = lo
		}
	}
	if sd.Min < lo || sd.Min > hi {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "MINVALUE (%d) is out of range for sequence data type %s", sd.Min, sd.Type)
	}
	if sd.Min >= sd.Max {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "MINVALUE (%d) must be less than MAXVALUE (%d)", sd.Min, sd.Max)
	}
	switch {
	case o.start != nil:
		sd.Start = *o.start
	case create:
		sd.Start = sd.Min
		if sd.Increment < 0 {
			sd.Start = sd.Max
		}
	}
	if sd.Start < sd.Min {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "START value (%d) cannot be less than MINVALUE (%d)", sd.Start, sd.Min)
	}
	if sd.Start > sd.Max {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "START value (%d) cannot be greater than MAXVALUE (%d)", sd.Start, sd.Max)
	}
	switch {
	case o.restart:
		v := sd.Start
		if o.restartWith != nil {
			v = *o.restartWith
		}
		restart, last = &v, v
	case create:
		last = sd.Start
	}
	if last < sd.Min {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "RESTART value (%d) cannot be less than MINVALUE (%d)", last, sd.Min)
	}
	if last > sd.Max {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "RESTART value (%d) cannot be greater than MAXVALUE (%d)", last, sd.Max)
	}
	if o.cache != nil {
		if *o.cache <= 0 {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "CACHE (%d) must be greater than zero", *o.cache)
		}
		sd.Cache = *o.cache
	} else if create {
		sd.Cache = 1
	}
	return restart, nil
}

// lookupSequence resolves a sequence name, refusing other relations.
func (d *ddl) lookupSequence(rv *pg.RangeVar) (*catalog.Table, error) {
	t, _, err := d.view.lookupTable(rv.Schemaname, rv.Relname)
	if err != nil {
		return nil, err
	}
	if t.Kind != catalog.KindSequence {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%q is not a sequence", t.Name)
	}
	return t, nil
}

func (d *ddl) createSequence(cs *pg.CreateSeqStmt) error {
	sc, err := d.view.creationSchema(cs.Sequence.Schemaname)
	if err != nil {
		return err
	}
	name := cs.Sequence.Relname
	if d.relationExists(sc.OID, name) {
		if cs.IfNotExists {
			d.s.noticeCode(pgerror.DuplicateTable, fmt.Sprintf("relation %q already exists, skipping", name))
			return nil
		}
		return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", name)
	}
	o, err := parseSequenceOptions(cs.Options)
	if err != nil {
		return err
	}
	if o.restart {
		return pgerror.New(pgerror.Syntax, "option \"restart\" not recognized")
	}
	sd := &catalog.SequenceDesc{}
	if _, err := applySequenceOptions(sd, o, true, 0); err != nil {
		return err
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	sd.PositionID, sd.Restart = uint64(oid), sd.Start
	t := &catalog.Table{OID: oid, Schema: sc.OID, Name: name, Kind: catalog.KindSequence, Owner: catalog.PostgresRoleOID, Sequence: sd}
	if r, ok := d.snap().Role(d.s.user); ok {
		t.Owner = r.OID
	}
	if o.ownedBy != nil {
		if err := d.setOwnedBy(t, o.ownedBy); err != nil {
			return err
		}
	}
	return d.put(t)
}

// setOwnedBy applies OWNED BY table.column or OWNED BY NONE to sequence t
// (a copy the caller stores).
func (d *ddl) setOwnedBy(t *catalog.Table, names []string) error {
	if len(names) == 1 && names[0] == "none" {
		t.Sequence.OwnedByTable, t.Sequence.OwnedByColumn = 0, 0
		return nil
	}
	if len(names) < 2 {
		return pgerror.New(pgerror.Syntax, "invalid OWNED BY option").WithHint("Specify OWNED BY table.column or OWNED BY NONE.")
	}
	if len(names) > 3 {
		return pgerror.Newf(pgerror.Syntax, "improper relation name (too many dotted names): %s", strings.Join(names[:len(names)-1], "."))
	}
	schema, table, column := "", names[len(names)-2], names[len(names)-1]
	if len(names) == 3 {
		schema = names[0]
	}
	owner, _, err := d.view.lookupTable(schema, table)
	if err != nil {
		return err
	}
	if owner.Kind != catalog.KindTable && owner.Kind != catalog.KindView {
		return pgerror.Newf(pgerror.WrongObjectType, "sequence cannot be owned by relation %q", owner.Name).
			WithDetail(fmt.Sprintf("This operation is not supported for %ss.", owner.Kind))
	}
	if owner.Schema != t.Schema {
		return pgerror.New(pgerror.ObjectNotInPrerequisiteState, "sequence must be in same schema as table it is linked to")
	}
	col, _, ok := owner.Column(column)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", column, owner.Name)
	}
	t.Sequence.OwnedByTable, t.Sequence.OwnedByColumn = owner.OID, col.ID
	return nil
}

func (d *ddl) alterSequence(as *pg.AlterSeqStmt) error {
	cur, err := d.lookupSequence(as.Sequence)
	if err != nil {
		if as.MissingOk && pgerror.CodeOf(err) == pgerror.UndefinedTable {
			d.s.notice(fmt.Sprintf("relation %q does not exist, skipping", as.Sequence.Relname))
			return nil
		}
		return err
	}
	o, err := parseSequenceOptions(as.Options)
	if err != nil {
		return err
	}
	if o.ownedBy != nil && cur.Sequence.Identity {
		return pgerror.New(pgerror.FeatureNotSupported, "cannot change ownership of identity sequence").
			WithDetail(fmt.Sprintf("Sequence %q is linked to table %q.", cur.Name, d.tableName(cur.Sequence.OwnedByTable)))
	}
	return d.changeSequence(cur, o)
}

// changeSequence applies ALTER SEQUENCE options to sequence cur.
func (d *ddl) changeSequence(cur *catalog.Table, o *sequenceOptions) error {
	last, _, _, err := d.s.e.sequences.state(cur.Sequence)
	if err != nil {
		return err
	}
	t := cur.Clone()
	restart, err := applySequenceOptions(t.Sequence, o, false, last)
	if err != nil {
		return err
	}
	if restart != nil {
		// A fresh position, so that a rollback leaves the old one.
		oid, err := d.newOID()
		if err != nil {
			return err
		}
		t.Sequence.PositionID, t.Sequence.Restart = uint64(oid), *restart
	}
	if o.ownedBy != nil {
		if err := d.setOwnedBy(t, o.ownedBy); err != nil {
			return err
		}
	}
	return d.put(t)
}

// tableName names a relation by OID, for messages.
func (d *ddl) tableName(oid uint32) string {
	if t, ok := d.snap().TableByOID(oid); ok {
		return t.Name
	}
	return strconv.FormatUint(uint64(oid), 10)
}

// columnSequence makes the sequence of a serial or identity column col of
// tbl, a table being created or altered, and gives the column its default.
// opts are an identity column's sequence options.
func (d *ddl) columnSequence(tbl *catalog.Table, col *catalog.Column, identity bool, opts []*pg.Node) error {
	if tbl.Kind == catalog.KindStream {
		return pgerror.Unsupportedf("serial columns are not supported in streams")
	}
	if col.Type.Kind != types.Int2 && col.Type.Kind != types.Int4 && col.Type.Kind != types.Int8 {
		return pgerror.New(pgerror.InvalidParameterValue, "identity column type must be smallint, integer, or bigint")
	}
	o, err := parseSequenceOptions(opts)
	if err != nil {
		return err
	}
	if o.restart || o.ownedBy != nil {
		return pgerror.New(pgerror.Syntax, "invalid sequence option for an identity column")
	}
	as := col.Type
	o.as = &as
	sd := &catalog.SequenceDesc{Identity: identity, OwnedByTable: tbl.OID, OwnedByColumn: col.ID}
	if _, err := applySequenceOptions(sd, o, true, 0); err != nil {
		return err
	}
	schema := tbl.Schema
	name := ""
	switch len(o.name) {
	case 0:
		name = chooseName(tbl.Name, col.Name, "seq", func(n string) bool { return d.relationExists(schema, n) })
	default:
		name = o.name[len(o.name)-1]
		if len(o.name) > 1 {
			sc, err := d.view.creationSchema(o.name[len(o.name)-2])
			if err != nil {
				return err
			}
			if sc.OID != tbl.Schema {
				return pgerror.New(pgerror.ObjectNotInPrerequisiteState, "sequence must be in same schema as table it is linked to")
			}
		}
		if d.relationExists(schema, name) {
			return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", name)
		}
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	sd.PositionID, sd.Restart = uint64(oid), sd.Start
	seq := &catalog.Table{OID: oid, Schema: schema, Name: name, Kind: catalog.KindSequence, Owner: tbl.Owner, Sequence: sd}
	col.Default = nextvalDefault(oid)
	col.NotNull = true
	col.Identity = identity
	return d.put(seq)
}

// nextvalDefault is the stored DEFAULT of a column taking its values from
// sequence oid. It names the sequence by OID, as PostgreSQL's stored
// expressions do, so renaming the sequence or changing search_path does
// not change which sequence it reads.
func nextvalDefault(oid uint32) string {
	return fmt.Sprintf("nextval('%d'::regclass)", oid)
}

// regclassLiteral matches the regclass constants of stored expressions,
// which pin a relation by OID: '16390'::regclass. Stored expressions are
// deparsed by portalsdb itself, where a quote inside a string literal is
// always doubled, so the pattern finds exactly those constants.
var regclassLiteral = regexp.MustCompile(`'([0-9]+)'::regclass`)

// regclassRefs returns the relation OIDs a stored expression pins.
func regclassRefs(text string) []uint32 {
	if !strings.Contains(text, "::regclass") {
		return nil
	}
	var out []uint32
	for _, m := range regclassLiteral.FindAllStringSubmatch(text, -1) {
		if v, err := strconv.ParseUint(m[1], 10, 32); err == nil {
			out = append(out, uint32(v))
		}
	}
	return out
}

// pinRegclassNames rewrites a DEFAULT expression before it is stored so
// that the relations it names as regclass constants (nextval('s'),
// 's'::regclass) are named by OID: PostgreSQL stores the OID too, which
// keeps the default on the same sequence across renames and search_path
// changes, and records the dependency that stops DROP SEQUENCE.
func (d *ddl) pinRegclassNames(n *pg.Node) error {
	var err error
	pin := func(c *pg.A_Const) {
		sv, ok := c.Val.(*pg.A_Const_Sval)
		if !ok || err != nil {
			return
		}
		var oid types.Datum
		if oid, err = d.view.ResolveRegName(types.RegClassType, sv.Sval.Sval); err == nil {
			sv.Sval.Sval = strconv.FormatInt(oid.(int64), 10)
		}
	}
	binder.WalkTree(n, func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg.TypeCast:
			if c := x.Arg.GetAConst(); c != nil && x.TypeName != nil {
				if _, tname := qualifiedNameOf(x.TypeName.Names); tname == "regclass" {
					pin(c)
				}
			}
		case *pg.FuncCall:
			// The sequence functions take a regclass: their literal
			// argument becomes one, pinned.
			_, fname := qualifiedNameOf(x.Funcname)
			if fname != "nextval" && fname != "currval" && fname != "setval" || len(x.Args) == 0 {
				break
			}
			if c := x.Args[0].GetAConst(); c != nil {
				if _, ok := c.Val.(*pg.A_Const_Sval); ok {
					x.Args[0] = &pg.Node{Node: &pg.Node_TypeCast{TypeCast: &pg.TypeCast{Arg: x.Args[0],
						TypeName: &pg.TypeName{Names: []*pg.Node{pg.MakeStrNode("regclass")}, Typemod: -1}, Location: -1}}}
				}
			}
		}
		return err == nil
	})
	return err
}

// defaultUse is a column whose DEFAULT names a sequence.
type defaultUse struct {
	table  *catalog.Table
	column string
}

func (u defaultUse) String() string {
	return fmt.Sprintf("default value for column %s of table %s", u.column, u.table.Name)
}

// columnRef names a column by table OID and column id; column 0 stands for
// every column of the table.
type columnRef struct{ table, column uint32 }

// going reports whether a column is being dropped by the statement, alone
// or with its table.
func (d *ddl) going(table, column uint32) bool {
	return d.droppedColumns[columnRef{table, 0}] || d.droppedColumns[columnRef{table, column}]
}

// defaultsUsing lists the column defaults that name sequence oid, except
// those of columns the statement drops.
func (d *ddl) defaultsUsing(oid uint32) []defaultUse {
	var out []defaultUse
	for _, t := range d.snap().Tables() {
		for _, c := range t.Columns {
			if d.going(t.OID, c.ID) {
				continue
			}
			for _, ref := range regclassRefs(c.Default) {
				if ref == oid {
					out = append(out, defaultUse{table: t, column: c.Name})
					break
				}
			}
		}
	}
	return out
}

// dropDefaults removes the defaults that name a dropped sequence (DROP ...
// CASCADE).
func (d *ddl) dropDefaults(uses []defaultUse) error {
	for _, u := range uses {
		cur, ok := d.snap().TableByOID(u.table.OID)
		if !ok {
			continue
		}
		t := cur.Clone()
		if col, _, ok := t.Column(u.column); ok {
			col.Default = ""
		}
		d.cascaded = append(d.cascaded, u.String())
		if err := d.put(t); err != nil {
			return err
		}
	}
	return nil
}

// sequenceLinks handles what dropping relation t means for sequences,
// before t goes: a sequence takes the column defaults that name it (with
// CASCADE; without, the drop is refused), and a table takes the sequences
// its columns own. column, when not zero, limits the latter to the
// sequences of one column (ALTER TABLE DROP COLUMN).
func (d *ddl) sequenceLinks(t *catalog.Table, column uint32, cascade bool) error {
	switch t.Kind {
	case catalog.KindSequence:
		sd := t.Sequence
		ownerGoing := sd.OwnedByTable != 0 && d.going(sd.OwnedByTable, sd.OwnedByColumn)
		if sd.Identity && !ownerGoing {
			if owner, ok := d.snap().TableByOID(sd.OwnedByTable); ok {
				colName := ""
				if c, _, ok := owner.ColumnByID(sd.OwnedByColumn); ok {
					colName = c.Name
				}
				return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop sequence %s because column %s of table %s requires it", t.Name, colName, owner.Name).
					WithHint(fmt.Sprintf("You can drop column %s of table %s instead.", colName, owner.Name))
			}
		}
		uses := d.defaultsUsing(t.OID)
		if len(uses) > 0 && !cascade {
			var detail []string
			for _, u := range uses {
				detail = append(detail, u.String()+" depends on sequence "+t.Name)
			}
			what := "sequence " + t.Name
			if ownerGoing {
				what = "table " + d.tableName(sd.OwnedByTable)
				if !d.droppedColumns[columnRef{sd.OwnedByTable, 0}] {
					what = "column " + d.columnName(sd.OwnedByTable, sd.OwnedByColumn) + " of " + what
				}
			}
			return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop %s because other objects depend on it", what).
				WithDetail(strings.Join(detail, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		return d.dropDefaults(uses)
	case catalog.KindTable, catalog.KindView:
		if d.droppedColumns == nil {
			d.droppedColumns = map[columnRef]bool{}
		}
		d.droppedColumns[columnRef{t.OID, column}] = true
		for _, s := range d.snap().Tables() {
			sd := s.Sequence
			if s.Kind != catalog.KindSequence || sd == nil || sd.OwnedByTable != t.OID || column != 0 && sd.OwnedByColumn != column {
				continue
			}
			if _, still := d.snap().TableByOID(s.OID); !still {
				continue
			}
			if err := d.dropRelation(s, cascade); err != nil {
				return err
			}
		}
	}
	return nil
}

// ownedSequence reports whether t is a sequence owned by a column, which
// goes with its table rather than on its own.
func ownedSequence(t *catalog.Table) bool {
	return t.Kind == catalog.KindSequence && t.Sequence != nil && t.Sequence.OwnedByTable != 0
}

// columnName names a column by table OID and column id, for messages.
func (d *ddl) columnName(table, column uint32) string {
	if t, ok := d.snap().TableByOID(table); ok {
		if c, _, ok := t.ColumnByID(column); ok {
			return c.Name
		}
	}
	return strconv.FormatUint(uint64(column), 10)
}

// dropSequenceData forgets a dropped sequence's position once the drop
// commits.
func (d *ddl) dropSequenceData(t *catalog.Table) {
	id := t.Sequence.PositionID
	e := d.s.e
	d.t.onCommit = append(d.t.onCommit, func() {
		if err := e.sequences.forget(id); err != nil {
			e.log.Warn("forgetting a dropped sequence's position", "sequence", t.Name, "error", err)
		}
	})
}

// restartOwnedSequences is TRUNCATE ... RESTART IDENTITY: the sequences
// the table's columns own start over.
func (d *ddl) restartOwnedSequences(table uint32) error {
	for _, s := range d.snap().Tables() {
		if s.Kind == catalog.KindSequence && s.Sequence != nil && s.Sequence.OwnedByTable == table {
			if err := d.changeSequence(s, &sequenceOptions{restart: true}); err != nil {
				return err
			}
		}
	}
	return nil
}

// addIdentity is ALTER TABLE ... ALTER COLUMN ... ADD GENERATED ... AS
// IDENTITY [(options)], as pg_dump writes identity columns: t is the
// table's copy the caller changes.
func (d *ddl) addIdentity(t *catalog.Table, column string, opts []*pg.Node) error {
	col, _, ok := t.Column(column)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", column, t.Name)
	}
	switch {
	case !col.NotNull:
		return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "column %q of relation %q must be declared NOT NULL before identity can be added", column, t.Name)
	case col.Identity:
		return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "column %q of relation %q is already an identity column", column, t.Name)
	case col.Default != "":
		return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "column %q of relation %q already has a default value", column, t.Name)
	}
	if err := d.columnSequence(t, col, true, opts); err != nil {
		return err
	}
	return d.put(t)
}

// dropIdentity is ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY [IF
// EXISTS]: the column keeps its values and loses its sequence.
func (d *ddl) dropIdentity(t *catalog.Table, column string, missingOK bool) error {
	col, _, ok := t.Column(column)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", column, t.Name)
	}
	if !col.Identity {
		if missingOK {
			d.s.notice(fmt.Sprintf("column %q of relation %q is not an identity column, skipping", column, t.Name))
			return nil
		}
		return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "column %q of relation %q is not an identity column", column, t.Name)
	}
	col.Identity, col.Default = false, ""
	if err := d.put(t); err != nil {
		return err
	}
	for _, s := range d.snap().Tables() {
		if sd := s.Sequence; s.Kind == catalog.KindSequence && sd != nil && sd.Identity && sd.OwnedByTable == t.OID && sd.OwnedByColumn == col.ID {
			if d.droppedColumns == nil {
				d.droppedColumns = map[columnRef]bool{}
			}
			d.droppedColumns[columnRef{t.OID, col.ID}] = true
			return d.dropRelation(s, false)
		}
	}
	return nil
}

// alterIdentity is ALTER TABLE ... ALTER COLUMN ... SET / RESTART on an
// identity column: the options go to its sequence.
func (d *ddl) alterIdentity(t *catalog.Table, column string, opts []*pg.Node) error {
	col, _, ok := t.Column(column)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", column, t.Name)
	}
	for _, s := range d.snap().Tables() {
		if sd := s.Sequence; s.Kind == catalog.KindSequence && sd != nil && sd.Identity && sd.OwnedByTable == t.OID && sd.OwnedByColumn == col.ID {
			var seqOpts []*pg.Node
			for _, n := range opts {
				// SET GENERATED ALWAYS / BY DEFAULT is the column's.
				if de := n.GetDefElem(); de != nil && de.Defname != "generated" {
					seqOpts = append(seqOpts, n)
				}
			}
			o, err := parseSequenceOptions(seqOpts)
			if err != nil {
				return err
			}
			return d.changeSequence(s, o)
		}
	}
	return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "column %q of relation %q is not an identity column", column, t.Name)
}
