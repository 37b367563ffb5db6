package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"portalsdb/bench"
)

// benchPortal runs `portalsdb bench portal`: ad-hoc portal calls from
// concurrent prepared-statement clients, beside the same keyed lookup as a
// prepared SELECT on PostgreSQL, and the asks of a workflow.
func benchPortal(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("bench portal", flag.ContinueOnError)
	servers := addServerFlags(fl)
	keys := fl.Int("keys", 100_000, "accounts looked up and updated")
	clients := fl.Int("clients", 16, "concurrent clients at full load")
	duration := fl.Duration("duration", 10*time.Second, "length of each measurement")
	asks := fl.Int("asks", 100_000, "rows a workflow asks the portal about (0: skip)")
	jsonOut := fl.String("json", "", "also write the results as JSON to FILE")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the whole run to FILE (in-process server only)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *clients < 1 || *keys < 1 || *asks < 0 {
		fmt.Fprintln(os.Stderr, "portalsdb bench portal: --clients and --keys must be positive, --asks not negative")
		return 2
	}
	progress := os.Stderr
	target, pg, stopServers, err := servers.start(ctx, progress)
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench portal:", err)
		return 1
	}
	defer stopServers()
	if pg == nil {
		fmt.Fprintln(progress, "no --pg or --pg-start: measuring portalsdb alone")
	}
	if *cpuProfile != "" && !target.InProcess {
		fmt.Fprintln(os.Stderr, "portalsdb bench portal: --cpuprofile profiles an in-process server only")
		return 2
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench portal:", err)
		return 1
	}
	defer stopProfile()
	loadBefore := loadAverage()
	rep, err := bench.RunPortal(ctx, target, pg, bench.PortalOptions{Keys: *keys, Clients: *clients, Duration: *duration,
		Asks: *asks, Progress: progress})
	if rep != nil {
		printPortal(os.Stdout, rep)
	}
	fmt.Fprintf(os.Stdout, "load average (1 min) before and after: %s, %s on %d CPUs\n", loadBefore, loadAverage(), runtime.NumCPU())
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench portal:", err)
		return 1
	}
	if *jsonOut != "" {
		doc := struct {
			Time      time.Time           `json:"time"`
			GoVersion string              `json:"go_version"`
			CPUs      int                 `json:"cpus"`
			Duration  string              `json:"duration"`
			Report    *bench.PortalReport `json:"report"`
		}{time.Now().UTC(), runtime.Version(), runtime.NumCPU(), duration.String(), rep}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "portalsdb bench portal:", err)
			return 1
		}
	}
	return 0
}

func printPortal(w io.Writer, rep *bench.PortalReport) {
	fmt.Fprintf(w, "\n%d clients, %d keys; latency from when each call was due (half load: paced at half the full-load rate)\n",
		rep.Clients, rep.Keys)
	fmt.Fprintf(w, "%-36s %12s %9s %9s %12s %9s %9s %15s\n", "workload", "full calls/s", "p50 us", "p99 us", "half calls/s", "p50 us", "p99 us", "server us/call")
	for _, x := range rep.Workloads {
		cpu := "-"
		if x.Full.ServerCPUus > 0 {
			cpu = fmt.Sprintf("%.1f", x.Full.ServerCPUus)
		}
		fmt.Fprintf(w, "%-36s %12.0f %9.0f %9.0f %12.0f %9.0f %9.0f %15s\n", x.Name,
			x.Full.Rate, x.Full.P50us, x.Full.P99us, x.Half.Rate, x.Half.P50us, x.Half.P99us, cpu)
	}
	ratio := func(a, b string) {
		x, y := rep.Workload(a), rep.Workload(b)
		if x != nil && y != nil && y.Full.Rate > 0 {
			fmt.Fprintf(w, "ratio %s / %s: %.2f\n", a, b, x.Full.Rate/y.Full.Rate)
		}
	}
	ratio(bench.PortalRead, bench.PGSelect)
	ratio(bench.PortalRead, bench.PortalSelect)
	ratio(bench.PortalWrite, bench.PGUpdate)
	if rep.Asks > 0 {
		fmt.Fprintf(w, "workflow asks: %d in %.2fs = %.0f asks/s\n", rep.Asks, rep.AsksSeconds, rep.AsksRate)
	}
}
