package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"portalsdb/streambench"
)

// benchStream runs `portalsdb bench stream`: a filter+projection, a keyed
// aggregate and a two-stream join as workflows over generated events, each
// beside a hand-written Go loop and a recomputation in batch after every
// atom.
func benchStream(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("bench stream", flag.ContinueOnError)
	events := fl.Int64("events", 2_000_000, "events per workload (the join's split between its two streams)")
	atomRows := fl.Int("atom-rows", 10000, "events per atom")
	workloads := fl.String("workloads", "", "comma-separated workloads (default: filter_project,keyed_aggregate,stream_join)")
	batchAtoms := fl.Int("batch-atoms", 20, "atoms of the recompute-in-batch run (0 skips it)")
	rate := fl.Float64("events-per-second", 0, "pace the generators to this many events per second in all (0: flat out)")
	syncMode := fl.String("sync", "off", "fsync commits: on or off")
	jsonFile := fl.String("json", "", "also write the results as JSON to this file")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *syncMode != "on" && *syncMode != "off" {
		fmt.Fprintln(os.Stderr, "portalsdb bench stream: --sync must be on or off")
		return 2
	}
	o := streambench.Options{Events: *events, AtomRows: *atomRows, BatchAtoms: *batchAtoms, EventsPerSecond: *rate, Sync: *syncMode == "on",
		Progress: os.Stderr}
	if *workloads != "" {
		o.Workloads = strings.Split(*workloads, ",")
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopProfile()
	rs, err := streambench.Run(ctx, o)
	streambench.WriteTable(os.Stdout, rs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench stream:", err)
		return 1
	}
	code := 0
	for _, r := range rs {
		if r.Error != "" {
			code = 1
		}
	}
	if err := writeJSONFile(*jsonFile, func(w io.Writer) error { return streambench.WriteJSON(w, rs) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}
