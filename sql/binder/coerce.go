package binder

import (
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// coerce converts e to type t at the given cast level: an unknown literal
// is read as t now, an untyped parameter takes the type t, and anything else
// gets a Cast when the cast exists at that level.
func (b *Binder) coerce(e expr.Expr, t types.T, level expr.CastLevel, what string) (expr.Expr, error) {
	from := e.Type()
	if from.Equal(t) {
		return e, nil
	}
	switch x := e.(type) {
	case *expr.Const:
		if from.Kind == types.Unknown {
			if x.Value == nil {
				return expr.Null(t), nil
			}
			if r := b.regResolver(t); r != nil {
				// 'name'::regclass and friends look the name up now, as
				// PostgreSQL's input functions do.
				d, err := r.ResolveRegName(t, x.Value.(string))
				if err != nil {
					return nil, err
				}
				return &expr.Const{Value: d, T: t}, nil
			}
			d, err := types.ParseText(t, x.Value.(string), nil)
			if err != nil {
				return nil, err
			}
			return &expr.Const{Value: d, T: t}, nil
		}
	case *expr.Param:
		if from.Kind == types.Unknown && b.regResolver(t) != nil {
			// $1::regclass: the client sends a name, which only the
			// catalog can read, so the parameter is text and the cast
			// runs with the statement.
			b.params[x.Index-1] = types.TextType
			return &expr.Cast{Arg: &expr.Param{Index: x.Index, T: types.TextType}, To: t, Explicit: true}, nil
		}
		if from.Kind == types.Unknown {
			b.params[x.Index-1] = t
			return &expr.Param{Index: x.Index, T: t}, nil
		}
	}
	if from.Same(t) && t.Mod < 0 {
		return e, nil
	}
	if from.Kind == types.Unknown || expr.CanCast(from, t, level) {
		c := &expr.Cast{Arg: e, To: t, Explicit: level == expr.CastExplicit}
		if k, ok := e.(*expr.Const); ok && !expr.IsVolatile(e) {
			// Fold constant casts now, so that errors point at the literal
			// and plans see constants.
			v, err := expr.EvalConst(&expr.Ctx{Catalog: b.regCatalog(from, t)}, c)
			if err != nil {
				return nil, err
			}
			_ = k
			return &expr.Const{Value: v, T: t}, nil
		}
		return c, nil
	}
	if what != "" {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "%s is of type %s but expression is of type %s", what, t, from).
			WithHint("You will need to rewrite or cast the expression.")
	}
	return nil, pgerror.Newf(pgerror.CannotCoerce, "cannot cast type %s to %s", from, t)
}

// regResolver returns the catalog's resolver of reg* names when t is one
// of the reg* types (other than plain oid) and the catalog offers one.
func (b *Binder) regResolver(t types.T) expr.CatalogResolver {
	if !t.IsOidLike() || t.Kind == types.Oid {
		return nil
	}
	r, _ := b.cat.(expr.CatalogResolver)
	return r
}

// regCatalog returns the catalog, for folding casts from or to a reg*
// type, whose input and output read names.
func (b *Binder) regCatalog(from, to types.T) expr.CatalogResolver {
	if r := b.regResolver(from); r != nil {
		return r
	}
	return b.regResolver(to)
}

// coerceBool requires a boolean condition, as in WHERE.
func (b *Binder) coerceBool(e expr.Expr, clause string) (expr.Expr, error) {
	t := e.Type()
	if t.Kind == types.Bool {
		return e, nil
	}
	if t.Kind == types.Unknown {
		return b.coerce(e, types.BoolType, expr.CastImplicit, "")
	}
	return nil, pgerror.Newf(pgerror.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, t)
}

// commonType is PostgreSQL's select_common_type: the type a CASE, UNION,
// VALUES column, COALESCE or IN list resolves to.
func commonType(ts []types.T, context string) (types.T, error) {
	var cand types.T
	found := false
	for _, t := range ts {
		if t.Kind == types.Unknown {
			continue
		}
		if !found {
			cand, found = t, true
			continue
		}
		if t.Same(cand) {
			if t.Mod != cand.Mod {
				cand.Mod = -1
			}
			continue
		}
		if t.Category() != cand.Category() {
			return types.T{}, pgerror.Newf(pgerror.DatatypeMismatch, "%s types %s and %s cannot be matched", context, cand, t)
		}
		if expr.CanCast(cand, t, expr.CastImplicit) && (!expr.CanCast(t, cand, expr.CastImplicit) || isPreferredType(t)) {
			cand = t
		}
	}
	if !found {
		return types.TextType, nil
	}
	for _, t := range ts {
		if t.Kind != types.Unknown && !t.Same(cand) && !expr.CanCast(t, cand, expr.CastImplicit) {
			return types.T{}, pgerror.Newf(pgerror.DatatypeMismatch, "%s could not convert type %s to %s", context, t, cand)
		}
	}
	if cand.Kind == types.Char || cand.Kind == types.Varchar {
		// Mixed lengths lose the modifier.
		for _, t := range ts {
			if t.Kind != types.Unknown && t.Mod != cand.Mod {
				cand.Mod = -1
			}
		}
	}
	return cand, nil
}

func isPreferredType(t types.T) bool {
	switch t.Kind {
	case types.Float8, types.Text, types.TimestampTZ, types.Interval, types.Bool:
		return true
	}
	return false
}

// exprEqual reports whether two expressions are the same computation, for
// matching GROUP BY expressions and ORDER BY terms.
func exprEqual(a, b expr.Expr) bool {
	switch x := a.(type) {
	case *expr.ColRef:
		y, ok := b.(*expr.ColRef)
		return ok && x.ID == y.ID
	case *expr.Const:
		y, ok := b.(*expr.Const)
		if !ok || !x.T.Equal(y.T) {
			return false
		}
		if x.Value == nil || y.Value == nil {
			return x.Value == nil && y.Value == nil
		}
		return types.Compare(x.T, x.Value, y.Value) == 0
	case *expr.Param:
		y, ok := b.(*expr.Param)
		return ok && x.Index == y.Index
	case *expr.Call:
		y, ok := b.(*expr.Call)
		if !ok || x.Fn != y.Fn {
			return false
		}
	case *expr.Cast:
		y, ok := b.(*expr.Cast)
		if !ok || !x.To.Equal(y.To) {
			return false
		}
	case *expr.BoolOp:
		y, ok := b.(*expr.BoolOp)
		if !ok || x.Or != y.Or {
			return false
		}
	case *expr.IsNull:
		y, ok := b.(*expr.IsNull)
		if !ok || x.Negate != y.Negate {
			return false
		}
	case *expr.Subquery, *expr.SubplanRef:
		return a == b
	default:
		if typeName(a) != typeName(b) {
			return false
		}
		if a.String() != b.String() {
			return false
		}
	}
	ac, bc := a.Children(), b.Children()
	if len(ac) != len(bc) {
		return false
	}
	for i := range ac {
		if !exprEqual(ac[i], bc[i]) {
			return false
		}
	}
	return true
}

func typeName(e expr.Expr) string {
	switch e.(type) {
	case *expr.Not:
		return "not"
	case *expr.Case:
		return "case"
	case *expr.Coalesce:
		return "coalesce"
	case *expr.MinMax:
		return "minmax"
	case *expr.InList:
		return "in"
	case *expr.IsDistinct:
		return "distinct"
	case *expr.BoolTest:
		return "booltest"
	case *expr.ArrayExpr:
		return "array"
	}
	return "other"
}
