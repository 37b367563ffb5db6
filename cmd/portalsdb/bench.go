package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"portalsdb/bench"
)

// benchCmd runs the side-by-side benchmark of package bench: an in-process
// portalsdb (or the one at --addr) against a PostgreSQL (--pg DSN, or one
// started for the run with --pg-start).
func benchCmd(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	servers := addServerFlags(fl)
	rows := fl.Int("rows", 1_000_000, "rows of the COPY ingest, read by the point SELECTs")
	clientList := fl.String("clients", "1,16", "comma-separated client counts for the INSERT and SELECT workloads")
	duration := fl.Duration("duration", 10*time.Second, "length of each INSERT and SELECT run")
	repeat := fl.Int("repeat", 1, "run each INSERT and SELECT measurement N times, alternating servers, and keep each one's best")
	workloads := fl.String("workloads", "copy,insert,select", "workloads to run: copy, insert, select")
	jsonOut := fl.String("json", "", "also write the results as JSON to FILE")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of each portalsdb workload into DIR (in-process server only)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	var clients []int
	for _, f := range strings.Split(*clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "portalsdb bench: bad --clients %q\n", *clientList)
			return 2
		}
		clients = append(clients, n)
	}
	progress := os.Stderr

	target, pg, stopServers, err := servers.start(ctx, progress)
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench:", err)
		return 1
	}
	defer stopServers()
	if *cpuProfile != "" {
		if !target.InProcess {
			fmt.Fprintln(os.Stderr, "portalsdb bench: --cpuprofile profiles an in-process server only")
			return 2
		}
		if err := os.MkdirAll(*cpuProfile, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "portalsdb bench:", err)
			return 1
		}
		target.Around = profileAround(*cpuProfile)
	}
	targets := []bench.Target{target}
	if pg != nil {
		targets = append(targets, *pg)
	} else {
		fmt.Fprintln(progress, "no --pg or --pg-start: measuring portalsdb alone")
	}

	opts := bench.Options{Rows: *rows, Clients: clients, Duration: *duration, Progress: progress, Repeat: *repeat}
	for _, w := range strings.Split(*workloads, ",") {
		if w = strings.TrimSpace(w); w != "" {
			opts.Workloads = append(opts.Workloads, w)
		}
	}
	loadBefore := loadAverage()
	results, err := bench.Run(ctx, targets, opts)
	printResults(os.Stdout, targets, results)
	fmt.Fprintf(os.Stdout, "load average (1 min) before and after: %s, %s on %d CPUs\n", loadBefore, loadAverage(), runtime.NumCPU())
	if *jsonOut != "" {
		if werr := writeJSON(*jsonOut, opts, targets, results); werr != nil {
			fmt.Fprintln(os.Stderr, "portalsdb bench:", werr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalsdb bench:", err)
		return 1
	}
	return 0
}

// profileAround takes a CPU profile of the whole process (the in-process
// server and the load generator) for each workload.
func profileAround(dir string) func(string, func() error) error {
	return func(workload string, run func() error) error {
		f, err := os.Create(filepath.Join(dir, "portalsdb-"+workload+".pprof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
		return run()
	}
}

// loadAverage returns the 1-minute load average, "?" where unknown: a
// loaded machine slows every server.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func printResults(w io.Writer, targets []bench.Target, results []bench.Result) {
	fmt.Fprintf(w, "\n%-34s", "workload")
	for _, t := range targets {
		fmt.Fprintf(w, " %22s", t.Name)
	}
	if len(targets) == 2 {
		fmt.Fprintf(w, " %10s", "ratio")
	}
	fmt.Fprintln(w)
	for _, r := range results {
		fmt.Fprintf(w, "%-34s", r.Name())
		for _, t := range targets {
			fmt.Fprintf(w, " %22s", fmt.Sprintf("%.0f %s", r.Rates[t.Name], r.Unit))
		}
		if len(targets) == 2 {
			fmt.Fprintf(w, " %10.2f", r.Rates[targets[0].Name]/r.Rates[targets[1].Name])
		}
		fmt.Fprintln(w)
	}
	if len(targets) == 2 {
		fmt.Fprintf(w, "ratio = %s / %s (above 1: %s is faster)\n", targets[0].Name, targets[1].Name, targets[0].Name)
	}
	// Server CPU per operation, where both servers' could be measured.
	if len(targets) != 2 {
		return
	}
	a, b := targets[0].Name, targets[1].Name
	header := false
	for _, r := range results {
		ca, okA := r.ServerCPU[a]
		cb, okB := r.ServerCPU[b]
		if !okA || !okB || ca <= 0 || cb <= 0 {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\n%-34s %22s %22s %10s\n", "server CPU per operation", a, b, "ratio")
			header = true
		}
		fmt.Fprintf(w, "%-34s %22s %22s %10.2f\n", r.Name(), fmt.Sprintf("%.1f us", ca), fmt.Sprintf("%.1f us", cb), cb/ca)
	}
	if header {
		fmt.Fprintf(w, "ratio = %s's CPU / %s's (above 1: %s uses less CPU per operation)\n", b, a, a)
		if targets[0].InProcess {
			fmt.Fprintf(w, "the in-process %s's CPU is the process's less the clients' cost measured against %s\n", a, b)
		}
	}
}

func writeJSON(path string, o bench.Options, targets []bench.Target, results []bench.Result) error {
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name
	}
	doc := struct {
		Time      time.Time      `json:"time"`
		GoVersion string         `json:"go_version"`
		CPUs      int            `json:"cpus"`
		Rows      int            `json:"rows"`
		Clients   []int          `json:"clients"`
		Duration  string         `json:"duration"`
		Targets   []string       `json:"targets"`
		Results   []bench.Result `json:"results"`
	}{time.Now().UTC(), runtime.Version(), runtime.NumCPU(), o.Rows, o.Clients, o.Duration.String(), names, results}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
