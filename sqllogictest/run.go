package sqllogictest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultRecordTimeout bounds one record when Config.RecordTimeout is zero.
const DefaultRecordTimeout = 30 * time.Second

// DefaultEngine is the engine name portalsdb answers to in skipif/onlyif.
const DefaultEngine = "postgresql"

// Target says where one file's sessions connect.
type Target struct {
	// Config is the connection every session of the file opens.
	Config *pgconn.Config
	// Release is called after the file's sessions are closed; it may drop
	// the database or stop a server. It may be nil.
	Release func(ctx context.Context) error
}

// PrepareFunc readies an empty database for one file. Each file must start
// on a database with no tables: a PrepareFunc creates a fresh database, drops
// what the previous file left, or starts a fresh server. With Config.Jobs > 1
// it is called concurrently and must hand out a separate database each time.
type PrepareFunc func(ctx context.Context, file string) (Target, error)

// Config says what to run against and how.
type Config struct {
	// DSN of the server under test, used as is when Prepare is nil.
	DSN string
	// Prepare readies each file's database; nil runs every file on DSN
	// without any reset.
	Prepare PrepareFunc
	// Engine is the name skipif and onlyif compare with (case-insensitive);
	// empty means DefaultEngine.
	Engine string
	// Labels are further names onlyif and skipif match, for
	// sqllogictest-rs files that label by product.
	Labels []string
	// Dialect forces a dialect; DialectAuto detects it per file.
	Dialect Dialect
	// Verbose prints every failing record with its SQL, expected and
	// actual output.
	Verbose bool
	// FailFast stops after the first failure.
	FailFast bool
	// RecordTimeout bounds each record; zero means DefaultRecordTimeout.
	RecordTimeout time.Duration
	// Divergences lists records that real PostgreSQL fails too. They are
	// run, and counted apart from passes and failures.
	Divergences *Divergences
	// CheckDivergences reports listed records that pass and entries that
	// name no record as problems (Summary.DivergenceProblems).
	CheckDivergences bool
	// Jobs is the number of files run at once; zero means 1.
	Jobs int
	// Progress, when set, receives a progress line every ProgressInterval
	// (zero means 2s): files done, records run, records per second.
	Progress         io.Writer
	ProgressInterval time.Duration
}

// Failure is one failing record.
type Failure struct {
	File   string
	Line   int
	Reason string
}

// FileSummary counts the records of one file.
type FileSummary struct {
	Path        string
	Dialect     Dialect
	Passed      int
	Failed      int
	Skipped     int
	Divergences int
	Elapsed     time.Duration
	// Err is set when the file could not be read or prepared; it then
	// counts as one failure.
	Err error
}

// Summary is the outcome of a run.
type Summary struct {
	Files       []FileSummary
	Passed      int
	Failed      int
	Skipped     int
	Divergences int
	Failures    []Failure
	// ListedPassing are divergence entries whose record passed.
	ListedPassing []DivergenceEntry
	// ListedStale are entries, in files that ran to the end, that name no
	// statement or query that ran.
	ListedStale []DivergenceEntry
	// Stopped is set when FailFast ended the run early.
	Stopped bool
	Elapsed time.Duration
}

// Records is the number of records counted.
func (s *Summary) Records() int { return s.Passed + s.Failed + s.Skipped + s.Divergences }

// OK says whether the run passed: nothing failed and, when divergences are
// checked, every listed entry still fails.
func (s *Summary) OK(checkDivergences bool) bool {
	if s.Failed > 0 {
		return false
	}
	if checkDivergences && (len(s.ListedPassing) > 0 || len(s.ListedStale) > 0) {
		return false
	}
	return true
}

