package pgwire

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// flushThreshold is the amount of buffered output that is written out in
// the middle of a result, so that a large result streams instead of
// piling up in memory.
const flushThreshold = 64 << 10

// readAhead bounds the bytes the connReader reads ahead of the loop.
const readAhead = 256 << 10

// conn is one client connection. Its fields below mu are used only by the
// connection's own goroutine, except where noted.
type conn struct {
	srv *Server
	nc  net.Conn // the socket, or the TLS connection over it
	raw net.Conn // the socket; set once, so Shutdown may set its deadlines
	log *slog.Logger

	rd  *connReader
	be  *pgproto3.Backend
	out []byte // messages not yet written
	// outMark is len(out) at the end of the last complete message; a panic
	// in the middle of encoding one cuts out back to it.
	outMark int

	// ctx lives as long as the connection; it is canceled when the client
	// goes away or Shutdown terminates the connection, which cancels the
	// running query too.
	ctx    context.Context
	cancel context.CancelFunc

	// Set once at startup, then read-only (pid and secret are read by
	// Server.cancel on other goroutines after admitSession published them).
	pid            uint32
	secret         [4]byte
	countedSession bool
	user           string
	sess           Session
	// channelBinding is the tls-server-end-point data of the connection's
	// TLS certificate, for SCRAM-SHA-256-PLUS; nil without TLS.
	channelBinding []byte

	stmts   map[string]*statement
	portals map[string]*portal
	// skipToSync is set after an error in an extended-query message: the
	// rest of the messages up to Sync are discarded.
	skipToSync bool
	// flushNeeded asks receive to write the output out before it waits.
	flushNeeded bool
	// fatal, when set, ends the connection after the current message: the
	// socket failed, so nothing more can be sent.
	fatal error
	// broken, when set, ends the connection after the current message with
	// a FATAL error: the client broke the protocol inside a COPY in a way
	// that leaves the stream unusable.
	broken error
	// env is the text conversion environment of the current statement.
	env types.Env
	// messageCancel ends the context of the message being handled, when
	// beginQuery made one for it.
	messageCancel context.CancelFunc

	// interrupted and terminating are set by Shutdown, from its goroutine.
	interrupted atomic.Bool
	terminating atomic.Bool

	// mu guards what other goroutines touch: the Notifier of a session
	// called from outside the connection's goroutine, and Server.cancel.
	mu sync.Mutex
	// busy is true while the connection's goroutine handles a message;
	// when false, it is waiting for the client with nothing buffered, and
	// notices and parameter reports are written out at once.
	busy          bool
	queryCancel   context.CancelFunc
	notices       []*pgerror.Error
	paramsPending []paramStatus
	closed        bool
}

type paramStatus struct{ name, value string }

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv:     s,
		nc:      nc,
		raw:     nc,
		log:     s.log.With("remote", nc.RemoteAddr().String()),
		ctx:     ctx,
		cancel:  cancel,
		stmts:   map[string]*statement{},
		portals: map[string]*portal{},
		busy:    true,
	}
	_, _ = rand.Read(c.secret[:])
	return c
}

// serve runs the connection from startup to its end.
func (c *conn) serve() {
	defer c.close()
	defer func() {
		// A panic outside the handling of one message (startup, auth, the
		// loop itself) ends this connection only.
		if r := recover(); r != nil {
			c.log.Warn("pgwire: panic serving connection", "panic", r, "stack", string(debug.Stack()))
			c.out = c.out[:c.outMark]
			c.sendFatal(pgerror.Internalf("internal error: %v", r))
		}
	}()
	_ = c.nc.SetDeadline(time.Now().Add(c.srv.cfg.StartupTimeout))
	if !c.startup() {
		return
	}
	_ = c.nc.SetDeadline(time.Time{})
	c.loop()
}

// close ends the connection: the session, the socket, the reader.
func (c *conn) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	for name, p := range c.portals {
		p.close()
		delete(c.portals, name)
	}
	if c.sess != nil {
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.log.Warn("pgwire: panic in Session.Close", "panic", r, "stack", string(debug.Stack()))
				}
			}()
			if err := c.sess.Close(); err != nil {
				c.log.Warn("pgwire: closing session", "err", err)
			}
		}()
	}
	if c.rd != nil {
		c.rd.stop()
	}
	_ = c.nc.Close()
	c.log.Debug("pgwire: connection closed", "pid", c.pid)
}

