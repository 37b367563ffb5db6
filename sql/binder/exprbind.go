package binder

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// bindExpr binds a scalar expression in scope s, folding what is constant.
func (b *Binder) bindExpr(n *pg.Node, s *scope) (expr.Expr, error) {
	e, err := b.bindExprNode(n, s)
	if err != nil {
		return nil, err
	}
	return simplify(e), nil
}

func (b *Binder) bindExprNode(n *pg.Node, s *scope) (expr.Expr, error) {
	switch {
	case n == nil:
		return nil, pgerror.Internalf("nil expression")
	case n.GetColumnRef() != nil:
		return b.bindColumnRef(n.GetColumnRef(), s)
	case n.GetAConst() != nil:
		return bindConst(n.GetAConst())
	case n.GetParamRef() != nil:
		p := n.GetParamRef()
		idx := int(p.Number)
		if idx < 1 || idx > 65535 {
			return nil, pgerror.Newf(pgerror.UndefinedParameter, "there is no parameter $%d", idx).WithPosition(int(p.Location) + 1)
		}
		for len(b.params) < idx {
			b.params = append(b.params, types.UnknownType)
		}
		return &expr.Param{Index: idx, T: b.params[idx-1]}, nil
	case n.GetTypeCast() != nil:
		return b.bindTypeCast(n.GetTypeCast(), s)
	case n.GetAExpr() != nil:
		return b.bindAExpr(n.GetAExpr(), s)
	case n.GetBoolExpr() != nil:
		be := n.GetBoolExpr()
		args := make([]expr.Expr, len(be.Args))
		clause := "AND"
		switch be.Boolop {
		case pg.BoolExprType_OR_EXPR:
			clause = "OR"
		case pg.BoolExprType_NOT_EXPR:
			clause = "NOT"
		}
		for i, a := range be.Args {
			e, err := b.bindExpr(a, s)
			if err != nil {
				return nil, err
			}
			if e, err = b.coerceBool(e, clause); err != nil {
				return nil, posErr(pgerror.Flatten(err), be.Location)
			}
			args[i] = e
		}
		switch be.Boolop {
		case pg.BoolExprType_NOT_EXPR:
			return &expr.Not{Arg: args[0]}, nil
		case pg.BoolExprType_OR_EXPR:
			return &expr.BoolOp{Or: true, Args: args}, nil
		}
		return &expr.BoolOp{Args: args}, nil
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		arg, err := b.bindExpr(nt.Arg, s)
		if err != nil {
			return nil, err
		}
		if arg.Type().Kind == types.Unknown {
			arg, _ = b.coerce(arg, types.TextType, expr.CastImplicit, "")
		}
		return &expr.IsNull{Arg: arg, Negate: nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL}, nil
	case n.GetBooleanTest() != nil:
		bt := n.GetBooleanTest()
		arg, err := b.bindExpr(bt.Arg, s)
		if err != nil {
			return nil, err
		}
		if arg, err = b.coerceBool(arg, "IS TRUE"); err != nil {
			return nil, err
		}
		t := &expr.BoolTest{Arg: arg}
		switch bt.Booltesttype {
		case pg.BoolTestType_IS_TRUE:
			t.Want = true
		case pg.BoolTestType_IS_NOT_TRUE:
			t.Want, t.Negate = true, true
		case pg.BoolTestType_IS_FALSE:
			t.Want = false
		case pg.BoolTestType_IS_NOT_FALSE:
			t.Want, t.Negate = false, true
		case pg.BoolTestType_IS_NOT_UNKNOWN:
			t.Negate = true
		}
		return t, nil
	case n.GetFuncCall() != nil:
		return b.bindFuncCall(n.GetFuncCall(), s)
	case n.GetCaseExpr() != nil:
		defer blockSRF(s, "CASE")()
		return b.bindCase(n.GetCaseExpr(), s)
	case n.GetCoalesceExpr() != nil:
		ce := n.GetCoalesceExpr()
		unblock := blockSRF(s, "COALESCE")
		args, t, err := b.bindCommon(ce.Args, s, "COALESCE")
		unblock()
		if err != nil {
			return nil, err
		}
		return &expr.Coalesce{Args: args, T: t}, nil
	case n.GetMinMaxExpr() != nil:
		mm := n.GetMinMaxExpr()
		name := "GREATEST"
		if mm.Op == pg.MinMaxOp_IS_LEAST {
			name = "LEAST"
		}
		args, t, err := b.bindCommon(mm.Args, s, name)
		if err != nil {
			return nil, err
		}
		return &expr.MinMax{Max: mm.Op == pg.MinMaxOp_IS_GREATEST, Args: args, T: t}, nil
	case n.GetSubLink() != nil:
		return b.bindSubLink(n.GetSubLink(), s)
	case n.GetAArrayExpr() != nil:
		ae := n.GetAArrayExpr()
		if len(ae.Elements) == 0 {
			return &expr.Const{Value: []types.Datum{}, T: types.ArrayOf(types.Text)}, nil
		}
		args, t, err := b.bindCommon(ae.Elements, s, "ARRAY")
		if err != nil {
			return nil, err
		}
		if t.Kind == types.Array {
			return nil, pgerror.Unsupportedf("multidimensional arrays are not supported")
		}
		return &expr.ArrayExpr{Elems: args, T: types.ArrayOf(t.Kind)}, nil
	case n.GetSqlvalueFunction() != nil:
		return b.bindSQLValueFunction(n.GetSqlvalueFunction())
	case n.GetCollateClause() != nil:
		cc := n.GetCollateClause()
		_, coll := qualifiedName(cc.Collname)
		switch strings.ToLower(coll) {
		case "c", "posix", "default", "ucs_basic":
		default:
			return nil, pgerror.Newf(pgerror.UndefinedObject, "collation %q for encoding \"UTF8\" does not exist", coll).WithPosition(int(cc.Location) + 1)
		}
		return b.bindExpr(cc.Arg, s)
	case n.GetAIndirection() != nil:
		ai := n.GetAIndirection()
		arg, err := b.bindExpr(ai.Arg, s)
		if err != nil {
			return nil, err
		}
		return b.bindIndirection(arg, ai.Indirection, s)
	case n.GetRowExpr() != nil:
		return nil, pgerror.Unsupportedf("row constructors are not supported here")
	case n.GetGroupingFunc() != nil:
		return b.bindGroupingFunc(n.GetGroupingFunc(), s)
	}
	return nil, pgerror.Unsupportedf("expression %s is not supported", nodeName(n))
}

