package sqllogictest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DivergenceEntry is one record on a divergence list: a record that real
// PostgreSQL fails too, so that failing it is the dialect, not a bug.
type DivergenceEntry struct {
	// Path is relative to the corpus root, with forward slashes.
	Path string
	// Line is the line of the record's header.
	Line int
	// Reason says why PostgreSQL differs.
	Reason string
	// Kind is the heading of the group the entry sits under.
	Kind string
}

func (e DivergenceEntry) String() string {
	return e.Path + ":" + strconv.Itoa(e.Line) + "  " + e.Reason
}

// Divergences is a loaded divergence list.
//
// The file format is one entry a line, `<path>:<line>  <reason>`, with the
// path relative to the corpus root. Lines starting with '#' are comments; a
// comment of the form `# == <kind> ==` starts a group, and the entries below
// it get that kind. A script matches an entry when the script's path equals
// the entry's path or ends with "/" + the entry's path, so the list works
// wherever the corpus is checked out.
type Divergences struct {
	entries []DivergenceEntry
	byPath  map[string]map[int]int // path -> line -> index into entries
}

// ParseDivergences reads a divergence list.
func ParseDivergences(r io.Reader) (*Divergences, error) {
	d := &Divergences{byPath: map[string]map[int]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	kind := ""
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			c := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			if strings.HasPrefix(c, "==") && strings.HasSuffix(c, "==") && len(c) > 4 {
				kind = strings.TrimSpace(strings.Trim(c, "="))
			}
			continue
		}
		loc, reason, _ := strings.Cut(line, " ")
		colon := strings.LastIndexByte(loc, ':')
		if colon <= 0 {
			return nil, fmt.Errorf("divergence list line %d: want <path>:<line>  <reason>", lineNo)
		}
		n, err := strconv.Atoi(loc[colon+1:])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("divergence list line %d: bad line number %q", lineNo, loc[colon+1:])
		}
		e := DivergenceEntry{Path: filepath.ToSlash(filepath.Clean(loc[:colon])), Line: n, Reason: strings.TrimSpace(reason), Kind: kind}
		lines := d.byPath[e.Path]
		if lines == nil {
			lines = map[int]int{}
			d.byPath[e.Path] = lines
		}
		if _, dup := lines[n]; dup {
			return nil, fmt.Errorf("divergence list line %d: %s:%d listed twice", lineNo, e.Path, n)
		}
		lines[n] = len(d.entries)
		d.entries = append(d.entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

// LoadDivergences reads a divergence list file.
func LoadDivergences(path string) (*Divergences, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseDivergences(f)
}

// Len is the number of entries.
func (d *Divergences) Len() int {
	if d == nil {
		return 0
	}
	return len(d.entries)
}

// Entries returns the entries in file order.
func (d *Divergences) Entries() []DivergenceEntry {
	if d == nil {
		return nil
	}
	return append([]DivergenceEntry(nil), d.entries...)
}

// forFile returns the entries that apply to a script path, by line. When
// several list paths match, the longest wins.
func (d *Divergences) forFile(file string) (string, map[int]int) {
	if d == nil {
		return "", nil
	}
	f := filepath.ToSlash(filepath.Clean(file))
	best := ""
	for p := range d.byPath {
		if (f == p || strings.HasSuffix(f, "/"+p)) && len(p) > len(best) {
			best = p
		}
	}
	if best == "" {
		return "", nil
	}
	return best, d.byPath[best]
}

// WriteDivergences writes entries in the list format, grouped by Kind in the
// order kinds first appear, sorted by path and line within a group.
func WriteDivergences(w io.Writer, header string, entries []DivergenceEntry) error {
	bw := bufio.NewWriter(w)
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if header == "" {
			break
		}
		fmt.Fprintf(bw, "# %s\n", line)
	}
	var kinds []string
	groups := map[string][]DivergenceEntry{}
	for _, e := range entries {
		if _, ok := groups[e.Kind]; !ok {
			kinds = append(kinds, e.Kind)
		}
		groups[e.Kind] = append(groups[e.Kind], e)
	}
	for _, k := range kinds {
		g := groups[k]
		sort.SliceStable(g, func(i, j int) bool {
			if g[i].Path != g[j].Path {
				return g[i].Path < g[j].Path
			}
			return g[i].Line < g[j].Line
		})
		fmt.Fprintln(bw)
		if k != "" {
			fmt.Fprintf(bw, "# == %s ==\n", k)
		}
		for _, e := range g {
			fmt.Fprintf(bw, "%s:%d  %s\n", e.Path, e.Line, e.Reason)
		}
	}
	return bw.Flush()
}
