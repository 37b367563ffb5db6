package nexmark

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed queries/*.sql
var queryFiles embed.FS

// Query is one Nexmark query.
type Query struct {
	// Name is q0, q1, ...
	Name string
	// Setup are statements to run before the query (q13's side input).
	Setup []string
	// Text is the query: a SELECT, run as a workflow or in batch.
	Text string
	// Streams are the generator streams it reads: person, auction, bid.
	Streams []string
}

// Queries returns every query, in numeric order.
func Queries() ([]Query, error) {
	entries, err := queryFiles.ReadDir("queries")
	if err != nil {
		return nil, err
	}
	var out []Query
	for _, e := range entries {
		b, err := queryFiles.ReadFile(path.Join("queries", e.Name()))
		if err != nil {
			return nil, err
		}
		q, err := parseQuery(strings.TrimSuffix(e.Name(), ".sql"), string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return queryNumber(out[i].Name) < queryNumber(out[j].Name) })
	return out, nil
}

func queryNumber(name string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(name, "q"))
	return n
}

// parseQuery reads a query file: comment lines, one of them
// "-- streams: a, b", then statements separated by semicolons, the last
// of which is the query.
func parseQuery(name, text string) (Query, error) {
	q := Query{Name: name}
	var body []string
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(t, "-- streams:"); ok {
			for _, s := range strings.Split(rest, ",") {
				q.Streams = append(q.Streams, strings.TrimSpace(s))
			}
			continue
		}
		if strings.HasPrefix(t, "--") {
			continue
		}
		body = append(body, line)
	}
	var stmts []string
	for _, s := range strings.Split(strings.Join(body, "\n"), ";") {
		if s = strings.TrimSpace(s); s != "" {
			stmts = append(stmts, s)
		}
	}
	if len(stmts) == 0 || len(q.Streams) == 0 {
		return q, fmt.Errorf("nexmark: %s.sql needs a '-- streams:' line and a query", name)
	}
	q.Setup, q.Text = stmts[:len(stmts)-1], stmts[len(stmts)-1]
	return q, nil
}
