// Package incrtest proves workflows right from the outside, over the wire:
// it drives a portalsdb server with pgx the way a client would, and checks
// the properties the design promises of workflows.
//
//   - Incremental equals batch: after every input atom, a workflow's result
//     (SELECT * FROM wf) equals its query run by the batch engine over the
//     same inputs, as multisets, and a SUBSCRIBE's snapshot plus its
//     streamed changes equals it too.
//   - Atomic visibility: no read, from any session, sees part of an atom.
//   - Exactly-once across crashes: after SIGKILL and a restart, every
//     acknowledged input is there and every workflow equals the batch query
//     over the committed input.
//   - Failures: a workflow stops at the atom it cannot process, keeps what
//     it committed, and resumes or skips on command.
//   - Streams: a generator resumes across SIGKILL with every event once,
//     AS OF ATOM reads each earlier atom, retention trims old atoms.
//
// The package holds the harness (row multisets, a SUBSCRIBE follower, atoms
// of input and their random generator, the case file reader); the proofs
// are its tests, and the cases live in testdata/workflows. It sits above
// server and knows nothing of the engine's insides: everything it checks,
// a client could check.
package incrtest
