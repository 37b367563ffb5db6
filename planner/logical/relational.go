package logical

import (
	"fmt"
	"strings"

	"portalsdb/exec/expr"
	"portalsdb/types"
)

// RelationKind is the kind of stored relation a TableRef names.
type RelationKind uint8

// Kinds of stored relations.
const (
	// TableRelation is a table: rows keyed by primary key or row id.
	TableRelation RelationKind = iota
	// StreamRelation is an append-only atomic stream, read from its log.
	StreamRelation
	// WorkflowRelation is a workflow's result, maintained per atom.
	WorkflowRelation
)

// TableRef identifies a stored relation to the planner: what it needs to
// scan it and to choose indexes. The sql package fills it from the catalog.
type TableRef struct {
	OID  uint32
	Name string
	Kind RelationKind
	// Changelog is set on tables whose changes are logged for workflows.
	Changelog bool
	// AppendOnly is set on a workflow whose output only inserts rows (as
	// recorded at its creation): its result is kept as its output log,
	// and a workflow reading it may treat it as it treats a stream.
	AppendOnly bool
	// Watermark is a stream's watermark, when it declares one.
	Watermark *Watermark
	Columns   []TableColumn
	// PrimaryKey lists column ordinals; empty when the table has a hidden
	// row id.
	PrimaryKey []int
	Indexes    []IndexRef
	// Rows is an estimate of the row count, for join ordering.
	Rows float64
	// Spec is the storage layout, opaque to the planner's rules; the
	// lowering step hands it to the scan operator.
	Spec any
}

// Watermark is WATERMARK FOR column AS expression: Column is the time
// column's ordinal, Expr is over the stream's columns, column i having id
// i+1.
type Watermark struct {
	Column int
	Expr   expr.Expr
}

// TableColumn is a column of a TableRef.
type TableColumn struct {
	Name    string
	Type    types.T
	NotNull bool
	AttrNum int16
}

// IndexRef is a secondary index of a TableRef.
type IndexRef struct {
	Name    string
	Columns []int // ordinals into TableRef.Columns
	Desc    []bool
	Unique  bool
	Spec    any
}

// Scan reads a table. Cols has one column per table column, in table
// order; Filter holds predicates pushed down to the scan.
type Scan struct {
	Table *TableRef
	Alias string
	Cols  []Column
	// WithRowKey adds a trailing column carrying each row's storage key,
	// for UPDATE and DELETE.
	RowKey *Column
	// Atom is the _atom pseudo-column of a stream: each event's atom.
	Atom   *Column
	Filter expr.Expr
}

func (s *Scan) Columns() []Column {
	out := s.Cols
	if s.RowKey != nil || s.Atom != nil {
		out = append([]Column(nil), s.Cols...)
	}
	if s.Atom != nil {
		out = append(out, *s.Atom)
	}
	if s.RowKey != nil {
		out = append(out, *s.RowKey)
	}
	return out
}
func (s *Scan) Inputs() []Node         { return nil }
func (s *Scan) WithInputs([]Node) Node { return s }
func (s *Scan) Describe() string {
	d := "Scan " + s.Table.Name
	if s.Alias != "" && s.Alias != s.Table.Name {
		d += " AS " + s.Alias
	}
	if s.Filter != nil {
		d += " filter=" + s.Filter.String()
	}
	return d
}

// Values is a literal relation: VALUES lists, and the one-row relation of
// a SELECT without FROM (one row of no expressions).
type Values struct {
	Rows [][]expr.Expr
	Cols []Column
}

func (v *Values) Columns() []Column      { return v.Cols }
func (v *Values) Inputs() []Node         { return nil }
func (v *Values) WithInputs([]Node) Node { return v }
func (v *Values) Describe() string       { return fmt.Sprintf("Values rows=%d", len(v.Rows)) }

// Filter keeps the rows for which Pred is true.
type Filter struct {
	Input Node
	Pred  expr.Expr
}

func (f *Filter) Columns() []Column { return f.Input.Columns() }
func (f *Filter) Inputs() []Node    { return []Node{f.Input} }
func (f *Filter) WithInputs(in []Node) Node {
	return &Filter{Input: in[0], Pred: f.Pred}
}
func (f *Filter) Describe() string { return "Filter " + f.Pred.String() }

// Project computes Exprs; output column i is Cols[i]. A plain column
// reference keeps its id.
type Project struct {
	Input Node
	Exprs []expr.Expr
	Cols  []Column
}

func (p *Project) Columns() []Column { return p.Cols }
func (p *Project) Inputs() []Node    { return []Node{p.Input} }
func (p *Project) WithInputs(in []Node) Node {
	return &Project{Input: in[0], Exprs: p.Exprs, Cols: p.Cols}
}
func (p *Project) Describe() string { return "Project " + exprList(p.Exprs) }

