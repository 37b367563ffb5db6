package difftest

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"regexp"
	"strconv"
	"strings"

	"portalsdb/sqllogictest"
)

// Replay runs the statements of a sqllogictest file on both servers with
// other data: the integer and decimal literals of its INSERT statements are
// replaced by random ones of a similar size, some by NULL, so the corpus's
// query shapes meet data their expected results never saw. Every statement
// is compared; the file's own expected results are ignored. Records for
// other engines (onlyif mysql, skipif postgresql) are left out, and the
// database must be empty. Differences go to log; Replay returns how many
// statements ran and differed.
func Replay(ctx context.Context, r *Runner, path string, seed int64, log io.Writer) (ran, differed int, err error) {
	script, err := sqllogictest.ParseFile(path, sqllogictest.DialectAuto)
	if err != nil {
		return 0, 0, err
	}
	rng := rand.New(rand.NewSource(seed))
	var created []string
	defer func() {
		for i := len(created) - 1; i >= 0; i-- {
			for _, s := range []*Server{r.PG, r.PDB} {
				s.Exec(ctx, created[i], r.Timeout)
			}
		}
		for _, s := range []*Server{r.PG, r.PDB} {
			s.loaded, s.loadFP = nil, ""
		}
	}()
	for _, rec := range script.Records {
		if rec.Kind != sqllogictest.KindStatement && rec.Kind != sqllogictest.KindQuery {
			continue
		}
		if !forPostgres(rec.Conditions) {
			continue
		}
		sql := rec.SQL
		if isInsert(sql) {
			sql = mutateLiterals(sql, rng)
		}
		if drop := dropFor(sql); drop != "" {
			created = append(created, drop)
		}
		d, err := r.compareStmt(ctx, sql, false)
		if err != nil {
			return ran, differed, err
		}
		ran++
		if d != nil {
			differed++
			fmt.Fprintf(log, "%s:%d: %s\n    %s\n", path, rec.Line, oneLine(d.String()), oneLine(sql))
		}
	}
	return ran, differed, nil
}

// forPostgres applies skipif/onlyif as the runner does for the engine
// postgresql.
func forPostgres(conds []sqllogictest.Condition) bool {
	for _, c := range conds {
		is := strings.EqualFold(c.Label, sqllogictest.DefaultEngine)
		if c.Only != is {
			return false
		}
	}
	return true
}

func isInsert(sql string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(sql)), "INSERT")
}

var createRE = regexp.MustCompile(`(?i)^\s*CREATE\s+(TABLE|VIEW)\s+(\w+)`)

// dropFor is the statement that undoes a CREATE TABLE or VIEW.
func dropFor(sql string) string {
	m := createRE.FindStringSubmatch(sql)
	if m == nil {
		return ""
	}
	return fmt.Sprintf("DROP %s IF EXISTS %s CASCADE", strings.ToUpper(m[1]), m[2])
}

// numberRE finds numeric literals outside quoted strings: the pattern
// matches a whole string literal or a number, and only numbers are
// replaced.
var literalRE = regexp.MustCompile(`'(?:[^']|'')*'|-?\b\d+(\.\d+)?\b`)

// mutateLiterals replaces the numbers of an INSERT's VALUES with random ones
// of the same shape: integers near the original's size, decimals with the
// same number of places; one in twelve becomes NULL. The first value of
// each row is kept, as it is often a primary key.
func mutateLiterals(sql string, rng *rand.Rand) string {
	i := strings.Index(strings.ToUpper(sql), "VALUES")
	if i < 0 {
		return sql
	}
	var b strings.Builder
	b.WriteString(sql[:i])
	tail := sql[i:]
	last := 0
	for _, m := range literalRE.FindAllStringIndex(tail, -1) {
		lit := tail[m[0]:m[1]]
		b.WriteString(tail[last:m[0]])
		last = m[1]
		prev := strings.TrimRight(tail[:m[0]], " \t\n")
		if strings.HasPrefix(lit, "'") || strings.HasSuffix(prev, "(") {
			b.WriteString(lit)
			continue
		}
		b.WriteString(mutateNumber(lit, rng))
	}
	b.WriteString(tail[last:])
	return b.String()
}

func mutateNumber(lit string, rng *rand.Rand) string {
	if rng.Intn(12) == 0 {
		return "NULL"
	}
	neg := strings.HasPrefix(lit, "-")
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(lit, "-"), ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return lit
	}
	limit := int64(10)
	for limit <= n && limit < 1e9 {
		limit *= 10
	}
	v := rng.Int63n(limit)
	if rng.Intn(5) == 0 {
		v = n // keep some values, for joins and duplicates
	}
	out := strconv.FormatInt(v, 10)
	if neg || rng.Intn(20) == 0 {
		out = "-" + out
	}
	if hasFrac {
		out += "." + fmt.Sprintf("%0*d", len(frac), rng.Intn(pow10(min(len(frac), 9))))
	}
	return out
}
