package difftest

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
)

// Profile is a family of schemas and queries, each imitating part of the
// sqllogictest corpus.
type Profile int

const (
	// ProfileRandom imitates random/expr, random/aggregates, random/select
	// and random/groupby: three small integer tables tab0..tab2.
	ProfileRandom Profile = iota
	// ProfileIndex imitates index/between, index/in, index/orderby,
	// index/delete, index/random and index/view: tab0..tab4 with a primary
	// key, integer, float and text columns and different indexes each.
	ProfileIndex
	// ProfileSelect imitates select1..select5: t1 with five integer
	// columns and NULLs, plus numbered tables for many-table joins.
	ProfileSelect
	// ProfileMixed is beyond the corpus: random tables of INTEGER, BIGINT,
	// SMALLINT, FLOAT, REAL, NUMERIC and TEXT columns, keys and NULLs.
	ProfileMixed
	numProfiles
)

func (p Profile) String() string {
	return [...]string{"random", "index", "select", "mixed"}[p]
}

// ParseProfile parses a profile name.
func ParseProfile(s string) (Profile, error) {
	for p := Profile(0); p < numProfiles; p++ {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown profile %q", s)
}

// Gen generates setups and statements from one seed.
type Gen struct {
	r       *rand.Rand
	profile Profile
	setup   *Setup
	// alias numbers FROM items within one statement.
	alias int
	// ctes in scope of the statement being generated.
	ctes []*cteInfo
}

type cteInfo struct {
	name string
	cols []Column
}

// NewGen returns a generator for a profile.
func NewGen(seed int64, p Profile) *Gen {
	return &Gen{r: rand.New(rand.NewSource(seed)), profile: p}
}

func (g *Gen) chance(p float64) bool { return g.r.Float64() < p }
func (g *Gen) intn(n int) int        { return g.r.Intn(n) }

func pick[T any](g *Gen, xs []T) T { return xs[g.r.Intn(len(xs))] }

// --- schemas and data ---

// NewSetup makes a fresh schema with data for the generator's profile, and
// makes it the setup later statements refer to.
func (g *Gen) NewSetup() *Setup {
	s := &Setup{}
	switch g.profile {
	case ProfileRandom:
		rows := pick(g, []int{3, 3, 3, 0, 1, 5, 8})
		for i := 0; i < 3; i++ {
			t := &Table{Name: fmt.Sprintf("tab%d", i)}
			for c := 0; c < 3; c++ {
				t.Cols = append(t.Cols, Column{Name: fmt.Sprintf("col%d", c), SQLType: "INTEGER", T: TInt})
			}
			g.fillRows(t, rows, 0.05*float64(g.intn(2)))
			s.Tables = append(s.Tables, t)
		}
	case ProfileIndex:
		n := pick(g, []int{10, 10, 10, 0, 1, 4, 30})
		base := &Table{Cols: []Column{
			{"pk", "INTEGER", TInt}, {"col0", "INTEGER", TInt}, {"col1", "FLOAT", TFloat}, {"col2", "TEXT", TText},
			{"col3", "INTEGER", TInt}, {"col4", "FLOAT", TFloat}, {"col5", "TEXT", TText}}, PK: []string{"pk"}}
		g.fillRows(base, n, 0.05*float64(g.intn(3)))
		for i := 0; i < 5; i++ {
			t := &Table{Name: fmt.Sprintf("tab%d", i), Cols: base.Cols, PK: base.PK, Rows: base.Rows}
			if i > 0 {
				for k, nIdx := 0, 1+g.intn(3); k < nIdx; k++ {
					cols := []string{pick(g, []string{"col0", "col1", "col3", "col4", "col0", "col3"})}
					if g.chance(0.3) {
						cols = append(cols, pick(g, []string{"col1", "col4", "col3", "col0"}))
					}
					if g.chance(0.3) {
						cols[0] += " DESC"
					}
					t.Indexes = append(t.Indexes, Index{Name: fmt.Sprintf("idx_tab%d_%d", i, k), Cols: dedupCols(cols)})
				}
			}
			s.Tables = append(s.Tables, t)
		}
	case ProfileSelect:
		t1 := &Table{Name: "t1"}
		for _, c := range []string{"a", "b", "c", "d", "e"} {
			t1.Cols = append(t1.Cols, Column{Name: c, SQLType: "INTEGER", T: TInt})
		}
		g.fillRows(t1, pick(g, []int{30, 30, 5, 0, 12}), 0.1)
		s.Tables = append(s.Tables, t1)
		for i, nt := 2, 2+g.intn(5); i < 2+nt; i++ {
			t := &Table{Name: fmt.Sprintf("t%d", i)}
			t.Cols = []Column{{fmt.Sprintf("a%d", i), "INTEGER", TInt}, {fmt.Sprintf("b%d", i), "INTEGER", TInt},
				{fmt.Sprintf("x%d", i), "VARCHAR(40)", TText}}
			if g.chance(0.5) {
				t.PK = []string{t.Cols[0].Name}
			}
			g.fillRows(t, pick(g, []int{10, 10, 5, 3, 0}), 0.05)
			if g.chance(0.5) {
				t.Indexes = append(t.Indexes, Index{Name: fmt.Sprintf("t%di1", i), Cols: []string{t.Cols[1].Name}})
			}
			s.Tables = append(s.Tables, t)
		}
	case ProfileMixed:
		for i, nt := 0, 1+g.intn(4); i < nt; i++ {
			s.Tables = append(s.Tables, g.mixedTable(fmt.Sprintf("m%d", i)))
		}
	}
	g.setup = s
	for i, nv := 0, g.intn(3); i < nv; i++ {
		if g.chance(0.5) {
			g.addView(s, fmt.Sprintf("v%d", i))
		}
	}
	return s
}

func dedupCols(cols []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cols {
		base := strings.TrimSuffix(c, " DESC")
		if !seen[base] {
			seen[base] = true
			out = append(out, c)
		}
	}
	return out
}

var mixedTypes = []struct {
	sql string
	t   Type
}{
	{"INTEGER", TInt}, {"INTEGER", TInt}, {"BIGINT", TInt}, {"SMALLINT", TInt},
	{"FLOAT", TFloat}, {"DOUBLE PRECISION", TFloat}, {"REAL", TFloat},
	{"NUMERIC", TNumeric}, {"DECIMAL(10,2)", TNumeric}, {"NUMERIC(5,1)", TNumeric},
	{"TEXT", TText}, {"TEXT", TText}, {"VARCHAR(10)", TText},
}

func (g *Gen) mixedTable(name string) *Table {
	t := &Table{Name: name}
	for c, nc := 0, 1+g.intn(5); c < nc; c++ {
		ty := pick(g, mixedTypes)
		t.Cols = append(t.Cols, Column{Name: fmt.Sprintf("c%d", c), SQLType: ty.sql, T: ty.t})
	}
	switch {
	case g.chance(0.3):
		t.PK = []string{t.Cols[0].Name}
	case g.chance(0.15) && len(t.Cols) > 1:
		t.PK = []string{t.Cols[0].Name, t.Cols[1].Name}
	}
	for k, nIdx := 0, g.intn(3); k < nIdx; k++ {
		c := pick(g, t.Cols).Name
		t.Indexes = append(t.Indexes, Index{Name: fmt.Sprintf("%s_i%d", name, k), Cols: []string{c}})
	}
	g.fillRows(t, pick(g, []int{0, 1, 3, 5, 8, 12}), 0.2)
	return t
}

// fillRows makes n rows for t: NULLs with probability nulls outside the
// primary key, and key values unique.
func (g *Gen) fillRows(t *Table, n int, nulls float64) {
	pk := map[string]bool{}
	for _, c := range t.PK {
		pk[c] = true
	}
	seen := map[string]bool{}
	scales := make([]int, len(t.Cols))
	for i, c := range t.Cols {
		scales[i] = numericScale(c.SQLType, g)
	}
	for r := 0; r < n; r++ {
		for attempt := 0; attempt < 20; attempt++ {
			row := make([]string, len(t.Cols))
			var key []string
			for i, c := range t.Cols {
				switch {
				case pk[c.Name] && len(t.PK) == 1 && c.T == TInt:
					row[i] = strconv.Itoa(r)
				case !pk[c.Name] && g.chance(nulls):
					row[i] = "NULL"
				default:
					row[i] = g.value(c, scales[i])
				}
				if pk[c.Name] {
					key = append(key, row[i])
				}
			}
			k := strings.Join(key, ",")
			if len(key) > 0 && seen[k] {
				continue
			}
			seen[k] = true
			t.Rows = append(t.Rows, row)
			break
		}
	}
}

// numericScale is the scale numeric values of a column are written with:
// the declared one, or a fixed random one, so that equal values print alike.
func numericScale(sqlType string, g *Gen) int {
	switch {
	case strings.HasPrefix(sqlType, "DECIMAL(10,2)"):
		return 2
	case strings.HasPrefix(sqlType, "NUMERIC(5,1)"):
		return 1
	case sqlType == "NUMERIC":
		return g.intn(4)
	}
	return 0
}

var words = []string{"a", "b", "abc", "B", "", "x y", "ab", "ba", "zz", "a%", "12", "-3", "hello", "Z", "a_b", "0.5"}

func (g *Gen) value(c Column, scale int) string {
	switch c.T {
	case TInt:
		switch {
		case g.profile == ProfileSelect:
			return strconv.Itoa(100 + g.intn(150))
		case g.profile == ProfileMixed && g.chance(0.03):
			if c.SQLType == "SMALLINT" {
				return pick(g, []string{"32767", "-32768"})
			}
			return pick(g, []string{"2147483647", "-2147483648", "1000000"})
		case g.profile == ProfileMixed:
			return strconv.Itoa(g.intn(25) - 5)
		case g.profile == ProfileIndex:
			return strconv.Itoa(g.intn(1000))
		}
		return strconv.Itoa(g.intn(100))
	case TFloat:
		switch {
		case g.profile == ProfileIndex:
			return fmt.Sprintf("%d.%02d", g.intn(1000), g.intn(100))
		case g.chance(0.05):
			return pick(g, []string{"1e20", "1.5e-5", "123456789.125", "-0.0"})
		case g.chance(0.3):
			return strconv.Itoa(g.intn(20) - 5)
		}
		return strconv.FormatFloat(float64(g.intn(160)-40)/4, 'f', -1, 64)
	case TNumeric:
		whole := g.intn(250) - 50
		if strings.HasPrefix(c.SQLType, "NUMERIC(5,1)") {
			whole = g.intn(2000) - 500
		}
		if scale == 0 {
			return strconv.Itoa(whole)
		}
		frac := g.intn(pow10(scale))
		sign := ""
		if whole < 0 {
			sign, whole = "-", -whole
		}
		return fmt.Sprintf("%s%d.%0*d", sign, whole, scale, frac)
	case TText:
		if g.profile == ProfileIndex || g.profile == ProfileSelect {
			return quote(g.word())
		}
		return quote(pick(g, words))
	}
	return "NULL"
}

func pow10(n int) int {
	p := 1
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

func (g *Gen) word() string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 1+g.intn(6))
	for i := range b {
		b[i] = letters[g.intn(8)]
	}
	return string(b)
}

