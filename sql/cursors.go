package sql

import (
	"context"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/sql/parser"
	"portalsdb/types"
)

// Cursors (DECLARE, FETCH, MOVE, CLOSE) hand out a query's rows a FETCH at
// a time, as PostgreSQL's do; drivers use them to read large results in
// pieces (psycopg2's named cursors). A cursor over SUBSCRIBE is a live
// one: its rows never end, and a FETCH waits for the first change to come
// and returns the changes that have arrived, up to its count, so a client
// polls a workflow's changes with plain FETCH statements. Cursors scan
// forward only.

// sqlCursor is a cursor DECLAREd in a session.
type sqlCursor struct {
	name string
	cols []pgwire.Column
	res  pgwire.Result
	// rec is the batch being handed out, from row off on; it stays valid
	// until res.Next is called again.
	rec arrow.RecordBatch
	off int
	eof bool
	// hold cursors outlive their transaction.
	hold bool
	// live cursors (SUBSCRIBE) never end.
	live bool
}

func (c *sqlCursor) close() {
	if c.res != nil {
		c.res.Close()
		c.res = nil
	}
}

// queryRebinder is a cursor's result whose work each FETCH runs under the
// FETCH's own context (its cancel and statement_timeout).
type queryRebinder interface {
	rebind(ctx context.Context)
}

func (r *queryResult) rebind(ctx context.Context) {
	r.ectx.Ctx = ctx
	r.ectx.Eval.Cancel = ctx
}

// declareCursor runs DECLARE name CURSOR FOR query.
func (s *Session) declareCursor(ctx context.Context, pr *prepared, dc *pg.DeclareCursorStmt, params []types.Datum) (pgwire.Result, error) {
	const (
		optBinary = 0x0001
		optScroll = 0x0002
		optHold   = 0x0020
	)
	hold := dc.Options&optHold != 0
	switch {
	case dc.Options&optScroll != 0:
		return nil, s.fail(pgerror.Unsupportedf("SCROLL cursors are not supported"))
	case dc.Options&optBinary != 0:
		return nil, s.fail(pgerror.Unsupportedf("BINARY cursors are not supported"))
	}
	if err := s.checkNewCursor(dc.Portalname, hold); err != nil {
		return nil, err
	}
	inner, err := s.prepare(&parser.Statement{Text: pr.st.Text, AST: dc.Query}, pr.declared)
	if err != nil {
		return nil, s.fail(err)
	}
	if inner.kind != kindQuery || inner.bound.Kind != "SELECT" {
		return nil, s.fail(pgerror.New(pgerror.Syntax, "DECLARE CURSOR must be a SELECT or VALUES query"))
	}
	// The cursor's run outlives this statement's context; each FETCH
	// runs it under its own (see rebind).
	res, err := s.execQuery(context.WithoutCancel(ctx), inner, params)
	if err != nil {
		return nil, err
	}
	c := &sqlCursor{name: dc.Portalname, cols: inner.cols, res: res, hold: hold}
	if hold {
		// A holdable cursor is read to its end now, in this transaction's
		// snapshot, as PostgreSQL does at commit.
		if c.res, err = materialize(ctx, res, inner.cols); err != nil {
			return nil, err
		}
	}
	s.cursors[c.name] = c
	return &tagResult{tag: "DECLARE CURSOR"}, nil
}

// declareSubscribeCursor runs DECLARE name CURSOR FOR SUBSCRIBE ...
func (s *Session) declareSubscribeCursor(ctx context.Context, c *parser.Custom) (pgwire.Result, error) {
	d, err := parser.ParseDeclareSubscribe(c)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.checkNewCursor(d.Name, d.Hold); err != nil {
		return nil, err
	}
	t, _, err := s.catalogView(s.txn).lookupTable(d.Subscribe.Name.Schema, d.Subscribe.Name.Name)
	if err != nil {
		return nil, s.fail(err)
	}
	res, err := s.subscribe(ctx, d.Subscribe)
	if err != nil {
		return nil, err
	}
	s.cursors[d.Name] = &sqlCursor{name: d.Name, cols: subscribeColumns(t), res: res, hold: d.Hold, live: true}
	return &tagResult{tag: "DECLARE CURSOR"}, nil
}