// JoinKind is the kind of a join.
type JoinKind uint8

// Join kinds. Semi and Anti output only the left columns.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
)

var joinNames = [...]string{"Inner", "Left", "Right", "Full", "Semi", "Anti"}

func (k JoinKind) String() string { return joinNames[k] }

// Join combines two inputs. On is nil for a cross join.
type Join struct {
	Kind        JoinKind
	Left, Right Node
	On          expr.Expr
	// NullAwareAnti marks an anti join that implements NOT IN: a NULL on
	// either side of the condition counts as a match.
	NullAwareAnti bool
}

func (j *Join) Columns() []Column {
	if j.Kind == SemiJoin || j.Kind == AntiJoin {
		return j.Left.Columns()
	}
	return append(append([]Column(nil), j.Left.Columns()...), j.Right.Columns()...)
}
func (j *Join) Inputs() []Node { return []Node{j.Left, j.Right} }
func (j *Join) WithInputs(in []Node) Node {
	n := *j
	n.Left, n.Right = in[0], in[1]
	return &n
}
func (j *Join) Describe() string {
	if j.On == nil {
		return j.Kind.String() + "Join (cross)"
	}
	return j.Kind.String() + "Join on " + j.On.String()
}

// AggCall is one aggregate computed by an Aggregate node.
type AggCall struct {
	Fn       *expr.AggOverload
	Args     []expr.Expr
	ArgTypes []types.T
	Distinct bool
	Filter   expr.Expr // FILTER (WHERE ...), or nil
	// OrderBy applies to order-sensitive aggregates such as string_agg.
	OrderBy []SortKey
	Col     Column
}

// Aggregate groups its input by GroupBy and computes Aggs per group. Its
// output is the group columns then the aggregate columns. With no GroupBy
// it returns exactly one row, even for empty input.
type Aggregate struct {
	Input     Node
	GroupBy   []expr.Expr
	GroupCols []Column
	Aggs      []AggCall
}

func (a *Aggregate) Columns() []Column {
	out := append([]Column(nil), a.GroupCols...)
	for _, c := range a.Aggs {
		out = append(out, c.Col)
	}
	return out
}
func (a *Aggregate) Inputs() []Node { return []Node{a.Input} }
func (a *Aggregate) WithInputs(in []Node) Node {
	n := *a
	n.Input = in[0]
	return &n
}
func (a *Aggregate) Describe() string {
	parts := make([]string, len(a.Aggs))
	for i, c := range a.Aggs {
		d := ""
		if c.Distinct {
			d = "DISTINCT "
		}
		parts[i] = c.Fn.Name + "(" + d + exprList(c.Args) + ")"
	}
	return fmt.Sprintf("Aggregate group=[%s] aggs=[%s]", exprList(a.GroupBy), strings.Join(parts, ", "))
}

// SortKey is one ORDER BY term.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

func (k SortKey) String() string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
	}
	if k.NullsFirst != k.Desc {
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
	}
	return s
}

// Sort orders its input.
type Sort struct {
	Input Node
	Keys  []SortKey
}

func (s *Sort) Columns() []Column { return s.Input.Columns() }
func (s *Sort) Inputs() []Node    { return []Node{s.Input} }
func (s *Sort) WithInputs(in []Node) Node {
	return &Sort{Input: in[0], Keys: s.Keys}
}
func (s *Sort) Describe() string {
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		parts[i] = k.String()
	}
	return "Sort " + strings.Join(parts, ", ")
}

// Limit keeps Count rows after skipping Offset; either may be nil.
type Limit struct {
	Input         Node
	Count, Offset expr.Expr
}

func (l *Limit) Columns() []Column { return l.Input.Columns() }
func (l *Limit) Inputs() []Node    { return []Node{l.Input} }
func (l *Limit) WithInputs(in []Node) Node {
	return &Limit{Input: in[0], Count: l.Count, Offset: l.Offset}
}
func (l *Limit) Describe() string {
	d := "Limit"
	if l.Count != nil {
		d += " " + l.Count.String()
	}
	if l.Offset != nil {
		d += " offset " + l.Offset.String()
	}
	return d
}

// Distinct removes duplicate rows. With On, it keeps the first row of each
// group of equal On values (DISTINCT ON), in input order.
type Distinct struct {
	Input Node
	On    []expr.Expr
}

func (d *Distinct) Columns() []Column { return d.Input.Columns() }
func (d *Distinct) Inputs() []Node    { return []Node{d.Input} }
func (d *Distinct) WithInputs(in []Node) Node {
	return &Distinct{Input: in[0], On: d.On}
}
func (d *Distinct) Describe() string {
	if len(d.On) > 0 {
		return "Distinct on " + exprList(d.On)
	}
	return "Distinct"
}

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind uint8

