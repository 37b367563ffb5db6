package exec

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Streams and workflow results as relations.
//
// A stream's events live in its atom log (one entry per chunk of rows,
// appended at the inserting commit's seq). A workflow's result is written
// in the same commit as the atom that changed it, so a snapshot read sees
// the result of whole atoms only, in one of two layouts:
//
//   - counted: a multiset kept under its object id, one key per distinct
//     row holding the row and its multiplicity. Any workflow can keep it:
//     retractions find their row's key.
//   - append-only: the workflow's output log is its result. A workflow
//     whose output only ever inserts rows (Dataflow.AppendOnly, recorded in
//     its descriptor at creation) appends each atom's rows to its log and
//     writes nothing else: the rows inserted up to a snapshot are the log's
//     entries up to it. No count is read, no key is made per row, and
//     readers of the log (SUBSCRIBE, workflows over this one) need no
//     second copy.
//
// ReadResult and ResultScan read either layout.

// Workflow key space under storage.ObjectPrefix(workflow OID): each
// sub-space starts with one byte.
const (
	wfResult    = 'r' // + row key -> count, row
	wfState     = 's' // + uvarint node, + operator key -> operator value
	wfPosition  = 'p' // -> the last input seq processed, and the status
	wfWatermark = 'w' // + uvarint source -> the source's watermark
	wfLogSince  = 'g' // -> uvarint: the output log holds the atoms committed after it; 0: no output log
)

// LogSinceKey returns the key recording from when workflow oid writes its
// output log. Workflows from before the key existed have none, and always
// wrote their log.
func LogSinceKey(oid uint64) []byte { return append(storage.ObjectPrefix(oid), wfLogSince) }

