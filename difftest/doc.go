// Package difftest finds where portalsdb's answers differ from PostgreSQL's.
//
// It generates random schemas, data and statements in the style of SQLite's
// sqllogictest corpus and beyond, runs every statement on both servers, and
// compares what they answer:
//
//	Gen ──Case──▶ Runner ──statement──▶ portalsdb ─┐
//	                   └──statement──▶ PostgreSQL ─┴─▶ compare ──▶ Shrink ──▶ findings (.slt)
//
// Results are compared as multisets of text rows, or in order when the query
// has a total ORDER BY; column types are compared by OID; errors are compared
// by SQLSTATE class, so both servers refusing a statement for the same kind of
// reason is agreement, and an error on one side only is a difference.
//
// Statements are built as trees (ast.go), never as strings, so the shrinker
// can take a failing case apart: it drops clauses, replaces expressions by
// their operands or by literals, and drops statements, tables and rows, as
// long as the same kind of difference stays. A minimized case is written as a
// sqllogictest-rs record with PostgreSQL's answer as the expectation, ready
// to become a regression test under sqllogictest/testdata/regress.
//
// difftest sits outside the engine's layers: it talks to both servers over
// the wire (pgconn, simple protocol) and imports portalsdb only to start an
// in-process server in its tests and command.
package difftest
