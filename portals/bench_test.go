package portals_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/portals"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// The workflow benchmarks measure the runtime end to end over real
// storage (commits not synced, as the --sync=off benchmarks): a workflow
// is created over an empty stream and stopped, the stream is loaded with
// atoms, and the timer runs while the restarted workflow works through the
// backlog atom by atom: reading each atom's log, running the dataflow,
// writing the result, the state and the output log, committing. The
// dataflows are the ones the planner makes for the SQL in each comment.
//
//	go test ./portals -run '^$' -bench Workflow -benchtime 1x

const (
	benchEvents   = 1_000_000
	benchAtomRows = 10_000
	streamOID     = 500
	tableOID      = 501
	workflowOID   = 600
)

var i4 = types.Int4Type

// benchAtoms returns the stream's events, (k, v) with k in [0, keys) and v
// in [0, 1000), as atoms.
func benchAtoms(keys int) [][2][]int32 {
	r := rand.New(rand.NewPCG(1, 2))
	var atoms [][2][]int32
	for a := 0; a < benchEvents/benchAtomRows; a++ {
		k, v := make([]int32, benchAtomRows), make([]int32, benchAtomRows)
		for i := range k {
			k[i], v[i] = int32(r.IntN(keys)), int32(r.IntN(1000))
		}
		atoms = append(atoms, [2][]int32{k, v})
	}
	return atoms
}

func int32Column(vs []int32) *batch.Batch {
	b := batch.NewBuilders([]types.T{i4})
	for _, v := range vs {
		b.AppendRow([]types.Datum{int64(v)})
	}
	return b.Build()
}

