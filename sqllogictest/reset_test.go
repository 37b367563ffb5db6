package sqllogictest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

// TestEachFileStartsEmpty runs the same file twice under every reset: it
// creates a table and a view, so the second run fails unless the first one's
// objects are gone.
func TestEachFileStartsEmpty(t *testing.T) {
	dsn := postgresDSN(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "a", "create.test")
	second := filepath.Join(dir, "b", "create.test")
	script := `statement ok
CREATE TABLE reset_probe(x INTEGER)

statement ok
CREATE VIEW reset_probe_view AS SELECT x FROM reset_probe

query I nosort
SELECT count(*) FROM reset_probe
----
0
`
	writeFile(t, first, script)
	writeFile(t, second, script)

	type preparer interface {
		Prepare(context.Context, string) (Target, error)
		Close()
	}
	makers := map[string]func(string) (preparer, error){
		"fresh-db":     func(d string) (preparer, error) { return NewFreshDatabases(d) },
		"fresh-schema": func(d string) (preparer, error) { return NewFreshSchemas(d) },
		"drop-tables":  func(d string) (preparer, error) { return NewTableDropper(d) },
	}
	for name, mk := range makers {
		p, err := mk(dsn)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		sum, err := Run(context.Background(), Config{Prepare: p.Prepare}, []string{first, second}, &out)
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Failed != 0 || sum.Passed != 6 {
			t.Errorf("%s: %d passed, %d failed, want 6 and 0\n%s", name, sum.Passed, sum.Failed, out.String())
		}
	}
	// Without a reset the second run must trip over the first one's table,
	// so the check above would catch a reset that does nothing.
	dropper, err := NewTableDropper(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dropper.Close()
	clean := func() {
		if _, err := dropper.Prepare(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
	}
	clean()
	defer clean() // leave the shared database as it was
	var out bytes.Buffer
	sum, err := Run(context.Background(), Config{DSN: dsn}, []string{first, second}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed == 0 {
		t.Errorf("without a reset the second file should fail:\n%s", out.String())
	}
}
