package incrtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Schema creates the inputs the differential cases read: two streams and
// two tables, with integer, text, numeric, float, date and boolean columns
// that all take NULL.
var Schema = []string{
	"CREATE STREAM s1 (k int, v int, t text, n numeric, b bool)",
	"CREATE STREAM s2 (k int, w int, t text, f float8, d date)",
	"CREATE TABLE t1 (id int PRIMARY KEY, k int, name text, x int, amt numeric)",
	"CREATE TABLE t2 (id int PRIMARY KEY, t text, y int, d date)",
	"CREATE STREAM s3 (k int, ts timestamp, v int, WATERMARK FOR ts AS ts - INTERVAL '3 seconds')",
}

// Inputs are the names of the relations Schema creates.
var Inputs = []string{"s1", "s2", "t1", "t2", "s3"}

// Generator makes random atoms over Schema's inputs. Values come from small
// domains so that groups, join keys and ties collide often, and every
// column is sometimes NULL. Table updates and deletes pick rows by id, by
// join or group key, or by the current minimum and maximum, and sometimes
// delete everything.
type Generator struct {
	r      *rand.Rand
	inputs map[string]bool
	nextID map[string]int
	// clock is s3's event time in seconds: each atom of s3 moves it on a
	// little, and its events straddle it, some behind the watermark.
	clock int
}

// NewGenerator returns a generator of atoms touching only inputs (a
// non-empty subset of Inputs), reproducible from seed.
func NewGenerator(seed uint64, inputs []string) (*Generator, error) {
	g := &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), inputs: map[string]bool{}, nextID: map[string]int{"t1": 1, "t2": 1}}
	for _, in := range inputs {
		if !slices.Contains(Inputs, in) {
			return nil, fmt.Errorf("incrtest: %q is not one of the generator's inputs %v", in, Inputs)
		}
		g.inputs[in] = true
	}
	if len(g.inputs) == 0 {
		return nil, fmt.Errorf("incrtest: a generator needs inputs")
	}
	return g, nil
}

// value is a column value as SQL text (sql) and as COPY text (copy).
type value struct{ sql, copy string }

func null() value { return value{"NULL", `\N`} }

func (g *Generator) pick(nullPct int, f func() value) value {
	if g.r.IntN(100) < nullPct {
		return null()
	}
	return f()
}

func intValue(n int) value { s := fmt.Sprint(n); return value{s, s} }

func (g *Generator) intIn(lo, hi int) value {
	return g.pick(10, func() value { return intValue(lo + g.r.IntN(hi-lo+1)) })
}

var texts = []string{"a", "b", "c", "", "A b", "b'"}

func (g *Generator) text() value {
	return g.pick(10, func() value {
		s := texts[g.r.IntN(len(texts))]
		return value{"'" + strings.ReplaceAll(s, "'", "''") + "'", s}
	})
}

// Distinct numeric values only: equal values of different scales (1.0,
// 1.00) make min and max depend on the order rows are read, in PostgreSQL
// too.
var numerics = []string{"1.5", "-2.25", "3", "0.1", "10", "-7"}

func (g *Generator) numeric() value {
	return g.pick(10, func() value { s := numerics[g.r.IntN(len(numerics))]; return value{s, s} })
}

func (g *Generator) boolean() value {
	return g.pick(15, func() value {
		if g.r.IntN(2) == 0 {
			return value{"true", "t"}
		}
		return value{"false", "f"}
	})
}

func (g *Generator) s1Row() []value {
	return []value{g.intIn(0, 4), g.intIn(-3, 9), g.text(), g.numeric(), g.boolean()}
}

func (g *Generator) s2Row() []value {
	return []value{g.intIn(0, 4), g.intIn(0, 20), g.text(), g.float(), g.date()}
}

// Floats that are sums of powers of two, so that sums are exact in any
// order.
var floats = []string{"0.5", "-1.25", "3", "2.75", "0", "-0.5"}