// Run runs the files in order (or Jobs at a time) and writes a summary line
// per file to out, failures when Verbose, and ends with the two lines
//
//	N passed, N failed, N skipped
//	N divergences (listed)
//
// The error is for a run that could not start (bad configuration);
// problems within files are counted as failures.
func Run(ctx context.Context, cfg Config, files []string, out io.Writer) (Summary, error) {
	start := time.Now()
	if cfg.Prepare == nil {
		if cfg.DSN == "" {
			return Summary{}, errors.New("sqllogictest: Config needs a DSN or a Prepare function")
		}
		pc, err := pgconn.ParseConfig(cfg.DSN)
		if err != nil {
			return Summary{}, fmt.Errorf("sqllogictest: %w", err)
		}
		if cfg.Jobs > 1 {
			return Summary{}, errors.New("sqllogictest: Jobs > 1 needs a Prepare function that gives each file its own database")
		}
		cfg.Prepare = func(context.Context, string) (Target, error) { return Target{Config: pc}, nil }
	}
	if cfg.Engine == "" {
		cfg.Engine = DefaultEngine
	}
	if cfg.RecordTimeout <= 0 {
		cfg.RecordTimeout = DefaultRecordTimeout
	}
	jobs := max(cfg.Jobs, 1)

	r := &run{cfg: &cfg, out: out, results: make([]*fileResult, len(files)), total: len(files)}
	stopProgress := r.startProgress(start)

	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(jobs, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) || r.stopped.Load() || ctx.Err() != nil {
					return
				}
				res := runFile(ctx, r, files[i])
				r.finish(i, res)
			}
		}()
	}
	wg.Wait()
	stopProgress()

	var sum Summary
	for _, res := range r.results {
		if res == nil {
			continue
		}
		sum.Files = append(sum.Files, res.summary)
		sum.Passed += res.summary.Passed
		sum.Failed += res.summary.Failed
		sum.Skipped += res.summary.Skipped
		sum.Divergences += res.summary.Divergences
		sum.Failures = append(sum.Failures, res.failures...)
		sum.ListedPassing = append(sum.ListedPassing, res.listedPassing...)
		sum.ListedStale = append(sum.ListedStale, res.listedStale...)
	}
	sum.Stopped = r.stopped.Load()
	sum.Elapsed = time.Since(start)

	if sum.Stopped {
		fmt.Fprintln(out, "stopped at the first failure (--fail-fast)")
	}
	if cfg.Divergences != nil {
		for _, e := range sum.ListedPassing {
			fmt.Fprintf(out, "listed divergence passes: %s\n", e)
		}
		for _, e := range sum.ListedStale {
			fmt.Fprintf(out, "listed divergence names no record that ran: %s\n", e)
		}
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", sum.Passed, sum.Failed, sum.Skipped)
	fmt.Fprintf(out, "%d divergences (listed)\n", sum.Divergences)
	return sum, ctx.Err()
}

// run is the state shared by the files of one Run.
type run struct {
	cfg *Config
	out io.Writer

	mu      sync.Mutex
	results []*fileResult
	printed int // results[:printed] have been written to out

	total     int
	filesDone atomic.Int64
	records   atomic.Int64
	stopped   atomic.Bool
}

// finish stores a file's result and writes, in file order, every result
// whose predecessors are all written.
func (r *run) finish(i int, res *fileResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[i] = res
	for r.printed < len(r.results) && r.results[r.printed] != nil {
		r.out.Write(r.results[r.printed].output.Bytes())
		r.results[r.printed].output = bytes.Buffer{}
		r.printed++
	}
	r.filesDone.Add(1)
}

func (r *run) startProgress(start time.Time) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	interval := r.cfg.ProgressInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n := r.records.Load()
				secs := time.Since(start).Seconds()
				fmt.Fprintf(r.cfg.Progress, "slt: %d/%d files, %d records, %.0f records/s\n",
					r.filesDone.Load(), r.total, n, float64(n)/secs)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// fileResult is what one file produced.
type fileResult struct {
	summary       FileSummary
	failures      []Failure
	listedPassing []DivergenceEntry
	listedStale   []DivergenceEntry
	output        bytes.Buffer
}

// fileRun executes one script.
type fileRun struct {
	r      *run
	cfg    *Config
	res    *fileResult
	target Target

	sessions map[string]*session
	// connectFailed is set once a session could not connect; the file's
	// remaining records then fail without waiting on the server again.
	connectFailed error

	threshold int
	sortMode  SortMode
	valuewise bool
	labels    map[string]string // label -> hash of its values
	halted    bool

	divergences map[string]fileDivergences // by record file
	ran         map[string]map[int]bool    // record file -> lines of statements and queries that ran
}

