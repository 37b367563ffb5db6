package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// connectTimeout bounds one connection attempt when the DSN sets none.
const connectTimeout = 10 * time.Second

// errConnect marks a failure to open a session, as opposed to losing one.
var errConnect = errors.New("cannot connect")

// session is one connection to the server under test. Every record is sent
// as a single simple-protocol Query message: one round trip, no prepared
// statements, text results.
type session struct {
	config *pgconn.Config
	conn   *pgconn.PgConn
}

// connectConfig prepares a pgconn config for sessions: a timeout that cancels
// the statement on the server first, and closes the socket only if the server
// does not answer the cancel.
func connectConfig(config *pgconn.Config) *pgconn.Config {
	c := config.Copy()
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = connectTimeout
	}
	c.BuildContextWatcherHandler = func(conn *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: conn, DeadlineDelay: 3 * time.Second}
	}
	return c
}

func (s *session) connected() bool { return s.conn != nil && !s.conn.IsClosed() }

// connect opens the connection if it is not open.
func (s *session) connect(ctx context.Context) error {
	if s.connected() {
		return nil
	}
	s.close()
	cctx, cancel := context.WithTimeout(ctx, s.config.ConnectTimeout)
	defer cancel()
	conn, err := pgconn.ConnectConfig(cctx, s.config)
	if err != nil {
		return err
	}
	s.conn = conn
	return nil
}

func (s *session) close() {
	if s.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.conn.Close(ctx)
	s.conn = nil
}

// execResult is what one record's SQL produced.
type execResult struct {
	// rows is the last row-returning result; rows.described is false when
	// no result had a row description.
	rows resultSet
	// tag is the command tag of the last command.
	tag pgconn.CommandTag
	// serverErr is set when the server answered with an ERROR.
	serverErr *pgconn.PgError
	// failure is set when there is no answer to judge: the connection was
	// lost, a FATAL error ended the session, or the record timed out. It is
	// never an expected error.
	failure error
}

// exec runs sql and reads every result.
func (s *session) exec(ctx context.Context, sql string) execResult {
	var res execResult
	if err := s.connect(ctx); err != nil {
		res.failure = fmt.Errorf("%w: %v", errConnect, err)
		return res
	}
	mrr := s.conn.Exec(ctx, sql)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		if fds := rr.FieldDescriptions(); fds != nil {
			res.rows.described = true
			res.rows.oids = res.rows.oids[:0]
			for _, fd := range fds {
				res.rows.oids = append(res.rows.oids, fd.DataTypeOID)
			}
			res.rows.cells = res.rows.cells[:0]
			for rr.NextRow() {
				for _, v := range rr.Values() {
					res.rows.cells = append(res.rows.cells, cell{text: string(v), null: v == nil})
				}
			}
		}
		tag, err := rr.Close()
		if err == nil {
			res.tag = tag
		}
	}
	err := mrr.Close()
	if ctxErr := ctx.Err(); ctxErr != nil {
		// A timeout is a failure even if the server turned the cancel into
		// an error: the statement did not fail on its own.
		res.failure = fmt.Errorf("timed out: %w", ctxErr)
		if !s.connected() {
			s.close()
		}
		return res
	}
	if err == nil {
		return res
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !strings.EqualFold(pgErr.Severity, "FATAL") && !strings.EqualFold(pgErr.Severity, "PANIC") && s.connected() {
		res.serverErr = pgErr
		return res
	}
	res.failure = fmt.Errorf("connection lost: %w", err)
	s.close()
	return res
}

// errorText formats a server error the way sqllogictest-rs's PostgreSQL
// engine does, so that its files' regexes and multi-line messages match:
// "db error: ERROR: message", then DETAIL and HINT lines.
func errorText(e *pgconn.PgError) string {
	var b strings.Builder
	b.WriteString("db error: ")
	b.WriteString(e.Severity)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Detail != "" {
		b.WriteString("\nDETAIL: ")
		b.WriteString(e.Detail)
	}
	if e.Hint != "" {
		b.WriteString("\nHINT: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// matches says whether a server error satisfies the expectation.
func (e *ErrorExpect) matches(pgErr *pgconn.PgError) bool {
	if e.Code != "" && !strings.EqualFold(e.Code, pgErr.Code) {
		return false
	}
	text := errorText(pgErr)
	if e.Regex != nil && !e.Regex.MatchString(text) {
		return false
	}
	if e.Exact && strings.TrimSpace(e.Message) != strings.TrimSpace(text) {
		return false
	}
	return true
}
