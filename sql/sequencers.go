package sql

import (
	"fmt"
	"slices"
	"strings"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/portals"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/sql/parser"
	"portalsdb/types"
)

// Sequencers and splitters in the catalog: a sequencer is a stream whose
// StreamDesc lists its sources; a splitter is the set of split streams
// whose StreamDesc.Split names it. The runtime's pumps move the atoms
// (portals/sequencer.go).

func (d *ddl) createSequencer(st *parser.CreateSequencerStmt) error {
	sc, err := d.view.creationSchema(st.Name.Schema)
	if err != nil {
		return err
	}
	if d.relationExists(sc.OID, st.Name.Name) {
		return pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", st.Name.Name)
	}
	oid, err := d.newOID()
	if err != nil {
		return err
	}
	tbl := &catalog.Table{OID: oid, Schema: sc.OID, Name: st.Name.Name, Kind: catalog.KindStream, Owner: catalog.PostgresRoleOID,
		Stream: &catalog.StreamDesc{}}
	seen := map[uint32]bool{}
	for i, n := range st.Sources {
		src, _, err := d.view.lookupTable(n.Schema, n.Name)
		if err != nil {
			return err
		}
		if src.Kind != catalog.KindStream {
			return pgerror.Newf(pgerror.WrongObjectType, "%q is a %s; a sequencer merges streams", src.Name, src.Kind)
		}
		if seen[src.OID] {
			return pgerror.Newf(pgerror.DuplicateObject, "stream %q is listed twice", src.Name)
		}
		seen[src.OID] = true
		if i == 0 {
			for _, c := range src.Columns {
				tbl.NextColumnID++
				tbl.Columns = append(tbl.Columns, catalog.Column{ID: tbl.NextColumnID, Name: c.Name, Type: c.Type, NotNull: c.NotNull})
			}
			tbl.Stream.WatermarkColumn, tbl.Stream.WatermarkExpr = src.Stream.WatermarkColumn, src.Stream.WatermarkExpr
		} else if err := sameStreamColumns(tbl, src); err != nil {
			return err
		}
		tbl.Stream.Sequencer = append(tbl.Stream.Sequencer, src.OID)
		tbl.DependsOn = append(tbl.DependsOn, src.OID)
	}
	if err := d.put(tbl); err != nil {
		return err
	}
	spec := sequencerSpec(tbl)
	rt := d.s.e.rt
	d.t.onCommit = append(d.t.onCommit, func() { rt.StartSequencer(spec) })
	return nil
}

func sequencerSpec(t *catalog.Table) portals.SequencerSpec {
	return portals.SequencerSpec{OID: t.OID, Name: t.Name, Sources: t.Stream.Sequencer}
}

// sameStreamColumns checks that src's events fit the merged stream.
func sameStreamColumns(merged, src *catalog.Table) error {
	if len(src.Columns) != len(merged.Columns) {
		return pgerror.Newf(pgerror.DatatypeMismatch, "stream %q has %d columns; the sequencer's first stream has %d", src.Name, len(src.Columns), len(merged.Columns))
	}
	for i, c := range src.Columns {
		if !c.Type.Same(merged.Columns[i].Type) {
			return pgerror.Newf(pgerror.DatatypeMismatch, "column %d of stream %q is of type %s; the sequencer's is %s", i+1, src.Name, c.Type, merged.Columns[i].Type)
		}
	}
	return nil
}

func (d *ddl) createSplitter(st *parser.CreateSplitterStmt) error {
	sc, err := d.view.creationSchema(st.Name.Schema)
	if err != nil {
		return err
	}
	if len(splitStreams(d.snap(), sc.OID, st.Name.Name)) > 0 {
		return pgerror.Newf(pgerror.DuplicateObject, "splitter %q already exists", st.Name.Name)
	}
	src, _, err := d.view.lookupTable(st.Source.Schema, st.Source.Name)
	if err != nil {
		return err
	}
	if src.Kind != catalog.KindStream {
		return pgerror.Newf(pgerror.WrongObjectType, "%q is a %s; a splitter splits a stream", src.Name, src.Kind)
	}
	var first uint32
	for i, def := range st.Splits {
		t, err := d.addSplit(sc, st.Name.Name, src, def, i, first)
		if err != nil {
			return err
		}
		if first == 0 {
			first = t.OID
		}
	}
	d.restartSplitter(sc.OID, st.Name.Name)
	return nil
}

// addSplit defines one split stream of a splitter.
func (d *ddl) addSplit(sc *catalog.Schema, splitter string, src *catalog.Table, def parser.SplitDef, order int, id uint32) (*catalog.Table, error) {
	if def.Name.Schema != "" && def.Name.Schema != sc.Name {
		return nil, pgerror.Newf(pgerror.InvalidSchemaName, "split %q must be in the splitter's schema %q", def.Name.Name, sc.Name)
	}
	if d.relationExists(sc.OID, def.Name.Name) {
		return nil, pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", def.Name.Name)
	}
	pred, err := binder.BindScalar(d.view, def.Predicate, tableColumns(src.Columns), src.Name)
	if err != nil {
		return nil, err
	}
	if pred.Type().Kind != types.Bool {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "argument of SPLIT ... WHERE must be type boolean, not type %s", pred.Type())
	}
	if expr.IsVolatile(pred) || expr.HasSubquery(pred) {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "a split condition must be a deterministic expression over the event's columns")
	}
	oid, err := d.newOID()
	if err != nil {
		return nil, err
	}
	if id == 0 {
		id = oid
	}
	tbl := &catalog.Table{OID: oid, Schema: sc.OID, Name: def.Name.Name, Kind: catalog.KindStream, Owner: catalog.PostgresRoleOID,
		Stream: &catalog.StreamDesc{WatermarkColumn: src.Stream.WatermarkColumn, WatermarkExpr: src.Stream.WatermarkExpr,
			Split: &catalog.SplitDesc{Splitter: splitter, ID: id, Source: src.OID, Predicate: def.PredicateText, Order: order}},
		DependsOn: []uint32{src.OID}}
	for _, c := range src.Columns {
		tbl.NextColumnID++
		tbl.Columns = append(tbl.Columns, catalog.Column{ID: tbl.NextColumnID, Name: c.Name, Type: c.Type, NotNull: c.NotNull})
	}
	if err := d.put(tbl); err != nil {
		return nil, err
	}
	return tbl, nil
}

