package difftest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// Server is one side of the comparison: a connection that is reopened when
// it is lost, and the setup it currently holds.
type Server struct {
	Name   string
	config *pgconn.Config
	conn   *pgconn.PgConn
	loaded *Setup // what the database holds now; nil when unknown
	loadFP string
}

// NewServer parses a DSN. Statements time out by context: the server is
// asked to cancel first, and the socket is closed only if it does not.
func NewServer(name, dsn string) (*Server, error) {
	c, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	c.BuildContextWatcherHandler = func(conn *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: conn, DeadlineDelay: 5 * time.Second}
	}
	return &Server{Name: name, config: c}, nil
}

// Close closes the connection.
func (s *Server) Close() {
	if s.conn != nil {
		s.conn.Close(context.Background())
		s.conn = nil
	}
}

func (s *Server) connect(ctx context.Context) error {
	if s.conn != nil && !s.conn.IsClosed() {
		return nil
	}
	s.loaded, s.loadFP = nil, ""
	conn, err := pgconn.ConnectConfig(ctx, s.config)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	s.conn = conn
	return nil
}

// Result is what a server answered to one statement.
type Result struct {
	Code    string // SQLSTATE of an error; "" when the statement succeeded
	Message string
	Cols    []string
	OIDs    []uint32
	Rows    [][]*string
	Tag     string
	Elapsed time.Duration
	// Timeout is set when the statement was cancelled for taking too long.
	Timeout bool
}

// Failed says whether the statement failed, by error or timeout.
func (r *Result) Failed() bool { return r.Code != "" || r.Timeout }

// errorsTimeout is the pseudo-SQLSTATE of a statement cancelled by the
// tester's own deadline.
const errorsTimeout = "timeout"