func nodeName(n *pg.Node) string {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.Split(n.String(), ":")[0], "node:"), "{")
	return strings.TrimSpace(s)
}

func bindConst(c *pg.A_Const) (expr.Expr, error) {
	if c.Isnull {
		return expr.Null(types.UnknownType), nil
	}
	switch v := c.Val.(type) {
	case *pg.A_Const_Ival:
		return &expr.Const{Value: int64(v.Ival.Ival), T: types.Int4Type}, nil
	case *pg.A_Const_Fval:
		s := v.Fval.Fval
		// An integer too large for int4 arrives as a Float: it is int8 when
		// it fits, numeric otherwise, as in PostgreSQL. The parser folds a
		// minus sign into it, and -2147483648 fits int4 again.
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				if i == int64(int32(i)) {
					return &expr.Const{Value: i, T: types.Int4Type}, nil
				}
				return &expr.Const{Value: i, T: types.Int8Type}, nil
			}
		}
		d, err := types.ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return &expr.Const{Value: d, T: types.NumericType}, nil
	case *pg.A_Const_Sval:
		return &expr.Const{Value: v.Sval.Sval, T: types.UnknownType}, nil
	case *pg.A_Const_Boolval:
		return &expr.Const{Value: v.Boolval.Boolval, T: types.BoolType}, nil
	case *pg.A_Const_Bsval:
		return nil, pgerror.Unsupportedf("bit string literals are not supported")
	}
	return nil, pgerror.Internalf("unknown constant")
}

