package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"portalsdb/server"
	"portalsdb/sqllogictest"
)

func slt(ctx context.Context, args []string) int {
	return sqllogictest.Main(ctx, args, os.Stdout, os.Stderr, startTempServer)
}

// startTempServer starts an in-process server on a free port over a
// temporary data directory, removed when it stops.
func startTempServer(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "portalsdb-slt-")
	if err != nil {
		return "", nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Sync: false, Logger: log})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		os.RemoveAll(dir)
	}
	return srv.Addr(), stop, nil
}
