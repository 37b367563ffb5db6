package exec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The group table finds what a map finds through random inserts and
// removals, across resizes, reused numbers and arena compactions, and
// refs of removed groups stop resolving.
func TestAggGroupTableMatchesMap(t *testing.T) {
	tab := newAggGroupTable()
	want := map[string]int32{}
	refs := map[string]uint64{}
	var dead []uint64
	rng := rand.New(rand.NewPCG(1, 2))
	compactions := 0
	for i := range 200_000 {
		k := fmt.Sprintf("key-%d", rng.IntN(20_000))
		h := tab.hash([]byte(k))
		g := tab.find([]byte(k), h)
		if w, ok := want[k]; ok != (g >= 0) || ok && w != g {
			t.Fatalf("step %d: find %q = %d, want %d (present %v)", i, k, g, w, ok)
		}
		if g >= 0 && rng.IntN(2) == 0 {
			arena := len(tab.arena)
			tab.remove(g)
			if len(tab.arena) < arena {
				compactions++
			}
			delete(want, k)
			dead = append(dead, refs[k])
			delete(refs, k)
			continue
		}
		if g < 0 {
			g = tab.insert([]byte(k), []byte("v"+k), h)
			want[k] = g
			refs[k] = tab.ref(g)
		}
		if string(tab.key(g)) != k || string(tab.value(g)) != "v"+k {
			t.Fatalf("step %d: group %d holds %q, %q", i, g, tab.key(g), tab.value(g))
		}
	}
	if tab.Len() != len(want) {
		t.Errorf("%d groups, want %d", tab.Len(), len(want))
	}
	for k, ref := range refs {
		if g, ok := tab.deref(ref); !ok || g != want[k] {
			t.Errorf("ref of %q resolves to %d, %v", k, g, ok)
		}
	}
	for _, ref := range dead {
		if _, ok := tab.deref(ref); ok {
			t.Fatalf("a removed group's ref still resolves")
		}
	}
	if compactions == 0 {
		t.Errorf("the arena was never compacted")
	}
}

// The purge queue pops groups in the order of their thresholds.
func TestGroupPurgeQueueOrders(t *testing.T) {
	var q groupPurgeQueue
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 1000 {
		q.push(groupPurgeItem{at: int64(rng.IntN(100)), ref: uint64(i)})
	}
	last := int64(-1)
	for len(q) > 0 {
		it := q.pop()
		if it.at < last {
			t.Fatalf("popped %d after %d", it.at, last)
		}
		last = it.at
	}
}
