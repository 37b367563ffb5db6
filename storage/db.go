package storage

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"portalsdb/pgerror"
)

// Options configure a DB. Start from DefaultOptions: the zero value turns
// fsync off.
type Options struct {
	// Sync makes Commit wait until the commit is on stable storage (WAL
	// fsync). Turn it off only for benchmarks and throwaway databases.
	Sync bool
	// CacheSize is the Pebble block cache in bytes. Pebble's own default of
	// 8 MiB is far too small for a database.
	CacheSize int64
	// MemTableSize is the size of each Pebble memtable in bytes.
	MemTableSize uint64
	// Logger receives Pebble's log and storage events; nil discards them.
	Logger *slog.Logger
	// FS is the filesystem, for tests (vfs.NewMem(), errorfs); nil is the
	// operating system's.
	FS vfs.FS
	// GCInterval is how often the background garbage collector runs a step
	// (a bounded slice of the key space); zero or negative disables it
	// (db.GC still works).
	GCInterval time.Duration
	// RetainSeqs keeps the versions that the newest RetainSeqs commits'
	// snapshots can see, for time travel (BeginAt). SetRetention changes it
	// later.
	RetainSeqs uint64
}

// DefaultOptions returns the options of a production database.
func DefaultOptions() Options {
	return Options{
		Sync:         true,
		CacheSize:    256 << 20,
		MemTableSize: 64 << 20,
		GCInterval:   10 * time.Second,
	}
}

// DB is a durable multi-version key-value store with snapshot-isolation
// transactions, on Pebble. It is safe for concurrent use; a Txn is not.
type DB struct {
	// commitHook, when set, learns of each commit that appended to logs,
	// once the commit is visible. It is set once, before concurrent use.
	commitHook func(seq Seq, logs []uint64)

	pdb    *pebble.DB
	opts   Options
	logger *slog.Logger

	// mu guards the commit and snapshot bookkeeping below; it is held only
	// for short, memory-only work.
	mu sync.Mutex
	// nextSeq is the seq the next committer gets.
	nextSeq Seq
	// visible is the newest seq that is durable and whose predecessors are
	// all durable: the snapshot of new transactions. Batches are applied in
	// seq order and the WAL is synced in order, so when seq's sync returns,
	// every smaller seq is durable too.
	visible Seq
	// recent holds the write sets of commits that an active transaction
	// could still conflict with, in seq order.
	recent []recentCommit
	// writers are the snapshots of active read-write transactions, readers
	// those of every active transaction (for GC).
	writers, readers snapshotSet
	// gcFloor is the oldest seq whose snapshot is complete: GC may have
	// removed versions that older snapshots need.
	gcFloor    Seq
	retainSeqs uint64
	// failed is set when a commit was applied but could not be made durable:
	// the database refuses further commits, as PostgreSQL PANICs on a
	// failed fsync.
	failed error
	closed bool
	// isClosed mirrors closed for lock-free checks on read paths: Pebble
	// must not be used after Close.
	isClosed atomic.Bool

	// commitMu serializes seq assignment and the apply of commit batches
	// to Pebble, so they reach Pebble in seq order. It is taken before mu.
	commitMu sync.Mutex

	idMu     sync.Mutex
	counters map[string]*idBlock

	// keptReaders are Pebble iterators of finished transactions, made
	// when the visible seq was what it still is (readers.go).
	keptReaders []pooledReader

	gcMu   sync.Mutex // one collection at a time
	gcStop chan struct{}
	gcDone chan struct{}
}

// recentCommit is the write set of one commit, kept while a transaction
// whose snapshot is older than it is active. writes is the committed
// transaction's write buffer, which no one modifies after Commit.
type recentCommit struct {
	seq    Seq
	writes *writeBuffer
}

// snapshotSet is a multiset of snapshot seqs.
type snapshotSet map[Seq]int

func (s snapshotSet) add(seq Seq) { s[seq]++ }

func (s snapshotSet) remove(seq Seq) {
	if s[seq] <= 1 {
		delete(s, seq)
		return
	}
	s[seq]--
}

// min returns the smallest snapshot, or def when the set is empty.
func (s snapshotSet) min(def Seq) Seq {
	m := def
	for seq := range s {
		if seq < m {
			m = seq
		}
	}
	return m
}