// addView adds a view over the setup's tables.
func (g *Gen) addView(s *Setup, name string) {
	g.alias = 0
	g.ctes = nil
	q, cols := g.query(nil, queryOpts{named: true, depth: 1})
	s.Views = append(s.Views, &View{Name: name, Q: q, Cols: cols})
}

// --- scopes ---

// scopeCol is a column visible in a scope.
type scopeCol struct {
	Qual, Name string
	T          Type
}

func (c scopeCol) ref(qualify bool) *Col {
	if qualify && c.Qual != "" {
		return &Col{Qual: c.Qual, Name: c.Name, T: c.T}
	}
	return &Col{Name: c.Name, T: c.T}
}

// scope is what an expression may refer to.
type scope struct {
	cols []scopeCol
	// qualify makes column references qualified: there is more than one
	// FROM item, or this is a subquery.
	qualify bool
	// grouped restricts plain column references to the grouping columns,
	// while aggregate arguments see all cols.
	grouped   bool
	groupCols []scopeCol
	// aggs allows aggregate calls.
	aggs   bool
	parent *scope
	// noSub forbids subqueries (e.g. in aggregate arguments).
	noSub bool
}

// visible lists the plain column references allowed.
func (s *scope) visible() []scopeCol {
	if s.grouped {
		return s.groupCols
	}
	return s.cols
}

