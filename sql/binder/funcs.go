package binder

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// aggContext collects the aggregates of a grouped query level.
type aggContext struct {
	aggs []logical.AggCall
	// groupExprs are the bound GROUP BY expressions and groupCols their
	// output columns.
	groupExprs []expr.Expr
	groupCols  []logical.Column
	// inputIDs are the columns of the level's FROM clause.
	inputIDs     map[expr.ColumnID]bool
	checkGrouped bool
	// sets are the GROUPING SETS / ROLLUP / CUBE sets, as indexes into
	// groupExprs; nil for a plain GROUP BY.
	sets [][]int
	// groupingCalls are the level's GROUPING(...) calls.
	groupingCalls []groupingCall
}

// windowContext collects window function calls.
type windowContext struct {
	calls []logical.WindowCall
	// defs are the WINDOW clause's named windows.
	defs []*pg.Node
}

// resolve returns the window an OVER clause names or refines: OVER w is
// the named window itself; OVER (w ORDER BY ...) copies w's partitioning
// and ordering and adds its own ordering and frame, as PostgreSQL does.
func (wc *windowContext) resolve(over *pg.WindowDef) (*pg.WindowDef, error) {
	ref, whole := over.Refname, false
	if ref == "" && over.Name != "" && len(over.PartitionClause) == 0 && len(over.OrderClause) == 0 && over.FrameOptions&frameNonDefault == 0 {
		ref, whole = over.Name, true
	}
	if ref == "" {
		return over, nil
	}
	var base *pg.WindowDef
	for _, d := range wc.defs {
		if wd := d.GetWindowDef(); wd != nil && wd.Name == ref {
			base = wd
			break
		}
	}
	if base == nil {
		return nil, pgerror.Newf(pgerror.UndefinedObject, "window %q does not exist", ref).WithPosition(int(over.Location) + 1)
	}
	if base.Refname != "" {
		var err error
		if base, err = wc.resolve(base); err != nil {
			return nil, err
		}
	}
	if whole {
		return base, nil
	}
	if len(over.PartitionClause) > 0 {
		return nil, pgerror.Newf(pgerror.WindowingError, "cannot override PARTITION BY clause of window %q", ref).WithPosition(int(over.Location) + 1)
	}
	if len(over.OrderClause) > 0 && len(base.OrderClause) > 0 {
		return nil, pgerror.Newf(pgerror.WindowingError, "cannot override ORDER BY clause of window %q", ref).WithPosition(int(over.Location) + 1)
	}
	if base.FrameOptions&frameNonDefault != 0 {
		return nil, pgerror.Newf(pgerror.WindowingError, "cannot copy window %q because it has a frame clause", ref).WithPosition(int(over.Location) + 1)
	}
	merged := &pg.WindowDef{PartitionClause: base.PartitionClause, OrderClause: over.OrderClause,
		FrameOptions: over.FrameOptions, StartOffset: over.StartOffset, EndOffset: over.EndOffset, Location: over.Location}
	if len(over.OrderClause) == 0 {
		merged.OrderClause = base.OrderClause
	}
	return merged, nil
}

// orderSensitiveAgg are the aggregates whose result shows their input's
// order.
var orderSensitiveAgg = map[string]bool{
	"array_agg": true, "string_agg": true, "json_agg": true, "jsonb_agg": true,
	"json_object_agg": true, "jsonb_object_agg": true,
}

var windowOnly = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true, "cume_dist": true,
	"ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true,
}

