// Package bench measures portalsdb against PostgreSQL on the same
// workloads, side by side in one run, through the same client (pgx):
//
//   - COPY ingest: pgx CopyFrom (binary COPY) of many rows into an equal
//     table in each server (rows/s);
//   - single-row INSERT commits, each its own durable transaction, with 1
//     and more clients (commits/s);
//   - point SELECT by primary key through prepared statements, with 1 and
//     more clients (queries/s).
//
// It owns the workloads and the management of a throwaway PostgreSQL
// (initdb, start, stop by process id). It sits above server, which the
// portalsdb bench command uses to start an in-process server; it knows
// nothing of the engine's internals, only the wire protocol.
package bench