// inner is the scope of an aggregate's argument.
func (s *scope) inner() *scope {
	return &scope{cols: s.cols, qualify: s.qualify, noSub: true}
}

func colsOfType(cols []scopeCol, t Type) []scopeCol {
	var out []scopeCol
	for _, c := range cols {
		if c.T == t {
			out = append(out, c)
		}
	}
	return out
}

// --- expressions ---

const maxDepth = 4

// expr generates an expression of type t.
func (g *Gen) expr(sc *scope, t Type, depth int) Expr {
	if depth >= maxDepth || g.chance(0.3+0.15*float64(depth)) {
		return g.leaf(sc, t)
	}
	switch t {
	case TInt:
		return g.intExpr(sc, depth)
	case TFloat:
		return g.floatExpr(sc, depth)
	case TNumeric:
		return g.numericExpr(sc, depth)
	case TText:
		return g.textExpr(sc, depth)
	case TBool:
		return g.boolExpr(sc, depth)
	}
	return nullLit()
}

// leaf is a column of type t or a literal.
func (g *Gen) leaf(sc *scope, t Type) Expr {
	if t == TBool {
		return g.boolExpr(sc, maxDepth)
	}
	if sc != nil && g.chance(0.7) {
		// Outer references make subqueries correlated.
		for s, up := sc, 0; s != nil; s, up = s.parent, up+1 {
			if up > 0 && !g.chance(0.5) {
				break
			}
			cands := colsOfType(s.visible(), t)
			if len(cands) > 0 && (up > 0 || s.parent == nil || g.chance(0.75)) {
				return pick(g, cands).ref(s.qualify || up > 0)
			}
		}
	}
	return g.literal(t)
}

func (g *Gen) literal(t Type) Expr {
	if g.chance(0.04) {
		return nullLit()
	}
	switch t {
	case TInt:
		if g.chance(0.03) {
			return &Lit{Text: pick(g, []string{"2147483647", "-2147483648", "9223372036854775807", "0"}), T: TInt}
		}
		return intLit(int64(g.intn(100)))
	case TFloat:
		v := strconv.FormatFloat(float64(g.intn(200)-40)/4, 'f', -1, 64)
		if !strings.Contains(v, ".") {
			v += ".0"
		}
		return &Cast{X: &Lit{Text: v, T: TNumeric}, To: pick(g, []string{"FLOAT", "FLOAT", "REAL", "DOUBLE PRECISION"}), T: TFloat}
	case TNumeric:
		return &Lit{Text: fmt.Sprintf("%d.%0*d", g.intn(100), 1+g.intn(2), g.intn(10)), T: TNumeric}
	case TText:
		return textLit(pick(g, words))
	case TBool:
		return boolLit(g.chance(0.5))
	}
	return nullLit()
}

func (g *Gen) numericType() Type { return pick(g, []Type{TInt, TInt, TInt, TFloat, TNumeric}) }

var arithOps = []string{"+", "-", "*", "+", "-", "*", "/", "%"}

func (g *Gen) intExpr(sc *scope, depth int) Expr {
	switch g.intn(13) {
	case 0, 1, 2:
		return &Binary{Op: pick(g, arithOps), L: g.expr(sc, TInt, depth+1), R: g.expr(sc, TInt, depth+1), T: TInt}
	case 3:
		return &Unary{Op: pick(g, []string{"-", "+"}), X: g.expr(sc, TInt, depth+1)}
	case 4:
		return g.caseExpr(sc, TInt, depth)
	case 5:
		return g.coalesce(sc, TInt, depth)
	case 6:
		from := pick(g, []Type{TFloat, TNumeric, TInt, TText})
		var x Expr
		if from == TText {
			x = textLit(pick(g, []string{"12", "-3", " 7 ", "0"}))
		} else {
			x = g.expr(sc, from, depth+1)
		}
		return &Cast{X: x, To: pick(g, []string{"INTEGER", "INTEGER", "BIGINT", "SMALLINT"}), T: TInt}
	case 7:
		if sc != nil && sc.aggs {
			return g.aggregate(sc, TInt)
		}
		return &Func{Name: "ABS", Args: []Expr{g.expr(sc, TInt, depth+1)}, T: TInt}
	case 8:
		if q := g.scalarSubquery(sc, TInt, depth); q != nil {
			return q
		}
	case 9:
		return &Func{Name: "LENGTH", Args: []Expr{g.expr(sc, TText, depth+1)}, T: TInt}
	case 10:
		if sc != nil && sc.aggs {
			return &Binary{Op: pick(g, arithOps[:3]), L: g.aggregate(sc, TInt), R: g.expr(sc, TInt, depth+1), T: TInt}
		}
	}
	return g.leaf(sc, TInt)
}

func (g *Gen) floatExpr(sc *scope, depth int) Expr {
	switch g.intn(9) {
	case 0, 1:
		l, r := g.expr(sc, TFloat, depth+1), g.expr(sc, g.numericType(), depth+1)
		if g.chance(0.5) {
			l, r = r, l
		}
		return &Binary{Op: pick(g, []string{"+", "-", "*", "/"}), L: l, R: r, T: TFloat}
	case 2:
		return &Unary{Op: "-", X: g.expr(sc, TFloat, depth+1)}
	case 3:
		return &Cast{X: g.expr(sc, pick(g, []Type{TInt, TNumeric}), depth+1), To: pick(g, []string{"FLOAT", "REAL", "DOUBLE PRECISION"}), T: TFloat}
	case 4:
		return g.caseExpr(sc, TFloat, depth)
	case 5:
		return g.coalesce(sc, TFloat, depth)
	case 6:
		if sc != nil && sc.aggs {
			return g.aggregate(sc, TFloat)
		}
	case 7:
		if q := g.scalarSubquery(sc, TFloat, depth); q != nil {
			return q
		}
	}
	return g.leaf(sc, TFloat)
}