func (s *Session) checkNewCursor(name string, hold bool) error {
	if !hold && s.txn == nil {
		return pgerror.New(pgerror.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, ok := s.cursors[name]; ok {
		return s.fail(pgerror.Newf(pgerror.DuplicateCursor, "cursor %q already exists", name))
	}
	if s.cursors == nil {
		s.cursors = map[string]*sqlCursor{}
	}
	return nil
}

// materialize reads a result to its end into batches of its own.
func materialize(ctx context.Context, res pgwire.Result, cols []pgwire.Column) (pgwire.Result, error) {
	defer res.Close()
	m := &heldResult{schema: schemaOf(cols)}
	for {
		rec, err := res.Next(ctx)
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		// The producer's batch is valid only until its next Next: copy.
		arrs := make([]arrow.Array, rec.NumCols())
		for i, col := range rec.Columns() {
			if arrs[i], err = array.Concatenate([]arrow.Array{col}, memory.DefaultAllocator); err != nil {
				return nil, err
			}
		}
		m.recs = append(m.recs, array.NewRecordBatch(m.schema, arrs, rec.NumRows()))
	}
}

// heldResult is a WITH HOLD cursor's rows, read in advance.
type heldResult struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

func (r *heldResult) Next(context.Context) (arrow.RecordBatch, error) {
	if len(r.recs) == 0 {
		return nil, io.EOF
	}
	rec := r.recs[0]
	r.recs = r.recs[1:]
	return rec, nil
}

func (r *heldResult) Tag() string  { return "" }
func (r *heldResult) Close() error { r.recs = nil; return nil }

// fetchCount is how many rows a FETCH or MOVE asks for; only forward
// fetches are possible.
func fetchCount(fs *pg.FetchStmt) (int64, error) {
	switch fs.Direction {
	case pg.FetchDirection_FETCH_FORWARD:
		return fs.HowMany, nil
	case pg.FetchDirection_FETCH_RELATIVE:
		if fs.HowMany >= 1 {
			return fs.HowMany, nil
		}
	case pg.FetchDirection_FETCH_ABSOLUTE:
	}
	return 0, pgerror.New(pgerror.ObjectNotInPrerequisiteState, "cursor can only scan forward").
		WithHint("portalsdb cursors move forward only: use FETCH [FORWARD] n, NEXT or ALL.")
}

// lookupCursor finds a cursor FETCH, MOVE or CLOSE names.
func (s *Session) lookupCursor(name string) (*sqlCursor, error) {
	c, ok := s.cursors[name]
	if !ok {
		return nil, pgerror.Newf(pgerror.InvalidCursorName, "cursor %q does not exist", name)
	}
	return c, nil
}

// fetch runs FETCH or MOVE.
func (s *Session) fetch(ctx context.Context, fs *pg.FetchStmt) (pgwire.Result, error) {
	c, err := s.lookupCursor(fs.Portalname)
	if err != nil {
		return nil, s.fail(err)
	}
	n, err := fetchCount(fs)
	if err != nil {
		return nil, s.fail(err)
	}
	sctx, cancel := s.statementContext(ctx)
	if r, ok := c.res.(queryRebinder); ok {
		r.rebind(sctx)
	}
	f := &fetchResult{s: s, c: c, want: n, move: fs.Ismove, ctx: sctx, cancel: cancel, schema: schemaOf(c.cols)}
	if fs.Ismove {
		// MOVE reads and drops the rows now.
		for {
			if _, err := f.Next(ctx); err == io.EOF {
				break
			} else if err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// fetchResult hands out a FETCH's rows from its cursor.
type fetchResult struct {
	s      *Session
	c      *sqlCursor
	want   int64
	got    int64
	move   bool
	ctx    context.Context
	cancel context.CancelFunc
	schema *arrow.Schema
	done   bool
}

func (f *fetchResult) Next(ctx context.Context) (arrow.RecordBatch, error) {
	c := f.c
	for !f.done && f.got < f.want {
		if c.rec != nil && c.off < int(c.rec.NumRows()) {
			k := min(int64(c.rec.NumRows())-int64(c.off), f.want-f.got)
			rec := c.rec.NewSlice(int64(c.off), int64(c.off)+k)
			c.off += int(k)
			f.got += k
			if f.move {
				rec.Release()
				continue
			}
			return rec, nil
		}
		// A live cursor returns what has arrived once it has a row.
		if c.eof || c.res == nil || c.live && f.got > 0 {
			break
		}
		rec, err := c.res.Next(f.ctx)
		if err == io.EOF {
			c.eof = true
			break
		}
		if err != nil {
			f.done = true
			f.cancel()
			return nil, f.s.fail(err)
		}
		c.rec, c.off = rec, 0
	}
	f.done = true
	f.cancel()
	return nil, io.EOF
}

func (f *fetchResult) Tag() string {
	if f.move {
		return "MOVE " + strconv.FormatInt(f.got, 10)
	}
	return "FETCH " + strconv.FormatInt(f.got, 10)
}

func (f *fetchResult) Close() error {
	if !f.done {
		f.done = true
		f.cancel()
	}
	return nil
}

// Streaming tells pgwire that a FETCH from a live cursor may wait.
func (f *fetchResult) Streaming() bool { return f.c.live }

// closeCursor runs CLOSE name and CLOSE ALL.
func (s *Session) closeCursor(cp *pg.ClosePortalStmt) (pgwire.Result, error) {
	if cp.Portalname == "" {
		s.closeCursors(true)
		return &tagResult{tag: "CLOSE CURSOR ALL"}, nil
	}
	c, err := s.lookupCursor(cp.Portalname)
	if err != nil {
		return nil, s.fail(err)
	}
	c.close()
	delete(s.cursors, c.name)
	return &tagResult{tag: "CLOSE CURSOR"}, nil
}

// closeCursors closes the cursors a transaction's end closes, or all.
func (s *Session) closeCursors(all bool) {
	for name, c := range s.cursors {
		if all || !c.hold {
			c.close()
			delete(s.cursors, name)
		}
	}
}
