package pgwire

import (
	"errors"
	"net"
	"sync"
	"time"
)

// connReader is what the connection's message loop reads the client's
// socket through.
//
// Between messages and while it parses one, the loop reads the socket
// itself, on its own goroutine: a request wakes the one goroutine that
// answers it, with no hand-off from a reading goroutine to the loop. That
// hand-off (a wake-up of a second goroutine per message, often of a second
// OS thread) cost a point query more than its execution did.
//
// While the loop handles a message it does not read, so it would not
// notice a client that went away in the middle of a long query. watchAfter
// arms a timer when a message's work begins: if the work is still running
// when it fires, a watch goroutine starts reading ahead into a bounded
// buffer, and when the stream ends it calls onGone, which cancels the
// connection's context and so the query. The loop's next Read stops the
// watcher (a read deadline in the past ends its pending read) and takes
// what it buffered. Short statements, the common case, never start one.
// The buffer is bounded, so a client that pipelines faster than queries
// run is held back by TCP as usual.
//
// Read also returns errInterrupted, instead of waiting, once Shutdown has
// interrupted the connection and the loop is waiting for a new message
// (setIdle): that is how an idle session learns it must end. A deadline in
// the past wakes a loop blocked in its read.
type connReader struct {
	src    net.Conn
	limit  int    // the watcher reads no more while this many bytes are unread
	onGone func() // called once when src fails

	timer *time.Timer // starts the watcher; made by the first watchAfter

	mu          sync.Mutex
	cond        sync.Cond
	data        []byte // data[rp:] is unread (read ahead by the watcher)
	rp          int
	err         error // sticky: set when src failed
	idle        bool  // the loop waits for a new message, not the rest of one
	interrupted bool  // Shutdown asked the connection to end when idle
	forced      bool  // end now, even in the middle of a message
	stopped     bool  // the connection is closing
	direct      bool  // the loop is in a read of src
	watching    bool  // the watch goroutine runs
	stopWatch   bool  // the watch goroutine must return
	goneCalled  bool
}

// watchDelay is how long a message's work runs before the socket is
// watched for the client going away.
const watchDelay = 20 * time.Millisecond

// errInterrupted is returned by connReader.Read after interrupt, when the
// connection is idle (or after force, at once).
var errInterrupted = errors.New("pgwire: connection interrupted by server shutdown")

// clientGoneError wraps the error that ended the client's stream: EOF, a
// reset, a closed socket, a deadline. It is never a protocol violation.
type clientGoneError struct{ err error }

func (e *clientGoneError) Error() string { return "client connection ended: " + e.err.Error() }
func (e *clientGoneError) Unwrap() error { return e.err }

// longAgo is a read deadline that has passed: it ends a pending read.
var longAgo = time.Unix(1, 0)

func newConnReader(src net.Conn, limit int, onGone func()) *connReader {
	r := &connReader{src: src, limit: limit, onGone: onGone}
	r.cond.L = &r.mu
	return r
}

