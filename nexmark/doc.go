// Package nexmark holds the Nexmark benchmark for portalsdb: the queries
// q0..q22 in the form of the Flink and RisingWave suites adapted to
// portalsdb's SQL (queries/*.sql), the setup of the generator streams,
// the benchmark that runs each query as a workflow over generated events,
// and hand-written Go baselines of a few queries to measure the engine
// against.
//
//	generator streams (person, auction, bid) ──atoms──▶ CREATE WORKFLOW qN AS <query> ──▶ result
//	the same events in Go                    ──loops──▶ baseline qN
//
// It drives a server through SQL over the wire like any client, and reads
// a workflow's runtime counters in process; it owns no part of the engine.
package nexmark
