package pgwire

import (
	"context"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Engine is what pgwire needs of the SQL layer: sessions, and the roles
// that may log in. The sql package implements it.
type Engine interface {
	// NewSession starts a session for an authenticated user. params are the
	// startup parameters the client sent (database, application_name,
	// options, ...). The Notifier receives notices and parameter changes
	// for as long as the session lives.
	NewSession(ctx context.Context, user string, params map[string]string, n Notifier) (Session, error)
	// Role returns what authentication needs to know of a role: whether it
	// exists and may log in, and its SCRAM-SHA-256 secret in PostgreSQL's
	// format ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>",
	// empty when the role has no password).
	Role(user string) (r RoleInfo, ok bool)
}

// RoleInfo is a login role as authentication sees it.
type RoleInfo struct {
	CanLogin    bool
	SCRAMSecret string
	// Superuser is reported to the client as the is_superuser parameter;
	// psql shows it in its prompt ('#' rather than '>').
	Superuser bool
}

// Notifier receives what a session reports outside of results.
type Notifier interface {
	// Notice sends a NoticeResponse.
	Notice(n *pgerror.Error)
	// ParameterStatus sends a ParameterStatus, after SET of a reported
	// parameter such as TimeZone.
	ParameterStatus(name, value string)
}

// Session is one client's state in the SQL layer: its transaction, its
// settings and its prepared statements' plans. pgwire calls a Session from
// one goroutine at a time; ctx is canceled when the client sends a
// CancelRequest, and Execute then returns an error with SQLSTATE 57014.
type Session interface {
	// Split parses a simple-query string and returns its statements in
	// order. A syntax error anywhere fails the whole string, before any
	// statement runs, as in PostgreSQL.
	Split(ctx context.Context, query string) ([]RawStatement, error)
	// Prepare analyzes one statement. paramTypes are the types the client
	// declared (0 = let the server infer), and may be shorter than the
	// number of parameters.
	Prepare(ctx context.Context, stmt RawStatement, paramTypes []uint32) (Prepared, error)
	// Execute runs a prepared statement with bound parameters. For COPY
	// FROM STDIN, opts.CopyIn supplies the data stream. ctx lasts as long
	// as the Result may be read, across the Execute messages of a portal
	// suspended at a row limit; a CancelRequest while the statement runs,
	// the client going away, and the portal's end cancel it.
	Execute(ctx context.Context, p Prepared, params []types.Datum, opts ExecOptions) (Result, error)
	// TxnStatus returns the ReadyForQuery status: 'I' idle, 'T' in a
	// transaction block, 'E' in a failed transaction block.
	TxnStatus() byte
	// Close ends the session, rolling back any open transaction.
	Close() error
}

// RawStatement is one statement of a query string.
type RawStatement interface {
	// SQL returns the statement's text.
	SQL() string
	// Offset returns the statement's byte offset in the query string it
	// came from, so that error positions point into the client's text.
	Offset() int
}

// Column describes one result column (a RowDescription field).
type Column struct {
	Name     string
	Type     types.T
	TableOID uint32 // 0 when not a plain table column
	AttrNum  int16  // 0 when not a plain table column
}

// Prepared is an analyzed statement, ready to execute many times.
type Prepared interface {
	// ParamTypes returns the type of each $n parameter.
	ParamTypes() []types.T
	// Columns returns the result columns, or nil when the statement returns
	// no rows (an INSERT without RETURNING, DDL, ...).
	Columns() []Column
	// Copy reports whether the statement is COPY FROM STDIN or COPY TO
	// STDOUT, with the shape of the copy.
	Copy() (CopySpec, bool)
}

// CopySpec describes a COPY statement's exchange with the client.
type CopySpec struct {
	In      bool // FROM STDIN; otherwise TO STDOUT
	Binary  bool // FORMAT binary; otherwise text or csv
	Columns int  // number of columns copied
}

// ExecOptions carries what Execute needs beyond the parameters.
type ExecOptions struct {
	// CopyIn is the data of COPY FROM STDIN: the concatenated CopyData
	// payloads. It returns io.EOF after CopyDone, and an error after
	// CopyFail. It reads the client's connection, so it must not be used
	// after Execute returns, nor from two goroutines at once. Data the
	// statement leaves unread is discarded up to CopyDone.
	CopyIn io.Reader
	// CopyOut receives COPY TO STDOUT data, one call per CopyData message.
	CopyOut func(data []byte) error
}

// Result is the outcome of Execute: rows, if the statement returns any, and
// the command tag.
type Result interface {
	// Next returns the next batch of rows. Its columns are in the order and
	// of the types of Prepared.Columns. It returns (nil, io.EOF) after the
	// last batch. The batch is valid until the next call of Next or Close.
	Next(ctx context.Context) (arrow.RecordBatch, error)
	// Tag returns the CommandComplete tag ("SELECT 3", "INSERT 0 1", ...).
	// It is valid after Next has returned io.EOF, or at once for statements
	// without rows.
	Tag() string
	// Close releases the result; an unfinished result is abandoned.
	Close() error
}

// SessionTimeZone is implemented by sessions that have a TimeZone setting.
// pgwire asks it before each statement, to write timestamptz values in the
// session's zone (text format) and to read timestamptz parameters sent as
// text. Sessions that do not implement it are in UTC.
type SessionTimeZone interface {
	TimeZone() *time.Location
}

// StreamingResult is implemented by results whose Next may wait for new
// data (SUBSCRIBE): pgwire writes out the rows it has before each such
// wait, so the client sees them at once instead of when a buffer fills.
type StreamingResult interface {
	Streaming() bool
}