// Set operations.
const (
	Union SetOpKind = iota
	Intersect
	Except
)

var setOpNames = [...]string{"Union", "Intersect", "Except"}

func (k SetOpKind) String() string { return setOpNames[k] }

// SetOp combines two inputs with the same number of columns, positionally.
// The inputs' types already match Cols (the binder adds casts).
type SetOp struct {
	Kind        SetOpKind
	All         bool
	Left, Right Node
	Cols        []Column
}

func (s *SetOp) Columns() []Column { return s.Cols }
func (s *SetOp) Inputs() []Node    { return []Node{s.Left, s.Right} }
func (s *SetOp) WithInputs(in []Node) Node {
	n := *s
	n.Left, n.Right = in[0], in[1]
	return &n
}
func (s *SetOp) Describe() string {
	if s.All {
		return s.Kind.String() + " All"
	}
	return s.Kind.String()
}

// CTE is a common table expression, computed once per execution and read
// by every CTEScan that names it.
type CTE struct {
	ID   int
	Name string
	Plan Node
	// Recursive CTEs have a Plan that is a RecursiveUnion.
}

// CTEScan reads the rows of a CTE; its columns are fresh ids mapped
// positionally onto the CTE plan's output.
type CTEScan struct {
	CTE  *CTE
	Cols []Column
}

func (c *CTEScan) Columns() []Column      { return c.Cols }
func (c *CTEScan) Inputs() []Node         { return nil }
func (c *CTEScan) WithInputs([]Node) Node { return c }
func (c *CTEScan) Describe() string       { return "CTEScan " + c.CTE.Name }

// RecursiveUnion computes WITH RECURSIVE: Anchor once, then Recursive
// repeatedly, each time reading the previous step's rows through a
// WorkTableScan, until a step adds nothing.
type RecursiveUnion struct {
	Anchor, Recursive Node
	WorkTable         *WorkTable
	All               bool
	Cols              []Column
}

func (r *RecursiveUnion) Columns() []Column { return r.Cols }
func (r *RecursiveUnion) Inputs() []Node    { return []Node{r.Anchor, r.Recursive} }
func (r *RecursiveUnion) WithInputs(in []Node) Node {
	n := *r
	n.Anchor, n.Recursive = in[0], in[1]
	return &n
}
func (r *RecursiveUnion) Describe() string { return "RecursiveUnion " + r.WorkTable.Name }

// WorkTable names the rows of a recursive step.
type WorkTable struct {
	ID   int
	Name string
}

// WorkTableScan reads the current work table of a RecursiveUnion.
type WorkTableScan struct {
	WorkTable *WorkTable
	Cols      []Column
}

func (w *WorkTableScan) Columns() []Column      { return w.Cols }
func (w *WorkTableScan) Inputs() []Node         { return nil }
func (w *WorkTableScan) WithInputs([]Node) Node { return w }
func (w *WorkTableScan) Describe() string       { return "WorkTableScan " + w.WorkTable.Name }

// FunctionScan is a set-returning function in FROM: generate_series,
// unnest, and portal calls.
type FunctionScan struct {
	Name string
	Args []expr.Expr
	Cols []Column
	// Impl is the function's implementation, opaque to the planner.
	Impl any
	// Ordinality adds a last bigint column numbering the rows (WITH
	// ORDINALITY).
	Ordinality bool
	// Lateral is set when the arguments refer to earlier FROM items: the
	// binder then joins the function with a LateralJoin.
	Lateral bool
}

func (f *FunctionScan) Columns() []Column      { return f.Cols }
func (f *FunctionScan) Inputs() []Node         { return nil }
func (f *FunctionScan) WithInputs([]Node) Node { return f }
func (f *FunctionScan) Describe() string {
	return "FunctionScan " + f.Name + "(" + exprList(f.Args) + ")"
}

// ProjectSet evaluates the set-returning functions of a select list
// (SELECT a, generate_series(1, a) FROM t): for each input row it calls
// every function and emits as many rows as the longest result, the
// shorter results padded with NULLs, as PostgreSQL's ProjectSet does. An
// input row for which every function returns nothing emits no row. Its
// output is the input's columns, then one column per call.
type ProjectSet struct {
	Input Node
	Calls []SetCall
}

// SetCall is one set-returning function call of a select list.
type SetCall struct {
	Name string
	Args []expr.Expr
	// Impl is the function's implementation, as in FunctionScan.
	Impl any
	Col  Column
}

func (p *ProjectSet) Columns() []Column {
	out := append([]Column(nil), p.Input.Columns()...)
	for _, c := range p.Calls {
		out = append(out, c.Col)
	}
	return out
}
func (p *ProjectSet) Inputs() []Node { return []Node{p.Input} }
func (p *ProjectSet) WithInputs(in []Node) Node {
	n := *p
	n.Input = in[0]
	return &n
}
func (p *ProjectSet) Describe() string {
	parts := make([]string, len(p.Calls))
	for i, c := range p.Calls {
		parts[i] = c.Name + "(" + exprList(c.Args) + ")"
	}
	return "ProjectSet " + strings.Join(parts, ", ")
}