func (g *Gen) numericExpr(sc *scope, depth int) Expr {
	switch g.intn(9) {
	case 0, 1:
		l, r := g.expr(sc, TNumeric, depth+1), g.expr(sc, pick(g, []Type{TInt, TNumeric}), depth+1)
		if g.chance(0.5) {
			l, r = r, l
		}
		return &Binary{Op: pick(g, arithOps), L: l, R: r, T: TNumeric}
	case 2:
		return &Unary{Op: pick(g, []string{"-", "+"}), X: g.expr(sc, TNumeric, depth+1)}
	case 3:
		to := pick(g, []string{"DECIMAL", "NUMERIC", "NUMERIC(10,2)", "DECIMAL(6,3)"})
		return &Cast{X: g.expr(sc, pick(g, []Type{TInt, TFloat, TNumeric}), depth+1), To: to, T: TNumeric}
	case 4:
		return g.caseExpr(sc, TNumeric, depth)
	case 5:
		return g.coalesce(sc, TNumeric, depth)
	case 6:
		if sc != nil && sc.aggs {
			return g.aggregate(sc, TNumeric)
		}
	case 7:
		if q := g.scalarSubquery(sc, TNumeric, depth); q != nil {
			return q
		}
	}
	return g.leaf(sc, TNumeric)
}

func (g *Gen) textExpr(sc *scope, depth int) Expr {
	switch g.intn(8) {
	case 0:
		return &Binary{Op: "||", L: g.expr(sc, TText, depth+1), R: g.expr(sc, pick(g, []Type{TText, TText, TInt, TNumeric}), depth+1), T: TText}
	case 1:
		return &Cast{X: g.expr(sc, pick(g, []Type{TInt, TFloat, TNumeric}), depth+1), To: pick(g, []string{"TEXT", "VARCHAR"}), T: TText}
	case 2:
		return g.caseExpr(sc, TText, depth)
	case 3:
		return g.coalesce(sc, TText, depth)
	case 4:
		if sc != nil && sc.aggs {
			return g.aggregate(sc, TText)
		}
		return &Func{Name: pick(g, []string{"LOWER", "UPPER"}), Args: []Expr{g.expr(sc, TText, depth+1)}, T: TText}
	case 5:
		if q := g.scalarSubquery(sc, TText, depth); q != nil {
			return q
		}
	}
	return g.leaf(sc, TText)
}

func (g *Gen) caseExpr(sc *scope, t Type, depth int) Expr {
	c := &CaseExpr{T: t}
	n := 1 + g.intn(3)
	if g.chance(0.4) {
		ot := pick(g, []Type{TInt, TInt, TText, TNumeric, TFloat})
		c.Operand = g.expr(sc, ot, depth+1)
		for i := 0; i < n; i++ {
			c.Whens = append(c.Whens, When{g.expr(sc, sameFamily(g, ot), depth+1), g.branch(sc, t, depth)})
		}
	} else {
		for i := 0; i < n; i++ {
			c.Whens = append(c.Whens, When{g.expr(sc, TBool, depth+1), g.branch(sc, t, depth)})
		}
	}
	if g.chance(0.6) {
		c.Else = g.branch(sc, t, depth)
	}
	return c
}

// branch is a value of a CASE or COALESCE: of type t, or for numeric
// families any numeric type, as PostgreSQL resolves the common type.
func (g *Gen) branch(sc *scope, t Type, depth int) Expr {
	if t.numeric() && g.chance(0.3) && t != TInt {
		return g.expr(sc, TInt, depth+1)
	}
	return g.expr(sc, t, depth+1)
}

// sameFamily is a type comparable with t.
func sameFamily(g *Gen, t Type) Type {
	if t.numeric() {
		return g.numericType()
	}
	return t
}

func (g *Gen) coalesce(sc *scope, t Type, depth int) Expr {
	if g.chance(0.3) {
		return &Func{Name: "NULLIF", Args: []Expr{g.expr(sc, t, depth+1), g.branch(sc, t, depth)}, T: t}
	}
	f := &Func{Name: "COALESCE", T: t}
	for i, n := 0, 2+g.intn(2); i < n; i++ {
		f.Args = append(f.Args, g.branch(sc, t, depth))
	}
	return f
}

// aggregate calls an aggregate over sc's columns returning type t.
func (g *Gen) aggregate(sc *scope, t Type) Expr {
	in := sc.inner()
	f := &Func{T: t}
	if g.chance(0.3) {
		f.Distinct = true
	} else if g.chance(0.2) {
		f.All = true
	}
	switch t {
	case TInt:
		switch g.intn(4) {
		case 0:
			return &Func{Name: "COUNT", Star: true, T: TInt}
		case 1:
			f.Name = "COUNT"
			f.Args = []Expr{g.expr(in, pick(g, []Type{TInt, TText, TFloat, TNumeric}), 2)}
		case 2:
			f.Name = "SUM"
			f.Args = []Expr{g.expr(in, TInt, 2)}
		default:
			f.Name = pick(g, []string{"MIN", "MAX"})
			f.Args = []Expr{g.expr(in, TInt, 2)}
		}
	case TFloat:
		f.Name = pick(g, []string{"SUM", "AVG", "MIN", "MAX"})
		f.Args = []Expr{g.expr(in, TFloat, 2)}
	case TNumeric:
		f.Name = pick(g, []string{"SUM", "AVG", "MIN", "MAX", "AVG"})
		at := TNumeric
		if f.Name == "AVG" && g.chance(0.6) {
			at = TInt
		}
		f.Args = []Expr{g.expr(in, at, 2)}
	case TText:
		f.Name = pick(g, []string{"MIN", "MAX"})
		f.Args = []Expr{g.expr(in, TText, 2)}
	default:
		return g.literal(t)
	}
	return f
}

var cmpOps = []string{"=", "<>", "<", "<=", ">", ">=", "=", "<>"}

