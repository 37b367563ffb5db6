package exec

import (
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Reading atoms.
//
// Every reader of a stream's log (a scan, a workflow's inputs, a splitter)
// turns its atoms into change batches through an AtomReader, so that only
// this file knows the two kinds of log entries: change chunks, which hold
// encoded rows, and generated chunks, which hold a generator stream's
// event range and are materialized by calling the generator.

// EventGenerator produces a generator stream's events. Event i must be a
// pure function of the generator's arguments and i: a generator stream
// stores only the event ranges of its atoms, and every reader produces the
// events again. Append must be safe for concurrent use.
type EventGenerator interface {
	// Types returns the types of the events' columns.
	Types() []types.T
	// Append appends events from, from+1, ..., from+n-1, and counts them
	// with b.AddRows.
	Append(b *batch.Builders, from int64, n int)
}

// Generators finds the generator of a generator stream, by the stream's
// object id, also when the generator is not running (it reached its count,
// or has not restarted yet after a restart).
type Generators interface {
	Generator(stream uint64) (EventGenerator, error)
}

// AtomReader decodes the atoms of logs whose events have the reader's
// column types. It keeps its builders between atoms and sizes them for
// each atom up front; it is not safe for concurrent use.
type AtomReader struct {
	types      []types.T
	generators Generators
	// gens caches the generators met, by stream, with their types checked.
	gens     map[uint64]EventGenerator
	builders *batch.Builders
	dec      *rowcodec.Decoder
	// lastRows and dataPerRow describe the previous atom (its rows, and
	// each variable-width column's bytes per row), the estimate for the
	// next one of a log whose atoms are alike.
	lastRows   int
	dataPerRow []int
	diffs      []int8
}

// dataReserver is a builder of variable-width values (text, numeric,
// bytea, ...), whose data buffer is sized apart from its row count.
type dataReserver interface {
	ReserveData(n int)
	DataLen() int
}

// NewAtomReader returns a reader of atoms of the given column types.
// generators materializes generated chunks; with nil, reading one fails.
func NewAtomReader(ts []types.T, generators Generators) (*AtomReader, error) {
	codec, err := rowcodec.NewChangeCodec(ts)
	if err != nil {
		return nil, err
	}
	r := &AtomReader{types: ts, generators: generators, builders: batch.NewBuilders(ts), dataPerRow: make([]int, len(ts))}
	cols := make([]array.Builder, len(ts))
	for i := range ts {
		cols[i] = r.builders.Column(i)
	}
	if r.dec, err = codec.Decoder(cols); err != nil {
		return nil, err
	}
	return r, nil
}

// Read decodes the entries of the atom the iterator is at (all entries
// with its seq) and moves past them.
func (r *AtomReader) Read(it *storage.LogIter) (storage.Seq, *batch.ChangeBatch, error) {
	seq := it.Entry().Seq
	r.diffs = make([]int8, 0, r.lastRows)
	first := true
	for it.Valid() && it.Entry().Seq == seq {
		if err := r.readEntry(it.Entry().Value, first); err != nil {
			r.discard()
			return 0, nil, err
		}
		first = false
		it.Next()
	}
	if err := it.Error(); err != nil {
		r.discard()
		return 0, nil, err
	}
	n := len(r.diffs)
	for i := range r.types {
		if d, ok := r.builders.Column(i).(dataReserver); ok && n > 0 {
			r.dataPerRow[i] = (d.DataLen() + n - 1) / n
		}
	}
	r.lastRows = n
	b := r.builders.Build()
	if b.Len != n {
		return 0, nil, pgerror.Internalf("atom %d: %d rows built, %d decoded", seq, b.Len, n)
	}
	return seq, &batch.ChangeBatch{Batch: b, Diff: r.diffs}, nil
}

// readEntry appends the rows of one log entry.
func (r *AtomReader) readEntry(value []byte, first bool) error {
	g, generated, err := rowcodec.ParseGeneratedChunk(value)
	if err != nil {
		return err
	}
	if generated {
		gen, err := r.generator(g.Stream)
		if err != nil {
			return err
		}
		r.reserve(g.Count, first)
		gen.Append(r.builders, g.From, g.Count)
		for range g.Count {
			r.diffs = append(r.diffs, 1)
		}
		return nil
	}
	rows, err := rowcodec.ChunkLen(value)
	if err != nil {
		return err
	}
	r.reserve(rows, first)
	before := len(r.diffs)
	if r.diffs, err = rowcodec.DecodeChunk(r.dec, value, r.diffs); err != nil {
		return err
	}
	r.builders.AddRows(len(r.diffs) - before)
	return nil
}

// reserve sizes the builders for rows more rows. The first entry of an
// atom reserves for at least as many rows as the previous atom had, since
// the row count of an atom of several entries is known only at its end;
// variable-width columns get the previous atom's bytes per row.
func (r *AtomReader) reserve(rows int, first bool) {
	if first {
		rows = max(rows, r.lastRows)
	}
	for i := range r.types {
		col := r.builders.Column(i)
		col.Reserve(rows)
		if d, ok := col.(dataReserver); ok && r.dataPerRow[i] > 0 {
			d.ReserveData(rows * r.dataPerRow[i])
		}
	}
}

// discard drops what a failed read left in the builders.
func (r *AtomReader) discard() {
	r.builders.Build()
	r.diffs = nil
}

// generator returns the generator of stream, checking once that its
// events have the reader's types.
func (r *AtomReader) generator(stream uint64) (EventGenerator, error) {
	if g, ok := r.gens[stream]; ok {
		return g, nil
	}
	if r.generators == nil {
		return nil, pgerror.Internalf("an atom of generator stream %d read without its generator", stream)
	}
	g, err := r.generators.Generator(stream)
	if err != nil {
		return nil, err
	}
	ts := g.Types()
	same := len(ts) == len(r.types)
	for i := 0; same && i < len(ts); i++ {
		same = ts[i].Same(r.types[i])
	}
	if !same {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "the events of generator stream %d do not have the types of the log read", stream)
	}
	if r.gens == nil {
		r.gens = map[uint64]EventGenerator{}
	}
	r.gens[stream] = g
	return g, nil
}
