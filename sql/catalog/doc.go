// Package catalog holds the descriptors of every SQL object (schemas,
// tables, views, indexes, sequences, roles, streams, workflows and portals)
// and persists them in storage's transactional metadata space, so that DDL
// commits or rolls back with the transaction that made it.
//
// A Snapshot is an immutable view of the whole catalog. The engine keeps
// the newest committed one; a transaction that changes the catalog works on
// its own copy and publishes it when it commits. Readers therefore never
// lock. catalog knows descriptors and their encoding; it knows nothing of
// SQL text parsing, plans or the wire.
package catalog