func (g *Gen) boolExpr(sc *scope, depth int) Expr {
	if depth >= maxDepth {
		return g.comparison(sc, depth)
	}
	switch g.intn(16) {
	case 0, 1, 2:
		return g.comparison(sc, depth)
	case 3, 4:
		return &Binary{Op: pick(g, []string{"AND", "OR"}), L: g.expr(sc, TBool, depth+1), R: g.expr(sc, TBool, depth+1), T: TBool}
	case 5:
		return &Unary{Op: "NOT", X: g.expr(sc, TBool, depth+1)}
	case 6:
		t := g.anyType()
		test := pick(g, []string{"IS NULL", "IS NOT NULL"})
		if t == TBool {
			test = pick(g, []string{"IS NULL", "IS NOT NULL", "IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE", "IS UNKNOWN", "IS NOT UNKNOWN"})
		}
		return &Predicate{X: g.expr(sc, t, depth+1), Test: test}
	case 7:
		t := g.anyType()
		if t == TBool {
			t = TInt
		}
		return &Binary{Op: pick(g, []string{"IS DISTINCT FROM", "IS NOT DISTINCT FROM"}), L: g.expr(sc, t, depth+1), R: g.expr(sc, sameFamily(g, t), depth+1), T: TBool}
	case 8:
		t := pick(g, []Type{TInt, TInt, TFloat, TNumeric, TText})
		return &Between{X: g.expr(sc, t, depth+1), Lo: g.expr(sc, sameFamily(g, t), depth+1), Hi: g.expr(sc, sameFamily(g, t), depth+1),
			Not: g.chance(0.3), Symmetric: g.chance(0.15)}
	case 9:
		t := pick(g, []Type{TInt, TInt, TFloat, TNumeric, TText})
		in := &InList{X: g.expr(sc, t, depth+1), Not: g.chance(0.4)}
		for i, n := 0, 1+g.intn(5); i < n; i++ {
			if g.chance(0.1) {
				in.List = append(in.List, nullLit())
			} else {
				in.List = append(in.List, g.expr(sc, sameFamily(g, t), depth+2))
			}
		}
		return in
	case 10, 11:
		if sp := g.subPredicate(sc, depth); sp != nil {
			return sp
		}
	case 12:
		pat := pick(g, []string{"a%", "%b%", "_", "%", "a_", "%a", "ab", "", "A%", "%\\%%"})
		return &Binary{Op: pick(g, []string{"LIKE", "NOT LIKE"}), L: g.expr(sc, TText, depth+1), R: textLit(pat), T: TBool}
	case 13:
		if g.chance(0.5) {
			return g.literal(TBool)
		}
		return &Lit{Text: "NULL", T: TBool}
	}
	return g.comparison(sc, depth)
}

func (g *Gen) anyType() Type { return pick(g, []Type{TInt, TInt, TFloat, TNumeric, TText, TBool}) }

func (g *Gen) comparison(sc *scope, depth int) Expr {
	t := pick(g, []Type{TInt, TInt, TInt, TFloat, TNumeric, TText})
	return &Binary{Op: pick(g, cmpOps), L: g.expr(sc, t, depth+1), R: g.expr(sc, sameFamily(g, t), depth+1), T: TBool}
}

// subPredicate is an IN, EXISTS or ANY/ALL subquery, often correlated.
func (g *Gen) subPredicate(sc *scope, depth int) Expr {
	if sc == nil || sc.noSub || depth >= maxDepth-1 {
		return nil
	}
	switch g.intn(4) {
	case 0:
		q, _ := g.query(sc, queryOpts{depth: depth + 1, exists: true})
		return &SubPredicate{Kind: pick(g, []string{"EXISTS", "NOT EXISTS"}), Q: q}
	case 1:
		t := pick(g, []Type{TInt, TInt, TText, TNumeric, TFloat})
		q, _ := g.query(sc, queryOpts{depth: depth + 1, want: []Type{sameFamily(g, t)}})
		return &SubPredicate{Kind: pick(g, []string{"= ANY", "<> ALL", "< ANY", ">= ALL", "= ALL", "> ANY"}), X: g.expr(sc, t, depth+1), Q: q}
	default:
		t := pick(g, []Type{TInt, TInt, TText, TNumeric, TFloat})
		q, _ := g.query(sc, queryOpts{depth: depth + 1, want: []Type{sameFamily(g, t)}})
		return &SubPredicate{Kind: pick(g, []string{"IN", "NOT IN"}), X: g.expr(sc, t, depth+1), Q: q}
	}
}

// scalarSubquery returns a subquery of one column of type t and at most one
// row, or nil where subqueries are not allowed.
func (g *Gen) scalarSubquery(sc *scope, t Type, depth int) Expr {
	if sc == nil || sc.noSub || depth >= maxDepth-1 {
		return nil
	}
	q, _ := g.query(sc, queryOpts{depth: depth + 1, want: []Type{t}, scalar: true})
	return &Subquery{Q: q, T: t}
}

// --- queries ---

type queryOpts struct {
	// want fixes the output columns' types.
	want []Type
	// scalar makes the query return at most one row.
	scalar bool
	// exists is for EXISTS: any output.
	exists bool
	// named gives every output column a name (views, derived tables,
	// CTEs).
	named bool
	// top allows * and ORDER BY with LIMIT.
	top   bool
	depth int
}

// fromItem is a FROM item with the columns it exposes.
type fromItem struct {
	item FromItem
	cols []scopeCol
}

// relation picks a table, view or CTE to read, with an alias.
func (g *Gen) relation(depth int, parent *scope) fromItem {
	g.alias++
	alias := fmt.Sprintf("%s%d", pick(g, []string{"cor", "t", "x"}), g.alias)
	if len(g.ctes) > 0 && g.chance(0.3) {
		c := pick(g, g.ctes)
		return fromItem{&TableRef{Name: c.name, Alias: alias}, qualified(alias, c.cols)}
	}
	if len(g.setup.Views) > 0 && g.chance(0.15) {
		v := pick(g, g.setup.Views)
		return fromItem{&TableRef{Name: v.Name, Alias: alias}, qualified(alias, v.Cols)}
	}
	if depth < 3 && g.chance(0.08) {
		q, cols := g.query(parentForDerived(parent), queryOpts{named: true, depth: depth + 1})
		return fromItem{&Derived{Q: q, Alias: alias}, qualified(alias, cols)}
	}
	t := g.table()
	ref := &TableRef{Name: t.Name, Alias: alias}
	if g.profile == ProfileRandom && g.chance(0.2) {
		ref.Alias = ""
		alias = t.Name
	}
	return fromItem{ref, qualified(alias, t.Cols)}
}

// parentForDerived: derived tables are not LATERAL, so they see no
// columns of the query they are in, only of its enclosing queries.
func parentForDerived(parent *scope) *scope { return parent }

