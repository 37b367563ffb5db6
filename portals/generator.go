package portals

import (
	"context"
	"encoding/binary"
	"time"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Generator produces a stream's events. Event i must be a pure function of
// the generator's arguments (its seed included) and i, so that a generator
// resumed after a crash continues exactly where its last atom ended, and
// so that its stream need not store its events: each atom's log entry is
// only its event range (rowcodec.GeneratedChunk), and every reader of the
// atom calls the generator for the events (exec.AtomReader). Append must
// be safe for concurrent use, as readers materialize atoms at once.
type Generator interface {
	// Types returns the types of the events' columns.
	Types() []types.T
	// Append appends events from, from+1, ..., from+n-1, and counts them
	// with b.AddRows.
	Append(b *batch.Builders, from int64, n int)
}

// GeneratorCatalog builds the generator of a generator stream from the
// stream's definition, for readers of its atoms when the runtime does not
// run it: it stopped at its count, or is not started yet after a restart.
type GeneratorCatalog func(oid uint32) (Generator, error)

// SetGeneratorCatalog tells the runtime where to find the generators of
// streams it does not run. Call it once, before the runtime is used.
func (rt *Runtime) SetGeneratorCatalog(c GeneratorCatalog) { rt.generatorCatalog = c }

// Generator implements exec.Generators: it returns the generator of a
// generator stream, running or not. A generator found through the catalog
// is kept until StopGenerator (a stream's OID is never reused).
func (rt *Runtime) Generator(stream uint64) (exec.EventGenerator, error) {
	oid := uint32(stream)
	rt.mu.Lock()
	g, ok := rt.streamGenerators[oid]
	rt.mu.Unlock()
	if ok {
		return g, nil
	}
	if rt.generatorCatalog == nil {
		return nil, pgerror.Internalf("no generator for stream %d", oid)
	}
	g, err := rt.generatorCatalog(oid)
	if err != nil {
		return nil, err
	}
	rt.mu.Lock()
	rt.streamGenerators[oid] = g
	rt.mu.Unlock()
	return g, nil
}

// Disordered is a generator whose events are not in event-time order. A
// stream's watermark must trail its time column by at least the bound, or
// events would be late by construction.
type Disordered interface {
	// Disorder returns the time column and the most, in microseconds, by
	// which an event's time can precede an event emitted before it.
	Disorder() (column string, bound int64)
}

// GeneratorSpec is a generator stream to run.
type GeneratorSpec struct {
	OID  uint32
	Name string
	Gen  Generator
	// AtomRows is the number of events per atom.
	AtomRows int
	// EventsPerSecond throttles the generator; 0 runs it as fast as it
	// goes.
	EventsPerSecond float64
	// Count is the number of events to produce; negative is unbounded.
	Count int64
}

// generator runs one generator stream.
type generator struct {
	rt     *Runtime
	spec   GeneratorSpec
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// positionKey holds the index of the next event to produce.
func generatorKey(oid uint32) []byte {
	return append(storage.ObjectPrefix(uint64(oid)), 'g')
}

// StartGenerator runs a generator stream until it reaches its count, the
// runtime closes, or StopGenerator.
func (rt *Runtime) StartGenerator(spec GeneratorSpec) error {
	if spec.AtomRows <= 0 {
		return pgerror.New(pgerror.InvalidParameterValue, "atom_rows must be positive")
	}
	g := &generator{rt: rt, spec: spec, done: make(chan struct{})}
	g.ctx, g.cancel = context.WithCancel(rt.ctx)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.generators == nil {
		rt.generators = map[uint32]*generator{}
	}
	if _, ok := rt.generators[spec.OID]; ok {
		return pgerror.Internalf("generator %s is already running", spec.Name)
	}
	rt.generators[spec.OID] = g
	rt.streamGenerators[spec.OID] = spec.Gen
	go g.run()
	return nil
}

// StopGenerator stops a generator stream.
func (rt *Runtime) StopGenerator(oid uint32) {
	rt.mu.Lock()
	g, ok := rt.generators[oid]
	delete(rt.generators, oid)
	delete(rt.streamGenerators, oid)
	rt.mu.Unlock()
	if ok {
		g.cancel()
		<-g.done
	}
}

// GeneratorRunning reports whether the runtime runs generator stream
// oid's generator (one that reached its count stays registered until
// StopGenerator).
func (rt *Runtime) GeneratorRunning(oid uint32) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	_, ok := rt.generators[oid]
	return ok
}

// GeneratorPosition returns how many events a generator stream has
// committed.
func (rt *Runtime) GeneratorPosition(oid uint32) (int64, error) {
	txn := rt.db.Begin()
	defer txn.Rollback()
	return readGeneratorPosition(txn, oid)
}

func readGeneratorPosition(txn *storage.Txn, oid uint32) (int64, error) {
	v, ok, err := txn.Get(generatorKey(oid))
	if err != nil || !ok {
		return 0, err
	}
	n, k := binary.Varint(v)
	if k <= 0 {
		return 0, pgerror.New(pgerror.DataCorrupted, "corrupt generator position")
	}
	return n, nil
}

func (g *generator) run() {
	defer close(g.done)
	start := time.Now()
	produced := int64(0)
	for g.ctx.Err() == nil {
		n, more, err := g.atom()
		if err != nil {
			if g.ctx.Err() != nil {
				return
			}
			g.rt.log.Error("generator failed; retrying", "stream", g.spec.Name, "err", err)
			select {
			case <-g.ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if !more {
			return
		}
		produced += int64(n)
		if rate := g.spec.EventsPerSecond; rate > 0 {
			due := start.Add(time.Duration(float64(produced) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-g.ctx.Done():
					return
				case <-time.After(d):
				}
			}
		}
	}
}

// atom commits the next atom with the generator's new position. The atom
// is stored as its event range: readers produce the events.
func (g *generator) atom() (int, bool, error) {
	txn := g.rt.db.Begin()
	defer txn.Rollback()
	next, err := readGeneratorPosition(txn, g.spec.OID)
	if err != nil {
		return 0, false, err
	}
	n := int64(g.spec.AtomRows)
	if g.spec.Count >= 0 {
		if next >= g.spec.Count {
			return 0, false, nil
		}
		n = min(n, g.spec.Count-next)
	}
	chunk := rowcodec.AppendGeneratedChunk(nil, rowcodec.GeneratedChunk{Stream: uint64(g.spec.OID), From: next, Count: int(n)})
	if err := txn.AppendLog(uint64(g.spec.OID), chunk); err != nil {
		return 0, false, err
	}
	if err := txn.Put(generatorKey(g.spec.OID), binary.AppendVarint(nil, next+n)); err != nil {
		return 0, false, err
	}
	if _, err := txn.Commit(); err != nil {
		return 0, false, err
	}
	return int(n), true, nil
}

// Series is the generator of consecutive integers: event i is
// start + i*step.
type Series struct {
	Start, Step int64
}

// Types implements Generator.
func (s Series) Types() []types.T { return []types.T{types.Int8Type} }

// Append implements Generator.
func (s Series) Append(b *batch.Builders, from int64, n int) {
	vals := make([]int64, n)
	for i := range vals {
		vals[i] = s.Start + (from+int64(i))*s.Step
	}
	b.Column(0).(interface{ AppendValues([]int64, []bool) }).AppendValues(vals, nil)
	b.AddRows(n)
}
