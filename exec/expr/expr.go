package expr

import (
	"fmt"
	"strings"

	"portalsdb/types"
)

// ColumnID names a column of some plan node's output, unique within one
// statement's plan.
type ColumnID int32

// Expr is a typed scalar expression.
type Expr interface {
	// Type is the SQL type of the expression's value.
	Type() types.T
	// String renders the expression for EXPLAIN and error messages.
	String() string
	// Children returns the direct sub-expressions, in evaluation order.
	Children() []Expr
	// WithChildren returns a copy of the node with its children replaced.
	WithChildren(ch []Expr) Expr
}

// Const is a literal value.
type Const struct {
	Value types.Datum
	T     types.T
}

// Null returns the NULL constant of type t.
func Null(t types.T) *Const { return &Const{T: t} }

func (c *Const) Type() types.T            { return c.T }
func (c *Const) Children() []Expr         { return nil }
func (c *Const) WithChildren([]Expr) Expr { return c }
func (c *Const) String() string {
	if c.Value == nil {
		return "NULL"
	}
	s := types.FormatText(c.T, c.Value, nil)
	switch {
	case c.T.IsNumeric() && c.T.Kind != types.Numeric:
		return s
	case c.T.Kind == types.Bool:
		if c.Value.(bool) {
			return "true"
		}
		return "false"
	case c.T.Kind == types.Unknown || c.T.Kind == types.Text:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'::" + c.T.String()
}

// Failed stands for a constant expression whose evaluation failed when the
// binder folded it (1/0). Its error is raised when a plan that computes it
// is compiled, as PostgreSQL raises the errors of constant folding at plan
// time: never for a CASE arm, COALESCE argument or AND/OR operand that the
// folding of its constant neighbours leaves out, nor for an output of a
// subquery that nothing reads.
type Failed struct {
	Err error
	T   types.T
}

func (f *Failed) Type() types.T            { return f.T }
func (f *Failed) Children() []Expr         { return nil }
func (f *Failed) WithChildren([]Expr) Expr { return f }
func (f *Failed) String() string           { return "error(" + f.Err.Error() + ")" }

// HasFailed reports whether e contains a Failed constant.
func HasFailed(e Expr) bool {
	found := false
	Walk(e, func(n Expr) bool {
		if _, ok := n.(*Failed); ok {
			found = true
		}
		return !found
	})
	return found
}

// ColRef refers to a column of the input, or, when the input has no such
// column, to a column of an enclosing query's row (a correlated reference).
type ColRef struct {
	ID   ColumnID
	T    types.T
	Name string // for display only
}

func (c *ColRef) Type() types.T            { return c.T }
func (c *ColRef) Children() []Expr         { return nil }
func (c *ColRef) WithChildren([]Expr) Expr { return c }
func (c *ColRef) String() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("#%d", c.ID)
}

// Param is a statement parameter $Index (1-based).
type Param struct {
	Index int
	T     types.T
}

func (p *Param) Type() types.T            { return p.T }
func (p *Param) Children() []Expr         { return nil }
func (p *Param) WithChildren([]Expr) Expr { return p }
func (p *Param) String() string           { return fmt.Sprintf("$%d", p.Index) }

// Call applies a resolved function or operator overload.
type Call struct {
	Fn   *Overload
	Args []Expr
	// Ret is the result type when the overload's is polymorphic.
	Ret types.T
}

