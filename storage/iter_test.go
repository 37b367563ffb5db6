package storage

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// randKey returns a random prefix-free key: one to four letters, then '$'.
func randKey(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	b := make([]byte, n+1)
	for i := range n {
		b[i] = "abc"[r.IntN(3)]
	}
	b[n] = '$'
	return string(b)
}

type kv struct{ k, v string }

func sortedKVs(m map[string]string, lower, upper string) []kv {
	var out []kv
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k >= lower && (upper == "" || k < upper) {
			out = append(out, kv{k, m[k]})
		}
	}
	return out
}

// checkIter compares an iterator over [lower, upper) with the model: full
// scans both ways, then a random walk of seeks and steps in both directions.
func checkIter(t *testing.T, r *rand.Rand, txn *Txn, model map[string]string, lower, upper string) {
	t.Helper()
	var lo, up []byte
	if lower != "" {
		lo = []byte(lower)
	}
	if upper != "" {
		up = []byte(upper)
	}
	want := sortedKVs(model, lower, upper)
	it, err := txn.NewIter(lo, up)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var got []kv
	for it.First(); it.Valid(); it.Next() {
		got = append(got, kv{string(it.Key()), string(it.Value())})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("forward scan [%q,%q) at %d:\n got %v\nwant %v", lower, upper, txn.ReadSeq(), got, want)
	}
	got = got[:0]
	for it.Last(); it.Valid(); it.Prev() {
		got = append(got, kv{string(it.Key()), string(it.Value())})
	}
	slices.Reverse(got)
	if !slices.Equal(got, want) {
		t.Fatalf("reverse scan [%q,%q):\n got %v\nwant %v", lower, upper, got, want)
	}
	// Random walk: pos is the index in want, -1 or len(want) when invalid.
	pos := -1
	for range 40 {
		switch op := r.IntN(6); {
		case op == 0:
			k := randKey(r)
			it.SeekGE([]byte(k))
			pos, _ = slices.BinarySearchFunc(want, k, func(e kv, k string) int { return cmpStr(e.k, k) })
		case op == 1:
			k := randKey(r)
			it.SeekLT([]byte(k))
			i, _ := slices.BinarySearchFunc(want, k, func(e kv, k string) int { return cmpStr(e.k, k) })
			pos = i - 1
		case op <= 3:
			if pos < 0 || pos >= len(want) {
				continue
			}
			it.Next()
			pos++
		default:
			if pos < 0 || pos >= len(want) {
				continue
			}
			it.Prev()
			pos--
		}
		if pos < 0 || pos >= len(want) {
			if it.Valid() {
				t.Fatalf("walk: iterator at %q, want exhausted", it.Key())
			}
			continue
		}
		if !it.Valid() || string(it.Key()) != want[pos].k || string(it.Value()) != want[pos].v {
			t.Fatalf("walk: iterator valid=%v at %q, want %v", it.Valid(), it.Key(), want[pos])
		}
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
}

func cmpStr(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) }

// TestIterMatchesModel commits random transactions and checks point reads
// and iterators at every snapshot, with and without own writes, against an
// in-memory model, before and after garbage collection.
func TestIterMatchesModel(t *testing.T) {
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 42))
		db := openMem(t)
		states := []map[string]string{{}} // states[seq]
		for range 30 {
			txn := db.Begin()
			next := maps.Clone(states[len(states)-1])
			for range 1 + r.IntN(8) {
				k := randKey(r)
				if r.IntN(3) == 0 {
					if err := txn.Delete([]byte(k)); err != nil {
						t.Fatal(err)
					}
					delete(next, k)
				} else {
					v := k + string(rune('0'+r.IntN(10)))
					put(t, txn, k, v)
					next[k] = v
				}
			}
			mustCommit(t, txn)
			states = append(states, next)
		}
		bounds := func() (string, string) {
			switch r.IntN(3) {
			case 0:
				return "", ""
			case 1:
				return "b", ""
			}
			return "ab", "c"
		}
		check := func(from Seq) {
			for seq := from; seq < Seq(len(states)); seq++ {
				txn, err := db.BeginAt(seq)
				if err != nil {
					t.Fatal(err)
				}
				for k := range states[seq] {
					if v, ok := get(t, txn, k); !ok || v != states[seq][k] {
						t.Fatalf("seq %d: Get(%q) = %q, %v; want %q", seq, k, v, ok, states[seq][k])
					}
				}
				lo, up := bounds()
				checkIter(t, r, txn, states[seq], lo, up)
				txn.Rollback()
			}
			// Own writes over the newest snapshot.
			txn := db.Begin()
			model := maps.Clone(states[len(states)-1])
			for range 10 {
				k := randKey(r)
				if r.IntN(2) == 0 {
					if err := txn.Delete([]byte(k)); err != nil {
						t.Fatal(err)
					}
					delete(model, k)
				} else {
					put(t, txn, k, "own")
					model[k] = "own"
				}
			}
			lo, up := bounds()
			checkIter(t, r, txn, model, lo, up)
			txn.Rollback()
		}
		check(0)
		db.SetRetention(10)
		stats, err := db.GC()
		if err != nil {
			t.Fatal(err)
		}
		if stats.Horizon != Seq(len(states)-1-10) {
			t.Fatalf("horizon %d, want %d", stats.Horizon, len(states)-1-10)
		}
		check(stats.Horizon)
	}
}

func TestIterDoesNotSeeLaterOwnWrites(t *testing.T) {
	db := openMem(t)
	txn := db.Begin()
	defer txn.Rollback()
	put(t, txn, "a$", "1")
	put(t, txn, "c$", "1")
	it, err := txn.NewIter(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if !it.First() || string(it.Key()) != "a$" {
		t.Fatal("first key")
	}
	// Writes after the iterator was made: a new key, an overwrite and a
	// delete. The iterator keeps the view it was made with.
	put(t, txn, "b$", "2")
	put(t, txn, "c$", "2")
	if err := txn.Delete([]byte("a$")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for it.First(); it.Valid(); it.Next() {
		got = append(got, string(it.Key())+"="+string(it.Value()))
	}
	if !slices.Equal(got, []string{"a$=1", "c$=1"}) {
		t.Fatalf("iterator saw later writes: %v", got)
	}
	if v, _ := get(t, txn, "c$"); v != "2" {
		t.Fatalf("Get after the overwrite = %q", v)
	}
}