func (b *Binder) bindColumnRef(cr *pg.ColumnRef, s *scope) (expr.Expr, error) {
	var names []string
	for _, f := range cr.Fields {
		if f.GetAStar() != nil {
			return nil, pgerror.Newf(pgerror.Syntax, "* is not allowed here").WithPosition(int(cr.Location) + 1)
		}
		names = append(names, strVal(f))
	}
	var qual, name string
	switch len(names) {
	case 1:
		name = names[0]
	case 2:
		qual, name = names[0], names[1]
	case 3:
		qual, name = names[1], names[2]
	default:
		return nil, pgerror.Newf(pgerror.Syntax, "improper qualified name (too many dotted names): %s", strings.Join(names, ".")).WithPosition(int(cr.Location) + 1)
	}
	c, err := s.resolve(qual, name, cr.Location)
	if err != nil {
		if code := pgerror.CodeOf(err); code == pgerror.UndefinedColumn || code == pgerror.UndefinedTable {
			if p, ok := b.namedArg(qual, name); ok {
				return p, nil
			}
		}
		return nil, err
	}
	if s.level.agg != nil && !s.level.inAggArg && s.level.agg.checkGrouped {
		// Grouping rules are checked after the whole expression is bound.
	}
	if c.expr != nil {
		return c.expr, nil
	}
	display := c.name
	if c.qualifier != "" && qual != "" {
		display = c.qualifier + "." + c.name
	}
	return &expr.ColRef{ID: c.id, T: c.typ, Name: display}, nil
}

