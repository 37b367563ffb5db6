// Package sql is the SQL engine that pgwire talks to: sessions, their
// settings and transactions, statement dispatch, DDL on the catalog, COPY,
// EXPLAIN, and the execution of queries through the binder, the planner and
// exec.
//
//	pgwire ──Session──▶ sql ──▶ binder ──▶ planner ──▶ exec ──▶ storage
//
// Sub-packages hold the parts: parser (SQL text to statements), binder
// (statements to logical plans), catalog (descriptors). sql knows nothing
// of the wire protocol's messages; pgwire knows nothing of plans.
package sql
