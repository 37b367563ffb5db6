package portals

import (
	"context"
	"sync"
)

// signal wakes everyone waiting for "something committed": runners with
// new input, subscribers, and sessions waiting for a workflow to catch up.
// Waiters take the current channel and block until it is closed.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

// wait returns the channel that the next broadcast closes.
func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

func (s *signal) broadcast() {
	s.mu.Lock()
	close(s.ch)
	s.ch = make(chan struct{})
	s.mu.Unlock()
}

// sleep blocks until ch closes or ctx ends.
func sleep(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
