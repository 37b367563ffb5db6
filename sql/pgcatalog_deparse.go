package sql

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/sql/binder"
	"portalsdb/types"
)

// pg_get_expr, pg_get_constraintdef and pg_get_viewdef print expressions
// the way PostgreSQL's ruleutils does, so that psql's \d shows what it
// shows against PostgreSQL.
//
// The catalog stores defaults, checks and view queries as SQL text. To
// print them as PostgreSQL would, the text is parsed again and analyzed
// into a small typed tree that mirrors PostgreSQL's: unknown literals
// become typed constants, and operands get the implicit casts PostgreSQL's
// operator resolution would add (PostgreSQL has cross-type operators for
// the integer, float and datetime families, so those compare without
// casts). The printer then follows ruleutils' rules: implicit casts are
// shown inside operator and function arguments but not at the top;
// constants carry a ::type label unless they re-parse as that type; in
// pretty mode only the parentheses precedence needs are kept.

// dnode is a node of the analyzed tree.
type dnode interface{ dtype() types.T }

type (
	dVar struct {
		qualifier, name string
		t               types.T
	}
	dConst struct {
		// text is the value's text output; null marks NULL.
		text string
		null bool
		t    types.T
	}
	dCast struct {
		arg      dnode
		t        types.T
		implicit bool
	}
	dOp struct {
		op          string
		left, right dnode // left is nil for a prefix operator
		t           types.T
	}
	dBool struct {
		kind string // AND, OR, NOT
		args []dnode
	}
	dNullTest struct {
		arg dnode
		not bool
	}
	dBoolTest struct {
		arg  dnode
		test string // IS TRUE, IS NOT FALSE...
	}
	dFunc struct {
		name string
		args []dnode
		t    types.T
		star bool
	}
	dArrayOp struct {
		op    string
		left  dnode
		array dnode
		all   bool
	}
	dArray struct {
		elems []dnode
		t     types.T
	}
	dCoalesce struct {
		name string // COALESCE, GREATEST, LEAST, NULLIF
		args []dnode
		t    types.T
	}
	dKeyword struct {
		word string
		t    types.T
	}
	dCase struct {
		arg   dnode
		whens [][2]dnode
		els   dnode
		t     types.T
	}
	dDistinct struct {
		left, right dnode
		not         bool
	}
	// dRaw is text printed as is, for constructs the analyzer does not
	// model.
	dRaw struct {
		text string
		t    types.T
	}
)

func (n *dVar) dtype() types.T      { return n.t }
func (n *dConst) dtype() types.T    { return n.t }
func (n *dCast) dtype() types.T     { return n.t }
func (n *dOp) dtype() types.T       { return n.t }
func (n *dBool) dtype() types.T     { return types.BoolType }
func (n *dNullTest) dtype() types.T { return types.BoolType }
func (n *dBoolTest) dtype() types.T { return types.BoolType }
func (n *dFunc) dtype() types.T     { return n.t }
func (n *dArrayOp) dtype() types.T  { return types.BoolType }
func (n *dArray) dtype() types.T    { return n.t }
func (n *dCoalesce) dtype() types.T { return n.t }
func (n *dKeyword) dtype() types.T  { return n.t }
func (n *dCase) dtype() types.T     { return n.t }
func (n *dDistinct) dtype() types.T { return types.BoolType }
func (n *dRaw) dtype() types.T      { return n.t }

// scopeRel is a relation whose columns an expression may name.
type scopeRel struct {
	qualifier string
	cols      []scopeColumn
}

type scopeColumn struct {
	name string
	t    types.T
}

// analyzer turns parse trees into dnodes.
type analyzer struct {
	rels []scopeRel
	// qualify prints columns with their relation's name, as view
	// definitions do.
	qualify bool
	// regclassName names the relation of an OID as regclass prints it:
	// stored expressions name relations by OID ('16390'::regclass).
	regclassName func(oid uint32) (string, bool)
}

