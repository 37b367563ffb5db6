package sql

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
)

// Engine is the SQL layer of one server: it owns the catalog and starts
// sessions over one storage database.
type Engine struct {
	db  *storage.DB
	log *slog.Logger

	// cat is the newest committed catalog.
	cat atomic.Pointer[catalog.Snapshot]
	// ddlMu serializes the commit of transactions that change the catalog
	// with the installation of the catalog they leave.
	ddlMu sync.Mutex

	specs    specCache
	stats    tableStats
	sysCache systemCache

	nextPID  atomic.Int32
	sessions sync.Map // pid -> *Session
}

// Config configures an Engine.
type Config struct {
	Logger *slog.Logger
}

// NewEngine loads the catalog from db and returns an engine.
func NewEngine(db *storage.DB, cfg Config) (*Engine, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{db: db, log: log}
	if err := e.reloadCatalog(); err != nil {
		return nil, err
	}
	e.nextPID.Store(1000)
	return e, nil
}

// metaStore adapts a storage transaction to catalog.Store.
type metaStore struct{ txn *storage.Txn }

func (m metaStore) PutMeta(k string, v []byte) error       { return m.txn.PutMeta(k, v) }
func (m metaStore) GetMeta(k string) ([]byte, bool, error) { return m.txn.GetMeta(k) }
func (m metaStore) DeleteMeta(k string) error              { return m.txn.DeleteMeta(k) }
func (m metaStore) ScanMeta(prefix string, fn func(string, []byte) error) error {
	entries, err := m.txn.ScanMeta(prefix)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := fn(e.Key, e.Value); err != nil {
			return err
		}
	}
	return nil
}

// reloadCatalog reads the newest committed catalog and installs it.
func (e *Engine) reloadCatalog() error {
	txn := e.db.Begin()
	defer txn.Rollback()
	snap, err := catalog.Load(metaStore{txn})
	if err != nil {
		return err
	}
	e.cat.Store(snap)
	return nil
}

// Catalog returns the newest committed catalog.
func (e *Engine) Catalog() *catalog.Snapshot { return e.cat.Load() }

// NewSession implements pgwire.Engine.
func (e *Engine) NewSession(ctx context.Context, user string, params map[string]string, n pgwire.Notifier) (pgwire.Session, error) {
	return e.newSession(user, params, n)
}

// Role implements pgwire.Engine.
func (e *Engine) Role(user string) (pgwire.RoleInfo, bool) {
	r, ok := e.Catalog().Role(user)
	if !ok {
		return pgwire.RoleInfo{}, false
	}
	return pgwire.RoleInfo{CanLogin: r.Login, SCRAMSecret: r.SCRAMSecret, Superuser: r.Superuser}, true
}

// commitCatalog commits a transaction that changed the catalog and
// installs the catalog it leaves.
func (e *Engine) commitCatalog(txn *storage.Txn) error {
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	if _, err := txn.Commit(); err != nil {
		return err
	}
	if err := e.reloadCatalog(); err != nil {
		return pgerror.Wrapf(err, pgerror.Internal, "reloading the catalog")
	}
	return nil
}