// splitStreams returns a splitter's split streams in their order.
func splitStreams(snap *catalog.Snapshot, schema uint32, name string) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range snap.Tables() {
		if t.Schema == schema && t.Kind == catalog.KindStream && t.Stream != nil && t.Stream.Split != nil && t.Stream.Split.Splitter == name {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *catalog.Table) int { return a.Stream.Split.Order - b.Stream.Split.Order })
	return out
}

// restartSplitter (re)starts a splitter with its current splits once the
// transaction commits.
func (d *ddl) restartSplitter(schema uint32, name string) {
	e := d.s.e
	d.t.onCommit = append(d.t.onCommit, func() {
		if err := e.startSplitter(e.Catalog(), schema, name); err != nil {
			e.log.Error("starting splitter", "splitter", name, "err", err)
		}
	})
}

// startSplitter binds a splitter's conditions and runs it.
func (e *Engine) startSplitter(snap *catalog.Snapshot, schema uint32, name string) error {
	splits := splitStreams(snap, schema, name)
	if len(splits) == 0 {
		return nil
	}
	src, ok := snap.TableByOID(splits[0].Stream.Split.Source)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedTable, "the stream splitter %q splits is gone", name)
	}
	view := &catalogView{e: e, snap: snap, searchPath: []string{"pg_catalog"}}
	cols := make([]logical.Column, len(src.Columns))
	for i, c := range src.Columns {
		cols[i] = logical.Column{ID: expr.ColumnID(i + 1), Name: c.Name, Type: c.Type}
	}
	spec := portals.SplitterSpec{ID: splits[0].Stream.Split.ID, Name: name, Source: src.OID}
	for _, c := range src.Columns {
		spec.Types = append(spec.Types, c.Type)
	}
	for _, s := range splits {
		n, err := binder.ParseExpr(s.Stream.Split.Predicate)
		if err != nil {
			return err
		}
		pred, err := binder.BindScalar(view, n, cols, src.Name)
		if err != nil {
			return err
		}
		spec.Splits = append(spec.Splits, s.OID)
		spec.Preds = append(spec.Preds, pred)
	}
	return e.rt.StartSplitter(spec)
}

func (d *ddl) alterSplitter(st *parser.AlterSplitterStmt) error {
	sc, err := d.view.creationSchema(st.Name.Schema)
	if err != nil {
		return err
	}
	splits := splitStreams(d.snap(), sc.OID, st.Name.Name)
	if len(splits) == 0 {
		return pgerror.Newf(pgerror.UndefinedObject, "splitter %q does not exist", st.Name.Name)
	}
	last := splits[len(splits)-1].Stream.Split
	src, ok := d.snap().TableByOID(last.Source)
	if !ok {
		return pgerror.Newf(pgerror.UndefinedTable, "the stream splitter %q splits is gone", st.Name.Name)
	}
	if _, err := d.addSplit(sc, st.Name.Name, src, st.Add, last.Order+1, last.ID); err != nil {
		return err
	}
	d.restartSplitter(sc.OID, st.Name.Name)
	return nil
}

// dropSequencersOrSplitters runs DROP SEQUENCER and DROP SPLITTER.
func (d *ddl) dropSequencersOrSplitters(st *parser.DropObjects) error {
	for _, n := range st.Names {
		var targets []*catalog.Table
		if st.Kind == "sequencer" {
			t, _, err := d.view.lookupTable(n.Schema, n.Name)
			if err == nil && t.Kind == catalog.KindStream && t.Stream != nil && len(t.Stream.Sequencer) > 0 {
				targets = []*catalog.Table{t}
			}
		} else if sc, err := d.view.creationSchema(n.Schema); err == nil {
			targets = splitStreams(d.snap(), sc.OID, n.Name)
		}
		if len(targets) == 0 {
			if st.IfExists {
				d.s.notice(fmt.Sprintf("%s %q does not exist, skipping", st.Kind, n.Name))
				continue
			}
			return pgerror.Newf(pgerror.UndefinedObject, "%s %q does not exist", st.Kind, n.Name)
		}
		for _, t := range targets {
			if _, still := d.snap().TableByOID(t.OID); !still {
				continue
			}
			if err := d.dropRelation(t, st.Cascade); err != nil {
				return err
			}
		}
	}
	return nil
}

// fedStreamDropError refuses DROP STREAM of a stream a sequencer or a
// splitter owns.
func fedStreamDropError(t *catalog.Table) error {
	switch {
	case t.Stream == nil:
		return nil
	case len(t.Stream.Sequencer) > 0:
		return pgerror.Newf(pgerror.WrongObjectType, "%q is a sequencer", t.Name).WithHint("Use DROP SEQUENCER.")
	case t.Stream.Split != nil:
		return pgerror.Newf(pgerror.WrongObjectType, "%q is a split of the splitter %q", t.Name, t.Stream.Split.Splitter).
			WithHint("Use DROP SPLITTER " + strings.ToLower(t.Stream.Split.Splitter) + ".")
	}
	return nil
}
