package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"
)

// Config configures a Server. The zero value of every field has a useful
// default.
type Config struct {
	// Addr is the address ListenAndServe listens on; default 127.0.0.1:5433.
	Addr string
	// TLS, when set, is offered to clients that send SSLRequest. When nil,
	// SSLRequest and GSSENCRequest are answered 'N' and clients continue in
	// plain text.
	TLS *tls.Config
	// Auth is "trust" (the default: any existing login role, no password)
	// or "scram" (SCRAM-SHA-256 against Engine.Role's secret).
	Auth string
	// MaxConnections is the number of sessions served at once; default 100.
	// One more gets FATAL 53300 "sorry, too many clients already". Cancel
	// requests do not count.
	MaxConnections int
	// MaxMessageSize is the largest message a client may send, in bytes;
	// default 1 GiB less one byte, as PostgreSQL. A larger one gets an
	// ErrorResponse (08P01) and the connection is closed.
	MaxMessageSize int
	// Logger receives the server's logs; default slog.Default().
	Logger *slog.Logger
	// ServerVersion is reported as server_version; default
	// DefaultServerVersion. Clients read the major version from it, so it
	// must start with a PostgreSQL version number.
	ServerVersion string
	// StartupTimeout bounds the time a client may take from connecting to
	// being authenticated; default one minute, as PostgreSQL's
	// authentication_timeout.
	StartupTimeout time.Duration
}

// DefaultServerVersion is the server_version reported by default: a
// PostgreSQL 16 version, so that psql and drivers use the modern catalogs.
const DefaultServerVersion = "16.4 (portalsdb)"

// The authentication methods of Config.Auth.
const (
	AuthTrust = "trust"
	AuthSCRAM = "scram"
)

const (
	defaultAddr           = "127.0.0.1:5433"
	defaultMaxConnections = 100
	defaultMaxMessageSize = 1<<30 - 1
	defaultStartupTimeout = time.Minute
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("pgwire: server closed")

// Server accepts PostgreSQL connections and serves each with a Session of
// its Engine.
type Server struct {
	cfg Config
	eng Engine
	log *slog.Logger
	// mockKey salts the made-up SCRAM secrets of unknown roles; see
	// auth.MockSecret.
	mockKey []byte

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	byPID     map[uint32]*conn // sessions that can be canceled
	nextPID   uint32
	sessions  int // counted against MaxConnections
	closing   bool
	wg        sync.WaitGroup
}

// NewServer returns a server for eng. Call Serve or ListenAndServe to start
// it.
func NewServer(cfg Config, eng Engine) *Server {
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthTrust
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = defaultMaxConnections
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = defaultMaxMessageSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = DefaultServerVersion
	}
	if cfg.StartupTimeout <= 0 {
		cfg.StartupTimeout = defaultStartupTimeout
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails on supported platforms
	return &Server{
		cfg:       cfg,
		eng:       eng,
		log:       cfg.Logger,
		mockKey:   key,
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
		byPID:     map[uint32]*conn{},
		nextPID:   1000,
	}
}

// ListenAndServe listens on Config.Addr and serves it.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Shutdown, and then returns
// ErrServerClosed. It closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("pgwire: accept failed; retrying", "err", err, "retry_in", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		s.wg.Add(1)
		go s.serveConn(nc)
	}
}

// Addr returns the address of a listener being served, or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		return ln.Addr()
	}
	return nil
}

// Shutdown stops accepting connections and ends the existing ones: each
// session gets FATAL 57P01 as soon as it is idle (waiting for the client's
// next message), and those still busy when ctx is done get it then, their
// running queries canceled. Shutdown returns when every connection has
// ended: nil if they all ended before ctx was done, ctx's error otherwise.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.interrupt()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		c.terminate()
	}
	s.mu.Unlock()
	<-done
	return ctx.Err()
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// serveConn is the goroutine of one accepted connection.
func (s *Server) serveConn(nc net.Conn) {
	defer s.wg.Done()
	c := newConn(s, nc)
	if !s.track(c) {
		c.closeWithFatal(shuttingDownError())
		c.close()
		return
	}
	defer s.untrack(c)
	s.log.Debug("pgwire: connection accepted", "remote", nc.RemoteAddr().String())
	c.serve()
}

func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.pid != 0 {
		delete(s.byPID, c.pid)
	}
	if c.countedSession {
		s.sessions--
	}
}

// releaseSession gives back a session's place under MaxConnections early,
// before its connection closes: a client refused at authentication may try
// again as soon as it reads the error, and must find the place free.
func (s *Server) releaseSession(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.countedSession {
		s.sessions--
		c.countedSession = false
	}
}

// admitSession counts a new session against MaxConnections and gives it a
// process id for BackendKeyData. ok is false when the server is full.
func (s *Server) admitSession(c *conn) (ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions >= s.cfg.MaxConnections {
		return false
	}
	s.sessions++
	c.countedSession = true
	for {
		s.nextPID++
		if s.nextPID == 0 {
			s.nextPID = 1
		}
		if _, taken := s.byPID[s.nextPID]; !taken {
			break
		}
	}
	c.pid = s.nextPID
	s.byPID[c.pid] = c
	return true
}

// cancel handles a CancelRequest: it cancels the running query of the
// session with that process id if the secret key matches, and silently
// does nothing otherwise, as PostgreSQL does.
func (s *Server) cancel(pid uint32, key []byte) {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil {
		s.log.Debug("pgwire: cancel request for unknown process", "pid", pid)
		return
	}
	if subtle.ConstantTimeCompare(c.secret[:], key) != 1 {
		s.log.Warn("pgwire: cancel request with wrong key", "pid", pid)
		return
	}
	c.cancelQuery()
}
