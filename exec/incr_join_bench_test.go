package exec

import (
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// discardState is a StateWriter that keeps nothing.
type discardState struct{}

func (discardState) Put(k, v []byte) error { return nil }
func (discardState) Delete(k []byte) error { return nil }

// BenchmarkIncrJoinStream is the operator of bench stream's stream_join
// alone: two streams of bigint rows joined on equality, atoms of 10,000
// events alternating between the sides, each event matching one of the
// other side's, every atom saved. b.N counts events.
func BenchmarkIncrJoinStream(b *testing.B) { benchIncrJoin(b, 1) }

// BenchmarkIncrJoinManyPerKey is the same with 64 rows per join key on
// each side (as bids per auction), each side's rows distinct: long chains.
func BenchmarkIncrJoinManyPerKey(b *testing.B) { benchIncrJoin(b, 64) }

func benchIncrJoin(b *testing.B, perKey int64) {
	i8 := types.Int8Type
	ts := []types.T{i8, i8}
	const atom = 10_000
	atoms := func(from int64) *batch.ChangeBatch {
		keys, vals := make([]int64, atom), make([]int64, atom)
		for i := range vals {
			vals[i] = from + int64(i)
			keys[i] = vals[i] / perKey
		}
		return batch.Inserts(&batch.Batch{Cols: []arrowArray{batch.Int64s(keys, nil, 0), batch.Int64s(vals, nil, 0)}, Len: atom})
	}
	empty := batch.EmptyChanges(ts)
	i8s := []types.T{i8, i8}
	j, err := NewIncrJoin(JoinSpec{Kind: InnerJoin, LeftTypes: i8s, RightTypes: i8s,
		LeftKeys: []expr.Expr{&expr.ColRef{ID: 1, T: i8}}, RightKeys: []expr.Expr{&expr.ColRef{ID: 3, T: i8}},
		LeftLayout: Layout([]expr.ColumnID{1, 2}), RightLayout: Layout([]expr.ColumnID{3, 4}), Layout: Layout([]expr.ColumnID{1, 2, 3, 4})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := incrContext()
	b.ReportAllocs()
	b.ResetTimer()
	var next int64
	for done := 0; done < b.N; done += atom {
		// Left gets n..n+atom, then right the same keys.
		in := []*batch.ChangeBatch{atoms(next), empty}
		if (done/atom)%2 == 1 {
			in = []*batch.ChangeBatch{empty, atoms(next - atom)}
		} else {
			next += atom
		}
		if _, err := j.Apply(ctx, in); err != nil {
			b.Fatal(err)
		}
		if err := j.Save(discardState{}); err != nil {
			b.Fatal(err)
		}
	}
}
