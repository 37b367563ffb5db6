package pgwire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// simpleQuery handles a Query message: the statements of the string run
// one after the other until one fails, each answered with its rows (in
// text) and its CommandComplete; then ReadyForQuery. Whether the
// statements share an implicit transaction is the session's business.
func (c *conn) simpleQuery(query string) {
	ctx := c.beginQuery()
	c.runSimpleQuery(ctx, query)
	c.endQuery()
	c.sendReadyForQuery()
}

func (c *conn) runSimpleQuery(ctx context.Context, query string) {
	// As in PostgreSQL, a simple query discards the unnamed statement and
	// portal of the extended protocol.
	delete(c.stmts, "")
	c.closePortal("")
	stmts, err := c.sess.Split(ctx, query)
	if err != nil {
		c.sendError(err, 0)
		return
	}
	if len(stmts) == 0 {
		c.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	for _, st := range stmts {
		if !c.runSimpleStatement(ctx, query, st) || c.fatal != nil {
			return
		}
	}
}

// runSimpleStatement runs one statement of a simple query and reports
// whether it succeeded.
func (c *conn) runSimpleStatement(ctx context.Context, query string, st RawStatement) bool {
	posBase := charOffset(query, st.Offset())
	p, err := c.sess.Prepare(ctx, st, nil)
	if err != nil {
		c.sendError(err, posBase)
		return false
	}
	if spec, ok := p.Copy(); ok {
		return c.runCopy(ctx, p, nil, spec, posBase)
	}
	res, err := c.sess.Execute(ctx, p, nil, ExecOptions{})
	if err != nil {
		c.sendError(err, posBase)
		return false
	}
	c.drainNotices()
	// A SET TimeZone earlier in the same query string applies to this
	// statement's output, as in PostgreSQL.
	c.env.Loc = c.timeZone()
	s := &rowStream{cols: p.Columns(), res: res}
	defer s.close()
	if s.cols != nil {
		c.send(rowDescription(s.cols, nil))
	}
	if _, _, err := c.sendRows(ctx, s, 0); err != nil {
		c.sendError(err, posBase)
		return false
	}
	c.drainNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag())})
	return true
}
