package sqllogictest

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// builtinDivergences is divergences/sqlite.txt: the records of SQLite's
// corpus that real PostgreSQL 15 fails.
//
//go:embed divergences/sqlite.txt
var builtinDivergences string

// BuiltinDivergences returns the divergence list shipped with the package.
func BuiltinDivergences() (*Divergences, error) {
	return ParseDivergences(strings.NewReader(builtinDivergences))
}

// StartServerFunc starts a server under test on loopback and returns its
// address (host:port) and a function that stops it.
type StartServerFunc func(ctx context.Context) (addr string, stop func(), err error)

const usage = `usage: portalsdb slt [flags] FILE|DIR|GLOB...

Runs sqllogictest files (SQLite's format or the sqllogictest-rs dialect)
against a PostgreSQL-protocol server. A DIR means every *.test and *.slt
file under it; a GLOB may use ** for any number of directories.

Without --addr or --dsn a portalsdb server is started for the run.

flags:
`

// Main is the `portalsdb slt` command. It returns the exit status: 0 when
// every record passed, 1 when any failed (or, with --check-divergences, when
// a listed divergence passes or names no record), 2 on a usage or setup
// error. startServer is used when no --addr/--dsn is given; it may be nil.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, startServer StartServerFunc) int {
	fl := flag.NewFlagSet("slt", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, usage)
		fl.PrintDefaults()
	}
	addr := fl.String("addr", "", "`HOST:PORT` of a running server to test")
	dsn := fl.String("dsn", "", "connection string of a running server (instead of --addr)")
	user := fl.String("user", "postgres", "user name with --addr")
	database := fl.String("database", "postgres", "maintenance database with --addr")
	engine := fl.String("engine", DefaultEngine, "engine name for skipif/onlyif")
	var labels multiFlag
	fl.Var(&labels, "label", "extra `name` that onlyif/skipif match (repeatable)")
	verbose := fl.Bool("v", false, "print each failing record with its SQL, expected and actual output")
	failFast := fl.Bool("fail-fast", false, "stop at the first failure")
	timeout := fl.Duration("timeout", DefaultRecordTimeout, "timeout of each record")
	divergences := fl.String("divergences", "builtin", "divergence list `FILE`; builtin is the shipped list of SQLite-corpus records PostgreSQL fails, none disables")
	checkDiv := fl.Bool("check-divergences", false, "fail when a listed divergence passes or names no record (run against real PostgreSQL)")
	listFailures := fl.String("list-failures", "", "write the failing records to `FILE` in the divergence-list format")
	corpusRoot := fl.String("corpus-root", "", "with --list-failures: write paths relative to `DIR`")
	reset := fl.String("reset", "", "how each file gets an empty database: fresh-db (CREATE/DROP DATABASE, default with --addr/--dsn), fresh-schema (a schema per file on search_path, fast on PostgreSQL), drop-tables, none, or server (a fresh server per file, default otherwise)")
	jobs := fl.Int("jobs", 1, "files run at once (needs --reset fresh-db, fresh-schema or server)")
	dialectFlag := fl.String("dialect", "auto", "force the dialect: sqlite, rs or auto")
	quiet := fl.Bool("q", false, "no progress lines on stderr")

	patterns, err := parseInterspersed(fl, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(patterns) == 0 {
		fl.Usage()
		return 2
	}
	dialect, ok := ParseDialect(*dialectFlag)
	if !ok {
		fmt.Fprintf(stderr, "slt: unknown dialect %q\n", *dialectFlag)
		return 2
	}
	files, err := expandFiles(patterns)
	if err != nil {
		fmt.Fprintf(stderr, "slt: %v\n", err)
		return 2
	}

	cfg := Config{
		Engine: *engine, Labels: labels, Dialect: dialect, Verbose: *verbose,
		FailFast: *failFast, RecordTimeout: *timeout, CheckDivergences: *checkDiv, Jobs: *jobs,
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	switch *divergences {
	case "none", "":
	case "builtin":
		cfg.Divergences, err = BuiltinDivergences()
	default:
		cfg.Divergences, err = LoadDivergences(*divergences)
	}
	if err != nil {
		fmt.Fprintf(stderr, "slt: divergence list: %v\n", err)
		return 2
	}

	target := *dsn
	if *addr != "" {
		target = addrDSN(*addr, *user, *database)
	}
	mode := *reset
	if mode == "" {
		mode = "fresh-db"
		if target == "" {
			mode = "server"
		}
	}
	if target == "" && startServer == nil {
		fmt.Fprintln(stderr, "slt: no server: give --addr or --dsn")
		return 2
	}
	if *jobs > 1 && mode != "fresh-db" && mode != "fresh-schema" && mode != "server" {
		fmt.Fprintln(stderr, "slt: --jobs > 1 needs --reset fresh-db, fresh-schema or server")
		return 2
	}
	if target == "" && mode != "server" {
		// One server for the whole run.
		a, stop, err := startServer(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "slt: starting the server: %v\n", err)
			return 2
		}
		defer stop()
		target = addrDSN(a, *user, *database)
	}
	switch mode {
	case "fresh-db":
		f, err := NewFreshDatabases(target)
		if err != nil {
			fmt.Fprintf(stderr, "slt: %v\n", err)
			return 2
		}
		defer f.Close()
		cfg.Prepare = f.Prepare
	case "fresh-schema":
		f, err := NewFreshSchemas(target)
		if err != nil {
			fmt.Fprintf(stderr, "slt: %v\n", err)
			return 2
		}
		defer f.Close()
		cfg.Prepare = f.Prepare
	case "drop-tables":
		d, err := NewTableDropper(target)
		if err != nil {
			fmt.Fprintf(stderr, "slt: %v\n", err)
			return 2
		}
		defer d.Close()
		cfg.Prepare = d.Prepare
	case "none":
		cfg.DSN = target
	case "server":
		if startServer == nil {
			fmt.Fprintln(stderr, "slt: --reset server needs a server to start; this build has none")
			return 2
		}
		cfg.Prepare = serverPerFile(startServer, *user, *database)
	default:
		fmt.Fprintf(stderr, "slt: unknown --reset %q\n", mode)
		return 2
	}

	sum, err := Run(ctx, cfg, files, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "slt: %v\n", err)
		return 2
	}
	secs := max(sum.Elapsed.Seconds(), 1e-9)
	ran := sum.Passed + sum.Failed + sum.Divergences
	fmt.Fprintf(stderr, "slt: %d records (%d run, %d skipped) in %.1fs: %.0f records/s, %.0f run/s\n",
		sum.Records(), ran, sum.Skipped, sum.Elapsed.Seconds(), float64(sum.Records())/secs, float64(ran)/secs)
	if *listFailures != "" {
		if err := writeFailures(*listFailures, *corpusRoot, sum.Failures); err != nil {
			fmt.Fprintf(stderr, "slt: %v\n", err)
			return 2
		}
	}
	if !sum.OK(*checkDiv) {
		return 1
	}
	return 0
}

