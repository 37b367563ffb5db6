// Command difftest runs the differential tester for a long while: it
// generates cases from a seed, runs them on portalsdb (an in-process server,
// or --addr) and on PostgreSQL (--pg), shrinks each difference and appends
// it to a findings file as sqllogictest-rs records.
//
//	go run ./difftest/cmd/difftest --pg postgres://postgres@127.0.0.1:55444/postgres --seed 7 --n 100000 --findings /tmp/findings.slt
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"portalsdb/difftest"
	"portalsdb/server"
)

func main() {
	os.Exit(run())
}

func run() int {
	pg := flag.String("pg", os.Getenv("PORTALSDB_TEST_PG_DSN"), "PostgreSQL DSN (default $PORTALSDB_TEST_PG_DSN)")
	addr := flag.String("addr", "", "portalsdb address; empty starts one in process")
	seed := flag.Int64("seed", 1, "seed")
	n := flag.Int("n", 1000, "cases to run")
	first := flag.Int("first", 0, "first case to run (earlier ones are only generated)")
	profiles := flag.String("profiles", "", "comma-separated profiles (random,index,select,mixed); empty for all")
	perSetup := flag.Int("per-setup", 25, "cases per schema")
	findings := flag.String("findings", "", "file to append findings to")
	shrink := flag.Bool("shrink", true, "minimize differences")
	maxFindings := flag.Int("max-findings", 0, "stop after this many distinct findings")
	timeout := flag.Duration("timeout", 10*time.Second, "per-statement timeout")
	types := flag.Bool("types", true, "compare result column types")
	slow := flag.Float64("slow", 0, "report statements this many times slower than PostgreSQL (and over 1s); 0 disables")
	ignore := flag.String("ignore", "", "comma-separated kinds of difference to ignore (e.g. types,slow)")
	flag.Parse()
	if *pg == "" {
		fmt.Fprintln(os.Stderr, "difftest: --pg or $PORTALSDB_TEST_PG_DSN is required")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	pdbDSN := ""
	if *addr == "" {
		dir, err := os.MkdirTemp("", "difftest-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		}()
		*addr = srv.Addr()
	}
	pdbDSN = "postgres://postgres@" + *addr + "/postgres?sslmode=disable"
	pgSrv, err := difftest.NewServer("postgres", *pg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer pgSrv.Close()
	pdbSrv, err := difftest.NewServer("portalsdb", pdbDSN)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer pdbSrv.Close()

	cfg := difftest.Config{Seed: *seed, N: *n, First: *first, CasesPerSetup: *perSetup, Shrink: *shrink,
		MaxFindings: *maxFindings, Log: os.Stderr}
	for _, p := range splitList(*profiles) {
		prof, err := difftest.ParseProfile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		cfg.Profiles = append(cfg.Profiles, prof)
	}
	for _, k := range splitList(*ignore) {
		cfg.Ignore = append(cfg.Ignore, difftest.Kind(k))
	}
	if *findings != "" {
		f, err := os.OpenFile(*findings, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		cfg.Findings = f
	}
	r := &difftest.Runner{PG: pgSrv, PDB: pdbSrv, Timeout: *timeout, CheckTypes: *types, SlowFactor: *slow, SlowMin: time.Second}
	rep, err := difftest.Fuzz(ctx, r, cfg)
	fmt.Printf("%d cases, %d statements in %v: %d distinct findings, %d repeats, %d generator errors; by kind %v\n",
		rep.Cases, rep.Statements, rep.Elapsed.Round(time.Second), len(rep.Findings), rep.Repeats, rep.GenErrors, rep.Diffs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "difftest:", err)
		return 1
	}
	if len(rep.Findings) > 0 {
		return 3
	}
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