func (c *Call) Type() types.T {
	if c.Ret.Kind != types.Unknown || c.Fn.Ret.Kind == types.Unknown {
		return c.Ret
	}
	return c.Fn.Ret
}
func (c *Call) Children() []Expr { return c.Args }
func (c *Call) WithChildren(ch []Expr) Expr {
	n := *c
	n.Args = ch
	return &n
}
func (c *Call) String() string {
	if c.Fn.Infix && len(c.Args) == 2 {
		return "(" + c.Args[0].String() + " " + c.Fn.Name + " " + c.Args[1].String() + ")"
	}
	if c.Fn.Infix && len(c.Args) == 1 {
		return "(" + c.Fn.Name + " " + c.Args[0].String() + ")"
	}
	return c.Fn.Name + "(" + joinExprs(c.Args) + ")"
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// Cast converts its argument to type To.
type Cast struct {
	Arg Expr
	To  types.T
	// Explicit is true for CAST and ::, which may truncate strings, rather
	// than for assignment or implicit coercions.
	Explicit bool
}

func (c *Cast) Type() types.T    { return c.To }
func (c *Cast) Children() []Expr { return []Expr{c.Arg} }
func (c *Cast) WithChildren(ch []Expr) Expr {
	n := *c
	n.Arg = ch[0]
	return &n
}
func (c *Cast) String() string { return c.Arg.String() + "::" + c.To.String() }

// BoolOp is AND or OR over two or more arguments, with SQL's three-valued
// logic.
type BoolOp struct {
	Or   bool
	Args []Expr
}

func (b *BoolOp) Type() types.T    { return types.BoolType }
func (b *BoolOp) Children() []Expr { return b.Args }
func (b *BoolOp) WithChildren(ch []Expr) Expr {
	n := *b
	n.Args = ch
	return &n
}
func (b *BoolOp) String() string {
	op := " AND "
	if b.Or {
		op = " OR "
	}
	parts := make([]string, len(b.Args))
	for i, a := range b.Args {
		parts[i] = a.String()
	}
	return "(" + strings.Join(parts, op) + ")"
}

// Not is logical negation.
type Not struct{ Arg Expr }

func (n *Not) Type() types.T               { return types.BoolType }
func (n *Not) Children() []Expr            { return []Expr{n.Arg} }
func (n *Not) WithChildren(ch []Expr) Expr { return &Not{Arg: ch[0]} }
func (n *Not) String() string              { return "(NOT " + n.Arg.String() + ")" }

// IsNull is IS NULL, or IS NOT NULL when Negate.
type IsNull struct {
	Arg    Expr
	Negate bool
}

func (n *IsNull) Type() types.T               { return types.BoolType }
func (n *IsNull) Children() []Expr            { return []Expr{n.Arg} }
func (n *IsNull) WithChildren(ch []Expr) Expr { return &IsNull{Arg: ch[0], Negate: n.Negate} }
func (n *IsNull) String() string {
	if n.Negate {
		return "(" + n.Arg.String() + " IS NOT NULL)"
	}
	return "(" + n.Arg.String() + " IS NULL)"
}

// BoolTest is IS [NOT] TRUE / FALSE / UNKNOWN: never NULL.
type BoolTest struct {
	Arg Expr
	// Want is the value tested for: true, false, or nil for UNKNOWN.
	Want   types.Datum
	Negate bool
}

func (b *BoolTest) Type() types.T    { return types.BoolType }
func (b *BoolTest) Children() []Expr { return []Expr{b.Arg} }
func (b *BoolTest) WithChildren(ch []Expr) Expr {
	n := *b
	n.Arg = ch[0]
	return &n
}
func (b *BoolTest) String() string {
	w := "UNKNOWN"
	if b.Want != nil {
		w = strings.ToUpper(fmt.Sprint(b.Want))
	}
	not := ""
	if b.Negate {
		not = "NOT "
	}
	return "(" + b.Arg.String() + " IS " + not + w + ")"
}

// IsDistinct is IS DISTINCT FROM, or IS NOT DISTINCT FROM when Negate:
// equality where NULL equals NULL. Eq is the equality overload for the
// argument types.
type IsDistinct struct {
	L, R   Expr
	Eq     *Overload
	Negate bool
}

func (d *IsDistinct) Type() types.T    { return types.BoolType }
func (d *IsDistinct) Children() []Expr { return []Expr{d.L, d.R} }
func (d *IsDistinct) WithChildren(ch []Expr) Expr {
	n := *d
	n.L, n.R = ch[0], ch[1]
	return &n
}
func (d *IsDistinct) String() string {
	op := " IS DISTINCT FROM "
	if d.Negate {
		op = " IS NOT DISTINCT FROM "
	}
	return "(" + d.L.String() + op + d.R.String() + ")"
}

// When is one branch of a Case.
type When struct{ Cond, Result Expr }

// Case is a searched CASE; the simple form is rewritten to it by the binder.
type Case struct {
	Whens []When
	Else  Expr // never nil: NULL when absent
	T     types.T
}

func (c *Case) Type() types.T { return c.T }
func (c *Case) Children() []Expr {
	ch := make([]Expr, 0, 2*len(c.Whens)+1)
	for _, w := range c.Whens {
		ch = append(ch, w.Cond, w.Result)
	}
	return append(ch, c.Else)
}
func (c *Case) WithChildren(ch []Expr) Expr {
	n := &Case{T: c.T, Whens: make([]When, len(c.Whens))}
	for i := range c.Whens {
		n.Whens[i] = When{Cond: ch[2*i], Result: ch[2*i+1]}
	}
	n.Else = ch[len(ch)-1]
	return n
}
func (c *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, w := range c.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Result.String())
	}
	b.WriteString(" ELSE " + c.Else.String() + " END")
	return b.String()
}

