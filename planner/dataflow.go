package planner

import (
	"strings"

	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// BuildDataflow lowers a workflow's query into a dataflow of incremental
// operators. A construct that cannot be maintained incrementally gets
// 0A000 naming it, so CREATE WORKFLOW refuses it up front.
//
// With emitOnWindowClose, aggregates grouped by a window of a stream with
// a watermark emit each window's row once, when the watermark passes its
// end; there must be such an aggregate.
func BuildDataflow(n logical.Node, emitOnWindowClose bool) (*exec.Dataflow, error) {
	n, err := applyDataflowRules(n)
	if err != nil {
		return nil, err
	}
	n = pruneScans(n)
	b := &dfBuilder{df: &exec.Dataflow{EmitOnWindowClose: emitOnWindowClose}, ctes: map[int]dfRef{}, eowc: emitOnWindowClose}
	r, err := b.lower(n)
	if err != nil {
		return nil, err
	}
	if b.df.Asks {
		for _, src := range b.df.Sources {
			if src.Kind != exec.SourceStream {
				return nil, pgerror.Newf(pgerror.FeatureNotSupported, "a workflow that asks portals reads streams only; %s is not a stream", src.Name).
					WithHint("Asks are exactly-once because the workflow replays its streams' atoms in order; tables and workflows have no such history.")
			}
		}
	}
	if emitOnWindowClose && !b.closing {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "EMIT ON WINDOW CLOSE needs an aggregate grouped by window_start or window_end of TUMBLE or HOP over a stream with a watermark")
	}
	if r.ref < 0 || len(b.df.Nodes) == 0 {
		// A bare relation: pass it through a projection so the result has
		// a node of its own.
		exprs := make([]expr.Expr, len(r.ids))
		for i, id := range r.ids {
			exprs[i] = &expr.ColRef{ID: id, T: r.types[i]}
		}
		op, err := exec.NewIncrProject(exprs, exec.Layout(r.ids))
		if err != nil {
			return nil, err
		}
		b.add(op, []int{r.ref}, r.types)
	} else if r.ref != len(b.df.Nodes)-1 {
		exprs := make([]expr.Expr, len(r.ids))
		for i, id := range r.ids {
			exprs[i] = &expr.ColRef{ID: id, T: r.types[i]}
		}
		op, err := exec.NewIncrProject(exprs, exec.Layout(r.ids))
		if err != nil {
			return nil, err
		}
		b.add(op, []int{r.ref}, r.types)
	}
	b.df.AppendOnly = r.appendOnly
	return b.df, nil
}

