package difftest

import (
	"strconv"
	"strings"
)

// Type is the family of a generated expression's SQL type. The generator
// keeps expressions well typed by family; the exact PostgreSQL type (int4 or
// int8, numeric's scale) is left to the servers, and compared in results.
type Type uint8

const (
	TUnknown Type = iota // an untyped NULL
	TInt
	TFloat
	TNumeric
	TText
	TBool
)

func (t Type) numeric() bool { return t == TInt || t == TFloat || t == TNumeric }

// comparable says whether values of a and b can be compared or combined by
// CASE, COALESCE and set operations without an explicit cast.
func comparable(a, b Type) bool {
	return a == b || a == TUnknown || b == TUnknown || (a.numeric() && b.numeric())
}

// Node is a piece of a generated statement. Nodes are immutable: the
// shrinker builds simpler statements by copying with one part replaced.
type Node interface {
	format(w *strings.Builder)
	// kids are the node's replaceable parts, nil where an optional part is
	// absent; withKids returns a copy with them replaced (same length, same
	// categories: an expression's slot takes an expression).
	kids() []Node
	withKids(k []Node) Node
	// simpler lists smaller variants of this node alone, of its category.
	simpler() []Node
}

// Expr is a scalar expression.
type Expr interface {
	Node
	Type() Type
}

// SQL renders a node.
func SQL(n Node) string {
	var b strings.Builder
	n.format(&b)
	return b.String()
}

func asExpr(n Node) Expr {
	if n == nil {
		return nil
	}
	return n.(Expr)
}

