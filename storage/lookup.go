package storage

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// RowLookup reads single rows of a table by primary key, decoding the
// columns it was made for straight from the stored value into Arrow arrays
// of one row (rowcodec.RowDecoder): no datums are boxed and the value is
// not copied on its way. It keeps its key buffer from lookup to lookup. A
// RowLookup is not safe for concurrent use; it may be used with any
// transaction that reads the same TableSpec.
type RowLookup struct {
	ts       *TableSpec
	cols     []int
	keyTypes []types.T
	rowKeys  *array.BinaryBuilder // nil unless the row key is asked for
	decoder  *rowcodec.RowDecoder
	key      []byte
}

// NewRowLookup returns a lookup of the columns cols (ordinals into
// ts.Columns, in this order) of ts's rows, with the row key as a trailing
// Binary column when rowKey is set, as ScanRows gives them.
func NewRowLookup(ts *TableSpec, cols []int, rowKey bool) (*RowLookup, error) {
	l := &RowLookup{ts: ts, cols: cols}
	l.keyTypes, _ = ts.pkKeyTypes()
	rcols := make([]rowcodec.Column, len(cols))
	for i, ord := range cols {
		if ord < 0 || ord >= len(ts.Columns) {
			return nil, pgerror.Internalf("storage: column ordinal %d out of range for table %q", ord, ts.Name)
		}
		c := ts.Columns[ord]
		rcols[i] = rowcodec.Column{ID: c.ID, Type: c.Type}
	}
	var err error
	if l.decoder, err = rowcodec.NewRowDecoder(rcols); err != nil {
		return nil, err
	}
	if rowKey {
		l.rowKeys = array.NewBinaryBuilder(types.Allocator, arrow.BinaryTypes.Binary)
	}
	return l, nil
}

// KeyTypes returns the types of the primary key's columns (a table without
// one is keyed by its int8 row id), the values Lookup takes.
func (l *RowLookup) KeyTypes() []types.T { return l.keyTypes }

// Lookup reads the row whose primary key is pk, as txn sees it (its own
// writes first, then its snapshot), and returns its columns as arrays of
// one row; found is false, and the arrays nil, when there is no such row.
// A NULL key value finds nothing. The arrays belong to the caller.
func (l *RowLookup) Lookup(txn *Txn, pk []types.Datum) (cols []arrow.Array, found bool, err error) {
	if txn.finished {
		return nil, false, pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	if len(pk) != len(l.keyTypes) {
		return nil, false, pgerror.Internalf("storage: %d primary key values for table %q, want %d", len(pk), l.ts.Name, len(l.keyTypes))
	}
	key := AppendObjectPrefix(l.key[:0], l.ts.ID)
	for i, v := range pk {
		if v == nil {
			return nil, false, nil
		}
		if key, err = rowcodec.AppendKey(key, l.keyTypes[i], v, false); err != nil {
			return nil, false, err
		}
	}
	l.key = key
	var value []byte
	if e, ok := txn.ownWrite(key); ok {
		if e.tombstone {
			return nil, false, nil
		}
		value = e.value
	} else {
		var ok bool
		if value, ok, err = txn.readCommitted(key); !ok || err != nil {
			return nil, false, err
		}
	}
	if cols, err = l.decoder.Decode(value); err != nil {
		return nil, false, err
	}
	if l.rowKeys != nil {
		l.rowKeys.Append(key)
		cols = append(cols, l.rowKeys.NewArray())
	}
	return cols, true, nil
}