// applyDataflowRules runs the rules that keep a plan incremental: stacked
// filters merge, and EXISTS and IN subqueries become semi and anti joins
// (which lower turns into joins it maintains).
func applyDataflowRules(n logical.Node) (logical.Node, error) {
	ins := n.Inputs()
	if len(ins) > 0 {
		out := make([]logical.Node, len(ins))
		for i, in := range ins {
			r, err := applyDataflowRules(in)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		n = n.WithInputs(out)
	}
	for {
		next, changed, err := mergeFilters(n, nil)
		if err != nil {
			return nil, err
		}
		if !changed {
			break
		}
		n = next
	}
	next, changed, err := decorrelate(n, nil)
	if err != nil || !changed {
		return n, err
	}
	// The joins decorrelation made may hold filters to merge.
	return applyDataflowRules(next)
}

type dfBuilder struct {
	df   *exec.Dataflow
	ctes map[int]dfRef
	// eowc asks for emit-on-window-close aggregates; closing records that
	// one was built.
	eowc, closing bool
	// nextID numbers the columns rewrites add (see semiJoinIDBase).
	nextID expr.ColumnID
}

// dfRef is a lowered relation: a node (or, negative, a source) whose
// output columns are ids.
type dfRef struct {
	ref   int
	ids   []expr.ColumnID
	types []types.T
	// wm traces columns that a source's watermark closes.
	wm map[expr.ColumnID]exec.WatermarkLineage
	// final traces, more strictly than wm, the columns whose value tells
	// when rows stop changing: a row whose column holds v is never
	// inserted or retracted again once v + Offset <= the watermark of
	// Source, for every lineage listed. State can be purged by it.
	final map[expr.ColumnID][]exec.WatermarkLineage
	// appendOnly says the relation only ever gains rows: a stream, an
	// append-only workflow, filters, projections, windows and inner joins
	// of those, and aggregates that emit on window close. Asks need it,
	// and a workflow whose result has it keeps that result as its output
	// log.
	appendOnly bool
}

// withWM returns r with lineage carried over from the given refs for the
// ids r keeps.
func (r dfRef) withWM(from ...dfRef) dfRef {
	if len(from) == 1 {
		// Each output row comes from one input row: it changes only when
		// that row does.
		r.final = carryFinal(r.ids, from[0].final)
	}
	r.appendOnly = len(from) > 0
	for _, f := range from {
		r.appendOnly = r.appendOnly && f.appendOnly
		for id, l := range f.wm {
			for _, own := range r.ids {
				if own == id {
					if r.wm == nil {
						r.wm = map[expr.ColumnID]exec.WatermarkLineage{}
					}
					r.wm[id] = l
				}
			}
		}
	}
	return r
}

func (r dfRef) layout() expr.Layout { return exec.Layout(r.ids) }

func (b *dfBuilder) add(op exec.IncrOperator, inputs []int, ts []types.T) int {
	b.df.Nodes = append(b.df.Nodes, &exec.DataflowNode{Op: op, Inputs: inputs, Types: ts})
	return len(b.df.Nodes) - 1
}

func notIncremental(what string) error {
	return pgerror.Newf(pgerror.FeatureNotSupported, "%s cannot be maintained incrementally in a workflow", what)
}

// checkExprs refuses expressions a workflow cannot maintain, naming the
// function that changes from one evaluation (or one statement) to the
// next: its value when a row is retracted could differ from the one
// emitted when it was inserted.
func checkExprs(es ...expr.Expr) error {
	for _, e := range es {
		if e == nil {
			continue
		}
		if expr.HasSubquery(e) {
			return notIncremental("a subquery in an expression")
		}
		var bad *expr.Call
		expr.Walk(e, func(x expr.Expr) bool {
			if c, ok := x.(*expr.Call); ok && (c.Fn.Volatile || c.Fn.Stable) {
				bad = c
			}
			return bad == nil
		})
		switch {
		case bad == nil:
		case bad.Fn.Volatile:
			return notIncremental("the volatile function " + bad.Fn.Name + "()")
		default:
			return notIncremental("the function " + bad.Fn.Name + "(), whose value changes over time,")
		}
	}
	return nil
}

func (b *dfBuilder) lower(n logical.Node) (dfRef, error) {
	switch x := n.(type) {
	case *logical.Scan:
		return b.lowerScan(x)
	case *logical.Filter:
		if r, ok, err := b.lowerRankFilter(x); ok || err != nil {
			return r, err
		}
		if isInnerJoinTree(x.Input) {
			return b.lowerInnerJoins(x)
		}
		in, err := b.lower(x.Input)
		if err != nil {
			return dfRef{}, err
		}
		return b.filter(in, x.Pred)
	case *logical.Project:
		in, err := b.lower(x.Input)
		if err != nil {
			return dfRef{}, err
		}
		if err := checkExprs(x.Exprs...); err != nil {
			return dfRef{}, err
		}
		op, err := exec.NewIncrProject(x.Exprs, in.layout())
		if err != nil {
			return dfRef{}, err
		}
		ts := logical.Types(x.Cols)
		out := dfRef{ref: b.add(op, []int{in.ref}, ts), ids: logical.IDs(x.Cols), types: ts, appendOnly: in.appendOnly}
		for i, e := range x.Exprs {
			if c, ok := e.(*expr.ColRef); ok {
				if f, ok := in.final[c.ID]; ok {
					out.setFinal(x.Cols[i].ID, f)
				}
				if l, ok := in.wm[c.ID]; ok {
					if out.wm == nil {
						out.wm = map[expr.ColumnID]exec.WatermarkLineage{}
					}
					out.wm[x.Cols[i].ID] = l
				}
			}
		}
		return out, nil
	case *logical.Join:
		if x.Kind == logical.InnerJoin {
			return b.lowerInnerJoins(x)
		}
		if x.Kind == logical.SemiJoin || x.Kind == logical.AntiJoin {
			if x.NullAwareAnti {
				return dfRef{}, notIncremental("NOT IN with a subquery").(*pgerror.Error).
					WithHint("NOT EXISTS, which NULLs do not affect, can be maintained.")
			}
			rewritten, ok := b.semiJoinAsJoins(x)
			if !ok {
				return dfRef{}, notIncremental("EXISTS or IN with a subquery tied to the outer row by more than equalities")
			}
			return b.lower(rewritten)
		}
		left, err := b.lower(x.Left)
		if err != nil {
			return dfRef{}, err
		}
		right, err := b.lower(x.Right)
		if err != nil {
			return dfRef{}, err
		}
		return b.join(execKinds[x.Kind], left, right, expr.Conjuncts(x.On))
	case *logical.Aggregate:
		in, err := b.lower(x.Input)
		if err != nil {
			return dfRef{}, err
		}
		if err := checkExprs(x.GroupBy...); err != nil {
			return dfRef{}, err
		}
		specs := make([]exec.AggSpec, len(x.Aggs))
		for i, a := range x.Aggs {
			if err := checkExprs(append(a.Args, a.Filter)...); err != nil {
				return dfRef{}, err
			}
			if !exec.IncrementalAggregate(a.Fn.Name) {
				return dfRef{}, notIncremental("the aggregate " + a.Fn.Name)
			}
			specs[i] = exec.AggSpec{Fn: a.Fn, Args: a.Args, ArgTypes: a.ArgTypes, Ret: a.Col.Type, Distinct: a.Distinct, Filter: a.Filter}
			for _, k := range a.OrderBy {
				if err := checkExprs(k.Expr); err != nil {
					return dfRef{}, err
				}
				specs[i].OrderBy = append(specs[i].OrderBy, exec.SortSpec{Expr: k.Expr, Desc: k.Desc, NullsFirst: k.NullsFirst})
			}
		}
		op, err := exec.NewIncrAggregate(x.GroupBy, specs, in.layout())
		if err != nil {
			return dfRef{}, err
		}
		if in.appendOnly {
			op.AppendOnlyInput()
		}
		closing := false
		if b.eowc {
			for i, g := range x.GroupBy {
				if c, ok := g.(*expr.ColRef); ok {
					if l, ok := in.wm[c.ID]; ok && l.Window {
						op.EmitOnClose(i, l)
						b.closing, closing = true, true
						break
					}
				}
			}
		}
		cols := x.Columns()
		ts := logical.Types(cols)
		// An aggregate that emits on window close inserts each window's
		// final row once and never retracts it.
		out := dfRef{ref: b.add(op, []int{in.ref}, ts), ids: logical.IDs(cols), types: ts, appendOnly: closing}
		// A group whose key value is final gets no more rows: its output
		// row is final too, and its state can go.
		var rules []exec.PurgeRule
		for i, g := range x.GroupBy {
			if c, ok := g.(*expr.ColRef); ok {
				if f, ok := in.final[c.ID]; ok {
					out.setFinal(cols[i].ID, f)
					rules = append(rules, purgeConds(i, f, 0))
				}
			}
		}
		if !closing {
			op.PurgeFinalGroups(rules)
		}
		return out, nil
	case *logical.Distinct:
		if len(x.On) > 0 {
			return dfRef{}, notIncremental("DISTINCT ON")
		}
		in, err := b.lower(x.Input)
		if err != nil {
			return dfRef{}, err
		}
		op := exec.NewIncrDistinct(in.types)
		return dfRef{ref: b.add(op, []int{in.ref}, in.types), ids: in.ids, types: in.types}.withWM(in), nil
	case *logical.SetOp:
		if x.Kind != logical.Union {
			name := strings.ToUpper(x.Kind.String())
			if x.All {
				name += " ALL"
			}
			return dfRef{}, notIncremental(name)
		}
		left, err := b.lower(x.Left)
		if err != nil {
			return dfRef{}, err
		}
		right, err := b.lower(x.Right)
		if err != nil {
			return dfRef{}, err
		}
		ts := logical.Types(x.Cols)
		ref := b.add(exec.NewIncrUnionAll(ts), []int{left.ref, right.ref}, ts)
		if !x.All {
			ref = b.add(exec.NewIncrDistinct(ts), []int{ref}, ts)
		}
		return dfRef{ref: ref, ids: logical.IDs(x.Cols), types: ts, appendOnly: x.All && left.appendOnly && right.appendOnly}, nil
	case *logical.Sort:
		// A workflow's result is a relation: its order is the reader's.
		return b.lower(x.Input)
	case *logical.Limit:
		s, ok := x.Input.(*logical.Sort)
		if !ok {
			return dfRef{}, notIncremental("LIMIT without ORDER BY")
		}
		in, err := b.lower(s.Input)
		if err != nil {
			return dfRef{}, err
		}
		limit, offset := int64(-1), int64(0)
		if x.Count != nil {
			v, err := constInt(x.Count)
			if err != nil {
				return dfRef{}, err
			}
			limit = v
		}
		if x.Offset != nil {
			v, err := constInt(x.Offset)
			if err != nil {
				return dfRef{}, err
			}
			offset = v
		}
		keys := make([]exec.SortSpec, len(s.Keys))
		for i, k := range s.Keys {
			if err := checkExprs(k.Expr); err != nil {
				return dfRef{}, err
			}
			keys[i] = exec.SortSpec{Expr: k.Expr, Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		op, err := exec.NewIncrTopN(keys, limit, offset, in.layout(), in.types)
		if err != nil {
			return dfRef{}, err
		}
		return dfRef{ref: b.add(op, []int{in.ref}, in.types), ids: in.ids, types: in.types}, nil
	case *logical.CTEScan:
		r, ok := b.ctes[x.CTE.ID]
		if !ok {
			var err error
			if r, err = b.lower(x.CTE.Plan); err != nil {
				return dfRef{}, err
			}
			b.ctes[x.CTE.ID] = r
		}
		out := dfRef{ref: r.ref, ids: logical.IDs(x.Cols), types: r.types, appendOnly: r.appendOnly}
		for i, id := range r.ids {
			if f, ok := r.final[id]; ok {
				out.setFinal(x.Cols[i].ID, f)
			}
		}
		return out, nil
	case *logical.TimeWindow:
		in, err := b.lower(x.Input)
		if err != nil {
			return dfRef{}, err
		}
		ts := logical.Types(x.Cols)
		if x.Gap > 0 {
			// Sessions merge and split as rows arrive: the output
			// retracts, and no watermark closes its windows.
			if err := checkExprs(append([]expr.Expr{x.Time}, x.PartitionBy...)...); err != nil {
				return dfRef{}, err
			}
			op, err := exec.NewIncrSessionWindow(x.Time, x.Gap, x.PartitionBy, in.layout(), in.types)
			if err != nil {
				return dfRef{}, err
			}
			return dfRef{ref: b.add(op, []int{in.ref}, ts), ids: logical.IDs(x.Cols), types: ts}, nil
		}
		op, err := exec.NewIncrTimeWindow(x.Time, x.Size, x.Slide, in.layout())
		if err != nil {
			return dfRef{}, err
		}
		out := dfRef{ref: b.add(op, []int{in.ref}, ts), ids: logical.IDs(x.Cols), types: ts, appendOnly: in.appendOnly}.withWM(in)
		if c, ok := x.Time.(*expr.ColRef); ok {
			if l, ok := in.wm[c.ID]; ok && !l.Window {
				n := len(x.Cols)
				out.wm[x.Cols[n-2].ID] = exec.WatermarkLineage{Source: l.Source, Offset: x.Size, Window: true}
				out.wm[x.Cols[n-1].ID] = exec.WatermarkLineage{Source: l.Source, Window: true}
			}
			// The window holds times t < window_end: it is final when they
			// are, with window_start a window's size before.
			if f, ok := in.final[c.ID]; ok {
				n := len(x.Cols)
				var start, end []exec.WatermarkLineage
				for _, l := range f {
					start = append(start, exec.WatermarkLineage{Source: l.Source, Offset: l.Offset - 1 + x.Size})
					end = append(end, exec.WatermarkLineage{Source: l.Source, Offset: l.Offset - 1})
				}
				out.setFinal(x.Cols[n-2].ID, start)
				out.setFinal(x.Cols[n-1].ID, end)
			}
		}
		return out, nil
	case *logical.Values:
		return dfRef{}, notIncremental("VALUES")
	case *logical.Window:
		return dfRef{}, notIncremental("a window function")
	case *logical.ProjectSet:
		return dfRef{}, notIncremental("a set-returning function in the select list (call it in FROM with LATERAL)")
	case *logical.FunctionScan:
		return dfRef{}, notIncremental("the function " + x.Name + " in FROM without a lateral reference")
	case *logical.LateralJoin:
		return b.lowerLateral(x)
	case *logical.RecursiveUnion, *logical.WorkTableScan:
		return dfRef{}, notIncremental("WITH RECURSIVE")
	}
	return dfRef{}, notIncremental("this query shape")
}

// lowerLateral lowers a function called per input row. Over a portal it
// is an ask, which needs an append-only input.
func (b *dfBuilder) lowerLateral(x *logical.LateralJoin) (dfRef, error) {
	in, err := b.lower(x.Left)
	if err != nil {
		return dfRef{}, err
	}
	if err := checkExprs(append(append([]expr.Expr(nil), x.Right.Args...), x.On)...); err != nil {
		return dfRef{}, err
	}
	fn, ordinality, err := setFunction(x.Right)
	if err != nil {
		return dfRef{}, err
	}
	_, asks := fn.(exec.Asker)
	if asks {
		if !in.appendOnly {
			return dfRef{}, pgerror.Newf(pgerror.FeatureNotSupported, "the portal %s cannot be asked about rows that may be retracted", x.Right.Name).
				WithHint("A workflow asks a portal once per new row, so its input must be append-only: a stream, or filters and projections of one.")
		}
		b.df.Asks = true
	}
	ids := append(append([]expr.ColumnID(nil), in.ids...), logical.IDs(x.Right.Cols)...)
	ts := append(append([]types.T(nil), in.types...), logical.Types(x.Right.Cols)...)
	op, err := exec.NewIncrFunctionJoin(in.types, x.Right.Name, fn, x.Right.Args, in.layout(), logical.Types(x.Right.Cols),
		ordinality, x.Outer, x.On, exec.Layout(ids))
	if err != nil {
		return dfRef{}, err
	}
	return dfRef{ref: b.add(op, []int{in.ref}, ts), ids: ids, types: ts}.withWM(in), nil
}

func constInt(e expr.Expr) (int64, error) {
	v, err := expr.EvalConst(&expr.Ctx{}, e)
	if err != nil {
		return 0, err
	}
	if v == nil {
		return -1, nil
	}
	n, ok := v.(int64)
	if !ok || n < 0 {
		return 0, notIncremental("a LIMIT or OFFSET that is not a constant count")
	}
	return n, nil
}

func (b *dfBuilder) lowerScan(s *logical.Scan) (dfRef, error) {
	src := exec.DataflowSource{Name: s.Table.Name, Object: uint64(s.Table.OID), Types: logical.Types(s.Columns())}
	switch s.Table.Kind {
	case logical.StreamRelation:
		src.Kind = exec.SourceStream
		src.Atom = s.Atom != nil
		src.Watermark = watermarkSpec(s.Table)
	case logical.WorkflowRelation:
		src.Kind = exec.SourceWorkflow
		src.AppendOnly = s.Table.AppendOnly
	default:
		src.Kind = exec.SourceTable
		src.Table = s.Table.Spec
	}
	b.df.Sources = append(b.df.Sources, src)
	r := dfRef{ref: -len(b.df.Sources), ids: logical.IDs(s.Columns()), types: src.Types, appendOnly: src.Kind == exec.SourceStream || src.AppendOnly}
	if src.Watermark != nil {
		r.wm = map[expr.ColumnID]exec.WatermarkLineage{s.Cols[src.Watermark.Column].ID: {Source: len(b.df.Sources) - 1}}
		// Events at the watermark itself still arrive; those below it
		// are dropped as late.
		r.setFinal(s.Cols[src.Watermark.Column].ID, []exec.WatermarkLineage{{Source: len(b.df.Sources) - 1, Offset: 1}})
	}
	if s.Filter != nil {
		return b.filter(r, s.Filter)
	}
	return r, nil
}

func (b *dfBuilder) filter(in dfRef, pred expr.Expr) (dfRef, error) {
	if err := checkExprs(pred); err != nil {
		return dfRef{}, err
	}
	op, err := exec.NewIncrFilter(pred, in.layout())
	if err != nil {
		return dfRef{}, err
	}
	return dfRef{ref: b.add(op, []int{in.ref}, in.types), ids: in.ids, types: in.types, appendOnly: in.appendOnly}.withWM(in), nil
}

// lowerInnerJoins joins the inputs of a tree of inner joins left to right:
// conditions on one input filter it, the others join at the first step
// where their inputs are all present.
func (b *dfBuilder) lowerInnerJoins(n logical.Node) (dfRef, error) {
	var leaves []*joinLeaf
	var preds []expr.Expr
	flattenInner(n, &leaves, &preds)
	var rest []expr.Expr
	for _, p := range preds {
		refs := expr.ColumnsUsed(p)
		pushed := false
		if len(refs) > 0 {
			for _, l := range leaves {
				if subset(refs, l.ids) {
					l.preds = append(l.preds, p)
					pushed = true
					break
				}
			}
		}
		if !pushed {
			rest = append(rest, p)
		}
	}
	var acc dfRef
	var accIDs map[expr.ColumnID]bool
	used := make([]bool, len(rest))
	for i, l := range leaves {
		node := l.node
		if len(l.preds) > 0 {
			node = &logical.Filter{Input: node, Pred: expr.And(l.preds...)}
		}
		r, err := b.lower(node)
		if err != nil {
			return dfRef{}, err
		}
		if i == 0 {
			acc, accIDs = r, copySet(l.ids)
			continue
		}
		both := copySet(accIDs)
		for id := range l.ids {
			both[id] = true
		}
		var conds []expr.Expr
		for pi, p := range rest {
			if !used[pi] && len(expr.ColumnsUsed(p)) > 0 && subset(expr.ColumnsUsed(p), both) {
				conds = append(conds, p)
				used[pi] = true
			}
		}
		if acc, err = b.join(exec.InnerJoin, acc, r, conds); err != nil {
			return dfRef{}, err
		}
		accIDs = both
	}
	var left []expr.Expr
	for pi, p := range rest {
		if !used[pi] {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		return b.filter(acc, expr.And(left...))
	}
	return acc, nil
}

func (b *dfBuilder) join(kind exec.JoinKind, left, right dfRef, conds []expr.Expr) (dfRef, error) {
	if err := checkExprs(conds...); err != nil {
		return dfRef{}, err
	}
	lids, rids := map[expr.ColumnID]bool{}, map[expr.ColumnID]bool{}
	for _, id := range left.ids {
		lids[id] = true
	}
	for _, id := range right.ids {
		rids[id] = true
	}
	var lkeys, rkeys, residual []expr.Expr
	for _, c := range conds {
		if l, r, ok := equiSides(c, lids, rids); ok {
			lkeys, rkeys = append(lkeys, l), append(rkeys, r)
			continue
		}
		residual = append(residual, c)
	}
	if len(lkeys) == 0 {
		return dfRef{}, notIncremental("a join without an equality condition (a cross join)")
	}
	ids := append(append([]expr.ColumnID(nil), left.ids...), right.ids...)
	ts := append(append([]types.T(nil), left.types...), right.types...)
	op, err := exec.NewIncrJoin(exec.JoinSpec{
		Kind: kind, LeftTypes: left.types, RightTypes: right.types,
		LeftKeys: lkeys, RightKeys: rkeys, LeftLayout: left.layout(), RightLayout: right.layout(),
		Residual: expr.And(residual...), Layout: exec.Layout(ids),
	})
	if err != nil {
		return dfRef{}, err
	}
	out := dfRef{ref: b.add(op, []int{left.ref, right.ref}, ts), ids: ids, types: ts}.withWM(left, right)
	out.appendOnly = kind == exec.InnerJoin && left.appendOnly && right.appendOnly
	if kind == exec.InnerJoin {
		lrules, rrules := joinPurgeRules(left, right, conds, &out)
		op.PurgeDeadRows(lrules, rrules)
	}
	return out, nil
}
