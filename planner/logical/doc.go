// Package logical holds logical query plans: immutable trees of relational
// operators whose columns are named by expr.ColumnID.
//
// The binder (package sql) produces a logical plan from a parsed statement;
// the planner rewrites it (decorrelation, predicate pushdown, join
// ordering, index selection) and lowers it to exec operators. A node says
// what to compute, never how: physical choices (hash or nested-loop join,
// index scans) are the planner's, recorded only in the operators it builds.
//
// logical knows expressions and types; it knows nothing of SQL text,
// storage encodings or the wire.
package logical