func addrDSN(addr, user, database string) string {
	u := url.URL{Scheme: "postgres", User: url.User(user), Host: addr, Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

// serverPerFile starts a fresh server for each file and stops it after.
func serverPerFile(start StartServerFunc, user, database string) PrepareFunc {
	return func(ctx context.Context, file string) (Target, error) {
		addr, stop, err := start(ctx)
		if err != nil {
			return Target{}, err
		}
		c, err := pgconn.ParseConfig(addrDSN(addr, user, database))
		if err != nil {
			stop()
			return Target{}, err
		}
		return Target{Config: c, Release: func(context.Context) error { stop(); return nil }}, nil
	}
}

// writeFailures writes failing records as a divergence list, paths relative
// to root when given.
func writeFailures(file, root string, failures []Failure) error {
	entries := make([]DivergenceEntry, 0, len(failures))
	for _, f := range failures {
		p := f.File
		if root != "" {
			if rel, err := filepath.Rel(root, f.File); err == nil {
				p = rel
			}
		}
		entries = append(entries, DivergenceEntry{Path: filepath.ToSlash(p), Line: f.Line, Reason: f.Reason})
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := WriteDivergences(out, fmt.Sprintf("%d failing records", len(entries)), entries); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// parseInterspersed parses flags that may come after file arguments.
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		args = fl.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// expandFiles turns arguments into script paths: a file as is, a directory
// as every *.test and *.slt below it, a glob (with ** for any depth) as its
// matches. Each argument's files are sorted; an argument matching nothing
// is an error.
func expandFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			found, err := walkScripts(a, func(p string) bool {
				return strings.HasSuffix(p, ".test") || strings.HasSuffix(p, ".slt")
			})
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no *.test or *.slt files", a)
			}
			files = append(files, found...)
		case err == nil:
			files = append(files, a)
		case strings.Contains(a, "**"):
			found, err := globStar(a)
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no match", a)
			}
			files = append(files, found...)
		default:
			found, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, gerr
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no such file", a)
			}
			sort.Strings(found)
			files = append(files, found...)
		}
	}
	return files, nil
}

func walkScripts(root string, keep func(string) bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && keep(p) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// globStar matches a pattern whose ** matches zero or more directories.
func globStar(pattern string) ([]string, error) {
	slash := filepath.ToSlash(pattern)
	i := strings.Index(slash, "**")
	root := path.Dir(slash[:i] + "x")
	if root == "" {
		root = "."
	}
	if _, err := path.Match(slash, ""); err != nil {
		return nil, err
	}
	return walkScripts(filepath.FromSlash(root), func(p string) bool {
		return matchStar(strings.Split(slash, "/"), strings.Split(filepath.ToSlash(p), "/"))
	})
}

func matchStar(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(name); k++ {
				if matchStar(pat[1:], name[k:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
