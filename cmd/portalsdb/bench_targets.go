package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"portalsdb/bench"
	"portalsdb/server"
)

// serverFlags are the flags that choose the servers a benchmark measures.
type serverFlags struct {
	pgDSN, addr, dataDir   *string
	pgStart, serverProcess *bool
}

func addServerFlags(fl *flag.FlagSet) *serverFlags {
	return &serverFlags{
		pgDSN:         fl.String("pg", "", "DSN of the PostgreSQL to compare with"),
		pgStart:       fl.Bool("pg-start", false, "start a throwaway PostgreSQL (fsync on) for the run, and stop it after"),
		addr:          fl.String("addr", "", "measure the portalsdb at HOST:PORT instead of starting one"),
		serverProcess: fl.Bool("server-process", false, "run portalsdb as a child process (this binary's serve) rather than in process"),
		dataDir:       fl.String("data", "", "data directory of the portalsdb started for the run (default: a temporary one, removed)"),
	}
}

// start starts (or names) the portalsdb and the PostgreSQL to measure;
// pg is nil when no PostgreSQL was asked for. stop stops what it started.
func (f *serverFlags) start(ctx context.Context, progress io.Writer) (target bench.Target, pg *bench.Target, stop func(), err error) {
	target, stopTarget, err := startPortalsdb(progress, *f.addr, *f.serverProcess, *f.dataDir)
	if err != nil {
		return target, nil, nil, err
	}
	pg, stopPG, err := startPostgres(ctx, progress, *f.pgDSN, *f.pgStart)
	if err != nil {
		stopTarget()
		return target, nil, nil, err
	}
	return target, pg, func() { stopPG(); stopTarget() }, nil
}

// startPortalsdb gives the portalsdb a benchmark measures: the one at addr,
// a `portalsdb serve` child process (serverProcess), or an in-process
// server; the last two keep their data in dataDir, or in a temporary
// directory removed by stop. Commits are durable, as PostgreSQL's are.
func startPortalsdb(progress io.Writer, addr string, serverProcess bool, dataDir string) (target bench.Target, stop func(), err error) {
	target = bench.Target{Name: "portalsdb"}
	if addr != "" {
		target.DSN = "postgres://postgres@" + addr + "/postgres?sslmode=disable"
		return target, func() {}, nil
	}
	dir, removeDir := dataDir, func() {}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "portalsdb-bench-")
		if err != nil {
			return target, nil, err
		}
		dir, removeDir = tmp, func() { os.RemoveAll(tmp) }
	}
	if serverProcess {
		self, err := os.Executable()
		if err != nil {
			removeDir()
			return target, nil, err
		}
		proc, err := bench.StartServerProcess(self, dir)
		if err != nil {
			removeDir()
			return target, nil, fmt.Errorf("starting portalsdb: %w", err)
		}
		target.DSN = "postgres://postgres@" + proc.Addr() + "/postgres?sslmode=disable"
		target.CPU = proc.CPU
		fmt.Fprintf(progress, "portalsdb serve in a child process at %s (data %s, durable commits)\n", proc.Addr(), dir)
		return target, func() {
			if err := proc.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "portalsdb bench: stopping portalsdb:", err)
			}
			removeDir()
		}, nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Sync: true, Logger: log})
	if err != nil {
		removeDir()
		return target, nil, fmt.Errorf("starting portalsdb: %w", err)
	}
	target.DSN = "postgres://postgres@" + srv.Addr() + "/postgres?sslmode=disable"
	target.InProcess = true
	fmt.Fprintf(progress, "portalsdb in process at %s (data %s, durable commits)\n", srv.Addr(), dir)
	return target, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		removeDir()
	}, nil
}

// startPostgres gives the PostgreSQL a benchmark compares with: the one at
// dsn, or a throwaway one (fsync on) when start is set; nil when neither.
func startPostgres(ctx context.Context, progress io.Writer, dsn string, start bool) (*bench.Target, func(), error) {
	switch {
	case dsn != "" && start:
		return nil, nil, fmt.Errorf("--pg and --pg-start exclude each other")
	case start:
		dir, err := os.MkdirTemp("", "portalsdb-bench-pg-")
		if err != nil {
			return nil, nil, err
		}
		pg, err := bench.StartPostgres(ctx, dir)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("starting PostgreSQL: %w", err)
		}
		fmt.Fprintf(progress, "PostgreSQL started for the run at %s (fsync on)\n", pg.DSN())
		return &bench.Target{Name: "postgres", DSN: pg.DSN(), CPU: pg.CPU}, func() {
			if err := pg.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "portalsdb bench: stopping PostgreSQL:", err)
			}
			os.RemoveAll(dir)
		}, nil
	case dsn != "":
		return &bench.Target{Name: "postgres", DSN: dsn}, func() {}, nil
	}
	return nil, func() {}, nil
}

// startCPUProfile profiles the whole process into path until stop is
// called; with an empty path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeJSONFile writes a benchmark's results to path with write; an empty
// path writes nothing.
func writeJSONFile(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