// typeFromName resolves a TypeName node to a type with its modifiers.
func typeFromName(tn *pg.TypeName) (types.T, error) {
	_, name := qualifiedName(tn.Names)
	name = strings.ToLower(name)
	t, ok := types.FromName(name)
	if !ok {
		return types.T{}, pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", name).WithPosition(int(tn.Location) + 1)
	}
	var mods []int32
	for _, m := range tn.Typmods {
		if c := m.GetAConst(); c != nil {
			if iv, ok := c.Val.(*pg.A_Const_Ival); ok {
				mods = append(mods, iv.Ival.Ival)
			}
		}
	}
	switch t.Kind {
	case types.Varchar, types.Char:
		if len(mods) > 0 {
			if mods[0] < 1 {
				return types.T{}, pgerror.Newf(pgerror.InvalidParameterValue, "length for type %s must be at least 1", name)
			}
			t.Mod = mods[0]
		}
	case types.Numeric:
		if len(mods) > 0 {
			p, sc := mods[0], int32(0)
			if len(mods) > 1 {
				sc = mods[1]
			}
			if p < 1 || p > 1000 {
				return types.T{}, pgerror.Newf(pgerror.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
			}
			t = types.NumericPS(p, sc)
		}
	case types.Float8:
		// float(p): p <= 24 is real.
		if len(mods) > 0 && mods[0] <= 24 {
			t = types.Float4Type
		}
	}
	if len(tn.ArrayBounds) > 0 && t.Kind != types.Array {
		t = types.ArrayOf(t.Kind)
	}
	return t, nil
}

// TypeFromName resolves a TypeName for DDL.
func TypeFromName(tn *pg.TypeName) (types.T, error) { return typeFromName(tn) }

func (b *Binder) bindTypeCast(tc *pg.TypeCast, s *scope) (expr.Expr, error) {
	t, err := typeFromName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	arg, err := b.bindExpr(tc.Arg, s)
	if err != nil {
		return nil, err
	}
	// INTERVAL '4' SECOND: the typmod names the unit of a bare number.
	if t.Kind == types.Interval && len(tc.TypeName.Typmods) > 0 {
		if c, ok := arg.(*expr.Const); ok && c.T.Kind == types.Unknown && c.Value != nil {
			if unit := intervalTypmodUnit(tc.TypeName.Typmods); unit != "" {
				if _, err := strconv.ParseFloat(strings.TrimSpace(c.Value.(string)), 64); err == nil {
					arg = &expr.Const{Value: c.Value.(string) + " " + unit, T: types.UnknownType}
				}
			}
		}
	}
	e, err := b.coerce(arg, t, expr.CastExplicit, "")
	if err != nil {
		loc := tc.Location
		if c := tc.Arg.GetAConst(); c != nil && strings.HasPrefix(string(pgerror.CodeOf(err)), "22") {
			// A literal that is not valid input for the type: PostgreSQL
			// points at the literal, not at the cast.
			loc = c.Location
		}
		return nil, posErr(pgerror.Flatten(err), loc)
	}
	return e, nil
}

// intervalTypmodUnit maps the interval typmod bitmask to the unit of its
// last field.
func intervalTypmodUnit(mods []*pg.Node) string {
	c := mods[0].GetAConst()
	if c == nil {
		return ""
	}
	iv, ok := c.Val.(*pg.A_Const_Ival)
	if !ok {
		return ""
	}
	m := iv.Ival.Ival
	switch {
	case m&(1<<12) != 0:
		return "second"
	case m&(1<<11) != 0:
		return "minute"
	case m&(1<<10) != 0:
		return "hour"
	case m&(1<<3) != 0:
		return "day"
	case m&(1<<1) != 0:
		return "month"
	case m&(1<<2) != 0:
		return "year"
	}
	return ""
}

// callOp resolves and builds an operator or function call, coercing the
// arguments to the chosen overload, and folds it when they are constants.
func (b *Binder) callOp(name string, args []expr.Expr, loc int32) (expr.Expr, error) {
	call, err := b.resolveCall(name, args, loc)
	if err != nil {
		return nil, err
	}
	return b.foldCall(call)
}

// resolveCall resolves a call and coerces its arguments, without folding.
func (b *Binder) resolveCall(name string, args []expr.Expr, loc int32) (*expr.Call, error) {
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	res, err := b.reg.Resolve(name, ts)
	if err != nil {
		return nil, posErr(pgerror.Flatten(err), loc)
	}
	// text || non-text: render the other side as text.
	if name == "||" && res.Fn.Match != nil && res.Ret.Kind != types.Array {
		for i := range args {
			if !args[i].Type().IsString() {
				args[i] = &expr.Cast{Arg: args[i], To: types.TextType}
			} else if args[i].Type().Kind != types.Text {
				args[i] = &expr.Cast{Arg: args[i], To: types.TextType}
			}
		}
		res, err = b.reg.Resolve("||", []types.T{types.TextType, types.TextType})
		if err != nil {
			return nil, err
		}
		return &expr.Call{Fn: res.Fn, Args: args, Ret: res.Ret}, nil
	}
	out := make([]expr.Expr, len(args))
	for i, a := range args {
		c, err := b.coerce(a, res.ArgType[i], expr.CastImplicit, "")
		if err != nil {
			return nil, posErr(pgerror.Flatten(err), loc)
		}
		out[i] = c
	}
	return &expr.Call{Fn: res.Fn, Args: out, Ret: res.Ret}, nil
}

// foldCall evaluates a call of an immutable function on constants now.
func (b *Binder) foldCall(c *expr.Call) (expr.Expr, error) {
	// A strict function of a NULL constant is NULL, whatever its other
	// arguments: PostgreSQL's planner simplifies it so, and never runs
	// those arguments (NULL <> CAST(x AS SMALLINT) cannot overflow).
	// The arguments fold first, so one that failed still fails.
	if !c.Fn.NullCall {
		for _, a := range c.Args {
			if k, ok := a.(*expr.Const); ok && k.Value == nil {
				for _, other := range c.Args {
					if f := firstFailed(other); f != nil {
						return &expr.Failed{Err: f.Err, T: c.Type()}, nil
					}
				}
				return expr.Null(c.Type()), nil
			}
		}
	}
	if c.Fn.Volatile || c.Fn.Stable {
		return c, nil
	}
	for _, a := range c.Args {
		if _, ok := a.(*expr.Const); !ok {
			return c, nil
		}
	}
	// PostgreSQL folds constant subexpressions when it plans, and their
	// errors surface then, even inside a CASE arm that would run on no row
	// (see its documentation of CASE), but not in one the folding of its
	// condition removes: a failure is kept for the plan to raise.
	v, err := expr.EvalConst(&expr.Ctx{Env: b.env}, c)
	if err != nil {
		return &expr.Failed{Err: err, T: c.Type()}, nil
	}
	return &expr.Const{Value: v, T: c.Type()}, nil
}

func opName(ns []*pg.Node) string {
	_, name := qualifiedName(ns)
	return name
}

func (b *Binder) bindAExpr(a *pg.A_Expr, s *scope) (expr.Expr, error) {
	name := opName(a.Name)
	switch a.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		if a.Lexpr == nil {
			r, err := b.bindExpr(a.Rexpr, s)
			if err != nil {
				return nil, err
			}
			// Negative numeric literals fold to constants.
			if name == "-" {
				if c, ok := r.(*expr.Const); ok && c.Value != nil {
					switch c.T.Kind {
					case types.Int4, types.Int8:
						v := c.Value.(int64)
						if c.T.Kind == types.Int8 && v == -9223372036854775808 {
							break
						}
						return &expr.Const{Value: -v, T: c.T}, nil
					}
				}
			}
			return b.callOp(name, []expr.Expr{r}, a.Location)
		}
		l, err := b.bindExpr(a.Lexpr, s)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(a.Rexpr, s)
		if err != nil {
			return nil, err
		}
		return b.callOp(name, []expr.Expr{l, r}, a.Location)
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, err := b.bindExpr(a.Lexpr, s)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(a.Rexpr, s)
		if err != nil {
			return nil, err
		}
		// The sides are coerced to the = operator's types but not folded:
		// the comparison of two constants of different types (1.5::float8
		// and 1.5) must run on the coerced values.
		call, err := b.resolveCall("=", []expr.Expr{l, r}, a.Location)
		if err != nil {
			return nil, err
		}
		return &expr.IsDistinct{L: call.Args[0], R: call.Args[1], Eq: call.Fn, Negate: a.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT}, nil
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		l, err := b.bindExpr(a.Lexpr, s)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(a.Rexpr, s)
		if err != nil {
			return nil, err
		}
		return b.nullIf(l, r, a.Location)
	case pg.A_Expr_Kind_AEXPR_IN:
		return b.bindIn(a, s, name == "<>")
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		return b.bindArrayQuantified(a, s, name, a.Kind == pg.A_Expr_Kind_AEXPR_OP_ALL)
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE, pg.A_Expr_Kind_AEXPR_SIMILAR:
		// SIMILAR TO arrives as x ~ similar_to_escape(pattern).
		l, err := b.bindExpr(a.Lexpr, s)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(a.Rexpr, s)
		if err != nil {
			return nil, err
		}
		return b.callOp(name, []expr.Expr{l, r}, a.Location)
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return b.bindBetween(a, s)
	}
	return nil, pgerror.Unsupportedf("operator kind %v is not supported", a.Kind)
}

