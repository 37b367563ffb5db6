// Package parser turns SQL text into statements: PostgreSQL's own grammar
// (pg_query_go) for the PostgreSQL dialect, and a small recognizer over
// PostgreSQL's token stream for portalsdb's own statements (CREATE STREAM,
// CREATE WORKFLOW, CREATE PORTAL, SUBSCRIBE, ...), whose embedded queries
// go back through the same grammar.
//
// pg_query_go's types do not leave package sql: the binder reads them, and
// nothing below sql sees them.
package parser
