// Package storage is portalsdb's durable state: a multi-version key-value
// store on Pebble with snapshot-isolation transactions, and on it the row
// layer of tables, secondary indexes and the catalog.
//
//	pgwire → sql → planner → exec / portals → storage → Pebble
//
// It owns key layout, MVCC versions, commit ordering and durability, garbage
// collection, id allocation, and the encoding of rows and index keys. It
// knows SQL values only through the shared types package; it knows nothing
// of SQL statements, plans, sessions, workflows or the wire protocol, and
// imports nothing above it.
//
// # Transactions
//
// Every committed read-write transaction gets the next commit sequence number
// (Seq, the "atom" of the design), and every key it wrote gets a new version
// at that Seq. A transaction reads the newest versions at or below its
// snapshot, plus its own writes, which it buffers in memory until Commit
// turns them into one Pebble batch. Readers never block writers. Write-write
// conflicts are detected at commit (first committer wins, 40001) against the
// write sets of commits made after the loser's snapshot; those write sets are
// kept in memory only while an active transaction is old enough to conflict
// with them.
//
// Commit is durable before it returns (Options.Sync) and visible to new
// snapshots only once every smaller Seq is durable too, so a snapshot never
// sees part of an atom or an atom whose predecessors it cannot see.
// Concurrent committers share fsyncs (group commit).
//
// # Garbage collection
//
// GC keeps, for every key, the versions that snapshots at or above the
// horizon (the oldest active transaction, or the start of the retention
// window of SetRetention if older) can read, and deletes the rest; below
// the horizon BeginAt fails with "snapshot too old". Dropped tables and
// indexes are removed with range deletions once the horizon passes the
// dropping commit (see DropTableData).
//
// # Key layout in Pebble
//
// Every Pebble key starts with a byte that names its space:
//
//	0x00 system (unversioned, never visible to callers)
//	     0x00 's'                       last committed Seq (8 bytes BE)
//	     0x00 'g'                       GC floor: oldest readable Seq
//	     0x00 'c' <name>                id counter: reserved limit
//	     0x00 'd' <object id, 8 BE>     pending drop: Seq of the dropping commit
//	     0x00 'q' <position id, 8 BE>   durable position (SQL sequences)
//	0x01 catalog records (PutMeta)      0x01 <name key-encoded as text>
//	0x02 objects                        0x02 <object id, 8 bytes BE> ...
//	0x03.. free for other layers' own prefix-free key spaces
//
// Callers (the row layer included) write logical keys, which must be
// prefix-free: no key is a proper prefix of another. Each version is stored
// under
//
//	<logical key> <^Seq, 8 bytes big-endian>
//
// so that the versions of a key are contiguous, newest first, and a read at
// snapshot S seeks to <key><^S> and finds the newest version at or below S.
// The value is a tag byte (0 tombstone, 1 value) followed by the value.
//
// Under an object prefix:
//
//	table row        0x02 <table id> <PK columns, key-encoded ascending>
//	                 (or the hidden row id, when the table has no PK)
//	                 → row value: the non-NULL columns, by column id
//	unique index     0x02 <index id> <index columns, key-encoded, ASC/DESC>
//	                 → row key
//	other index      0x02 <index id> <index columns> <row key minus its
//	entries          9-byte table prefix>  → row key
//
// A unique index entry carries the row key suffix too when an indexed value
// is NULL, since NULLs never conflict. The key encoding of values is in
// package rowcodec.
package storage
