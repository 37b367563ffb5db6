package exec

import (
	"testing"

	"portalsdb/batch"
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
func BenchmarkIncrJoinStream(b *testing.B) {
	i8 := types.Int8Type
	ts := []types.T{i8}
	const atom = 10_000
	atoms := func(from int64) *batch.ChangeBatch {
		vals := make([]int64, atom)
		for i := range vals {
			vals[i] = from + int64(i)
		}
		return batch.Inserts(&batch.Batch{Cols: []arrowArray{batch.Int64s(vals, nil, 0)}, Len: atom})
	}
	empty := batch.EmptyChanges(ts)
	j := intJoin(b, InnerJoin)
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