func (g *Gen) table() *Table {
	ts := g.setup.Tables
	if g.profile == ProfileSelect && g.chance(0.5) {
		return ts[0]
	}
	return pick(g, ts)
}

func qualified(alias string, cols []Column) []scopeCol {
	out := make([]scopeCol, len(cols))
	for i, c := range cols {
		out[i] = scopeCol{Qual: alias, Name: c.Name, T: c.T}
	}
	return out
}

// from generates a FROM clause and the join conditions a comma join of
// many tables wants in WHERE.
func (g *Gen) from(parent *scope, depth int) ([]fromItem, []Expr) {
	n := 1
	switch r := g.r.Float64(); {
	case r < 0.08 && depth == 0:
		n = 0
	case r < 0.55:
		n = 1
	case r < 0.8:
		n = 2
	case r < 0.9:
		n = 3
	default:
		n = 3 + g.intn(4)
	}
	if depth > 0 && n > 2 {
		n = 2
	}
	var items []fromItem
	var conds []Expr
	for i := 0; i < n; i++ {
		it := g.relation(depth, parent)
		if i > 0 && g.chance(0.35) {
			// An explicit join with the previous item.
			prev := items[len(items)-1]
			items[len(items)-1] = g.join(prev, it, parent, depth)
			continue
		}
		if len(items) > 0 && g.chance(0.75) {
			// An equality with an earlier item, as select5's joins.
			if c := g.equality(items, it); c != nil {
				conds = append(conds, c)
			}
		}
		items = append(items, it)
	}
	return items, conds
}

// equality joins it to one of items on columns of one family.
func (g *Gen) equality(items []fromItem, it fromItem) Expr {
	other := pick(g, items)
	for attempt := 0; attempt < 5; attempt++ {
		a := pick(g, it.cols)
		cands := []scopeCol{}
		for _, c := range other.cols {
			if comparable(a.T, c.T) && a.T != TBool {
				cands = append(cands, c)
			}
		}
		if len(cands) > 0 {
			b := pick(g, cands)
			op := "="
			if g.chance(0.15) {
				op = pick(g, []string{"<", ">=", "<>"})
			}
			return &Binary{Op: op, L: a.ref(true), R: b.ref(true), T: TBool}
		}
	}
	return nil
}

func (g *Gen) join(l, r fromItem, parent *scope, depth int) fromItem {
	kind := pick(g, []string{"JOIN", "INNER JOIN", "LEFT JOIN", "LEFT OUTER JOIN", "RIGHT JOIN", "FULL JOIN", "FULL OUTER JOIN", "CROSS JOIN", "LEFT JOIN"})
	j := &Join{Kind: kind, L: l.item, R: r.item}
	cols := append(append([]scopeCol(nil), l.cols...), r.cols...)
	if kind == "CROSS JOIN" {
		return fromItem{j, cols}
	}
	if g.chance(0.2) {
		// USING needs a column name on both sides, of comparable types;
		// qualified references stay valid.
		for _, a := range r.cols {
			n := 0
			var lt Type
			for _, b := range l.cols {
				if b.Name == a.Name {
					n++
					lt = b.T
				}
			}
			if n == 1 && comparable(a.T, lt) {
				if _, isJoin := l.item.(*Join); !isJoin {
					j.Using = []string{a.Name}
					return fromItem{j, cols}
				}
			}
		}
	}
	sc := &scope{cols: cols, qualify: true, parent: parent}
	on := g.equality([]fromItem{l}, r)
	if strings.HasPrefix(kind, "FULL") {
		// PostgreSQL runs FULL JOIN only on hashable or mergeable
		// equalities.
		if b, ok := on.(*Binary); ok && b.Op == "=" {
			j.On = on
			return fromItem{j, cols}
		}
		j.Kind = "LEFT JOIN"
	}
	if on == nil || g.chance(0.2) {
		on = g.expr(sc, TBool, 2)
	} else if g.chance(0.4) {
		on = &Binary{Op: "AND", L: on, R: g.expr(sc, TBool, 2), T: TBool}
	}
	j.On = on
	return fromItem{j, cols}
}

// query generates a query in scope parent (nil at top level) and returns
// it with its output columns.
func (g *Gen) query(parent *scope, o queryOpts) (*Select, []Column) {
	q := &Select{}
	savedCTEs := len(g.ctes)
	defer func() { g.ctes = g.ctes[:savedCTEs] }()
	if o.depth <= 1 && g.chance(0.1) {
		for i, n := 0, 1+g.intn(2); i < n; i++ {
			name := fmt.Sprintf("cte%d", len(g.ctes))
			cq, cols := g.query(nil, queryOpts{named: true, depth: o.depth + 1})
			q.With = append(q.With, &CTE{Name: name, Q: cq})
			g.ctes = append(g.ctes, &cteInfo{name: name, cols: cols})
		}
	}
	core, cols, csc := g.core(parent, o)
	q.Body = core
	if !o.scalar && !o.exists && g.chance(0.12) {
		// A set operation with a second core of the same column types.
		want := make([]Type, len(cols))
		for i, c := range cols {
			want[i] = c.T
		}
		o2 := o
		o2.want, o2.named = want, false
		right, _, _ := g.core(parent, o2)
		q.Body = &SetOp{Op: pick(g, []string{"UNION", "UNION", "INTERSECT", "EXCEPT"}), All: g.chance(0.4), L: core, R: right}
		csc = nil
	}
	if o.top || (o.scalar && !isAggregateOnly(core)) || g.chance(0.1) {
		g.orderBy(q, core, cols, csc, o)
	}
	return q, cols
}

func isAggregateOnly(c *Core) bool {
	if len(c.GroupBy) > 0 {
		return false
	}
	for _, it := range c.Items {
		if it.Star || !hasAggregate(it.X) {
			return false
		}
	}
	return true
}

func hasAggregate(n Node) bool {
	if n == nil {
		return false
	}
	if f, ok := n.(*Func); ok && aggregates[f.Name] {
		return true
	}
	switch n.(type) {
	case *Subquery, *SubPredicate:
		return false
	}
	for _, k := range n.kids() {
		if k != nil && hasAggregate(k) {
			return true
		}
	}
	return false
}