func (b *Binder) bindBetween(a *pg.A_Expr, s *scope) (expr.Expr, error) {
	x, err := b.bindExpr(a.Lexpr, s)
	if err != nil {
		return nil, err
	}
	bounds := a.Rexpr.GetList().Items
	lo, err := b.bindExpr(bounds[0], s)
	if err != nil {
		return nil, err
	}
	hi, err := b.bindExpr(bounds[1], s)
	if err != nil {
		return nil, err
	}
	mk := func(l, h expr.Expr) (expr.Expr, error) {
		ge, err := b.callOp(">=", []expr.Expr{x, l}, a.Location)
		if err != nil {
			return nil, err
		}
		le, err := b.callOp("<=", []expr.Expr{x, h}, a.Location)
		if err != nil {
			return nil, err
		}
		return &expr.BoolOp{Args: []expr.Expr{ge, le}}, nil
	}
	var e expr.Expr
	switch a.Kind {
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		e, err = mk(lo, hi)
	default:
		e1, err1 := mk(lo, hi)
		if err1 != nil {
			return nil, err1
		}
		e2, err2 := mk(hi, lo)
		if err2 != nil {
			return nil, err2
		}
		e = &expr.BoolOp{Or: true, Args: []expr.Expr{e1, e2}}
	}
	if err != nil {
		return nil, err
	}
	if a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
		return &expr.Not{Arg: e}, nil
	}
	return e, nil
}

