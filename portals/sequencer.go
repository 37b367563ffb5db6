package portals

import (
	"context"
	"encoding/binary"
	"sync"
	"time"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// Sequencers and splitters move whole atoms between streams.
//
// A sequencer copies the atoms of several streams into one, in the global
// commit order: each source atom becomes one atom of the sequencer's stream,
// never fused with another and never split, and the atoms of each source
// keep their order. Two sources that got an atom from one transaction give
// two atoms, the first-listed source's first.
//
// A splitter routes each event of a stream to the first of its splits whose
// predicate holds. The events one source atom sends to a split form one
// atom of that split, and the splits of one source atom commit together, so
// a reader of several splits never sees half of a source atom.
//
// Both commit their position with what they append, in one transaction: a
// crash never loses or repeats an atom.

// pump runs step until it makes no progress, then waits for a commit;
// errors are logged and retried, as a stream must keep flowing.
type pump struct {
	rt     *Runtime
	name   string
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	// frontier is the snapshot up to which every input atom is moved;
	// readers of the output wait on it for read-your-writes.
	mu       sync.Mutex
	frontier storage.Seq
	progress *signal
}

func (rt *Runtime) newPump(name string) *pump {
	p := &pump{rt: rt, name: name, done: make(chan struct{}), progress: newSignal()}
	p.ctx, p.cancel = context.WithCancel(rt.ctx)
	return p
}

// step moves at most one atom; with nothing to move it reports the
// snapshot it looked at.
type stepFunc func() (progressed bool, lookedAt storage.Seq, err error)

func (p *pump) run(step stepFunc) {
	defer close(p.done)
	for p.ctx.Err() == nil {
		ch := p.rt.commits.wait()
		progressed, lookedAt, err := step()
		if err == nil && !progressed {
			p.mu.Lock()
			if lookedAt > p.frontier {
				p.frontier = lookedAt
			}
			p.mu.Unlock()
			p.progress.broadcast()
		}
		if err != nil {
			if p.ctx.Err() != nil {
				return
			}
			p.rt.log.Error("moving atoms failed; retrying", "object", p.name, "err", err)
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if progressed {
			continue
		}
		select {
		case <-p.ctx.Done():
			return
		case <-ch:
		}
	}
}

func (p *pump) stop() {
	p.cancel()
	<-p.done
}

// waitFrontier waits until the pump moved every input atom up to seq.
func (p *pump) waitFrontier(ctx context.Context, seq storage.Seq) error {
	for {
		ch := p.progress.wait()
		p.mu.Lock()
		f := p.frontier
		p.mu.Unlock()
		if f >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-p.done:
			return nil
		case <-ctx.Done():
			return canceled(ctx)
		}
	}
}

// SequencerSpec is a sequencer to run: the stream it fills and its
// sources, in order.
type SequencerSpec struct {
	OID     uint32
	Name    string
	Sources []uint32
}

// sequencerKey holds the last source atom copied: its seq and the index
// of its source.
func sequencerKey(oid uint32) []byte { return append(storage.ObjectPrefix(uint64(oid)), 'q') }

// StartSequencer runs a sequencer until StopPump or the runtime closes.
func (rt *Runtime) StartSequencer(spec SequencerSpec) {
	p := rt.newPump(spec.Name)
	rt.addPump(spec.OID, p)
	go p.run(func() (bool, storage.Seq, error) { return sequenceOne(rt.db, spec) })
}

// addPump registers a running sequencer or splitter under id.
func (rt *Runtime) addPump(id uint32, p *pump) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.pumps == nil {
		rt.pumps = map[uint32]*pump{}
	}
	if old, ok := rt.pumps[id]; ok {
		defer old.stop()
	}
	rt.pumps[id] = p
}

// StopPump stops the sequencer or splitter registered under id.
func (rt *Runtime) StopPump(id uint32) {
	rt.mu.Lock()
	p, ok := rt.pumps[id]
	delete(rt.pumps, id)
	rt.mu.Unlock()
	if ok {
		p.stop()
	}
}

