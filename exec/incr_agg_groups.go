package exec

import (
	"bytes"
	"hash/maphash"
)

// aggGroupTable finds an aggregate's groups by their encoded key and numbers
// them densely, so that the aggregate keeps each group's state in flat
// slices indexed by its number rather than in an object per group.
//
// A group's key is kept twice, one after the other in one byte arena: as
// its key encoding (rowcodec.AppendKey, by which groups are told apart and
// which is the key of its saved state) and as its value encoding (a
// rowcodec row, from which its output rows are decoded straight into Arrow
// builders). Neither the arena nor the index holds a pointer per group, so
// a million groups cost the garbage collector nothing to scan.
type aggGroupTable struct {
	seed maphash.Seed
	// slots is an open-addressing index with linear probing: 0 is empty,
	// otherwise the high 32 bits of a group's key hash, then its number
	// plus one, so that a probe passes other keys without reading their
	// group's entries. Its length is a power of two.
	slots []uint64
	// hashes, spans and gens are indexed by group number.
	hashes []uint64
	spans  []keySpan
	// gens counts the times a number was given to a new group, so that a
	// reference kept elsewhere (the purge queue) can tell that its group
	// is gone although the number is in use again.
	gens []uint32
	live []bool
	// free are the numbers of dropped groups, reused by new ones.
	free  []int32
	arena []byte
	// garbage is the arena's bytes of dropped groups, reclaimed by
	// compacting once they are half of it.
	garbage int
	n       int
}

// keySpan locates a group's keys in the arena: the key encoding at
// [off, off+keyLen), the value encoding right after it, valLen long.
type keySpan struct {
	off            int
	keyLen, valLen int32
}

func newAggGroupTable() *aggGroupTable {
	return &aggGroupTable{seed: maphash.MakeSeed(), slots: make([]uint64, 16)}
}

// Len returns the number of live groups.
func (t *aggGroupTable) Len() int { return t.n }

// capacity returns the number of group numbers in use or free: the length
// the per-group slices must have.
func (t *aggGroupTable) capacity() int { return len(t.spans) }

func (t *aggGroupTable) hash(key []byte) uint64 { return maphash.Bytes(t.seed, key) }

// find returns the group whose key encoding is key, or -1.
func (t *aggGroupTable) find(key []byte, h uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	tag := h >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if s>>32 == tag {
			if g := int32(uint32(s)) - 1; bytes.Equal(t.key(g), key) {
				return g
			}
		}
	}
}

// insert adds a group with key encoding key and value encoding val (not
// present) and returns its number. The table copies both.
func (t *aggGroupTable) insert(key, val []byte, h uint64) int32 {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.resize(len(t.slots) * 2)
	}
	var g int32
	span := keySpan{off: len(t.arena), keyLen: int32(len(key)), valLen: int32(len(val))}
	t.arena = append(append(t.arena, key...), val...)
	if k := len(t.free); k > 0 {
		g = t.free[k-1]
		t.free = t.free[:k-1]
		t.hashes[g], t.spans[g], t.live[g] = h, span, true
		t.gens[g]++
	} else {
		g = int32(len(t.spans))
		t.hashes = append(t.hashes, h)
		t.spans = append(t.spans, span)
		t.gens = append(t.gens, 0)
		t.live = append(t.live, true)
	}
	t.place(g, h)
	t.n++
	return g
}

func (t *aggGroupTable) place(g int32, h uint64) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = h>>32<<32 | uint64(g+1)
}

func (t *aggGroupTable) resize(n int) {
	t.slots = make([]uint64, n)
	for g, ok := range t.live {
		if ok {
			t.place(int32(g), t.hashes[g])
		}
	}
}

// remove drops group g; its number goes to the next new group.
func (t *aggGroupTable) remove(g int32) {
	mask := uint64(len(t.slots) - 1)
	i := t.hashes[g] & mask
	for int32(uint32(t.slots[i])) != g+1 {
		i = (i + 1) & mask
	}
	// Backward-shift deletion: move up every later entry of the run
	// whose home slot is not between the hole and it, so that probes
	// never meet a hole before their entry.
	for {
		t.slots[i] = 0
		j, moved := i, false
		for {
			j = (j + 1) & mask
			s := t.slots[j]
			if s == 0 {
				break
			}
			home := t.hashes[int32(uint32(s))-1] & mask
			// The entry at j may fill the hole at i unless its home lies
			// cyclically in (i, j].
			if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
				t.slots[i] = s
				i, moved = j, true
				break
			}
		}
		if !moved {
			break
		}
	}
	sp := t.spans[g]
	t.garbage += int(sp.keyLen + sp.valLen)
	t.live[g] = false
	t.spans[g] = keySpan{}
	t.free = append(t.free, g)
	t.n--
	if t.garbage > 1<<16 && t.garbage*2 > len(t.arena) {
		t.compact()
	}
}

// compact copies the live groups' keys into a new arena.
func (t *aggGroupTable) compact() {
	arena := make([]byte, 0, len(t.arena)-t.garbage)
	for g, ok := range t.live {
		if !ok {
			continue
		}
		sp := &t.spans[g]
		off := len(arena)
		arena = append(arena, t.arena[sp.off:sp.off+int(sp.keyLen+sp.valLen)]...)
		sp.off = off
	}
	t.arena, t.garbage = arena, 0
}

// key returns group g's key encoding; it is valid until the next insert.
func (t *aggGroupTable) key(g int32) []byte {
	sp := t.spans[g]
	return t.arena[sp.off : sp.off+int(sp.keyLen)]
}

// value returns group g's value encoding; it is valid until the next
// insert.
func (t *aggGroupTable) value(g int32) []byte {
	sp := t.spans[g]
	start := sp.off + int(sp.keyLen)
	return t.arena[start : start+int(sp.valLen)]
}

// ref returns a reference to group g that stays valid while it lives.
func (t *aggGroupTable) ref(g int32) uint64 { return uint64(t.gens[g])<<32 | uint64(uint32(g)) }

// deref returns the group a ref names, if it still lives.
func (t *aggGroupTable) deref(ref uint64) (int32, bool) {
	g := int32(uint32(ref))
	if int(g) >= len(t.live) || !t.live[g] || t.gens[g] != uint32(ref>>32) {
		return 0, false
	}
	return g, true
}