// Open opens the database in dir, creating it if needed, and resumes commit
// numbering after the last durable commit.
func Open(dir string, opts Options) (*DB, error) {
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultOptions().CacheSize
	}
	if opts.MemTableSize == 0 {
		opts.MemTableSize = DefaultOptions().MemTableSize
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cache := pebble.NewCache(opts.CacheSize)
	defer cache.Unref()
	popts := &pebble.Options{
		Cache:              cache,
		FS:                 opts.FS,
		MemTableSize:       opts.MemTableSize,
		Logger:             pebbleLogger{logger},
		FormatMajorVersion: pebble.FormatNewest,
	}
	// One index block per sstable, up to 256 KiB of it (about 64 MiB of
	// data at 4 KiB blocks): Pebble's default makes a two-level index once
	// the index outgrows one 4 KiB block, which costs every point read an
	// extra block lookup. Later levels inherit the setting.
	popts.Levels[0].IndexBlockSize = 256 << 10
	pdb, err := pebble.Open(dir, popts)
	if err != nil {
		return nil, pgerror.Wrapf(err, pgerror.IOError, "storage: open %s", dir)
	}
	db := &DB{
		pdb:        pdb,
		opts:       opts,
		logger:     logger,
		writers:    snapshotSet{},
		readers:    snapshotSet{},
		counters:   map[string]*idBlock{},
		retainSeqs: opts.RetainSeqs,
	}
	last, err := db.readSysSeq(sysLastSeqKey)
	if err != nil {
		_ = pdb.Close()
		return nil, err
	}
	floor, err := db.readSysSeq(sysGCFloorKey)
	if err != nil {
		_ = pdb.Close()
		return nil, err
	}
	db.visible, db.nextSeq, db.gcFloor = last, last+1, floor
	if opts.GCInterval > 0 {
		db.gcStop = make(chan struct{})
		db.gcDone = make(chan struct{})
		go db.gcLoop(opts.GCInterval)
	}
	return db, nil
}

// readSysSeq reads a system record that holds a seq; absent reads as 0.
func (db *DB) readSysSeq(key []byte) (Seq, error) {
	v, closer, err := db.pdb.Get(key)
	if err == pebble.ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, pgerror.Wrapf(err, pgerror.IOError, "storage: read %x", key)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, pgerror.Newf(pgerror.DataCorrupted, "storage: system record %x has %d bytes, want 8", key, len(v))
	}
	return Seq(binary.BigEndian.Uint64(v)), nil
}

// Close stops the garbage collector and closes the database. Every
// transaction and iterator must be finished first.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	db.isClosed.Store(true)
	kept := db.dropReadersLocked()
	db.mu.Unlock()
	closeReaders(kept)
	if db.gcStop != nil {
		close(db.gcStop)
		<-db.gcDone
	}
	// Wait for a collection started by a direct GC call.
	db.gcMu.Lock()
	defer db.gcMu.Unlock()
	if err := db.pdb.Close(); err != nil {
		return pgerror.Wrapf(err, pgerror.IOError, "storage: close")
	}
	return nil
}

// VisibleSeq returns the newest commit that is durable and visible to new
// snapshots.
func (db *DB) VisibleSeq() Seq {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.visible
}

// SetRetention keeps the versions that the snapshots of the newest
// retainSeqs commits need, so that BeginAt can read them. A later caller
// that retains a time window converts it to a number of commits and calls
// this again as time passes. Lowering the retention lets the next GC
// discard history; raising it cannot bring back what GC already removed.
func (db *DB) SetRetention(retainSeqs uint64) {
	db.mu.Lock()
	db.retainSeqs = retainSeqs
	db.mu.Unlock()
}

// errClosed is returned by operations on a closed database.
func errClosed() error {
	return pgerror.New(pgerror.ObjectNotInPrerequisiteState, "storage: database is closed")
}

// pebbleLogger sends Pebble's log lines to slog.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Info(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is called by Pebble only when its on-disk state can no longer be
// trusted. Like PostgreSQL's PANIC on a failed fsync, the process must stop
// rather than serve data it may have lost.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble", "fatal", true)
	panic("pebble: " + msg)
}

// OldestSnapshot returns the snapshot seq of the oldest read-write
// transaction still open, or VisibleSeq when none is. A schema change that alters how
// transactions write (a table that starts logging its changes) waits until
// it passes the change's commit, so no transaction that began before the
// change is still writing the old way.
func (db *DB) OldestSnapshot() Seq {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.writers.min(db.visible)
}