func (a *analyzer) column(qual, name string) (*dVar, error) {
	for _, r := range a.rels {
		if qual != "" && r.qualifier != qual {
			continue
		}
		for _, c := range r.cols {
			if c.name == name {
				q := ""
				if a.qualify {
					q = r.qualifier
				}
				return &dVar{qualifier: q, name: name, t: c.t}, nil
			}
		}
	}
	return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", name)
}

// typedConst makes the constant a literal of type t becomes.
func typedConst(text string, t types.T) *dConst {
	if d, err := types.ParseText(t, text, nil); err == nil {
		return &dConst{text: types.FormatText(t, d, nil), t: t}
	}
	return &dConst{text: text, t: t}
}

// coerce applies the implicit conversion PostgreSQL would add to make n of
// type t.
func coerce(n dnode, t types.T) dnode {
	nt := n.dtype()
	if nt.Same(t) && (t.Mod < 0 || nt.Mod == t.Mod) {
		return n
	}
	if c, ok := n.(*dConst); ok && c.t.Kind == types.Unknown {
		if c.null {
			return &dConst{null: true, t: t}
		}
		if t.Mod >= 0 {
			// The literal is read as the unmodified type, then cut to
			// the modifier by an implicit length coercion.
			base := types.T{Kind: t.Kind, Mod: -1}
			return &dCast{arg: typedConst(c.text, base), t: t, implicit: true}
		}
		return typedConst(c.text, t)
	}
	return &dCast{arg: n, t: t, implicit: true}
}

// operatorInput is the type an operator works on for operands of type t:
// varchar has no operators of its own and uses text's.
func operatorInput(t types.T) types.T {
	if t.Kind == types.Varchar {
		return types.TextType
	}
	return t.Kind.Type()
}

func family(t types.T) string {
	switch {
	case t.IsInteger():
		return "int"
	case t.IsFloat():
		return "float"
	case t.Kind == types.Date || t.Kind == types.Timestamp || t.Kind == types.TimestampTZ:
		return "datetime"
	}
	return ""
}

var comparisonOps = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}

// operandTypes returns the types PostgreSQL's chosen operator takes for
// operands of types l and r.
func operandTypes(op string, l, r types.T) (types.T, types.T) {
	lu, ru := l.Kind == types.Unknown, r.Kind == types.Unknown
	switch {
	case lu && ru:
		return types.TextType, types.TextType
	case lu:
		t := operatorInput(r)
		return t, t
	case ru:
		t := operatorInput(l)
		return t, t
	case l.Same(r):
		t := operatorInput(l)
		return t, t
	}
	lf, rf := family(l), family(r)
	switch {
	case lf != "" && lf == rf:
		// Cross-type operators exist within these families.
		return l.Kind.Type(), r.Kind.Type()
	case lf == "int" && rf == "float":
		return types.Float8Type, r.Kind.Type()
	case lf == "float" && rf == "int":
		return l.Kind.Type(), types.Float8Type
	case lf == "int" && r.Kind == types.Numeric:
		return types.NumericType, types.NumericType
	case l.Kind == types.Numeric && rf == "int":
		return types.NumericType, types.NumericType
	case lf == "float" && r.Kind == types.Numeric:
		return l.Kind.Type(), types.Float8Type
	case l.Kind == types.Numeric && rf == "float":
		return types.Float8Type, r.Kind.Type()
	case comparisonOps[op] && (l.Kind == types.Name && r.Kind == types.Text || l.Kind == types.Text && r.Kind == types.Name):
		return l.Kind.Type(), r.Kind.Type()
	case l.IsString() && r.IsString():
		return types.TextType, types.TextType
	}
	if res, err := expr.Builtins.Resolve(op, []types.T{l, r}); err == nil && len(res.ArgType) == 2 {
		return res.ArgType[0], res.ArgType[1]
	}
	return l, r
}

// resultType returns the result type of an operator applied to operands
// of the given types.
func resultType(op string, l, r types.T) types.T {
	if comparisonOps[op] || strings.Contains(op, "~") {
		return types.BoolType
	}
	if l.Kind == types.Unknown {
		return r
	}
	if r.Kind == types.Unknown {
		return l
	}
	if res, err := expr.Builtins.Resolve(op, []types.T{l, r}); err == nil {
		return res.Ret
	}
	if family(l) == "int" && family(r) == "int" {
		if l.Kind > r.Kind {
			return l
		}
		return r
	}
	return l
}

