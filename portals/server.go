package portals

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime/debug"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// A Server sequences the requests of the portals that change one table.
// Requests wait in one queue; the server takes whatever is waiting (up to
// maxServerBatch requests), runs each against the table in one storage
// transaction, and commits them as one atom of the table. Each request runs
// under a savepoint: one that fails (a CHECK violation, say) is rolled back
// alone, gets its error, and the others carry on. Every reply goes out only
// after the commit is durable, so a caller that saw a reply can rely on its
// change. Serializing a table's portal requests through one queue is what
// makes them serializable in the table's atom order, and batching them is
// what makes one fsync serve many callers.
//
// Portals that only read do not come here: they run in their caller's
// transaction, at its snapshot.
type Server struct {
	rt   *Runtime
	oid  uint32
	name string
	reqs chan *call
	quit chan struct{}
}

// maxServerBatch bounds the requests one server transaction serves, so that
// a flood of callers still gets replies at a steady pace.
const maxServerBatch = 256

// maxServerRetries bounds how often a batch is retried after losing a
// write conflict to another transaction on the same rows.
const maxServerRetries = 20

// Request is one portal call to a server.
type Request struct {
	// ReplyKey, when set, makes the request idempotent: the server keeps
	// the reply under this key in the same commit as the request's change,
	// and a request whose key already holds a reply gets that reply
	// without running again. Asks from workflows set it, so a workflow
	// replaying an atom after a crash never applies a request twice.
	ReplyKey []byte
	// Types are the reply's column types.
	Types []types.T
	// Serve runs the request in the server's transaction and returns the
	// reply rows.
	Serve func(txn *storage.Txn) (*batch.Batch, error)
}

// Reply is the answer to one request: rows, or an error.
type Reply struct {
	Rows *batch.Batch
	Err  error
}

type call struct {
	req   Request
	reply Reply
	done  chan struct{}
}

// Server returns the server of table oid, starting it on first use.
func (rt *Runtime) Server(oid uint32, name string) *Server {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if s, ok := rt.servers[oid]; ok {
		return s
	}
	s := &Server{rt: rt, oid: oid, name: name, reqs: make(chan *call, 4*maxServerBatch), quit: make(chan struct{})}
	rt.servers[oid] = s
	go s.run()
	return s
}

// StopServer stops the server of table oid, if it runs; requests still
// queued get an error.
func (rt *Runtime) StopServer(oid uint32) {
	rt.mu.Lock()
	s, ok := rt.servers[oid]
	delete(rt.servers, oid)
	rt.mu.Unlock()
	if ok {
		close(s.quit)
	}
}

// Call sends requests to the server and waits for their replies, one per
// request in order. The requests are queued together, so they usually
// commit in one atom. The error is for the call as a whole (the server
// stopped, ctx ended); a request's own failure is in its Reply.
func (s *Server) Call(ctx context.Context, reqs []Request) ([]Reply, error) {
	calls := make([]*call, len(reqs))
	for i, r := range reqs {
		c := &call{req: r, done: make(chan struct{})}
		calls[i] = c
		select {
		case s.reqs <- c:
		case <-s.quit:
			return nil, s.stoppedErr()
		case <-ctx.Done():
			return nil, canceled(ctx)
		}
	}
	out := make([]Reply, len(reqs))
	for i, c := range calls {
		select {
		case <-c.done:
			out[i] = c.reply
		case <-s.quit:
			return nil, s.stoppedErr()
		case <-ctx.Done():
			// The request may still be served; the caller stops waiting.
			return nil, canceled(ctx)
		}
	}
	return out, nil
}

func (s *Server) stoppedErr() error {
	return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "the server of %q stopped", s.name)
}

