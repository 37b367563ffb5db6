// Package streambench is the benchmark behind `portalsdb bench stream`: three
// workflow shapes over generated events, each measured side by side with
// what it replaces, in one run.
//
//	series generator ──atoms──▶ CREATE WORKFLOW (filter+project | keyed aggregate | two-stream join)
//	the same events in Go ────▶ a hand-written loop doing the same work (the near-limit baseline)
//	the same atoms, INSERTed ─▶ the same query recomputed by the batch engine after every atom
//
// For the workflow it reports events/s in total and per core (process CPU
// time), the latency of an atom from its commit to the commit of its
// processed result, and peak memory; the hand loop and the recomputation
// give the ratios that say what the engine costs and what incrementality
// buys. Results are checked: the workflow's result must agree with the hand
// loop's.
//
// It drives an in-process server through SQL over the wire like a client,
// and reads workflow counters and input atoms through server's runtime; it
// shares the process measurements (CPU time, peak memory) of package bench
// and knows nothing of the engine's operators.
package streambench
