package exec

import (
	"encoding/json"
	"os"
	"testing"

	"portalsdb/batch"
)

// aggFixture is an aggregate's saved state after three atoms of
// mixedAtoms (seed 7, 5 keys), the changes it emitted for the fourth, and
// its state after that: testdata/agg_state_v0.json was written by the
// aggregate of commit feb545b, before the flat group layout, with one
// such record for mixedAggregate grouped and one global.
type aggFixture struct {
	State map[string]string `json:"state"`
	Next  string            `json:"next"`
	After map[string]string `json:"after"`
}

// State saved by the aggregate before the flat layout loads into today's
// aggregate, which then emits for the next atom what the old one did and
// saves the same bytes: the stored format did not change.
func TestIncrAggregateLoadsStateOfEarlierVersion(t *testing.T) {
	raw, err := os.ReadFile("testdata/agg_state_v0.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixtures map[string]aggFixture
	if err := json.Unmarshal(raw, &fixtures); err != nil {
		t.Fatal(err)
	}
	for name, global := range map[string]bool{"grouped": false, "global": true} {
		f, ok := fixtures[name]
		if !ok {
			t.Fatalf("fixture %s missing", name)
		}
		for _, layout := range aggLayouts {
			atoms := newMixedAtoms(7, 5)
			for range 3 {
				atoms.next(40)
			}
			a, ts := mixedAggregateOf(t, global, fixtureAggs)
			layout.set(a)
			mem := unhexState(t, f.State)
			if err := a.Load(mem); err != nil {
				t.Fatalf("%s, %s: load: %v", name, layout.name, err)
			}
			c, err := a.Apply(incrContext(), []*batch.ChangeBatch{atoms.next(40)})
			if err != nil {
				t.Fatal(err)
			}
			if got := showChanges(ts, c); got != f.Next {
				t.Errorf("%s, %s: changes after load:\n%s\nwant\n%s", name, layout.name, got, f.Next)
			}
			if err := a.Save(mem); err != nil {
				t.Fatal(err)
			}
			want := unhexState(t, f.After)
			if len(mem) != len(want) {
				t.Errorf("%s, %s: %d state entries saved, want %d", name, layout.name, len(mem), len(want))
			}
			for k, v := range want {
				if got, ok := mem[k]; !ok || string(got) != string(v) {
					t.Errorf("%s, %s: state of key %x is %x, want %x", name, layout.name, k, got, v)
				}
			}
		}
	}
}