// bindIn binds x IN (list) and x NOT IN (list).
func (b *Binder) bindIn(a *pg.A_Expr, s *scope, negate bool) (expr.Expr, error) {
	x, err := b.bindExpr(a.Lexpr, s)
	if err != nil {
		return nil, err
	}
	items := a.Rexpr.GetList().GetItems()
	if len(items) == 0 {
		return nil, pgerror.New(pgerror.Syntax, "syntax error at or near \")\"").WithPosition(int(a.Location) + 1)
	}
	list := make([]expr.Expr, 0, len(items))
	ts := []types.T{x.Type()}
	for _, it := range items {
		e, err := b.bindExpr(it, s)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		ts = append(ts, e.Type())
	}
	t, err := commonType(ts, "IN")
	if err != nil {
		// Fall back to comparing each element with its own operator, as
		// PostgreSQL does when the types do not unify.
		var terms []expr.Expr
		for _, e := range list {
			op := "="
			if negate {
				op = "<>"
			}
			c, err := b.callOp(op, []expr.Expr{x, e}, a.Location)
			if err != nil {
				return nil, err
			}
			terms = append(terms, c)
		}
		return &expr.BoolOp{Or: !negate, Args: terms}, nil
	}
	if x, err = b.coerce(x, t, expr.CastImplicit, ""); err != nil {
		return nil, posErr(pgerror.Flatten(err), a.Location)
	}
	for i := range list {
		if list[i], err = b.coerce(list[i], t, expr.CastImplicit, ""); err != nil {
			return nil, posErr(pgerror.Flatten(err), a.Location)
		}
	}
	eq := expr.EqualityOp(t)
	if eq == nil {
		return nil, pgerror.Newf(pgerror.UndefinedFunction, "operator does not exist: %s = %s", t, t)
	}
	res, err := b.reg.Resolve("=", []types.T{t, t})
	if err != nil {
		return nil, err
	}
	return &expr.InList{Arg: x, List: list, Eq: res.Fn, Negate: negate}, nil
}

// bindArrayQuantified binds x op ANY (array) and x op ALL (array).
func (b *Binder) bindArrayQuantified(a *pg.A_Expr, s *scope, op string, all bool) (expr.Expr, error) {
	x, err := b.bindExpr(a.Lexpr, s)
	if err != nil {
		return nil, err
	}
	arr, err := b.bindExpr(a.Rexpr, s)
	if err != nil {
		return nil, err
	}
	if ae, ok := arr.(*expr.ArrayExpr); ok {
		// x = ANY(ARRAY[a, b]) is an OR of comparisons.
		var terms []expr.Expr
		for _, e := range ae.Elems {
			c, err := b.callOp(op, []expr.Expr{x, e}, a.Location)
			if err != nil {
				return nil, err
			}
			terms = append(terms, c)
		}
		if len(terms) == 0 {
			return &expr.Const{Value: all, T: types.BoolType}, nil
		}
		return &expr.BoolOp{Or: !all, Args: terms}, nil
	}
	at := arr.Type()
	if at.Kind == types.Unknown {
		xt := x.Type()
		if xt.Kind == types.Unknown {
			xt = types.TextType
		}
		if arr, err = b.coerce(arr, types.ArrayOf(xt.Kind), expr.CastImplicit, ""); err != nil {
			return nil, err
		}
		at = arr.Type()
	}
	if at.Kind != types.Array {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "op ANY/ALL (array) requires array on right side").WithPosition(int(a.Location) + 1)
	}
	elem := at.ElemType()
	// Resolve the comparison of x with one element; the call is not
	// folded, even when x is a constant ('d' = ANY(stxkind)).
	res, err := b.reg.Resolve(op, []types.T{x.Type(), elem})
	if err != nil {
		return nil, posErr(pgerror.Flatten(err), a.Location)
	}
	if x, err = b.coerce(x, res.ArgType[0], expr.CastImplicit, ""); err != nil {
		return nil, posErr(pgerror.Flatten(err), a.Location)
	}
	call := &expr.Call{Fn: res.Fn, Args: []expr.Expr{x, &expr.Const{T: res.ArgType[1]}}, Ret: res.Ret}
	return b.callArrayQuantified(call, arr, all), nil
}