func (g *Generator) float() value {
	return g.pick(10, func() value { s := floats[g.r.IntN(len(floats))]; return value{s, s} })
}

func (g *Generator) date() value {
	return g.pick(10, func() value { s := fmt.Sprintf("2024-01-0%d", 1+g.r.IntN(4)); return value{"'" + s + "'", s} })
}

// s3Row is an event of s3 whose time is near the clock: mostly ahead of
// the watermark (3 seconds behind the newest event), sometimes late, so
// windows close as atoms go by and late events are dropped.
func (g *Generator) s3Row() []value {
	ts := g.pick(5, func() value {
		at := 1704067200 + g.clock + g.r.IntN(7) - 5 // 2024-01-01 00:00:00 UTC + clock
		s := time.Unix(int64(at), 0).UTC().Format("2006-01-02 15:04:05")
		return value{"'" + s + "'", s}
	})
	return []value{g.intIn(0, 3), ts, g.intIn(-3, 9)}
}

func (g *Generator) insertS3(n int) string {
	g.clock += g.r.IntN(3)
	return "INSERT INTO s3 VALUES " + g.rows(n, g.s3Row)
}

func (g *Generator) rows(n int, row func() []value) string {
	parts := make([]string, n)
	for i := range parts {
		vs := row()
		s := make([]string, len(vs))
		for k, v := range vs {
			s[k] = v.sql
		}
		parts[i] = "(" + strings.Join(s, ", ") + ")"
	}
	return strings.Join(parts, ", ")
}

func (g *Generator) insertS1(n int) string { return "INSERT INTO s1 VALUES " + g.rows(n, g.s1Row) }
func (g *Generator) insertS2(n int) string { return "INSERT INTO s2 VALUES " + g.rows(n, g.s2Row) }

func (g *Generator) copyS1(n int) Atom {
	var b strings.Builder
	for range n {
		vs := g.s1Row()
		for k, v := range vs {
			if k > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(v.copy)
		}
		b.WriteByte('\n')
	}
	return Atom{CopyTo: "s1", CopyData: b.String()}
}

func (g *Generator) newID(table string) int {
	id := g.nextID[table]
	g.nextID[table]++
	return id
}

// someID is an id that was inserted, and may have been deleted since.
func (g *Generator) someID(table string) int { return 1 + g.r.IntN(max(1, g.nextID[table]-1)) }

func (g *Generator) insertT1(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("(%d, %s, %s, %s, %s)", g.newID("t1"), g.intIn(0, 4).sql, g.text().sql, g.intIn(0, 10).sql, g.numeric().sql)
	}
	return "INSERT INTO t1 VALUES " + strings.Join(parts, ", ")
}

func (g *Generator) insertT2(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("(%d, %s, %s, %s)", g.newID("t2"), g.text().sql, g.intIn(0, 10).sql, g.date().sql)
	}
	return "INSERT INTO t2 VALUES " + strings.Join(parts, ", ")
}

func (g *Generator) changeT1() string {
	switch g.r.IntN(11) {
	case 10:
		return fmt.Sprintf("UPDATE t1 SET amt = %s WHERE id = %d", g.numeric().sql, g.someID("t1"))
	case 0:
		return fmt.Sprintf("UPDATE t1 SET k = %s WHERE id = %d", g.intIn(0, 4).sql, g.someID("t1"))
	case 1:
		return fmt.Sprintf("UPDATE t1 SET k = k + 1 WHERE k >= %d", g.r.IntN(5))
	case 2:
		return fmt.Sprintf("UPDATE t1 SET x = %s WHERE id = %d", g.intIn(0, 10).sql, g.someID("t1"))
	case 3:
		return fmt.Sprintf("UPDATE t1 SET name = %s, x = x + 1 WHERE k = %d", g.text().sql, g.r.IntN(5))
	case 4, 5:
		return fmt.Sprintf("DELETE FROM t1 WHERE id = %d", g.someID("t1"))
	case 6:
		return "DELETE FROM t1 WHERE x = (SELECT max(x) FROM t1)"
	case 7:
		return "DELETE FROM t1 WHERE x = (SELECT min(x) FROM t1)"
	case 8:
		return fmt.Sprintf("DELETE FROM t1 WHERE k = %d", g.r.IntN(5))
	default:
		if g.r.IntN(3) == 0 {
			return "DELETE FROM t1"
		}
		return fmt.Sprintf("UPDATE t1 SET k = NULL WHERE id = %d", g.someID("t1"))
	}
}

