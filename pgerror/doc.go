// Package pgerror is the shared vocabulary of errors: an error value that
// carries a PostgreSQL SQLSTATE code, and optional detail, hint and cursor
// position.
//
// Errors get their code where they are made:
//
//	return pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", name)
//
// Code walks the wrap chain, so layers above may wrap with fmt.Errorf("...: %w")
// without losing the code. An error that carries no code is an internal error
// (XX000). Only pgwire turns an error into a protocol ErrorResponse.
//
// This package is a leaf: it imports nothing of portalsdb's.
package pgerror
