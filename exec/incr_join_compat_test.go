package exec

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// The join's saved state must stay readable across versions of the
// operator: a data directory written before a change of its in-memory
// layout recovers. testdata/join_state_v1.json was written by the join as
// it was before its state moved into flat slices (commit feb545b, with
// PORTALSDB_WRITE_JOIN_GOLDEN=1): for each scenario, every atom's output,
// the state saved after all atoms but the last, and the output and state
// of the last atom run by an operator loaded from that state. See
// docs/decisions/0010-join-state-layout.md.

const joinGoldenFile = "testdata/join_state_v1.json"

type joinCompatAtom struct {
	leftIns, leftDels, rightIns, rightDels [][]types.Datum
}

type joinCompatScenario struct {
	name   string
	kind   JoinKind
	lt, rt []types.T
	// lkeys and rkeys are column ordinals of each side.
	lkeys, rkeys []int
	// residual builds the residual condition over the columns of both
	// sides (ids 1.. for the left, then the right's); nil for none.
	residual func(tb testing.TB, cols []expr.Expr) expr.Expr
	atoms    []joinCompatAtom
}

func (s joinCompatScenario) join(tb testing.TB) *IncrJoin {
	tb.Helper()
	var lids, rids, all []expr.ColumnID
	var cols []expr.Expr
	for i, t := range s.lt {
		lids = append(lids, expr.ColumnID(i+1))
		cols = append(cols, &expr.ColRef{ID: expr.ColumnID(i + 1), T: t})
	}
	for i, t := range s.rt {
		id := expr.ColumnID(len(s.lt) + i + 1)
		rids = append(rids, id)
		cols = append(cols, &expr.ColRef{ID: id, T: t})
	}
	all = append(append(all, lids...), rids...)
	spec := JoinSpec{Kind: s.kind, LeftTypes: s.lt, RightTypes: s.rt,
		LeftLayout: Layout(lids), RightLayout: Layout(rids), Layout: Layout(all)}
	for _, k := range s.lkeys {
		spec.LeftKeys = append(spec.LeftKeys, cols[k])
	}
	for _, k := range s.rkeys {
		spec.RightKeys = append(spec.RightKeys, cols[len(s.lt)+k])
	}
	if s.residual != nil {
		spec.Residual = s.residual(tb, cols)
	}
	j, err := NewIncrJoin(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

func timestampOf(s string) types.Datum {
	v, err := types.ParseText(types.TimestampType, s, nil)
	if err != nil {
		panic(err)
	}
	return v
}

func numericOf(s string) types.Datum {
	v, err := types.ParseText(types.NumericType, s, nil)
	if err != nil {
		panic(err)
	}
	return v
}

func dateOf(s string) types.Datum {
	v, err := types.ParseText(types.DateType, s, nil)
	if err != nil {
		panic(err)
	}
	return v
}

func joinCompatScenarios() []joinCompatScenario {
	i4, i8, text := types.Int4Type, types.Int8Type, types.TextType
	return []joinCompatScenario{
		{
			name: "left_int4", kind: LeftJoin,
			lt: []types.T{i4, text, types.NumericType}, rt: []types.T{i4, types.TimestampType},
			lkeys: []int{0}, rkeys: []int{0},
			atoms: []joinCompatAtom{
				{leftIns: [][]types.Datum{{int64(1), "a", numericOf("1.50")}, {int64(-7), "neg", nil}, {nil, "nullkey", numericOf("0")}, {int64(1), "a", numericOf("1.50")}}},
				{rightIns: [][]types.Datum{{int64(1), timestampOf("2026-01-01 10:00:00")}, {int64(0), nil}, {int64(-7), timestampOf("1999-12-31 23:59:59.5")}}},
				{leftIns: [][]types.Datum{{int64(0), "zero", numericOf("-2")}}, rightDels: [][]types.Datum{{int64(-7), timestampOf("1999-12-31 23:59:59.5")}}},
				{leftDels: [][]types.Datum{{int64(1), "a", numericOf("1.50")}}, rightIns: [][]types.Datum{{int64(1), timestampOf("2026-01-02 00:00:00")}, {nil, nil}}},
			},
		},
		{
			name: "inner_composite_residual", kind: InnerJoin,
			lt: []types.T{i8, text}, rt: []types.T{i8, text, types.Float8Type},
			lkeys: []int{0, 1}, rkeys: []int{0, 1},
			residual: func(tb testing.TB, c []expr.Expr) expr.Expr { return benchCall(tb, ">", c[4], c[0]) },
			atoms: []joinCompatAtom{
				{leftIns: [][]types.Datum{{int64(1), "x"}, {int64(2), "x"}, {int64(2), ""}, {int64(-300), "héllo"}}},
				{rightIns: [][]types.Datum{{int64(1), "x", 0.5}, {int64(1), "x", 1.5}, {int64(2), "", 9.0}, {int64(-300), "héllo", -1e9}}},
				{leftIns: [][]types.Datum{{int64(1), "x"}}, rightDels: [][]types.Datum{{int64(2), "", 9.0}}},
				{leftDels: [][]types.Datum{{int64(1), "x"}, {int64(2), "x"}}, rightIns: [][]types.Datum{{int64(2), "x", 3.0}}},
			},
		},
		{
			name: "full_date", kind: FullJoin,
			lt: []types.T{types.DateType, types.BoolType}, rt: []types.T{types.DateType, text},
			lkeys: []int{0}, rkeys: []int{0},
			atoms: []joinCompatAtom{
				{leftIns: [][]types.Datum{{dateOf("2026-11-27"), true}, {dateOf("1970-01-01"), false}, {nil, nil}}},
				{rightIns: [][]types.Datum{{dateOf("2026-11-27"), "today"}, {dateOf("1969-12-31"), "before"}, {nil, "null"}}},
				{leftIns: [][]types.Datum{{dateOf("1969-12-31"), true}}, rightIns: [][]types.Datum{{dateOf("2026-11-27"), "again"}}},
				{rightDels: [][]types.Datum{{dateOf("2026-11-27"), "today"}, {dateOf("2026-11-27"), "again"}}, leftDels: [][]types.Datum{{nil, nil}}},
			},
		},
		{
			name: "right_text", kind: RightJoin,
			lt: []types.T{text, i8}, rt: []types.T{text},
			lkeys: []int{0}, rkeys: []int{0},
			atoms: []joinCompatAtom{
				{rightIns: [][]types.Datum{{"k"}, {"k"}, {"other"}}},
				{leftIns: [][]types.Datum{{"k", int64(1)}, {"k", int64(2)}, {"k ", int64(3)}}},
				{leftDels: [][]types.Datum{{"k", int64(1)}}, rightDels: [][]types.Datum{{"k"}}},
				{leftDels: [][]types.Datum{{"k", int64(2)}}, rightIns: [][]types.Datum{{"k "}}},
			},
		},
	}
}

type joinGolden struct {
	Outputs   []string          `json:"outputs"`
	StateMid  map[string]string `json:"state_before_last"`
	StateLast map[string]string `json:"state_final"`
}

func hexState(m memState) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[hex.EncodeToString([]byte(k))] = hex.EncodeToString(v)
	}
	return out
}