// Exec runs one statement with a deadline. Errors of the connection itself
// are returned as errors; errors of the statement are in the Result.
func (s *Server) Exec(ctx context.Context, sql string, timeout time.Duration) (*Result, error) {
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	results, err := s.conn.Exec(qctx, sql).ReadAll()
	res := &Result{Elapsed: time.Since(start)}
	if err != nil {
		var pgErr *pgconn.PgError
		switch {
		case errors.As(err, &pgErr):
			res.Code, res.Message = pgErr.Code, pgErr.Message
		case qctx.Err() != nil && ctx.Err() == nil:
			res.Timeout, res.Code, res.Message = true, errorsTimeout, "statement timed out"
			if s.conn.IsClosed() {
				s.conn = nil
				s.loaded, s.loadFP = nil, ""
			}
		default:
			s.Close()
			s.loaded, s.loadFP = nil, ""
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		return res, nil
	}
	if len(results) == 0 {
		return res, nil
	}
	last := results[len(results)-1]
	res.Tag = last.CommandTag.String()
	for _, f := range last.FieldDescriptions {
		res.Cols = append(res.Cols, f.Name)
		res.OIDs = append(res.OIDs, f.DataTypeOID)
	}
	for _, row := range last.Rows {
		r := make([]*string, len(row))
		for i, v := range row {
			if v != nil {
				s := string(v)
				r[i] = &s
			}
		}
		res.Rows = append(res.Rows, r)
	}
	return res, nil
}

// inTransaction says whether the session is inside a transaction block.
func (s *Server) inTransaction() bool {
	return s.conn != nil && !s.conn.IsClosed() && s.conn.TxStatus() != 'I'
}

// Kind classifies a difference.
type Kind string

const (
	KindError   Kind = "error"   // one side failed, the other answered
	KindErrCode Kind = "errcode" // both failed, with different SQLSTATE classes
	KindColumns Kind = "columns" // different numbers of columns
	KindTypes   Kind = "types"   // different column types
	KindRows    Kind = "rows"    // different rows
	KindOrder   Kind = "order"   // the same rows in a different order under a total ORDER BY
	KindCount   Kind = "count"   // different command tags (rows affected)
	KindSetup   Kind = "setup"   // the schema or data could not be loaded alike
	KindSlow    Kind = "slow"    // portalsdb timed out or was far slower
)

// Diff is a difference between the two servers' answers to a statement.
type Diff struct {
	Kind   Kind
	Detail string
	// Side is the server that failed, for KindError.
	Side string
	// Want is PostgreSQL's answer, Got portalsdb's.
	Want, Got *Result
}

func (d *Diff) String() string {
	if d.Side != "" {
		return fmt.Sprintf("%s (%s): %s", d.Kind, d.Side, d.Detail)
	}
	return fmt.Sprintf("%s: %s", d.Kind, d.Detail)
}

// same says whether another difference is of the same sort, which is what
// the shrinker keeps while it simplifies a case.
func (d *Diff) same(o *Diff) bool {
	if o == nil || o.Kind != d.Kind || o.Side != d.Side {
		return false
	}
	if d.Kind == KindError || d.Kind == KindErrCode {
		return errClass(d.failing().Code) == errClass(o.failing().Code)
	}
	return true
}

func (d *Diff) failing() *Result {
	if d.Got.Failed() {
		return d.Got
	}
	return d.Want
}

func errClass(code string) string {
	if len(code) == 5 {
		return code[:2]
	}
	return code
}

// Compare compares PostgreSQL's answer (want) with portalsdb's (got).
// ordered compares rows in order; checkTypes compares column type OIDs.
func Compare(want, got *Result, ordered, checkTypes bool) *Diff {
	d := &Diff{Want: want, Got: got}
	switch {
	case got.Timeout && !want.Failed():
		d.Kind, d.Detail = KindSlow, fmt.Sprintf("portalsdb timed out; PostgreSQL answered in %v", want.Elapsed)
		return d
	case want.Failed() && got.Failed():
		if errClass(want.Code) == errClass(got.Code) {
			return nil
		}
		d.Kind, d.Detail = KindErrCode, fmt.Sprintf("PostgreSQL %s (%s), portalsdb %s (%s)", want.Code, want.Message, got.Code, got.Message)
		return d
	case want.Failed():
		d.Kind, d.Side, d.Detail = KindError, "postgres", fmt.Sprintf("PostgreSQL %s (%s), portalsdb answered %d rows", want.Code, want.Message, len(got.Rows))
		return d
	case got.Failed():
		d.Kind, d.Side, d.Detail = KindError, "portalsdb", fmt.Sprintf("portalsdb %s (%s)", got.Code, got.Message)
		return d
	}
	if len(want.Cols) != len(got.Cols) {
		d.Kind, d.Detail = KindColumns, fmt.Sprintf("PostgreSQL %d columns, portalsdb %d", len(want.Cols), len(got.Cols))
		return d
	}
	if len(want.Cols) == 0 && commandCount(want.Tag) != commandCount(got.Tag) {
		d.Kind, d.Detail = KindCount, fmt.Sprintf("PostgreSQL %q, portalsdb %q", want.Tag, got.Tag)
		return d
	}
	wantRows, gotRows := encodeRows(want.Rows), encodeRows(got.Rows)
	if ordered && !slices.Equal(wantRows, gotRows) {
		slices.Sort(wantRows)
		slices.Sort(gotRows)
		if slices.Equal(wantRows, gotRows) {
			d.Kind, d.Detail = KindOrder, "same rows, different order"
			return d
		}
	}
	slices.Sort(wantRows)
	slices.Sort(gotRows)
	if !slices.Equal(wantRows, gotRows) {
		d.Kind, d.Detail = KindRows, rowsDetail(wantRows, gotRows)
		return d
	}
	if checkTypes && !slices.Equal(want.OIDs, got.OIDs) {
		d.Kind, d.Detail = KindTypes, fmt.Sprintf("PostgreSQL %s, portalsdb %s", typeNames(want.OIDs), typeNames(got.OIDs))
		return d
	}
	return nil
}

// commandCount is the row count of a command tag ("UPDATE 3" is 3; "INSERT
// 0 3" is 3), or the tag itself when it has none.
func commandCount(tag string) string {
	if i := strings.LastIndexByte(tag, ' '); i >= 0 {
		return tag[:strings.IndexByte(tag, ' ')] + tag[i:]
	}
	return tag
}

// encodeRows renders each row as one string that tells NULL from any text
// and keeps values apart whatever they hold.
func encodeRows(rows [][]*string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			if v == nil {
				parts[j] = "\x00"
			} else {
				parts[j] = *v
			}
		}
		out[i] = strings.Join(parts, "\x1f")
	}
	return out
}