func (b *Binder) bindFuncCall(fc *pg.FuncCall, s *scope) (expr.Expr, error) {
	name := funcName(fc.Funcname)
	if fc.Over != nil {
		return b.bindWindowCall(fc, name, s)
	}
	if b.isSetReturning(name) {
		return b.bindSetReturningCall(fc, name, s)
	}
	if windowOnly[name] {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "window function %s requires an OVER clause", name).WithPosition(int(fc.Location) + 1)
	}
	if b.reg.IsAggregate(name) && !b.reg.Has(name) {
		return b.bindAggCall(fc, name, s)
	}
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%s is not an aggregate function", name).WithPosition(int(fc.Location) + 1)
	}
	args, err := b.bindCallArgs(name, fc, s)
	if err != nil {
		return nil, err
	}
	switch name {
	case "extract", "date_part":
		// EXTRACT(field FROM x) arrives with the field as a string.
		if len(args) == 2 {
			if c, ok := args[0].(*expr.Const); ok && c.T.Kind == types.Unknown {
				args[0] = &expr.Const{Value: strings.ToLower(c.Value.(string)), T: types.TextType}
			}
			if args[1].Type().Kind == types.Unknown {
				var err error
				if args[1], err = b.coerce(args[1], types.TimestampTZType, expr.CastImplicit, ""); err != nil {
					return nil, err
				}
			}
		}
	case "position":
		// POSITION(a IN b) arrives as position(b, a).
	case "nullif":
		if len(args) == 2 {
			return b.nullIf(args[0], args[1], fc.Location)
		}
	case "coalesce", "greatest", "least":
		return b.bindExpr(&pg.Node{Node: &pg.Node_CoalesceExpr{CoalesceExpr: &pg.CoalesceExpr{Args: fc.Args, Location: fc.Location}}}, s)
	}
	if !b.reg.Has(name) {
		ts := make([]string, len(args))
		for i, a := range args {
			ts[i] = a.Type().String()
		}
		return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.").
			WithPosition(int(fc.Location) + 1)
	}
	return b.callOp(name, args, fc.Location)
}

// bindCallArgs binds a function call's arguments. Named arguments
// (name => value) are put in their parameter's place, and parameters left
// out take their defaults.
func (b *Binder) bindCallArgs(name string, fc *pg.FuncCall, s *scope) ([]expr.Expr, error) {
	named := false
	for _, a := range fc.Args {
		if a.GetNamedArgExpr() != nil {
			named = true
		}
	}
	if !named {
		args := make([]expr.Expr, len(fc.Args))
		for i, a := range fc.Args {
			e, err := b.bindExpr(a, s)
			if err != nil {
				return nil, err
			}
			args[i] = e
		}
		return args, nil
	}
	params, ok := b.reg.Named(name)
	undefined := func() error {
		return pgerror.Newf(pgerror.UndefinedFunction, "function %s with named arguments does not exist", name).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.").
			WithPosition(int(fc.Location) + 1)
	}
	if !ok {
		return nil, undefined()
	}
	args := make([]expr.Expr, len(params.Names))
	for i, a := range fc.Args {
		pos, arg := i, a
		if na := a.GetNamedArgExpr(); na != nil {
			pos = -1
			for j, n := range params.Names {
				if n == na.Name {
					pos = j
				}
			}
			arg = na.Arg
		}
		if pos < 0 || pos >= len(args) {
			return nil, undefined()
		}
		if args[pos] != nil {
			return nil, pgerror.Newf(pgerror.Syntax, "argument name %q used more than once", params.Names[pos]).WithPosition(int(fc.Location) + 1)
		}
		e, err := b.bindExpr(arg, s)
		if err != nil {
			return nil, err
		}
		args[pos] = e
	}
	for i := range args {
		if args[i] == nil {
			args[i] = &expr.Const{Value: params.Defaults[i], T: params.Types[i]}
		}
	}
	return args, nil
}

