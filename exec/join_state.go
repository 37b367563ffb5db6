package exec

import (
	"bytes"
	"hash/maphash"
)

// The stored rows of one side of an incremental join, laid out for the
// machine.
//
// A side may hold millions of rows, each touched a few times. Kept as Go
// maps of strings to structs of boxed datums, every lookup hashed a string
// twice (join key, then row key), every atom walked maps to find what it
// changed, and every garbage collection scanned millions of pointers. Here
// a row is a fixed-size struct without pointers in one slice, numbered by
// int32 and recycled through a free list; its bytes (join key, row key and
// encoded value, exactly as they are saved) sit in a paged arena; an
// open-addressing table of integers finds a join key's chain of rows from
// a hash computed once per change, and a second one finds the rows of
// long chains without walking them; and the rows an atom changed
// are listed by number, with an epoch stamp on each row instead of a set.
// Rows stay encoded until a match is emitted, when they are decoded
// straight into the output's Arrow builders.

// joinRow is a stored row. It holds no pointers, so the garbage collector
// never scans the state.
type joinRow struct {
	keyHash, rowHash uint64
	count, matches   int64
	// next and prev chain the rows of one join key; -1 ends the chain.
	next, prev int32
	// page and off locate the row's bytes in the arena: join key, row key,
	// then value.
	page, off            uint32
	jkLen, rkLen, valLen uint32
	dirtyIn, touchedIn   uint32
	gen                  uint32
	// chainLen and indexed are kept on the first row of a chain: its
	// number of rows, and whether they are in byRow.
	chainLen int32
	state    uint8
	indexed  bool
	_        [2]byte
}

// chainIndexedAt is the length beyond which a chain's rows are found
// through byRow rather than by walking the chain: a walk touches a row per
// step, a byRow lookup a slot and the row found.
const chainIndexedAt = 4

const (
	rowChunkBits = 10
	rowChunkMask = 1<<rowChunkBits - 1
)

type rowChunk [1 << rowChunkBits]joinRow

// row returns stored row i.
func (s *joinSide) row(i int32) *joinRow {
	return &s.rows[i>>rowChunkBits][i&rowChunkMask]
}

// Row states: a dropped row is out of the indexes and waits for Save to
// write its deletion before it is freed.
const (
	rowFree uint8 = iota
	rowLive
	rowDropped
)

// touchedRow is a row's count and matches before the atom that first
// touched it, for the NULL-extended rows of outer joins.
type touchedRow struct {
	row              int32
	count0, matches0 int64
}

// joinSide is the state of one side of an IncrJoin.
type joinSide struct {
	// rows holds the rows in chunks, so that growing the state never
	// copies it; nrows counts the rows ever allocated.
	rows  []*rowChunk
	nrows int32
	free  []int32
	arena rowArena
	// byKey finds the first row of a join key's chain; byRow finds a row
	// of a long chain (see find)
	// by join key and row key.
	byKey, byRow hashIndex
	// seed is the join's: a change of one side probes the other with
	// the hash of its join key.
	seed maphash.Seed
	// dirty lists the rows changed since the last Save; a row is in it
	// when its dirtyIn is saveEpoch.
	dirty     []int32
	saveEpoch uint32
	// touched lists the rows the current atom touched (outer joins only);
	// a row is in it when its touchedIn is applyEpoch.
	touched    []touchedRow
	applyEpoch uint32
	// warmSum keeps warm's loads from being optimized away.
	warmSum uint64
	// live counts the rows in the indexes: the runtime asks for the state's
	// size after every atom.
	live int
}

func newJoinSide(seed maphash.Seed) *joinSide {
	return &joinSide{seed: seed, saveEpoch: 1, applyEpoch: 1,
		byKey: newHashIndex(), byRow: newHashIndex()}
}

func (s *joinSide) size() int { return s.live }

// hashes returns the hashes of a join key and of a row (its join key and
// row key, which follow each other in kr).
func (s *joinSide) hashes(kr []byte, jkLen int) (keyHash, rowHash uint64) {
	return maphash.Bytes(s.seed, kr[:jkLen]), maphash.Bytes(s.seed, kr)
}

func (s *joinSide) bytesOf(i int32) []byte {
	r := s.row(i)
	n := r.jkLen + r.rkLen + r.valLen
	return s.arena.pages[r.page][r.off : r.off+n : r.off+n]
}

// keyOf returns a row's join key and row key, adjacent.
func (s *joinSide) keyOf(i int32) []byte {
	r := s.row(i)
	return s.bytesOf(i)[:r.jkLen+r.rkLen]
}

func (s *joinSide) valueOf(i int32) []byte {
	r := s.row(i)
	return s.bytesOf(i)[r.jkLen+r.rkLen:]
}

// first returns the first row of the join key jk, or -1.
func (s *joinSide) first(keyHash uint64, jk []byte) int32 {
	t := &s.byKey
	for p := keyHash & t.mask; ; p = (p + 1) & t.mask {
		slot := t.slots[p]
		if slot == 0 {
			return -1
		}
		if uint32(slot>>32) == uint32(keyHash) {
			i := int32(uint32(slot)) - 1
			r := s.row(i)
			if r.keyHash == keyHash && int(r.jkLen) == len(jk) && bytes.Equal(s.keyOf(i)[:r.jkLen], jk) {
				return i
			}
		}
	}
}

