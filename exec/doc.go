// Package exec runs query plans as trees of vectorized operators over Arrow
// batches.
//
// An Operator is a machine built by the planner from a plan: it pulls
// batches from its inputs and hands batches on. Operators never see plan
// nodes; their per-run state lives in the operator and is reset by Open, so
// a subquery's operator tree can run many times. Scalar work is done by
// compiled expressions (package exec/expr); table access goes through
// storage.
//
//	planner ──builds──▶ Operator tree ──Next()──▶ *batch.Batch ──▶ sql / pgwire
//
// exec knows nothing of SQL text, the wire protocol or the catalog.
package exec
