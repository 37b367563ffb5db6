package logical

import (
	"portalsdb/exec/expr"
)

// Insert writes its input's rows into a table. The input has one column
// per table column, in table order, already of the columns' types;
// defaults and constraints are the executor's to apply.
type Insert struct {
	Table *TableRef
	Input Node
	// Checks are the table's CHECK constraints over the inserted row,
	// bound against InputCols.
	Checks []Check
	// OnConflict, when set, handles unique violations.
	OnConflict *OnConflict
	// Returning computes the RETURNING list over the inserted row (its
	// columns are InputCols).
	Returning     []expr.Expr
	ReturningCols []Column
}

// Check is a CHECK constraint bound to a row.
type Check struct {
	Name string
	Expr expr.Expr
	// ViewOption marks a view's WITH CHECK OPTION (Name is the view): a
	// row fails it unless Expr is true, NULL included.
	ViewOption bool
}

// OnConflict is ON CONFLICT DO NOTHING / DO UPDATE.
type OnConflict struct {
	// Index names the arbiter: -1 for the primary key, else the index
	// ordinal; -2 for any unique constraint (DO NOTHING without target).
	Index     int
	DoNothing bool
	// Set assigns new values: per table column ordinal, an expression over
	// the existing row (ExistingCols) and the proposed row (ExcludedCols).
	Set          map[int]expr.Expr
	Where        expr.Expr
	ExistingCols []Column
	ExcludedCols []Column
}

func (n *Insert) Columns() []Column { return n.ReturningCols }
func (n *Insert) Inputs() []Node    { return []Node{n.Input} }
func (n *Insert) WithInputs(in []Node) Node {
	c := *n
	c.Input = in[0]
	return &c
}
func (n *Insert) Describe() string { return "Insert into " + n.Table.Name }

// Update rewrites rows. The input carries, per row, the old table row
// (OldCols, in table order), its storage key (RowKeyCol), and the new
// values of the assigned columns (Sets: table ordinal -> expression over
// the input).
type Update struct {
	Table         *TableRef
	Input         Node
	OldCols       []Column
	RowKeyCol     Column
	Sets          map[int]expr.Expr
	Checks        []Check // bound to NewCols
	NewCols       []Column
	Returning     []expr.Expr // over NewCols
	ReturningCols []Column
}

func (n *Update) Columns() []Column { return n.ReturningCols }
func (n *Update) Inputs() []Node    { return []Node{n.Input} }
func (n *Update) WithInputs(in []Node) Node {
	c := *n
	c.Input = in[0]
	return &c
}
func (n *Update) Describe() string { return "Update " + n.Table.Name }

// Delete removes the input's rows (OldCols and RowKeyCol as for Update).
type Delete struct {
	Table         *TableRef
	Input         Node
	OldCols       []Column
	RowKeyCol     Column
	Returning     []expr.Expr // over OldCols
	ReturningCols []Column
}

func (n *Delete) Columns() []Column { return n.ReturningCols }
func (n *Delete) Inputs() []Node    { return []Node{n.Input} }
func (n *Delete) WithInputs(in []Node) Node {
	c := *n
	c.Input = in[0]
	return &c
}
func (n *Delete) Describe() string { return "Delete from " + n.Table.Name }