// Coalesce returns its first non-NULL argument, evaluating lazily.
type Coalesce struct {
	Args []Expr
	T    types.T
}

func (c *Coalesce) Type() types.T    { return c.T }
func (c *Coalesce) Children() []Expr { return c.Args }
func (c *Coalesce) WithChildren(ch []Expr) Expr {
	return &Coalesce{Args: ch, T: c.T}
}
func (c *Coalesce) String() string { return "COALESCE(" + joinExprs(c.Args) + ")" }

// MinMax is GREATEST (Max) or LEAST over its non-NULL arguments.
type MinMax struct {
	Max  bool
	Args []Expr
	T    types.T
}

func (m *MinMax) Type() types.T    { return m.T }
func (m *MinMax) Children() []Expr { return m.Args }
func (m *MinMax) WithChildren(ch []Expr) Expr {
	return &MinMax{Max: m.Max, Args: ch, T: m.T}
}
func (m *MinMax) String() string {
	if m.Max {
		return "GREATEST(" + joinExprs(m.Args) + ")"
	}
	return "LEAST(" + joinExprs(m.Args) + ")"
}

// InList is x IN (a, b, ...), or NOT IN when Negate, with SQL's NULL rules:
// no match and a NULL in the list (or a NULL x) gives NULL.
type InList struct {
	Arg    Expr
	List   []Expr
	Eq     *Overload // equality for the common type
	Negate bool
}

func (in *InList) Type() types.T    { return types.BoolType }
func (in *InList) Children() []Expr { return append([]Expr{in.Arg}, in.List...) }
func (in *InList) WithChildren(ch []Expr) Expr {
	return &InList{Arg: ch[0], List: ch[1:], Eq: in.Eq, Negate: in.Negate}
}
func (in *InList) String() string {
	not := ""
	if in.Negate {
		not = "NOT "
	}
	return "(" + in.Arg.String() + " " + not + "IN (" + joinExprs(in.List) + "))"
}

// SubqueryKind is the form of a subquery in an expression.
type SubqueryKind uint8

// Subquery forms.
const (
	// SubqueryScalar returns the single value of a one-column query, NULL
	// when it returns no row, and an error (21000) for more than one row.
	SubqueryScalar SubqueryKind = iota
	// SubqueryExists is EXISTS (query).
	SubqueryExists
	// SubqueryAny is x op ANY (query), which IN (query) is.
	SubqueryAny
	// SubqueryAll is x op ALL (query).
	SubqueryAll
	// SubqueryArray is ARRAY(query).
	SubqueryArray
)

// Plan is a query plan inside an expression. expr cannot look into it; the
// planner turns every Subquery into something evaluable (a join, or a
// Subplan the operator that owns the expression runs) before execution.
type Plan interface {
	// OutputIDs returns the plan's output columns.
	OutputIDs() []ColumnID
}

// Subquery is a query used as a value.
type Subquery struct {
	Kind SubqueryKind
	Plan Plan
	// Test and Op are the left operand and comparison of ANY/ALL.
	Test Expr
	Op   *Overload
	// Correlated lists the enclosing queries' columns the plan refers to,
	// and CorrelatedTypes their types.
	Correlated      []ColumnID
	CorrelatedTypes []types.T
	T               types.T
}

