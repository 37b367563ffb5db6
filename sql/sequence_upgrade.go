package sql

import (
	"fmt"

	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/types"
)

// Data directories written before sequences were catalog objects hold
// serial and identity columns whose values came from a storage id counter
// named after the column (Column.Sequence), with a default of
// nextval('<table oid>.<column>'), and whose sequence pg_catalog made up
// from the column. upgradeSerialColumns turns each into what CREATE TABLE
// makes now: a sequence owned by the column, with the OID and name
// pg_class showed for it, whose position starts past every value the old
// counter can have handed out.

// legacySequenceOID is the OID pg_catalog gave the made-up sequence of a
// serial column; the upgraded sequence keeps it.
func legacySequenceOID(table uint32, colID uint32) uint32 {
	return 0xA000_0000 | (table&0xF_FFFF)<<11 | colID&0x7FF
}

// upgradeSerialColumns upgrades the legacy serial columns of the committed
// catalog in one transaction. It is idempotent: a crash before the commit
// leaves the legacy columns, and the next start writes the same positions
// again.
func (e *Engine) upgradeSerialColumns() error {
	snap := e.Catalog()
	var tables []*catalog.Table
	for _, t := range snap.Tables() {
		for _, c := range t.Columns {
			if c.Sequence != "" {
				tables = append(tables, t)
				break
			}
		}
	}
	if len(tables) == 0 {
		return nil
	}
	txn := e.db.Begin()
	defer txn.Rollback()
	st := metaStore{txn}
	for _, t := range tables {
		nt := t.Clone()
		for i := range nt.Columns {
			c := &nt.Columns[i]
			if c.Sequence == "" {
				continue
			}
			oid := legacySequenceOID(t.OID, c.ID)
			name := chooseName(t.Name, c.Name, "seq", func(n string) bool {
				if _, ok := snap.Table(t.Schema, n); ok {
					return true
				}
				_, ok := snap.IndexOwner(t.Schema, n)
				return ok
			})
			typ := c.Type
			if typ.Kind != types.Int2 && typ.Kind != types.Int4 && typ.Kind != types.Int8 {
				typ = types.Int8Type
			}
			_, hi := integerRange(typ)
			sd := &catalog.SequenceDesc{Type: typ, Start: 1, Increment: 1, Min: 1, Max: hi, Cache: 1,
				OwnedByTable: t.OID, OwnedByColumn: c.ID, Identity: c.Identity, PositionID: uint64(oid), Restart: 1}
			// Every id the counter handed out is below its limit.
			limit, err := e.db.CounterLimit("seq/" + c.Sequence)
			if err != nil {
				return err
			}
			if limit > 1 {
				last := int64(min(limit-1, uint64(hi)))
				if err := e.db.WritePosition(sd.PositionID, storage.Position{Value: last, Called: true}); err != nil {
					return err
				}
			}
			seq := &catalog.Table{OID: oid, Schema: t.Schema, Name: name, Kind: catalog.KindSequence, Owner: t.Owner, Sequence: sd}
			if snap, err = snap.PutTable(st, seq); err != nil {
				return err
			}
			if c.Default == fmt.Sprintf("nextval('%s')", c.Sequence) {
				c.Default = nextvalDefault(oid)
			}
			c.Sequence = ""
		}
		var err error
		if snap, err = snap.PutTable(st, nt); err != nil {
			return err
		}
	}
	_, err := e.commitCatalog(txn)
	return err
}
