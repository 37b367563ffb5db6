package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"portalsdb/server"
)

func serve(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fl.String("listen", "127.0.0.1:5433", "address to listen on")
	data := fl.String("data", "./portalsdb-data", "data directory")
	syncMode := fl.String("sync", "on", "fsync commits: on, or off (benchmarks only)")
	authMode := fl.String("auth", "trust", "authentication: trust or scram")
	tlsCert := fl.String("tls-cert", "", "TLS certificate file (PEM)")
	tlsKey := fl.String("tls-key", "", "TLS key file (PEM)")
	maxConns := fl.Int("max-connections", 100, "maximum concurrent connections")
	logLevel := fl.String("log-level", "info", "log level: debug, info, warn, error")
	history := fl.Uint64("history-atoms", 10000, "how many of the newest atoms SELECT ... AS OF ATOM can read")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "portalsdb: bad --log-level %q\n", *logLevel)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg := server.Config{Listen: *listen, DataDir: *data, Auth: *authMode, MaxConnections: *maxConns, Logger: log, HistoryAtoms: *history}
	switch *syncMode {
	case "on":
		cfg.Sync = true
	case "off":
		log.Warn("--sync=off: commits are acknowledged before they are durable; use only for benchmarks")
	default:
		fmt.Fprintf(os.Stderr, "portalsdb: --sync must be on or off\n")
		return 2
	}
	if *authMode != "trust" && *authMode != "scram" {
		fmt.Fprintf(os.Stderr, "portalsdb: --auth must be trust or scram\n")
		return 2
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintf(os.Stderr, "portalsdb: --tls-cert and --tls-key go together\n")
		return 2
	}
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			fmt.Fprintf(os.Stderr, "portalsdb: loading TLS key pair: %v\n", err)
			return 1
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv, err := server.Start(cfg)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
	case err := <-waitChan(srv):
		log.Error("listener stopped", "err", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func waitChan(s *server.Server) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- s.Wait() }()
	return ch
}
