package sql

import (
	"fmt"
	"sync"
	"time"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/types"
)

// The values of sequences. A sequence's parameters are in its catalog
// descriptor, transactional like all DDL; its position is not: nextval and
// setval change it at once, for every transaction, and a rollback gives
// nothing back. The position lives in a storage.Position, written synced
// and outside MVCC. nextval does not write it on every call: like
// PostgreSQL, which logs 32 values ahead, it writes a position some values
// past the one it hands out (a reservation), and hands out the values in
// between from memory. A crash then skips at most that many values, and
// never repeats one. See docs/decisions/0008-sequences.md.

// minReservation is how many values past the one handed out a write of the
// position covers at least: PostgreSQL's SEQ_LOG_VALS.
const minReservation = 32

// maxReservation bounds the reservation, and so the values a crash skips.
const maxReservation = 1 << 16

// reservationSpan is how long a reservation should last at the rate the
// previous one was used: a sequence that many sessions or a bulk INSERT
// draw from writes its position about ten times a second, not once per 32
// values, each write being an fsync.
const reservationSpan = 100 * time.Millisecond

// sequenceCounters holds the in-memory state of every sequence position an
// engine has used, by position id.
type sequenceCounters struct {
	db *storage.DB
	mu sync.Mutex
	m  map[uint64]*sequenceCounter
}

// sequenceCounter is one position. Its mutex orders the nextval and setval
// calls of all sessions, so values are handed out once each.
type sequenceCounter struct {
	mu     sync.Mutex
	loaded bool
	// last and called are PostgreSQL's last_value and is_called.
	last   int64
	called bool
	// logged is how many values after last the stored position covers:
	// nextval hands them out without writing.
	logged int64
	// bounds are the parameters logged was counted with: an ALTER
	// SEQUENCE that changes them makes the next nextval write again.
	bounds sequenceBounds
	// reservedAt is when the position was last written by nextval, and
	// reserved how many values past the one handed out it covered.
	reservedAt time.Time
	reserved   int64
}

// reservation returns how many values past the next one the position
// written now should cover: what the previous reservation's rate of use
// would consume in reservationSpan, within [minReservation,
// maxReservation].
func (c *sequenceCounter) reservation(now time.Time) int64 {
	if c.reservedAt.IsZero() {
		return minReservation
	}
	elapsed := max(now.Sub(c.reservedAt), time.Microsecond)
	used := float64(c.reserved + 1)
	want := used * float64(reservationSpan) / float64(elapsed)
	return int64(min(max(want, minReservation), maxReservation))
}

// sequenceBounds are the parameters that decide the value after another.
type sequenceBounds struct {
	increment, min, max int64
	cycle               bool
}

func boundsOf(sd *catalog.SequenceDesc) sequenceBounds {
	return sequenceBounds{increment: sd.Increment, min: sd.Min, max: sd.Max, cycle: sd.Cycle}
}

// step returns the value after v, and false when v is the last value of a
// sequence that does not cycle. It never overflows: the comparisons are
// written as PostgreSQL's are.
func (b sequenceBounds) step(v int64) (int64, bool) {
	inc := b.increment
	if inc > 0 {
		if (b.max >= 0 && v > b.max-inc) || (b.max < 0 && v+inc > b.max) {
			if !b.cycle {
				return 0, false
			}
			return b.min, true
		}
		return v + inc, true
	}
	if (b.min < 0 && v < b.min-inc) || (b.min >= 0 && v+inc < b.min) {
		if !b.cycle {
			return 0, false
		}
		return b.max, true
	}
	return v + inc, true
}

// advance returns the value up to n steps after v, stopping at the bound
// (it never cycles: a reservation need not), and the steps it took.
func (b sequenceBounds) advance(v, n int64) (int64, int64) {
	var room uint64
	switch {
	case b.increment > 0 && v < b.max:
		room = (uint64(b.max) - uint64(v)) / uint64(b.increment)
	case b.increment < 0 && v > b.min:
		room = (uint64(v) - uint64(b.min)) / uint64(-b.increment)
	}
	k := int64(min(uint64(n), room))
	return v + k*b.increment, k
}

