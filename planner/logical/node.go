package logical

import (
	"fmt"
	"strings"

	"portalsdb/exec/expr"
	"portalsdb/types"
)

// Column is one output column of a node.
type Column struct {
	ID   expr.ColumnID
	Name string
	Type types.T
	// TableOID and AttrNum identify a plain table column, for the wire
	// protocol's RowDescription; zero otherwise.
	TableOID uint32
	AttrNum  int16
}

// Node is a logical plan node.
type Node interface {
	// Columns returns the node's output columns, in order.
	Columns() []Column
	// Inputs returns the child nodes.
	Inputs() []Node
	// WithInputs returns a copy with the children replaced.
	WithInputs(in []Node) Node
	// Describe returns a one-line description for EXPLAIN.
	Describe() string
}

// IDs returns the column ids of cols.
func IDs(cols []Column) []expr.ColumnID {
	out := make([]expr.ColumnID, len(cols))
	for i, c := range cols {
		out[i] = c.ID
	}
	return out
}

// Types returns the types of cols.
func Types(cols []Column) []types.T {
	out := make([]types.T, len(cols))
	for i, c := range cols {
		out[i] = c.Type
	}
	return out
}

// PlanExpr adapts a Node so that it can sit in an expr.Subquery.
type PlanExpr struct{ Node Node }

// OutputIDs implements expr.Plan.
func (p PlanExpr) OutputIDs() []expr.ColumnID { return IDs(p.Node.Columns()) }

// Format renders a plan as an indented tree.
func Format(n Node) string {
	var b strings.Builder
	format(&b, n, 0)
	return b.String()
}

func format(b *strings.Builder, n Node, depth int) {
	fmt.Fprintf(b, "%s%s\n", strings.Repeat("  ", depth), n.Describe())
	for _, in := range n.Inputs() {
		format(b, in, depth+1)
	}
}

func exprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
