package portals

import (
	"fmt"
	"slices"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// emit of an append-only workflow writes its output to its log only, each
// row as often as its diff says, and stops on a retraction; its INTO stream
// gets the same rows.
func TestEmitInsertsAppendOnly(t *testing.T) {
	opts := storage.DefaultOptions()
	opts.Sync = false
	opts.GCInterval = 0
	db, err := storage.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ts := []types.T{types.Int4Type, types.TextType}
	codec, err := rowcodec.NewChangeCodec(ts)
	if err != nil {
		t.Fatal(err)
	}
	w := &Workflow{spec: WorkflowSpec{OID: 900, Name: "wf", AppendOnly: true, Into: 901}, outTypes: ts, outCodec: codec}
	changes := func(diffs []int8, rows ...[]types.Datum) *batch.ChangeBatch {
		c := batch.Inserts(batch.FromRows(ts, rows))
		copy(c.Diff, diffs)
		return c
	}
	txn := db.Begin()
	if err := w.emit(txn, changes([]int8{1, 2, 0, 1}, []types.Datum{int64(1), "a"}, []types.Datum{int64(2), "b"},
		[]types.Datum{int64(3), "never"}, []types.Datum{int64(1), "a"})); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	want := []string{"1 a", "1 a", "2 b", "2 b"}
	read := db.Begin()
	defer read.Rollback()
	for _, obj := range []uint32{900, 901} {
		c, err := exec.ReadResult(read, uint64(obj), ts, true)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range c.Rows(ts) {
			got = append(got, fmt.Sprintf("%v %v", r[0], r[1]))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("log %d holds %q, want %q", obj, got, want)
		}
	}
	p := exec.ResultPrefix(900)
	it, err := read.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if it.First() {
		t.Errorf("an append-only workflow wrote a result key %x", it.Key())
	}

	bad := db.Begin()
	defer bad.Rollback()
	if err := w.emit(bad, changes([]int8{1, -1}, []types.Datum{int64(4), "d"}, []types.Datum{int64(1), "a"})); err == nil {
		t.Error("emit took a retraction into an append-only result")
	}
}
