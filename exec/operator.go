package exec

import (
	"github.com/apache/arrow-go/v18/arrow"

	"context"
	"fmt"
	"strings"
	"time"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/storage"
	"portalsdb/types"
)

// Operator is a node of a running plan.
//
// Open prepares the operator (and its inputs) for a run; it may be called
// again after Close to run once more, as subqueries do. Next returns the next
// batch, or nil at the end; the batch belongs to the caller and stays valid
// after further calls. Close releases per-run state. Operators are used by
// one goroutine at a time.
type Operator interface {
	Open(ctx *Context) error
	Next(ctx *Context) (*batch.Batch, error)
	Close() error
}

// Describer is implemented by operators that can describe themselves for
// EXPLAIN.
type Describer interface {
	Describe() string
	Children() []Operator
}

// Context is the state of one statement execution.
type Context struct {
	// Ctx carries cancellation and the statement timeout.
	Ctx context.Context
	// Eval is the expression context: parameters, outer values, session.
	Eval *expr.Ctx
	// Txn is the transaction the statement reads and writes.
	Txn *storage.Txn
	// BatchSize is the target rows per batch.
	BatchSize int
	// Watermarks are a workflow's sources' watermarks during an atom
	// (nil entries: none yet), for operators that close windows.
	Watermarks []types.Datum
	// Workflow and Atom identify the workflow step running (zero outside
	// one): the workflow's OID and the input atom it processes. Asks use
	// them to give their requests ids that a replay of the atom repeats.
	Workflow uint32
	Atom     storage.Seq
	// ResultSnapshots, for a query AS OF ATOM n, gives the snapshot at
	// which to read each workflow's result (by object id): where the
	// workflow had absorbed atom n, which it committed after n.
	ResultSnapshots map[uint64]storage.Seq
	// Generators materializes the atoms of generator streams, which store
	// only their event ranges (see AtomReader).
	Generators Generators

	ctes  map[int]*cteResult
	work  map[int][]*batch.Batch
	stats map[Operator]*OpStats
}

// NewContext returns an execution context.
func NewContext(ctx context.Context, ev *expr.Ctx, txn *storage.Txn) *Context {
	return &Context{Ctx: ctx, Eval: ev, Txn: txn, BatchSize: 1024, ctes: map[int]*cteResult{}, work: map[int][]*batch.Batch{}}
}

// child returns a context for running a subplan with more outer values.
func (c *Context) child(outer map[expr.ColumnID]types.Datum) *Context {
	n := *c
	n.Eval = c.Eval.WithOuter(outer)
	return &n
}

// checkCancel returns 57014 when the statement was canceled, and the
// timeout error when its deadline passed.
func (c *Context) checkCancel() error {
	if c.Ctx == nil {
		return nil
	}
	return expr.CancelError(c.Ctx)
}

// OpStats are the figures EXPLAIN ANALYZE reports per operator.
type OpStats struct {
	Rows    int64
	Batches int64
	Time    time.Duration
}

// EnableStats makes Instrumented operators record their figures.
func (c *Context) EnableStats() { c.stats = map[Operator]*OpStats{} }

// Stats returns the figures of op, if recorded.
func (c *Context) Stats(op Operator) (*OpStats, bool) {
	s, ok := c.stats[op]
	return s, ok
}

// Instrumented wraps an operator to time it for EXPLAIN ANALYZE.
type Instrumented struct {
	Op Operator
}

func (i *Instrumented) stats(ctx *Context) *OpStats {
	s := ctx.stats[i.Op]
	if s == nil {
		s = &OpStats{}
		ctx.stats[i.Op] = s
	}
	return s
}

func (i *Instrumented) Open(ctx *Context) error {
	if ctx.stats == nil {
		return i.Op.Open(ctx)
	}
	start := time.Now()
	err := i.Op.Open(ctx)
	i.stats(ctx).Time += time.Since(start)
	return err
}

func (i *Instrumented) Next(ctx *Context) (*batch.Batch, error) {
	if ctx.stats == nil {
		return i.Op.Next(ctx)
	}
	start := time.Now()
	b, err := i.Op.Next(ctx)
	s := i.stats(ctx)
	s.Time += time.Since(start)
	if b != nil {
		s.Rows += int64(b.Len)
		s.Batches++
	}
	return b, err
}

func (i *Instrumented) Close() error { return i.Op.Close() }

// Describe forwards to the wrapped operator.
func (i *Instrumented) Describe() string {
	if d, ok := i.Op.(Describer); ok {
		return d.Describe()
	}
	return fmt.Sprintf("%T", i.Op)
}

// Children forwards to the wrapped operator.
func (i *Instrumented) Children() []Operator {
	if d, ok := i.Op.(Describer); ok {
		return d.Children()
	}
	return nil
}

// Explain renders an operator tree, with figures when ctx recorded them.
func Explain(op Operator, ctx *Context) []string {
	var lines []string
	var walk func(op Operator, depth int)
	walk = func(op Operator, depth int) {
		desc := fmt.Sprintf("%T", op)
		var children []Operator
		if d, ok := op.(Describer); ok {
			desc, children = d.Describe(), d.Children()
		}
		prefix := strings.Repeat("  ", depth)
		if depth > 0 {
			prefix = strings.Repeat("  ", depth-1) + "->  "
		}
		line := prefix + desc
		if ctx != nil {
			inner := op
			if in, ok := op.(*Instrumented); ok {
				inner = in.Op
			}
			if s, ok := ctx.Stats(inner); ok {
				line += fmt.Sprintf("  (actual time=%.3f ms rows=%d batches=%d)", float64(s.Time.Microseconds())/1000, s.Rows, s.Batches)
			}
		}
		lines = append(lines, line)
		for _, c := range children {
			walk(c, depth+1)
		}
	}
	walk(op, 0)
	return lines
}

// Drain runs op to the end and returns all its rows as one batch.
func Drain(ctx *Context, op Operator, ts []types.T) (*batch.Batch, error) {
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	defer op.Close()
	var bs []*batch.Batch
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		if b.Len > 0 {
			bs = append(bs, b)
		}
	}
	return batch.Concat(ts, bs), nil
}

// compileAll compiles expressions for one layout.
func compileAll(es []expr.Expr, layout expr.Layout) ([]expr.Evaluator, error) {
	out := make([]expr.Evaluator, len(es))
	for i, e := range es {
		ev, err := expr.Compile(e, layout)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

// Layout builds the column layout of a batch from its column ids.
func Layout(ids []expr.ColumnID) expr.Layout {
	l := make(expr.Layout, len(ids))
	for i, id := range ids {
		l[id] = i
	}
	return l
}

// arrowArray names arrow.Array for files that only need the type.
type arrowArray = arrow.Array