// bindAggCall binds an aggregate call in a grouped query level, returning a
// reference to the aggregate's output column.
func (b *Binder) bindAggCall(fc *pg.FuncCall, name string, s *scope) (expr.Expr, error) {
	lvl := s.level
	if lvl.noAggReason != "" {
		return nil, pgerror.Newf(pgerror.GroupingError, "aggregate functions are not allowed in %s", lvl.noAggReason).WithPosition(int(fc.Location) + 1)
	}
	if lvl.inAggArg {
		return nil, pgerror.New(pgerror.GroupingError, "aggregate function calls cannot be nested").WithPosition(int(fc.Location) + 1)
	}
	if lvl.agg == nil {
		return nil, pgerror.Internalf("aggregate %s outside of a grouped query", name)
	}
	lvl.inAggArg = true
	defer func() { lvl.inAggArg = false }()
	var args []expr.Expr
	var ts []types.T
	if fc.AggWithinGroup {
		// An ordered-set aggregate aggregates its WITHIN GROUP ORDER BY
		// expressions; its direct arguments follow them.
		for _, o := range fc.AggOrder {
			e, err := b.bindExpr(o.GetSortBy().Node, s)
			if err != nil {
				return nil, err
			}
			args, ts = append(args, e), append(ts, e.Type())
		}
	}
	for _, a := range fc.Args {
		e, err := b.bindExpr(a, s)
		if err != nil {
			return nil, err
		}
		args, ts = append(args, e), append(ts, e.Type())
	}
	agg, argTypes, ret, err := b.reg.ResolveAgg(name, ts, fc.AggStar)
	if err != nil {
		return nil, posErr(pgerror.Flatten(err), fc.Location)
	}
	for i := range args {
		if args[i], err = b.coerce(args[i], argTypes[i], expr.CastImplicit, ""); err != nil {
			return nil, err
		}
	}
	call := logical.AggCall{Fn: agg, Args: args, ArgTypes: argTypes, Distinct: fc.AggDistinct}
	if fc.AggFilter != nil {
		f, err := b.bindExpr(fc.AggFilter, s)
		if err != nil {
			return nil, err
		}
		if call.Filter, err = b.coerceBool(f, "FILTER"); err != nil {
			return nil, err
		}
	}
	for _, o := range fc.AggOrder {
		sb := o.GetSortBy()
		e, err := b.bindExpr(sb.Node, s)
		if err != nil {
			return nil, err
		}
		call.OrderBy = append(call.OrderBy, sortKey(e, sb))
	}
	if call.Distinct && len(call.OrderBy) == 0 && orderSensitiveAgg[name] {
		// PostgreSQL sorts a DISTINCT aggregate's input, so array_agg's
		// and string_agg's results come out in order.
		for _, a := range call.Args[:1] {
			call.OrderBy = append(call.OrderBy, logical.SortKey{Expr: a})
		}
	}
	// Reuse an identical call.
	for _, prev := range lvl.agg.aggs {
		if prev.Fn == call.Fn && prev.Distinct == call.Distinct && len(prev.Args) == len(call.Args) &&
			prev.Filter == nil && call.Filter == nil && len(call.OrderBy) == 0 && len(prev.OrderBy) == 0 {
			same := true
			for i := range prev.Args {
				if !exprEqual(prev.Args[i], call.Args[i]) {
					same = false
				}
			}
			if same {
				return &expr.ColRef{ID: prev.Col.ID, T: prev.Col.Type, Name: name}, nil
			}
		}
	}
	call.Col = logical.Column{ID: b.newID(), Name: name, Type: ret}
	lvl.agg.aggs = append(lvl.agg.aggs, call)
	return &expr.ColRef{ID: call.Col.ID, T: ret, Name: name}, nil
}

