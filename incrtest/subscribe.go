package incrtest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Subscription follows SUBSCRIBE name WITH (PROGRESS = true, ...) on a
// connection of its own. It applies each atom's changes to a multiset once
// the progress row that closes the atom arrives, so its state is always the
// workflow's result as of a whole atom.
type Subscription struct {
	conn      *pgx.Conn
	cancel    context.CancelFunc
	closeOnce sync.Once

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced at every progress row
	state    Rows
	pending  Rows
	progress int64 // the last progress atom; -1 before the first
	lastAtom int64 // the atom of the last row of any kind
	err      error // why the SUBSCRIBE ended; nil while it runs
	ended    bool
	done     chan struct{}
	// onAtom, when set, sees the state after each progress row; an error
	// from it ends the subscription with that error.
	onAtom func(state Rows, atom int64) error
}

// Subscribe starts following the SUBSCRIBE statement stmt, which must ask
// for progress rows, on conn; the subscription owns conn from then on, and
// runs until Close or until the statement ends. base is the state the
// changes apply to: empty for a subscription with a snapshot, the state at
// FROM_ATOM - 1 for one resumed.
func Subscribe(conn *pgx.Conn, stmt string, base Rows) (*Subscription, error) {
	return SubscribeFunc(conn, stmt, base, nil)
}

// SubscribeFunc is Subscribe with onAtom called on the state as of each
// whole atom, as soon as its progress row arrives; onAtom must not keep
// the state, and an error from it ends the subscription with that error.
func SubscribeFunc(conn *pgx.Conn, stmt string, base Rows, onAtom func(state Rows, atom int64) error) (*Subscription, error) {
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := conn.Query(ctx, stmt, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		cancel()
		return nil, err
	}
	if base == nil {
		base = Rows{}
	}
	s := &Subscription{conn: conn, cancel: cancel, changed: make(chan struct{}), state: base.Clone(), pending: Rows{},
		progress: -1, lastAtom: -1, done: make(chan struct{}), onAtom: onAtom}
	go s.follow(rows)
	return s, nil
}

func (s *Subscription) follow(rows pgx.Rows) {
	defer close(s.done)
	var err error
	for rows.Next() {
		if err = s.take(rows.RawValues()); err != nil {
			// Closing the rows of a SUBSCRIBE would wait for its end:
			// cancel it first.
			s.cancel()
			break
		}
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err == nil {
		err = fmt.Errorf("SUBSCRIBE ended without an error")
	}
	s.mu.Lock()
	s.err, s.ended = err, true
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// take applies one row: (atom, diff, columns...), or a progress row
// (atom, NULL, NULLs...).
func (s *Subscription) take(vals [][]byte) error {
	if len(vals) < 2 || vals[0] == nil {
		return fmt.Errorf("SUBSCRIBE row without an atom: %s", RowKey(vals))
	}
	atom, err := strconv.ParseInt(string(vals[0]), 10, 64)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if atom < s.lastAtom {
		return fmt.Errorf("SUBSCRIBE went back from atom %d to %d", s.lastAtom, atom)
	}
	s.lastAtom = atom
	if vals[1] == nil {
		if atom < s.progress {
			return fmt.Errorf("SUBSCRIBE progress went back from %d to %d", s.progress, atom)
		}
		s.state.AddAll(s.pending)
		s.pending = Rows{}
		s.progress = atom
		close(s.changed)
		s.changed = make(chan struct{})
		if s.onAtom != nil {
			return s.onAtom(s.state, atom)
		}
		return nil
	}
	if atom <= s.progress {
		return fmt.Errorf("SUBSCRIBE sent a change at atom %d after progress %d", atom, s.progress)
	}
	diff, err := strconv.Atoi(string(vals[1]))
	if err != nil {
		return err
	}
	if diff != 1 && diff != -1 {
		return fmt.Errorf("SUBSCRIBE diff %d", diff)
	}
	s.pending.Add(RowKey(vals[2:]), diff)
	return nil
}

// Wait returns the state once progress reached atom: the workflow's result
// as the changes of every atom up to atom make it.
func (s *Subscription) Wait(ctx context.Context, atom int64) (Rows, int64, error) {
	for {
		s.mu.Lock()
		ch, progress, state, err := s.changed, s.progress, s.state, s.err
		if progress >= atom {
			state = state.Clone()
			s.mu.Unlock()
			return state, progress, nil
		}
		s.mu.Unlock()
		if err != nil {
			return nil, progress, err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, progress, fmt.Errorf("SUBSCRIBE progress stuck at %d waiting for atom %d: %w", progress, atom, ctx.Err())
		}
	}
}

// Ended waits for the SUBSCRIBE to end and returns its error.
func (s *Subscription) Ended(ctx context.Context) error {
	select {
	case <-s.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// State returns the state as of the last progress row, and that atom.
func (s *Subscription) State() (Rows, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.Clone(), s.progress
}

// Close ends the subscription: it cancels the statement and closes the
// connection, and returns once the server has the cancel request (pgx
// sends it from a goroutine of its own).
func (s *Subscription) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		<-s.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.conn.Close(ctx)
		select {
		case <-s.conn.PgConn().CleanupDone():
		case <-ctx.Done():
		}
	})
}
