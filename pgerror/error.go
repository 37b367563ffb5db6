package pgerror

import (
	"errors"
	"fmt"
)

// Severity is the severity field of an ErrorResponse or NoticeResponse.
type Severity string

// Severities used by portalsdb.
const (
	SeverityError   Severity = "ERROR"
	SeverityFatal   Severity = "FATAL"
	SeverityNotice  Severity = "NOTICE"
	SeverityWarning Severity = "WARNING"
	SeverityInfo    Severity = "INFO"
)

// Error is an error with a SQLSTATE. Its fields map one to one onto the
// fields of a PostgreSQL ErrorResponse.
type Error struct {
	Code     Code
	Severity Severity // empty means ERROR
	Message  string
	Detail   string
	Hint     string
	// Position is the 1-based character offset of the error in the query
	// text, 0 when unknown.
	Position int
	// Table, Column and Constraint name the objects of integrity errors.
	Table      string
	Column     string
	Constraint string
	// cause is a wrapped error, kept for errors.Is/As.
	cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the wrapped cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the given code and message.
func New(code Code, msg string) *Error {
	return &Error{Code: code, Message: msg}
}

// Newf returns an error with the given code and a formatted message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrapf gives err a code and a message prefix. If err already carries a code,
// that code is kept only when code is empty.
func Wrapf(err error, code Code, format string, args ...any) *Error {
	e := &Error{Code: code, Message: fmt.Sprintf(format, args...) + ": " + err.Error(), cause: err}
	if code == "" {
		e.Code = CodeOf(err)
	}
	return e
}

// Internalf returns an internal error (XX000): a bug, not a user mistake.
func Internalf(format string, args ...any) *Error {
	return &Error{Code: Internal, Message: fmt.Sprintf(format, args...)}
}

// Unsupportedf returns a feature-not-supported error (0A000).
func Unsupportedf(format string, args ...any) *Error {
	return &Error{Code: FeatureNotSupported, Message: fmt.Sprintf(format, args...)}
}

// WithDetail returns a copy of e with the detail set.
func (e *Error) WithDetail(detail string) *Error {
	c := *e
	c.Detail = detail
	return &c
}

// WithHint returns a copy of e with the hint set.
func (e *Error) WithHint(hint string) *Error {
	c := *e
	c.Hint = hint
	return &c
}

// WithCode returns a copy of e with another SQLSTATE.
func (e *Error) WithCode(code Code) *Error {
	c := *e
	c.Code = code
	return &c
}

// WithPosition returns a copy of e with the 1-based cursor position set.
func (e *Error) WithPosition(pos int) *Error {
	c := *e
	c.Position = pos
	return &c
}

// CodeOf returns the SQLSTATE of err, walking the wrap chain. An error
// without a code is XX000, and nil is 00000.
func CodeOf(err error) Code {
	if err == nil {
		return SuccessfulCompletion
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Flatten returns err as an *Error, giving XX000 to errors that carry no
// code. The message of a wrapped coded error keeps its wrapping context.
func Flatten(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e == err {
			return e
		}
		c := *e
		c.Message = err.Error()
		return &c
	}
	return &Error{Code: Internal, Message: err.Error(), cause: err}
}
