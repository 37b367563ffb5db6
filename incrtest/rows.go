package incrtest

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Rows is a multiset of rows. A row is keyed by its values in PostgreSQL's
// text format, so two rows are equal exactly when a client sees them equal;
// the value is the row's multiplicity. A multiplicity is never zero, and a
// negative one (more deletes than inserts of a row in a change stream) is
// kept so that it shows in a comparison.
type Rows map[string]int

// RowKey encodes a row's text values, nil for NULL, as a Rows key that
// also reads well in a failure message: (1, "a", NULL).
func RowKey(vals [][]byte) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		if v == nil {
			b.WriteString("NULL")
		} else {
			b.WriteString(strconv.Quote(string(v)))
		}
	}
	b.WriteByte(')')
	return b.String()
}

// Add changes a row's multiplicity by n.
func (r Rows) Add(key string, n int) {
	if c := r[key] + n; c == 0 {
		delete(r, key)
	} else {
		r[key] = c
	}
}

// AddAll adds every row of o to r.
func (r Rows) AddAll(o Rows) {
	for k, n := range o {
		r.Add(k, n)
	}
}

// Clone returns a copy of r.
func (r Rows) Clone() Rows {
	c := make(Rows, len(r))
	for k, n := range r {
		c[k] = n
	}
	return c
}

// Equal reports whether r and o hold the same rows as often.
func (r Rows) Equal(o Rows) bool {
	if len(r) != len(o) {
		return false
	}
	for k, n := range r {
		if o[k] != n {
			return false
		}
	}
	return true
}

// Len returns the number of rows, counting copies.
func (r Rows) Len() int {
	n := 0
	for _, c := range r {
		n += c
	}
	return n
}

// String lists the rows sorted, one a line, with their multiplicity when
// it is not 1.
func (r Rows) String() string {
	if len(r) == 0 {
		return "  (no rows)\n"
	}
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if n := r[k]; n != 1 {
			fmt.Fprintf(&b, "  %s x%d\n", k, n)
		} else {
			fmt.Fprintf(&b, "  %s\n", k)
		}
	}
	return b.String()
}

// Diff describes how got differs from want: rows missing from got with
// "-", extra rows with "+".
func Diff(want, got Rows) string {
	d := want.Clone()
	for k, n := range got {
		d.Add(k, -n)
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if n := d[k]; n > 0 {
			fmt.Fprintf(&b, "  - %s x%d\n", k, n)
		} else {
			fmt.Fprintf(&b, "  + %s x%d\n", k, -n)
		}
	}
	return b.String()
}

// Querier runs queries: a *pgx.Conn or a pgx.Tx.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Query runs sql over the simple protocol, so that every value arrives in
// the text format, and returns its rows as a multiset.
func Query(ctx context.Context, q Querier, sql string) (Rows, error) {
	rows, err := q.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := Rows{}
	for rows.Next() {
		out.Add(RowKey(rows.RawValues()), 1)
	}
	return out, rows.Err()
}

// QueryInt runs a query that returns one integer (NULL reads as 0).
func QueryInt(ctx context.Context, q Querier, sql string) (int64, error) {
	rows, err := q.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if v := rows.RawValues()[0]; v != nil {
			if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
				return 0, err
			}
		}
	}
	return n, rows.Err()
}
