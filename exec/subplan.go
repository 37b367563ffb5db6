package exec

import (
	"fmt"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Subplan is a subquery left in an expression: its operator tree, run for
// each distinct set of values of the columns it is correlated with.
type Subplan struct {
	Op         Operator
	Type       types.T // of its first column
	Types      []types.T
	Correlated []expr.ColumnID
	CorrTypes  []types.T
}

// SubplanRunner runs the subplans of one statement execution. Results are
// cached per correlated values, so a subquery over a small domain of outer
// values runs once per value.
type SubplanRunner struct {
	plans []*Subplan
	ctx   *Context
	cache []map[string][]types.Datum
}

// maxCachedPerSubplan bounds the cache of a correlated subplan.
const maxCachedPerSubplan = 1 << 16

// NewSubplanRunner returns a runner over the plans, indexed as the
// planner numbered them.
func NewSubplanRunner(plans []*Subplan) *SubplanRunner {
	return &SubplanRunner{plans: plans}
}

// Bind attaches the runner to an execution and resets its caches.
func (r *SubplanRunner) Bind(ctx *Context) {
	r.ctx = ctx
	r.cache = make([]map[string][]types.Datum, len(r.plans))
}

// Plans returns the subplans, for EXPLAIN.
func (r *SubplanRunner) Plans() []*Subplan { return r.plans }

// RunSubplan implements expr.SubplanRunner.
func (r *SubplanRunner) RunSubplan(ev *expr.Ctx, index int, outer map[expr.ColumnID]types.Datum, limit int) ([]types.Datum, error) {
	sp := r.plans[index]
	var key []byte
	key = fmt.Appendf(key, "%d|", limit)
	for i, id := range sp.Correlated {
		var err error
		if key, err = rowcodec.AppendKey(key, sp.CorrTypes[i], outer[id], false); err != nil {
			return nil, err
		}
	}
	if r.cache[index] == nil {
		r.cache[index] = map[string][]types.Datum{}
	}
	if v, ok := r.cache[index][string(key)]; ok {
		return v, nil
	}
	child := *r.ctx
	child.Eval = ev.WithOuter(outer)
	if err := sp.Op.Open(&child); err != nil {
		sp.Op.Close()
		return nil, err
	}
	var out []types.Datum
	for limit <= 0 || len(out) < limit {
		if err := child.checkCancel(); err != nil {
			sp.Op.Close()
			return nil, err
		}
		b, err := sp.Op.Next(&child)
		if err != nil {
			sp.Op.Close()
			return nil, err
		}
		if b == nil {
			break
		}
		out = appendFirstColumn(out, sp, b, limit)
	}
	if err := sp.Op.Close(); err != nil {
		return nil, err
	}
	if len(r.cache[index]) < maxCachedPerSubplan {
		r.cache[index][string(key)] = out
	}
	return out, nil
}

func appendFirstColumn(out []types.Datum, sp *Subplan, b *batch.Batch, limit int) []types.Datum {
	for i := 0; i < b.Len && (limit <= 0 || len(out) < limit); i++ {
		if len(b.Cols) == 0 {
			out = append(out, true)
			continue
		}
		out = append(out, types.DatumAt(sp.Type, b.Cols[0], i))
	}
	return out
}
