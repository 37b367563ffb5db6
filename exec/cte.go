package exec

import (
	"fmt"

	"portalsdb/batch"
	"portalsdb/types"
)

// CTESource is a common table expression's plan, run at most once per
// statement execution and shared by every scan of it.
type CTESource struct {
	ID    int
	Name  string
	Plan  Operator
	Types []types.T
}

type cteResult struct {
	rows []*batch.Batch
}

func (c *CTESource) rows(ctx *Context) ([]*batch.Batch, error) {
	if r, ok := ctx.ctes[c.ID]; ok {
		return r.rows, nil
	}
	if err := c.Plan.Open(ctx); err != nil {
		return nil, err
	}
	rows, err := materialize(ctx, c.Plan)
	c.Plan.Close()
	if err != nil {
		return nil, err
	}
	ctx.ctes[c.ID] = &cteResult{rows: rows}
	return rows, nil
}

// CTEScan reads the rows of a CTE.
type CTEScan struct {
	src  *CTESource
	rows []*batch.Batch
	pos  int
}

// NewCTEScan returns a scan of src.
func NewCTEScan(src *CTESource) *CTEScan { return &CTEScan{src: src} }

func (c *CTEScan) Describe() string     { return "CTE Scan on " + c.src.Name }
func (c *CTEScan) Children() []Operator { return []Operator{c.src.Plan} }
func (c *CTEScan) Close() error         { return nil }

func (c *CTEScan) Open(ctx *Context) error {
	rows, err := c.src.rows(ctx)
	c.rows, c.pos = rows, 0
	return err
}

func (c *CTEScan) Next(*Context) (*batch.Batch, error) {
	if c.pos >= len(c.rows) {
		return nil, nil
	}
	c.pos++
	return c.rows[c.pos-1], nil
}

// RecursiveUnion evaluates WITH RECURSIVE: the anchor once, then the
// recursive term over the previous step's rows until a step adds none.
type RecursiveUnion struct {
	anchor, recursive Operator
	workID            int
	all               bool
	types             []types.T
	seen              *groupTable
	queue             []*batch.Batch
	step              []*batch.Batch
	phase             int // 0 anchor, 1 recursion, 2 done
}

// NewRecursiveUnion returns the operator of a recursive CTE.
func NewRecursiveUnion(anchor, recursive Operator, workID int, all bool, ts []types.T) *RecursiveUnion {
	return &RecursiveUnion{anchor: anchor, recursive: recursive, workID: workID, all: all, types: ts}
}

func (r *RecursiveUnion) Describe() string {
	return fmt.Sprintf("Recursive Union (all=%v)", r.all)
}
func (r *RecursiveUnion) Children() []Operator { return []Operator{r.anchor, r.recursive} }
func (r *RecursiveUnion) Close() error         { return nil }

func (r *RecursiveUnion) Open(ctx *Context) error {
	r.seen = newGroupTable()
	r.queue, r.step, r.phase = nil, nil, 0
	return nil
}

// dedupe keeps the rows of b not produced before (UNION without ALL).
func (r *RecursiveUnion) dedupe(b *batch.Batch) (*batch.Batch, error) {
	if r.all {
		return b, nil
	}
	k, err := computeKeys(b.Cols, r.types, b.Len)
	if err != nil {
		return nil, err
	}
	var sel []int32
	for i := 0; i < b.Len; i++ {
		if _, isNew := r.seen.lookupOrAdd(&k, i); isNew {
			sel = append(sel, int32(i))
		}
	}
	if len(sel) == b.Len {
		return b, nil
	}
	return b.Take(sel), nil
}

func (r *RecursiveUnion) runStep(ctx *Context, op Operator) ([]*batch.Batch, error) {
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	bs, err := materialize(ctx, op)
	op.Close()
	if err != nil {
		return nil, err
	}
	var out []*batch.Batch
	for _, b := range bs {
		d, err := r.dedupe(b)
		if err != nil {
			return nil, err
		}
		if d.Len > 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

func (r *RecursiveUnion) Next(ctx *Context) (*batch.Batch, error) {
	for {
		if len(r.queue) > 0 {
			b := r.queue[0]
			r.queue = r.queue[1:]
			return b, nil
		}
		switch r.phase {
		case 0:
			rows, err := r.runStep(ctx, r.anchor)
			if err != nil {
				return nil, err
			}
			r.queue, r.step, r.phase = rows, rows, 1
		case 1:
			if len(r.step) == 0 {
				r.phase = 2
				continue
			}
			if err := ctx.checkCancel(); err != nil {
				return nil, err
			}
			ctx.work[r.workID] = r.step
			rows, err := r.runStep(ctx, r.recursive)
			if err != nil {
				return nil, err
			}
			r.queue, r.step = rows, rows
		default:
			return nil, nil
		}
	}
}

// WorkTableScan reads the rows of the current step of a recursive CTE.
type WorkTableScan struct {
	workID int
	name   string
	rows   []*batch.Batch
	pos    int
}

// NewWorkTableScan returns a scan of a recursive CTE's work table.
func NewWorkTableScan(workID int, name string) *WorkTableScan {
	return &WorkTableScan{workID: workID, name: name}
}

func (w *WorkTableScan) Describe() string     { return "WorkTable Scan on " + w.name }
func (w *WorkTableScan) Children() []Operator { return nil }
func (w *WorkTableScan) Close() error         { return nil }

func (w *WorkTableScan) Open(ctx *Context) error {
	w.rows, w.pos = ctx.work[w.workID], 0
	return nil
}

func (w *WorkTableScan) Next(*Context) (*batch.Batch, error) {
	if w.pos >= len(w.rows) {
		return nil, nil
	}
	w.pos++
	return w.rows[w.pos-1], nil
}