func openBenchDB(b *testing.B) *storage.DB {
	b.Helper()
	opts := storage.DefaultOptions()
	opts.Sync = false
	opts.GCInterval = 0
	db, err := storage.Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// appendAtoms commits each atom to the stream's log in a transaction of
// its own, and returns the last seq.
func appendAtoms(b *testing.B, db *storage.DB, atoms [][2][]int32) storage.Seq {
	b.Helper()
	ts := []types.T{i4, i4}
	codec, err := rowcodec.NewChangeCodec(ts)
	if err != nil {
		b.Fatal(err)
	}
	var last storage.Seq
	for _, a := range atoms {
		kb, vb := int32Column(a[0]), int32Column(a[1])
		c := batch.Inserts(&batch.Batch{Cols: append(kb.Cols, vb.Cols...), Len: len(a[0])})
		txn := db.Begin()
		if err := exec.AppendChanges(txn, streamOID, codec, ts, c); err != nil {
			b.Fatal(err)
		}
		if last, err = txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return last
}

// runBacklog starts the workflow over empty inputs, stops it, loads the
// atoms, and times the restarted workflow's work through them.
func runBacklog(b *testing.B, build func() (*exec.Dataflow, error), setup func(db *storage.DB), atoms [][2][]int32) {
	for range b.N {
		b.StopTimer()
		db := openBenchDB(b)
		if setup != nil {
			setup(db)
		}
		rt := portals.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		spec := portals.WorkflowSpec{OID: workflowOID, Name: "bench", Build: build}
		if _, err := rt.Start(spec); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if _, err := rt.WaitCaughtUp(ctx, []uint32{workflowOID}, db.VisibleSeq()); err != nil {
			b.Fatal(err)
		}
		rt.Stop(workflowOID)
		last := appendAtoms(b, db, atoms)
		b.StartTimer()
		start := time.Now()
		w, err := rt.Start(spec)
		if err != nil {
			b.Fatal(err)
		}
		stale, err := rt.WaitCaughtUp(ctx, []uint32{workflowOID}, last)
		if err != nil || len(stale) > 0 {
			b.Fatalf("workflow: %v %v", err, w.Status().Err)
		}
		b.ReportMetric(float64(benchEvents)/time.Since(start).Seconds(), "events/s")
		b.StopTimer()
		rt.Close()
	}
}

func col(id expr.ColumnID) *expr.ColRef { return &expr.ColRef{ID: id, T: i4} }

// aggDataflow is SELECT k, count(*), sum(v) FROM s GROUP BY k over
// s (k int, v int).
func aggDataflow() (*exec.Dataflow, error) {
	count, _, countRet, err := expr.Builtins.ResolveAgg("count", nil, true)
	if err != nil {
		return nil, err
	}
	sum, sumArgs, sumRet, err := expr.Builtins.ResolveAgg("sum", []types.T{i4}, false)
	if err != nil {
		return nil, err
	}
	agg, err := exec.NewIncrAggregate([]expr.Expr{col(1)}, []exec.AggSpec{
		{Fn: count, Ret: countRet},
		{Fn: sum, Args: []expr.Expr{col(2)}, ArgTypes: sumArgs, Ret: sumRet},
	}, exec.Layout([]expr.ColumnID{1, 2}))
	if err != nil {
		return nil, err
	}
	return &exec.Dataflow{
		Sources: []exec.DataflowSource{{Name: "s", Kind: exec.SourceStream, Object: streamOID, Types: []types.T{i4, i4}}},
		Nodes:   []*exec.DataflowNode{{Op: agg, Inputs: []int{-1}, Types: []types.T{i4, countRet, sumRet}}},
	}, nil
}

// BenchmarkWorkflowAggregate: SELECT k, count(*), sum(v) FROM s GROUP BY k
// over 1M events in atoms of 10k rows, 1000 keys.
func BenchmarkWorkflowAggregate(b *testing.B) {
	runBacklog(b, aggDataflow, nil, benchAtoms(1000))
}

// BenchmarkHandLoopAggregate computes the same aggregates from the same
// rows with a Go map: the floor the workflow is compared with.
func BenchmarkHandLoopAggregate(b *testing.B) {
	atoms := benchAtoms(1000)
	type acc struct{ n, sum int64 }
	for range b.N {
		start := time.Now()
		groups := map[int32]*acc{}
		for _, a := range atoms {
			for i, k := range a[0] {
				g := groups[k]
				if g == nil {
					g = &acc{}
					groups[k] = g
				}
				g.n++
				g.sum += int64(a[1][i])
			}
		}
		if len(groups) != 1000 {
			b.Fatal(len(groups))
		}
		b.ReportMetric(float64(benchEvents)/time.Since(start).Seconds(), "events/s")
	}
}

// benchTable is t (id int PRIMARY KEY, name text) with 10k rows.
var benchTable = &storage.TableSpec{ID: tableOID, Name: "t", PrimaryKey: []int{0},
	Columns: []storage.ColumnSpec{{ID: 1, Name: "id", Type: i4}, {ID: 2, Name: "name", Type: types.TextType}}}

func loadTable(b *testing.B) func(db *storage.DB) {
	return func(db *storage.DB) {
		txn := db.Begin()
		for id := range int64(10_000) {
			if _, err := txn.InsertRow(benchTable, []types.Datum{id, "name"}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// joinDataflow is SELECT s.k, s.v, t.name FROM s JOIN t ON s.k = t.id.
func joinDataflow() (*exec.Dataflow, error) {
	st := []types.T{i4, i4}
	tt := []types.T{i4, types.TextType}
	join, err := exec.NewIncrJoin(exec.JoinSpec{Kind: exec.InnerJoin, LeftTypes: st, RightTypes: tt,
		LeftKeys: []expr.Expr{col(1)}, RightKeys: []expr.Expr{col(3)},
		LeftLayout: exec.Layout([]expr.ColumnID{1, 2}), RightLayout: exec.Layout([]expr.ColumnID{3, 4}),
		Layout: exec.Layout([]expr.ColumnID{1, 2, 3, 4})})
	if err != nil {
		return nil, err
	}
	out := []types.T{i4, i4, types.TextType}
	proj, err := exec.NewIncrProject([]expr.Expr{col(1), col(2), &expr.ColRef{ID: 4, T: types.TextType}}, exec.Layout([]expr.ColumnID{1, 2, 3, 4}))
	if err != nil {
		return nil, err
	}
	return &exec.Dataflow{
		Sources: []exec.DataflowSource{
			{Name: "s", Kind: exec.SourceStream, Object: streamOID, Types: st},
			{Name: "t", Kind: exec.SourceTable, Object: tableOID, Types: tt, Table: benchTable},
		},
		Nodes: []*exec.DataflowNode{
			{Op: join, Inputs: []int{-1, -2}, Types: append(append([]types.T(nil), st...), tt...)},
			{Op: proj, Inputs: []int{0}, Types: out},
		},
	}, nil
}

// BenchmarkWorkflowStreamTableJoin: SELECT s.k, s.v, t.name FROM s JOIN t
// ON s.k = t.id, 1M events in atoms of 10k rows against a 10k-row table.
func BenchmarkWorkflowStreamTableJoin(b *testing.B) {
	runBacklog(b, joinDataflow, loadTable(b), benchAtoms(10_000))
}
