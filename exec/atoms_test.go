package exec

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// squares is a generator of (i, i*i as text) that counts its calls.
type squares struct{ calls atomic.Int64 }

func (*squares) Types() []types.T { return []types.T{types.Int8Type, types.TextType} }

func (s *squares) Append(b *batch.Builders, from int64, n int) {
	s.calls.Add(1)
	for i := from; i < from+int64(n); i++ {
		b.Column(0).(*array.Int64Builder).Append(i)
		b.Column(1).(*array.StringBuilder).Append(fmt.Sprint(i * i))
	}
	b.AddRows(n)
}

// generatorsOf finds generators in a map.
type generatorsOf map[uint64]EventGenerator

func (g generatorsOf) Generator(stream uint64) (EventGenerator, error) {
	if gen, ok := g[stream]; ok {
		return gen, nil
	}
	return nil, pgerror.Newf(pgerror.UndefinedObject, "no generator %d", stream)
}

func openTestDB(t *testing.T) *storage.DB {
	t.Helper()
	opts := storage.DefaultOptions()
	opts.Sync = false
	opts.GCInterval = 0
	db, err := storage.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// atomText renders an atom's rows with their diffs, one row a line.
func atomText(ts []types.T, c *batch.ChangeBatch) string {
	var sb strings.Builder
	for i, row := range c.Batch.Rows(ts) {
		fmt.Fprintf(&sb, "%+d", c.Diff[i])
		for k, d := range row {
			if d == nil {
				sb.WriteString(" NULL")
			} else {
				sb.WriteString(" " + types.FormatText(ts[k], d, nil))
			}
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestAtomReaderMaterializesGeneratedChunks reads a log whose atoms are
// change chunks, generated chunks (of the log's own stream and of another,
// as a sequencer copies them) and both: each atom reads as its rows, the
// generated ones produced by the generator, and a reader without the
// generator, or with one of other types, fails rather than guess.
func TestAtomReaderMaterializesGeneratedChunks(t *testing.T) {
	db := openTestDB(t)
	gen := &squares{}
	ts := gen.Types()
	codec, err := rowcodec.NewChangeCodec(ts)
	if err != nil {
		t.Fatal(err)
	}
	const log, source = 100, 200
	generated := func(stream uint64, from int64, n int) []byte {
		return rowcodec.AppendGeneratedChunk(nil, rowcodec.GeneratedChunk{Stream: stream, From: from, Count: n})
	}
	changes := func(rows [][]types.Datum, diffs []int8) []byte {
		chunks, err := codec.Encode(nil, rows, diffs)
		if err != nil {
			t.Fatal(err)
		}
		return chunks[0]
	}
	atoms := [][][]byte{
		{changes([][]types.Datum{{int64(-1), "x"}, {nil, nil}}, []int8{1, -1})},
		{generated(log, 0, 3)},
		{generated(source, 1000, 2), changes([][]types.Datum{{int64(7), "y"}}, []int8{1})},
		{generated(log, 3, 1500)},
	}
	var seqs []storage.Seq
	for _, entries := range atoms {
		txn := db.Begin()
		for _, e := range entries {
			if err := txn.AppendLog(log, e); err != nil {
				t.Fatal(err)
			}
		}
		seq, err := txn.Commit()
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	var big strings.Builder
	for i := int64(3); i < 1503; i++ {
		fmt.Fprintf(&big, "+1 %d %d\n", i, i*i)
	}
	want := []string{
		"+1 -1 x\n-1 NULL NULL\n",
		"+1 0 0\n+1 1 1\n+1 2 4\n",
		"+1 1000 1000000\n+1 1001 1002001\n+1 7 y\n",
		big.String(),
	}

	reader, err := NewAtomReader(ts, generatorsOf{log: gen, source: gen})
	if err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	defer txn.Rollback()
	it, err := txn.ScanLog(log, 0, ^storage.Seq(0))
	if err != nil {
		t.Fatal(err)
	}
	var got []*batch.ChangeBatch
	for k := 0; it.Valid(); k++ {
		seq, c, err := reader.Read(it)
		if err != nil {
			t.Fatal(err)
		}
		if k >= len(seqs) || seq != seqs[k] {
			t.Fatalf("atom %d read at seq %d, committed at %v", k, seq, seqs)
		}
		got = append(got, c)
	}
	it.Close()
	if len(got) != len(want) {
		t.Fatalf("%d atoms read, want %d", len(got), len(want))
	}
	// The batches stay intact once the reader has moved on: checked after
	// reading them all.
	for k, c := range got {
		if s := atomText(ts, c); s != want[k] {
			t.Errorf("atom %d:\n%s\nwant\n%s", k, s, want[k])
		}
	}
	if n := gen.calls.Load(); n != 3 {
		t.Errorf("the generator was called %d times for three generated chunks", n)
	}

	for _, c := range []struct {
		name string
		gens Generators
		want string
	}{
		{"no generators", nil, "without its generator"},
		{"a missing generator", generatorsOf{}, "no generator 100"},
		{"another generator's types", generatorsOf{log: oneColumn{}}, "do not have the types"},
	} {
		r, err := NewAtomReader(ts, c.gens)
		if err != nil {
			t.Fatal(err)
		}
		it, err := txn.ScanLog(log, seqs[1], seqs[1])
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = r.Read(it)
		it.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// oneColumn is a one-column generator, of other types than squares.
type oneColumn struct{}

func (oneColumn) Types() []types.T { return []types.T{types.Int8Type} }

func (oneColumn) Append(b *batch.Builders, from int64, n int) {
	for i := range n {
		b.Column(0).(*array.Int64Builder).Append(from + int64(i))
	}
	b.AddRows(n)
}
