package storage

import (
	"bytes"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tidwall/btree"

	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Bound is one end of a scan: values for a prefix of the scanned index's
// columns (or the primary key's), and whether rows equal to them on that
// prefix are included. Bounds are positions in the index's order: on a
// DESC column the lower bound holds the larger value. A nil value is NULL,
// which sorts after every value (ASC) or before (DESC): to scan a > 5 on an
// ASC column without its NULLs, use Upper: {Values: [NULL]} exclusive.
type Bound struct {
	Values    []types.Datum
	Inclusive bool
}

// ScanOptions say what ScanRows reads.
type ScanOptions struct {
	// Columns are the ordinals (into TableSpec.Columns) to produce, in this
	// order.
	Columns []int
	// Index is the secondary index to scan in its order; nil scans the
	// table in primary key order.
	Index        *IndexSpec
	Lower, Upper *Bound
	Reverse      bool
	// BatchSize is the most rows per batch; 0 means 1024.
	BatchSize int
	// RowKey adds a trailing Binary column, named RowKeyColumn, holding
	// each row's RowKey, for DELETE and UPDATE.
	RowKey bool
}

// RowKeyColumn is the name of the row key column of scans with RowKey set.
const RowKeyColumn = "$rowkey"

const defaultBatchSize = 1024

// RowScanner reads the rows of a scan as Arrow record batches. It reads the
// transaction's snapshot and its writes as they were when the scan started.
// It is not safe for concurrent use; Close it before the transaction ends.
type RowScanner struct {
	txn      *Txn
	ts       *TableSpec
	index    *IndexSpec
	it       *Iter
	reverse  bool
	started  bool
	done     bool
	batch    int
	schema   *arrow.Schema
	builders []array.Builder
	rowKeys  *array.BinaryBuilder
	decoder  *rowcodec.Decoder
	// own is the snapshot of the transaction's writes that the iterator
	// reads, used to fetch rows of index entries at the same point.
	own *btree.BTreeG[bufEntry]
}

// ScanRows starts a scan of ts's rows in primary key or index order.
func (t *Txn) ScanRows(ts *TableSpec, opts ScanOptions) (*RowScanner, error) {
	if t.finished {
		return nil, pgerror.New(pgerror.InvalidTransactionState, "storage: transaction is already finished")
	}
	keyTypes, desc := ts.pkKeyTypes()
	objectID := ts.ID
	if opts.Index != nil {
		objectID = opts.Index.ID
		keyTypes, desc = keyTypes[:0], nil
		for i, ord := range opts.Index.Columns {
			if ord < 0 || ord >= len(ts.Columns) {
				return nil, pgerror.Internalf("storage: index %q column ordinal %d out of range", opts.Index.Name, ord)
			}
			keyTypes = append(keyTypes, ts.Columns[ord].Type)
			desc = append(desc, i < len(opts.Index.Desc) && opts.Index.Desc[i])
		}
	}
	prefix := ObjectPrefix(objectID)
	lower, upper := prefix, PrefixEnd(prefix)
	if opts.Lower != nil {
		k, err := boundKey(prefix, keyTypes, desc, opts.Lower)
		if err != nil {
			return nil, err
		}
		lower = k
		if !opts.Lower.Inclusive {
			lower = PrefixEnd(k)
		}
	}
	if opts.Upper != nil {
		k, err := boundKey(prefix, keyTypes, desc, opts.Upper)
		if err != nil {
			return nil, err
		}
		upper = k
		if opts.Upper.Inclusive {
			upper = PrefixEnd(k)
		}
	}
	fields := make([]arrow.Field, 0, len(opts.Columns)+1)
	cols := make([]rowcodec.Column, len(opts.Columns))
	builders := make([]array.Builder, len(opts.Columns))
	for i, ord := range opts.Columns {
		if ord < 0 || ord >= len(ts.Columns) {
			return nil, pgerror.Internalf("storage: column ordinal %d out of range for table %q", ord, ts.Name)
		}
		c := ts.Columns[ord]
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true})
		cols[i] = rowcodec.Column{ID: c.ID, Type: c.Type}
		builders[i] = array.NewBuilder(types.Allocator, c.Type.ArrowType())
	}
	decoder, err := rowcodec.NewDecoder(cols, builders)
	if err != nil {
		return nil, err
	}
	s := &RowScanner{
		txn: t, ts: ts, index: opts.Index, reverse: opts.Reverse,
		batch: opts.BatchSize, builders: builders, decoder: decoder,
	}
	if s.batch <= 0 {
		s.batch = defaultBatchSize
	}
	if opts.RowKey {
		fields = append(fields, arrow.Field{Name: RowKeyColumn, Type: arrow.BinaryTypes.Binary})
		s.rowKeys = array.NewBinaryBuilder(types.Allocator, arrow.BinaryTypes.Binary)
	}
	s.schema = arrow.NewSchema(fields, nil)
	if bytes.Compare(lower, upper) >= 0 {
		s.done = true
		return s, nil
	}
	if s.it, err = t.NewIter(lower, upper); err != nil {
		return nil, err
	}
	s.own = s.it.own.tree
	return s, nil
}

