package pgwire

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// runCopy runs a COPY FROM STDIN or COPY TO STDOUT statement, with its
// sub-protocol, and reports whether it succeeded.
func (c *conn) runCopy(ctx context.Context, p Prepared, params []types.Datum, spec CopySpec, posBase int) bool {
	if spec.In {
		return c.copyIn(ctx, p, params, spec, posBase)
	}
	return c.copyOut(ctx, p, params, spec, posBase)
}

func copyFormats(spec CopySpec) (overall byte, cols []uint16) {
	cols = make([]uint16, spec.Columns)
	if spec.Binary {
		overall = 1
		for i := range cols {
			cols[i] = 1
		}
	}
	return overall, cols
}

// copyIn sends CopyInResponse and runs the statement with the client's
// CopyData as its input. In binary format the bytes are passed on as they
// are: the SQL layer reads the COPY binary format.
func (c *conn) copyIn(ctx context.Context, p Prepared, params []types.Datum, spec CopySpec, posBase int) bool {
	overall, cols := copyFormats(spec)
	c.send(&pgproto3.CopyInResponse{OverallFormat: overall, ColumnFormatCodes: cols})
	if err := c.flush(); err != nil {
		return false
	}
	in := &copyInReader{c: c, ctx: ctx}
	res, err := c.sess.Execute(ctx, p, params, ExecOptions{CopyIn: in})
	if err == nil {
		err = drainResult(ctx, res)
	}
	if err == nil && !in.finished {
		// The statement left data unread; the client still sends it.
		_, err = io.Copy(io.Discard, in)
	}
	in.closed = true
	if err != nil {
		var gone *clientGoneError
		switch {
		case errors.As(in.connErr, &gone):
			c.fatal = in.connErr
		case in.connErr != nil:
			c.broken = in.connErr
			return false // the FATAL for it follows
		}
		c.sendError(err, posBase)
		return false
	}
	c.drainNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag())})
	return true
}

// copyOut runs the statement and sends what it writes as CopyData. The
// CopyOutResponse goes out with the first data, or after the statement
// succeeded, so that a statement failing at once is a plain error.
func (c *conn) copyOut(ctx context.Context, p Prepared, params []types.Datum, spec CopySpec, posBase int) bool {
	started := false
	start := func() {
		if !started {
			started = true
			overall, cols := copyFormats(spec)
			c.send(&pgproto3.CopyOutResponse{OverallFormat: overall, ColumnFormatCodes: cols})
		}
	}
	out := func(data []byte) error {
		if c.fatal != nil {
			return c.fatal
		}
		start()
		c.send(&pgproto3.CopyData{Data: data})
		return c.maybeFlush()
	}
	res, err := c.sess.Execute(ctx, p, params, ExecOptions{CopyOut: out})
	if err == nil {
		err = drainResult(ctx, res)
	}
	if err != nil {
		c.sendError(err, posBase)
		return false
	}
	start()
	c.send(&pgproto3.CopyDone{})
	c.drainNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag())})
	return true
}

// drainResult reads a result that has no rows to send to its end, and
// closes it.
func drainResult(ctx context.Context, res Result) error {
	defer res.Close()
	for {
		_, err := res.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// copyInReader is the io.Reader of COPY FROM STDIN: the payloads of the
// client's CopyData messages, up to CopyDone (io.EOF) or CopyFail (57014).
type copyInReader struct {
	c       *conn
	ctx     context.Context
	pending []byte // the unread rest of the last CopyData; valid until the next Receive
	err     error  // sticky
	// finished: CopyDone or CopyFail arrived (or the stream broke), so
	// nothing of the copy is left to discard.
	finished bool
	// connErr is set when the connection itself failed during the copy.
	connErr error
	closed  bool
}

func (r *copyInReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.closed {
			r.err = pgerror.Internalf("COPY FROM STDIN data read after the statement ended")
			return 0, r.err
		}
		if err := r.ctx.Err(); err != nil {
			r.err = pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
			return 0, r.err
		}
		msg, err := r.c.be.Receive()
		if err != nil {
			r.finished = true
			var gone *clientGoneError
			if errors.As(err, &gone) {
				r.connErr = err
				r.err = pgerror.New(pgerror.ConnectionFailure, "unexpected EOF on client connection with an open transaction")
			} else {
				r.connErr = err
				r.err = pgerror.Newf(pgerror.ProtocolViolation, "invalid message during COPY from stdin: %v", err)
			}
			return 0, r.err
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			r.pending = m.Data
		case *pgproto3.CopyDone:
			r.finished = true
			r.err = io.EOF
		case *pgproto3.CopyFail:
			r.finished = true
			r.err = pgerror.Newf(pgerror.QueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
			// Ignored during COPY, as the protocol says: a client in the
			// extended protocol may have sent Sync ahead of its data.
		default:
			r.finished = true
			r.err = pgerror.Newf(pgerror.ProtocolViolation, "unexpected message type %s during COPY from stdin", msgName(msg))
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}