// sequenceOne copies the next source atom, if any, as one atom.
func sequenceOne(db *storage.DB, spec SequencerSpec) (bool, storage.Seq, error) {
	txn := db.Begin()
	defer txn.Rollback()
	var pos storage.Seq
	last := -1
	if v, ok, err := txn.Get(sequencerKey(spec.OID)); err != nil {
		return false, 0, err
	} else if ok {
		if len(v) != 12 {
			return false, 0, pgerror.New(pgerror.DataCorrupted, "corrupt sequencer position")
		}
		pos, last = storage.Seq(binary.BigEndian.Uint64(v)), int(binary.BigEndian.Uint32(v[8:]))
	}
	// The next atom is the smallest (seq, source index) after the
	// position: sources after the last one copied may still have an atom
	// at the same seq.
	best, bestSrc := storage.Seq(0), -1
	for i, src := range spec.Sources {
		after := pos
		if i > last && pos > 0 {
			after = pos - 1
		}
		s, err := txn.NextLogSeq(uint64(src), after)
		if err != nil {
			return false, 0, err
		}
		if s != 0 && (bestSrc < 0 || s < best) {
			best, bestSrc = s, i
		}
	}
	if bestSrc < 0 {
		return false, txn.ReadSeq(), nil
	}
	// Entries are copied as they are: a generated chunk names the stream
	// whose generator produces its events, so readers of the sequencer's
	// stream materialize them as readers of the source do.
	it, err := txn.ScanLog(uint64(spec.Sources[bestSrc]), best, best)
	if err != nil {
		return false, 0, err
	}
	for ; it.Valid(); it.Next() {
		if err := txn.AppendLog(uint64(spec.OID), append([]byte(nil), it.Entry().Value...)); err != nil {
			it.Close()
			return false, 0, err
		}
	}
	err = it.Error()
	it.Close()
	if err != nil {
		return false, 0, err
	}
	v := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, uint64(best)), uint32(bestSrc))
	if err := txn.Put(sequencerKey(spec.OID), v); err != nil {
		return false, 0, err
	}
	if _, err := txn.Commit(); err != nil {
		return false, 0, err
	}
	return true, 0, nil
}

// SplitterSpec is a splitter to run.
type SplitterSpec struct {
	// ID names the splitter's position record (its first split's OID).
	ID     uint32
	Name   string
	Source uint32
	Types  []types.T
	// Splits are the split streams, in order; Preds their conditions over
	// the source's columns.
	Splits []uint32
	Preds  []expr.Expr
}

func splitterKey(id uint32) []byte { return append(storage.ObjectPrefix(uint64(id)), 'x') }

// StartSplitter runs a splitter; starting it again with more splits
// replaces the running one, which continues from its position.
func (rt *Runtime) StartSplitter(spec SplitterSpec) error {
	layout := expr.Layout{}
	for i := range spec.Types {
		layout[expr.ColumnID(i+1)] = i
	}
	preds := make([]expr.Evaluator, len(spec.Preds))
	for i, p := range spec.Preds {
		ev, err := expr.Compile(p, layout)
		if err != nil {
			return err
		}
		preds[i] = ev
	}
	codec, err := rowcodec.NewChangeCodec(spec.Types)
	if err != nil {
		return err
	}
	reader, err := exec.NewAtomReader(spec.Types, rt)
	if err != nil {
		return err
	}
	p := rt.newPump(spec.Name)
	rt.addPump(spec.ID, p)
	go p.run(func() (bool, storage.Seq, error) { return splitOne(rt.db, spec, preds, reader, codec) })
	return nil
}

// splitOne routes the next source atom, if any. The splits store their
// events, also those of a generator stream's atoms.
func splitOne(db *storage.DB, spec SplitterSpec, preds []expr.Evaluator, reader *exec.AtomReader, codec *rowcodec.ChangeCodec) (bool, storage.Seq, error) {
	txn := db.Begin()
	defer txn.Rollback()
	var pos storage.Seq
	if v, ok, err := txn.Get(splitterKey(spec.ID)); err != nil {
		return false, 0, err
	} else if ok {
		pos = storage.Seq(binary.BigEndian.Uint64(v))
	}
	next, err := txn.NextLogSeq(uint64(spec.Source), pos)
	if err != nil {
		return false, 0, err
	}
	if next == 0 {
		return false, txn.ReadSeq(), nil
	}
	it, err := txn.ScanLog(uint64(spec.Source), next, next)
	if err != nil {
		return false, 0, err
	}
	_, atom, err := reader.Read(it)
	it.Close()
	if err != nil {
		return false, 0, err
	}
	// Each event goes to the first split whose condition is true.
	route := make([]int, atom.Len)
	for i := range route {
		route[i] = -1
	}
	ev := &expr.Ctx{Env: &types.Env{Loc: time.UTC, Now: time.Now()}}
	for s, p := range preds {
		res, err := p.Eval(ev, atom.Batch)
		if err != nil {
			return false, 0, err
		}
		b, ok := res.(interface{ Value(int) bool })
		if !ok {
			return false, 0, pgerror.Internalf("split condition is not boolean")
		}
		for r := range route {
			if route[r] < 0 && res.IsValid(r) && b.Value(r) {
				route[r] = s
			}
		}
	}
	for s, split := range spec.Splits {
		var idx []int32
		for r, to := range route {
			if to == s {
				idx = append(idx, int32(r))
			}
		}
		if len(idx) == 0 {
			continue
		}
		if err := exec.AppendChanges(txn, uint64(split), codec, spec.Types, batch.Inserts(atom.Batch.Take(idx))); err != nil {
			return false, 0, err
		}
	}
	if err := txn.Put(splitterKey(spec.ID), binary.BigEndian.AppendUint64(nil, uint64(next))); err != nil {
		return false, 0, err
	}
	if _, err := txn.Commit(); err != nil {
		return false, 0, err
	}
	return true, 0, nil
}