type fileDivergences struct {
	path  string
	lines map[int]int
}

func runFile(ctx context.Context, r *run, path string) *fileResult {
	start := time.Now()
	res := &fileResult{summary: FileSummary{Path: path}}
	defer func() {
		res.summary.Elapsed = time.Since(start)
		s := res.summary
		if s.Err != nil {
			fmt.Fprintf(&res.output, "%s: error: %v\n", path, s.Err)
		}
		fmt.Fprintf(&res.output, "%s: %d passed, %d failed, %d skipped, %d divergences (%.1fs)\n",
			path, s.Passed, s.Failed, s.Skipped, s.Divergences, s.Elapsed.Seconds())
	}()

	script, err := ParseFile(path, r.cfg.Dialect)
	if err != nil {
		res.summary.Err = err
		res.fail(r, Failure{File: path, Reason: "cannot read: " + err.Error()})
		return res
	}
	res.summary.Dialect = script.Dialect
	target, err := r.cfg.Prepare(ctx, path)
	if err != nil {
		res.summary.Err = fmt.Errorf("preparing the database: %w", err)
		res.fail(r, Failure{File: path, Reason: "cannot prepare the database: " + err.Error()})
		return res
	}
	fr := &fileRun{
		r: r, cfg: r.cfg, res: res, target: target,
		sessions:    map[string]*session{},
		threshold:   8,
		labels:      map[string]string{},
		divergences: map[string]fileDivergences{},
		ran:         map[string]map[int]bool{},
	}
	if script.Dialect == DialectRS {
		fr.threshold = 0
	}
	completed := fr.runRecords(ctx, script.Records)
	for _, s := range fr.sessions {
		s.close()
	}
	if target.Release != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		if err := target.Release(rctx); err != nil {
			fmt.Fprintf(&res.output, "%s: releasing the database: %v\n", path, err)
		}
		cancel()
	}
	if completed && r.cfg.Divergences != nil {
		fr.findStale(script)
	}
	return res
}

func (res *fileResult) fail(r *run, f Failure) {
	res.summary.Failed++
	res.failures = append(res.failures, f)
	if r.cfg.FailFast {
		r.stopped.Store(true)
	}
}

// runRecords runs the records in order and reports whether it got to the
// end (it does not under fail-fast or cancellation).
func (fr *fileRun) runRecords(ctx context.Context, records []Record) bool {
	for i := range records {
		if ctx.Err() != nil || fr.r.stopped.Load() {
			return false
		}
		rec := &records[i]
		counted := rec.Kind == KindStatement || rec.Kind == KindQuery || rec.Kind == KindInvalid || rec.Kind == KindSystem
		if fr.halted {
			if counted {
				fr.res.summary.Skipped++
			}
			continue
		}
		skip := fr.skipped(rec)
		switch rec.Kind {
		case KindHashThreshold:
			if !skip {
				fr.threshold = rec.Threshold
			}
		case KindHalt:
			fr.halted = fr.halted || !skip
		case KindControl:
			if !skip {
				fr.control(rec)
			}
		case KindSleep:
			if !skip {
				select {
				case <-ctx.Done():
				case <-time.After(rec.Duration):
				}
			}
		case KindSystem:
			fr.res.summary.Skipped++
			if fr.cfg.Verbose && !skip {
				fmt.Fprintf(&fr.res.output, "SKIP %s:%d: system commands are not supported\n", rec.File, rec.Line)
			}
		case KindInvalid:
			if skip {
				fr.res.summary.Skipped++
				continue
			}
			fr.markRan(rec)
			fr.record(rec, outcome{reason: "parse error: " + rec.ParseError})
		case KindStatement, KindQuery:
			if skip {
				fr.res.summary.Skipped++
				fr.rememberSkippedLabel(rec)
				continue
			}
			fr.record(rec, fr.execute(ctx, rec))
		}
		if counted {
			fr.r.records.Add(1)
		}
	}
	return true
}

