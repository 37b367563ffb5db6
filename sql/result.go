package sql

import (
	"context"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/pgwire"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// tagResult is the result of a statement without rows.
type tagResult struct{ tag string }

func (r *tagResult) Next(context.Context) (arrow.RecordBatch, error) { return nil, io.EOF }
func (r *tagResult) Tag() string                                     { return r.tag }
func (r *tagResult) Close() error                                    { return nil }

// batchResult hands out rows computed in advance.
type batchResult struct {
	schema  *arrow.Schema
	batches []*batch.Batch
	pos     int
	tag     string
}

func newBatchResult(cols []pgwire.Column, batches []*batch.Batch, tag string) *batchResult {
	return &batchResult{schema: schemaOf(cols), batches: batches, tag: tag}
}

func (r *batchResult) Next(context.Context) (arrow.RecordBatch, error) {
	for r.pos < len(r.batches) {
		b := r.batches[r.pos]
		r.pos++
		if b.Len > 0 {
			return b.ToRecord(r.schema), nil
		}
	}
	return nil, io.EOF
}
func (r *batchResult) Tag() string  { return r.tag }
func (r *batchResult) Close() error { return nil }

func schemaOf(cols []pgwire.Column) *arrow.Schema {
	names := make([]string, len(cols))
	ts := make([]types.T, len(cols))
	for i, c := range cols {
		names[i], ts[i] = c.Name, c.Type
	}
	return batch.Schema(names, ts)
}

func wireColumns(cols []logical.Column) []pgwire.Column {
	out := make([]pgwire.Column, len(cols))
	for i, c := range cols {
		out[i] = pgwire.Column{Name: c.Name, Type: c.Type, TableOID: c.TableOID, AttrNum: c.AttrNum}
	}
	return out
}

// queryResult streams the rows of a running query. When its transaction
// is implicit, it commits at the end and rolls back if abandoned.
type queryResult struct {
	s        *Session
	t        *txnState
	implicit bool
	op       exec.Operator
	ectx     *exec.Context
	cancel   context.CancelFunc
	schema   *arrow.Schema
	rows     int64
	tag      string
	done     bool
	err      error
	// release ends the run of the plan op belongs to.
	release func(ok bool)
}

func (r *queryResult) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.done {
		return nil, io.EOF
	}
	b, err := r.next()
	if err != nil {
		r.finish(err)
		return nil, err
	}
	if b == nil {
		r.tag = "SELECT " + strconv.FormatInt(r.rows, 10)
		if err := r.finish(nil); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	r.rows += int64(b.Len)
	return b.ToRecord(r.schema), nil
}

func (r *queryResult) next() (b *batch.Batch, err error) {
	defer r.s.recoverPanic(&err)
	for {
		b, err = r.op.Next(r.ectx)
		if err != nil || b == nil || b.Len > 0 {
			return b, err
		}
	}
}

// finish ends the query: closes operators and ends an implicit
// transaction, or marks an explicit one failed on error.
func (r *queryResult) finish(err error) error {
	if r.done {
		return r.err
	}
	r.done = true
	r.op.Close()
	r.cancel()
	r.releasePlan(err == nil)
	if r.implicit {
		if err != nil {
			r.t.txn.Rollback()
		} else if cerr := r.s.commit(r.t); cerr != nil {
			r.err = cerr
			return cerr
		}
	} else if err != nil {
		r.s.fail(err)
	}
	r.err = err
	return nil
}

func (r *queryResult) Tag() string { return r.tag }

func (r *queryResult) Close() error {
	if !r.done {
		// An abandoned read-only query commits nothing harmful; an
		// abandoned implicit transaction is rolled back.
		r.done = true
		r.op.Close()
		r.cancel()
		r.releasePlan(true)
		if r.implicit {
			r.t.txn.Rollback()
		}
	}
	return nil
}

func (r *queryResult) releasePlan(ok bool) {
	if r.release != nil {
		r.release(ok)
		r.release = nil
	}
}