// displayRow makes an encoded row readable: NULL, and " | " between values.
func displayRow(r string) string {
	parts := strings.Split(r, "\x1f")
	for i, p := range parts {
		if p == "\x00" {
			parts[i] = "NULL"
		}
	}
	return strings.Join(parts, " | ")
}

// rowsDetail summarizes two sorted row lists: counts, and the first rows
// present on one side only.
func rowsDetail(want, got []string) string {
	onlyWant, onlyGot := multisetMinus(want, got), multisetMinus(got, want)
	clip := func(s []string) string {
		shown := make([]string, len(s))
		for i, r := range s {
			shown[i] = displayRow(r)
		}
		s = shown
		if len(s) > 3 {
			return strings.Join(s[:3], "; ") + fmt.Sprintf("; ... (%d more)", len(s)-3)
		}
		return strings.Join(s, "; ")
	}
	return fmt.Sprintf("PostgreSQL %d rows, portalsdb %d; only PostgreSQL: [%s]; only portalsdb: [%s]",
		len(want), len(got), clip(onlyWant), clip(onlyGot))
}

// multisetMinus returns the elements of sorted a not matched in sorted b.
func multisetMinus(a, b []string) []string {
	var out []string
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			j++
			continue
		}
		out = append(out, x)
	}
	return out
}

var oidNames = map[uint32]string{16: "bool", 20: "int8", 21: "int2", 23: "int4", 25: "text", 700: "float4", 701: "float8",
	1043: "varchar", 1700: "numeric", 705: "unknown", 18: "char", 1042: "bpchar"}