// pkKeyTypes returns the types and directions of the row key's columns.
func (ts *TableSpec) pkKeyTypes() ([]types.T, []bool) {
	if len(ts.PrimaryKey) == 0 {
		return []types.T{types.Int8Type}, nil
	}
	out := make([]types.T, len(ts.PrimaryKey))
	for i, ord := range ts.PrimaryKey {
		out[i] = ts.Columns[ord].Type
	}
	return out, nil
}

// boundKey encodes a bound's values as a key prefix.
func boundKey(prefix []byte, keyTypes []types.T, desc []bool, b *Bound) ([]byte, error) {
	if len(b.Values) > len(keyTypes) {
		return nil, pgerror.Internalf("storage: bound of %d values on a key of %d columns", len(b.Values), len(keyTypes))
	}
	k := append([]byte(nil), prefix...)
	for i, v := range b.Values {
		var err error
		if k, err = rowcodec.AppendKey(k, keyTypes[i], v, i < len(desc) && desc[i]); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Schema returns the schema of the scan's batches.
func (s *RowScanner) Schema() *arrow.Schema { return s.schema }

// Next returns the next batch of at most BatchSize rows, or nil and io.EOF
// after the last. The caller owns the batch and must Release it.
func (s *RowScanner) Next() (arrow.RecordBatch, error) {
	if s.done {
		return nil, io.EOF
	}
	n := 0
	for n < s.batch {
		var ok bool
		switch {
		case !s.started && s.reverse:
			ok = s.it.Last()
		case !s.started:
			ok = s.it.First()
		case s.reverse:
			ok = s.it.Prev()
		default:
			ok = s.it.Next()
		}
		s.started = true
		if !ok {
			s.done = true
			break
		}
		rowKey, value := s.it.Key(), s.it.Value()
		if s.index != nil {
			rowKey = value
			v, found, err := s.fetchRow(rowKey)
			if err != nil {
				return nil, s.fail(err)
			}
			if !found {
				return nil, s.fail(pgerror.Newf(pgerror.DataCorrupted, "storage: index %q entry points to a missing row %x", s.index.Name, rowKey))
			}
			value = v
		}
		if err := s.decoder.AppendRow(value); err != nil {
			return nil, s.fail(err)
		}
		if s.rowKeys != nil {
			s.rowKeys.Append(rowKey)
		}
		n++
	}
	if err := s.it.Error(); err != nil {
		return nil, s.fail(err)
	}
	if n == 0 {
		return nil, io.EOF
	}
	cols := make([]arrow.Array, 0, len(s.builders)+1)
	for _, b := range s.builders {
		cols = append(cols, b.NewArray())
	}
	if s.rowKeys != nil {
		cols = append(cols, s.rowKeys.NewArray())
	}
	rec := array.NewRecordBatch(s.schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

// fetchRow reads the row an index entry points to, as of the scan's start.
func (s *RowScanner) fetchRow(key []byte) ([]byte, bool, error) {
	if s.own != nil {
		if e, ok := s.own.Get(bufEntry{key: key}); ok {
			return e.value, !e.tombstone, nil
		}
	}
	return s.txn.getCommitted(key)
}

func (s *RowScanner) fail(err error) error {
	s.done = true
	return err
}

// Close releases the scan.
func (s *RowScanner) Close() error {
	s.done = true
	for _, b := range s.builders {
		b.Release()
	}
	s.builders = nil
	if s.rowKeys != nil {
		s.rowKeys.Release()
		s.rowKeys = nil
	}
	if s.it == nil {
		return nil
	}
	err := s.it.Close()
	s.it = nil
	return err
}
