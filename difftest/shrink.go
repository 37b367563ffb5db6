package difftest

import (
	"context"
	"strings"
)

// Shrinker reduces a failing case to a small one with the same kind of
// difference.
type Shrinker struct {
	R *Runner
	// MaxTrials bounds the cases run while shrinking.
	MaxTrials int
	trials    int
}

// Shrink returns the smallest case it finds whose last statement still
// differs as out.Diff does.
func (sh *Shrinker) Shrink(ctx context.Context, c *Case, out *Outcome) (*Case, *Outcome, error) {
	sh.trials = 0
	cur := &Case{Setup: c.Setup, Stmts: c.Stmts}
	if out.Stmt >= 0 {
		cur.Stmts = cur.Stmts[:out.Stmt+1]
	} else {
		cur.Stmts = nil
	}
	curOut := out
	// try runs a candidate and keeps it when it differs alike.
	try := func(cand *Case) (bool, error) {
		if sh.trials >= sh.MaxTrials || ctx.Err() != nil {
			return false, ctx.Err()
		}
		sh.trials++
		o, err := sh.R.Run(ctx, cand)
		if err != nil {
			// A candidate PostgreSQL cannot set up is not a reduction.
			if strings.Contains(err.Error(), errGenerator.Error()) {
				return false, nil
			}
			return false, err
		}
		wantStmt := len(cand.Stmts) - 1
		if out.Stmt < 0 {
			wantStmt = -1
		}
		if o == nil || o.Stmt != wantStmt || !out.Diff.same(o.Diff) {
			return false, nil
		}
		cur, curOut = cand, o
		return true, nil
	}
	for round := 0; round < 4; round++ {
		progress := false
		for _, step := range []func(func(*Case) (bool, error), *Case) (bool, error){
			sh.dropStatements, sh.shrinkStatements, sh.shrinkSetup,
		} {
			changed, err := step(try, cur)
			if err != nil {
				return cur, curOut, err
			}
			progress = progress || changed
		}
		if !progress || sh.trials >= sh.MaxTrials {
			break
		}
	}
	// Leave the servers with the shrunk case's setup, as the finding's
	// expected answers are read from them.
	return cur, curOut, nil
}

type tryFunc = func(*Case) (bool, error)

// dropStatements drops statements before the last one.
func (sh *Shrinker) dropStatements(try tryFunc, c *Case) (bool, error) {
	changed := false
	for i := len(c.Stmts) - 2; i >= 0; i-- {
		cand := &Case{Setup: c.Setup, Stmts: without(c.Stmts, i)}
		ok, err := try(cand)
		if err != nil {
			return changed, err
		}
		if ok {
			c = cand
			changed = true
		}
	}
	return changed, nil
}

// shrinkStatements simplifies each statement's tree, one edit at a time,
// restarting after each edit that keeps the difference.
func (sh *Shrinker) shrinkStatements(try tryFunc, c *Case) (bool, error) {
	changed := false
	for i := len(c.Stmts) - 1; i >= 0; i-- {
		for {
			st := c.Stmts[i]
			if _, raw := st.Node.(*Raw); raw {
				break
			}
			accepted := false
			size := nodeCount(st.Node)
			text := len(SQL(st.Node))
			for _, v := range variants(st.Node) {
				if vs := nodeCount(v); vs > size || vs == size && len(SQL(v)) >= text {
					continue
				}
				stmts := append([]Stmt(nil), c.Stmts...)
				stmts[i] = Stmt{Node: v, Ordered: st.Ordered}
				if sel, ok := v.(*Select); ok {
					stmts[i].Ordered = sel.Ordered
				}
				cand := &Case{Setup: c.Setup, Stmts: stmts}
				ok, err := try(cand)
				if err != nil {
					return changed, err
				}
				if ok {
					c = cand
					accepted, changed = true, true
					break
				}
			}
			if !accepted {
				break
			}
		}
	}
	return changed, nil
}

