package exec

import (
	"math"
	"math/rand/v2"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// Aggregates over every kind of state an IncrAggregate keeps, and random
// atoms of changes over them, shared by the tests that compare the
// aggregate's layouts with each other and with state saved by earlier
// versions.

// mixedInputTypes are the columns of the rows mixedAggregate reads:
// (k int8, g text, x int8, i int4, s int2, f float8, r float4, d numeric,
// b bool).
var mixedInputTypes = []types.T{types.Int8Type, types.TextType, types.Int8Type, types.Int4Type, types.Int2Type,
	types.Float8Type, types.Float4Type, types.NumericType, types.BoolType}

// mixedAgg names an aggregate over columns of mixedInputTypes.
type mixedAgg struct {
	name     string
	cols     []int // argument columns; none for count(*)
	distinct bool
	filter   bool // FILTER (WHERE b)
}

// fixtureAggs are the aggregates of testdata/agg_state_v0.json: the
// fixture was saved by an aggregate of exactly these, over the atoms of
// newMixedAtoms, so neither may change.
var fixtureAggs = []mixedAgg{
	{name: "count"}, {name: "count", cols: []int{2}},
	{name: "sum", cols: []int{2}}, {name: "sum", cols: []int{3}}, {name: "sum", cols: []int{4}},
	{name: "avg", cols: []int{2}}, {name: "avg", cols: []int{3}}, {name: "avg", cols: []int{4}},
	{name: "sum", cols: []int{5}}, {name: "avg", cols: []int{5}}, {name: "sum", cols: []int{6}},
	{name: "sum", cols: []int{7}}, {name: "avg", cols: []int{7}},
	{name: "min", cols: []int{2}}, {name: "max", cols: []int{7}}, {name: "max", cols: []int{1}},
	{name: "bool_and", cols: []int{8}}, {name: "bool_or", cols: []int{8}},
	{name: "count", cols: []int{2}, distinct: true}, {name: "sum", cols: []int{3}, distinct: true},
	{name: "sum", cols: []int{2}, filter: true}, {name: "count", filter: true},
	{name: "string_agg", cols: []int{1, -1}},
}

// mixedAggs are fixtureAggs and more.
var mixedAggs = append(append([]mixedAgg(nil), fixtureAggs...),
	mixedAgg{name: "avg", cols: []int{6}}, mixedAgg{name: "every", cols: []int{8}},
	mixedAgg{name: "min", cols: []int{5}, filter: true}, mixedAgg{name: "avg", cols: []int{2}, distinct: true})

// mixedAggregate returns an aggregate of mixedAggs grouped by k and g, or,
// when global, without GROUP BY, and its output types.
func mixedAggregate(t testing.TB, global bool) (*IncrAggregate, []types.T) {
	t.Helper()
	return mixedAggregateOf(t, global, mixedAggs)
}

// mixedAggregateOf is mixedAggregate of some of the aggregates.
func mixedAggregateOf(t testing.TB, global bool, aggs []mixedAgg) (*IncrAggregate, []types.T) {
	t.Helper()
	ids := make([]expr.ColumnID, len(mixedInputTypes))
	for i := range ids {
		ids[i] = expr.ColumnID(i + 1)
	}
	col := func(i int) expr.Expr { return &expr.ColRef{ID: ids[i], T: mixedInputTypes[i]} }
	var specs []AggSpec
	for _, m := range aggs {
		var args []expr.Expr
		var argTypes []types.T
		for _, c := range m.cols {
			if c < 0 {
				args = append(args, &expr.Const{Value: ",", T: types.TextType})
				argTypes = append(argTypes, types.TextType)
				continue
			}
			args = append(args, col(c))
			argTypes = append(argTypes, mixedInputTypes[c])
		}
		fn, resolved, ret, err := expr.Builtins.ResolveAgg(m.name, argTypes, len(args) == 0)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		spec := AggSpec{Fn: fn, Args: args, ArgTypes: resolved, Ret: ret, Distinct: m.distinct}
		if m.filter {
			spec.Filter = col(8)
		}
		specs = append(specs, spec)
	}
	var groupBy []expr.Expr
	var out []types.T
	if !global {
		groupBy = []expr.Expr{col(0), col(1)}
		out = []types.T{types.Int8Type, types.TextType}
	}
	a, err := NewIncrAggregate(groupBy, specs, Layout(ids))
	if err != nil {
		t.Fatal(err)
	}
	return a, append(out, aggTypes(specs)...)
}

// mixedAtoms makes random atoms of changes over mixedInputTypes: rows are
// inserted, and rows inserted earlier retracted, so that groups come, go
// and come back. Some int8 values are near the ends of the range, so that
// sums leave it.
type mixedAtoms struct {
	rng  *rand.Rand
	live [][]types.Datum
	// keys is the number of distinct group keys.
	keys int
}

func newMixedAtoms(seed uint64, keys int) *mixedAtoms {
	return &mixedAtoms{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), keys: keys}
}

func (m *mixedAtoms) row() []types.Datum {
	r := m.rng
	maybeNull := func(d types.Datum) types.Datum {
		if r.IntN(10) == 0 {
			return nil
		}
		return d
	}
	x := int64(r.IntN(2001) - 1000)
	switch r.IntN(8) {
	case 0:
		x = math.MaxInt64 - int64(r.IntN(100))
	case 1:
		x = math.MinInt64 + int64(r.IntN(100))
	}
	d, err := types.ParseText(types.NumericType, []string{"1.5", "2.25", "-3", "0.125", "100", "-0.5"}[r.IntN(6)], &types.Env{})
	if err != nil {
		panic(err)
	}
	groups := []string{"a", "b", "c"}
	return []types.Datum{
		int64(r.IntN(m.keys)), groups[r.IntN(len(groups))], maybeNull(x),
		maybeNull(int64(r.IntN(2_000_000_001) - 1_000_000_000)), maybeNull(int64(r.IntN(65535) - 32767)),
		maybeNull(float64(r.IntN(64)) / 4), maybeNull(float64(r.IntN(16)) / 2), maybeNull(d), maybeNull(r.IntN(3) > 0),
	}
}

// next returns an atom of about n changes.
func (m *mixedAtoms) next(n int) *batch.ChangeBatch {
	var ins, dels [][]types.Datum
	for range n {
		if len(m.live) > 0 && m.rng.IntN(3) == 0 {
			i := m.rng.IntN(len(m.live))
			dels = append(dels, m.live[i])
			m.live[i] = m.live[len(m.live)-1]
			m.live = m.live[:len(m.live)-1]
			continue
		}
		row := m.row()
		ins = append(ins, row)
		m.live = append(m.live, row)
	}
	return changesOf(mixedInputTypes, ins, dels)
}

// retractAll returns an atom that deletes every live row.
func (m *mixedAtoms) retractAll() *batch.ChangeBatch {
	dels := m.live
	m.live = nil
	return changesOf(mixedInputTypes, nil, dels)
}

// aggLayouts are the ways an aggregate can keep its states; tests run
// the same atoms through each.
var aggLayouts = []struct {
	name string
	set  func(*IncrAggregate)
}{
	{"fixed-width", func(*IncrAggregate) {}},
	{"general", func(a *IncrAggregate) { a.generalOnly = true; a.makeColumns() }},
}
