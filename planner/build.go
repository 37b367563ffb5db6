package planner

import (
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
	"portalsdb/storage"
	"portalsdb/types"
)

// builder lowers one statement's logical plan.
type builder struct {
	ids      IDSource
	used     map[expr.ColumnID]bool
	subplans []*exec.Subplan
	ctes     map[int]*exec.CTESource
}

// built is an operator with its output columns.
type built struct {
	op    exec.Operator
	ids   []expr.ColumnID
	types []types.T
}

func (b built) layout() expr.Layout { return exec.Layout(b.ids) }

func wrap(op exec.Operator) exec.Operator { return &exec.Instrumented{Op: op} }

// buildExact lowers n so that its output is exactly n.Columns().
func (b *builder) buildExact(n logical.Node) (exec.Operator, error) {
	r, err := b.build(n)
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	same := len(cols) == len(r.ids)
	for i := 0; same && i < len(cols); i++ {
		same = cols[i].ID == r.ids[i]
	}
	if same {
		return r.op, nil
	}
	exprs := make([]expr.Expr, len(cols))
	for i, c := range cols {
		exprs[i] = &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}
	}
	p, err := exec.NewProject(r.op, exprs, r.layout())
	if err != nil {
		return nil, err
	}
	return wrap(p), nil
}

// prepare replaces the subqueries of e by subplans.
func (b *builder) prepare(e expr.Expr) (expr.Expr, error) {
	if e == nil || !expr.HasSubquery(e) {
		return e, nil
	}
	return expr.Rewrite(e, func(x expr.Expr) (expr.Expr, error) {
		sq, ok := x.(*expr.Subquery)
		if !ok {
			return x, nil
		}
		plan := sq.Plan.(logical.PlanExpr).Node
		plan, err := applyRules(plan, b.ids)
		if err != nil {
			return nil, err
		}
		plan = pruneOutputs(plan, idSet(plan.Columns()))
		collectUsed(plan, b.used)
		op, err := b.buildExact(plan)
		if err != nil {
			return nil, err
		}
		cols := plan.Columns()
		sp := &exec.Subplan{Op: op, Types: logical.Types(cols), Correlated: sq.Correlated, CorrTypes: sq.CorrelatedTypes}
		if len(cols) > 0 {
			sp.Type = cols[0].Type
		}
		b.subplans = append(b.subplans, sp)
		return &expr.SubplanRef{Index: len(b.subplans) - 1, Sub: sq}, nil
	})
}

func (b *builder) prepareAll(es []expr.Expr) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		p, err := b.prepare(e)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