// skipped applies skipif/onlyif: a condition matches the engine name or one
// of the extra labels, case-insensitively.
func (fr *fileRun) skipped(rec *Record) bool {
	for _, c := range rec.Conditions {
		match := strings.EqualFold(c.Label, fr.cfg.Engine)
		for _, l := range fr.cfg.Labels {
			match = match || strings.EqualFold(c.Label, l)
		}
		if match != c.Only {
			return true
		}
	}
	return false
}

func (fr *fileRun) control(rec *Record) {
	switch rec.Control[0] {
	case "sortmode":
		fr.sortMode, _ = parseSortMode(rec.Control[1])
	case "resultmode":
		fr.valuewise = rec.Control[1] == "valuewise"
	case "substitution":
		// Variable substitution ($__TEST_DIR__ and friends) is not
		// implemented; files that turn it on run with the text unchanged.
	}
}

// outcome is the verdict on one run of a record.
type outcome struct {
	pass bool
	// reason is a one-line explanation of a failure.
	reason string
	// expected and actual are shown with -v.
	expected []string
	actual   []string
}

// execute runs a statement or query, retrying as the record asks.
func (fr *fileRun) execute(ctx context.Context, rec *Record) outcome {
	var o outcome
	for attempt := 0; ; attempt++ {
		o = fr.executeOnce(ctx, rec)
		if o.pass || attempt >= rec.Retry.Attempts || ctx.Err() != nil {
			return o
		}
		select {
		case <-ctx.Done():
			return o
		case <-time.After(rec.Retry.Backoff):
		}
	}
}

func (fr *fileRun) session(name string) *session {
	s := fr.sessions[name]
	if s == nil {
		s = &session{config: connectConfig(fr.target.Config)}
		fr.sessions[name] = s
	}
	return s
}

func (fr *fileRun) executeOnce(ctx context.Context, rec *Record) outcome {
	fr.markRan(rec)
	if fr.connectFailed != nil {
		return outcome{reason: "not run: " + fr.connectFailed.Error()}
	}
	s := fr.session(rec.Connection)
	wasConnected := s.connected()
	rctx, cancel := context.WithTimeout(ctx, fr.cfg.RecordTimeout)
	res := s.exec(rctx, rec.SQL)
	cancel()
	if res.failure != nil {
		if !wasConnected && !s.connected() && errors.Is(res.failure, errConnect) {
			fr.connectFailed = res.failure
		}
		return outcome{reason: res.failure.Error()}
	}
	if rec.Error != nil {
		return checkError(rec, res)
	}
	if res.serverErr != nil {
		kind := "statement"
		if rec.Kind == KindQuery {
			kind = "query"
		}
		return outcome{reason: fmt.Sprintf("%s failed: %s (SQLSTATE %s)", kind, firstLine(res.serverErr.Message), res.serverErr.Code)}
	}
	if rec.Kind == KindStatement {
		if rec.Count >= 0 && res.tag.RowsAffected() != rec.Count {
			return outcome{reason: fmt.Sprintf("statement affected %d rows, expected %d", res.tag.RowsAffected(), rec.Count)}
		}
		return outcome{pass: true}
	}
	if rec.Dialect == DialectSQLite {
		return fr.checkSQLiteQuery(rec, &res.rows)
	}
	return fr.checkRSQuery(rec, &res.rows)
}