// arrayQuantifiedOverload evaluates x op ANY/ALL(array) row by row.
func (b *Binder) callArrayQuantified(cmp *expr.Call, arr expr.Expr, all bool) expr.Expr {
	xt, et := cmp.Args[0].Type(), cmp.Fn.Args[1]
	fn := &expr.Overload{
		Name:     cmp.Fn.Name + " ANY",
		Args:     []types.T{xt, arr.Type()},
		Ret:      types.BoolType,
		NullCall: true,
		Row: func(ctx *expr.Ctx, args []types.Datum) (types.Datum, error) {
			if args[1] == nil {
				return nil, nil
			}
			return expr.QuantifiedCompare(ctx, cmp.Fn, xt, args[0], args[1].([]types.Datum), all)
		},
	}
	if all {
		fn.Name = cmp.Fn.Name + " ALL"
	}
	_ = et
	return &expr.Call{Fn: fn, Args: []expr.Expr{cmp.Args[0], arr}, Ret: types.BoolType}
}

// bindCommon binds expressions that must share one type.
func (b *Binder) bindCommon(ns []*pg.Node, s *scope, context string) ([]expr.Expr, types.T, error) {
	args := make([]expr.Expr, len(ns))
	ts := make([]types.T, len(ns))
	for i, n := range ns {
		e, err := b.bindExpr(n, s)
		if err != nil {
			return nil, types.T{}, err
		}
		args[i], ts[i] = e, e.Type()
	}
	t, err := commonType(ts, context)
	if err != nil {
		return nil, types.T{}, err
	}
	for i := range args {
		if args[i], err = b.coerce(args[i], t, expr.CastImplicit, ""); err != nil {
			return nil, types.T{}, err
		}
	}
	return args, t, nil
}

func (b *Binder) bindCase(c *pg.CaseExpr, s *scope) (expr.Expr, error) {
	var operand expr.Expr
	if c.Arg != nil {
		var err error
		if operand, err = b.bindExpr(c.Arg, s); err != nil {
			return nil, err
		}
		// An untyped operand (CASE NULL WHEN ..., CASE 'a' WHEN ...) is
		// text, as PostgreSQL forces it before comparing.
		if operand.Type().Kind == types.Unknown {
			if operand, err = b.coerce(operand, types.TextType, expr.CastImplicit, ""); err != nil {
				return nil, err
			}
		}
	}
	var conds, results []expr.Expr
	var ts []types.T
	for _, wn := range c.Args {
		w := wn.GetCaseWhen()
		cond, err := b.bindExpr(w.Expr, s)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if cond, err = b.callOp("=", []expr.Expr{operand, cond}, w.Location); err != nil {
				return nil, err
			}
		} else if cond, err = b.coerceBool(cond, "CASE/WHEN"); err != nil {
			return nil, err
		}
		res, err := b.bindExpr(w.Result, s)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond)
		results = append(results, res)
		ts = append(ts, res.Type())
	}
	var els expr.Expr = expr.Null(types.UnknownType)
	if c.Defresult != nil {
		var err error
		if els, err = b.bindExpr(c.Defresult, s); err != nil {
			return nil, err
		}
	}
	// PostgreSQL considers the ELSE result first when it picks the
	// common type, so CASE WHEN ... THEN varchar ELSE text END is text.
	ts = append([]types.T{els.Type()}, ts...)
	t, err := commonType(ts, "CASE")
	if err != nil {
		return nil, posErr(pgerror.Flatten(err), c.Location)
	}
	out := &expr.Case{T: t}
	for i := range conds {
		r, err := b.coerce(results[i], t, expr.CastImplicit, "")
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, expr.When{Cond: conds[i], Result: r})
	}
	if out.Else, err = b.coerce(els, t, expr.CastImplicit, ""); err != nil {
		return nil, err
	}
	return out, nil
}

