package pgwire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// socketPair returns the two ends of a loopback TCP connection.
func socketPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// readN reads exactly n bytes through r.
func readN(t *testing.T, r *connReader, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("reading %d bytes: %v", n, err)
	}
	return buf
}

func (r *connReader) buffered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.data) - r.rp
}

func (r *connReader) isWatching() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.watching
}

func (r *connReader) inDirectRead() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.direct
}

// TestConnReaderWatcherHandsBackWhatItRead starts the watcher, lets it
// read ahead past its limit, and checks that the loop's reads get every
// byte in order, the watcher's and then the socket's; a read that finds
// nothing buffered stops the watcher and reads the socket itself.
func TestConnReaderWatcherHandsBackWhatItRead(t *testing.T) {
	server, client := socketPair(t)
	r := newConnReader(server, 1024, func() { t.Error("onGone called for a live client") })
	r.startWatcher()
	if !r.isWatching() {
		t.Fatal("the watcher did not start")
	}
	want := make([]byte, 8192)
	for i := range want {
		want[i] = byte(i * 7)
	}
	if _, err := client.Write(want[:5000]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "read-ahead up to the limit", func() bool { return r.buffered() >= 1024 })
	got := readN(t, r, 3000)
	if _, err := client.Write(want[5000:]); err != nil {
		t.Fatal(err)
	}
	got = append(got, readN(t, r, len(want)-3000)...)
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read differ from the bytes written")
	}

	// Nothing is buffered now: the next read stops the watcher, which
	// waits in its read of the socket.
	r.startWatcher()
	go func() {
		for r.isWatching() || !r.inDirectRead() {
			time.Sleep(time.Millisecond)
		}
		client.Write([]byte("last"))
	}()
	if got := readN(t, r, 4); string(got) != "last" {
		t.Fatalf("read %q, want %q", got, "last")
	}
	if r.isWatching() {
		t.Error("the watcher still runs after a read found nothing buffered")
	}
}

// TestConnReaderWatcherSeesClientGone checks that a watcher started while
// the loop is busy reports the client going away, and that the loop then
// reads the end of the stream.
func TestConnReaderWatcherSeesClientGone(t *testing.T) {
	server, client := socketPair(t)
	gone := make(chan struct{})
	r := newConnReader(server, 1024, func() { close(gone) })
	r.startWatcher()
	client.Write([]byte("xy"))
	client.Close()
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("onGone was not called after the client closed")
	}
	if got := readN(t, r, 2); string(got) != "xy" {
		t.Fatalf("read %q before the end, want %q", got, "xy")
	}
	var cg *clientGoneError
	if _, err := r.Read(make([]byte, 10)); !errors.As(err, &cg) {
		t.Fatalf("read after the end: %v, want a clientGoneError", err)
	}
}

// TestConnReaderInterrupt checks that an interrupt ends an idle read that
// waits on the socket, but not a read in the middle of a message; force
// ends either.
func TestConnReaderInterrupt(t *testing.T) {
	server, client := socketPair(t)
	r := newConnReader(server, 1024, nil)

	// Mid-message: the interrupt waits for the message to end.
	r.setIdle(true)
	client.Write([]byte("ab"))
	readN(t, r, 2) // the message began
	r.interrupt()
	go func() {
		time.Sleep(10 * time.Millisecond)
		client.Write([]byte("cd"))
	}()
	if got := readN(t, r, 2); string(got) != "cd" {
		t.Fatalf("read %q in the middle of a message after an interrupt, want %q", got, "cd")
	}

	// Idle: the next read fails at once, even while it waits.
	r.setIdle(true)
	if _, err := r.Read(make([]byte, 4)); err != errInterrupted {
		t.Fatalf("idle read after an interrupt: %v, want errInterrupted", err)
	}

	server2, _ := socketPair(t)
	r2 := newConnReader(server2, 1024, nil)
	r2.setIdle(true)
	done := make(chan error, 1)
	go func() {
		_, err := r2.Read(make([]byte, 4))
		done <- err
	}()
	waitFor(t, "the loop to wait in its read", r2.inDirectRead)
	r2.interrupt()
	if err := <-done; err != errInterrupted {
		t.Fatalf("interrupted waiting read: %v, want errInterrupted", err)
	}

	server3, client3 := socketPair(t)
	r3 := newConnReader(server3, 1024, nil)
	client3.Write([]byte("a"))
	readN(t, r3, 1)
	go func() {
		_, err := r3.Read(make([]byte, 4))
		done <- err
	}()
	waitFor(t, "the loop to wait in its read", r3.inDirectRead)
	r3.force()
	if err := <-done; err != errInterrupted {
		t.Fatalf("forced read in the middle of a message: %v, want errInterrupted", err)
	}
}

