package sql

import (
	"portalsdb/sql/catalog"
	"portalsdb/storage"
)

// MetaStore adapts a storage transaction to catalog.Store for the external
// tests, which write catalogs as older versions left them.
func MetaStore(txn *storage.Txn) catalog.Store { return metaStore{txn} }
