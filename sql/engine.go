package sql

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"portalsdb/pgerror"
	"portalsdb/pgwire"
	"portalsdb/portals"
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

	// rt runs the workflows.
	rt *portals.Runtime
	// clock maps wall time to atoms, for stream retention.
	clock         atomClock
	stopRetention context.CancelFunc
	knobs         TestingKnobs
	// programs caches the bound bodies of portals.
	programs portalPrograms
	// portalStats counts the calls of each portal.
	portalStats portalStats
	// sequences hands out the values of sequences.
	sequences *sequenceCounters
}

// Config configures an Engine.
type Config struct {
	Logger *slog.Logger
	// Knobs are for tests; the server binary leaves them zero.
	Knobs TestingKnobs
}

// TestingKnobs are hooks that let tests in other packages reach into
// statement execution. Nothing a client sends can set them.
type TestingKnobs struct {
	// BeforeRun is called with a statement's text when its plan is about
	// to run, inside the statement's transaction. Tests make it panic to
	// check that a panicking statement is reported as XX000 and harms
	// nothing else.
	BeforeRun func(sql string)
}

// NewEngine loads the catalog from db and returns an engine.
func NewEngine(db *storage.DB, cfg Config) (*Engine, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{db: db, log: log, rt: portals.New(db, log), knobs: cfg.Knobs, sequences: newSequenceCounters(db)}
	e.rt.SetGeneratorCatalog(e.streamGenerator)
	if err := e.reloadCatalog(); err != nil {
		return nil, err
	}
	if err := e.upgradeSerialColumns(); err != nil {
		return nil, err
	}
	e.nextPID.Store(1000)
	if err := e.startWorkflows(); err != nil {
		e.rt.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	e.stopRetention = cancel
	go e.retentionLoop(rctx)
	return e, nil
}

// Close stops the workflows. Sessions are the listener's to end.
func (e *Engine) Close() {
	e.stopRetention()
	e.rt.Close()
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
func (e *Engine) commitCatalog(txn *storage.Txn) (storage.Seq, error) {
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	seq, err := txn.Commit()
	if err != nil {
		return 0, err
	}
	if err := e.reloadCatalog(); err != nil {
		return 0, pgerror.Wrapf(err, pgerror.Internal, "reloading the catalog")
	}
	return seq, nil
}
