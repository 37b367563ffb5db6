package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"

	"portalsdb/pgwire"
	"portalsdb/sql"
	"portalsdb/storage"
)

// Config configures a server.
type Config struct {
	// Listen is the address to listen on; "127.0.0.1:0" picks a free port.
	Listen string
	// DataDir is the storage directory, created if missing.
	DataDir string
	// Sync makes every commit durable before it is acknowledged; off only
	// for benchmarks.
	Sync bool
	// Auth is "trust" or "scram".
	Auth           string
	TLS            *tls.Config
	MaxConnections int
	// CacheSize is the storage block cache, in bytes; 0 for the default.
	CacheSize int64
	// HistoryAtoms is how many of the newest atoms AS OF ATOM can read;
	// older versions are garbage-collected.
	HistoryAtoms uint64
	Logger       *slog.Logger
	// SQLKnobs are the SQL engine's testing hooks; zero outside tests.
	SQLKnobs sql.TestingKnobs
}

// Server is a running portalsdb server.
type Server struct {
	db     *storage.DB
	engine *sql.Engine
	wire   *pgwire.Server
	ln     net.Listener
	// done is closed when the listener stops, with serveErr set; Wait and
	// Shutdown may both wait for it.
	done     chan struct{}
	serveErr error
	log      *slog.Logger

	stopOnce sync.Once
	stopErr  error
}

// Start opens the data directory and starts serving.
func Start(cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	opts := storage.DefaultOptions()
	opts.Sync = cfg.Sync
	opts.Logger = log
	if cfg.CacheSize > 0 {
		opts.CacheSize = cfg.CacheSize
	}
	opts.RetainSeqs = cfg.HistoryAtoms
	db, err := storage.Open(cfg.DataDir, opts)
	if err != nil {
		return nil, err
	}
	eng, err := sql.NewEngine(db, sql.Config{Logger: log, Knobs: cfg.SQLKnobs})
	if err != nil {
		db.Close()
		return nil, err
	}
	wire := pgwire.NewServer(pgwire.Config{Addr: cfg.Listen, TLS: cfg.TLS, Auth: cfg.Auth, MaxConnections: cfg.MaxConnections,
		Logger: log, ServerVersion: sql.ServerVersion}, eng)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Server{db: db, engine: eng, wire: wire, ln: ln, done: make(chan struct{}), log: log}
	go func() {
		s.serveErr = wire.Serve(ln)
		close(s.done)
	}()
	log.Info("portalsdb listening", "addr", ln.Addr().String(), "data", cfg.DataDir)
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Engine returns the SQL engine, for in-process tools.
func (s *Server) Engine() *sql.Engine { return s.engine }

// Shutdown stops accepting connections, ends sessions (waiting for them
// until ctx ends), and closes storage. Later calls return the first
// call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() {
		werr := s.wire.Shutdown(ctx)
		<-s.done
		s.engine.Close()
		derr := s.db.Close()
		if werr != nil && !errors.Is(werr, context.DeadlineExceeded) {
			s.stopErr = werr
			return
		}
		s.stopErr = derr
	})
	return s.stopErr
}

// Wait returns when the listener stops.
func (s *Server) Wait() error {
	<-s.done
	return s.serveErr
}
