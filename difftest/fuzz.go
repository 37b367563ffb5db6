package difftest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Config says what a fuzzing run generates and where it reports.
type Config struct {
	// Seed makes the run reproducible: case i of a seed is always the same.
	Seed int64
	// N is the number of cases to run.
	N int
	// First skips the cases before it (they are still generated), to
	// replay one case of a long run.
	First int
	// Profiles are cycled through, one per setup; empty means all.
	Profiles []Profile
	// CasesPerSetup is how many cases run on one schema and data.
	CasesPerSetup int
	// Shrink minimizes each difference, with at most ShrinkTrials runs.
	Shrink       bool
	ShrinkTrials int
	// MaxFindings stops the run after that many distinct findings; 0 means
	// no limit.
	MaxFindings int
	// Findings receives each distinct finding as sqllogictest-rs records;
	// Log receives progress and one line per difference. Either may be nil.
	Findings io.Writer
	Log      io.Writer
	// Ignore lists kinds of difference not to report.
	Ignore []Kind
}

// Report counts what a run did.
type Report struct {
	Cases      int
	Statements int
	Diffs      map[Kind]int
	Findings   []*Finding
	// Repeats counts differences whose shrunk signature was seen before.
	Repeats int
	// GenErrors counts cases skipped because PostgreSQL could not set
	// them up.
	GenErrors int
	Elapsed   time.Duration
}

// Fuzz runs cfg.N generated cases through r.
func Fuzz(ctx context.Context, r *Runner, cfg Config) (*Report, error) {
	start := time.Now()
	rep := &Report{Diffs: map[Kind]int{}}
	profiles := cfg.Profiles
	if len(profiles) == 0 {
		for p := Profile(0); p < numProfiles; p++ {
			profiles = append(profiles, p)
		}
	}
	perSetup := cfg.CasesPerSetup
	if perSetup <= 0 {
		perSetup = 25
	}
	ignore := map[Kind]bool{}
	for _, k := range cfg.Ignore {
		ignore[k] = true
	}
	seen := map[string]bool{}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	var g *Gen
	var profile Profile
	lastLog := time.Now()
	for i := 0; i < cfg.First+cfg.N; i++ {
		if ctx.Err() != nil {
			break
		}
		if i%perSetup == 0 {
			setupIdx := i / perSetup
			profile = profiles[setupIdx%len(profiles)]
			g = NewGen(cfg.Seed*1_000_003+int64(setupIdx), profile)
			g.NewSetup()
		}
		c := g.NextCase()
		if i < cfg.First {
			continue
		}
		rep.Cases++
		out, err := r.Run(ctx, c)
		if errors.Is(err, errGenerator) {
			rep.GenErrors++
			logf("case %d: generator: %v", i, err)
			// A view PostgreSQL refuses would fail every case of the setup.
			g.setup.Views = nil
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("case %d: %w", i, err)
		}
		if time.Since(lastLog) > 30*time.Second {
			logf("... %d cases, %d statements, %d findings, %v", rep.Cases, r.Statements, len(rep.Findings), time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		if out == nil || ignore[out.Diff.Kind] {
			continue
		}
		rep.Diffs[out.Diff.Kind]++
		f := &Finding{Seed: cfg.Seed, Profile: profile, Case: i, C: c, Out: out}
		if cfg.Shrink && out.Diff.Kind != KindSlow {
			sh := &Shrinker{R: r, MaxTrials: cfg.ShrinkTrials}
			if sh.MaxTrials == 0 {
				sh.MaxTrials = 3000
			}
			f.C, f.Out, err = sh.Shrink(ctx, c, out)
			if err != nil {
				return rep, fmt.Errorf("case %d: shrinking: %w", i, err)
			}
		}
		sig := f.Signature()
		if seen[sig] {
			rep.Repeats++
			logf("case %d: %s (repeat)", i, out.Diff.Kind)
			continue
		}
		seen[sig] = true
		f.Want, f.Got, err = r.Transcript(ctx, f.C)
		if err != nil {
			return rep, fmt.Errorf("case %d: transcript: %w", i, err)
		}
		rep.Findings = append(rep.Findings, f)
		logf("case %d: %s\n    %s", i, oneLine(f.Out.Diff.String()), lastSQL(f.C))
		if cfg.Findings != nil {
			f.WriteSLT(cfg.Findings)
		}
		if cfg.MaxFindings > 0 && len(rep.Findings) >= cfg.MaxFindings {
			break
		}
	}
	rep.Statements = r.Statements
	rep.Elapsed = time.Since(start)
	return rep, nil
}

func lastSQL(c *Case) string {
	if len(c.Stmts) == 0 {
		return "(setup)"
	}
	return c.Stmts[len(c.Stmts)-1].SQL()
}