// variants lists every tree one edit away from n: a simpler form of n or of
// one of its parts, or a part replaced by a literal.
func variants(n Node) []Node {
	var out []Node
	out = append(out, n.simpler()...)
	if e, ok := n.(Expr); ok {
		out = append(out, literalsFor(e)...)
	}
	kids := n.kids()
	for i, k := range kids {
		if k == nil {
			continue
		}
		for _, v := range variants(k) {
			nk := append([]Node(nil), kids...)
			nk[i] = v
			out = append(out, n.withKids(nk))
		}
	}
	return out
}

// literalsFor are the literals that may replace e.
func literalsFor(e Expr) []Node {
	if l, ok := e.(*Lit); ok && (l.isNull() || len(l.Text) <= 2) {
		return nil
	}
	var out []Node
	switch e.Type() {
	case TInt:
		out = append(out, intLit(1), intLit(0))
	case TFloat:
		out = append(out, &Lit{Text: "CAST(1.5 AS FLOAT)", T: TFloat})
	case TNumeric:
		out = append(out, &Lit{Text: "1.5", T: TNumeric})
	case TText:
		out = append(out, textLit("a"))
	case TBool:
		out = append(out, boolLit(true), boolLit(false))
	}
	return append(out, nullLit())
}

func nodeCount(n Node) int {
	c := 1
	for _, k := range n.kids() {
		if k != nil {
			c += nodeCount(k)
		}
	}
	return c
}

// shrinkSetup drops views, tables, indexes, keys, columns and rows.
func (sh *Shrinker) shrinkSetup(try tryFunc, c *Case) (bool, error) {
	changed := false
	attempt := func(s *Setup) (bool, error) {
		cand := &Case{Setup: s, Stmts: c.Stmts}
		ok, err := try(cand)
		if ok {
			c = cand
			changed = true
		}
		return ok, err
	}
	for i := len(c.Setup.Views) - 1; i >= 0; i-- {
		s := c.Setup.clone()
		s.Views = without(s.Views, i)
		if _, err := attempt(s); err != nil {
			return changed, err
		}
	}
	for i := len(c.Setup.Tables) - 1; i >= 0; i-- {
		s := c.Setup.clone()
		s.Tables = without(s.Tables, i)
		if _, err := attempt(s); err != nil {
			return changed, err
		}
	}
	for ti := range c.Setup.Tables {
		for k := len(c.Setup.Tables[ti].Indexes) - 1; k >= 0; k-- {
			s := c.Setup.clone()
			s.Tables[ti].Indexes = without(s.Tables[ti].Indexes, k)
			if _, err := attempt(s); err != nil {
				return changed, err
			}
		}
		if len(c.Setup.Tables[ti].PK) > 0 {
			s := c.Setup.clone()
			s.Tables[ti].PK = nil
			if _, err := attempt(s); err != nil {
				return changed, err
			}
		}
		// Rows, in halves, quarters, ... down to single rows.
		for chunk := (len(c.Setup.Tables[ti].Rows) + 1) / 2; chunk >= 1; chunk /= 2 {
			for start := 0; start < len(c.Setup.Tables[ti].Rows); {
				s := c.Setup.clone()
				t := s.Tables[ti]
				end := min(start+chunk, len(t.Rows))
				t.Rows = append(append([][]string(nil), t.Rows[:start]...), t.Rows[end:]...)
				ok, err := attempt(s)
				if err != nil {
					return changed, err
				}
				if !ok {
					start += chunk
				}
			}
		}
		for k := len(c.Setup.Tables[ti].Cols) - 1; k >= 0 && len(c.Setup.Tables[ti].Cols) > 1; k-- {
			s := c.Setup.clone()
			s.Tables[ti].dropColumn(k)
			if _, err := attempt(s); err != nil {
				return changed, err
			}
		}
	}
	return changed, nil
}
