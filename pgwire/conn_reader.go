package pgwire

import (
	"errors"
	"io"
	"sync"
)

// connReader reads a client's socket on a goroutine of its own and hands
// the bytes to the connection's message loop through a bounded buffer.
//
// Reading ahead is what lets a session notice that its client went away
// while a query runs: the loop is busy in Session.Execute and does not
// read, but the reader sees the end of the stream and calls onGone, which
// cancels the connection's context. The buffer is bounded, so a client
// that pipelines faster than queries run is held back by TCP as usual.
//
// Read also returns errInterrupted, instead of waiting, once Shutdown has
// interrupted the connection and the loop is waiting for a new message
// (setIdle): that is how an idle session learns it must end.
type connReader struct {
	src    io.Reader
	limit  int    // read no more while this many bytes are unread
	onGone func() // called once, on the reader goroutine, when src fails

	mu          sync.Mutex
	cond        sync.Cond
	data        []byte // data[rp:] is unread
	rp          int
	err         error // sticky: set when src failed
	idle        bool  // the loop waits for a new message, not the rest of one
	interrupted bool  // Shutdown asked the connection to end when idle
	forced      bool  // end now, even in the middle of a message
	stopped     bool  // the connection is closing; the goroutine must exit
}

// errInterrupted is returned by connReader.Read after interrupt, when the
// connection is idle (or after force, at once).
var errInterrupted = errors.New("pgwire: connection interrupted by server shutdown")

// clientGoneError wraps the error that ended the client's stream: EOF, a
// reset, a closed socket, a deadline. It is never a protocol violation.
type clientGoneError struct{ err error }

func (e *clientGoneError) Error() string { return "client connection ended: " + e.err.Error() }
func (e *clientGoneError) Unwrap() error { return e.err }

func newConnReader(src io.Reader, limit int, onGone func()) *connReader {
	r := &connReader{src: src, limit: limit, onGone: onGone}
	r.cond.L = &r.mu
	return r
}

// run reads src until it fails or stop is called. It is the body of the
// reader goroutine.
func (r *connReader) run() {
	tmp := make([]byte, 32<<10)
	for {
		r.mu.Lock()
		for len(r.data)-r.rp >= r.limit && !r.stopped {
			r.cond.Wait()
		}
		stopped := r.stopped
		r.mu.Unlock()
		if stopped {
			return
		}
		n, err := r.src.Read(tmp)
		r.mu.Lock()
		if n > 0 {
			if r.rp == len(r.data) {
				r.data, r.rp = r.data[:0], 0
			}
			r.data = append(r.data, tmp[:n]...)
		}
		if err != nil {
			r.err = &clientGoneError{err: err}
		}
		r.cond.Broadcast()
		r.mu.Unlock()
		if err != nil {
			if r.onGone != nil {
				r.onGone()
			}
			return
		}
	}
}

// Read implements io.Reader for the message loop.
func (r *connReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.rp == len(r.data) {
		switch {
		case r.forced, r.interrupted && r.idle:
			return 0, errInterrupted
		case r.err != nil:
			return 0, r.err
		}
		r.cond.Wait()
	}
	if r.forced {
		return 0, errInterrupted
	}
	n := copy(p, r.data[r.rp:])
	r.rp += n
	// Once a message has begun, the rest of it is read even after an
	// interrupt: the loop never stops halfway through a message.
	r.idle = false
	r.cond.Broadcast()
	return n, nil
}

// setIdle marks whether the loop is about to wait for a new message.
func (r *connReader) setIdle(idle bool) {
	r.mu.Lock()
	r.idle = idle
	r.mu.Unlock()
}

// interrupt makes Read fail with errInterrupted the next time the loop
// waits for a new message with nothing buffered.
func (r *connReader) interrupt() {
	r.mu.Lock()
	r.interrupted = true
	r.cond.Broadcast()
	r.mu.Unlock()
}

// force makes Read fail with errInterrupted at once.
func (r *connReader) force() {
	r.mu.Lock()
	r.interrupted, r.forced = true, true
	r.cond.Broadcast()
	r.mu.Unlock()
}

// stop lets the reader goroutine exit once its current read returns; the
// caller closes the socket to end that read.
func (r *connReader) stop() {
	r.mu.Lock()
	r.stopped = true
	r.cond.Broadcast()
	r.mu.Unlock()
}
