package exec

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/types"
)

// selection agrees with a row-by-row reading of the boolean array, with and
// without NULLs, at lengths that end inside a byte, and on sliced arrays.
func TestSelectionMatchesRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 1000, 1024} {
		for _, nulls := range []bool{false, true} {
			b := array.NewBooleanBuilder(types.Allocator)
			for range n {
				if nulls && rng.IntN(4) == 0 {
					b.AppendNull()
				} else {
					b.Append(rng.IntN(2) == 0)
				}
			}
			arr := b.NewArray()
			for _, lo := range []int{0, min(3, n)} {
				s := array.NewSlice(arr, int64(lo), int64(n)).(*array.Boolean)
				var want []int32
				for i := 0; i < s.Len(); i++ {
					if s.IsValid(i) && s.Value(i) {
						want = append(want, int32(i))
					}
				}
				if got := selection(s); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("n=%d nulls=%v offset=%d: selection %v, want %v", n, nulls, lo, got, want)
				}
			}
		}
	}
}
