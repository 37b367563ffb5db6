package pgwire

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

const adminShutdownMsg = "E FATAL 57P01 terminating connection due to administrator command"

func TestShutdownEndsIdleSessions(t *testing.T) {
	eng := newFakeEngine()
	srv, addr := startServer(t, Config{}, eng)
	idle := startRaw(t, addr)
	inTxn := startRaw(t, addr)
	inTxn.send(&pgproto3.Query{String: "begin"})
	inTxn.untilReady()
	if err := srv.Shutdown(testCtx(t)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, c := range []*rawClient{idle, inTxn} {
		if got := c.untilClosed(); !equalStrings(got, []string{adminShutdownMsg}) {
			t.Fatalf("got %q", got)
		}
	}
	if eng.closed.Load() != 2 {
		t.Fatalf("%d sessions closed, want 2", eng.closed.Load())
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("the server still accepts connections")
	}
}

func TestShutdownWaitsForBusySessions(t *testing.T) {
	eng := newFakeEngine()
	srv, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "block"})
	<-eng.blocked
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(testCtx(t)) }()
	close(eng.release)
	// The statement finishes and is answered; then the session ends.
	want := []string{"C BLOCK", "Z I", adminShutdownMsg}
	if got := c.untilClosed(); !equalStrings(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

func TestShutdownDeadlineCancelsRunningQueries(t *testing.T) {
	eng := newFakeEngine()
	srv, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "sleep"})
	<-eng.sleeping
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline has already passed
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want the context's error", err)
	}
	<-eng.canceled
	if got := c.untilClosed(); !equalStrings(got, []string{adminShutdownMsg}) {
		t.Fatalf("got %q", got)
	}
	if eng.closed.Load() != eng.opened.Load() {
		t.Fatal("a session was not closed")
	}
}

func TestShutdownWithoutConnections(t *testing.T) {
	srv, _ := startServer(t, Config{}, newFakeEngine())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.Addr() != nil {
		t.Fatalf("Addr after Shutdown = %v", srv.Addr())
	}
}