func (b *builder) build(n logical.Node) (built, error) {
	switch x := n.(type) {
	case *logical.Scan:
		return b.buildScan(x, x.Filter)
	case *logical.Values:
		rows := make([][]expr.Expr, len(x.Rows))
		for i, r := range x.Rows {
			pr, err := b.prepareAll(r)
			if err != nil {
				return built{}, err
			}
			rows[i] = pr
		}
		op, err := exec.NewValues(rows, logical.Types(x.Cols))
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(op), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
	case *logical.Filter:
		if neverTrue(x.Pred) {
			return b.empty(x.Input)
		}
		if gate, rest := splitGate(x); gate != nil {
			var inner logical.Node = x.Input
			if rest != nil {
				inner = &logical.Filter{Input: x.Input, Pred: rest}
			}
			in, err := b.build(inner)
			if err != nil {
				return built{}, err
			}
			op, err := exec.NewGate(in.op, gate)
			if err != nil {
				return built{}, err
			}
			return built{op: wrap(op), ids: in.ids, types: in.types}, nil
		}
		if isInnerJoinTree(x.Input) {
			return b.buildJoinTree(x)
		}
		if s, ok := x.Input.(*logical.Scan); ok {
			return b.buildScan(s, expr.And(s.Filter, x.Pred))
		}
		in, err := b.build(x.Input)
		if err != nil {
			return built{}, err
		}
		return b.filter(in, x.Pred)
	case *logical.Project:
		in, err := b.build(x.Input)
		if err != nil {
			return built{}, err
		}
		exprs, err := b.prepareAll(x.Exprs)
		if err != nil {
			return built{}, err
		}
		op, err := exec.NewProject(in.op, exprs, in.layout())
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(op), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
	case *logical.LateralJoin:
		return b.buildLateralJoin(x)
	case *logical.Join:
		if x.Kind == logical.InnerJoin {
			return b.buildJoinTree(x)
		}
		return b.buildJoin(x)
	case *logical.Aggregate:
		return b.buildAggregate(x)
	case *logical.Sort:
		in, err := b.build(x.Input)
		if err != nil {
			return built{}, err
		}
		keys, err := b.sortSpecs(x.Keys)
		if err != nil {
			return built{}, err
		}
		op, err := exec.NewSort(in.op, keys, in.layout(), in.types)
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(op), ids: in.ids, types: in.types}, nil
	case *logical.Limit:
		in, err := b.build(x.Input)
		if err != nil {
			return built{}, err
		}
		op, err := exec.NewLimit(in.op, x.Count, x.Offset)
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(op), ids: in.ids, types: in.types}, nil
	case *logical.Distinct:
		if len(x.On) == 0 {
			// Only the plan's own columns count, not extra ones a scan
			// kept for expressions above.
			op, err := b.buildExact(x.Input)
			if err != nil {
				return built{}, err
			}
			cols := x.Input.Columns()
			d, err := exec.NewDistinct(op, nil, nil, logical.Types(cols))
			if err != nil {
				return built{}, err
			}
			return built{op: wrap(d), ids: logical.IDs(cols), types: logical.Types(cols)}, nil
		}
		in, err := b.build(x.Input)
		if err != nil {
			return built{}, err
		}
		d, err := exec.NewDistinct(in.op, x.On, in.layout(), in.types)
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(d), ids: in.ids, types: in.types}, nil
	case *logical.SetOp:
		return b.buildSetOp(x)
	case *logical.CTEScan:
		src, err := b.cteSource(x.CTE)
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(exec.NewCTEScan(src)), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
	case *logical.RecursiveUnion:
		anchor, err := b.buildExact(x.Anchor)
		if err != nil {
			return built{}, err
		}
		rec, err := b.buildExact(x.Recursive)
		if err != nil {
			return built{}, err
		}
		op := exec.NewRecursiveUnion(anchor, rec, x.WorkTable.ID, x.All, logical.Types(x.Cols))
		return built{op: wrap(op), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
	case *logical.WorkTableScan:
		return built{op: wrap(exec.NewWorkTableScan(x.WorkTable.ID, x.WorkTable.Name)), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
	case *logical.FunctionScan:
		return b.buildFunctionScan(x)
	case *logical.Window:
		return b.buildWindow(x)
	case *logical.ProjectSet:
		return b.buildProjectSet(x)
	case *logical.TimeWindow:
		in, err := b.buildExact(x.Input)
		if err != nil {
			return built{}, err
		}
		layout := exec.Layout(logical.IDs(x.Input.Columns()))
		var op exec.Operator
		if x.Gap > 0 {
			op, err = exec.NewSessionWindow(in, x.Time, x.Gap, x.PartitionBy, layout, logical.Types(x.Input.Columns()))
		} else {
			op, err = exec.NewTimeWindow(in, x.Time, x.Size, x.Slide, layout)
		}
		if err != nil {
			return built{}, err
		}
		return built{op: wrap(op), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
	case *logical.Insert:
		return b.buildInsert(x)
	case *logical.Update:
		return b.buildUpdate(x)
	case *logical.Delete:
		return b.buildDelete(x)
	}
	return built{}, unsupported("plan node %T is not supported", n)
}

func (b *builder) filter(in built, pred expr.Expr) (built, error) {
	p, err := b.prepare(pred)
	if err != nil {
		return built{}, err
	}
	op, err := exec.NewFilter(in.op, p, in.layout())
	if err != nil {
		return built{}, err
	}
	return built{op: wrap(op), ids: in.ids, types: in.types}, nil
}

func (b *builder) sortSpecs(keys []logical.SortKey) ([]exec.SortSpec, error) {
	out := make([]exec.SortSpec, len(keys))
	for i, k := range keys {
		e, err := b.prepare(k.Expr)
		if err != nil {
			return nil, err
		}
		out[i] = exec.SortSpec{Expr: e, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	return out, nil
}

func (b *builder) buildAggregate(x *logical.Aggregate) (built, error) {
	in, err := b.build(x.Input)
	if err != nil {
		return built{}, err
	}
	groups, err := b.prepareAll(x.GroupBy)
	if err != nil {
		return built{}, err
	}
	specs := make([]exec.AggSpec, len(x.Aggs))
	for i, a := range x.Aggs {
		args, err := b.prepareAll(a.Args)
		if err != nil {
			return built{}, err
		}
		f, err := b.prepare(a.Filter)
		if err != nil {
			return built{}, err
		}
		order, err := b.sortSpecs(a.OrderBy)
		if err != nil {
			return built{}, err
		}
		specs[i] = exec.AggSpec{Fn: a.Fn, Args: args, ArgTypes: a.ArgTypes, Ret: a.Col.Type, Distinct: a.Distinct, Filter: f, OrderBy: order}
	}
	op, err := exec.NewHashAggregate(in.op, groups, specs, in.layout())
	if err != nil {
		return built{}, err
	}
	cols := x.Columns()
	return built{op: wrap(op), ids: logical.IDs(cols), types: logical.Types(cols)}, nil
}

func (b *builder) buildSetOp(x *logical.SetOp) (built, error) {
	left, err := b.buildExact(x.Left)
	if err != nil {
		return built{}, err
	}
	right, err := b.buildExact(x.Right)
	if err != nil {
		return built{}, err
	}
	ts := logical.Types(x.Cols)
	var op exec.Operator
	switch x.Kind {
	case logical.Union:
		op = wrap(exec.NewConcat(left, right))
		if !x.All {
			d, err := exec.NewDistinct(op, nil, nil, ts)
			if err != nil {
				return built{}, err
			}
			op = wrap(d)
		}
	case logical.Intersect:
		op = wrap(exec.NewSetOp(exec.IntersectOp, x.All, left, right, ts))
	case logical.Except:
		op = wrap(exec.NewSetOp(exec.ExceptOp, x.All, left, right, ts))
	}
	return built{op: op, ids: logical.IDs(x.Cols), types: ts}, nil
}

func (b *builder) cteSource(c *logical.CTE) (*exec.CTESource, error) {
	if b.ctes == nil {
		b.ctes = map[int]*exec.CTESource{}
	}
	if src, ok := b.ctes[c.ID]; ok {
		return src, nil
	}
	op, err := b.buildExact(c.Plan)
	if err != nil {
		return nil, err
	}
	src := &exec.CTESource{ID: c.ID, Name: c.Name, Plan: op, Types: logical.Types(c.Plan.Columns())}
	b.ctes[c.ID] = src
	return src, nil
}

func (b *builder) buildFunctionScan(x *logical.FunctionScan) (built, error) {
	args, err := b.prepareAll(x.Args)
	if err != nil {
		return built{}, err
	}
	fn, ordinality, err := setFunction(x)
	if err != nil {
		return built{}, err
	}
	op, err := exec.NewFunctionScan(x.Name, fn, args, logical.Types(x.Cols), ordinality)
	if err != nil {
		return built{}, err
	}
	return built{op: wrap(op), ids: logical.IDs(x.Cols), types: logical.Types(x.Cols)}, nil
}

// setFunction returns the implementation of a function in FROM, and
// whether its last column is WITH ORDINALITY's row number.
func setFunction(x *logical.FunctionScan) (exec.SetFunction, bool, error) {
	fn, err := setFunctionImpl(x.Name, x.Impl, x.Cols[0].Type)
	return fn, x.Ordinality, err
}

// setFunctionImpl returns the implementation the binder chose for a
// set-returning function whose first column has type first.
func setFunctionImpl(name string, impl any, first types.T) (exec.SetFunction, error) {
	var fn exec.SetFunction
	switch impl := impl.(type) {
	case string:
		switch impl {
		case "generate_series":
			fn = exec.GenerateSeries{T: first}
		case "unnest":
			fn = exec.Unnest{Elem: first}
		}
	case *expr.SetFuncCall:
		fn = exec.RowsFunction{Call: impl}
	case exec.SetFunction:
		fn = impl
	}
	if fn == nil {
		return nil, unsupported("function %s is not supported", name)
	}
	return fn, nil
}

// buildProjectSet lowers the set-returning calls of a select list.
func (b *builder) buildProjectSet(x *logical.ProjectSet) (built, error) {
	in, err := b.build(x.Input)
	if err != nil {
		return built{}, err
	}
	calls := make([]exec.SetCall, len(x.Calls))
	for i, c := range x.Calls {
		fn, err := setFunctionImpl(c.Name, c.Impl, c.Col.Type)
		if err != nil {
			return built{}, err
		}
		args, err := b.prepareAll(c.Args)
		if err != nil {
			return built{}, err
		}
		calls[i] = exec.SetCall{Name: c.Name, Fn: fn, Args: args, T: c.Col.Type}
	}
	op, err := exec.NewProjectSet(in.op, in.types, in.layout(), calls)
	if err != nil {
		return built{}, err
	}
	ids := append([]expr.ColumnID(nil), in.ids...)
	ts := append([]types.T(nil), in.types...)
	for _, c := range x.Calls {
		ids, ts = append(ids, c.Col.ID), append(ts, c.Col.Type)
	}
	return built{op: wrap(op), ids: ids, types: ts}, nil
}

// buildLateralJoin lowers a join with a function called per left row.
func (b *builder) buildLateralJoin(x *logical.LateralJoin) (built, error) {
	left, err := b.build(x.Left)
	if err != nil {
		return built{}, err
	}
	fn, ordinality, err := setFunction(x.Right)
	if err != nil {
		return built{}, err
	}
	args, err := b.prepareAll(x.Right.Args)
	if err != nil {
		return built{}, err
	}
	var on expr.Expr
	if x.On != nil {
		if on, err = b.prepare(x.On); err != nil {
			return built{}, err
		}
	}
	ids := append(append([]expr.ColumnID(nil), left.ids...), logical.IDs(x.Right.Cols)...)
	ts := append(append([]types.T(nil), left.types...), logical.Types(x.Right.Cols)...)
	op, err := exec.NewFunctionJoin(left.op, left.types, x.Right.Name, fn, args, left.layout(),
		logical.Types(x.Right.Cols), ordinality, x.Outer, on, exec.Layout(ids))
	if err != nil {
		return built{}, err
	}
	return built{op: wrap(op), ids: ids, types: ts}, nil
}

func (b *builder) buildWindow(x *logical.Window) (built, error) {
	in, err := b.build(x.Input)
	if err != nil {
		return built{}, err
	}
	funcs := make([]exec.WindowFunc, len(x.Funcs))
	for i, f := range x.Funcs {
		args, err := b.prepareAll(f.Args)
		if err != nil {
			return built{}, err
		}
		parts, err := b.prepareAll(f.PartitionBy)
		if err != nil {
			return built{}, err
		}
		order, err := b.sortSpecs(f.OrderBy)
		if err != nil {
			return built{}, err
		}
		// Aggregates carry the types their overload resolved to; the
		// other functions' arguments were coerced in place.
		argTypes := f.ArgTypes
		if f.Agg == nil {
			argTypes = make([]types.T, len(args))
			for j, a := range args {
				argTypes[j] = a.Type()
			}
		}
		wf := exec.WindowFunc{Name: f.Name, Agg: f.Agg, Args: args, ArgTypes: argTypes, Ret: f.Col.Type,
			PartitionBy: parts, OrderBy: order}
		if fr := f.Frame; fr != nil {
			wf.Frame = &exec.WindowFrame{Rows: fr.Rows, StartUnbounded: fr.StartUnbounded, StartCurrent: fr.StartCurrent,
				StartOffset: fr.StartOffset, EndUnbounded: fr.EndUnbounded, EndCurrent: fr.EndCurrent, EndOffset: fr.EndOffset}
		}
		funcs[i] = wf
	}
	op, err := exec.NewWindow(in.op, funcs, in.layout(), in.types)
	if err != nil {
		return built{}, err
	}
	ids := append([]expr.ColumnID(nil), in.ids...)
	ts := append([]types.T(nil), in.types...)
	for _, f := range x.Funcs {
		ids = append(ids, f.Col.ID)
		ts = append(ts, f.Col.Type)
	}
	return built{op: wrap(op), ids: ids, types: ts}, nil
}

func rowSpec(t *logical.TableRef) exec.RowSpec {
	rs := exec.RowSpec{}
	if spec, ok := t.Spec.(*storage.TableSpec); ok {
		rs.Table = spec
	}
	if t.Changelog {
		rs.Changelog = uint64(t.OID)
	}
	for _, c := range t.Columns {
		rs.Types = append(rs.Types, c.Type)
		rs.Names = append(rs.Names, c.Name)
		rs.NotNull = append(rs.NotNull, c.NotNull)
	}
	return rs
}

func (b *builder) checks(cs []logical.Check) ([]exec.CheckSpec, error) {
	out := make([]exec.CheckSpec, len(cs))
	for i, c := range cs {
		e, err := b.prepare(c.Expr)
		if err != nil {
			return nil, err
		}
		out[i] = exec.CheckSpec{Name: c.Name, Expr: e, ViewOption: c.ViewOption}
	}
	return out, nil
}

func (b *builder) buildInsert(x *logical.Insert) (built, error) {
	in, err := b.buildExact(x.Input)
	if err != nil {
		return built{}, err
	}
	layout := exec.Layout(logical.IDs(x.Input.Columns()))
	checks, err := b.checks(x.Checks)
	if err != nil {
		return built{}, err
	}
	ret, err := b.prepareAll(x.Returning)
	if err != nil {
		return built{}, err
	}
	var conf *exec.OnConflictSpec
	if oc := x.OnConflict; oc != nil {
		conf = &exec.OnConflictSpec{Arbiter: oc.Index, DoNothing: oc.DoNothing, Set: map[int]expr.Expr{}}
		conf.SetLayout = exec.Layout(append(logical.IDs(oc.ExistingCols), logical.IDs(oc.ExcludedCols)...))
		for ord, e := range oc.Set {
			if conf.Set[ord], err = b.prepare(e); err != nil {
				return built{}, err
			}
		}
		if conf.Where, err = b.prepare(oc.Where); err != nil {
			return built{}, err
		}
	}
	var op exec.Operator
	if x.Table.Kind == logical.StreamRelation {
		if conf != nil {
			return built{}, unsupported("ON CONFLICT is not supported for streams")
		}
		op, err = exec.NewStreamInsert(in, x.Table.Name, rowSpec(x.Table), uint64(x.Table.OID), checks, ret, layout)
	} else {
		op, err = exec.NewInsert(in, rowSpec(x.Table), checks, conf, ret, layout)
	}
	if err != nil {
		return built{}, err
	}
	return built{op: op, ids: logical.IDs(x.ReturningCols), types: logical.Types(x.ReturningCols)}, nil
}

func positions(l expr.Layout, cols []logical.Column) []int {
	out := make([]int, len(cols))
	for i, c := range cols {
		out[i] = l[c.ID]
	}
	return out
}

func (b *builder) buildUpdate(x *logical.Update) (built, error) {
	in, err := b.build(x.Input)
	if err != nil {
		return built{}, err
	}
	layout := in.layout()
	sets := map[int]expr.Expr{}
	for ord, e := range x.Sets {
		if sets[ord], err = b.prepare(e); err != nil {
			return built{}, err
		}
	}
	checks, err := b.checks(x.Checks)
	if err != nil {
		return built{}, err
	}
	ret, err := b.prepareAll(x.Returning)
	if err != nil {
		return built{}, err
	}
	op, err := exec.NewUpdate(in.op, rowSpec(x.Table), positions(layout, x.OldCols), layout[x.RowKeyCol.ID], sets, layout,
		checks, ret, exec.Layout(logical.IDs(x.NewCols)))
	if err != nil {
		return built{}, err
	}
	return built{op: op, ids: logical.IDs(x.ReturningCols), types: logical.Types(x.ReturningCols)}, nil
}

func (b *builder) buildDelete(x *logical.Delete) (built, error) {
	in, err := b.build(x.Input)
	if err != nil {
		return built{}, err
	}
	layout := in.layout()
	ret, err := b.prepareAll(x.Returning)
	if err != nil {
		return built{}, err
	}
	op, err := exec.NewDelete(in.op, rowSpec(x.Table), positions(layout, x.OldCols), layout[x.RowKeyCol.ID], ret, layout)
	if err != nil {
		return built{}, err
	}
	return built{op: op, ids: logical.IDs(x.ReturningCols), types: logical.Types(x.ReturningCols)}, nil
}

// neverTrue says whether a filter's predicate is a constant FALSE or NULL.
func neverTrue(p expr.Expr) bool {
	k, ok := p.(*expr.Const)
	return ok && (k.Value == nil || k.Value == false)
}

// empty lowers a node that a constant-false filter empties: its input is
// planned, so that its planning errors surface as PostgreSQL's do, but not
// run (a join of many tables under WHERE false costs nothing).
func (b *builder) empty(input logical.Node) (built, error) {
	in, err := b.build(input)
	if err != nil {
		return built{}, err
	}
	op, err := exec.NewValues(nil, in.types)
	if err != nil {
		return built{}, err
	}
	return built{op: wrap(op), ids: in.ids, types: in.types}, nil
}

// splitGate separates the conjuncts of a filter that read none of its
// input's columns (an enclosing query's values, parameters): they decide
// once whether the input runs at all.
func splitGate(f *logical.Filter) (gate, rest expr.Expr) {
	in := idSet(f.Input.Columns())
	var g, r []expr.Expr
	for _, c := range expr.Conjuncts(f.Pred) {
		if _, isConst := c.(*expr.Const); !isConst && !refersTo(c, in) && !expr.IsVolatile(c) && !expr.HasSubquery(c) {
			g = append(g, c)
		} else {
			r = append(r, c)
		}
	}
	if len(g) == 0 {
		return nil, f.Pred
	}
	if len(r) == 0 {
		return expr.And(g...), nil
	}
	return expr.And(g...), expr.And(r...)
}