// loop reads and handles messages until the connection ends.
func (c *conn) loop() {
	for {
		if c.terminating.Load() {
			c.closeWithFatal(adminShutdownError())
			return
		}
		msg, err := c.receive()
		if err != nil {
			c.receiveFailed(err)
			return
		}
		if c.skipToSync {
			switch msg.(type) {
			case *pgproto3.Sync:
			case *pgproto3.Terminate:
				return
			default:
				continue
			}
		}
		if c.handle(msg) {
			return
		}
		if c.fatal != nil {
			return
		}
		if c.broken != nil {
			c.receiveFailed(c.broken)
			return
		}
	}
}

// receive waits for the client's next message, marking the connection idle
// while it waits. Output is written out when a ReadyForQuery or a Flush
// asked for it: as in PostgreSQL, the answers to a pipeline of
// extended-query messages go out together at its Sync, in one write.
func (c *conn) receive() (pgproto3.FrontendMessage, error) {
	if c.flushNeeded || len(c.out) >= flushThreshold {
		c.flushNeeded = false
		if err := c.flush(); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	// Notices may be written at once while idle, unless answers are still
	// buffered: they would overtake them. What the session reported while
	// the connection was busy finishing goes out now.
	c.busy = len(c.out) > 0
	if !c.busy {
		c.writeQueuedLocked()
	}
	c.mu.Unlock()
	c.rd.setIdle(true)
	msg, err := c.be.Receive()
	c.rd.setIdle(false)
	c.mu.Lock()
	c.busy = true
	c.mu.Unlock()
	return msg, err
}

// receiveFailed ends the connection after a failed read: quietly when the
// client is gone, with FATAL otherwise.
func (c *conn) receiveFailed(err error) {
	var gone *clientGoneError
	switch {
	case errors.As(err, &gone):
		c.log.Debug("pgwire: client went away", "pid", c.pid, "err", gone.err)
	case errors.Is(err, errInterrupted):
		c.closeWithFatal(adminShutdownError())
	case tooLargeError(err) != nil:
		c.closeWithFatal(tooLargeError(err))
	default:
		var pe *pgerror.Error
		if errors.As(err, &pe) {
			c.closeWithFatal(pe)
			return
		}
		c.closeWithFatal(pgerror.Newf(pgerror.ProtocolViolation, "invalid frontend message: %v", err))
	}
}

// tooLargeError describes a message over the size limit, or returns nil
// when err is something else.
func tooLargeError(err error) *pgerror.Error {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	if !errors.As(err, &tooBig) {
		return nil
	}
	return pgerror.Newf(pgerror.ProtocolViolation, "message of %d bytes exceeds the maximum message size of %d bytes",
		tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen)
}

// handle handles one message and reports whether the connection must end.
// A panic anywhere below is recovered here: the client gets XX000 and the
// connection goes on.
func (c *conn) handle(msg pgproto3.FrontendMessage) (done bool) {
	defer func() {
		if r := recover(); r != nil {
			c.recoverPanic(msg, r)
		}
	}()
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(m.String)
	case *pgproto3.Parse:
		c.parse(m)
	case *pgproto3.Bind:
		c.bind(m)
	case *pgproto3.Describe:
		c.describe(m)
	case *pgproto3.Execute:
		c.execute(m)
	case *pgproto3.Close:
		c.closeMessage(m)
	case *pgproto3.Sync:
		c.sync()
	case *pgproto3.Flush:
		c.flushNeeded = true
	case *pgproto3.Terminate:
		return true
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// The rest of a COPY that failed: the protocol says to drop it.
	case *pgproto3.FunctionCall:
		c.sendError(pgerror.Unsupportedf("the function call sub-protocol is not supported"), 0)
		c.sendReadyForQuery()
	default:
		c.closeWithFatal(pgerror.Newf(pgerror.ProtocolViolation, "unexpected message type %T", msg))
		return true
	}
	return false
}

