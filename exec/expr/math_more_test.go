package expr

import (
	"testing"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// TestSetseedRepeatsRandom checks that setseed makes random() repeat its
// sequence, and refuses seeds outside [-1, 1].
func TestSetseedRepeatsRandom(t *testing.T) {
	ctx := &Ctx{Random: NewRandom(42)}
	setseed, err := Builtins.Resolve("setseed", []types.T{types.Float8Type})
	if err != nil {
		t.Fatal(err)
	}
	random, err := Builtins.Resolve("random", nil)
	if err != nil {
		t.Fatal(err)
	}
	draw := func(seed float64) []float64 {
		if _, err := CallRow(ctx, setseed.Fn, []types.T{types.Float8Type}, []types.Datum{seed}); err != nil {
			t.Fatal(err)
		}
		out := make([]float64, 5)
		for i := range out {
			v, err := CallRow(ctx, random.Fn, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = v.(float64)
			if out[i] < 0 || out[i] >= 1 {
				t.Fatalf("random() = %v", out[i])
			}
		}
		return out
	}
	a, b, c := draw(0.5), draw(0.5), draw(-0.25)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different sequences: %v %v", a, b)
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Fatalf("different seeds, same sequence: %v", a)
	}
	if _, err := CallRow(ctx, setseed.Fn, []types.T{types.Float8Type}, []types.Datum{2.0}); pgerror.CodeOf(err) != pgerror.InvalidParameterValue {
		t.Fatalf("setseed(2): %v", err)
	}
}