func canceled(ctx context.Context) error {
	if ctx.Err() == context.DeadlineExceeded {
		return pgerror.New(pgerror.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
}

func (s *Server) run() {
	pending := make([]*call, 0, maxServerBatch)
	for {
		select {
		case c := <-s.reqs:
			pending = append(pending[:0], c)
		case <-s.quit:
			return
		case <-s.rt.ctx.Done():
			return
		}
		pending = s.serve(s.drain(pending))
		for _, c := range pending {
			close(c.done)
		}
	}
}

// drain adds the requests waiting in the queue to pending, up to a full
// batch.
func (s *Server) drain(pending []*call) []*call {
	for len(pending) < maxServerBatch {
		select {
		case c := <-s.reqs:
			pending = append(pending, c)
		default:
			return pending
		}
	}
	return pending
}

// serve runs one batch of requests to a durable commit, retrying it whole
// when it loses a write conflict, and returns the batch it served:
// requests that arrive while it runs join it (see attempt).
func (s *Server) serve(calls []*call) []*call {
	var err error
	for attempt := 0; attempt < maxServerRetries; attempt++ {
		if calls, err = s.attempt(calls); err == nil {
			return calls
		}
		if pgerror.CodeOf(err) != pgerror.SerializationFailure {
			break
		}
	}
	for _, c := range calls {
		c.reply = Reply{Err: err}
	}
	return calls
}

// attempt runs calls in one transaction and commits it. Requests that
// arrived while the batch ran join it before the commit: callers answered
// together tend to call again together, and a batch that took only the
// first of them would pay a durable commit for each few.
func (s *Server) attempt(calls []*call) ([]*call, error) {
	txn := s.rt.db.Begin()
	defer txn.Rollback()
	for i := 0; i < len(calls); i++ {
		calls[i].reply = s.serveOne(txn, calls[i].req)
		if i == len(calls)-1 {
			calls = s.drain(calls)
		}
	}
	_, err := txn.Commit()
	return calls, err
}

// serveOne runs one request under a savepoint of the batch's transaction.
func (s *Server) serveOne(txn *storage.Txn, req Request) (reply Reply) {
	if req.ReplyKey != nil {
		v, ok, err := txn.Get(req.ReplyKey)
		if err != nil {
			return Reply{Err: err}
		}
		if ok {
			rows, err := s.rt.decodeReply(req.Types, v)
			return Reply{Rows: rows, Err: err}
		}
	}
	sp := txn.Savepoint()
	defer func() {
		if r := recover(); r != nil {
			s.rt.log.Error("panic serving a portal request", "server", s.name, "panic", r, "stack", string(debug.Stack()))
			txn.RollbackTo(sp)
			reply = Reply{Err: pgerror.Internalf("internal error: %v", r)}
		}
	}()
	rows, err := req.Serve(txn)
	if err == nil && req.ReplyKey != nil {
		var v []byte
		if v, err = s.rt.encodeReply(req.Types, rows); err == nil {
			err = txn.Put(req.ReplyKey, v)
		}
	}
	if err != nil {
		txn.RollbackTo(sp)
		return Reply{Err: err}
	}
	return Reply{Rows: rows}
}

// encodeReply stores reply rows: a row count, then each row length-prefixed.
func (rt *Runtime) encodeReply(ts []types.T, b *batch.Batch) ([]byte, error) {
	codec, err := rt.replyCodec(ts)
	if err != nil {
		return nil, err
	}
	n := 0
	if b != nil {
		n = b.Len
	}
	out := binary.AppendUvarint(nil, uint64(n))
	var buf []byte
	for r := 0; r < n; r++ {
		if buf, err = codec.Encode(buf[:0], b.Row(ts, r)); err != nil {
			return nil, err
		}
		out = binary.AppendUvarint(out, uint64(len(buf)))
		out = append(out, buf...)
	}
	return out, nil
}

func (rt *Runtime) decodeReply(ts []types.T, v []byte) (*batch.Batch, error) {
	codec, err := rt.replyCodec(ts)
	if err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(v)
	if k <= 0 {
		return nil, pgerror.New(pgerror.DataCorrupted, "portals: bad stored reply")
	}
	v = v[k:]
	rows := make([][]types.Datum, n)
	for i := range rows {
		l, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < l {
			return nil, pgerror.New(pgerror.DataCorrupted, "portals: truncated stored reply")
		}
		rows[i] = make([]types.Datum, len(ts))
		if err := codec.Decode(v[k:k+int(l)], rows[i]); err != nil {
			return nil, err
		}
		v = v[k+int(l):]
	}
	return batch.FromRows(ts, rows), nil
}

// replyCodec returns the row codec of replies of the given column types,
// cached in the runtime: replies of one portal share a codec.
func (rt *Runtime) replyCodec(ts []types.T) (*rowcodec.RowCodec, error) {
	key := fmt.Sprint(ts)
	if c, ok := rt.replyCodecs.Load(key); ok {
		return c.(*rowcodec.RowCodec), nil
	}
	cols := make([]rowcodec.Column, len(ts))
	for i, t := range ts {
		cols[i] = rowcodec.Column{ID: uint32(i + 1), Type: t}
	}
	c, err := rowcodec.NewRowCodec(cols)
	if err != nil {
		return nil, err
	}
	rt.replyCodecs.Store(key, c)
	return c, nil
}

// Replies of asks live under the portal's object id: the asking workflow's
// OID, the input atom that asked, then a hash of the asking row and its
// occurrence in the atom. Keys sort by workflow and atom, so a workflow can
// drop the replies of the atoms it has committed with one range scan.

// ReplyKey returns the key of an ask's stored reply.
func ReplyKey(portal, workflow uint32, atom storage.Seq, rowHash [16]byte) []byte {
	k := storage.ObjectPrefix(uint64(portal))
	k = binary.BigEndian.AppendUint32(k, workflow)
	k = binary.BigEndian.AppendUint64(k, uint64(atom))
	return append(k, rowHash[:]...)
}

// ForgetReplies deletes, in txn, the stored replies of workflow's asks to
// portal made by atoms before atom. A workflow calls it when it commits
// an atom: the atoms before it will never be replayed.
func ForgetReplies(txn *storage.Txn, portal, workflow uint32, atom storage.Seq) error {
	lo := binary.BigEndian.AppendUint32(storage.ObjectPrefix(uint64(portal)), workflow)
	hi := binary.BigEndian.AppendUint64(append([]byte(nil), lo...), uint64(atom))
	it, err := txn.NewIter(lo, hi)
	if err != nil {
		return err
	}
	var keys [][]byte
	for it.First(); it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