func sortKey(e expr.Expr, sb *pg.SortBy) logical.SortKey {
	k := logical.SortKey{Expr: e, Desc: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
	switch sb.SortbyNulls {
	case pg.SortByNulls_SORTBY_NULLS_FIRST:
		k.NullsFirst = true
	case pg.SortByNulls_SORTBY_NULLS_LAST:
		k.NullsFirst = false
	default:
		// PostgreSQL's default: NULLs sort as larger than any value.
		k.NullsFirst = k.Desc
	}
	return k
}

// bindWindowCall binds f(...) OVER (...).
func (b *Binder) bindWindowCall(fc *pg.FuncCall, name string, s *scope) (expr.Expr, error) {
	defer blockSRF(s, "window function calls")()
	lvl := s.level
	if lvl.win == nil || lvl.noAggReason != "" {
		where := lvl.noAggReason
		if where == "" {
			where = "this context"
		}
		return nil, pgerror.Newf(pgerror.WindowingError, "window functions are not allowed in %s", where).WithPosition(int(fc.Location) + 1)
	}
	over, err := lvl.win.resolve(fc.Over)
	if err != nil {
		return nil, err
	}
	args := make([]expr.Expr, len(fc.Args))
	ts := make([]types.T, len(fc.Args))
	for i, a := range fc.Args {
		e, err := b.bindExpr(a, s)
		if err != nil {
			return nil, err
		}
		args[i], ts[i] = e, e.Type()
	}
	call := logical.WindowCall{Name: name, Args: args, ArgTypes: ts}
	var ret types.T
	switch name {
	case "row_number", "rank", "dense_rank", "ntile":
		ret = types.Int8Type
		if name == "ntile" {
			if len(args) != 1 {
				return nil, pgerror.Newf(pgerror.UndefinedFunction, "function ntile requires one argument")
			}
			var err error
			if call.Args[0], err = b.coerce(args[0], types.Int4Type, expr.CastImplicit, ""); err != nil {
				return nil, err
			}
		}
	case "percent_rank", "cume_dist":
		ret = types.Float8Type
	case "lag", "lead", "first_value", "last_value", "nth_value":
		if len(args) == 0 {
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s requires an argument", name)
		}
		ret = ts[0]
		if ret.Kind == types.Unknown {
			ret = types.TextType
			call.Args[0], _ = b.coerce(args[0], ret, expr.CastImplicit, "")
		}
		for i := 1; i < len(args); i++ {
			want := types.Int4Type
			if i == 2 && (name == "lag" || name == "lead") {
				want = ret
			}
			var err error
			if call.Args[i], err = b.coerce(args[i], want, expr.CastImplicit, ""); err != nil {
				return nil, err
			}
		}
	default:
		if !b.reg.IsAggregate(name) {
			return nil, pgerror.Newf(pgerror.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name).WithPosition(int(fc.Location) + 1)
		}
		agg, argTypes, r, err := b.reg.ResolveAgg(name, ts, fc.AggStar)
		if err != nil {
			return nil, err
		}
		for i := range args {
			if call.Args[i], err = b.coerce(args[i], argTypes[i], expr.CastImplicit, ""); err != nil {
				return nil, err
			}
		}
		call.Agg, call.ArgTypes, ret = agg, argTypes, r
	}
	for _, p := range over.PartitionClause {
		e, err := b.bindExpr(p, s)
		if err != nil {
			return nil, err
		}
		call.PartitionBy = append(call.PartitionBy, e)
	}
	for _, o := range over.OrderClause {
		sb := o.GetSortBy()
		e, err := b.bindExpr(sb.Node, s)
		if err != nil {
			return nil, err
		}
		call.OrderBy = append(call.OrderBy, sortKey(e, sb))
	}
	if f, err := frameFromOptions(over); err != nil {
		return nil, err
	} else {
		call.Frame = f
	}
	call.Col = logical.Column{ID: b.newID(), Name: name, Type: ret}
	lvl.win.calls = append(lvl.win.calls, call)
	return &expr.ColRef{ID: call.Col.ID, T: ret, Name: name}, nil
}

// Frame option bits, from PostgreSQL's nodes/parsenodes.h.
const (
	frameNonDefault           = 0x00001
	frameRange                = 0x00002
	frameRows                 = 0x00004
	frameGroups               = 0x00008
	frameBetween              = 0x00010
	frameStartUnboundedPrec   = 0x00020
	frameEndUnboundedPrec     = 0x00040
	frameStartUnboundedFoll   = 0x00080
	frameEndUnboundedFoll     = 0x00100
	frameStartCurrentRow      = 0x00200
	frameEndCurrentRow        = 0x00400
	frameStartOffsetPreceding = 0x00800
	frameEndOffsetPreceding   = 0x01000
	frameStartOffsetFollowing = 0x02000
	frameEndOffsetFollowing   = 0x04000
)

func frameFromOptions(w *pg.WindowDef) (*logical.Frame, error) {
	o := w.FrameOptions
	if o&frameNonDefault == 0 {
		return nil, nil
	}
	if o&frameGroups != 0 {
		return nil, pgerror.Unsupportedf("GROUPS frames are not supported")
	}
	f := &logical.Frame{Rows: o&frameRows != 0}
	offset := func(n *pg.Node) (int64, error) {
		if n == nil {
			return 0, nil
		}
		c := n.GetAConst()
		if c == nil {
			return 0, pgerror.Unsupportedf("frame offsets must be constants")
		}
		iv, ok := c.Val.(*pg.A_Const_Ival)
		if !ok {
			return 0, pgerror.Unsupportedf("frame offsets must be integers")
		}
		return int64(iv.Ival.Ival), nil
	}
	if !f.Rows && o&(frameStartOffsetPreceding|frameStartOffsetFollowing|frameEndOffsetPreceding|frameEndOffsetFollowing) != 0 {
		return nil, pgerror.Unsupportedf("RANGE frames with offsets are not supported")
	}
	switch {
	case o&frameStartUnboundedPrec != 0:
		f.StartUnbounded = true
	case o&frameStartCurrentRow != 0:
		f.StartCurrent = true
	case o&frameStartOffsetPreceding != 0:
		v, err := offset(w.StartOffset)
		if err != nil {
			return nil, err
		}
		f.StartOffset = v
	case o&frameStartOffsetFollowing != 0:
		v, err := offset(w.StartOffset)
		if err != nil {
			return nil, err
		}
		f.StartOffset = -v
	}
	switch {
	case o&frameEndUnboundedFoll != 0:
		f.EndUnbounded = true
	case o&frameEndCurrentRow != 0 || o&frameBetween == 0:
		f.EndCurrent = true
	case o&frameEndOffsetFollowing != 0:
		v, err := offset(w.EndOffset)
		if err != nil {
			return nil, err
		}
		f.EndOffset = v
	case o&frameEndOffsetPreceding != 0:
		v, err := offset(w.EndOffset)
		if err != nil {
			return nil, err
		}
		f.EndOffset = -v
	}
	return f, nil
}

// bindSubLink binds a subquery used as an expression.
func (b *Binder) bindSubLink(sl *pg.SubLink, s *scope) (expr.Expr, error) {
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, pgerror.Unsupportedf("subquery is not a SELECT")
	}
	plan, lvl, err := b.bindQuery(sel, s)
	if err != nil {
		return nil, err
	}
	cols := plan.Columns()
	sub := &expr.Subquery{Plan: logical.PlanExpr{Node: plan}, Correlated: lvl.correlated, CorrelatedTypes: lvl.corrTypes}
	switch sl.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		sub.Kind, sub.T = expr.SubqueryExists, types.BoolType
		return sub, nil
	case pg.SubLinkType_EXPR_SUBLINK:
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.Syntax, "subquery must return only one column").WithPosition(int(sl.Location) + 1)
		}
		sub.Kind, sub.T = expr.SubqueryScalar, cols[0].Type
		if sub.T.Kind == types.Unknown {
			sub.T = types.TextType
		}
		return sub, nil
	case pg.SubLinkType_ARRAY_SUBLINK:
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.Syntax, "subquery must return only one column").WithPosition(int(sl.Location) + 1)
		}
		sub.Kind, sub.T = expr.SubqueryArray, types.ArrayOf(cols[0].Type.Kind)
		return sub, nil
	case pg.SubLinkType_ANY_SUBLINK, pg.SubLinkType_ALL_SUBLINK:
		if len(cols) != 1 {
			if sl.Testexpr.GetRowExpr() != nil {
				return nil, pgerror.Unsupportedf("row comparisons with subqueries are not supported").WithPosition(int(sl.Location) + 1)
			}
			return nil, pgerror.New(pgerror.Syntax, "subquery has too many columns").WithPosition(int(sl.Location) + 1)
		}
		test, err := b.bindExpr(sl.Testexpr, s)
		if err != nil {
			return nil, err
		}
		op := "="
		if len(sl.OperName) > 0 {
			op = opName(sl.OperName)
		}
		// Resolve the comparison between the test and the subquery column.
		inner := &expr.ColRef{ID: cols[0].ID, T: cols[0].Type}
		call, err := b.resolveCall(op, []expr.Expr{test, inner}, sl.Location)
		if err != nil {
			return nil, err
		}
		if len(call.Args) != 2 {
			return nil, pgerror.Internalf("comparison of %s with a subquery takes two arguments", op)
		}
		// If the subquery column needs a cast, wrap the plan in a Project.
		if c, ok := call.Args[1].(*expr.Cast); ok {
			id := b.newID()
			proj := &logical.Project{Input: plan, Exprs: []expr.Expr{c}, Cols: []logical.Column{{ID: id, Name: cols[0].Name, Type: c.To}}}
			sub.Plan = logical.PlanExpr{Node: proj}
		}
		sub.Test, sub.Op = call.Args[0], call.Fn
		sub.Kind, sub.T = expr.SubqueryAny, types.BoolType
		if sl.SubLinkType == pg.SubLinkType_ALL_SUBLINK {
			sub.Kind = expr.SubqueryAll
		}
		return sub, nil
	}
	return nil, pgerror.Unsupportedf("subquery kind %v is not supported", sl.SubLinkType)
}
