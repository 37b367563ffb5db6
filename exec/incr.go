package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Incremental operators.
//
// A workflow runs its query as a DAG of incremental operators. For each
// input atom, every operator receives the changes of its inputs in that
// atom (change batches: rows with a +1/-1 diff) and returns the changes of
// its output, so that the result after the atom equals the query over the
// inputs up to the atom. Stateful operators (joins, aggregates, DISTINCT,
// top-N) keep their state in memory and write what an atom changed through
// a StateWriter into the atom's transaction, so state, output and input
// position commit together; on restart they Load it back.

// IncrOperator is one node of a dataflow.
type IncrOperator interface {
	// Apply processes one atom: in[i] are the changes on input i (never
	// nil; possibly empty). It returns the output changes.
	Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error)
	// Describe names the operator for EXPLAIN WORKFLOW.
	Describe() string
}

// StatefulOperator is an incremental operator with state.
type StatefulOperator interface {
	IncrOperator
	// Load restores the state from r, replacing what is in memory.
	Load(r StateReader) error
	// Save writes the state changed since the last Save (or Load).
	Save(w StateWriter) error
	// StateSize returns the number of state entries, for the catalog views.
	StateSize() int
}

// StateReader reads an operator's persisted state.
type StateReader interface {
	// Scan calls fn for every entry, in key order.
	Scan(fn func(key, value []byte) error) error
}

// StateWriter writes an operator's state into the current atom.
type StateWriter interface {
	Put(key, value []byte) error
	Delete(key []byte) error
}

// rowKey encodes a row (or key columns) so that equal SQL values give equal
// keys, NULLs included.
func rowKey(ts []types.T, row []types.Datum) (string, error) {
	var buf []byte
	for i, d := range row {
		var err error
		if buf, err = rowcodec.AppendKey(buf, ts[i], d, false); err != nil {
			return "", err
		}
	}
	return string(buf), nil
}

// IncrFilter keeps the changes whose row satisfies a predicate.
type IncrFilter struct {
	pred expr.Evaluator
	desc string
}

// NewIncrFilter returns an incremental filter over rows laid out as layout.
func NewIncrFilter(pred expr.Expr, layout expr.Layout) (*IncrFilter, error) {
	ev, err := expr.Compile(pred, layout)
	if err != nil {
		return nil, err
	}
	return &IncrFilter{pred: ev, desc: pred.String()}, nil
}

func (f *IncrFilter) Describe() string { return "Filter: " + f.desc }

func (f *IncrFilter) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	if c.Len == 0 {
		return c, nil
	}
	res, err := f.pred.Eval(ctx.Eval, c.Batch)
	if err != nil {
		return nil, err
	}
	sel := selection(res)
	if len(sel) == c.Len {
		return c, nil
	}
	return c.TakeChanges(sel), nil
}

// IncrProject computes expressions over each change's row.
type IncrProject struct {
	exprs []expr.Evaluator
	descs []string
}

// NewIncrProject returns an incremental projection.
func NewIncrProject(exprs []expr.Expr, layout expr.Layout) (*IncrProject, error) {
	evs, err := compileAll(exprs, layout)
	if err != nil {
		return nil, err
	}
	descs := make([]string, len(exprs))
	for i, e := range exprs {
		descs[i] = e.String()
	}
	return &IncrProject{exprs: evs, descs: descs}, nil
}

func (p *IncrProject) Describe() string { return "Project: " + strings.Join(p.descs, ", ") }

func (p *IncrProject) Apply(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	cols := make([]arrow.Array, len(p.exprs))
	for i, e := range p.exprs {
		arr, err := e.Eval(ctx.Eval, c.Batch)
		if err != nil {
			return nil, err
		}
		cols[i] = arr
	}
	return &batch.ChangeBatch{Batch: &batch.Batch{Cols: cols, Len: c.Len}, Diff: c.Diff}, nil
}

// IncrUnionAll concatenates its inputs' changes.
type IncrUnionAll struct{ types []types.T }

// NewIncrUnionAll returns UNION ALL over inputs of the given types.
func NewIncrUnionAll(ts []types.T) *IncrUnionAll { return &IncrUnionAll{types: ts} }

func (u *IncrUnionAll) Describe() string { return "Union All" }

func (u *IncrUnionAll) Apply(_ *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	return batch.ConcatChanges(u.types, in), nil
}

// IncrDistinct passes a row's first copy and retracts it with the last:
// the state counts the copies of each row.
type IncrDistinct struct {
	types  []types.T
	counts map[string]int64
	dirty  map[string]bool
}

// NewIncrDistinct returns an incremental DISTINCT over rows of ts.
func NewIncrDistinct(ts []types.T) *IncrDistinct {
	return &IncrDistinct{types: ts, counts: map[string]int64{}, dirty: map[string]bool{}}
}

func (d *IncrDistinct) Describe() string { return "Distinct" }
func (d *IncrDistinct) StateSize() int   { return len(d.counts) }

func (d *IncrDistinct) Apply(_ *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	c := in[0]
	var sel []int32
	for r := 0; r < c.Len; r++ {
		row := c.Row(d.types, r)
		k, err := rowKey(d.types, row)
		if err != nil {
			return nil, err
		}
		before := d.counts[k]
		after := before + int64(c.Diff[r])
		if after < 0 {
			return nil, fmt.Errorf("distinct: row deleted more often than inserted")
		}
		if after == 0 {
			delete(d.counts, k)
		} else {
			d.counts[k] = after
		}
		d.dirty[k] = true
		if (before == 0) != (after == 0) {
			sel = append(sel, int32(r))
		}
	}
	return c.TakeChanges(sel), nil
}

func (d *IncrDistinct) Save(w StateWriter) error {
	for k := range d.dirty {
		if n, ok := d.counts[k]; ok {
			if err := w.Put([]byte(k), appendVarint(nil, n)); err != nil {
				return err
			}
		} else if err := w.Delete([]byte(k)); err != nil {
			return err
		}
	}
	clear(d.dirty)
	return nil
}

func (d *IncrDistinct) Load(r StateReader) error {
	d.counts, d.dirty = map[string]int64{}, map[string]bool{}
	return r.Scan(func(k, v []byte) error {
		n, err := readVarint(v)
		if err != nil {
			return err
		}
		d.counts[string(k)] = n
		return nil
	})
}