func exprKids(es []Expr) []Node {
	out := make([]Node, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func toExprs(k []Node) []Expr {
	out := make([]Expr, len(k))
	for i, n := range k {
		out[i] = asExpr(n)
	}
	return out
}

// without returns a copy of s without element i.
func without[T any](s []T, i int) []T {
	out := make([]T, 0, len(s)-1)
	out = append(out, s[:i]...)
	return append(out, s[i+1:]...)
}

// sameType keeps the candidates whose type matches t.
func sameType(t Type, cands ...Expr) []Node {
	var out []Node
	for _, c := range cands {
		if c != nil && c.Type() == t {
			out = append(out, c)
		}
	}
	return out
}

// atomic says whether an expression renders without needing parentheses
// around it as an operand.
func atomic(e Expr) bool {
	switch e.(type) {
	case *Lit, *Col, *Func, *Cast, *Subquery, *CaseExpr:
		return true
	}
	return false
}

func formatOperand(w *strings.Builder, e Expr) {
	if atomic(e) {
		e.format(w)
		return
	}
	w.WriteByte('(')
	e.format(w)
	w.WriteByte(')')
}

// Lit is a literal as written, e.g. 1, -2.5, 'abc', NULL, TRUE.
type Lit struct {
	Text string
	T    Type
}

func (l *Lit) Type() Type                  { return l.T }
func (l *Lit) format(w *strings.Builder)   { w.WriteString(l.Text) }
func (l *Lit) kids() []Node                { return nil }
func (l *Lit) withKids(k []Node) Node      { return l }
func (l *Lit) simpler() []Node             { return nil }
func intLit(v int64) *Lit                  { return &Lit{Text: strconv.FormatInt(v, 10), T: TInt} }
func textLit(s string) *Lit                { return &Lit{Text: quote(s), T: TText} }
func nullLit() *Lit                        { return &Lit{Text: "NULL", T: TUnknown} }
func quote(s string) string                { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func boolLit(v bool) *Lit                  { return &Lit{Text: strings.ToUpper(strconv.FormatBool(v)), T: TBool} }
func (l *Lit) isNull() bool                { return l.Text == "NULL" }
func (c *Col) simpler() []Node             { return nil }
func (c *Col) kids() []Node                { return nil }
func (c *Col) withKids(k []Node) Node      { return c }
func (c *Col) Type() Type                  { return c.T }
func (s *Subquery) Type() Type             { return s.T }
func (s *Subquery) kids() []Node           { return []Node{s.Q} }
func (s *Subquery) withKids(k []Node) Node { c := *s; c.Q = k[0].(*Select); return &c }
func (s *Subquery) simpler() []Node        { return nil }
func (s *Subquery) format(w *strings.Builder) {
	w.WriteByte('(')
	s.Q.format(w)
	w.WriteByte(')')
}

// Col is a column reference, qualified or not.
type Col struct {
	Qual, Name string
	T          Type
}

func (c *Col) format(w *strings.Builder) {
	if c.Qual != "" {
		w.WriteString(c.Qual)
		w.WriteByte('.')
	}
	w.WriteString(c.Name)
}

// Unary is a prefix operator: "-", "+" or "NOT".
type Unary struct {
	Op string
	X  Expr
}

func (u *Unary) Type() Type {
	if u.Op == "NOT" {
		return TBool
	}
	return u.X.Type()
}
func (u *Unary) format(w *strings.Builder) {
	w.WriteString(u.Op)
	w.WriteByte(' ')
	formatOperand(w, u.X)
}
func (u *Unary) kids() []Node           { return []Node{u.X} }
func (u *Unary) withKids(k []Node) Node { c := *u; c.X = asExpr(k[0]); return &c }
func (u *Unary) simpler() []Node        { return sameType(u.Type(), u.X) }

// Binary is an infix operator: arithmetic, comparison, AND, OR, ||, LIKE,
// IS [NOT] DISTINCT FROM.
type Binary struct {
	Op   string
	L, R Expr
	T    Type
}

func (b *Binary) Type() Type { return b.T }
func (b *Binary) format(w *strings.Builder) {
	formatOperand(w, b.L)
	w.WriteByte(' ')
	w.WriteString(b.Op)
	w.WriteByte(' ')
	formatOperand(w, b.R)
}
func (b *Binary) kids() []Node { return []Node{b.L, b.R} }
func (b *Binary) withKids(k []Node) Node {
	c := *b
	c.L, c.R = asExpr(k[0]), asExpr(k[1])
	return &c
}
func (b *Binary) simpler() []Node {
	out := sameType(b.T, b.L, b.R)
	if neg, ok := negations[b.Op]; ok && b.T == TBool {
		// Keeps the shape while probing the other operator.
		c := *b
		c.Op = neg
		out = append(out, &c)
	}
	return out
}

var negations = map[string]string{"IS NOT DISTINCT FROM": "=", "IS DISTINCT FROM": "<>", "NOT LIKE": "LIKE"}

// Func is a function or aggregate call. Star renders count(*).
type Func struct {
	Name     string
	Args     []Expr
	Distinct bool
	All      bool
	Star     bool
	T        Type
}

func (f *Func) Type() Type { return f.T }
func (f *Func) format(w *strings.Builder) {
	w.WriteString(f.Name)
	w.WriteString("(")
	switch {
	case f.Star:
		w.WriteString("*")
	case f.Distinct:
		w.WriteString("DISTINCT ")
	case f.All:
		w.WriteString("ALL ")
	}
	for i, a := range f.Args {
		if i > 0 {
			w.WriteString(", ")
		}
		a.format(w)
	}
	w.WriteString(")")
}
func (f *Func) kids() []Node           { return exprKids(f.Args) }
func (f *Func) withKids(k []Node) Node { c := *f; c.Args = toExprs(k); return &c }
func (f *Func) simpler() []Node {
	var out []Node
	if !aggregates[f.Name] {
		out = append(out, sameType(f.T, f.Args...)...)
	}
	if f.Distinct || f.All {
		c := *f
		c.Distinct, c.All = false, false
		out = append(out, &c)
	}
	if f.Name == "COUNT" && !f.Star {
		out = append(out, &Func{Name: "COUNT", Star: true, T: TInt})
	}
	if f.Name == "COALESCE" && len(f.Args) > 2 {
		for i := range f.Args {
			c := *f
			c.Args = without(f.Args, i)
			out = append(out, &c)
		}
	}
	return out
}

var aggregates = map[string]bool{"COUNT": true, "SUM": true, "MIN": true, "MAX": true, "AVG": true}

// When is one branch of a CASE.
type When struct{ Cond, Then Expr }

// CaseExpr is a simple CASE (Operand set) or a searched one.
type CaseExpr struct {
	Operand Expr
	Whens   []When
	Else    Expr
	T       Type
}

func (c *CaseExpr) Type() Type { return c.T }
func (c *CaseExpr) format(w *strings.Builder) {
	w.WriteString("CASE")
	if c.Operand != nil {
		w.WriteByte(' ')
		c.Operand.format(w)
	}
	for _, wh := range c.Whens {
		w.WriteString(" WHEN ")
		wh.Cond.format(w)
		w.WriteString(" THEN ")
		wh.Then.format(w)
	}
	if c.Else != nil {
		w.WriteString(" ELSE ")
		c.Else.format(w)
	}
	w.WriteString(" END")
}
func (c *CaseExpr) kids() []Node {
	k := []Node{c.Operand, c.Else}
	for _, wh := range c.Whens {
		k = append(k, wh.Cond, wh.Then)
	}
	return k
}
func (c *CaseExpr) withKids(k []Node) Node {
	n := *c
	n.Operand, n.Else = asExpr(k[0]), asExpr(k[1])
	n.Whens = make([]When, len(c.Whens))
	for i := range c.Whens {
		n.Whens[i] = When{asExpr(k[2+2*i]), asExpr(k[3+2*i])}
	}
	return &n
}
func (c *CaseExpr) simpler() []Node {
	var out []Node
	for _, wh := range c.Whens {
		out = append(out, sameType(c.T, wh.Then)...)
	}
	out = append(out, sameType(c.T, c.Else)...)
	if len(c.Whens) > 1 {
		for i := range c.Whens {
			n := *c
			n.Whens = without(c.Whens, i)
			out = append(out, &n)
		}
	}
	if c.Else != nil {
		n := *c
		n.Else = nil
		out = append(out, &n)
	}
	return out
}

// Cast is CAST(x AS type).
type Cast struct {
	X  Expr
	To string
	T  Type
}

func (c *Cast) Type() Type { return c.T }
func (c *Cast) format(w *strings.Builder) {
	w.WriteString("CAST(")
	c.X.format(w)
	w.WriteString(" AS ")
	w.WriteString(c.To)
	w.WriteString(")")
}
func (c *Cast) kids() []Node           { return []Node{c.X} }
func (c *Cast) withKids(k []Node) Node { n := *c; n.X = asExpr(k[0]); return &n }
func (c *Cast) simpler() []Node        { return sameType(c.T, c.X) }

// Predicate is a postfix test: IS [NOT] NULL, IS [NOT] TRUE/FALSE/UNKNOWN.
type Predicate struct {
	X    Expr
	Test string // e.g. "IS NULL", "IS NOT TRUE"
}

func (p *Predicate) Type() Type { return TBool }
func (p *Predicate) format(w *strings.Builder) {
	formatOperand(w, p.X)
	w.WriteByte(' ')
	w.WriteString(p.Test)
}
func (p *Predicate) kids() []Node           { return []Node{p.X} }
func (p *Predicate) withKids(k []Node) Node { n := *p; n.X = asExpr(k[0]); return &n }
func (p *Predicate) simpler() []Node        { return sameType(TBool, p.X) }

// InList is x [NOT] IN (a, b, ...).
type InList struct {
	X    Expr
	List []Expr
	Not  bool
}

func (in *InList) Type() Type { return TBool }
func (in *InList) format(w *strings.Builder) {
	formatOperand(w, in.X)
	if in.Not {
		w.WriteString(" NOT")
	}
	w.WriteString(" IN (")
	for i, e := range in.List {
		if i > 0 {
			w.WriteString(", ")
		}
		e.format(w)
	}
	w.WriteString(")")
}
func (in *InList) kids() []Node { return append([]Node{in.X}, exprKids(in.List)...) }
func (in *InList) withKids(k []Node) Node {
	n := *in
	n.X, n.List = asExpr(k[0]), toExprs(k[1:])
	return &n
}
func (in *InList) simpler() []Node {
	var out []Node
	if len(in.List) > 1 {
		for i := range in.List {
			n := *in
			n.List = without(in.List, i)
			out = append(out, &n)
		}
	}
	if in.Not {
		n := *in
		n.Not = false
		out = append(out, &n)
	}
	return out
}

// SubPredicate is x [NOT] IN (subquery), [NOT] EXISTS (subquery), or
// x op ANY|ALL (subquery).
type SubPredicate struct {
	Kind string // "IN", "NOT IN", "EXISTS", "NOT EXISTS", "= ANY", "< ALL", ...
	X    Expr   // nil for EXISTS
	Q    *Select
}

func (s *SubPredicate) Type() Type { return TBool }
func (s *SubPredicate) format(w *strings.Builder) {
	if s.X != nil {
		formatOperand(w, s.X)
		w.WriteByte(' ')
	}
	w.WriteString(s.Kind)
	w.WriteString(" (")
	s.Q.format(w)
	w.WriteString(")")
}
func (s *SubPredicate) kids() []Node { return []Node{s.X, s.Q} }
func (s *SubPredicate) withKids(k []Node) Node {
	n := *s
	n.X, n.Q = asExpr(k[0]), k[1].(*Select)
	return &n
}
func (s *SubPredicate) simpler() []Node {
	if plain, ok := strings.CutPrefix(s.Kind, "NOT "); ok {
		n := *s
		n.Kind = plain
		return []Node{&n}
	}
	return nil
}

// Subquery is a scalar subquery.
type Subquery struct {
	Q *Select
	T Type
}

// Between is x [NOT] BETWEEN [SYMMETRIC] lo AND hi.
type Between struct {
	X, Lo, Hi      Expr
	Not, Symmetric bool
}

func (b *Between) Type() Type { return TBool }
func (b *Between) format(w *strings.Builder) {
	formatOperand(w, b.X)
	if b.Not {
		w.WriteString(" NOT")
	}
	w.WriteString(" BETWEEN ")
	if b.Symmetric {
		w.WriteString("SYMMETRIC ")
	}
	formatOperand(w, b.Lo)
	w.WriteString(" AND ")
	formatOperand(w, b.Hi)
}
func (b *Between) kids() []Node { return []Node{b.X, b.Lo, b.Hi} }
func (b *Between) withKids(k []Node) Node {
	n := *b
	n.X, n.Lo, n.Hi = asExpr(k[0]), asExpr(k[1]), asExpr(k[2])
	return &n
}
func (b *Between) simpler() []Node {
	var out []Node
	if b.Not || b.Symmetric {
		n := *b
		n.Not, n.Symmetric = false, false
		out = append(out, &n)
	}
	return append(out, &Binary{Op: ">=", L: b.X, R: b.Lo, T: TBool}, &Binary{Op: "<=", L: b.X, R: b.Hi, T: TBool})
}

// SelectItem is one output column: an expression with an optional alias, or
// a star (Star, with Expr nil; Qual for t.*).
type SelectItem struct {
	X     Expr
	Alias string
	Star  bool
	Qual  string
}

func (s *SelectItem) format(w *strings.Builder) {
	if s.Star {
		if s.Qual != "" {
			w.WriteString(s.Qual)
			w.WriteByte('.')
		}
		w.WriteString("*")
		return
	}
	s.X.format(w)
	if s.Alias != "" {
		w.WriteString(" AS ")
		w.WriteString(s.Alias)
	}
}
func (s *SelectItem) kids() []Node {
	if s.Star {
		return nil
	}
	return []Node{s.X}
}
func (s *SelectItem) withKids(k []Node) Node {
	if s.Star {
		return s
	}
	n := *s
	n.X = asExpr(k[0])
	return &n
}
func (s *SelectItem) simpler() []Node { return nil }

// FromItem is a table reference, a derived table or a join.
type FromItem interface {
	Node
	fromItem()
}

// TableRef names a table or view, with an optional alias.
type TableRef struct{ Name, Alias string }

func (t *TableRef) fromItem() {}
func (t *TableRef) format(w *strings.Builder) {
	w.WriteString(t.Name)
	if t.Alias != "" {
		w.WriteString(" AS ")
		w.WriteString(t.Alias)
	}
}
func (t *TableRef) kids() []Node           { return nil }
func (t *TableRef) withKids(k []Node) Node { return t }
func (t *TableRef) simpler() []Node        { return nil }

// Derived is a subquery in FROM.
type Derived struct {
	Q     *Select
	Alias string
}

func (d *Derived) fromItem() {}
func (d *Derived) format(w *strings.Builder) {
	w.WriteByte('(')
	d.Q.format(w)
	w.WriteString(") AS ")
	w.WriteString(d.Alias)
}
func (d *Derived) kids() []Node           { return []Node{d.Q} }
func (d *Derived) withKids(k []Node) Node { n := *d; n.Q = k[0].(*Select); return &n }
func (d *Derived) simpler() []Node        { return nil }

// Join is an explicit join: Kind is "JOIN", "LEFT JOIN", "RIGHT JOIN",
// "FULL JOIN" or "CROSS JOIN"; On or Using is set unless it is a cross join.
type Join struct {
	Kind  string
	L, R  FromItem
	On    Expr
	Using []string
}

func (j *Join) fromItem() {}
func (j *Join) format(w *strings.Builder) {
	j.L.format(w)
	w.WriteByte(' ')
	w.WriteString(j.Kind)
	w.WriteByte(' ')
	if _, nested := j.R.(*Join); nested {
		w.WriteByte('(')
		j.R.format(w)
		w.WriteByte(')')
	} else {
		j.R.format(w)
	}
	switch {
	case len(j.Using) > 0:
		w.WriteString(" USING (")
		w.WriteString(strings.Join(j.Using, ", "))
		w.WriteString(")")
	case j.On != nil:
		w.WriteString(" ON ")
		j.On.format(w)
	}
}
func (j *Join) kids() []Node { return []Node{j.L, j.R, j.On} }
func (j *Join) withKids(k []Node) Node {
	n := *j
	n.L, n.R, n.On = k[0].(FromItem), k[1].(FromItem), asExpr(k[2])
	return &n
}
func (j *Join) simpler() []Node {
	var out []Node
	if j.Kind != "JOIN" && j.Kind != "CROSS JOIN" {
		n := *j
		n.Kind = "JOIN"
		out = append(out, &n)
	}
	if j.On != nil || len(j.Using) > 0 {
		out = append(out, &Join{Kind: "CROSS JOIN", L: j.L, R: j.R})
	}
	return append(out, j.L, j.R)
}

// Core is one SELECT without ORDER BY and LIMIT.
type Core struct {
	Distinct bool
	All      bool
	Items    []*SelectItem
	From     []FromItem
	Where    Expr
	GroupBy  []Expr
	Having   Expr
}

func (c *Core) format(w *strings.Builder) {
	w.WriteString("SELECT ")
	if c.Distinct {
		w.WriteString("DISTINCT ")
	} else if c.All {
		w.WriteString("ALL ")
	}
	for i, it := range c.Items {
		if i > 0 {
			w.WriteString(", ")
		}
		it.format(w)
	}
	if len(c.From) > 0 {
		w.WriteString(" FROM ")
		for i, f := range c.From {
			if i > 0 {
				w.WriteString(", ")
			}
			f.format(w)
		}
	}
	if c.Where != nil {
		w.WriteString(" WHERE ")
		c.Where.format(w)
	}
	if len(c.GroupBy) > 0 {
		w.WriteString(" GROUP BY ")
		for i, g := range c.GroupBy {
			if i > 0 {
				w.WriteString(", ")
			}
			g.format(w)
		}
	}
	if c.Having != nil {
		w.WriteString(" HAVING ")
		c.Having.format(w)
	}
}

func (c *Core) kids() []Node {
	k := []Node{c.Where, c.Having}
	for _, it := range c.Items {
		k = append(k, it)
	}
	for _, f := range c.From {
		k = append(k, f)
	}
	return append(k, exprKids(c.GroupBy)...)
}

func (c *Core) withKids(k []Node) Node {
	n := *c
	n.Where, n.Having = asExpr(k[0]), asExpr(k[1])
	k = k[2:]
	n.Items = make([]*SelectItem, len(c.Items))
	for i := range c.Items {
		n.Items[i] = k[i].(*SelectItem)
	}
	k = k[len(c.Items):]
	n.From = make([]FromItem, len(c.From))
	for i := range c.From {
		n.From[i] = k[i].(FromItem)
	}
	n.GroupBy = toExprs(k[len(c.From):])
	return &n
}

func (c *Core) simpler() []Node {
	var out []Node
	if len(c.Items) > 1 {
		for i := range c.Items {
			n := *c
			n.Items = without(c.Items, i)
			out = append(out, &n)
		}
	}
	if c.Where != nil {
		n := *c
		n.Where = nil
		out = append(out, &n)
	}
	if c.Having != nil {
		n := *c
		n.Having = nil
		out = append(out, &n)
	}
	if len(c.GroupBy) > 0 {
		n := *c
		n.GroupBy = nil
		out = append(out, &n)
		for i := range c.GroupBy {
			if len(c.GroupBy) > 1 {
				n := *c
				n.GroupBy = without(c.GroupBy, i)
				out = append(out, &n)
			}
		}
	}
	if c.Distinct || c.All {
		n := *c
		n.Distinct, n.All = false, false
		out = append(out, &n)
	}
	if len(c.From) > 1 {
		for i := range c.From {
			n := *c
			n.From = without(c.From, i)
			out = append(out, &n)
		}
	}
	return out
}

// SetOp combines two query bodies: UNION, INTERSECT or EXCEPT, with ALL.
type SetOp struct {
	Op   string
	All  bool
	L, R Node // *Core or *SetOp
}

func (s *SetOp) format(w *strings.Builder) {
	formatBody(w, s.L)
	w.WriteByte(' ')
	w.WriteString(s.Op)
	if s.All {
		w.WriteString(" ALL")
	}
	w.WriteByte(' ')
	formatBody(w, s.R)
}

func formatBody(w *strings.Builder, b Node) {
	if _, ok := b.(*SetOp); ok {
		w.WriteByte('(')
		b.format(w)
		w.WriteByte(')')
		return
	}
	b.format(w)
}

func (s *SetOp) kids() []Node           { return []Node{s.L, s.R} }
func (s *SetOp) withKids(k []Node) Node { n := *s; n.L, n.R = k[0], k[1]; return &n }
func (s *SetOp) simpler() []Node {
	out := []Node{s.L, s.R}
	if s.All {
		n := *s
		n.All = false
		out = append(out, &n)
	}
	return out
}

// CTE is one WITH entry.
type CTE struct {
	Name string
	Q    *Select
}

func (c *CTE) format(w *strings.Builder) {
	w.WriteString(c.Name)
	w.WriteString(" AS (")
	c.Q.format(w)
	w.WriteString(")")
}
func (c *CTE) kids() []Node           { return []Node{c.Q} }
func (c *CTE) withKids(k []Node) Node { n := *c; n.Q = k[0].(*Select); return &n }
func (c *CTE) simpler() []Node        { return nil }

// OrderItem is one ORDER BY key.
type OrderItem struct {
	X     Expr
	Desc  bool
	Nulls string // "", "NULLS FIRST", "NULLS LAST"
}

func (o *OrderItem) format(w *strings.Builder) {
	o.X.format(w)
	if o.Desc {
		w.WriteString(" DESC")
	}
	if o.Nulls != "" {
		w.WriteByte(' ')
		w.WriteString(o.Nulls)
	}
}
func (o *OrderItem) kids() []Node           { return []Node{o.X} }
func (o *OrderItem) withKids(k []Node) Node { n := *o; n.X = asExpr(k[0]); return &n }
func (o *OrderItem) simpler() []Node {
	if o.Desc || o.Nulls != "" {
		return []Node{&OrderItem{X: o.X}}
	}
	return nil
}

// Select is a whole query: WITH, a body, ORDER BY, LIMIT and OFFSET.
// Ordered says the ORDER BY is total over the output, so results compare in
// order.
type Select struct {
	With    []*CTE
	Body    Node // *Core or *SetOp
	OrderBy []*OrderItem
	Limit   Expr
	Offset  Expr
	Ordered bool
}

func (s *Select) format(w *strings.Builder) {
	if len(s.With) > 0 {
		w.WriteString("WITH ")
		for i, c := range s.With {
			if i > 0 {
				w.WriteString(", ")
			}
			c.format(w)
		}
		w.WriteByte(' ')
	}
	s.Body.format(w)
	if len(s.OrderBy) > 0 {
		w.WriteString(" ORDER BY ")
		for i, o := range s.OrderBy {
			if i > 0 {
				w.WriteString(", ")
			}
			o.format(w)
		}
	}
	if s.Limit != nil {
		w.WriteString(" LIMIT ")
		s.Limit.format(w)
	}
	if s.Offset != nil {
		w.WriteString(" OFFSET ")
		s.Offset.format(w)
	}
}

func (s *Select) kids() []Node {
	k := []Node{s.Body, s.Limit, s.Offset}
	for _, c := range s.With {
		k = append(k, c)
	}
	for _, o := range s.OrderBy {
		k = append(k, o)
	}
	return k
}

func (s *Select) withKids(k []Node) Node {
	n := *s
	n.Body, n.Limit, n.Offset = k[0], asExpr(k[1]), asExpr(k[2])
	k = k[3:]
	n.With = make([]*CTE, len(s.With))
	for i := range s.With {
		n.With[i] = k[i].(*CTE)
	}
	k = k[len(s.With):]
	n.OrderBy = make([]*OrderItem, len(s.OrderBy))
	for i := range s.OrderBy {
		n.OrderBy[i] = k[i].(*OrderItem)
	}
	return &n
}

func (s *Select) simpler() []Node {
	var out []Node
	if s.Limit != nil || s.Offset != nil {
		n := *s
		n.Limit, n.Offset = nil, nil
		out = append(out, &n)
	}
	if s.Offset != nil {
		n := *s
		n.Offset = nil
		out = append(out, &n)
	}
	if len(s.OrderBy) > 0 && s.Limit == nil && s.Offset == nil {
		n := *s
		n.OrderBy, n.Ordered = nil, false
		out = append(out, &n)
	}
	for i := range s.With {
		n := *s
		n.With = without(s.With, i)
		out = append(out, &n)
	}
	return out
}

// Update is UPDATE t SET c = e, ... [WHERE p].
type Update struct {
	Table string
	Cols  []string
	Vals  []Expr
	Where Expr
}

func (u *Update) format(w *strings.Builder) {
	w.WriteString("UPDATE ")
	w.WriteString(u.Table)
	w.WriteString(" SET ")
	for i, c := range u.Cols {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(c)
		w.WriteString(" = ")
		u.Vals[i].format(w)
	}
	if u.Where != nil {
		w.WriteString(" WHERE ")
		u.Where.format(w)
	}
}
func (u *Update) kids() []Node { return append([]Node{u.Where}, exprKids(u.Vals)...) }
func (u *Update) withKids(k []Node) Node {
	n := *u
	n.Where, n.Vals = asExpr(k[0]), toExprs(k[1:])
	return &n
}
func (u *Update) simpler() []Node {
	var out []Node
	if u.Where != nil {
		n := *u
		n.Where = nil
		out = append(out, &n)
	}
	if len(u.Cols) > 1 {
		for i := range u.Cols {
			n := *u
			n.Cols, n.Vals = without(u.Cols, i), without(u.Vals, i)
			out = append(out, &n)
		}
	}
	return out
}

// Delete is DELETE FROM t [WHERE p].
type Delete struct {
	Table string
	Where Expr
}

func (d *Delete) format(w *strings.Builder) {
	w.WriteString("DELETE FROM ")
	w.WriteString(d.Table)
	if d.Where != nil {
		w.WriteString(" WHERE ")
		d.Where.format(w)
	}
}
func (d *Delete) kids() []Node           { return []Node{d.Where} }
func (d *Delete) withKids(k []Node) Node { n := *d; n.Where = asExpr(k[0]); return &n }
func (d *Delete) simpler() []Node {
	if d.Where != nil {
		return []Node{&Delete{Table: d.Table}}
	}
	return nil
}

// Insert is INSERT INTO t (cols) query.
type Insert struct {
	Table string
	Cols  []string
	Q     *Select
}

func (in *Insert) format(w *strings.Builder) {
	w.WriteString("INSERT INTO ")
	w.WriteString(in.Table)
	w.WriteString(" (")
	w.WriteString(strings.Join(in.Cols, ", "))
	w.WriteString(") ")
	in.Q.format(w)
}
func (in *Insert) kids() []Node           { return []Node{in.Q} }
func (in *Insert) withKids(k []Node) Node { n := *in; n.Q = k[0].(*Select); return &n }
func (in *Insert) simpler() []Node        { return nil }

// Raw is a statement kept as text: BEGIN, ROLLBACK, a follow-up SELECT *.
type Raw struct{ Text string }

func (r *Raw) format(w *strings.Builder) { w.WriteString(r.Text) }
func (r *Raw) kids() []Node              { return nil }
func (r *Raw) withKids(k []Node) Node    { return r }
func (r *Raw) simpler() []Node           { return nil }