// recoverPanic turns a panic while handling msg into an XX000 error for the
// client, and puts the connection back in a state where it can go on.
func (c *conn) recoverPanic(msg pgproto3.FrontendMessage, r any) {
	c.log.Warn("pgwire: panic handling message", "pid", c.pid, "message", msgName(msg),
		"panic", r, "stack", string(debug.Stack()))
	c.out = c.out[:c.outMark]
	c.endQuery()
	// Whatever result was being read is abandoned: portals that were
	// running lose it. The session's own state is its business.
	for name, p := range c.portals {
		if p.running() {
			delete(c.portals, name)
			c.closeQuietly(p)
		}
	}
	c.sendError(pgerror.Internalf("internal error: %v", r), 0)
	switch msg.(type) {
	case *pgproto3.Query, *pgproto3.FunctionCall, *pgproto3.Sync:
		c.sendReadyForQuery()
	default:
		c.skipToSync = true
	}
}

// closeQuietly closes a portal whose result may be broken: a panic in
// Result.Close is logged, not propagated.
func (c *conn) closeQuietly(p *portal) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Warn("pgwire: panic closing a result", "pid", c.pid, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	p.close()
}

func msgName(msg pgproto3.FrontendMessage) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

// beginQuery returns the context of the work for one message: canceled by
// a CancelRequest, by the client going away, or by a forced shutdown.
func (c *conn) beginQuery() context.Context {
	ctx, cancel := context.WithCancel(c.ctx)
	c.messageCancel = cancel
	c.mu.Lock()
	c.queryCancel = cancel
	c.mu.Unlock()
	c.env = types.Env{Loc: c.timeZone(), Now: time.Now()}
	c.rd.watchAfter(watchDelay)
	return ctx
}

// beginPortalQuery is beginQuery for an Execute of portal p: the work runs
// in the portal's context, which outlives the message (see portal.ctx), and
// a CancelRequest meanwhile cancels that.
func (c *conn) beginPortalQuery(p *portal) context.Context {
	c.mu.Lock()
	c.queryCancel = p.cancel
	c.mu.Unlock()
	c.env = types.Env{Loc: c.timeZone(), Now: time.Now()}
	c.rd.watchAfter(watchDelay)
	return p.ctx
}

// endQuery ends the work of a message: its context, unless it is a
// portal's, which lives on.
func (c *conn) endQuery() {
	c.rd.unwatch()
	c.mu.Lock()
	c.queryCancel = nil
	c.mu.Unlock()
	if c.messageCancel != nil {
		c.messageCancel()
		c.messageCancel = nil
	}
}

// cancelQuery cancels the running query, if any; called by Server.cancel.
func (c *conn) cancelQuery() {
	c.mu.Lock()
	cancel := c.queryCancel
	c.mu.Unlock()
	if cancel != nil {
		c.log.Debug("pgwire: canceling query", "pid", c.pid)
		cancel()
	}
}

// interrupt asks the connection to end as soon as it is idle.
func (c *conn) interrupt() {
	c.interrupted.Store(true)
	if rd := c.reader(); rd != nil {
		rd.interrupt()
	}
}

// terminate ends the connection now: its query is canceled, and reads and
// writes that wait on the client give up shortly.
func (c *conn) terminate() {
	c.terminating.Store(true)
	c.interrupted.Store(true)
	// Give the FATAL message a moment to reach a client that reads, and
	// unblock a write to one that does not; force then ends a read at once.
	_ = c.raw.SetDeadline(time.Now().Add(time.Second))
	if rd := c.reader(); rd != nil {
		rd.force()
	}
	c.cancel()
}

func (c *conn) reader() *connReader {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rd
}