// core generates one SELECT ... FROM ... WHERE ... GROUP BY ... HAVING and
// returns it with its output columns and the scope ORDER BY may use (nil
// when ORDER BY may only name output columns).
func (g *Gen) core(parent *scope, o queryOpts) (*Core, []Column, *scope) {
	c := &Core{}
	items, conds := g.from(parent, o.depth)
	sc := &scope{parent: parent, qualify: len(items) > 1 || parent != nil || g.chance(0.3)}
	for _, it := range items {
		c.From = append(c.From, it.item)
		sc.cols = append(sc.cols, it.cols...)
	}
	// WHERE: the join equalities, and a filter.
	var where []Expr
	where = append(where, conds...)
	if len(items) > 0 && g.chance(0.6) || len(items) == 0 && g.chance(0.2) {
		where = append(where, g.expr(sc, TBool, 1))
	}
	for i, w := range where {
		if i == 0 {
			c.Where = w
		} else {
			c.Where = &Binary{Op: "AND", L: c.Where, R: w, T: TBool}
		}
	}
	// Grouping.
	mode := 0 // plain
	switch r := g.r.Float64(); {
	case o.scalar && g.chance(0.7):
		mode = 1 // aggregates without GROUP BY
	case o.scalar:
	case r < 0.15:
		mode = 1
	case r < 0.35 && len(sc.cols) > 0:
		mode = 2 // GROUP BY
	}
	out := sc
	if mode > 0 {
		out = &scope{cols: sc.cols, qualify: sc.qualify, parent: parent, grouped: true, aggs: true}
		if mode == 2 {
			for i, n := 0, 1+g.intn(2); i < n; i++ {
				col := pick(g, sc.cols)
				if !containsCol(out.groupCols, col) {
					out.groupCols = append(out.groupCols, col)
					c.GroupBy = append(c.GroupBy, col.ref(sc.qualify))
				}
			}
		}
		if g.chance(0.3) {
			c.Having = g.expr(out, TBool, 1)
		}
	}
	// The select list.
	var cols []Column
	switch {
	case o.exists:
		if g.chance(0.5) {
			c.Items = []*SelectItem{{X: intLit(1)}}
		} else {
			c.Items = []*SelectItem{{Star: true}}
		}
		return c, nil, nil
	case o.want != nil:
		for i, t := range o.want {
			c.Items = append(c.Items, g.selectItem(out, t, i, o, &cols))
		}
	case mode == 0 && o.top && len(items) > 0 && g.chance(0.12):
		c.Items = []*SelectItem{{Star: true}}
		for _, col := range sc.cols {
			cols = append(cols, Column{Name: col.Name, T: col.T})
		}
	default:
		n := 1 + g.intn(3)
		for i := 0; i < n; i++ {
			t := pick(g, []Type{TInt, TInt, TInt, TFloat, TNumeric, TText})
			if mode == 2 && g.chance(0.5) {
				// A grouping column as it is, the common case.
				gc := pick(g, out.groupCols)
				t = gc.T
			}
			c.Items = append(c.Items, g.selectItem(out, t, i, o, &cols))
		}
	}
	if g.chance(0.15) {
		c.Distinct = true
	} else if g.chance(0.1) {
		c.All = true
	}
	if c.Distinct {
		return c, cols, nil
	}
	return c, cols, out
}

func containsCol(cols []scopeCol, c scopeCol) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

func (g *Gen) selectItem(sc *scope, t Type, i int, o queryOpts, cols *[]Column) *SelectItem {
	var x Expr
	if sc.grouped && len(sc.groupCols) > 0 && g.chance(0.4) {
		if cands := colsOfType(sc.groupCols, t); len(cands) > 0 {
			x = pick(g, cands).ref(sc.qualify)
		}
	}
	if x == nil && sc.grouped && g.chance(0.5) {
		x = g.aggregate(sc, t)
	}
	if x == nil {
		x = g.expr(sc, t, 1)
	}
	it := &SelectItem{X: x}
	name := ""
	if o.named {
		name = fmt.Sprintf("c%d", i)
		it.Alias = name
	} else if g.chance(0.4) {
		name = fmt.Sprintf("col%d", g.intn(4))
		it.Alias = name
	}
	*cols = append(*cols, Column{Name: name, T: t})
	return it
}

// orderBy adds an ORDER BY; with a total order over all output columns it
// may add LIMIT and OFFSET.
func (g *Gen) orderBy(q *Select, core *Core, cols []Column, sc *scope, o queryOpts) {
	if len(cols) == 0 {
		return
	}
	nulls := func() string {
		if g.chance(0.25) {
			return pick(g, []string{"NULLS FIRST", "NULLS LAST"})
		}
		return ""
	}
	covered := map[int]bool{}
	for i, n := 0, 1+g.intn(2); i < n; i++ {
		oi := &OrderItem{Desc: g.chance(0.4), Nulls: nulls()}
		switch {
		case sc != nil && g.chance(0.35):
			// An expression, possibly not in the select list.
			oi.X = g.expr(sc, pick(g, []Type{TInt, TInt, TText, TFloat, TNumeric}), 2)
			if isLiteral(oi.X) {
				// PostgreSQL reads a bare constant as an ordinal or refuses
				// it; both are tested by the ordinal branch.
				k := g.intn(len(cols))
				oi.X = intLit(int64(k + 1))
				covered[k] = true
			}
		case g.chance(0.3) && uniqueName(cols, g.intn(len(cols))) != "":
			// An output column by its name; the name may shadow an input
			// column, which ORDER BY resolves to the output.
			k := g.intn(len(cols))
			if name := uniqueName(cols, k); name != "" {
				oi.X = &Col{Name: name, T: cols[k].T}
			} else {
				oi.X = intLit(int64(k + 1))
			}
			covered[k] = true
		default:
			k := g.intn(len(cols))
			oi.X = intLit(int64(k + 1))
			covered[k] = true
		}
		q.OrderBy = append(q.OrderBy, oi)
	}
	total := o.top && g.chance(0.5) || o.scalar
	if !total {
		return
	}
	for k := range cols {
		if !covered[k] {
			q.OrderBy = append(q.OrderBy, &OrderItem{X: intLit(int64(k + 1)), Desc: g.chance(0.3), Nulls: nulls()})
		}
	}
	q.Ordered = true
	if o.scalar {
		q.Limit = intLit(1)
		return
	}
	if g.chance(0.5) {
		q.Limit = intLit(int64(g.intn(6)))
		if g.chance(0.4) {
			q.Offset = intLit(int64(g.intn(4)))
		}
	}
}