// LateralJoin joins each row of Left with the rows a function in FROM
// returns for it, when the function's arguments refer to Left's columns:
// FROM orders o CROSS JOIN LATERAL reserve(o.item, o.qty). It is its own
// node, not a Join, because the join-ordering rules must never move the
// function away from the rows it is called with.
type LateralJoin struct {
	Left  Node
	Right *FunctionScan
	// Outer keeps a left row without a match, padded with NULLs (LEFT JOIN
	// LATERAL).
	Outer bool
	// On filters the joined rows; nil means true.
	On expr.Expr
}

func (j *LateralJoin) Columns() []Column {
	return append(append([]Column(nil), j.Left.Columns()...), j.Right.Cols...)
}
func (j *LateralJoin) Inputs() []Node { return []Node{j.Left, j.Right} }
func (j *LateralJoin) WithInputs(in []Node) Node {
	n := *j
	n.Left = in[0]
	if f, ok := in[1].(*FunctionScan); ok {
		n.Right = f
	}
	return &n
}
func (j *LateralJoin) Describe() string {
	kind := "Lateral Join"
	if j.Outer {
		kind = "Lateral Left Join"
	}
	if j.On != nil {
		return kind + " on " + j.On.String()
	}
	return kind
}

// Window computes window functions over its input; output is the input's
// columns then one column per function.
type Window struct {
	Input Node
	Funcs []WindowCall
}

// WindowCall is one window function with its window.
type WindowCall struct {
	Name        string
	Agg         *expr.AggOverload // for aggregates used as window functions
	Args        []expr.Expr
	ArgTypes    []types.T
	PartitionBy []expr.Expr
	OrderBy     []SortKey
	// Frame: RowsFrame selects ROWS mode; Start/End offsets (nil =
	// unbounded) relative to the current row. The default frame is RANGE
	// UNBOUNDED PRECEDING to CURRENT ROW (with peers) when there is an
	// ORDER BY, the whole partition otherwise.
	Frame *Frame
	Col   Column
}

// Frame is a window frame.
type Frame struct {
	Rows                     bool
	StartUnbounded           bool
	StartOffset              int64 // rows preceding (positive) or following (negative)
	EndUnbounded             bool
	EndOffset                int64
	StartCurrent, EndCurrent bool
}

func (w *Window) Columns() []Column {
	out := append([]Column(nil), w.Input.Columns()...)
	for _, f := range w.Funcs {
		out = append(out, f.Col)
	}
	return out
}
func (w *Window) Inputs() []Node { return []Node{w.Input} }
func (w *Window) WithInputs(in []Node) Node {
	n := *w
	n.Input = in[0]
	return &n
}
func (w *Window) Describe() string {
	parts := make([]string, len(w.Funcs))
	for i, f := range w.Funcs {
		parts[i] = f.Name + "(" + exprList(f.Args) + ")"
	}
	return "Window " + strings.Join(parts, ", ")
}

// TimeWindow assigns each input row to time windows: TUMBLE puts it in
// one window of Size, HOP in every window of Size that starts at a
// multiple of Slide and contains the row's time. Its output is the input's
// columns, then window_start and window_end (of the time column's type).
// Windows are aligned to 1970-01-01 00:00:00 UTC.
type TimeWindow struct {
	Input Node
	// Time is the row's event time (a timestamp or timestamptz column).
	Time  expr.Expr
	Size  int64 // microseconds
	Slide int64 // microseconds; equal to Size for TUMBLE
	// Gap, when positive, makes it SESSION: the rows of one PartitionBy
	// key whose times follow each other by less than Gap microseconds
	// share a window, from the first time to the last plus Gap. Size and
	// Slide are then zero.
	Gap         int64
	PartitionBy []expr.Expr
	Cols        []Column
}

func (w *TimeWindow) Columns() []Column { return w.Cols }
func (w *TimeWindow) Inputs() []Node    { return []Node{w.Input} }
func (w *TimeWindow) WithInputs(in []Node) Node {
	n := *w
	n.Input = in[0]
	return &n
}
func (w *TimeWindow) Describe() string {
	if w.Gap > 0 {
		return fmt.Sprintf("Session %s gap=%dus partition by %s", w.Time, w.Gap, exprList(w.PartitionBy))
	}
	if w.Size == w.Slide {
		return fmt.Sprintf("Tumble %s size=%dus", w.Time, w.Size)
	}
	return fmt.Sprintf("Hop %s size=%dus slide=%dus", w.Time, w.Size, w.Slide)
}