// Read implements io.Reader for the message loop. It returns what the
// watcher read ahead, if anything, and otherwise reads src directly.
func (r *connReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	for {
		if r.forced {
			r.mu.Unlock()
			return 0, errInterrupted
		}
		if r.rp < len(r.data) {
			n := copy(p, r.data[r.rp:])
			r.rp += n
			if r.rp == len(r.data) {
				r.data, r.rp = r.data[:0], 0
			}
			// Once a message has begun, the rest of it is read even after
			// an interrupt: the loop never stops halfway through a message.
			r.idle = false
			r.cond.Broadcast() // a watcher held back by the limit may go on
			r.mu.Unlock()
			return n, nil
		}
		if r.err != nil {
			err := r.err
			r.mu.Unlock()
			return 0, err
		}
		if r.interrupted && r.idle {
			r.mu.Unlock()
			return 0, errInterrupted
		}
		if !r.watching {
			break
		}
		r.stopWatcherLocked()
	}
	r.direct = true
	r.mu.Unlock()
	for {
		n, err := r.src.Read(p)
		r.mu.Lock()
		r.direct = false
		if n > 0 {
			r.idle = false
		}
		if err == nil || n > 0 {
			r.mu.Unlock()
			return n, nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && !r.stopped {
			// A deadline set to wake this read: by force, by an interrupt
			// while idle, or one that lost a race with the read's return.
			if r.forced || (r.interrupted && r.idle) {
				r.mu.Unlock()
				return 0, errInterrupted
			}
			_ = r.src.SetReadDeadline(time.Time{})
			r.direct = true
			r.mu.Unlock()
			continue
		}
		r.failLocked(err)
		err = r.err
		r.mu.Unlock()
		r.gone()
		return 0, err
	}
}

// failLocked records the error that ended the client's stream.
func (r *connReader) failLocked(err error) {
	if r.err == nil {
		r.err = &clientGoneError{err: err}
	}
	r.cond.Broadcast()
}

// gone calls onGone once; r.mu is not held.
func (r *connReader) gone() {
	r.mu.Lock()
	call := !r.goneCalled && r.onGone != nil
	r.goneCalled = true
	r.mu.Unlock()
	if call {
		r.onGone()
	}
}

// stopWatcherLocked ends the watch goroutine and waits for it; r.mu is
// held (and released while waiting).
func (r *connReader) stopWatcherLocked() {
	r.stopWatch = true
	_ = r.src.SetReadDeadline(longAgo)
	r.cond.Broadcast()
	for r.watching {
		r.cond.Wait()
	}
	r.stopWatch = false
	if !r.forced && !(r.interrupted && r.idle) {
		_ = r.src.SetReadDeadline(time.Time{})
	}
}

// watchAfter starts watching the socket if the work that begins now is
// still running after d; unwatch disarms it.
func (r *connReader) watchAfter(d time.Duration) {
	if r.timer == nil {
		r.timer = time.AfterFunc(d, r.startWatcher)
		return
	}
	r.timer.Reset(d)
}

// unwatch disarms the timer of watchAfter. A watcher already started runs
// until the loop's next Read.
func (r *connReader) unwatch() {
	if r.timer != nil {
		r.timer.Stop()
	}
}

// startWatcher starts the watch goroutine unless the loop reads the socket
// itself (it will notice the client going away on its own), one runs
// already, or the stream is over.
func (r *connReader) startWatcher() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.direct || r.watching || r.stopped || r.forced || r.err != nil {
		return
	}
	r.watching = true
	go r.watch()
}

// watch reads src ahead into the buffer until the loop stops it or src
// fails. It is the body of the watch goroutine.
func (r *connReader) watch() {
	tmp := make([]byte, 32<<10)
	r.mu.Lock()
	defer func() {
		r.watching = false
		r.cond.Broadcast()
		r.mu.Unlock()
	}()
	for {
		for len(r.data)-r.rp >= r.limit && !r.stopWatch && !r.stopped {
			r.cond.Wait()
		}
		if r.stopWatch || r.stopped {
			return
		}
		r.mu.Unlock()
		n, err := r.src.Read(tmp)
		r.mu.Lock()
		if n > 0 {
			r.data = append(r.data, tmp[:n]...)
			r.cond.Broadcast()
		}
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if r.stopWatch || r.stopped || r.forced {
				return
			}
			// A deadline meant for the loop's own read (an interrupt):
			// the loop is busy, so keep watching.
			_ = r.src.SetReadDeadline(time.Time{})
			continue
		}
		r.failLocked(err)
		r.mu.Unlock()
		r.gone()
		r.mu.Lock()
		return
	}
}

// setIdle marks whether the loop is about to wait for a new message.
func (r *connReader) setIdle(idle bool) {
	r.mu.Lock()
	r.idle = idle
	r.mu.Unlock()
}

// interrupt makes Read fail with errInterrupted the next time the loop
// waits for a new message with nothing buffered, or now if it waits.
func (r *connReader) interrupt() {
	r.mu.Lock()
	r.interrupted = true
	if r.direct && r.idle {
		_ = r.src.SetReadDeadline(longAgo)
	}
	r.cond.Broadcast()
	r.mu.Unlock()
}

// force makes Read fail with errInterrupted at once.
func (r *connReader) force() {
	r.mu.Lock()
	r.interrupted, r.forced = true, true
	_ = r.src.SetReadDeadline(longAgo)
	r.cond.Broadcast()
	r.mu.Unlock()
}

// stop ends the watcher, if any, once its current read returns; the
// caller closes the socket to end that read.
func (r *connReader) stop() {
	r.mu.Lock()
	r.stopped = true
	r.cond.Broadcast()
	r.mu.Unlock()
	r.unwatch()
}
