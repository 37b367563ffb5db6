package binder

import (
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// simplify folds an expression over constants the way PostgreSQL's
// planner does (eval_const_expressions): AND, OR, CASE and COALESCE drop the
// operands their constant neighbours make unreachable, in order, and other
// expressions of constants become constants. A constant whose evaluation
// fails becomes an expr.Failed, raised only if the plan keeps it, so
// CASE WHEN true THEN 1 ELSE 1/0 END is 1 while SELECT 1/0 FROM t WHERE
// false still fails, as in PostgreSQL.
func simplify(e expr.Expr) expr.Expr {
	switch x := e.(type) {
	case *expr.BoolOp:
		return simplifyBool(x)
	case *expr.Case:
		return simplifyCase(x)
	case *expr.Coalesce:
		return simplifyCoalesce(x)
	case *expr.Not, *expr.IsNull, *expr.BoolTest, *expr.IsDistinct, *expr.InList, *expr.MinMax:
		for _, c := range e.Children() {
			if _, ok := c.(*expr.Const); !ok {
				return e
			}
		}
		return evalConst(e)
	}
	return e
}

// evalConst evaluates an immutable expression of constants.
func evalConst(e expr.Expr) expr.Expr {
	v, err := expr.EvalConst(&expr.Ctx{}, e)
	if err != nil {
		return &expr.Failed{Err: err, T: e.Type()}
	}
	return &expr.Const{Value: v, T: e.Type()}
}

// firstFailed returns the first failed constant in e, or nil.
func firstFailed(e expr.Expr) *expr.Failed {
	var f *expr.Failed
	expr.Walk(e, func(n expr.Expr) bool {
		if x, ok := n.(*expr.Failed); ok && f == nil {
			f = x
		}
		return f == nil
	})
	return f
}

// simplifyBool folds AND (OR) left to right: a FALSE (TRUE) operand
// decides it, unless an operand before it failed to fold; TRUE (FALSE)
// operands drop out; NULL operands are kept as one.
func simplifyBool(x *expr.BoolOp) expr.Expr {
	var args []expr.Expr
	haveNull := false
	var visit func(a expr.Expr) expr.Expr
	visit = func(a expr.Expr) expr.Expr {
		if inner, ok := a.(*expr.BoolOp); ok && inner.Or == x.Or {
			for _, ia := range inner.Args {
				if r := visit(ia); r != nil {
					return r
				}
			}
			return nil
		}
		k, ok := a.(*expr.Const)
		if !ok {
			args = append(args, a)
			return nil
		}
		switch {
		case k.Value == nil:
			haveNull = true
		case k.Value.(bool) == x.Or:
			for _, prev := range args {
				if f := firstFailed(prev); f != nil {
					return f
				}
			}
			return k
		}
		return nil
	}
	for _, a := range x.Args {
		if r := visit(a); r != nil {
			if f, ok := r.(*expr.Failed); ok {
				return &expr.Failed{Err: f.Err, T: types.BoolType}
			}
			return r
		}
	}
	switch {
	case len(args) == 0 && haveNull:
		return expr.Null(types.BoolType)
	case len(args) == 0:
		return &expr.Const{Value: !x.Or, T: types.BoolType}
	case haveNull:
		args = append(args, expr.Null(types.BoolType))
	case len(args) == 1:
		return args[0]
	}
	return &expr.BoolOp{Or: x.Or, Args: args}
}

// simplifyCase drops the arms whose condition is a constant FALSE or NULL;
// an arm whose condition is a constant TRUE becomes the ELSE, and the arms
// after it go.
func simplifyCase(x *expr.Case) expr.Expr {
	var whens []expr.When
	els := x.Else
	changed := false
	for _, w := range x.Whens {
		k, ok := w.Cond.(*expr.Const)
		if !ok {
			whens = append(whens, w)
			continue
		}
		changed = true
		if k.Value != nil && k.Value.(bool) {
			els = w.Result
			break
		}
	}
	if !changed {
		return x
	}
	if len(whens) == 0 {
		return els
	}
	return &expr.Case{Whens: whens, Else: els, T: x.T}
}

// simplifyCoalesce drops NULL constants; a non-NULL constant ends the list,
// or is the result when it comes first.
func simplifyCoalesce(x *expr.Coalesce) expr.Expr {
	var args []expr.Expr
	changed := false
	for _, a := range x.Args {
		k, ok := a.(*expr.Const)
		if !ok {
			args = append(args, a)
			continue
		}
		if k.Value == nil {
			changed = true
			continue
		}
		if len(args) == 0 {
			return k
		}
		args = append(args, k)
		changed = changed || len(args) < len(x.Args)
		break
	}
	switch {
	case len(args) == 0:
		return expr.Null(x.T)
	case !changed && len(args) == len(x.Args):
		return x
	case len(args) == 1:
		return args[0]
	}
	return &expr.Coalesce{Args: args, T: x.T}
}