func checkError(rec *Record, res execResult) outcome {
	if res.serverErr == nil {
		return outcome{reason: "succeeded, but an error was expected", expected: []string{rec.Error.String()}, actual: []string{"(no error)"}}
	}
	if !rec.Error.matches(res.serverErr) {
		return outcome{
			reason:   fmt.Sprintf("wrong error: %s (SQLSTATE %s)", firstLine(res.serverErr.Message), res.serverErr.Code),
			expected: []string{rec.Error.String()},
			actual:   strings.Split(errorText(res.serverErr)+"\nSQLSTATE "+res.serverErr.Code, "\n"),
		}
	}
	return outcome{pass: true}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (fr *fileRun) effectiveSort(rec *Record) SortMode {
	if rec.Sort != SortDefault {
		return rec.Sort
	}
	if fr.sortMode != SortDefault {
		return fr.sortMode
	}
	return NoSort
}

// checkSQLiteQuery compares a result with SQLite's rules: values rendered by
// the header's types, sorted, and compared one per line, or as an MD5 hash
// when the expected result is a hash line.
func (fr *fileRun) checkSQLiteQuery(rec *Record, rows *resultSet) outcome {
	if !rows.described {
		return outcome{reason: "query returned no rows (not a query?)"}
	}
	if rows.ncols() != len(rec.Types) {
		return outcome{reason: fmt.Sprintf("wrong number of result columns: expected %d but got %d", len(rec.Types), rows.ncols())}
	}
	ncols := rows.ncols()
	values := make([]string, len(rows.cells))
	for i, c := range rows.cells {
		col := i % ncols
		values[i] = renderSQLite(rec.Types[col], rows.oids[col], c)
	}
	switch fr.effectiveSort(rec) {
	case RowSort:
		sortRows(values, ncols)
	case ValueSort:
		sortRows(values, 1)
	}
	return fr.compare(rec, values, values, rec.Results)
}

// compare checks a query's output against the expected lines. values are
// the rendered values in their final order (what MD5 hashes cover); lines
// are the output lines (the values themselves in SQLite's layout, rows in
// sqllogictest-rs's). An expected "N values hashing to <md5>" line is
// compared with the hash of values, anything else line by line. A labeled
// query must also hash to the same values as earlier queries with its label.
func (fr *fileRun) compare(rec *Record, values, lines, expected []string) outcome {
	expectHash := len(expected) == 1 && isHashLine(expected[0])
	var hash string
	if expectHash || rec.Label != "" || (fr.threshold > 0 && len(values) > fr.threshold) {
		hash = hashValues(values)
	}
	o := outcome{pass: true, expected: expected, actual: lines}
	if fr.threshold > 0 && len(values) > fr.threshold {
		o.actual = []string{hashLine(len(values), hash)}
	}
	if expectHash {
		got := hashLine(len(values), hash)
		o.actual = []string{got}
		if got != expected[0] {
			o.pass, o.reason = false, "wrong result hash"
		}
	} else if !equalLines(lines, expected) {
		o.pass, o.reason = false, "wrong result"
		o.actual = lines
	}
	if o.pass && rec.Label != "" {
		if prev, ok := fr.labels[rec.Label]; ok && prev != hash {
			o.pass, o.reason = false, fmt.Sprintf("labeled result [%s] does not agree with previous values", rec.Label)
		} else if !ok {
			fr.labels[rec.Label] = hash
		}
	}
	return o
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rememberSkippedLabel records the expected hash of a skipped labeled query,
// as SQLite's runner does, so that later records with the label are checked
// against it.
func (fr *fileRun) rememberSkippedLabel(rec *Record) {
	if rec.Kind != KindQuery || rec.Label == "" || rec.Error != nil {
		return
	}
	if _, ok := fr.labels[rec.Label]; ok {
		return
	}
	if len(rec.Results) == 1 {
		if _, h, ok := parseHashLine(rec.Results[0]); ok {
			fr.labels[rec.Label] = h
			return
		}
	}
	if rec.Dialect == DialectSQLite {
		fr.labels[rec.Label] = hashValues(rec.Results)
	}
}

// checkRSQuery compares a result with sqllogictest-rs's rules: one row per
// line (one value per line under valuesort or `control resultmode
// valuewise`), values as the server sent them, white space normalized. With
// a sort mode both sides are sorted line by line, so files may list rows in
// any order.
func (fr *fileRun) checkRSQuery(rec *Record, rows *resultSet) outcome {
	if !rows.described {
		return outcome{reason: "query returned no rows (not a query?)"}
	}
	ncols := rows.ncols()
	mode := fr.effectiveSort(rec)
	var lines, values []string
	if fr.valuewise || mode == ValueSort {
		for _, c := range rows.cells {
			lines = append(lines, renderRS(c))
		}
		if mode != NoSort {
			sortRows(lines, 1)
		}
		values = lines
	} else if ncols > 0 {
		type row struct {
			line   string
			values []string
		}
		rs := make([]row, rows.nrows())
		for i := range rs {
			vals := make([]string, ncols)
			for j := range vals {
				vals[j] = renderRS(rows.cells[i*ncols+j])
			}
			rs[i] = row{line: strings.Join(vals, " "), values: vals}
		}
		if mode == RowSort {
			slices.SortStableFunc(rs, func(a, b row) int { return strings.Compare(a.line, b.line) })
		}
		for _, r := range rs {
			lines = append(lines, r.line)
			values = append(values, r.values...)
		}
	}
	expected := rec.Results
	if !(len(expected) == 1 && isHashLine(expected[0])) {
		norm := make([]string, len(expected))
		for i, e := range expected {
			norm[i] = normalizeSpaces(e)
		}
		if mode != NoSort {
			sortRows(norm, 1)
		}
		expected = norm
	}
	return fr.compare(rec, values, lines, expected)
}

// markRan notes that the record at rec's line ran, for the stale check of
// the divergence list.
func (fr *fileRun) markRan(rec *Record) {
	m := fr.ran[rec.File]
	if m == nil {
		m = map[int]bool{}
		fr.ran[rec.File] = m
	}
	m[rec.Line] = true
}

func (fr *fileRun) divergencesOf(file string) fileDivergences {
	d, ok := fr.divergences[file]
	if !ok {
		d.path, d.lines = fr.cfg.Divergences.forFile(file)
		fr.divergences[file] = d
	}
	return d
}

// record counts an executed record and reports it.
func (fr *fileRun) record(rec *Record, o outcome) {
	res := fr.res
	div := fr.divergencesOf(rec.File)
	if idx, listed := div.lines[rec.Line]; listed {
		res.summary.Divergences++
		entry := fr.cfg.Divergences.entries[idx]
		if o.pass {
			res.listedPassing = append(res.listedPassing, entry)
		}
		if fr.cfg.Verbose {
			verdict := "fails as listed"
			if o.pass {
				verdict = "passes"
			}
			fmt.Fprintf(&res.output, "DIVERGENCE %s:%d %s (%s)\n", rec.File, rec.Line, verdict, entry.Reason)
		}
		return
	}
	if o.pass {
		res.summary.Passed++
		return
	}
	res.fail(fr.r, Failure{File: rec.File, Line: rec.Line, Reason: o.reason})
	if fr.cfg.Verbose {
		fr.report(rec, o)
	}
}

// maxShownLines bounds each of expected and actual in a -v report.
const maxShownLines = 40

func (fr *fileRun) report(rec *Record, o outcome) {
	w := &fr.res.output
	fmt.Fprintf(w, "FAIL %s:%d: %s\n", rec.File, rec.Line, o.reason)
	if rec.SQL != "" {
		fmt.Fprintf(w, "    sql:\n")
		writeIndented(w, strings.Split(rec.SQL, "\n"))
	}
	if o.expected != nil || o.actual != nil {
		fmt.Fprintf(w, "    expected:\n")
		writeIndented(w, o.expected)
		fmt.Fprintf(w, "    actual:\n")
		writeIndented(w, o.actual)
	}
}

func writeIndented(w io.Writer, lines []string) {
	for i, l := range lines {
		if i == maxShownLines {
			fmt.Fprintf(w, "        ... (%d more)\n", len(lines)-i)
			return
		}
		fmt.Fprintf(w, "        %s\n", l)
	}
}

// findStale lists divergence entries of the script's files that name no
// statement or query that ran.
func (fr *fileRun) findStale(script *Script) {
	seen := map[string]bool{}
	files := []string{script.Path}
	for i := range script.Records {
		if f := script.Records[i].File; !seen[f] {
			seen[f] = true
			if f != script.Path {
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		div := fr.divergencesOf(f)
		for line, idx := range div.lines {
			if !fr.ran[f][line] {
				fr.res.listedStale = append(fr.res.listedStale, fr.cfg.Divergences.entries[idx])
			}
		}
	}
	slices.SortFunc(fr.res.listedStale, func(a, b DivergenceEntry) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
}