func (g *Generator) changeT2() string {
	switch g.r.IntN(7) {
	case 6:
		return fmt.Sprintf("UPDATE t2 SET d = %s WHERE id = %d", g.date().sql, g.someID("t2"))
	case 0:
		return fmt.Sprintf("UPDATE t2 SET t = %s WHERE id = %d", g.text().sql, g.someID("t2"))
	case 1:
		return fmt.Sprintf("UPDATE t2 SET y = %s WHERE id = %d", g.intIn(0, 10).sql, g.someID("t2"))
	case 2, 3:
		return fmt.Sprintf("DELETE FROM t2 WHERE id = %d", g.someID("t2"))
	case 4:
		return "DELETE FROM t2 WHERE y = (SELECT max(y) FROM t2)"
	default:
		if g.r.IntN(4) == 0 {
			return "DELETE FROM t2"
		}
		return fmt.Sprintf("UPDATE t2 SET t = 'a' WHERE t = %s", g.text().sql)
	}
}

// Next returns a random atom over the generator's inputs.
func (g *Generator) Next() Atom {
	type kind struct {
		weight int
		needs  []string
		make   func() Atom
	}
	one := func(s string) Atom { return Atom{Stmts: []string{s}} }
	kinds := []kind{
		{6, []string{"s1"}, func() Atom { return one(g.insertS1(1)) }},
		{6, []string{"s1"}, func() Atom { return one(g.insertS1(2 + g.r.IntN(5))) }},
		{3, []string{"s1"}, func() Atom { return g.copyS1(1 + g.r.IntN(6)) }},
		{6, []string{"s2"}, func() Atom { return one(g.insertS2(1 + g.r.IntN(4))) }},
		{4, []string{"s1", "s2"}, func() Atom {
			return Atom{Stmts: []string{g.insertS1(1 + g.r.IntN(3)), g.insertS2(1 + g.r.IntN(3))}}
		}},
		{5, []string{"t1"}, func() Atom { return one(g.insertT1(1 + g.r.IntN(3))) }},
		{8, []string{"s3"}, func() Atom { return one(g.insertS3(1 + g.r.IntN(4))) }},
		{2, []string{"s3", "t1"}, func() Atom { return Atom{Stmts: []string{g.insertS3(1 + g.r.IntN(2)), g.changeT1()}} }},
		{7, []string{"t1"}, func() Atom { return one(g.changeT1()) }},
		{5, []string{"t2"}, func() Atom { return one(g.insertT2(1 + g.r.IntN(3))) }},
		{5, []string{"t2"}, func() Atom { return one(g.changeT2()) }},
		{3, []string{"t1", "s1"}, func() Atom { return Atom{Stmts: []string{g.changeT1(), g.insertS1(1 + g.r.IntN(3))}} }},
		{3, []string{"t1", "t2"}, func() Atom {
			return Atom{Stmts: []string{g.insertT1(1), g.changeT2(), g.changeT1()}}
		}},
	}
	// Every input has a kind of its own, so usable is never empty.
	total := 0
	var usable []kind
	for _, k := range kinds {
		ok := true
		for _, n := range k.needs {
			ok = ok && g.inputs[n]
		}
		if ok {
			usable = append(usable, k)
			total += k.weight
		}
	}
	w := g.r.IntN(total)
	for _, k := range usable[:len(usable)-1] {
		if w < k.weight {
			return k.make()
		}
		w -= k.weight
	}
	return usable[len(usable)-1].make()
}
