package storage

import (
	"bytes"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// ColumnSpec is a table column as storage sees it. ID is stable for the
// column's life and never reused in its table: row values are keyed by it.
type ColumnSpec struct {
	ID   uint32
	Name string
	Type types.T
}

// IndexSpec is a secondary index: Columns are ordinals into the table's
// Columns, Desc (when not nil) flags the descending ones. ID is an object id,
// distinct from every table's and index's.
type IndexSpec struct {
	ID      uint64
	Name    string
	Columns []int
	Desc    []bool
	Unique  bool
}

// TableSpec is a table as storage sees it. Treat a TableSpec as immutable
// while transactions use it: a schema change makes a new one. PrimaryKey
// lists column ordinals;
// when it is empty, each row gets a hidden int8 row id from the "rowid"
// counter, and that is the key. PKName is the primary key constraint's name
// for 23505 errors ("<table>_pkey" when empty).
type TableSpec struct {
	ID         uint64
	Name       string
	Columns    []ColumnSpec
	PrimaryKey []int
	PKName     string
	Indexes    []IndexSpec
}

// RowKey is the logical key of a row in its table: the table's object
// prefix and the key-encoded primary key (or hidden row id).
type RowKey []byte

// rowIDCounter is the AllocateIDs counter of hidden row ids.
const rowIDCounter = "rowid"

// pkName returns the primary key constraint's name.
func (ts *TableSpec) pkName() string {
	if ts.PKName != "" {
		return ts.PKName
	}
	return ts.Name + "_pkey"
}

// codecFor returns the row codec of ts, remembering the last one: a
// statement writes many rows of one table. The cache is keyed by the spec's
// address and its columns' backing array, so a new TableSpec (or a new
// Columns slice) after a schema change gets a new codec.
func (t *Txn) codecFor(ts *TableSpec) (*rowcodec.RowCodec, error) {
	c := &t.codecCache
	if c.spec == ts && len(ts.Columns) == c.ncols && (c.ncols == 0 || &ts.Columns[0] == c.first) {
		return c.codec, nil
	}
	codec, err := ts.codec()
	if err != nil {
		return nil, err
	}
	*c = codecCache{spec: ts, ncols: len(ts.Columns), codec: codec}
	if c.ncols > 0 {
		c.first = &ts.Columns[0]
	}
	return codec, nil
}

// codecCache is a Txn's last-used row codec.
type codecCache struct {
	spec  *TableSpec
	ncols int
	first *ColumnSpec
	codec *rowcodec.RowCodec
}

// codec returns the row codec of the table's current columns.
func (ts *TableSpec) codec() (*rowcodec.RowCodec, error) {
	cols := make([]rowcodec.Column, len(ts.Columns))
	for i, c := range ts.Columns {
		cols[i] = rowcodec.Column{ID: c.ID, Type: c.Type}
	}
	return rowcodec.NewRowCodec(cols)
}

// rowKey returns the key of row, which must have a primary key.
func (ts *TableSpec) rowKey(row []types.Datum) (RowKey, error) {
	key := AppendObjectPrefix(make([]byte, 0, 32), ts.ID)
	for _, ord := range ts.PrimaryKey {
		if row[ord] == nil {
			return nil, pkNullViolation(ts, ord)
		}
		var err error
		if key, err = rowcodec.AppendKey(key, ts.Columns[ord].Type, row[ord], false); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// pkNullViolation is the 23502 error of a NULL in primary key column ord.
func pkNullViolation(ts *TableSpec, ord int) error {
	e := pgerror.Newf(pgerror.NotNullViolation, "null value in column %q of relation %q violates not-null constraint",
		ts.Columns[ord].Name, ts.Name)
	e.Table, e.Column = ts.Name, ts.Columns[ord].Name
	return e
}

// indexKey returns the key of row's entry in idx. Non-unique indexes, and
// unique ones when an indexed value is NULL (NULLs never conflict), append
// the row key's primary key part to keep entries distinct.
func (ts *TableSpec) indexKey(idx *IndexSpec, row []types.Datum, rk RowKey) (key []byte, checkUnique bool, err error) {
	key = AppendObjectPrefix(make([]byte, 0, 32+len(rk)), idx.ID)
	hasNull := false
	for i, ord := range idx.Columns {
		desc := i < len(idx.Desc) && idx.Desc[i]
		if row[ord] == nil {
			hasNull = true
		}
		if key, err = rowcodec.AppendKey(key, ts.Columns[ord].Type, row[ord], desc); err != nil {
			return nil, false, err
		}
	}
	if !idx.Unique || hasNull {
		key = append(key, rk[len(ObjectPrefix(0)):]...)
		return key, false, nil
	}
	return key, true, nil
}

// check validates the spec's shape against a row's width.
func (ts *TableSpec) check(row []types.Datum) error {
	if len(row) != len(ts.Columns) {
		return pgerror.Internalf("storage: row of %d values for table %q of %d columns", len(row), ts.Name, len(ts.Columns))
	}
	return nil
}

// uniqueViolation is PostgreSQL's 23505 error for constraint name on table
// ts, with the conflicting values of cols in the detail.
func uniqueViolation(ts *TableSpec, name string, cols []int, row []types.Datum) error {
	var names, vals strings.Builder
	env := &types.Env{Loc: time.UTC}
	for i, ord := range cols {
		if i > 0 {
			names.WriteString(", ")
			vals.WriteString(", ")
		}
		names.WriteString(ts.Columns[ord].Name)
		if row[ord] == nil {
			vals.WriteString("null")
			continue
		}
		vals.Write(types.AppendText(nil, ts.Columns[ord].Type, row[ord], env))
	}
	e := pgerror.Newf(pgerror.UniqueViolation, "duplicate key value violates unique constraint %q", name).
		WithDetail("Key (" + names.String() + ")=(" + vals.String() + ") already exists.")
	e.Table, e.Constraint = ts.Name, name
	return e
}

// nextRowID returns a fresh hidden row id. The transaction takes ids from
// the database in growing blocks, so a bulk load makes few allocations.
func (t *Txn) nextRowID() (int64, error) {
	if t.rowIDs.next == t.rowIDs.end {
		n := min(max(64, 2*(t.rowIDs.end-t.rowIDs.start)), 1<<16)
		first, err := t.db.AllocateIDs(rowIDCounter, n)
		if err != nil {
			return 0, err
		}
		t.rowIDs.start, t.rowIDs.next, t.rowIDs.end = first, first, first+n
	}
	id := t.rowIDs.next
	t.rowIDs.next++
	return int64(id), nil
}

// indexWrite is one planned index entry change.
type indexWrite struct {
	key    []byte
	delete bool
}

// InsertRow inserts row (values in ts.Columns order) and its index entries,
// and returns its key. It fails with 23505 when the primary key or a unique
// index already has the row's values, and with 23502 when a primary key
// column is NULL; on error it writes nothing.
func (t *Txn) InsertRow(ts *TableSpec, row []types.Datum) (RowKey, error) {
	if err := t.checkWritable(); err != nil {
		return nil, err
	}
	if err := ts.check(row); err != nil {
		return nil, err
	}
	key, err := t.newRowKey(ts, func() (RowKey, error) { return ts.rowKey(row) }, func() []types.Datum { return row })
	if err != nil {
		return nil, err
	}
	codec, err := t.codecFor(ts)
	if err != nil {
		return nil, err
	}
	value, err := codec.Encode(t.rowValueBuf[:0], row)
	if err != nil {
		return nil, err
	}
	t.rowValueBuf = value
	return key, t.writeRow(ts, key, value, row)
}

// newRowKey returns the key of a new row of ts: a fresh hidden row id, or
// the primary key pk encodes, checked not to exist yet (row gives the
// values for the error's detail).
func (t *Txn) newRowKey(ts *TableSpec, pk func() (RowKey, error), row func() []types.Datum) (RowKey, error) {
	if len(ts.PrimaryKey) == 0 {
		id, err := t.nextRowID()
		if err != nil {
			return nil, err
		}
		return hiddenRowKey(ts.ID, id), nil
	}
	key, err := pk()
	if err != nil {
		return nil, err
	}
	_, exists, err := t.Get(key)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, uniqueViolation(ts, ts.pkName(), ts.PrimaryKey, row())
	}
	return key, nil
}

// writeRow writes a new row's value and index entries, after checking the
// unique indexes; row is needed only when ts has indexes.
func (t *Txn) writeRow(ts *TableSpec, key RowKey, value []byte, row []types.Datum) error {
	var entries [][]byte
	if len(ts.Indexes) > 0 {
		entries = make([][]byte, len(ts.Indexes))
	}
	for i := range ts.Indexes {
		idx := &ts.Indexes[i]
		k, unique, err := ts.indexKey(idx, row, key)
		if err != nil {
			return err
		}
		if unique {
			if err := t.checkUnique(ts, idx, k, row); err != nil {
				return err
			}
		}
		entries[i] = k
	}
	t.writes.write(key, value, false)
	for _, k := range entries {
		t.writes.write(k, key, false)
	}
	return nil
}

// RowEncoder encodes the rows of a batch bound for one table straight
// from their Arrow columns, for InsertRowAt: a bulk insert (COPY, INSERT
// ... SELECT) then never boxes a value, except for an error's detail or an
// index entry.
type RowEncoder struct {
	ts   *TableSpec
	cols []arrow.Array
	enc  *rowcodec.BatchEncoder
	row  []types.Datum
}

// NewRowEncoder returns an encoder of the rows of cols, one array per
// column of ts in ts.Columns order.
func (t *Txn) NewRowEncoder(ts *TableSpec, cols []arrow.Array) (*RowEncoder, error) {
	if len(cols) != len(ts.Columns) {
		return nil, pgerror.Internalf("storage: rows of %d columns for table %q of %d columns", len(cols), ts.Name, len(ts.Columns))
	}
	codec, err := t.codecFor(ts)
	if err != nil {
		return nil, err
	}
	return &RowEncoder{ts: ts, cols: cols, enc: codec.NewBatchEncoder(cols), row: make([]types.Datum, len(cols))}, nil
}

// boxed returns row r's values; the slice is reused by the next call.
func (e *RowEncoder) boxed(r int) []types.Datum {
	for c, col := range e.cols {
		e.row[c] = types.DatumAt(e.ts.Columns[c].Type, col, r)
	}
	return e.row
}

// InsertRowAt is InsertRow for row r of e's columns.
func (t *Txn) InsertRowAt(e *RowEncoder, r int) (RowKey, error) {
	if err := t.checkWritable(); err != nil {
		return nil, err
	}
	ts := e.ts
	key, err := t.newRowKey(ts, func() (RowKey, error) {
		key := AppendObjectPrefix(make([]byte, 0, 32), ts.ID)
		for _, ord := range ts.PrimaryKey {
			if e.cols[ord].IsNull(r) {
				return nil, pkNullViolation(ts, ord)
			}
			var err error
			if key, err = rowcodec.AppendKeyAt(key, ts.Columns[ord].Type, e.cols[ord], r); err != nil {
				return nil, err
			}
		}
		return key, nil
	}, func() []types.Datum { return e.boxed(r) })
	if err != nil {
		return nil, err
	}
	value, err := e.enc.AppendRow(t.rowValueBuf[:0], r)
	if err != nil {
		return nil, err
	}
	t.rowValueBuf = value
	var row []types.Datum
	if len(ts.Indexes) > 0 {
		row = e.boxed(r)
	}
	return key, t.writeRow(ts, key, value, row)
}

// hiddenRowKey returns the key of the row with hidden row id id: the id
// key-encoded as an int8, as if it were a primary key column.
func hiddenRowKey(table uint64, id int64) RowKey {
	key, _ := rowcodec.AppendKey(AppendObjectPrefix(make([]byte, 0, 20), table), types.Int8Type, id, false)
	return key
}

func (t *Txn) checkUnique(ts *TableSpec, idx *IndexSpec, key []byte, row []types.Datum) error {
	_, exists, err := t.Get(key)
	if err != nil {
		return err
	}
	if exists {
		return uniqueViolation(ts, idx.Name, idx.Columns, row)
	}
	return nil
}

// DeleteRow deletes the row at key, whose current values are old, and its
// index entries.
func (t *Txn) DeleteRow(ts *TableSpec, key RowKey, old []types.Datum) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if err := ts.check(old); err != nil {
		return err
	}
	entries := make([][]byte, len(ts.Indexes))
	for i := range ts.Indexes {
		k, _, err := ts.indexKey(&ts.Indexes[i], old, key)
		if err != nil {
			return err
		}
		entries[i] = k
	}
	t.writes.write(key, nil, true)
	for _, k := range entries {
		t.writes.write(k, nil, true)
	}
	return nil
}

// UpdateRow replaces the row at key, whose current values are old, with new
// and returns its key, which changes when the primary key does. Index
// entries are rewritten only where they change. Errors are InsertRow's; on
// error it writes nothing.
func (t *Txn) UpdateRow(ts *TableSpec, key RowKey, old, new []types.Datum) (RowKey, error) {
	if err := t.checkWritable(); err != nil {
		return nil, err
	}
	if err := ts.check(old); err != nil {
		return nil, err
	}
	if err := ts.check(new); err != nil {
		return nil, err
	}
	newKey := key
	if len(ts.PrimaryKey) > 0 {
		var err error
		if newKey, err = ts.rowKey(new); err != nil {
			return nil, err
		}
		if !bytes.Equal(newKey, key) {
			_, exists, err := t.Get(newKey)
			if err != nil {
				return nil, err
			}
			if exists {
				return nil, uniqueViolation(ts, ts.pkName(), ts.PrimaryKey, new)
			}
		}
	}
	codec, err := t.codecFor(ts)
	if err != nil {
		return nil, err
	}
	value, err := codec.Encode(nil, new)
	if err != nil {
		return nil, err
	}
	keyChanged := !bytes.Equal(newKey, key)
	var writes []indexWrite
	for i := range ts.Indexes {
		idx := &ts.Indexes[i]
		oldK, _, err := ts.indexKey(idx, old, key)
		if err != nil {
			return nil, err
		}
		newK, unique, err := ts.indexKey(idx, new, newKey)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(oldK, newK) {
			if keyChanged {
				// Same entry, but it must point at the new row key.
				writes = append(writes, indexWrite{key: newK})
			}
			continue
		}
		if unique {
			if err := t.checkUnique(ts, idx, newK, new); err != nil {
				return nil, err
			}
		}
		writes = append(writes, indexWrite{key: oldK, delete: true}, indexWrite{key: newK})
	}
	if keyChanged {
		t.writes.write(key, nil, true)
	}
	t.writes.write(newKey, value, false)
	for _, w := range writes {
		if w.delete {
			t.writes.write(w.key, nil, true)
		} else {
			t.writes.write(w.key, newKey, false)
		}
	}
	return newKey, nil
}

// GetRow looks a row up by its primary key values (the hidden row id, an
// int8, for a table without a primary key) and returns its key and values.
func (t *Txn) GetRow(ts *TableSpec, pk []types.Datum) (RowKey, []types.Datum, bool, error) {
	key, err := ts.keyFromPK(pk)
	if err != nil {
		return nil, nil, false, err
	}
	row, ok, err := t.GetRowByKey(ts, key)
	if !ok || err != nil {
		return nil, nil, false, err
	}
	return key, row, true, nil
}

// keyFromPK encodes primary key values as a row key.
func (ts *TableSpec) keyFromPK(pk []types.Datum) (RowKey, error) {
	if len(ts.PrimaryKey) == 0 {
		var id int64
		ok := len(pk) == 1
		if ok {
			id, ok = pk[0].(int64)
		}
		if !ok {
			return nil, pgerror.Internalf("storage: table %q has no primary key: look rows up by one int8 row id", ts.Name)
		}
		return hiddenRowKey(ts.ID, id), nil
	}
	if len(pk) != len(ts.PrimaryKey) {
		return nil, pgerror.Internalf("storage: %d primary key values for table %q, want %d", len(pk), ts.Name, len(ts.PrimaryKey))
	}
	key := ObjectPrefix(ts.ID)
	for i, ord := range ts.PrimaryKey {
		var err error
		if key, err = rowcodec.AppendKey(key, ts.Columns[ord].Type, pk[i], false); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// GetRowByKey returns the values of the row at key.
func (t *Txn) GetRowByKey(ts *TableSpec, key RowKey) ([]types.Datum, bool, error) {
	value, ok, err := t.Get(key)
	if !ok || err != nil {
		return nil, false, err
	}
	codec, err := t.codecFor(ts)
	if err != nil {
		return nil, false, err
	}
	row := make([]types.Datum, len(ts.Columns))
	if err := codec.Decode(value, row); err != nil {
		return nil, false, err
	}
	return row, true, nil
}