func (s *Subquery) Type() types.T { return s.T }
func (s *Subquery) Children() []Expr {
	if s.Test != nil {
		return []Expr{s.Test}
	}
	return nil
}
func (s *Subquery) WithChildren(ch []Expr) Expr {
	n := *s
	if len(ch) > 0 {
		n.Test = ch[0]
	}
	return &n
}
func (s *Subquery) String() string {
	switch s.Kind {
	case SubqueryExists:
		return "EXISTS(subquery)"
	case SubqueryAny:
		return "(" + s.Test.String() + " " + s.Op.Name + " ANY(subquery))"
	case SubqueryAll:
		return "(" + s.Test.String() + " " + s.Op.Name + " ALL(subquery))"
	case SubqueryArray:
		return "ARRAY(subquery)"
	}
	return "(subquery)"
}

// SubplanRef is the value a Subplan computed for the current row: the
// planner's replacement for a Subquery it could not turn into a join.
type SubplanRef struct {
	Index int // into the owning operator's subplans
	Sub   *Subquery
}

func (s *SubplanRef) Type() types.T    { return s.Sub.T }
func (s *SubplanRef) Children() []Expr { return s.Sub.Children() }
func (s *SubplanRef) WithChildren(ch []Expr) Expr {
	return &SubplanRef{Index: s.Index, Sub: s.Sub.WithChildren(ch).(*Subquery)}
}
func (s *SubplanRef) String() string { return fmt.Sprintf("$subplan%d:%s", s.Index, s.Sub.String()) }

// ArrayExpr is ARRAY[a, b, ...].
type ArrayExpr struct {
	Elems []Expr
	T     types.T
}

func (a *ArrayExpr) Type() types.T    { return a.T }
func (a *ArrayExpr) Children() []Expr { return a.Elems }
func (a *ArrayExpr) WithChildren(ch []Expr) Expr {
	return &ArrayExpr{Elems: ch, T: a.T}
}
func (a *ArrayExpr) String() string { return "ARRAY[" + joinExprs(a.Elems) + "]" }

// Walk calls fn on e and, while fn returns true, on its descendants.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range e.Children() {
		Walk(c, fn)
	}
}

// Rewrite rebuilds e bottom-up, replacing each node n by fn(n) after its
// children were rewritten. fn returns its argument to keep a node.
func Rewrite(e Expr, fn func(Expr) (Expr, error)) (Expr, error) {
	if e == nil {
		return nil, nil
	}
	ch := e.Children()
	if len(ch) > 0 {
		changed := false
		nch := make([]Expr, len(ch))
		for i, c := range ch {
			nc, err := Rewrite(c, fn)
			if err != nil {
				return nil, err
			}
			nch[i] = nc
			if nc != c {
				changed = true
			}
		}
		if changed {
			e = e.WithChildren(nch)
		}
	}
	return fn(e)
}

// ColumnsUsed returns the set of columns e refers to, subquery correlations
// included.
func ColumnsUsed(e Expr) map[ColumnID]bool {
	out := map[ColumnID]bool{}
	Walk(e, func(n Expr) bool {
		switch x := n.(type) {
		case *ColRef:
			out[x.ID] = true
		case *Subquery:
			for _, id := range x.Correlated {
				out[id] = true
			}
		case *SubplanRef:
			for _, id := range x.Sub.Correlated {
				out[id] = true
			}
		}
		return true
	})
	return out
}

// HasSubquery reports whether e contains a Subquery.
func HasSubquery(e Expr) bool {
	found := false
	Walk(e, func(n Expr) bool {
		if _, ok := n.(*Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}

// IsVolatile reports whether e calls a volatile function (random(), now()
// is stable and does not count).
func IsVolatile(e Expr) bool {
	v := false
	Walk(e, func(n Expr) bool {
		if c, ok := n.(*Call); ok && c.Fn.Volatile {
			v = true
		}
		return !v
	})
	return v
}

// Conjuncts splits e into its top-level AND terms.
func Conjuncts(e Expr) []Expr {
	if e == nil {
		return nil
	}
	if b, ok := e.(*BoolOp); ok && !b.Or {
		var out []Expr
		for _, a := range b.Args {
			out = append(out, Conjuncts(a)...)
		}
		return out
	}
	return []Expr{e}
}

// And joins terms with AND; nil for none.
func And(terms ...Expr) Expr {
	var flat []Expr
	for _, t := range terms {
		if t != nil {
			flat = append(flat, Conjuncts(t)...)
		}
	}
	switch len(flat) {
	case 0:
		return nil
	case 1:
		return flat[0]
	}
	return &BoolOp{Args: flat}
}