func typeNames(oids []uint32) string {
	parts := make([]string, len(oids))
	for i, o := range oids {
		if n, ok := oidNames[o]; ok {
			parts[i] = n
		} else {
			parts[i] = fmt.Sprint(o)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Runner runs cases on PostgreSQL and portalsdb and compares the answers.
type Runner struct {
	PG, PDB *Server
	// Timeout bounds each statement on each server.
	Timeout time.Duration
	// CheckTypes compares result column types.
	CheckTypes bool
	// SlowFactor and SlowMin report a statement as slow when portalsdb
	// takes more than SlowFactor times PostgreSQL's time and more than
	// SlowMin; zero SlowFactor disables the check.
	SlowFactor float64
	SlowMin    time.Duration

	// Statements counts statements compared.
	Statements int
}

// Outcome is the first difference of a case: the statement, and what
// differed.
type Outcome struct {
	Stmt int
	Diff *Diff
}

// errGenerator marks a case PostgreSQL could not even set up: a bug of the
// generator, not of portalsdb.
var errGenerator = errors.New("generated setup fails on PostgreSQL")

// Run runs a case and returns its first difference, or nil.
func (r *Runner) Run(ctx context.Context, c *Case) (*Outcome, error) {
	if d, err := r.load(ctx, c.Setup); err != nil || d != nil {
		if d != nil {
			return &Outcome{Stmt: -1, Diff: d}, nil
		}
		return nil, err
	}
	defer r.endCase(ctx, c)
	for i, st := range c.Stmts {
		d, err := r.compareStmt(ctx, st.SQL(), st.Ordered)
		if err != nil {
			return nil, err
		}
		if d != nil {
			return &Outcome{Stmt: i, Diff: d}, nil
		}
	}
	return nil, nil
}

// compareStmt runs one statement on both servers.
func (r *Runner) compareStmt(ctx context.Context, sql string, ordered bool) (*Diff, error) {
	want, err := r.PG.Exec(ctx, sql, r.Timeout)
	if err != nil {
		return nil, err
	}
	got, err := r.PDB.Exec(ctx, sql, r.Timeout)
	if err != nil {
		// A lost connection is a crash of the statement: report it.
		got = &Result{Code: "08006", Message: err.Error()}
	}
	r.Statements++
	if d := Compare(want, got, ordered, r.CheckTypes); d != nil {
		return d, nil
	}
	if r.SlowFactor > 0 && !want.Failed() && got.Elapsed > r.SlowMin && float64(got.Elapsed) > r.SlowFactor*float64(want.Elapsed) {
		return &Diff{Kind: KindSlow, Want: want, Got: got,
			Detail: fmt.Sprintf("portalsdb took %v, PostgreSQL %v", got.Elapsed.Round(time.Millisecond), want.Elapsed.Round(time.Millisecond))}, nil
	}
	return nil, nil
}

// endCase rolls back a transaction a case left open, and forgets the
// loaded setup when the case may have changed the data outside one.
func (r *Runner) endCase(ctx context.Context, c *Case) {
	inTxn := false
	mutated := false
	for _, st := range c.Stmts {
		switch n := st.Node.(type) {
		case *Raw:
			switch n.Text {
			case "BEGIN":
				inTxn = true
			case "ROLLBACK", "COMMIT":
				inTxn = false
			}
		case *Update, *Delete, *Insert:
			mutated = mutated || !inTxn
		}
	}
	for _, s := range []*Server{r.PG, r.PDB} {
		if s.inTransaction() {
			s.Exec(ctx, "ROLLBACK", r.Timeout)
		}
		if mutated {
			s.loaded, s.loadFP = nil, ""
		}
	}
}

// load makes both servers hold setup s: it drops what they held and runs
// the setup's statements, comparing each.
func (r *Runner) load(ctx context.Context, s *Setup) (*Diff, error) {
	fp := s.Fingerprint()
	if r.PG.loadFP == fp && r.PDB.loadFP == fp {
		return nil, nil
	}
	for _, srv := range []*Server{r.PG, r.PDB} {
		if err := srv.connect(ctx); err != nil {
			return nil, err
		}
		if srv.inTransaction() {
			srv.Exec(ctx, "ROLLBACK", r.Timeout)
		}
		old := srv.loaded
		if old == nil {
			old = s
		}
		for _, st := range append(old.Teardown(), s.Teardown()...) {
			if res, err := srv.Exec(ctx, st, r.Timeout); err != nil {
				return nil, err
			} else if res.Failed() {
				return nil, fmt.Errorf("%s: %s: %s", srv.Name, st, res.Message)
			}
		}
		srv.loaded, srv.loadFP = nil, ""
	}
	for _, st := range s.Statements() {
		want, err := r.PG.Exec(ctx, st, r.Timeout)
		if err != nil {
			return nil, err
		}
		if want.Failed() {
			return nil, fmt.Errorf("%w: %s: %s", errGenerator, st, want.Message)
		}
		got, err := r.PDB.Exec(ctx, st, r.Timeout)
		if err != nil {
			return nil, err
		}
		if got.Failed() {
			return &Diff{Kind: KindSetup, Side: "portalsdb", Want: want, Got: got,
				Detail: fmt.Sprintf("%s: portalsdb %s (%s)", st, got.Code, got.Message)}, nil
		}
	}
	for _, srv := range []*Server{r.PG, r.PDB} {
		srv.loaded, srv.loadFP = s, fp
	}
	return nil, nil
}
