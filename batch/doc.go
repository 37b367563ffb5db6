// Package batch is the unit of data in flight: a Batch is a set of
// equal-length Arrow columns, and a ChangeBatch adds the int8 diff column
// (+1 insert, -1 delete) that incremental operators consume and produce.
//
// Batches are immutable once built: an operator that hands a batch on must
// not change it, and a consumer that keeps a batch past the next call of its
// producer must not rely on anything but the arrays it holds. Arrays use
// types.Allocator (Go's heap), so dropping a batch without Release leaks
// nothing.
//
// This package is a leaf: it knows Arrow and types, nothing of plans,
// operators or storage.
package batch
