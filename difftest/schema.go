package difftest

import (
	"fmt"
	"strings"
)

// Column is a table column: its SQL type as written and its family.
type Column struct {
	Name    string
	SQLType string
	T       Type
}

// Index is a secondary index.
type Index struct {
	Name   string
	Cols   []string
	Unique bool
}

// Table is a generated table with its rows, each value a SQL literal.
type Table struct {
	Name    string
	Cols    []Column
	PK      []string
	Indexes []Index
	Rows    [][]string
}

// View is a generated view over the tables.
type View struct {
	Name string
	Q    *Select
	Cols []Column // output columns, as the view exposes them
}

// Setup is the schema and data a case runs on.
type Setup struct {
	Tables []*Table
	Views  []*View
}

// insertChunk is the number of rows per INSERT of the setup.
const insertChunk = 50

// Statements renders the setup as SQL statements, in order.
func (s *Setup) Statements() []string {
	var out []string
	for _, t := range s.Tables {
		out = append(out, t.createSQL())
		for _, ix := range t.Indexes {
			u := ""
			if ix.Unique {
				u = "UNIQUE "
			}
			out = append(out, fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", u, ix.Name, t.Name, strings.Join(ix.Cols, ", ")))
		}
		for i := 0; i < len(t.Rows); i += insertChunk {
			end := min(i+insertChunk, len(t.Rows))
			out = append(out, t.insertSQL(t.Rows[i:end]))
		}
	}
	for _, v := range s.Views {
		out = append(out, fmt.Sprintf("CREATE VIEW %s AS %s", v.Name, SQL(v.Q)))
	}
	return out
}

func (t *Table) createSQL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s(", t.Name)
	for i, c := range t.Cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		b.WriteByte(' ')
		b.WriteString(c.SQLType)
		if len(t.PK) == 1 && t.PK[0] == c.Name {
			b.WriteString(" PRIMARY KEY")
		}
	}
	if len(t.PK) > 1 {
		fmt.Fprintf(&b, ", PRIMARY KEY (%s)", strings.Join(t.PK, ", "))
	}
	b.WriteString(")")
	return b.String()
}

func (t *Table) insertSQL(rows [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s VALUES ", t.Name)
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		b.WriteString(strings.Join(r, ", "))
		b.WriteString(")")
	}
	return b.String()
}

// Teardown drops what the setup made.
func (s *Setup) Teardown() []string {
	var out []string
	for i := len(s.Views) - 1; i >= 0; i-- {
		out = append(out, "DROP VIEW IF EXISTS "+s.Views[i].Name)
	}
	for i := len(s.Tables) - 1; i >= 0; i-- {
		out = append(out, "DROP TABLE IF EXISTS "+s.Tables[i].Name)
	}
	return out
}

// Fingerprint identifies the setup's schema and data.
func (s *Setup) Fingerprint() string { return strings.Join(s.Statements(), ";\n") }

// clone copies the setup deeply enough for the shrinker to change tables,
// rows and views.
func (s *Setup) clone() *Setup {
	n := &Setup{Views: append([]*View(nil), s.Views...)}
	for _, t := range s.Tables {
		c := *t
		c.Cols = append([]Column(nil), t.Cols...)
		c.PK = append([]string(nil), t.PK...)
		c.Indexes = append([]Index(nil), t.Indexes...)
		c.Rows = append([][]string(nil), t.Rows...)
		n.Tables = append(n.Tables, &c)
	}
	return n
}

// dropColumn removes column i of t, its values, and the keys and indexes
// that name it.
func (t *Table) dropColumn(i int) {
	name := t.Cols[i].Name
	t.Cols = without(t.Cols, i)
	rows := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		rows[r] = without(row, i)
	}
	t.Rows = rows
	for _, k := range t.PK {
		if k == name {
			t.PK = nil
		}
	}
	var keep []Index
	for _, ix := range t.Indexes {
		named := false
		for _, c := range ix.Cols {
			named = named || c == name
		}
		if !named {
			keep = append(keep, ix)
		}
	}
	t.Indexes = keep
}