// find returns the row whose join key and row key are kr (split at
// jkLen), or -1. Most join keys have a few rows, found by walking their
// chain from its first row: a lookup costs one probe of byKey, and
// inserting a row no probe of a second table. Only the rows of long
// chains are also in byRow, so that a key with many rows costs no walk.
func (s *joinSide) find(keyHash, rowHash uint64, kr []byte, jkLen int) int32 {
	head := s.first(keyHash, kr[:jkLen])
	if head < 0 {
		return -1
	}
	if !s.row(head).indexed {
		for i := head; i >= 0; i = s.row(i).next {
			if r := s.row(i); r.rowHash == rowHash && bytes.Equal(s.keyOf(i), kr) {
				return i
			}
		}
		return -1
	}
	t := &s.byRow
	for p := rowHash & t.mask; ; p = (p + 1) & t.mask {
		slot := t.slots[p]
		if slot == 0 {
			return -1
		}
		if uint32(slot>>32) == uint32(rowHash) {
			i := int32(uint32(slot)) - 1
			r := s.row(i)
			if r.rowHash == rowHash && int(r.jkLen) == jkLen && bytes.Equal(s.keyOf(i), kr) {
				return i
			}
		}
	}
}

// warm reads, for the changes, the slots of byKey their lookups start at
// and the first rows those slots name, before the lookups themselves.
// The loads of one pass do not depend on one another, so the processor
// overlaps their cache misses, where lookups one after the other wait for
// each in turn; the lookups then find the lines in the cache.
func (s *joinSide) warm(changes []joinChange) {
	t := &s.byKey
	var sum uint64
	for k := range changes {
		sum += t.slots[changes[k].keyHash&t.mask]
	}
	for k := range changes {
		h := changes[k].keyHash
		if slot := t.slots[h&t.mask]; slot != 0 && uint32(slot>>32) == uint32(h) {
			if b := s.bytesOf(int32(uint32(slot)) - 1); len(b) > 0 {
				sum += uint64(b[0])
			}
		}
	}
	s.warmSum += sum
}

// insert stores a new row with count and matches 0 (the caller has found
// no row with its keys) and returns its number.
func (s *joinSide) insert(keyHash, rowHash uint64, kr []byte, jkLen int, value []byte) int32 {
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		if s.nrows&rowChunkMask == 0 {
			s.rows = append(s.rows, new(rowChunk))
		}
		i = s.nrows
		s.nrows++
	}
	page, off, buf := s.arena.alloc(len(kr) + len(value))
	copy(buf, kr)
	copy(buf[len(kr):], value)
	r := s.row(i)
	*r = joinRow{keyHash: keyHash, rowHash: rowHash, next: -1, prev: -1, page: page, off: off,
		jkLen: uint32(jkLen), rkLen: uint32(len(kr) - jkLen), valLen: uint32(len(value)), gen: r.gen, state: rowLive}
	s.arena.live += len(buf)
	if head := s.first(keyHash, kr[:jkLen]); head >= 0 {
		// Join the key's chain after its first row: the index keeps
		// pointing at the same row.
		h := s.row(head)
		r.prev, r.next = head, h.next
		if h.next >= 0 {
			s.row(h.next).prev = i
		}
		h.next = i
		h.chainLen++
		switch {
		case h.indexed:
			s.byRow.insert(rowHash, i)
		case h.chainLen > chainIndexedAt:
			for k := head; k >= 0; k = s.row(k).next {
				s.byRow.insert(s.row(k).rowHash, k)
			}
			h.indexed = true
		}
	} else {
		s.byKey.insert(keyHash, i)
		r.chainLen = 1
	}
	s.live++
	return i
}

// drop takes a live row out of the indexes; Save writes its deletion and
// frees it.
func (s *joinSide) drop(i int32) {
	r := s.row(i)
	head := i
	if r.prev >= 0 {
		head = s.first(r.keyHash, s.keyOf(i)[:r.jkLen])
	}
	h := s.row(head)
	if h.indexed {
		s.byRow.remove(r.rowHash, i)
	}
	switch {
	case r.prev >= 0:
		s.row(r.prev).next = r.next
		h.chainLen--
	case r.next >= 0:
		// The next row becomes the first, and keeps the chain's length.
		s.byKey.replace(r.keyHash, i, r.next)
		n := s.row(r.next)
		n.chainLen, n.indexed = h.chainLen-1, h.indexed
	default:
		s.byKey.remove(r.keyHash, i)
	}
	if r.next >= 0 {
		s.row(r.next).prev = r.prev
	}
	r.next, r.prev, r.chainLen, r.indexed = -1, -1, 0, false
	r.state = rowDropped
	s.live--
	s.markDirty(i)
}

// release frees a dropped row once its deletion is saved.
func (s *joinSide) release(i int32) {
	r := s.row(i)
	s.arena.live -= int(r.jkLen + r.rkLen + r.valLen)
	*r = joinRow{gen: r.gen + 1, state: rowFree}
	s.free = append(s.free, i)
}