// TestConnReaderNoWatcherDuringDirectRead checks that the timer does not
// start a second reader of the socket while the loop reads it itself (a
// COPY reads its data while its statement runs).
func TestConnReaderNoWatcherDuringDirectRead(t *testing.T) {
	server, client := socketPair(t)
	r := newConnReader(server, 1024, nil)
	done := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 3)
		io.ReadFull(r, buf)
		done <- buf
	}()
	waitFor(t, "the loop to wait in its read", r.inDirectRead)
	r.startWatcher()
	if r.isWatching() {
		t.Fatal("a watcher started while the loop reads the socket")
	}
	client.Write([]byte("abc"))
	if got := <-done; string(got) != "abc" {
		t.Fatalf("read %q, want abc", got)
	}
}

// TestPipelineDuringLongStatement sends a second query while the first
// still runs (long enough that the socket is watched) and checks that
// both are answered, in order.
func TestPipelineDuringLongStatement(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "block"})
	<-eng.blocked
	time.Sleep(3 * watchDelay) // let the watcher start
	c.send(&pgproto3.Query{String: "select 7"})
	time.Sleep(watchDelay) // let it read the second query ahead
	eng.release <- struct{}{}
	first := c.untilReady()
	second := c.untilReady()
	if want := []string{"C BLOCK", "Z I"}; !equalStrings(first, want) {
		t.Errorf("first answer %q, want %q", first, want)
	}
	if len(second) < 2 || second[len(second)-2] != "C SELECT 1" {
		t.Errorf("second answer %q, want one row and its CommandComplete", second)
	}
}

// TestPipelineDuringLongStatementOverTLS is TestPipelineDuringLongStatement
// over TLS, where the watcher is stopped by a read deadline on the TLS
// connection: a deadline must not break the TLS stream, so the statements
// after it still work.
func TestPipelineDuringLongStatementOverTLS(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{TLS: selfSignedTLS(t)}, eng)
	host, port, _ := net.SplitHostPort(addr)
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, "host="+host+" port="+port+" user=postgres sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	p := conn.PgConn().StartPipeline(ctx)
	p.SendQueryParams("block", nil, nil, nil, nil)
	p.SendQueryParams("select 7", nil, nil, nil, nil)
	p.SendPipelineSync()
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	<-eng.blocked
	time.Sleep(3 * watchDelay) // let the watcher start and read the second query
	eng.release <- struct{}{}
	var tags []string
	for {
		res, err := p.GetResults()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := res.(*pgconn.PipelineSync); ok {
			break
		}
		rr, ok := res.(*pgconn.ResultReader)
		if !ok {
			t.Fatalf("unexpected pipeline result %T", res)
		}
		r := rr.Read()
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		tag := r.CommandTag.String()
		for _, row := range r.Rows {
			tag += " " + string(row[0])
		}
		tags = append(tags, tag)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || tags[0] != "BLOCK" || tags[1] != "SELECT 1 7" {
		t.Fatalf("pipeline answered %q, want BLOCK then one row of 7", tags)
	}
	var v int32
	if err := conn.QueryRow(ctx, "select 8").Scan(&v); err != nil || v != 8 {
		t.Fatalf("the next query over TLS: %d, %v", v, err)
	}
}
