package difftest

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Finding is a minimized case with its difference and both answers.
type Finding struct {
	Seed    int64
	Profile Profile
	Case    int
	C       *Case
	Out     *Outcome
	// Answers are PostgreSQL's results of the case's statements, in order,
	// and portalsdb's for the last.
	Want []*Result
	Got  *Result
}

// Transcript runs a case and returns PostgreSQL's answer to every
// statement and portalsdb's answer to the last.
func (r *Runner) Transcript(ctx context.Context, c *Case) ([]*Result, *Result, error) {
	if _, err := r.load(ctx, c.Setup); err != nil {
		return nil, nil, err
	}
	defer r.endCase(ctx, c)
	var want []*Result
	var got *Result
	for _, st := range c.Stmts {
		w, err := r.PG.Exec(ctx, st.SQL(), r.Timeout)
		if err != nil {
			return nil, nil, err
		}
		want = append(want, w)
		got, err = r.PDB.Exec(ctx, st.SQL(), r.Timeout)
		if err != nil {
			got = &Result{Code: "08006", Message: err.Error()}
		}
	}
	return want, got, nil
}

// WriteSLT writes the finding as sqllogictest-rs records that pass on
// PostgreSQL: the setup, the statements with PostgreSQL's answers, and a
// teardown, so that findings can follow each other in one file.
func (f *Finding) WriteSLT(w io.Writer) {
	fmt.Fprintf(w, "# difftest seed=%d profile=%s case=%d: %s\n", f.Seed, f.Profile, f.Case, oneLine(f.Out.Diff.String()))
	if f.Got != nil {
		fmt.Fprintf(w, "# portalsdb answered: %s\n", oneLine(summarize(f.Got)))
	}
	w.Write([]byte("\n"))
	for _, st := range f.C.Setup.Statements() {
		fmt.Fprintf(w, "statement ok\n%s\n\n", st)
	}
	for i, st := range f.C.Stmts {
		var want *Result
		if i < len(f.Want) {
			want = f.Want[i]
		}
		writeRecord(w, st, want)
	}
	for _, st := range f.C.Setup.Teardown() {
		fmt.Fprintf(w, "statement ok\n%s\n\n", st)
	}
}

func writeRecord(w io.Writer, st Stmt, want *Result) {
	sql := st.SQL()
	switch {
	case want == nil:
		fmt.Fprintf(w, "statement ok\n%s\n\n", sql)
	case want.Failed():
		fmt.Fprintf(w, "statement error pgcode %s\n%s\n\n", want.Code, sql)
	case len(want.Cols) == 0:
		if n := rowCount(want.Tag); n != "" && !strings.HasPrefix(want.Tag, "BEGIN") {
			fmt.Fprintf(w, "statement count %s\n%s\n\n", n, sql)
		} else {
			fmt.Fprintf(w, "statement ok\n%s\n\n", sql)
		}
	default:
		mode := "rowsort"
		if st.Ordered {
			mode = "nosort"
		}
		fmt.Fprintf(w, "query %s %s\n%s\n----\n", typeLetters(want.OIDs), mode, sql)
		for _, row := range want.Rows {
			vals := make([]string, len(row))
			for i, v := range row {
				switch {
				case v == nil:
					vals[i] = "NULL"
				case *v == "":
					vals[i] = "(empty)"
				default:
					vals[i] = strings.Join(strings.Fields(*v), " ")
				}
			}
			fmt.Fprintln(w, strings.Join(vals, " "))
		}
		fmt.Fprintln(w)
	}
}

func rowCount(tag string) string {
	if i := strings.LastIndexByte(tag, ' '); i >= 0 {
		return tag[i+1:]
	}
	return ""
}

func typeLetters(oids []uint32) string {
	var b strings.Builder
	for _, o := range oids {
		switch o {
		case 20, 21, 23:
			b.WriteByte('I')
		case 700, 701, 1700:
			b.WriteByte('R')
		default:
			b.WriteByte('T')
		}
	}
	return b.String()
}

// summarize is a one-line account of a result.
func summarize(r *Result) string {
	if r.Failed() {
		return fmt.Sprintf("error %s: %s", r.Code, r.Message)
	}
	if len(r.Cols) == 0 {
		return r.Tag
	}
	rows := encodeRows(r.Rows)
	for i, row := range rows {
		rows[i] = displayRow(row)
	}
	if len(rows) > 5 {
		rows = append(rows[:5], fmt.Sprintf("... %d rows", len(r.Rows)))
	}
	return fmt.Sprintf("%s [%s]", typeNames(r.OIDs), strings.Join(rows, "; "))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	numberRE = regexp.MustCompile(`\b\d+(\.\d+)?\b`)
	stringRE = regexp.MustCompile(`'(?:[^']|'')*'`)
	aliasRE  = regexp.MustCompile(`\b(cor|t|x|tab|m|v|cte)\d+\b`)
)

// Signature is the shape of a finding's last statement with literals and
// names blurred, and its kind, to tell new findings from repeats.
func (f *Finding) Signature() string {
	last := ""
	if n := len(f.C.Stmts); n > 0 {
		last = f.C.Stmts[n-1].SQL()
	}
	s := stringRE.ReplaceAllString(last, "'?'")
	s = numberRE.ReplaceAllString(s, "N")
	s = aliasRE.ReplaceAllString(s, "$1")
	return string(f.Out.Diff.Kind) + "|" + f.Out.Diff.Side + "|" + s
}
