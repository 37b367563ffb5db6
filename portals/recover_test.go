package portals

import (
	"context"
	"testing"

	"portalsdb/pgerror"
)

// TestStoppedWaitsForRecovery: until a workflow has loaded its stored
// status, Stopped does not answer from the blank status it starts with (a
// session reading right after a restart would call a stopped workflow
// running): it waits, and gives up only when its statement does. Once
// recovered, a stop read from storage is reported.
func TestStoppedWaitsForRecovery(t *testing.T) {
	w := &Workflow{spec: WorkflowSpec{OID: 7, Name: "wf"}, recovered: make(chan struct{}), done: make(chan struct{}),
		progress: newSignal()}
	rt := &Runtime{workflows: map[uint32]*Workflow{7: w}}
	if w.Recovered() {
		t.Fatal("a workflow whose runner has not loaded its status says it is recovered")
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	stale, err := rt.Stopped(canceled, []uint32{7})
	if e, ok := err.(*pgerror.Error); !ok || e.Code != pgerror.QueryCanceled {
		t.Fatalf("Stopped before recovery, statement canceled: %v, %v; want it to wait and report 57014", stale, err)
	}

	w.setFailed(5, pgerror.New(pgerror.DivisionByZero, "division by zero"))
	close(w.recovered)
	if !w.Recovered() {
		t.Fatal("a recovered workflow says it is not")
	}
	stale, err = rt.Stopped(context.Background(), []uint32{7, 8})
	if err != nil || len(stale) != 1 || stale[0] != w {
		t.Fatalf("Stopped after recovering a stop: %v, %v; want the workflow", stale, err)
	}
}
