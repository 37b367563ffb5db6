// Package portals is the runtime of atomic streams and workflows: it runs
// each workflow's dataflow over its inputs' atoms in the global commit
// order, and commits, per input atom and in one storage transaction, the
// change to the workflow's result, its operators' state, its output atom
// and its input position. That one commit is what makes processing
// exactly-once: after a crash a workflow resumes from its last committed
// position with the state that went with it.
//
//	storage logs ──atoms──▶ Runtime ──Step──▶ exec.Dataflow ──changes──▶ result, state, output log
//
// The result is a multiset kept as one key per distinct row with its count.
// A workflow keeps the hashes of its result's keys in memory with their
// counts (about 40 bytes a row), built from storage when it starts, so that
// most rows it inserts (certainly new) and retracts (the one key of their
// hash) are written without first reading their count.
//
// The output log is written only once something reads it (Workflow.
// EnsureLog: a SUBSCRIBE, a workflow over this one); until then each
// output row is written once, to the result.
//
// An append-only workflow (WorkflowSpec.AppendOnly: its output never
// retracts) keeps no counted rows and no key hashes: its output log, on
// from the start, is its result, and each output row is written once, to
// the log, in the commit that records the position (see exec.ReadResult).
//
// A generator stream's atoms hold only their event ranges: a generator's
// event i is a pure function of its arguments and i, so every reader makes
// the events again (exec.AtomReader), from the generator the runtime runs
// or, when it does not, one the SQL layer builds from the stream's
// definition (Runtime.Generator, GeneratorCatalog).
//
// portals knows storage and exec (dataflows, change batches); it knows
// nothing of SQL text, the planner or sessions. The SQL layer builds
// dataflows and hands them in through WorkflowSpec.
package portals