// ResultKey returns the key of row in workflow oid's result.
func ResultKey(oid uint64, ts []types.T, row []types.Datum) ([]byte, error) {
	k := append(storage.ObjectPrefix(oid), wfResult)
	for i, d := range row {
		var err error
		if k, err = rowcodec.AppendKey(k, ts[i], d, false); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// ResultPrefix returns the key prefix of workflow oid's result.
func ResultPrefix(oid uint64) []byte { return append(storage.ObjectPrefix(oid), wfResult) }

// StatePrefix returns the key prefix of node's state in workflow oid.
func StatePrefix(oid uint64, node int) []byte {
	return binary.AppendUvarint(append(storage.ObjectPrefix(oid), wfState), uint64(node))
}

// WatermarkKey returns the key of a workflow source's watermark.
func WatermarkKey(oid uint64, source int) []byte {
	return binary.AppendUvarint(append(storage.ObjectPrefix(oid), wfWatermark), uint64(source))
}

// PositionKey returns the key of workflow oid's position record.
func PositionKey(oid uint64) []byte { return append(storage.ObjectPrefix(oid), wfPosition) }

// ResultCodec encodes the values of a workflow's result.
type ResultCodec struct{ rows *rowState }

// NewResultCodec returns the codec of results of the given types.
func NewResultCodec(ts []types.T) (*ResultCodec, error) {
	rs, err := newRowState(ts)
	if err != nil {
		return nil, err
	}
	return &ResultCodec{rows: rs}, nil
}

// Encode returns the value of a result row with its multiplicity.
func (c *ResultCodec) Encode(count int64, row []types.Datum) ([]byte, error) {
	return c.rows.encodeCounted(count, row)
}

// Decode reads a result value.
func (c *ResultCodec) Decode(v []byte) (int64, []types.Datum, error) {
	return c.rows.decodeCounted(v)
}

// LogScan reads the events of a stream's log visible to the transaction,
// atom by atom, dropping late events when the stream has a watermark.
type LogScan struct {
	name      string
	obj       uint64
	types     []types.T
	atom      bool
	reader    *AtomReader
	watermark *WatermarkSpec
	wm        *WatermarkTracker
	it        *storage.LogIter
}

// NewLogScan returns a scan of stream obj's events; with atom, a trailing
// bigint column holds each event's atom.
func NewLogScan(name string, obj uint64, ts []types.T, atom bool, wm *WatermarkSpec) (*LogScan, error) {
	// The codec is built now so that a stream of unsupported types fails
	// at planning; the reader proper needs the run's generators.
	if _, err := rowcodec.NewChangeCodec(ts); err != nil {
		return nil, err
	}
	return &LogScan{name: name, obj: obj, types: ts, atom: atom, watermark: wm}, nil
}

func (s *LogScan) Describe() string     { return "Stream Scan on " + s.name }
func (s *LogScan) Children() []Operator { return nil }

func (s *LogScan) Open(ctx *Context) error {
	reader, err := NewAtomReader(s.types, ctx.Generators)
	if err != nil {
		return err
	}
	it, err := ctx.Txn.ScanLog(s.obj, 0, ^storage.Seq(0))
	if err != nil {
		return err
	}
	s.it, s.reader = it, reader
	if s.watermark != nil {
		if s.wm, err = NewWatermarkTracker(s.watermark, len(s.types), nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *LogScan) Next(ctx *Context) (*batch.Batch, error) {
	if s.it == nil {
		return nil, nil
	}
	var parts []*batch.Batch
	rows := 0
	for s.it.Valid() && rows < ctx.BatchSize {
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		seq, c, err := s.reader.Read(s.it)
		if err != nil {
			return nil, err
		}
		b := c.Batch
		if s.wm != nil {
			keep, err := s.wm.Atom(ctx, b)
			if err != nil {
				return nil, err
			}
			if len(keep) < b.Len {
				b = b.Take(keep)
			}
		}
		if s.atom {
			atoms := make([]int64, b.Len)
			for i := range atoms {
				atoms[i] = int64(seq)
			}
			b = &batch.Batch{Cols: append(append([]arrow.Array(nil), b.Cols...), batch.Int64s(atoms, nil, 0)), Len: b.Len}
		}
		if b.Len > 0 {
			parts = append(parts, b)
			rows += b.Len
		}
	}
	if err := s.it.Error(); err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, nil
	}
	ts := s.types
	if s.atom {
		ts = append(append([]types.T(nil), ts...), types.Int8Type)
	}
	return batch.Concat(ts, parts), nil
}

func (s *LogScan) Close() error {
	if s.it != nil {
		err := s.it.Close()
		s.it = nil
		return err
	}
	return nil
}

// ResultScan reads a workflow's result at the transaction's snapshot.
type ResultScan struct {
	name  string
	obj   uint64
	types []types.T
	codec *ResultCodec
	// appendOnly reads the result from the output log (log) instead of
	// the counted rows (it).
	appendOnly bool
	it         *storage.Iter
	log        *logResult
	// own is the snapshot the scan opened itself (see
	// Context.ResultSnapshots).
	own *storage.Txn
}

// NewResultScan returns a scan of workflow obj's result; appendOnly says
// the workflow keeps it as its output log (see the layouts above).
func NewResultScan(name string, obj uint64, ts []types.T, appendOnly bool) (*ResultScan, error) {
	codec, err := NewResultCodec(ts)
	if err != nil {
		return nil, err
	}
	return &ResultScan{name: name, obj: obj, types: ts, codec: codec, appendOnly: appendOnly}, nil
}

func (s *ResultScan) Describe() string     { return "Workflow Scan on " + s.name }
func (s *ResultScan) Children() []Operator { return nil }

func (s *ResultScan) Open(ctx *Context) error {
	txn := ctx.Txn
	if seq, ok := ctx.ResultSnapshots[s.obj]; ok {
		own, err := txn.DB().BeginAt(seq)
		if err != nil {
			return err
		}
		s.own, txn = own, own
	}
	if s.appendOnly {
		log, err := openLogResult(txn, s.obj, s.types)
		if err != nil {
			s.release()
			return err
		}
		s.log = log
		return nil
	}
	p := ResultPrefix(s.obj)
	it, err := txn.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		s.release()
		return err
	}
	it.First()
	s.it = it
	return nil
}

func (s *ResultScan) Next(ctx *Context) (*batch.Batch, error) {
	if s.log != nil {
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		return s.log.next(ctx.BatchSize)
	}
	if s.it == nil {
		return nil, nil
	}
	if err := ctx.checkCancel(); err != nil {
		return nil, err
	}
	bs := batch.NewBuilders(s.types)
	for s.it.Valid() && bs.Len() < ctx.BatchSize {
		n, row, err := s.codec.Decode(s.it.Value())
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < n; i++ {
			bs.AppendRow(row)
		}
		s.it.Next()
	}
	if err := s.it.Error(); err != nil {
		return nil, err
	}
	if bs.Len() == 0 {
		return nil, nil
	}
	return bs.Build(), nil
}

func (s *ResultScan) Close() error {
	var err error
	if s.it != nil {
		err = s.it.Close()
		s.it = nil
	}
	if s.log != nil {
		err = errors.Join(err, s.log.close())
		s.log = nil
	}
	s.release()
	return err
}

// release ends the snapshot the scan opened, if any.
func (s *ResultScan) release() {
	if s.own != nil {
		s.own.Rollback()
		s.own = nil
	}
}

// ReadResult reads workflow obj's whole result at the transaction's
// snapshot, as inserts; appendOnly says the workflow keeps it as its
// output log.
func ReadResult(txn *storage.Txn, obj uint64, ts []types.T, appendOnly bool) (*batch.ChangeBatch, error) {
	if appendOnly {
		log, err := openLogResult(txn, obj, ts)
		if err != nil {
			return nil, err
		}
		b, err := log.next(math.MaxInt)
		if cerr := log.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if b == nil {
			return batch.EmptyChanges(ts), nil
		}
		return batch.Inserts(b), nil
	}
	codec, err := NewResultCodec(ts)
	if err != nil {
		return nil, err
	}
	p := ResultPrefix(obj)
	it, err := txn.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	cb := batch.NewChangeBuilder(ts)
	for ok := it.First(); ok; ok = it.Next() {
		n, row, err := codec.Decode(it.Value())
		if err != nil {
			return nil, err
		}
		for k := int64(0); k < n; k++ {
			cb.Add(row, 1)
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	return cb.Build(), nil
}

// logResult reads an append-only workflow's result from its output log:
// every entry visible to the snapshot is a chunk of inserted rows.
type logResult struct {
	obj   uint64
	it    *storage.LogIter
	rows  *batch.Builders
	dec   *rowcodec.Decoder
	diffs []int8
}

func openLogResult(txn *storage.Txn, obj uint64, ts []types.T) (*logResult, error) {
	codec, err := rowcodec.NewChangeCodec(ts)
	if err != nil {
		return nil, err
	}
	rows := batch.NewBuilders(ts)
	builders := make([]array.Builder, len(ts))
	for i := range builders {
		builders[i] = rows.Column(i)
	}
	dec, err := codec.Decoder(builders)
	if err != nil {
		return nil, err
	}
	it, err := txn.ScanLog(obj, 0, ^storage.Seq(0))
	if err != nil {
		return nil, err
	}
	return &logResult{obj: obj, it: it, rows: rows, dec: dec}, nil
}

// next returns the rows of the next log entries, at least limit of them
// unless the log ends first; nil once it has ended.
func (r *logResult) next(limit int) (*batch.Batch, error) {
	for r.it.Valid() && r.rows.Len() < limit {
		var err error
		if r.diffs, err = rowcodec.DecodeChunk(r.dec, r.it.Entry().Value, r.diffs[:0]); err != nil {
			return nil, err
		}
		for _, d := range r.diffs {
			if d != 1 {
				return nil, pgerror.Newf(pgerror.DataCorrupted, "the output log of append-only workflow %d retracts a row", r.obj)
			}
		}
		r.rows.AddRows(len(r.diffs))
		r.it.Next()
	}
	if err := r.it.Error(); err != nil {
		return nil, err
	}
	if r.rows.Len() == 0 {
		return nil, nil
	}
	return r.rows.Build(), nil
}

func (r *logResult) close() error { return r.it.Close() }

// AppendChanges appends changes to log obj in the transaction: one atom
// entry per chunk of rows.
func AppendChanges(txn *storage.Txn, obj uint64, codec *rowcodec.ChangeCodec, ts []types.T, c *batch.ChangeBatch) error {
	if c.Len == 0 {
		return nil
	}
	chunks, err := codec.EncodeBatch(nil, c.Cols, c.Len, c.Diff)
	if err != nil {
		return err
	}
	for _, ch := range chunks {
		if err := txn.AppendLog(obj, ch); err != nil {
			return err
		}
	}
	return nil
}

// StreamInsert appends its input rows to a stream: the statement's events
// become one atom of the stream when its transaction commits.
type StreamInsert struct {
	dmlBase
	name    string
	obj     uint64
	types   []types.T
	checker *checker
	codec   *rowcodec.ChangeCodec
}

// NewStreamInsert returns an insert into stream obj.
func NewStreamInsert(input Operator, name string, row RowSpec, obj uint64, checks []CheckSpec, ret []expr.Expr, layout expr.Layout) (*StreamInsert, error) {
	s := &StreamInsert{name: name, obj: obj, types: row.Types}
	s.input = input
	var err error
	if s.codec, err = rowcodec.NewChangeCodec(row.Types); err != nil {
		return nil, err
	}
	if s.checker, err = newChecker(row, checks, layout); err != nil {
		return nil, err
	}
	s.checker.relation = name
	if s.ret, err = newReturning(ret, layout); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *StreamInsert) Describe() string { return "Append to stream " + s.name }

func (s *StreamInsert) Open(ctx *Context) error { return s.open(ctx) }

func (s *StreamInsert) Next(ctx *Context) (*batch.Batch, error) {
	return s.next(ctx, func(b *batch.Batch) error {
		if err := s.checker.check(ctx, b); err != nil {
			return err
		}
		if err := AppendChanges(ctx.Txn, s.obj, s.codec, s.types, batch.Inserts(b)); err != nil {
			return err
		}
		s.count += int64(b.Len)
		return s.ret.add(ctx, b)
	})
}

var _ = pgerror.Internalf
