package pgwire

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
)

// sendError reports err to the client as an ErrorResponse. posBase is the
// number of characters of the client's query string before the text the
// error's position counts from (a statement's offset in a multi-statement
// string), so that the position points into what the client sent.
func (c *conn) sendError(err error, posBase int) {
	e := pgerror.Flatten(err)
	if e.Code == pgerror.Internal && errors.Is(err, context.Canceled) {
		// The session gave back the context's own error: say why it was
		// canceled, as the session should have.
		e = pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
	}
	if c.terminating.Load() && e.Code == pgerror.QueryCanceled {
		// The query was canceled by a forced shutdown; the FATAL that
		// follows says so.
		return
	}
	c.sendErrorResponse(e, posBase)
}

func (c *conn) sendErrorResponse(e *pgerror.Error, posBase int) {
	c.log.Warn("pgwire: error", "pid", c.pid, "severity", severityOf(e, pgerror.SeverityError),
		"code", string(e.Code), "message", e.Message)
	c.send(c.errorFields(e, posBase, pgerror.SeverityError))
}

func severityOf(e *pgerror.Error, def pgerror.Severity) string {
	if e.Severity != "" {
		return string(e.Severity)
	}
	return string(def)
}

// errorFields maps an error onto the fields of an ErrorResponse (or, with a
// notice severity, a NoticeResponse).
func (c *conn) errorFields(e *pgerror.Error, posBase int, def pgerror.Severity) *pgproto3.ErrorResponse {
	sev := severityOf(e, def)
	code := e.Code
	if code == "" {
		code = pgerror.Internal
		if def == pgerror.SeverityNotice {
			code = pgerror.SuccessfulCompletion
		}
	}
	r := &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                string(code),
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		TableName:           e.Table,
		ColumnName:          e.Column,
		ConstraintName:      e.Constraint,
	}
	if e.Position > 0 {
		r.Position = int32(e.Position + posBase)
	}
	return r
}

// charOffset converts a byte offset in s into the number of characters
// before it, the unit of ErrorResponse positions.
func charOffset(s string, byteOffset int) int {
	if byteOffset <= 0 {
		return 0
	}
	if byteOffset > len(s) {
		byteOffset = len(s)
	}
	return utf8.RuneCountInString(s[:byteOffset])
}
