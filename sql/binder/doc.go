// Package binder turns PostgreSQL parse trees of queries and DML into
// logical plans: it resolves names against the catalog, types every
// expression, resolves operator and function overloads as PostgreSQL does,
// infers the types of $n parameters, and checks the rules of grouping.
//
//	pg_query AST ──binder──▶ logical.Node (columns by expr.ColumnID)
//
// Names are matched once, here; everything downstream refers to columns by
// id. The binder reaches the catalog through the small Catalog interface
// defined here, so it can be tested without storage.
package binder