func (c *conn) timeZone() *time.Location {
	if tz, ok := c.sess.(SessionTimeZone); ok {
		if loc := tz.TimeZone(); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// send appends a message to the output buffer.
func (c *conn) send(msg pgproto3.BackendMessage) {
	out, err := msg.Encode(c.out)
	if err != nil {
		// Only a message over the protocol's 1 GiB limit fails to encode.
		c.log.Warn("pgwire: could not encode message", "err", err)
		c.out = c.out[:c.outMark]
		c.sendErrorResponse(pgerror.Newf(pgerror.ProgramLimitExceeded, "could not encode message: %v", err), 0)
		return
	}
	c.out = out
	c.outMark = len(out)
}

// flush writes the output buffer to the client.
func (c *conn) flush() error {
	if c.fatal != nil {
		return c.fatal
	}
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.out)
	if cap(c.out) > 4*flushThreshold {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	c.outMark = 0
	if err != nil {
		c.fatal = &clientGoneError{err: err}
		c.cancel()
		return c.fatal
	}
	return nil
}

// maybeFlush writes out a large output buffer in the middle of a result.
func (c *conn) maybeFlush() error {
	if len(c.out) >= flushThreshold {
		return c.flush()
	}
	return nil
}

// sendReadyForQuery reports what the session queued (notices, parameter
// changes) and then ReadyForQuery with its transaction status. Portals live
// only as long as the transaction they were made in, so outside a
// transaction block they all go, as in PostgreSQL.
func (c *conn) sendReadyForQuery() {
	if c.terminating.Load() || c.broken != nil || c.fatal != nil {
		return // the connection ends; a FATAL error comes instead, if it can
	}
	status := c.sess.TxnStatus()
	if status == 'I' {
		for name, p := range c.portals {
			p.close()
			delete(c.portals, name)
		}
	}
	c.drainNotices()
	c.mu.Lock()
	params := c.paramsPending
	c.paramsPending = nil
	c.mu.Unlock()
	for _, p := range params {
		c.send(&pgproto3.ParameterStatus{Name: p.name, Value: p.value})
	}
	c.send(&pgproto3.ReadyForQuery{TxStatus: status})
	c.flushNeeded = true
}

// drainNotices writes the notices the session sent while this connection
// was busy.
func (c *conn) drainNotices() {
	c.mu.Lock()
	notices := c.notices
	c.notices = nil
	c.mu.Unlock()
	for _, n := range notices {
		c.send((*pgproto3.NoticeResponse)(c.errorFields(n, 0, pgerror.SeverityNotice)))
	}
}

// closeWithFatal sends a FATAL error and marks the connection for closing.
func (c *conn) closeWithFatal(e *pgerror.Error) {
	c.sendFatal(e)
	_ = c.flush()
}

func (c *conn) sendFatal(e *pgerror.Error) {
	f := *e
	f.Severity = pgerror.SeverityFatal
	c.sendErrorResponse(&f, 0)
}

func adminShutdownError() *pgerror.Error {
	return pgerror.New(pgerror.AdminShutdown, "terminating connection due to administrator command")
}

func shuttingDownError() *pgerror.Error {
	return pgerror.New(pgerror.CannotConnectNow, "the database system is shutting down")
}

// writeQueuedLocked writes the queued notices and parameter reports
// straight to the client; c.mu is held and the connection is idle.
func (c *conn) writeQueuedLocked() {
	if len(c.notices) == 0 && len(c.paramsPending) == 0 {
		return
	}
	var buf []byte
	for _, n := range c.notices {
		buf, _ = (*pgproto3.NoticeResponse)(c.errorFields(n, 0, pgerror.SeverityNotice)).Encode(buf)
	}
	for _, p := range c.paramsPending {
		buf, _ = (&pgproto3.ParameterStatus{Name: p.name, Value: p.value}).Encode(buf)
	}
	c.notices, c.paramsPending = nil, nil
	_, _ = c.nc.Write(buf)
}

// notifier is the Notifier a connection gives its session. The session
// may call it from any goroutine.
type notifier struct{ c *conn }

func (n notifier) Notice(e *pgerror.Error) {
	c := n.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.busy {
		c.notices = append(c.notices, e)
		return
	}
	// Idle: nobody else writes now; send it at once.
	msg, err := (*pgproto3.NoticeResponse)(c.errorFields(e, 0, pgerror.SeverityNotice)).Encode(nil)
	if err == nil {
		_, _ = c.nc.Write(msg)
	}
}

func (n notifier) ParameterStatus(name, value string) {
	c := n.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.busy {
		for i, p := range c.paramsPending {
			if p.name == name {
				c.paramsPending = append(c.paramsPending[:i], c.paramsPending[i+1:]...)
				break
			}
		}
		c.paramsPending = append(c.paramsPending, paramStatus{name, value})
		return
	}
	msg, err := (&pgproto3.ParameterStatus{Name: name, Value: value}).Encode(nil)
	if err == nil {
		_, _ = c.nc.Write(msg)
	}
}