func (s *joinSide) markDirty(i int32) {
	if r := s.row(i); r.dirtyIn != s.saveEpoch {
		r.dirtyIn = s.saveEpoch
		s.dirty = append(s.dirty, i)
	}
}

// touch records a row's count and matches before the atom changes them.
func (s *joinSide) touch(i int32) {
	if r := s.row(i); r.touchedIn != s.applyEpoch {
		r.touchedIn = s.applyEpoch
		s.touched = append(s.touched, touchedRow{row: i, count0: r.count, matches0: r.matches})
	}
}

// endApply forgets the atom's touched rows and drops the rows whose count
// went to zero.
func (s *joinSide) endApply() {
	s.touched = s.touched[:0]
	s.applyEpoch++
	for _, i := range s.dirty {
		if r := s.row(i); r.state == rowLive && r.count == 0 {
			s.drop(i)
		}
	}
}

// endSave frees the dropped rows whose deletions were just saved, starts
// a new dirty list and compacts the arena when most of it is garbage.
func (s *joinSide) endSave() {
	for _, i := range s.dirty {
		if s.row(i).state == rowDropped {
			s.release(i)
		}
	}
	s.dirty = s.dirty[:0]
	s.saveEpoch++
	if s.arena.wasteful() {
		s.compact()
	}
}

// compact copies the live rows' bytes into a fresh arena.
func (s *joinSide) compact() {
	var fresh rowArena
	for i := int32(0); i < s.nrows; i++ {
		r := s.row(i)
		if r.state == rowFree {
			continue
		}
		old := s.bytesOf(i)
		page, off, buf := fresh.alloc(len(old))
		copy(buf, old)
		r.page, r.off = page, off
		fresh.live += len(buf)
	}
	s.arena = fresh
}

// rowArena holds the rows' bytes in pages, so that a row costs no
// allocation of its own and the collector sees a few large objects.
type rowArena struct {
	pages [][]byte
	// size is the capacity of the pages; live the bytes of stored rows.
	size, live int
}

const arenaPageSize = 256 << 10

// alloc returns n bytes of the arena and where they are.
func (a *rowArena) alloc(n int) (page, off uint32, buf []byte) {
	last := len(a.pages) - 1
	if last < 0 || cap(a.pages[last])-len(a.pages[last]) < n {
		size := max(arenaPageSize, n)
		a.pages = append(a.pages, make([]byte, 0, size))
		a.size += size
		last++
	}
	p := a.pages[last]
	o := len(p)
	a.pages[last] = p[:o+n]
	return uint32(last), uint32(o), a.pages[last][o : o+n : o+n]
}

// wasteful reports whether the arena is mostly bytes of freed rows.
func (a *rowArena) wasteful() bool {
	return a.size > 4*arenaPageSize && a.size-a.live > 2*a.live
}

// hashIndex maps hashes to row numbers by open addressing with linear
// probing. A slot holds the low 32 bits of the hash (which include the
// home position, since the table has at most 2^32 slots) and the row
// number plus one; 0 is an empty slot. Callers check a candidate's keys
// against the row.
type hashIndex struct {
	slots []uint64
	mask  uint64
	n     int
}

func newHashIndex() hashIndex {
	return hashIndex{slots: make([]uint64, 16), mask: 15}
}

func hashSlot(h uint64, i int32) uint64 { return uint64(uint32(h))<<32 | uint64(uint32(i)+1) }

func (t *hashIndex) insert(h uint64, i int32) {
	// At most five eighths full: a miss then probes a few slots of one
	// cache line.
	if (t.n+1)*8 > len(t.slots)*5 {
		t.grow()
	}
	p := h & t.mask
	for t.slots[p] != 0 {
		p = (p + 1) & t.mask
	}
	t.slots[p] = hashSlot(h, i)
	t.n++
}

func (t *hashIndex) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		p := (s >> 32) & t.mask
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = s
	}
}

// position returns the slot holding row i under hash h.
func (t *hashIndex) position(h uint64, i int32) uint64 {
	want := hashSlot(h, i)
	p := h & t.mask
	for t.slots[p] != want {
		p = (p + 1) & t.mask
	}
	return p
}

// replace makes the slot of row i under hash h hold row j (same hash).
func (t *hashIndex) replace(h uint64, i, j int32) {
	t.slots[t.position(h, i)] = hashSlot(h, j)
}

// remove deletes row i under hash h, shifting back the slots after it
// that probed past it, so that no tombstones accumulate.
func (t *hashIndex) remove(h uint64, i int32) {
	hole := t.position(h, i)
	t.n--
	for p := (hole + 1) & t.mask; ; p = (p + 1) & t.mask {
		s := t.slots[p]
		if s == 0 {
			break
		}
		home := (s >> 32) & t.mask
		// s may fill the hole when its home is not cyclically within
		// (hole, p].
		if (p-home)&t.mask >= (p-hole)&t.mask {
			t.slots[hole] = s
			hole = p
		}
	}
	t.slots[hole] = 0
}
