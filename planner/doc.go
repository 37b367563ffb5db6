// Package planner turns logical plans into running operators.
//
//	logical.Node ──rules──▶ logical.Node ──lowering──▶ exec.Operator tree
//
// The rules are ordered data (see rules.go): each rewrites the logical plan
// without changing its meaning, e.g. turning EXISTS and IN subqueries into
// semi and anti joins. Lowering then makes the physical choices: the order
// of inner joins (greedy, by estimated size, preferring joins with equality
// keys), hash or nested-loop joins, index and primary-key range scans for
// pushed-down predicates, and the columns each scan reads. Subqueries that
// stay in expressions become subplans run by exec.SubplanRunner.
//
// planner knows logical plans, expressions, exec operators and storage's
// table layouts; it knows nothing of SQL text, sessions or the wire.
package planner