// commonOf returns the type a list of nodes unifies to, as the binder's
// UNION/CASE rules do.
func commonOf(ns []dnode) types.T {
	var out types.T
	found := false
	for _, n := range ns {
		t := n.dtype()
		if t.Kind == types.Unknown {
			continue
		}
		if !found {
			out, found = t, true
			continue
		}
		if t.Same(out) {
			continue
		}
		if expr.CanCast(out, t, expr.CastImplicit) && (!expr.CanCast(t, out, expr.CastImplicit) || t.Kind == types.Float8 || t.Kind == types.Text) {
			out = t
		}
	}
	if !found {
		return types.TextType
	}
	return out.Kind.Type()
}

func (a *analyzer) list(ns []*pg.Node) ([]dnode, error) {
	out := make([]dnode, len(ns))
	for i, n := range ns {
		d, err := a.analyze(n)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

func (a *analyzer) analyze(n *pg.Node) (dnode, error) {
	switch {
	case n.GetColumnRef() != nil:
		var names []string
		for _, f := range n.GetColumnRef().Fields {
			if f.GetAStar() != nil {
				return &dRaw{text: "*", t: types.UnknownType}, nil
			}
			names = append(names, f.GetString_().GetSval())
		}
		if len(names) == 1 {
			return a.column("", names[0])
		}
		return a.column(names[len(names)-2], names[len(names)-1])
	case n.GetAConst() != nil:
		return constNode(n.GetAConst()), nil
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		t, err := binder.TypeFromName(tc.TypeName)
		if err != nil {
			return nil, err
		}
		arg, err := a.analyze(tc.Arg)
		if err != nil {
			return nil, err
		}
		if c, ok := arg.(*dConst); ok && c.t.Kind == types.Unknown {
			if c.null {
				return &dConst{null: true, t: t}, nil
			}
			if t.Kind == types.RegClass && a.regclassName != nil {
				if oid, err := strconv.ParseUint(c.text, 10, 32); err == nil {
					if name, ok := a.regclassName(uint32(oid)); ok {
						return &dConst{text: name, t: t}, nil
					}
				}
			}
			return typedConst(c.text, t), nil
		}
		return &dCast{arg: arg, t: t}, nil
	case n.GetAExpr() != nil:
		return a.aexpr(n.GetAExpr())
	case n.GetBoolExpr() != nil:
		be := n.GetBoolExpr()
		args, err := a.list(be.Args)
		if err != nil {
			return nil, err
		}
		for i := range args {
			args[i] = coerce(args[i], types.BoolType)
		}
		kind := "AND"
		switch be.Boolop {
		case pg.BoolExprType_OR_EXPR:
			kind = "OR"
		case pg.BoolExprType_NOT_EXPR:
			kind = "NOT"
		}
		return &dBool{kind: kind, args: args}, nil
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		arg, err := a.analyze(nt.Arg)
		if err != nil {
			return nil, err
		}
		return &dNullTest{arg: arg, not: nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL}, nil
	case n.GetBooleanTest() != nil:
		bt := n.GetBooleanTest()
		arg, err := a.analyze(bt.Arg)
		if err != nil {
			return nil, err
		}
		test := map[pg.BoolTestType]string{
			pg.BoolTestType_IS_TRUE: "IS TRUE", pg.BoolTestType_IS_NOT_TRUE: "IS NOT TRUE",
			pg.BoolTestType_IS_FALSE: "IS FALSE", pg.BoolTestType_IS_NOT_FALSE: "IS NOT FALSE",
			pg.BoolTestType_IS_UNKNOWN: "IS UNKNOWN", pg.BoolTestType_IS_NOT_UNKNOWN: "IS NOT UNKNOWN",
		}[bt.Booltesttype]
		return &dBoolTest{arg: coerce(arg, types.BoolType), test: test}, nil
	case n.GetFuncCall() != nil:
		return a.funcCall(n.GetFuncCall())
	case n.GetSqlvalueFunction() != nil:
		return sqlValueKeyword(n.GetSqlvalueFunction()), nil
	case n.GetCoalesceExpr() != nil:
		args, err := a.list(n.GetCoalesceExpr().Args)
		if err != nil {
			return nil, err
		}
		t := commonOf(args)
		for i := range args {
			args[i] = coerce(args[i], t)
		}
		return &dCoalesce{name: "COALESCE", args: args, t: t}, nil
	case n.GetMinMaxExpr() != nil:
		mm := n.GetMinMaxExpr()
		args, err := a.list(mm.Args)
		if err != nil {
			return nil, err
		}
		t := commonOf(args)
		for i := range args {
			args[i] = coerce(args[i], t)
		}
		name := "GREATEST"
		if mm.Op == pg.MinMaxOp_IS_LEAST {
			name = "LEAST"
		}
		return &dCoalesce{name: name, args: args, t: t}, nil
	case n.GetAArrayExpr() != nil:
		elems, err := a.list(n.GetAArrayExpr().Elements)
		if err != nil {
			return nil, err
		}
		t := commonOf(elems)
		for i := range elems {
			elems[i] = coerce(elems[i], t)
		}
		return &dArray{elems: elems, t: types.ArrayOf(t.Kind)}, nil
	case n.GetCaseExpr() != nil:
		return a.caseExpr(n.GetCaseExpr())
	case n.GetCollateClause() != nil:
		cc := n.GetCollateClause()
		arg, err := a.analyze(cc.Arg)
		if err != nil {
			return nil, err
		}
		var parts []string
		for _, p := range cc.Collname {
			parts = append(parts, quoteIdentAlways(p.GetString_().GetSval()))
		}
		return &dRaw{text: printExpr(arg, true, false) + " COLLATE " + strings.Join(parts, "."), t: arg.dtype()}, nil
	}
	text, err := deparseExpr(n)
	if err != nil {
		return nil, err
	}
	return &dRaw{text: text, t: types.UnknownType}, nil
}

func quoteIdentAlways(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func constNode(c *pg.A_Const) *dConst {
	if c.Isnull {
		return &dConst{null: true, t: types.UnknownType}
	}
	switch v := c.Val.(type) {
	case *pg.A_Const_Ival:
		return &dConst{text: strconv.FormatInt(int64(v.Ival.Ival), 10), t: types.Int4Type}
	case *pg.A_Const_Fval:
		s := v.Fval.Fval
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return &dConst{text: strconv.FormatInt(i, 10), t: types.Int8Type}
			}
		}
		return &dConst{text: s, t: types.NumericType}
	case *pg.A_Const_Sval:
		return &dConst{text: v.Sval.Sval, t: types.UnknownType}
	case *pg.A_Const_Boolval:
		if v.Boolval.Boolval {
			return &dConst{text: "t", t: types.BoolType}
		}
		return &dConst{text: "f", t: types.BoolType}
	case *pg.A_Const_Bsval:
		return &dConst{text: v.Bsval.Bsval, t: types.UnknownType}
	}
	return &dConst{null: true, t: types.UnknownType}
}

func sqlValueKeyword(f *pg.SQLValueFunction) *dKeyword {
	kw := map[pg.SQLValueFunctionOp]struct {
		word string
		t    types.T
	}{
		pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:        {"CURRENT_DATE", types.DateType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME:        {"CURRENT_TIME", types.TimeType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:      {"CURRENT_TIME", types.TimeType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:   {"CURRENT_TIMESTAMP", types.TimestampTZType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N: {"CURRENT_TIMESTAMP", types.TimestampTZType},
		pg.SQLValueFunctionOp_SVFOP_LOCALTIME:           {"LOCALTIME", types.TimeType},
		pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N:         {"LOCALTIME", types.TimeType},
		pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:      {"LOCALTIMESTAMP", types.TimestampType},
		pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:    {"LOCALTIMESTAMP", types.TimestampType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:        {"CURRENT_ROLE", types.NameType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_USER:        {"CURRENT_USER", types.NameType},
		pg.SQLValueFunctionOp_SVFOP_USER:                {"USER", types.NameType},
		pg.SQLValueFunctionOp_SVFOP_SESSION_USER:        {"SESSION_USER", types.NameType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:     {"CURRENT_CATALOG", types.NameType},
		pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:      {"CURRENT_SCHEMA", types.NameType},
	}[f.Op]
	word := kw.word
	if f.Typmod >= 0 && strings.HasSuffix(f.Op.String(), "_N") {
		word += "(" + strconv.Itoa(int(f.Typmod)) + ")"
	}
	return &dKeyword{word: word, t: kw.t}
}

func (a *analyzer) binaryOp(op string, l, r dnode) dnode {
	lt, rt := operandTypes(op, l.dtype(), r.dtype())
	l, r = coerce(l, lt), coerce(r, rt)
	return &dOp{op: op, left: l, right: r, t: resultType(op, lt, rt)}
}

func (a *analyzer) aexpr(x *pg.A_Expr) (dnode, error) {
	op := ""
	if len(x.Name) > 0 {
		op = x.Name[len(x.Name)-1].GetString_().GetSval()
	}
	side := func(n *pg.Node) (dnode, error) {
		if n == nil {
			return nil, nil
		}
		return a.analyze(n)
	}
	l, err := side(x.Lexpr)
	if err != nil {
		return nil, err
	}
	switch x.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		r, err := side(x.Rexpr)
		if err != nil {
			return nil, err
		}
		if l == nil {
			return &dOp{op: op, right: r, t: r.dtype()}, nil
		}
		return a.binaryOp(op, l, r), nil
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		r, err := side(x.Rexpr)
		if err != nil {
			return nil, err
		}
		lt := types.TextType
		if l.dtype().Kind == types.Name || l.dtype().Kind == types.Char {
			lt = l.dtype().Kind.Type()
		}
		return &dOp{op: op, left: coerce(l, lt), right: coerce(r, types.TextType), t: types.BoolType}, nil
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		r, err := side(x.Rexpr)
		if err != nil {
			return nil, err
		}
		lt, rt := operandTypes("=", l.dtype(), r.dtype())
		return &dDistinct{left: coerce(l, lt), right: coerce(r, rt), not: x.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT}, nil
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		r, err := side(x.Rexpr)
		if err != nil {
			return nil, err
		}
		lt, rt := operandTypes("=", l.dtype(), r.dtype())
		return &dCoalesce{name: "NULLIF", args: []dnode{coerce(l, lt), coerce(r, rt)}, t: lt}, nil
	case pg.A_Expr_Kind_AEXPR_IN:
		items, err := a.list(x.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		all := op == "<>"
		simple := true
		for _, it := range items {
			if hasVar(it) {
				simple = false
			}
		}
		if !simple {
			var terms []dnode
			for _, it := range items {
				terms = append(terms, a.binaryOp(op, l, it))
			}
			kind := "OR"
			if all {
				kind = "AND"
			}
			return &dBool{kind: kind, args: terms}, nil
		}
		t := commonOf(append([]dnode{l}, items...))
		lt, _ := operandTypes(op, t, t)
		for i := range items {
			items[i] = coerce(items[i], t)
		}
		return &dArrayOp{op: op, left: coerce(l, lt), array: &dArray{elems: items, t: types.ArrayOf(t.Kind)}, all: all}, nil
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		r, err := side(x.Rexpr)
		if err != nil {
			return nil, err
		}
		if arr, ok := r.(*dArray); ok {
			t := commonOf(append([]dnode{l}, arr.elems...))
			for i := range arr.elems {
				arr.elems[i] = coerce(arr.elems[i], t)
			}
			arr.t = types.ArrayOf(t.Kind)
			l = coerce(l, t)
		}
		return &dArrayOp{op: op, left: l, array: r, all: x.Kind == pg.A_Expr_Kind_AEXPR_OP_ALL}, nil
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		bounds, err := a.list(x.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		if x.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN {
			return &dBool{kind: "OR", args: []dnode{a.binaryOp("<", l, bounds[0]), a.binaryOp(">", l, bounds[1])}}, nil
		}
		return &dBool{kind: "AND", args: []dnode{a.binaryOp(">=", l, bounds[0]), a.binaryOp("<=", l, bounds[1])}}, nil
	}
	text, err := deparseExpr(&pg.Node{Node: &pg.Node_AExpr{AExpr: x}})
	if err != nil {
		return nil, err
	}
	return &dRaw{text: text, t: types.UnknownType}, nil
}

func hasVar(n dnode) bool {
	switch x := n.(type) {
	case *dVar:
		return true
	case *dCast:
		return hasVar(x.arg)
	case *dOp:
		return (x.left != nil && hasVar(x.left)) || hasVar(x.right)
	case *dFunc:
		for _, a := range x.args {
			if hasVar(a) {
				return true
			}
		}
	}
	return false
}

func (a *analyzer) funcCall(fc *pg.FuncCall) (dnode, error) {
	var parts []string
	for _, p := range fc.Funcname {
		parts = append(parts, p.GetString_().GetSval())
	}
	name := strings.ToLower(parts[len(parts)-1])
	if fc.AggStar {
		return &dFunc{name: name, star: true, t: types.Int8Type}, nil
	}
	args, err := a.list(fc.Args)
	if err != nil {
		return nil, err
	}
	ts := make([]types.T, len(args))
	for i, arg := range args {
		ts[i] = arg.dtype()
	}
	if expr.Builtins.IsAggregate(name) && !expr.Builtins.Has(name) {
		if _, argTypes, ret, err := expr.Builtins.ResolveAgg(name, ts, false); err == nil {
			for i := range args {
				if i < len(argTypes) {
					args[i] = coerce(args[i], argTypes[i])
				}
			}
			return &dFunc{name: name, args: args, t: ret}, nil
		}
		return &dFunc{name: name, args: args, t: types.UnknownType}, nil
	}
	res, err := expr.Builtins.Resolve(name, ts)
	if err != nil {
		return &dFunc{name: name, args: args, t: types.UnknownType}, nil
	}
	if res.Fn.Match == nil {
		for i := range args {
			if i < len(res.ArgType) {
				args[i] = coerce(args[i], res.ArgType[i])
			}
		}
	} else {
		for i := range args {
			if args[i].dtype().Kind == types.Unknown {
				args[i] = coerce(args[i], types.TextType)
			}
		}
	}
	return &dFunc{name: name, args: args, t: res.Ret}, nil
}

func (a *analyzer) caseExpr(ce *pg.CaseExpr) (dnode, error) {
	out := &dCase{}
	var err error
	if ce.Arg != nil {
		if out.arg, err = a.analyze(ce.Arg); err != nil {
			return nil, err
		}
	}
	var results []dnode
	for _, w := range ce.Args {
		cw := w.GetCaseWhen()
		cond, err := a.analyze(cw.Expr)
		if err != nil {
			return nil, err
		}
		if out.arg != nil {
			cond = coerce(cond, operatorInput(out.arg.dtype()))
		}
		res, err := a.analyze(cw.Result)
		if err != nil {
			return nil, err
		}
		out.whens = append(out.whens, [2]dnode{cond, res})
		results = append(results, res)
	}
	if ce.Defresult != nil {
		if out.els, err = a.analyze(ce.Defresult); err != nil {
			return nil, err
		}
		results = append(results, out.els)
	}
	out.t = commonOf(results)
	for i := range out.whens {
		out.whens[i][1] = coerce(out.whens[i][1], out.t)
	}
	if out.els != nil {
		out.els = coerce(out.els, out.t)
	}
	return out, nil
}

// printer renders dnodes as ruleutils does.
type printer struct {
	pretty bool
	indent int
}

// printExpr renders a top-level expression.
func printExpr(n dnode, pretty, showImplicit bool) string {
	p := &printer{pretty: pretty}
	var b strings.Builder
	p.expr(&b, n, showImplicit)
	return b.String()
}

// isSimple reports whether n needs no parentheses as a child of parent.
func (p *printer) isSimple(n, parent dnode) bool {
	switch x := n.(type) {
	case *dVar, *dConst, *dFunc, *dArray, *dCoalesce, *dKeyword, *dCase, *dRaw:
		return true
	case *dCast:
		return p.isSimple(x.arg, n)
	case *dOp:
		if po, ok := parent.(*dOp); ok {
			lo, hi := strings.Contains("+-", x.op) && len(x.op) == 1, strings.Contains("*/%", x.op) && len(x.op) == 1
			if !lo && !hi || x.left == nil {
				return false
			}
			plo, phi := strings.Contains("+-", po.op) && len(po.op) == 1, strings.Contains("*/%", po.op) && len(po.op) == 1
			if !plo && !phi {
				return false
			}
			if hi && plo {
				return true
			}
			if lo && phi {
				return false
			}
			return po.left == n
		}
		return simpleUnder(parent)
	case *dNullTest, *dBoolTest, *dDistinct:
		return simpleUnder(parent)
	case *dBool:
		if pb, ok := parent.(*dBool); ok {
			switch x.kind {
			case "NOT", "AND":
				return pb.kind == "AND" || pb.kind == "OR"
			case "OR":
				return pb.kind == "OR"
			}
			return false
		}
		switch parent.(type) {
		case *dFunc, *dArray, *dCoalesce, *dCase:
			return true
		case *dCast:
			return false
		}
		return false
	}
	return false
}

// simpleUnder is the parent test shared by operators, null tests and
// boolean tests: parents that bring their own separators.
func simpleUnder(parent dnode) bool {
	switch parent.(type) {
	case *dFunc, *dBool, *dArray, *dCoalesce, *dCase:
		return true
	}
	return false
}

func (p *printer) paren(b *strings.Builder, n, parent dnode, showImplicit bool) {
	need := p.pretty && !p.isSimple(n, parent)
	if need {
		b.WriteByte('(')
	}
	p.expr(b, n, showImplicit)
	if need {
		b.WriteByte(')')
	}
}

func (p *printer) open(b *strings.Builder) {
	if !p.pretty {
		b.WriteByte('(')
	}
}

func (p *printer) close(b *strings.Builder) {
	if !p.pretty {
		b.WriteByte(')')
	}
}

func (p *printer) expr(b *strings.Builder, n dnode, showImplicit bool) {
	switch x := n.(type) {
	case *dVar:
		if x.qualifier != "" {
			b.WriteString(expr.QuoteIdent(x.qualifier))
			b.WriteByte('.')
		}
		b.WriteString(expr.QuoteIdent(x.name))
	case *dConst:
		writeConst(b, x, 0)
	case *dCast:
		if x.implicit && !showImplicit {
			p.paren(b, x.arg, n, false)
			return
		}
		if c, ok := x.arg.(*dConst); ok && c.t.Same(x.t) && !c.null {
			writeConst(b, c, -1)
		} else {
			p.open(b)
			p.paren(b, x.arg, n, false)
			p.close(b)
		}
		b.WriteString("::")
		b.WriteString(x.t.String())
	case *dOp:
		p.open(b)
		if x.left != nil {
			p.paren(b, x.left, n, true)
			b.WriteByte(' ')
		}
		b.WriteString(x.op)
		b.WriteByte(' ')
		p.paren(b, x.right, n, true)
		p.close(b)
	case *dBool:
		p.open(b)
		if x.kind == "NOT" {
			b.WriteString("NOT ")
			p.paren(b, x.args[0], n, false)
		} else {
			for i, a := range x.args {
				if i > 0 {
					b.WriteString(" " + x.kind + " ")
				}
				p.paren(b, a, n, false)
			}
		}
		p.close(b)
	case *dNullTest:
		p.open(b)
		p.paren(b, x.arg, n, false)
		if x.not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
		p.close(b)
	case *dBoolTest:
		p.open(b)
		p.paren(b, x.arg, n, false)
		b.WriteString(" " + x.test)
		p.close(b)
	case *dDistinct:
		p.open(b)
		p.paren(b, x.left, n, false)
		if x.not {
			b.WriteString(" IS NOT DISTINCT FROM ")
		} else {
			b.WriteString(" IS DISTINCT FROM ")
		}
		p.paren(b, x.right, n, false)
		p.close(b)
	case *dFunc:
		b.WriteString(x.name)
		b.WriteByte('(')
		if x.star {
			b.WriteByte('*')
		}
		for i, a := range x.args {
			if i > 0 {
				b.WriteString(", ")
			}
			p.expr(b, a, true)
		}
		b.WriteByte(')')
	case *dArrayOp:
		p.open(b)
		p.paren(b, x.left, n, true)
		b.WriteString(" " + x.op + " ")
		if x.all {
			b.WriteString("ALL (")
		} else {
			b.WriteString("ANY (")
		}
		p.paren(b, x.array, n, true)
		b.WriteByte(')')
		p.close(b)
	case *dArray:
		b.WriteString("ARRAY[")
		for i, e := range x.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			p.expr(b, e, true)
		}
		b.WriteByte(']')
	case *dCoalesce:
		b.WriteString(x.name + "(")
		for i, a := range x.args {
			if i > 0 {
				b.WriteString(", ")
			}
			p.expr(b, a, true)
		}
		b.WriteByte(')')
	case *dKeyword:
		b.WriteString(x.word)
	case *dCase:
		p.caseExpr(b, x)
	case *dRaw:
		b.WriteString(x.text)
	}
}

// caseExpr prints CASE with each arm on its own line.
func (p *printer) caseExpr(b *strings.Builder, x *dCase) {
	keyword := func(word string, indentAfter int) {
		// PostgreSQL's catalog functions always indent (its
		// PRETTYFLAG_INDENT); pretty only decides parentheses.
		s := strings.TrimRight(b.String(), " ")
		b.Reset()
		b.WriteString(s)
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", p.indent))
		b.WriteString(word)
		p.indent += indentAfter
	}
	keyword("CASE", 4)
	if x.arg != nil {
		b.WriteByte(' ')
		p.expr(b, x.arg, true)
	}
	for _, w := range x.whens {
		keyword("WHEN ", 0)
		p.expr(b, w[0], false)
		b.WriteString(" THEN ")
		p.expr(b, w[1], true)
	}
	if x.els != nil {
		keyword("ELSE ", 0)
		p.expr(b, x.els, true)
	}
	p.indent -= 4
	keyword("END", 0)
}

// writeConst prints a constant as get_const_expr does: showType 0 adds a
// ::type label when the literal would not re-parse as its type, -1 never.
func writeConst(b *strings.Builder, c *dConst, showType int) {
	if c.null {
		b.WriteString("NULL")
		if showType >= 0 && c.t.Kind != types.Unknown {
			b.WriteString("::" + c.t.String())
		}
		return
	}
	needLabel := false
	switch c.t.Kind {
	case types.Int4:
		if strings.HasPrefix(c.text, "-") {
			b.WriteString("'" + c.text + "'")
			needLabel = true
		} else {
			b.WriteString(c.text)
		}
	case types.Numeric:
		if c.text != "" && c.text[0] >= '0' && c.text[0] <= '9' && strings.ContainsAny(c.text, ".eE") {
			b.WriteString(c.text)
			needLabel = c.t.Mod >= 0
		} else {
			b.WriteString("'" + c.text + "'")
			needLabel = true
		}
	case types.Bool:
		if c.text == "t" || c.text == "true" {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case types.Unknown:
		b.WriteString(quoteLiteral(c.text))
	default:
		b.WriteString(quoteLiteral(c.text))
		needLabel = true
	}
	if showType >= 0 && needLabel {
		b.WriteString("::" + c.t.String())
	}
}

// quoteLiteral quotes a string literal, using E” when it holds
// backslashes, as PostgreSQL's simple_quote_literal does.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// parseExprText parses a stored expression.
func parseExprText(text string) (*pg.Node, error) {
	tree, err := pg.Parse("SELECT " + text)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "stored expression %q does not parse", text)
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "stored expression %q does not parse", text)
	}
	return sel.TargetList[0].GetResTarget().Val, nil
}