func newSequenceCounters(db *storage.DB) *sequenceCounters {
	return &sequenceCounters{db: db, m: map[uint64]*sequenceCounter{}}
}

// counter returns the state of a position, locked and loaded.
func (sc *sequenceCounters) counter(sd *catalog.SequenceDesc) (*sequenceCounter, error) {
	sc.mu.Lock()
	c := sc.m[sd.PositionID]
	if c == nil {
		c = &sequenceCounter{}
		sc.m[sd.PositionID] = c
	}
	sc.mu.Unlock()
	c.mu.Lock()
	if !c.loaded {
		p, ok, err := sc.db.ReadPosition(sd.PositionID)
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		if ok {
			c.last, c.called = p.Value, p.Called
		} else {
			c.last, c.called = sd.Restart, false
		}
		c.logged, c.loaded = 0, true
	}
	if b := boundsOf(sd); b != c.bounds {
		c.bounds, c.logged = b, 0
	}
	return c, nil
}

// next hands out the next value of sequence t.
func (sc *sequenceCounters) next(t *catalog.Table) (int64, error) {
	sd := t.Sequence
	c, err := sc.counter(sd)
	if err != nil {
		return 0, err
	}
	defer c.mu.Unlock()
	v := c.last
	if c.called {
		var ok bool
		if v, ok = c.bounds.step(c.last); !ok {
			which, limit := "maximum", sd.Max
			if sd.Increment < 0 {
				which, limit = "minimum", sd.Min
			}
			return 0, pgerror.Newf(pgerror.SequenceGeneratorLimitExceeded, "nextval: reached %s value of sequence %q (%d)", which, t.Name, limit)
		}
	}
	if c.logged > 0 {
		c.logged--
	} else {
		// Reserve v and some values after it: after a crash the
		// sequence resumes past the reserved ones.
		now := time.Now()
		reserved, n := c.bounds.advance(v, c.reservation(now))
		if err := sc.db.WritePosition(sd.PositionID, storage.Position{Value: reserved, Called: true}); err != nil {
			return 0, err
		}
		c.logged, c.reservedAt, c.reserved = n, now, n
	}
	c.last, c.called = v, true
	return v, nil
}

// set moves sequence t to value, as setval does.
func (sc *sequenceCounters) set(t *catalog.Table, value int64, called bool) error {
	sd := t.Sequence
	if value < sd.Min || value > sd.Max {
		return pgerror.Newf(pgerror.NumericValueOutOfRange, "setval: value %d is out of bounds for sequence %q (%d..%d)", value, t.Name, sd.Min, sd.Max)
	}
	c, err := sc.counter(sd)
	if err != nil {
		return err
	}
	defer c.mu.Unlock()
	if err := sc.db.WritePosition(sd.PositionID, storage.Position{Value: value, Called: called}); err != nil {
		return err
	}
	c.last, c.called, c.logged = value, called, 0
	return nil
}

// state reads a sequence's position as SELECT * FROM seq shows it:
// last_value, log_cnt and is_called.
func (sc *sequenceCounters) state(sd *catalog.SequenceDesc) (last, logCnt int64, called bool, err error) {
	c, err := sc.counter(sd)
	if err != nil {
		return 0, 0, false, err
	}
	defer c.mu.Unlock()
	return c.last, c.logged, c.called, nil
}

// forget drops the state of a dropped sequence's position.
func (sc *sequenceCounters) forget(id uint64) error {
	sc.mu.Lock()
	delete(sc.m, id)
	sc.mu.Unlock()
	return sc.db.DeletePosition(id)
}

// sessionSequences is what a session remembers of the sequences it used,
// for currval and lastval.
type sessionSequences struct {
	// curr holds the value nextval last returned, by sequence OID.
	curr map[uint32]int64
	// last is the OID of the sequence nextval last advanced; 0 for none.
	last uint32
}

func (ss *sessionSequences) remember(oid uint32, v int64) {
	if ss.curr == nil {
		ss.curr = map[uint32]int64{}
	}
	ss.curr[oid] = v
	ss.last = oid
}

// discard forgets everything, for DISCARD SEQUENCES and DISCARD ALL.
func (ss *sessionSequences) discard() { *ss = sessionSequences{} }

