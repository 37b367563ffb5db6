package storage

import "portalsdb/types"

// DropTableData removes the rows and index entries of ts when t commits.
//
// It does not write a tombstone per key: that would make DROP TABLE cost as
// much as deleting every row, and hold the whole table in the transaction's
// write buffer. Instead t records the table's and its indexes' object ids,
// and its commit writes, in the same atomic batch, a pending-drop record
// holding the commit's seq. Garbage collection removes each object's whole
// key range with one Pebble range deletion once no snapshot older than that
// seq remains (and the retention window has passed it), so transactions and
// time-travel reads that began before the drop still read the data, and a
// rolled-back drop removes nothing. Object ids are never reused, so nothing
// new is written under a dropped id by a transaction that started after the
// drop; the catalog (in the same transaction) stops others from reaching it.
func DropTableData(t *Txn, ts *TableSpec) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	t.drops = append(t.drops, ts.ID)
	for i := range ts.Indexes {
		t.drops = append(t.drops, ts.Indexes[i].ID)
	}
	return nil
}

// DropIndexData removes the entries of idx when t commits, as DropTableData
// does.
func DropIndexData(t *Txn, idx *IndexSpec) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	t.drops = append(t.drops, idx.ID)
	return nil
}

// BackfillIndex writes the entries of idx for every row of ts that t sees,
// as CREATE INDEX on a table with rows needs. It fails with 23505 if the
// index is unique and two rows share its values.
func (t *Txn) BackfillIndex(ts *TableSpec, idx *IndexSpec) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	prefix := ObjectPrefix(ts.ID)
	it, err := t.NewIter(prefix, PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	codec, err := ts.codec()
	if err != nil {
		return err
	}
	row := make([]types.Datum, len(ts.Columns))
	for it.First(); it.Valid(); it.Next() {
		if err := codec.Decode(it.Value(), row); err != nil {
			return err
		}
		k, unique, err := ts.indexKey(idx, row, it.Key())
		if err != nil {
			return err
		}
		if unique {
			if err := t.checkUnique(ts, idx, k, row); err != nil {
				return err
			}
		}
		t.writes.write(k, it.Key(), false)
	}
	return it.Error()
}
