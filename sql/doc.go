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
//
// sql also presents the catalog as PostgreSQL does: pg_catalog and
// information_schema are computed from the statement's catalog snapshot
// when a query reads them (system.go, pgcatalog*.go, infoschema.go), and
// the statement's catalog view evaluates the catalog functions exec/expr
// declares (catalogfuncs.go), printing stored expressions as PostgreSQL's
// ruleutils would (pgcatalog_deparse.go). portalsdb's own objects appear
// there as their nearest PostgreSQL kin (pgcatalog_portals.go), and the
// portals_catalog views show their live state (portalscatalog.go).
package sql
