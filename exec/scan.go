package exec

import (
	"fmt"
	"io"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/storage"
	"portalsdb/types"
)

// ScanBound is one end of an index range: expressions for a prefix of the
// index columns, evaluated when the scan opens.
type ScanBound struct {
	Values    []expr.Expr
	Inclusive bool
}

// TableScan reads a table through storage, in primary key order or along
// an index range.
type TableScan struct {
	spec       *storage.TableSpec
	opts       storage.ScanOptions
	lower      *ScanBound
	upper      *ScanBound
	lowerEv    []expr.Evaluator
	upperEv    []expr.Evaluator
	boundTypes []types.T
	scanner    *storage.RowScanner
	empty      bool
	alias      string
	// point is the one row of a primary-key point lookup, returned by the
	// first Next; pointDone says it was.
	point     *batch.Batch
	pointDone bool
	// pointRow builds point batches; it is kept from run to run.
	pointRow *batch.Builders
	pointBuf []types.Datum
}

// NewTableScan returns a scan of the given columns (ordinals) of a table;
// index, lower and upper select a range of an index (nil: the whole table).
func NewTableScan(spec *storage.TableSpec, cols []int, rowKey bool, index *storage.IndexSpec, lower, upper *ScanBound, boundTypes []types.T, alias string) (*TableScan, error) {
	s := &TableScan{spec: spec, lower: lower, upper: upper, boundTypes: boundTypes, alias: alias}
	s.opts = storage.ScanOptions{Columns: cols, RowKey: rowKey, Index: index}
	var err error
	if lower != nil {
		if s.lowerEv, err = compileAll(lower.Values, nil); err != nil {
			return nil, err
		}
	}
	if upper != nil {
		if s.upperEv, err = compileAll(upper.Values, nil); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *TableScan) Describe() string {
	name := s.spec.Name
	if s.alias != "" && s.alias != name {
		name += " " + s.alias
	}
	if s.opts.Index != nil {
		return fmt.Sprintf("Index Scan using %s on %s", s.opts.Index.Name, name)
	}
	if s.lower != nil || s.upper != nil {
		return "Primary Key Range Scan on " + name
	}
	return "Seq Scan on " + name
}
func (s *TableScan) Children() []Operator { return nil }

// bound evaluates a range bound. A NULL bound value matches nothing.
func (s *TableScan) bound(ctx *Context, evs []expr.Evaluator, sb *ScanBound) (*storage.Bound, bool, error) {
	if sb == nil {
		return nil, true, nil
	}
	vals := make([]types.Datum, len(evs))
	one := &batch.Batch{Len: 1}
	for i, ev := range evs {
		arr, err := ev.Eval(ctx.Eval, one)
		if err != nil {
			return nil, false, err
		}
		vals[i] = types.DatumAt(s.boundTypes[i], arr, 0)
		if vals[i] == nil {
			return nil, false, nil
		}
	}
	return &storage.Bound{Values: vals, Inclusive: sb.Inclusive}, true, nil
}

func (s *TableScan) Open(ctx *Context) error {
	opts := s.opts
	lo, ok1, err := s.bound(ctx, s.lowerEv, s.lower)
	if err != nil {
		return err
	}
	hi, ok2, err := s.bound(ctx, s.upperEv, s.upper)
	if err != nil {
		return err
	}
	s.empty = !ok1 || !ok2
	if s.empty {
		return nil
	}
	opts.Lower, opts.Upper = lo, hi
	if s.isPointLookup(lo, hi) {
		return s.lookup(ctx, lo.Values)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = ctx.BatchSize
	}
	sc, err := ctx.Txn.ScanRows(s.spec, opts)
	if err != nil {
		return err
	}
	s.scanner = sc
	return nil
}

// isPointLookup reports whether a scan of the primary key is bounded on
// every key column by the same values at both ends, inclusively: it reads
// at most one row, which a key lookup finds without starting a range scan.
func (s *TableScan) isPointLookup(lo, hi *storage.Bound) bool {
	pk := s.spec.PrimaryKey
	if s.opts.Index != nil || s.opts.Reverse || len(pk) == 0 || lo == nil || hi == nil || !lo.Inclusive || !hi.Inclusive ||
		len(lo.Values) != len(pk) || len(hi.Values) != len(pk) {
		return false
	}
	for i, ord := range pk {
		t := s.spec.Columns[ord].Type
		if !s.boundTypes[i].Equal(t) || types.Compare(t, lo.Values[i], hi.Values[i]) != 0 {
			return false
		}
	}
	return true
}

// lookup reads the row with primary key pk, as a batch of the scan's
// columns (and row key), for Next to return.
func (s *TableScan) lookup(ctx *Context, pk []types.Datum) error {
	s.point, s.pointDone = nil, false
	key, row, ok, err := ctx.Txn.GetRow(s.spec, pk)
	if err != nil || !ok {
		s.empty = err == nil
		return err
	}
	if s.pointRow == nil {
		ts := make([]types.T, 0, len(s.opts.Columns)+1)
		for _, ord := range s.opts.Columns {
			ts = append(ts, s.spec.Columns[ord].Type)
		}
		if s.opts.RowKey {
			ts = append(ts, types.ByteaType)
		}
		s.pointRow = batch.NewBuilders(ts)
	}
	vals := s.pointBuf[:0]
	for _, ord := range s.opts.Columns {
		vals = append(vals, row[ord])
	}
	if s.opts.RowKey {
		vals = append(vals, []byte(key))
	}
	s.pointBuf = vals
	s.pointRow.AppendRow(vals)
	s.point = s.pointRow.Build()
	return nil
}

func (s *TableScan) Next(ctx *Context) (*batch.Batch, error) {
	if s.point != nil {
		if s.pointDone {
			return nil, nil
		}
		s.pointDone = true
		return s.point, nil
	}
	if s.empty || s.scanner == nil {
		return nil, nil
	}
	if err := ctx.checkCancel(); err != nil {
		return nil, err
	}
	rec, err := s.scanner.Next()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b := &batch.Batch{Cols: rec.Columns(), Len: int(rec.NumRows())}
	return b, nil
}

func (s *TableScan) Close() error {
	s.point = nil
	if s.scanner != nil {
		err := s.scanner.Close()
		s.scanner = nil
		return err
	}
	return nil
}
