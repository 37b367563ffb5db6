package incrtest

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Case is one differential case: workflows created in order, each checked
// against its batch query after every atom.
type Case struct {
	Name      string
	Workflows []Workflow
	// Inputs are the relations of Inputs the case's queries read.
	Inputs []string
	// Line is where the case starts in its file.
	Line int
}

// Workflow is a workflow of a case.
type Workflow struct {
	Name  string
	Query string
	// Batch is the query whose batch answer the workflow's result must
	// equal: its own query unless the case gives one (a workflow that
	// reads workflows is checked against its query over the base inputs).
	Batch string
	// MaterializedView creates it with CREATE MATERIALIZED VIEW.
	MaterializedView bool
}

// Create returns the statement that creates the workflow.
func (w Workflow) Create() string {
	if w.MaterializedView {
		return "CREATE MATERIALIZED VIEW " + w.Name + " AS " + w.Query
	}
	return "CREATE WORKFLOW " + w.Name + " AS " + w.Query
}

var directive = regexp.MustCompile(`^(workflow|mv|batch) ([a-z_][a-z0-9_]*):\s*(.*)$`)

// ReadCases reads a case file. Its little language, one directive a line,
// and lines that start with white space continue the one before:
//
//	# a comment
//	case NAME
//	workflow NAME: QUERY      CREATE WORKFLOW NAME AS QUERY
//	mv NAME: QUERY            CREATE MATERIALIZED VIEW NAME AS QUERY
//	batch NAME: QUERY         check workflow NAME against QUERY instead
func ReadCases(r io.Reader) ([]Case, error) {
	var cases []Case
	var lines []string
	var starts []int
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
		case l[0] == ' ' || l[0] == '\t':
			if len(lines) == 0 {
				return nil, fmt.Errorf("line %d: a continuation without a directive", n)
			}
			lines[len(lines)-1] += " " + strings.TrimSpace(l)
		default:
			lines = append(lines, l)
			starts = append(starts, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for i, l := range lines {
		if name, ok := strings.CutPrefix(l, "case "); ok {
			cases = append(cases, Case{Name: strings.TrimSpace(name), Line: starts[i]})
			continue
		}
		m := directive.FindStringSubmatch(l)
		if m == nil || len(cases) == 0 {
			return nil, fmt.Errorf("line %d: expected a case, workflow, mv or batch directive: %s", starts[i], l)
		}
		c := &cases[len(cases)-1]
		switch m[1] {
		case "batch":
			found := false
			for k := range c.Workflows {
				if c.Workflows[k].Name == m[2] {
					c.Workflows[k].Batch, found = m[3], true
				}
			}
			if !found {
				return nil, fmt.Errorf("line %d: batch for an unknown workflow %s", starts[i], m[2])
			}
		default:
			c.Workflows = append(c.Workflows, Workflow{Name: m[2], Query: m[3], Batch: m[3], MaterializedView: m[1] == "mv"})
		}
	}
	for i := range cases {
		c := &cases[i]
		if len(c.Workflows) == 0 {
			return nil, fmt.Errorf("line %d: case %s has no workflow", c.Line, c.Name)
		}
		for _, in := range Inputs {
			word := regexp.MustCompile(`\b` + in + `\b`)
			for _, w := range c.Workflows {
				if word.MatchString(w.Query) || word.MatchString(w.Batch) {
					c.Inputs = append(c.Inputs, in)
					break
				}
			}
		}
		if len(c.Inputs) == 0 {
			return nil, fmt.Errorf("line %d: case %s reads none of %v", c.Line, c.Name, Inputs)
		}
	}
	return cases, nil
}