// unhexState is hexState's inverse, for the golden state files.
func unhexState(tb testing.TB, m map[string]string) memState {
	tb.Helper()
	out := memState{}
	for k, v := range m {
		kb, err := hex.DecodeString(k)
		if err != nil {
			tb.Fatal(err)
		}
		vb, err := hex.DecodeString(v)
		if err != nil {
			tb.Fatal(err)
		}
		out[string(kb)] = vb
	}
	return out
}

func applyCompatAtom(tb testing.TB, s joinCompatScenario, j *IncrJoin, a joinCompatAtom) string {
	tb.Helper()
	out, err := j.Apply(incrContext(), []*batch.ChangeBatch{changesOf(s.lt, a.leftIns, a.leftDels), changesOf(s.rt, a.rightIns, a.rightDels)})
	if err != nil {
		tb.Fatal(err)
	}
	return showChanges(append(append([]types.T(nil), s.lt...), s.rt...), out)
}

// runCompat runs a scenario's atoms, all but the last on one operator and
// the last on an operator loaded from mid (the state saved before it).
func runCompat(tb testing.TB, s joinCompatScenario, mid func(saved memState) memState) joinGolden {
	tb.Helper()
	var g joinGolden
	j := s.join(tb)
	saved := memState{}
	last := len(s.atoms) - 1
	for _, a := range s.atoms[:last] {
		g.Outputs = append(g.Outputs, applyCompatAtom(tb, s, j, a))
		if err := j.Save(saved); err != nil {
			tb.Fatal(err)
		}
	}
	g.StateMid = hexState(saved)
	state := mid(saved)
	j = s.join(tb)
	if err := j.Load(state); err != nil {
		tb.Fatal(err)
	}
	g.Outputs = append(g.Outputs, applyCompatAtom(tb, s, j, s.atoms[last]))
	if err := j.Save(state); err != nil {
		tb.Fatal(err)
	}
	g.StateLast = hexState(state)
	return g
}

// The join writes the same state bytes and the same output as the version
// that wrote the golden file, and continues from that version's state.
func TestIncrJoinReadsStateOfPreviousVersion(t *testing.T) {
	path := filepath.Join(joinGoldenFile)
	if os.Getenv("PORTALSDB_WRITE_JOIN_GOLDEN") != "" {
		all := map[string]joinGolden{}
		for _, s := range joinCompatScenarios() {
			all[s.name] = runCompat(t, s, func(saved memState) memState { return saved })
		}
		b, err := json.MarshalIndent(all, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]joinGolden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for _, s := range joinCompatScenarios() {
		w, ok := want[s.name]
		if !ok {
			t.Fatalf("%s: not in %s", s.name, path)
		}
		// The last atom runs on the state the previous version saved.
		got := runCompat(t, s, func(memState) memState { return unhexState(t, w.StateMid) })
		for i := range w.Outputs {
			if i >= len(got.Outputs) || got.Outputs[i] != w.Outputs[i] {
				t.Errorf("%s atom %d: got\n%v\nwant\n%s", s.name, i+1, got.Outputs, w.Outputs[i])
			}
		}
		for _, c := range []struct {
			what      string
			got, want map[string]string
		}{{"state before the last atom", got.StateMid, w.StateMid}, {"final state", got.StateLast, w.StateLast}} {
			if len(c.got) != len(c.want) {
				t.Errorf("%s %s: %d entries, want %d", s.name, c.what, len(c.got), len(c.want))
			}
			for k, v := range c.want {
				if c.got[k] != v {
					t.Errorf("%s %s: key %s = %q, want %q", s.name, c.what, k, c.got[k], v)
				}
			}
		}
	}
}
