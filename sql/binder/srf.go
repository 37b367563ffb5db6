package binder

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner/logical"
	"portalsdb/types"
)

// Set-returning functions in a select list (SELECT generate_series(1, 3),
// SELECT a, unnest(b) FROM t) are hoisted out of the expressions that call
// them into ProjectSet nodes between the query's grouping and windows and
// its projection, as PostgreSQL plans them: each call becomes a column, and
// the expression refers to that column. A call whose arguments use another
// call's column goes into a ProjectSet above that call's.

// srfContext collects the set-returning calls of one select list.
type srfContext struct {
	calls []srfCall
	// depth is the ProjectSet level of each call's column.
	depth map[expr.ColumnID]int
	// blocked, when set, names the construct being bound in which a
	// set-returning call is refused (CASE, COALESCE, an aggregate's
	// arguments).
	blocked string
}

type srfCall struct {
	logical.SetCall
	depth int
}

// isSetReturning reports whether name is a built-in set-returning
// function with no scalar function of the same name.
func (b *Binder) isSetReturning(name string) bool {
	switch name {
	case "generate_series", "unnest":
		return true
	}
	return b.reg.HasSetFunction(name) && !b.reg.Has(name)
}

// bindSetReturningCall binds a set-returning call met in an expression:
// in a select list it becomes a column of a ProjectSet; elsewhere it is
// refused, as in PostgreSQL.
func (b *Binder) bindSetReturningCall(fc *pg.FuncCall, name string, s *scope) (expr.Expr, error) {
	lvl := s.level
	hint := "You might be able to move the set-returning function into a LATERAL FROM item."
	if lvl == nil || lvl.srf == nil {
		where := "this context"
		if lvl != nil && lvl.noAggReason != "" {
			where = lvl.noAggReason
		}
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "set-returning functions are not allowed in %s", where).
			WithPosition(int(fc.Location) + 1)
	}
	ctx := lvl.srf
	switch {
	case lvl.inAggArg:
		return nil, pgerror.New(pgerror.FeatureNotSupported, "aggregate function calls cannot contain set-returning function calls").
			WithHint(hint).WithPosition(int(fc.Location) + 1)
	case ctx.blocked != "":
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "set-returning functions are not allowed in %s", ctx.blocked).
			WithHint(hint).WithPosition(int(fc.Location) + 1)
	}
	args, err := b.bindCallArgs(name, fc, s)
	if err != nil {
		return nil, err
	}
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	cols, impl, err := b.bindSetFunction(name, args, ts, fc.Location)
	if err != nil {
		return nil, err
	}
	if len(cols) != 1 {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "set-returning function %s returns %d columns, which a select list cannot hold", name, len(cols)).
			WithHint("Call it in FROM: SELECT * FROM " + name + "(...).").WithPosition(int(fc.Location) + 1)
	}
	depth := 1
	for _, a := range args {
		for id := range expr.ColumnsUsed(a) {
			if d, ok := ctx.depth[id]; ok && d >= depth {
				depth = d + 1
			}
		}
	}
	col := cols[0]
	ctx.calls = append(ctx.calls, srfCall{SetCall: logical.SetCall{Name: name, Args: args, Impl: impl, Col: col}, depth: depth})
	ctx.depth[col.ID] = depth
	return &expr.ColRef{ID: col.ID, T: col.Type, Name: col.Name}, nil
}

// blockSRF marks the binding of what inside refuses set-returning calls,
// and returns the function that ends the mark.
func blockSRF(s *scope, what string) func() {
	if s.level == nil || s.level.srf == nil {
		return func() {}
	}
	ctx := s.level.srf
	prev := ctx.blocked
	if prev == "" {
		ctx.blocked = what
	}
	return func() { ctx.blocked = prev }
}

// projectSets puts the collected calls over input, one ProjectSet per
// level of nesting.
func (ctx *srfContext) projectSets(input logical.Node) logical.Node {
	for level := 1; ; level++ {
		var calls []logical.SetCall
		more := false
		for _, c := range ctx.calls {
			switch {
			case c.depth == level:
				calls = append(calls, c.SetCall)
			case c.depth > level:
				more = true
			}
		}
		if len(calls) > 0 {
			input = &logical.ProjectSet{Input: input, Calls: calls}
		}
		if !more {
			return input
		}
	}
}

// finalizeSetCalls rewrites the calls' arguments over a grouped query's
// Aggregate, as its targets are.
func (b *Binder) finalizeSetCalls(ctx *srfContext, ac *aggContext) error {
	for i := range ctx.calls {
		for j, a := range ctx.calls[i].Args {
			e, err := b.finalizeGrouped(a, ac)
			if err != nil {
				return err
			}
			ctx.calls[i].Args[j] = e
		}
	}
	return nil
}
