// Package sqllogictest runs sqllogictest scripts against any server that
// speaks the PostgreSQL wire protocol, portalsdb or a real PostgreSQL.
//
// It owns the parser for both script dialects, the runner (sessions over
// pgx's pgconn, value rendering, sorting, MD5 hashing, label checks,
// timeouts, reconnects), the divergence lists of records that real
// PostgreSQL fails too, and the `portalsdb slt` command line (Main). It
// knows nothing of portalsdb's insides: it imports no other package of
// portalsdb and reaches the server only through the wire, so the same run
// can be pointed at PostgreSQL to tell portalsdb's bugs from dialect
// differences.
//
// # Dialects
//
// SQLite's format (the corpus in ../shared/sqllogictest/sqlite) prints one
// value per result line, rendered by the column letter of the query header:
// I as an integer (%d), R with %.3f, T as text with "(empty)" for the empty string. NULL is
// "NULL" and control characters are '@'. The text PostgreSQL sends is
// converted to the type the header asks for, as the official runner does
// through ODBC: numeric 2.5 in an I column is 2, float8 -0 is 0, booleans
// are 1 and 0. Results above the hash threshold (8 unless a file says
// otherwise) and all labeled results are compared as "N values hashing to
// <md5>", the MD5 of every sorted value followed by a newline; queries that
// share a label must hash alike. skipif/onlyif compare with the engine name
// (postgresql) case-insensitively, and '#' lines are comments anywhere.
//
// The sqllogictest-rs dialect (RisingWave, DataFusion, Databend) prints one
// row per line, values as the server sends them, separated by single spaces
// after white space is normalized on both sides. It adds `statement error
// <regex>`, `query error <regex>`, expected errors under `----` (ending at
// two blank lines, or at one blank line followed by a new record),
// `statement count N`, `include <glob>`, `sleep`, `retry N backoff <dur>`,
// `control sortmode|resultmode|substitution`, `connection NAME` (a named
// session, opened lazily), labels for onlyif/skipif, and `system ok`, which
// this runner counts as skipped. Its hash threshold defaults to 0 (never).
// Error texts are matched as "db error: ERROR: <message>" plus DETAIL and
// HINT lines, the text sqllogictest-rs's PostgreSQL engine produces.
// portalsdb adds `statement error pgcode 42P01` and `query error pgcode
// XXXXX [regex]`, which match the SQLSTATE exactly.
//
// The dialect is decided per file (DetectDialect): rs-only constructs make a
// file rs; otherwise the layout of multi-column results votes (k values on
// one line is rs, one value per line is SQLite); with no evidence, *.test
// files are SQLite's and all others rs.
//
// # Counting
//
// Each statement and query counts once, as passed, failed, skipped (by
// skipif/onlyif, after halt, or unsupported) or, when it is on the
// divergence list, as a divergence whatever its outcome. A run ends with the
// lines "N passed, N failed, N skipped" and "N divergences (listed)". An
// expected error passes only when the server answered with an ERROR: a lost
// connection or a timeout is a failure, and the session is reopened for the
// next record. Every record is one simple-protocol Query message, one round
// trip.
//
// # Isolation
//
// Each file must start on an empty database. A PrepareFunc arranges it:
// FreshDatabases creates and drops a database per file, TableDropper drops
// every table between files, and Main's --reset server starts a fresh
// portalsdb per file.
package sqllogictest
