package sqllogictest

import (
	"regexp"
	"strings"
	"time"
)

// Dialect is the flavour of sqllogictest a file is written in. It decides how
// expected results are laid out and how actual values are rendered.
type Dialect uint8

const (
	// DialectAuto asks the parser to detect the dialect (see doc.go).
	DialectAuto Dialect = iota
	// DialectSQLite is SQLite's original format: one value per result line,
	// values rendered by column type (I as %d, R as %.3f, T as text), '#'
	// lines are comments everywhere.
	DialectSQLite
	// DialectRS is the sqllogictest-rs dialect used by RisingWave, DataFusion
	// and Databend: one row per result line, values as the server sends
	// them, error messages checked by regex or exact text.
	DialectRS
)

func (d Dialect) String() string {
	switch d {
	case DialectSQLite:
		return "sqlite"
	case DialectRS:
		return "rs"
	default:
		return "auto"
	}
}

// ParseDialect maps a flag value to a Dialect.
func ParseDialect(s string) (Dialect, bool) {
	switch strings.ToLower(s) {
	case "", "auto":
		return DialectAuto, true
	case "sqlite":
		return DialectSQLite, true
	case "rs", "sqllogictest-rs":
		return DialectRS, true
	}
	return DialectAuto, false
}

// Kind says what a record does.
type Kind uint8

const (
	// KindStatement runs SQL and checks success, failure or a row count.
	KindStatement Kind = iota
	// KindQuery runs SQL and checks its rows or its error.
	KindQuery
	// KindHashThreshold sets the number of result values above which
	// results are compared by MD5 hash.
	KindHashThreshold
	// KindHalt stops the file.
	KindHalt
	// KindSleep pauses the file for Duration.
	KindSleep
	// KindControl changes a file-level setting (sortmode, resultmode,
	// substitution).
	KindControl
	// KindSystem is a shell command (sqllogictest-rs); the runner reports
	// it as unsupported.
	KindSystem
	// KindInvalid is a record the parser could not understand; running it
	// is a failure that names ParseError.
	KindInvalid
)

// SortMode says how results are ordered before they are compared.
type SortMode uint8

const (
	// SortDefault is nosort unless a `control sortmode` says otherwise.
	SortDefault SortMode = iota
	// NoSort keeps the server's order.
	NoSort
	// RowSort sorts whole rows, comparing rendered values column by column
	// as strcmp does.
	RowSort
	// ValueSort sorts every value on its own, ignoring rows.
	ValueSort
)

func (m SortMode) String() string {
	switch m {
	case NoSort:
		return "nosort"
	case RowSort:
		return "rowsort"
	case ValueSort:
		return "valuesort"
	default:
		return ""
	}
}

func parseSortMode(s string) (SortMode, bool) {
	switch s {
	case "nosort":
		return NoSort, true
	case "rowsort":
		return RowSort, true
	case "valuesort":
		return ValueSort, true
	}
	return SortDefault, false
}

// Condition is one `skipif` or `onlyif` line before a record.
type Condition struct {
	// Only is true for onlyif, false for skipif.
	Only bool
	// Label is the engine name or label the condition names.
	Label string
}

// ErrorExpect is what an expected error must look like. The zero value
// accepts any error the server raises.
type ErrorExpect struct {
	// Code, when set, must equal the error's SQLSTATE (`error pgcode XXXXX`).
	Code string
	// Regex, when set, must match the error text (`error <regex>`).
	Regex *regexp.Regexp
	// Message, when Exact is set, must equal the trimmed error text (a
	// multi-line message under `----`).
	Message string
	Exact   bool
}

// String describes the expectation for failure reports.
func (e *ErrorExpect) String() string {
	var parts []string
	if e.Code != "" {
		parts = append(parts, "pgcode "+e.Code)
	}
	if e.Regex != nil {
		parts = append(parts, "matching /"+e.Regex.String()+"/")
	}
	if e.Exact {
		parts = append(parts, "exactly "+strings.TrimSpace(e.Message))
	}
	if len(parts) == 0 {
		return "any error"
	}
	return strings.Join(parts, ", ")
}

// Retry is sqllogictest-rs's `retry N backoff <duration>`: the record is run
// up to N more times, Backoff apart, until it passes.
type Retry struct {
	Attempts int
	Backoff  time.Duration
}

// Record is one unit of a script. Which fields are set depends on Kind.
type Record struct {
	Kind Kind
	// File is the script the record came from (an included file for records
	// pulled in by `include`), Line the 1-based line of its header: the
	// `statement`/`query` line, after any skipif/onlyif lines.
	File string
	Line int
	// Dialect of the file the record came from.
	Dialect Dialect

	Conditions []Condition
	// Connection names the session (`connection NAME`); empty is the
	// default session.
	Connection string

	// SQL of statements and queries; the command of system records.
	SQL string

	// Error is non-nil when the statement or query is expected to fail.
	Error *ErrorExpect
	// Count is the expected number of affected rows (`statement count N`),
	// -1 when unchecked.
	Count int64

	// Types has one letter per result column (I, R, T in SQLite's format;
	// any letters in sqllogictest-rs); empty means unchecked.
	Types string
	Sort  SortMode
	Label string
	// Results are the expected result lines after `----`, verbatim.
	Results []string

	Retry Retry

	// Threshold of KindHashThreshold.
	Threshold int
	// Duration of KindSleep.
	Duration time.Duration
	// Control holds the words after `control` (KindControl).
	Control []string
	// ParseError explains a KindInvalid record.
	ParseError string
}

// Script is a parsed file: its records in order, includes expanded.
type Script struct {
	Path    string
	Dialect Dialect
	Records []Record
}