var _ expr.SequenceFunctions = (*catalogView)(nil)

// sequence returns the sequence an OID names, or PostgreSQL's error for an
// OID that names something else or nothing.
func (v *catalogView) sequence(oid int64) (*catalog.Table, error) {
	if t, ok := v.snap.TableByOID(uint32(oid)); ok {
		if t.Kind == catalog.KindSequence && t.Sequence != nil {
			return t, nil
		}
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%q is not a sequence", t.Name)
	}
	if r, ok := v.sysContext().relation(uint32(oid)); ok {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%q is not a sequence", r.name)
	}
	return nil, pgerror.Newf(pgerror.UndefinedTable, "could not open relation with OID %d", oid)
}

// NextVal implements expr.SequenceFunctions.
func (v *catalogView) NextVal(oid int64) (int64, error) {
	t, err := v.sequence(oid)
	if err != nil {
		return 0, err
	}
	n, err := v.e.sequences.next(t)
	if err != nil {
		return 0, err
	}
	if v.session != nil {
		v.session.sequences.remember(t.OID, n)
	}
	return n, nil
}

// CurrVal implements expr.SequenceFunctions.
func (v *catalogView) CurrVal(oid int64) (int64, error) {
	t, err := v.sequence(oid)
	if err != nil {
		return 0, err
	}
	if v.session != nil {
		if n, ok := v.session.sequences.curr[t.OID]; ok {
			return n, nil
		}
	}
	return 0, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "currval of sequence %q is not yet defined in this session", t.Name)
}

// SetVal implements expr.SequenceFunctions.
func (v *catalogView) SetVal(oid int64, value int64, isCalled bool) (int64, error) {
	t, err := v.sequence(oid)
	if err != nil {
		return 0, err
	}
	if err := v.e.sequences.set(t, value, isCalled); err != nil {
		return 0, err
	}
	// As in PostgreSQL, currval follows only a setval that counts the
	// value as handed out, and lastval does not move.
	if isCalled && v.session != nil {
		last := v.session.sequences.last
		v.session.sequences.remember(t.OID, value)
		v.session.sequences.last = last
	}
	return value, nil
}

// LastVal implements expr.SequenceFunctions.
func (v *catalogView) LastVal() (int64, error) {
	notYet := pgerror.New(pgerror.ObjectNotInPrerequisiteState, "lastval is not yet defined in this session")
	if v.session == nil || v.session.sequences.last == 0 {
		return 0, notYet
	}
	oid := v.session.sequences.last
	if t, ok := v.snap.TableByOID(oid); !ok || t.Kind != catalog.KindSequence {
		return 0, notYet
	}
	return v.session.sequences.curr[oid], nil
}

// sequenceRelation is a sequence read as a relation: SELECT * FROM s
// gives its one row of last_value, log_cnt and is_called, as pg_dump
// reads it.
func (v *catalogView) sequenceRelation(t *catalog.Table) *binder.Relation {
	return &binder.Relation{Table: t, Virtual: &binder.Virtual{
		Name: t.Name,
		Columns: []logical.TableColumn{
			{Name: "last_value", Type: types.Int8Type, NotNull: true, AttrNum: 1},
			{Name: "log_cnt", Type: types.Int8Type, NotNull: true, AttrNum: 2},
			{Name: "is_called", Type: types.BoolType, NotNull: true, AttrNum: 3},
		},
		Impl: &sequenceScan{e: v.e, t: t},
	}}
}

// sequenceScan is the exec.SetFunction reading a sequence's row.
type sequenceScan struct {
	e *Engine
	t *catalog.Table
}

func (s *sequenceScan) Start(*exec.Context, []types.Datum) (exec.RowIterator, error) {
	last, logCnt, called, err := s.e.sequences.state(s.t.Sequence)
	if err != nil {
		return nil, err
	}
	b := batch.FromRows([]types.T{types.Int8Type, types.Int8Type, types.BoolType}, [][]types.Datum{{last, logCnt, called}})
	return &batchList{bs: []*batch.Batch{b}}, nil
}

// String names the scan in EXPLAIN.
func (s *sequenceScan) String() string { return fmt.Sprintf("sequence %s", s.t.Name) }
