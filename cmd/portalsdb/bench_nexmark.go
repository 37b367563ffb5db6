package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"portalsdb/nexmark"
)

// benchNexmark runs `portalsdb bench nexmark`: each Nexmark query as a
// workflow over generated events, with the hand-written Go baselines.
func benchNexmark(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("bench nexmark", flag.ContinueOnError)
	events := fl.Int64("events", 1_000_000, "events of the global Nexmark sequence per query")
	queries := fl.String("queries", "", "comma-separated queries to run (default: every query that runs as a workflow)")
	atomRows := fl.Int("atom-rows", 10000, "global events per atom")
	seed := fl.Int64("seed", 1, "generator seed")
	syncMode := fl.String("sync", "off", "fsync commits: on or off")
	baselines := fl.Bool("baselines", true, "run the hand-written Go baselines (q0, q1, q2, q5)")
	jsonFile := fl.String("json", "", "also write the results as JSON to this file")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	watermark := fl.String("watermark", "4 seconds", "the streams' watermark lag behind date_time, as an interval; empty for none")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *syncMode != "on" && *syncMode != "off" {
		fmt.Fprintln(os.Stderr, "portalsdb bench nexmark: --sync must be on or off")
		return 2
	}
	o := nexmark.BenchOptions{Events: *events, AtomRows: *atomRows, Seed: *seed, Sync: *syncMode == "on",
		Baselines: *baselines, Progress: os.Stderr, Watermark: *watermark}
	if *queries != "" {
		o.Queries = strings.Split(*queries, ",")
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopProfile()
	rs, err := nexmark.RunBench(ctx, o)
	nexmark.WriteTable(os.Stdout, rs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench nexmark:", err)
		return 1
	}
	if err := writeJSONFile(*jsonFile, func(w io.Writer) error { return nexmark.WriteJSON(w, rs) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
