// Package expr owns scalar expressions: their trees, the catalog of
// functions, operators and casts with their overloads, and the vectorized
// evaluation of a tree over a batch of Arrow columns.
//
// The binder (package sql) builds trees, resolving each operator or function
// call to one Overload; the planner rewrites them; operators in exec compile
// them into evaluators bound to their input's column layout. A tree refers to
// columns by ColumnID, never by name or position, so that rewrites can move
// expressions between plan nodes freely.
//
//	sql (binder) ──builds──▶ Expr ──rewritten by──▶ planner ──compiled by──▶ exec operators
//
// A kernel is a typed Go loop over Arrow buffers. Functions that are not on a
// hot path may be written row at a time (RowKernel); the package lifts them to
// batches. Functions that read the catalog (pg_get_indexdef, format_type,
// the reg* casts) are declared here and evaluated by the SQL layer through
// CatalogFunctions on Ctx.Catalog (catalogfuncs.go).
//
// expr knows nothing of plans, storage or the wire protocol; a
// subquery inside an expression is an opaque Plan that the planner must
// replace before evaluation.
package expr