// uniqueName is the name of output column k if no other output column has
// it, else "".
func uniqueName(cols []Column, k int) string {
	if cols[k].Name == "" {
		return ""
	}
	for i, c := range cols {
		if i != k && c.Name == cols[k].Name {
			return ""
		}
	}
	return cols[k].Name
}

// --- statements ---

// Stmt is one statement of a case. Ordered says its rows compare in order.
type Stmt struct {
	Node    Node
	Ordered bool
}

// SQL renders the statement.
func (s Stmt) SQL() string { return SQL(s.Node) }

func rawStmt(text string) Stmt { return Stmt{Node: &Raw{Text: text}} }

// Case is a setup and the statements run on it, compared one by one.
type Case struct {
	Setup *Setup
	Stmts []Stmt
}

// NextCase generates statements on the current setup: usually one query;
// sometimes a DML statement in a transaction that is rolled back, with
// queries of its effect.
func (g *Gen) NextCase() *Case {
	c := &Case{Setup: g.setup}
	if g.chance(0.15) && len(g.setup.Tables) > 0 {
		t := g.table()
		c.Stmts = append(c.Stmts, rawStmt("BEGIN"), g.dml(t),
			Stmt{Node: &Raw{Text: "SELECT * FROM " + t.Name}},
			g.topQuery(), rawStmt("ROLLBACK"))
		return c
	}
	c.Stmts = append(c.Stmts, g.topQuery())
	return c
}

func (g *Gen) topQuery() Stmt {
	g.alias, g.ctes = 0, nil
	if g.profile == ProfileIndex && g.chance(0.5) {
		return g.indexQuery()
	}
	q, _ := g.query(nil, queryOpts{top: true})
	return Stmt{Node: q, Ordered: q.Ordered}
}

// indexQuery is index/*'s shape: SELECT pk FROM tabN WHERE <predicate on
// literals>, sometimes ordered.
func (g *Gen) indexQuery() Stmt {
	t := g.table()
	sc := &scope{cols: qualified(t.Name, t.Cols)}
	var pred func(depth int) Expr
	pred = func(depth int) Expr {
		if depth < 3 && g.chance(0.4) {
			op := pick(g, []string{"AND", "OR"})
			return &Binary{Op: op, L: pred(depth + 1), R: pred(depth + 1), T: TBool}
		}
		c := pick(g, sc.cols[1:])
		ref := c.ref(false)
		lit := func() Expr { return g.indexLiteral(c.T) }
		switch g.intn(6) {
		case 0:
			return &Between{X: ref, Lo: lit(), Hi: lit(), Not: g.chance(0.2)}
		case 1:
			in := &InList{X: ref, Not: g.chance(0.3)}
			for i, n := 0, 1+g.intn(6); i < n; i++ {
				in.List = append(in.List, lit())
			}
			return in
		case 2:
			return &Predicate{X: ref, Test: pick(g, []string{"IS NULL", "IS NOT NULL"})}
		case 3:
			if g.chance(0.3) {
				return &Unary{Op: "NOT", X: pred(depth + 1)}
			}
		}
		l, r := Expr(ref), lit()
		if g.chance(0.3) {
			l, r = r, l
		}
		return &Binary{Op: pick(g, cmpOps), L: l, R: r, T: TBool}
	}
	core := &Core{Items: []*SelectItem{{X: &Col{Name: "pk", T: TInt}}}, From: []FromItem{&TableRef{Name: t.Name}}, Where: pred(0)}
	q := &Select{Body: core}
	if g.chance(0.4) {
		q.OrderBy = []*OrderItem{{X: intLit(1), Desc: g.chance(0.5)}}
		q.Ordered = true
	}
	return Stmt{Node: q, Ordered: q.Ordered}
}

func (g *Gen) indexLiteral(t Type) Expr {
	switch t {
	case TInt:
		return intLit(int64(g.intn(1000)))
	case TFloat:
		return &Lit{Text: fmt.Sprintf("%d.%d", g.intn(1000), g.intn(100)), T: TNumeric}
	case TText:
		return textLit(g.word())
	}
	return g.literal(t)
}

// dml is an UPDATE, DELETE or INSERT ... SELECT on t.
func (g *Gen) dml(t *Table) Stmt {
	g.alias, g.ctes = 0, nil
	sc := &scope{cols: qualified(t.Name, t.Cols), qualify: g.chance(0.5)}
	switch g.intn(3) {
	case 0:
		u := &Update{Table: t.Name}
		for i, n := 0, 1+g.intn(2); i < n && i < len(t.Cols); i++ {
			c := pick(g, t.Cols)
			if contains(u.Cols, c.Name) {
				continue
			}
			u.Cols = append(u.Cols, c.Name)
			u.Vals = append(u.Vals, g.expr(sc, c.T, 1))
		}
		if g.chance(0.8) {
			u.Where = g.expr(sc, TBool, 1)
		}
		return Stmt{Node: u}
	case 1:
		d := &Delete{Table: t.Name}
		if g.chance(0.9) {
			d.Where = g.expr(sc, TBool, 1)
		}
		return Stmt{Node: d}
	default:
		in := &Insert{Table: t.Name}
		var want []Type
		for _, c := range t.Cols {
			if contains(t.PK, c.Name) || g.chance(0.7) {
				in.Cols = append(in.Cols, c.Name)
				want = append(want, c.T)
			}
		}
		if len(in.Cols) == 0 {
			in.Cols = []string{t.Cols[0].Name}
			want = []Type{t.Cols[0].T}
		}
		in.Q, _ = g.query(nil, queryOpts{want: want, depth: 1})
		return Stmt{Node: in}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// isLiteral says whether e is a constant as written, possibly negated.
func isLiteral(e Expr) bool {
	switch x := e.(type) {
	case *Lit:
		return true
	case *Unary:
		return isLiteral(x.X)
	case *Cast:
		return isLiteral(x.X)
	}
	return false
}
