package streambench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestRunTiny runs every workload on tiny sizes so the benchmark cannot
// rot: each workflow's result must agree with its hand loop's (Run records
// a disagreement as the workload's error), the batch recomputation's with
// its loop over its atoms, and every figure must be filled in.
func TestRunTiny(t *testing.T) {
	rs, err := Run(context.Background(), Options{Events: 3001, AtomRows: 250, BatchAtoms: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(Workloads) {
		t.Fatalf("%d results for %d workloads", len(rs), len(Workloads))
	}
	for _, r := range rs {
		if r.Error != "" {
			t.Errorf("%s: %s", r.Workload, r.Error)
			continue
		}
		if r.ResultRows == 0 || r.EventsPerSec <= 0 || r.EventsPerCoreSec <= 0 || r.Loop.EventsPerSec <= 0 || r.Loop.EventsPerCoreSec <= 0 || r.Ratio <= 0 || r.PeakHeapMB <= 0 {
			t.Errorf("%s: missing figures: %+v", r.Workload, r)
		}
		if r.Batch == nil || r.Batch.Atoms != 3 || r.Batch.EventsPerSec <= 0 {
			t.Errorf("%s: batch recompute: %+v", r.Workload, r.Batch)
		}
	}
	var table, js bytes.Buffer
	WriteTable(&table, rs)
	for _, w := range Workloads {
		if !strings.Contains(table.String(), w.Name) {
			t.Errorf("the table lacks %s:\n%s", w.Name, table.String())
		}
	}
	if err := WriteJSON(&js, rs); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back) != len(rs) {
		t.Fatalf("JSON: %v, %d results", err, len(back))
	}
}

// TestLoopsAgreeWithSQL checks the hand loops' results against numbers
// worked out by hand on a few events, so that a wrong loop cannot make a
// wrong workflow pass.
func TestLoopsAgreeWithSQL(t *testing.T) {
	// n = 1..6: 1, 2, 4, 5 pass n % 3 <> 0.
	rows, sum := loopFilterProject([]Atom{{From: 1, To: 3}, {From: 4, To: 6}})
	want := int64(0)
	for _, n := range []int64{1, 2, 4, 5} {
		want += n * 7 % 10000 * 908 / 1000
	}
	if rows != 4 || sum != want {
		t.Errorf("filter_project: %d rows, checksum %d; want 4, %d", rows, sum, want)
	}
	// n and n + Keys share a key.
	rows, sum = loopKeyedAggregate([]Atom{{From: 1, To: 2}, {From: Keys + 1, To: Keys + 1}})
	if want := int64(2*1000003 + (Keys+2)%1000003 + 1*1000003 + 2); rows != 2 || sum != want {
		t.Errorf("keyed_aggregate: %d rows, checksum %d; want 2, %d", rows, sum, want)
	}
	// Orders 1..3, payments 2..5: 2 and 3 match.
	rows, sum = loopStreamJoin([]Atom{{Stream: 0, From: 1, To: 3}, {Stream: 1, From: 2, To: 5}})
	if want := int64(2%100*10 + 2%7 + 3%100*10 + 3%7); rows != 2 || sum != want {
		t.Errorf("stream_join: %d rows, checksum %d; want 2, %d", rows, sum, want)
	}
	// The atoms interleave the streams and cover every event once.
	as := atoms(Workloads[2], 7, 2)
	var total int64
	for _, a := range as {
		total += a.To - a.From + 1
	}
	if total != 7 || as[0].Stream != 0 || as[1].Stream != 1 {
		t.Errorf("atoms: %+v", as)
	}
}
