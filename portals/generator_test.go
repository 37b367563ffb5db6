package portals_test

import (
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/portals"
	"portalsdb/storage"
	"portalsdb/types"
)

func openTestDB(t *testing.T) *storage.DB {
	t.Helper()
	opts := storage.DefaultOptions()
	opts.Sync = false
	opts.GCInterval = 0
	db, err := storage.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func bidGenerator(t *testing.T, maxEvents int64) *portals.Nexmark {
	t.Helper()
	cfg := portals.DefaultNexmarkConfig(portals.NexmarkBid)
	cfg.Seed, cfg.MaxEvents = 3, maxEvents
	g, err := portals.NewNexmark(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// textRows renders a batch's rows as text lines.
func textRows(ts []types.T, b *batch.Batch) []string {
	var out []string
	for _, row := range b.Rows(ts) {
		parts := make([]string, len(row))
		for i, d := range row {
			parts[i] = types.FormatText(ts[i], d, nil)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// readStream reads every atom of a stream's log through an AtomReader
// backed by the runtime's generators.
func readStream(t *testing.T, db *storage.DB, rt *portals.Runtime, oid uint64, ts []types.T) (rows []string, atoms int) {
	t.Helper()
	reader, err := exec.NewAtomReader(ts, rt)
	if err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	defer txn.Rollback()
	it, err := txn.ScanLog(oid, 0, ^storage.Seq(0))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for it.Valid() {
		_, c, err := reader.Read(it)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range c.Diff {
			if d != 1 {
				t.Fatalf("a generated event with diff %d", d)
			}
		}
		rows = append(rows, textRows(ts, c.Batch)...)
		atoms++
	}
	return rows, atoms
}

// TestGeneratorStoresEventRanges runs a Nexmark bid generator to its
// count and checks that its stream stores almost nothing: per atom one
// small log entry, and its position; and that reading the atoms gives
// exactly the generator's events, from the running generator and, once it
// is stopped, from the one the catalog builds.
func TestGeneratorStoresEventRanges(t *testing.T) {
	db := openTestDB(t)
	rt := portals.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer rt.Close()
	const oid, atomRows = 700, 1000
	gen := bidGenerator(t, 50000)
	count := gen.Count()
	var catalogCalls int
	rt.SetGeneratorCatalog(func(o uint32) (portals.Generator, error) {
		if o != oid {
			t.Errorf("catalog asked for the generator of %d", o)
		}
		catalogCalls++
		return bidGenerator(t, 50000), nil
	})
	if err := rt.StartGenerator(portals.GeneratorSpec{OID: oid, Name: "bid", Gen: gen, AtomRows: atomRows, Count: count}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := rt.GeneratorPosition(oid)
		if err != nil {
			t.Fatal(err)
		}
		if n == count {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the generator made %d of %d events in a minute", n, count)
		}
		time.Sleep(5 * time.Millisecond)
	}

	txn := db.Begin()
	it, err := txn.ScanLog(oid, 0, ^storage.Seq(0))
	if err != nil {
		t.Fatal(err)
	}
	entries, logBytes := 0, 0
	for ; it.Valid(); it.Next() {
		entries++
		logBytes += len(it.Entry().Value)
	}
	it.Close()
	p := storage.ObjectPrefix(oid)
	keys, err := txn.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		t.Fatal(err)
	}
	other := 0
	for ok := keys.First(); ok; ok = keys.Next() {
		other++
	}
	keys.Close()
	txn.Rollback()
	wantAtoms := int((count + atomRows - 1) / atomRows)
	if entries != wantAtoms {
		t.Errorf("%d log entries for %d atoms", entries, wantAtoms)
	}
	// A stored bid takes about a hundred bytes; an atom's range a few.
	if logBytes > 16*wantAtoms {
		t.Errorf("the log of %d events takes %d bytes (%.2f per event)", count, logBytes, float64(logBytes)/float64(count))
	}
	if other != 1 {
		t.Errorf("%d keys under the stream's prefix, want its position only", other)
	}

	b := batch.NewBuilders(gen.Types())
	gen.Append(b, 0, int(count))
	want := textRows(gen.Types(), b.Build())
	got, atoms := readStream(t, db, rt, oid, gen.Types())
	if atoms != wantAtoms || !slices.Equal(got, want) {
		t.Fatalf("read %d events in %d atoms from the running generator; want the generator's %d in %d", len(got), atoms, len(want), wantAtoms)
	}
	if catalogCalls != 0 {
		t.Errorf("the catalog was asked %d times while the generator ran", catalogCalls)
	}
	rt.StopGenerator(oid)
	for range 2 {
		if got, _ := readStream(t, db, rt, oid, gen.Types()); !slices.Equal(got, want) {
			t.Fatal("the events read through the catalog's generator differ")
		}
	}
	if catalogCalls != 1 {
		t.Errorf("the catalog was asked %d times for a stopped generator, want once", catalogCalls)
	}
}

// TestNexmarkAppendConcurrent: readers materialize atoms at once with one
// generator, so concurrent Appends must each give what a lone one gives.
func TestNexmarkAppendConcurrent(t *testing.T) {
	for _, kind := range []portals.NexmarkKind{portals.NexmarkPerson, portals.NexmarkAuction, portals.NexmarkBid} {
		g, err := portals.NewNexmark(portals.DefaultNexmarkConfig(kind))
		if err != nil {
			t.Fatal(err)
		}
		const parts, n = 4, 3000
		want := make([][]string, parts)
		for p := range parts {
			b := batch.NewBuilders(g.Types())
			g.Append(b, int64(p*n), n)
			want[p] = textRows(g.Types(), b.Build())
		}
		got := make([][]string, parts)
		var wg sync.WaitGroup
		for p := range parts {
			wg.Go(func() {
				b := batch.NewBuilders(g.Types())
				g.Append(b, int64(p*n), n)
				got[p] = textRows(g.Types(), b.Build())
			})
		}
		wg.Wait()
		for p := range parts {
			if !slices.Equal(got[p], want[p]) {
				t.Errorf("%v: concurrent Append of events %d.. differs from a lone one", kind, p*n)
			}
		}
	}
}
