package streambench

import (
	"fmt"
	"strings"
)

// A Workload is one workflow shape: the streams it reads (each a series
// generator of bigint n counting from 1), its query, the check query
// that sums up its result in two numbers, and the hand-written loop that
// does the same work on the same events and must reach the same check.
type Workload struct {
	Name        string
	Description string
	Streams     []string
	Query       string
	// Check returns (rows, checksum) of the workflow's result; it reads
	// the relation named by {rel}.
	Check string
	// Loop runs the hand-written version over atoms of the streams' events,
	// in the order the workflow sees them, and returns the same two
	// numbers.
	Loop func(atoms []Atom) (rows, checksum int64)
}

// Atom is a range of one stream's events, the unit the generators commit.
type Atom struct {
	Stream   int
	From, To int64 // n from From to To inclusive
}

// Keys is the number of distinct keys of the keyed aggregate.
const Keys = 1_000_000

// keyOf spreads n over Keys keys; 7919 is prime and coprime with 10^6, so
// consecutive events hit scattered keys and every key is hit equally.
func keyOf(n int64) int64 { return n * 7919 % Keys }

// Workloads are the three shapes, in the order the benchmark runs them.
var Workloads = []Workload{
	{
		Name:        "filter_project",
		Description: "filter and projection (Nexmark q1/q2 shape)",
		Streams:     []string{"bids"},
		Query:       "SELECT n % 10007 AS auction, n AS bidder, n * 7 % 10000 * 908 / 1000 AS price FROM bids WHERE n % 3 <> 0",
		Check:       "SELECT count(*), coalesce(sum(price), 0) FROM {rel}",
		Loop:        loopFilterProject,
	},
	{
		Name:        "keyed_aggregate",
		Description: fmt.Sprintf("count and sum grouped by a key of %d values", Keys),
		Streams:     []string{"bids"},
		Query:       fmt.Sprintf("SELECT n * 7919 %% %d AS k, count(*) AS c, sum(n) AS s FROM bids GROUP BY n * 7919 %% %d", Keys, Keys),
		Check:       "SELECT count(*), coalesce(sum(c * 1000003 + s % 1000003), 0) FROM {rel}",
		Loop:        loopKeyedAggregate,
	},
	{
		Name:        "stream_join",
		Description: "inner equi-join of two streams, both sides kept",
		Streams:     []string{"orders", "payments"},
		Query:       "SELECT o.n AS id, o.n % 100 AS region, p.n % 7 AS method FROM orders o JOIN payments p ON o.n = p.n",
		Check:       "SELECT count(*), coalesce(sum(region * 10 + method), 0) FROM {rel}",
		Loop:        loopStreamJoin,
	},
}

// workload returns the workload of that name.
func workload(name string) (Workload, error) {
	var names []string
	for _, w := range Workloads {
		if w.Name == name {
			return w, nil
		}
		names = append(names, w.Name)
	}
	return Workload{}, fmt.Errorf("streambench: no workload %q (have %s)", name, strings.Join(names, ", "))
}

// The hand loops keep their results the way a program that knows its one
// query would: the filter's output rows in a slice, the aggregate's groups
// and the join's two sides in maps.

func loopFilterProject(atoms []Atom) (int64, int64) {
	type row struct{ auction, bidder, price int64 }
	var out []row
	for _, a := range atoms {
		for n := a.From; n <= a.To; n++ {
			if n%3 != 0 {
				out = append(out, row{n % 10007, n, n * 7 % 10000 * 908 / 1000})
			}
		}
	}
	var sum int64
	for _, r := range out {
		sum += r.price
	}
	return int64(len(out)), sum
}

func loopKeyedAggregate(atoms []Atom) (int64, int64) {
	type acc struct{ c, s int64 }
	groups := make(map[int64]*acc)
	for _, a := range atoms {
		for n := a.From; n <= a.To; n++ {
			k := keyOf(n)
			g := groups[k]
			if g == nil {
				g = &acc{}
				groups[k] = g
			}
			g.c++
			g.s += n
		}
	}
	var sum int64
	for _, g := range groups {
		sum += g.c*1000003 + g.s%1000003
	}
	return int64(len(groups)), sum
}

func loopStreamJoin(atoms []Atom) (int64, int64) {
	// A symmetric hash join: each side's rows by key, probed by the
	// other side's new rows.
	sides := [2]map[int64]int64{{}, {}}
	var rows, sum int64
	for _, a := range atoms {
		mine, other := sides[a.Stream], sides[1-a.Stream]
		for n := a.From; n <= a.To; n++ {
			mine[n]++
			if m := other[n]; m > 0 {
				rows += m
				sum += m * (n%100*10 + n%7)
			}
		}
	}
	return rows, sum
}