func (b *Binder) bindSQLValueFunction(f *pg.SQLValueFunction) (expr.Expr, error) {
	name := ""
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		name = "current_date"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		name = "now"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		name = "localtimestamp"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:
		name = "current_time"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIME, pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
		name = "localtime"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg.SQLValueFunctionOp_SVFOP_USER,
		pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE, pg.SQLValueFunctionOp_SVFOP_SESSION_USER:
		name = "current_user"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		name = "current_database"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		name = "current_schema"
	default:
		return nil, pgerror.Unsupportedf("%v is not supported", f.Op).WithPosition(int(f.Location) + 1)
	}
	return b.callOp(name, nil, f.Location)
}

func (b *Binder) bindIndirection(arg expr.Expr, ind []*pg.Node, s *scope) (expr.Expr, error) {
	for _, n := range ind {
		ai := n.GetAIndices()
		if ai == nil || ai.IsSlice {
			return nil, pgerror.Unsupportedf("this kind of indirection is not supported")
		}
		idx, err := b.bindExpr(ai.Uidx, s)
		if err != nil {
			return nil, err
		}
		if idx, err = b.coerce(idx, types.Int4Type, expr.CastImplicit, ""); err != nil {
			return nil, err
		}
		at := arg.Type()
		if at.Kind != types.Array {
			return nil, pgerror.Newf(pgerror.DatatypeMismatch, "cannot subscript type %s because it is not an array", at)
		}
		et := at.ElemType()
		fn := &expr.Overload{Name: "array_subscript", Args: []types.T{at, types.Int4Type}, Ret: et,
			Row: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) {
				arr, i := a[0].([]types.Datum), a[1].(int64)
				if i < 1 || i > int64(len(arr)) {
					return nil, nil
				}
				return arr[i-1], nil
			}}
		arg = &expr.Call{Fn: fn, Args: []expr.Expr{arg, idx}, Ret: et}
	}
	return arg, nil
}

// nullIf binds NULLIF(l, r): NULL when l = r, else l. As in PostgreSQL,
// the result is the first argument of the equality, so it takes the type
// l was promoted to (NULLIF(1, 2.5) is numeric).
func (b *Binder) nullIf(l, r expr.Expr, loc int32) (expr.Expr, error) {
	// The result has the type the = operator takes its left side as, also
	// when the comparison folds: NULLIF(NULL, 1.5) is numeric.
	call, err := b.resolveCall("=", []expr.Expr{l, r}, loc)
	if err != nil {
		return nil, err
	}
	// PostgreSQL compares integers of different widths, and real with
	// double precision, without casting the left side, so NULLIF keeps
	// its type there: NULLIF(1.5::real, 1.5::float8) is real.
	if orig := l.Type(); !(orig.IsInteger() && call.Args[0].Type().IsInteger() || orig.IsFloat() && call.Args[0].Type().IsFloat()) {
		l = call.Args[0]
	}
	eq, err := b.foldCall(call)
	if err != nil {
		return nil, err
	}
	t := l.Type()
	return &expr.Case{Whens: []expr.When{{Cond: eq, Result: expr.Null(t)}}, Else: l, T: t}, nil
}
