package portals

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// WorkflowSpec is what the runtime needs to run a workflow.
type WorkflowSpec struct {
	OID  uint32
	Name string
	// Build returns a fresh dataflow of the workflow's query.
	Build func() (*exec.Dataflow, error)
	// Into, when not zero, is a stream the workflow's output changes are
	// also appended to.
	Into uint32
	// AppendOnly, from the workflow's descriptor, says its output only
	// inserts rows and its result is kept as its output log (see
	// exec.ReadResult): emit appends each atom's rows to the log and
	// writes nothing else, and the log is always on.
	AppendOnly bool
}

// Status is a workflow's state as the catalog views show it.
type Status struct {
	// Position is the last input atom the workflow processed.
	Position storage.Seq
	// Frontier is the atom up to which every input atom is processed.
	Frontier storage.Seq
	// LastCommit is the seq of the workflow's newest commit.
	LastCommit storage.Seq
	// FailedAtom and Err describe a stop on an error; zero when running.
	FailedAtom storage.Seq
	Err        string
	Atoms      int64
	RowsIn     int64
	RowsOut    int64
	Busy       time.Duration
	StateSize  int
	// LastProgress is when the frontier last moved.
	LastProgress time.Time
}

// Workflow is a running workflow.
type Workflow struct {
	rt   *Runtime
	spec WorkflowSpec
	df   *exec.Dataflow

	outTypes []types.T
	result   *exec.ResultCodec
	// srcReaders decode the sources' atoms.
	srcReaders []*exec.AtomReader
	outCodec   *rowcodec.ChangeCodec
	// trackers hold the watermarks of stream sources that declare one.
	trackers []*exec.WatermarkTracker

	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	wake    chan struct{}
	command chan command
	// recovered closes once the runner has loaded the workflow's position
	// and stop record: a status read before then would call a stopped
	// workflow running.
	recovered chan struct{}

	// resultKeys knows the result's keys by their hash (keySeed), so
	// that emit can skip most reads of a row's count: a row whose hash
	// is absent is certainly not in the result, and a row retracted
	// under a hash that only one key has is that key, whose count the
	// entry keeps. A read that misses costs a seek through every level
	// of the store; a collision only costs a read. It is nil until emit
	// builds it from the committed result; emit records its changes in
	// pendingKeys, and they are applied once the transaction commits
	// (keysCommitted). An emit whose changes were never applied, because
	// its transaction failed, makes the next emit drop it and build it
	// again.
	resultKeys  map[uint64]resultKey
	keySeed     maphash.Seed
	pendingKeys []keyChange
	keysPending bool
	// stepMu serializes the commits that write the workflow's output
	// (initialize, step) with EnsureLog, which turns the output log on
	// between two of them. It guards logOn and logSince.
	stepMu sync.Mutex
	// logOn says the output log is written: only once something reads it
	// (SUBSCRIBE, a workflow reading this one), since every event would
	// otherwise be written once more for nobody. logSince is the atom
	// after which the log holds every output atom.
	logOn    bool
	logSince storage.Seq

	mu       sync.Mutex
	status   Status
	latency  LatencyHistogram
	progress *signal
}

// resultKey is what resultKeys holds for a hash: how many of the result's
// keys have it, and when that is one, the key's count (-1: not known).
type resultKey struct {
	keys  int32
	count int64
}

// keyChange is a result key's count going from before to after.
type keyChange struct {
	hash          uint64
	before, after int64
}

// loadResultKeys builds resultKeys from the result as txn reads it.
func (w *Workflow) loadResultKeys(txn *storage.Txn) error {
	prefix := exec.ResultPrefix(uint64(w.spec.OID))
	it, err := txn.NewIter(prefix, storage.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	w.keySeed = maphash.MakeSeed()
	keys := map[uint64]resultKey{}
	for ok := it.First(); ok; ok = it.Next() {
		count, err := exec.ResultCount(it.Value())
		if err != nil {
			return err
		}
		h := maphash.Bytes(w.keySeed, it.Key())
		e := keys[h]
		e.keys++
		e.count = -1
		if e.keys == 1 {
			e.count = count
		}
		keys[h] = e
	}
	if err := it.Error(); err != nil {
		return err
	}
	w.resultKeys = keys
	return nil
}

// keysCommitted applies the last emit's key changes, once its
// transaction committed.
func (w *Workflow) keysCommitted() {
	for _, c := range w.pendingKeys {
		e := w.resultKeys[c.hash]
		switch {
		case c.before == 0:
			e.keys++
			e.count = -1
			if e.keys == 1 {
				e.count = c.after
			}
		case c.after == 0:
			// If another key has the hash, its count is not known here.
			e.keys--
			e.count = -1
		case e.keys == 1:
			e.count = c.after
		}
		if e.keys == 0 {
			delete(w.resultKeys, c.hash)
		} else {
			w.resultKeys[c.hash] = e
		}
	}
	w.pendingKeys = w.pendingKeys[:0]
	w.keysPending = false
}

// command is RESUME or SKIP ATOM, sent to the runner; the runner answers
// on reply once it has applied it.
type command struct {
	kind  commandKind
	reply chan error
}

type commandKind uint8

const (
	cmdResume commandKind = iota + 1
	cmdSkip
)

func newWorkflow(rt *Runtime, spec WorkflowSpec) (*Workflow, error) {
	df, err := spec.Build()
	if err != nil {
		return nil, err
	}
	w := &Workflow{rt: rt, spec: spec, df: df, outTypes: df.OutputTypes(), done: make(chan struct{}), recovered: make(chan struct{}),
		wake: make(chan struct{}, 1), command: make(chan command), progress: newSignal()}
	if w.result, err = exec.NewResultCodec(w.outTypes); err != nil {
		return nil, err
	}
	if w.outCodec, err = rowcodec.NewChangeCodec(w.outTypes); err != nil {
		return nil, err
	}
	for _, s := range df.Sources {
		ts := s.Types
		if s.Atom {
			ts = ts[:len(ts)-1]
		}
		r, err := exec.NewAtomReader(ts, rt)
		if err != nil {
			return nil, err
		}
		w.srcReaders = append(w.srcReaders, r)
	}
	w.trackers = make([]*exec.WatermarkTracker, len(df.Sources))
	w.ctx, w.cancel = context.WithCancel(rt.ctx)
	return w, nil
}

// Name returns the workflow's name.
func (w *Workflow) Name() string { return w.spec.Name }

// OID returns the workflow's OID.
func (w *Workflow) OID() uint32 { return w.spec.OID }

// Dataflow returns the workflow's dataflow, for EXPLAIN WORKFLOW.
func (w *Workflow) Dataflow() *exec.Dataflow { return w.df }

// Status returns the workflow's current state.
func (w *Workflow) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

// StepLatency returns the distribution of the time the workflow took to
// process each input atom (read, compute, commit).
func (w *Workflow) StepLatency() LatencyHistogram {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.latency
}

// OutputLogAtoms counts the atoms in the workflow's output log as of the
// newest commit.
func (w *Workflow) OutputLogAtoms() (int64, error) {
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	it, err := txn.ScanLog(uint64(w.spec.OID), 0, ^storage.Seq(0))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	var atoms int64
	var last storage.Seq
	for ; it.Valid(); it.Next() {
		if s := it.Entry().Seq; s != last {
			atoms, last = atoms+1, s
		}
	}
	return atoms, it.Error()
}

// StoredStateBytes returns the bytes of keys and values the workflow's
// operators keep in storage as of the newest commit: the size of the state
// a restart loads, which the in-memory entry count of Status does not
// tell.
func (w *Workflow) StoredStateBytes() (int64, error) {
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	var total int64
	for node := range w.df.Stateful() {
		s := &stateIO{txn: txn, prefix: exec.StatePrefix(uint64(w.spec.OID), node)}
		if err := s.Scan(func(k, v []byte) error {
			total += int64(len(s.prefix) + len(k) + len(v))
			return nil
		}); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func (w *Workflow) stop() {
	w.cancel()
	<-w.done
}

// Resume retries the atom the workflow failed on. It returns once the
// runner has taken the command up, so a read that follows waits for the
// retry (and sees the workflow stopped again if it fails again).
func (w *Workflow) Resume() error { return w.send(cmdResume) }

// SkipAtom skips the atom the workflow failed on. It returns once the skip
// is committed, so a read that follows waits for the atoms after it.
func (w *Workflow) SkipAtom() error { return w.send(cmdSkip) }

func (w *Workflow) send(kind commandKind) error {
	if w.Status().FailedAtom == 0 {
		return w.notStopped()
	}
	c := command{kind: kind, reply: make(chan error, 1)}
	select {
	case w.command <- c:
	case <-w.done:
		return w.notRunning()
	}
	select {
	case err := <-c.reply:
		return err
	case <-w.done:
		return w.notRunning()
	}
}

func (w *Workflow) notStopped() error {
	return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q is not stopped on an error", w.spec.Name)
}

func (w *Workflow) notRunning() error {
	return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q is not running", w.spec.Name)
}

// poke makes the runner look for input now.
func (w *Workflow) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// waitFrontier waits until the workflow processed every input atom up to
// seq; it returns the workflow's last commit, and whether it is stopped on
// an error (then it does not wait).
func (w *Workflow) waitFrontier(ctx context.Context, seq storage.Seq) (storage.Seq, bool, error) {
	for {
		ch := w.progress.wait()
		st := w.Status()
		if st.FailedAtom != 0 {
			return st.LastCommit, true, nil
		}
		if st.Frontier >= seq && st.LastCommit != 0 {
			return st.LastCommit, false, nil
		}
		w.poke()
		if err := sleep(ctx, ch); err != nil {
			if ctx.Err() == context.DeadlineExceeded {
				return 0, false, pgerror.Newf(pgerror.QueryCanceled, "canceling statement due to statement timeout").
					WithDetail(fmt.Sprintf("workflow %q had not processed atom %d", w.spec.Name, seq))
			}
			return 0, false, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
		}
	}
}

// Recovered says whether the workflow's status reflects what it stored;
// until then it is loading its position and state after a start.
func (w *Workflow) Recovered() bool {
	select {
	case <-w.recovered:
		return true
	default:
		return false
	}
}

// waitRecovered waits until the workflow's status reflects what it stored:
// its position and any stop on an error.
func (w *Workflow) waitRecovered(ctx context.Context) error {
	select {
	case <-w.recovered:
		return nil
	case <-w.done:
		return nil
	case <-ctx.Done():
		return canceled(ctx)
	}
}

// run is the workflow's runner goroutine.
func (w *Workflow) run() {
	defer close(w.done)
	if err := w.recover(); err != nil {
		w.rt.log.Error("workflow cannot start", "workflow", w.spec.Name, "err", err)
		w.setFailed(1, err)
	}
	close(w.recovered)
	for {
		if w.ctx.Err() != nil {
			return
		}
		if st := w.Status(); st.FailedAtom != 0 {
			select {
			case <-w.ctx.Done():
				return
			case c := <-w.command:
				err := w.handle(c.kind, st.FailedAtom)
				if err != nil {
					w.setFailed(st.FailedAtom, err)
				}
				c.reply <- err
			}
			continue
		}
		ch := w.rt.commits.wait()
		progressed, atom, err := w.step()
		if err != nil {
			if w.ctx.Err() != nil {
				return
			}
			w.rt.log.Warn("workflow stopped on an error", "workflow", w.spec.Name, "atom", atom, "err", err)
			w.fail(atom, err)
			continue
		}
		if progressed {
			continue
		}
		select {
		case <-w.ctx.Done():
			return
		case <-ch:
		case <-w.wake:
		case c := <-w.command:
			// Sent while the workflow was stopped; another session's
			// command has resumed it since.
			c.reply <- w.notStopped()
		}
	}
}

// handle applies RESUME or SKIP ATOM to a failed workflow.
func (w *Workflow) handle(c commandKind, atom storage.Seq) error {
	if c == cmdSkip {
		txn := w.rt.db.Begin()
		if err := w.putPosition(txn, atom, 0, ""); err != nil {
			txn.Rollback()
			return err
		}
		seq, err := txn.Commit()
		if err != nil {
			return err
		}
		w.mu.Lock()
		w.status.Position, w.status.Frontier, w.status.LastCommit = atom, atom, seq
		w.status.FailedAtom, w.status.Err = 0, ""
		w.mu.Unlock()
		w.progress.broadcast()
		return nil
	}
	w.mu.Lock()
	w.status.FailedAtom, w.status.Err = 0, ""
	w.mu.Unlock()
	w.progress.broadcast()
	return nil
}

func (w *Workflow) setFailed(atom storage.Seq, err error) {
	w.mu.Lock()
	w.status.FailedAtom, w.status.Err = atom, err.Error()
	w.mu.Unlock()
	w.progress.broadcast()
}

// fail records a failure at atom: in-memory state is reloaded from the last
// commit (the failed step may have changed it), and the failure is stored
// so it survives a restart.
func (w *Workflow) fail(atom storage.Seq, err error) {
	w.setFailed(atom, err)
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	if lerr := w.loadState(txn); lerr != nil {
		w.rt.log.Error("workflow state reload failed", "workflow", w.spec.Name, "err", lerr)
	}
	ptx := w.rt.db.Begin()
	if perr := w.putPosition(ptx, w.Status().Position, atom, err.Error()); perr == nil {
		if _, cerr := ptx.Commit(); cerr != nil {
			w.rt.log.Error("workflow failure not recorded", "workflow", w.spec.Name, "err", cerr)
		}
	} else {
		ptx.Rollback()
	}
}

// Position record: uvarint position, uvarint failed atom, error text.
func (w *Workflow) putPosition(txn *storage.Txn, pos, failed storage.Seq, msg string) error {
	v := binary.AppendUvarint(nil, uint64(pos))
	v = binary.AppendUvarint(v, uint64(failed))
	v = append(v, msg...)
	return txn.Put(exec.PositionKey(uint64(w.spec.OID)), v)
}

func decodePosition(v []byte) (pos, failed storage.Seq, msg string, err error) {
	p, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, 0, "", pgerror.New(pgerror.DataCorrupted, "corrupt workflow position")
	}
	f, m := binary.Uvarint(v[n:])
	if m <= 0 {
		return 0, 0, "", pgerror.New(pgerror.DataCorrupted, "corrupt workflow position")
	}
	return storage.Seq(p), storage.Seq(f), string(v[n+m:]), nil
}

// recover loads the workflow's position and state, or initializes it.
func (w *Workflow) recover() error {
	w.stepMu.Lock()
	defer w.stepMu.Unlock()
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	v, ok, err := txn.Get(exec.PositionKey(uint64(w.spec.OID)))
	if err != nil {
		return err
	}
	if !ok {
		txn.Rollback()
		return w.initialize()
	}
	if err := w.loadLogSince(txn, true); err != nil {
		return err
	}
	pos, failed, msg, err := decodePosition(v)
	if err != nil {
		return err
	}
	if err := w.loadState(txn); err != nil {
		return err
	}
	w.df.RecordState()
	w.mu.Lock()
	w.status.Position, w.status.Frontier, w.status.LastCommit = pos, pos, txn.ReadSeq()
	if failed != 0 {
		w.status.FailedAtom, w.status.Err = failed, msg
	}
	w.status.LastProgress = time.Now()
	w.mu.Unlock()
	w.progress.broadcast()
	return nil
}

// stateIO adapts a transaction to an operator's state reader and writer.
type stateIO struct {
	txn    *storage.Txn
	prefix []byte
	// key is scratch for prefix+k: the transaction copies what it keeps,
	// so a save of many groups builds their keys in one buffer.
	key []byte
}

// Put and Delete write private keys (storage.Txn.PutPrivate): only the
// workflow writes its state, and a step saves it once, after reading.
func (s *stateIO) Put(k, v []byte) error {
	s.key = append(append(s.key[:0], s.prefix...), k...)
	return s.txn.PutPrivate(s.key, v)
}

func (s *stateIO) Delete(k []byte) error {
	s.key = append(append(s.key[:0], s.prefix...), k...)
	return s.txn.DeletePrivate(s.key)
}

func (s *stateIO) Scan(fn func(k, v []byte) error) error {
	it, err := s.txn.NewIter(s.prefix, storage.PrefixEnd(s.prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if err := fn(it.Key()[len(s.prefix):], it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

func (w *Workflow) loadState(txn *storage.Txn) error {
	for i, src := range w.df.Sources {
		if src.Watermark == nil {
			continue
		}
		var cur types.Datum
		v, ok, err := txn.Get(exec.WatermarkKey(uint64(w.spec.OID), i))
		if err != nil {
			return err
		}
		if ok {
			us, n := binary.Varint(v)
			if n <= 0 {
				return pgerror.New(pgerror.DataCorrupted, "corrupt workflow watermark")
			}
			cur = types.TimestampValue(us)
		}
		width := len(src.Types)
		if src.Atom {
			width--
		}
		if w.trackers[i], err = exec.NewWatermarkTracker(src.Watermark, width, cur); err != nil {
			return err
		}
	}
	for i, op := range w.df.Stateful() {
		if err := op.Load(&stateIO{txn: txn, prefix: exec.StatePrefix(uint64(w.spec.OID), i)}); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workflow) saveState(txn *storage.Txn) error {
	for i, t := range w.trackers {
		if t == nil || t.Current() == nil {
			continue
		}
		v := binary.AppendVarint(nil, int64(t.Current().(types.TimestampValue)))
		if err := txn.Put(exec.WatermarkKey(uint64(w.spec.OID), i), v); err != nil {
			return err
		}
	}
	for i, op := range w.df.Stateful() {
		if err := op.Save(&stateIO{txn: txn, prefix: exec.StatePrefix(uint64(w.spec.OID), i)}); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workflow) execContext(txn *storage.Txn) *exec.Context {
	ev := &expr.Ctx{Env: &types.Env{Loc: time.UTC, Now: time.Now()}}
	return exec.NewContext(w.ctx, ev, txn)
}

// initialize computes the workflow's result over its inputs' contents at
// the current snapshot and commits it with the state and the position.
func (w *Workflow) initialize() error {
	// Upstream workflows write their output logs from before this
	// workflow's snapshot of their results, so that it reads every change
	// after it.
	for _, src := range w.df.Sources {
		if src.Kind != exec.SourceWorkflow {
			continue
		}
		if err := w.upstreamLog(uint32(src.Object)); err != nil {
			return err
		}
	}
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	// A reader may have turned the log on already (EnsureLog).
	if err := w.loadLogSince(txn, false); err != nil {
		return err
	}
	if !w.logOn {
		// Record that this workflow writes no output log yet: a missing
		// key means a workflow from before output logs were optional.
		if err := txn.Put(exec.LogSinceKey(uint64(w.spec.OID)), nil); err != nil {
			return err
		}
	}
	s0 := txn.ReadSeq()
	ctx := w.execContext(txn)
	for i, src := range w.df.Sources {
		if src.Watermark == nil {
			continue
		}
		width := len(src.Types)
		if src.Atom {
			width--
		}
		var err error
		if w.trackers[i], err = exec.NewWatermarkTracker(src.Watermark, width, nil); err != nil {
			return err
		}
	}
	in := make([]*batch.ChangeBatch, len(w.df.Sources))
	for i, src := range w.df.Sources {
		if w.df.Asks {
			// A workflow that asks starts before its streams' first atom
			// and processes each atom in turn (see exec.Dataflow.Asks).
			in[i] = batch.EmptyChanges(src.Types)
			continue
		}
		c, err := w.snapshot(txn, i, src)
		if err != nil {
			return err
		}
		in[i] = c
	}
	if w.df.Asks {
		s0 = 0
	}
	ctx.Workflow = w.spec.OID
	ctx.Watermarks = w.watermarks()
	first, err := w.df.Initial(ctx)
	if err != nil {
		return err
	}
	out, err := w.df.Step(ctx, in)
	if err != nil {
		return err
	}
	all := batch.ConcatChanges(w.outTypes, []*batch.ChangeBatch{first, out})
	if err := w.emit(txn, all); err != nil {
		return err
	}
	if err := w.saveState(txn); err != nil {
		return err
	}
	if err := w.putPosition(txn, s0, 0, ""); err != nil {
		return err
	}
	// The position record alone makes the commit non-empty, so a workflow
	// over empty inputs still records that it is initialized.
	seq, err := txn.Commit()
	if err != nil {
		return err
	}
	w.keysCommitted()
	w.signalCommit()
	w.mu.Lock()
	w.status.Position, w.status.Frontier, w.status.LastCommit = s0, s0, seq
	for _, c := range in {
		w.status.RowsIn += int64(c.Len)
	}
	w.status.RowsOut += int64(all.Len)
	w.status.StateSize = w.df.StateEntries()
	w.status.LastProgress = time.Now()
	w.mu.Unlock()
	w.progress.broadcast()
	return nil
}

// snapshot reads source i's whole contents at the transaction's snapshot
// as inserts.
func (w *Workflow) snapshot(txn *storage.Txn, i int, src exec.DataflowSource) (*batch.ChangeBatch, error) {
	switch src.Kind {
	case exec.SourceStream:
		return w.readLog(txn, i, src, 0, txn.ReadSeq())
	case exec.SourceWorkflow:
		return exec.ReadResult(txn, src.Object, src.Types, src.AppendOnly)
	default:
		spec, ok := src.Table.(*storage.TableSpec)
		if !ok {
			return nil, pgerror.Internalf("table source %s without a layout", src.Name)
		}
		cols := make([]int, len(spec.Columns))
		for k := range cols {
			cols[k] = k
		}
		sc, err := txn.ScanRows(spec, storage.ScanOptions{Columns: cols})
		if err != nil {
			return nil, err
		}
		defer sc.Close()
		var bs []*batch.Batch
		for {
			rec, err := sc.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			bs = append(bs, &batch.Batch{Cols: rec.Columns(), Len: int(rec.NumRows())})
		}
		return batch.Inserts(batch.Concat(src.Types, bs)), nil
	}
}

// readLog decodes the atoms of source i's log with from <= seq <= to,
// dropping late events of a source with a watermark.
func (w *Workflow) readLog(txn *storage.Txn, i int, src exec.DataflowSource, from, to storage.Seq) (*batch.ChangeBatch, error) {
	it, err := txn.ScanLog(src.Object, from, to)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	ctx := w.execContext(txn)
	var parts []*batch.ChangeBatch
	for it.Valid() {
		seq, c, err := w.srcReaders[i].Read(it)
		if err != nil {
			return nil, err
		}
		if t := w.trackers[i]; t != nil {
			keep, err := t.Atom(ctx, c.Batch)
			if err != nil {
				return nil, err
			}
			if len(keep) < c.Len {
				c = c.TakeChanges(keep)
			}
		}
		if src.Atom {
			atoms := make([]int64, c.Len)
			for k := range atoms {
				atoms[k] = int64(seq)
			}
			c = &batch.ChangeBatch{Batch: &batch.Batch{Cols: append(append([]arrow.Array(nil), c.Cols...), batch.Int64s(atoms, nil, 0)), Len: c.Len}, Diff: c.Diff}
		}
		parts = append(parts, c)
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	return batch.ConcatChanges(src.Types, parts), nil
}

// watermarks returns the sources' current watermarks.
func (w *Workflow) watermarks() []types.Datum {
	out := make([]types.Datum, len(w.trackers))
	for i, t := range w.trackers {
		if t != nil {
			out[i] = t.Current()
		}
	}
	return out
}

// step processes the next input atom, if any. It returns whether it
// processed one, and the atom.
func (w *Workflow) step() (progressed bool, atom storage.Seq, err error) {
	defer func() {
		if r := recover(); r != nil {
			w.rt.log.Error("panic in workflow", "workflow", w.spec.Name, "panic", r, "stack", string(debug.Stack()))
			err = pgerror.Internalf("internal error: %v", r)
		}
	}()
	w.stepMu.Lock()
	defer w.stepMu.Unlock()
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	pos := w.Status().Position
	next := storage.Seq(0)
	seen := map[uint64]bool{}
	for _, src := range w.df.Sources {
		if seen[src.Object] {
			continue
		}
		seen[src.Object] = true
		s, err := txn.NextLogSeq(src.Object, pos)
		if err != nil {
			return false, 0, err
		}
		if s != 0 && (next == 0 || s < next) {
			next = s
		}
	}
	if next == 0 {
		// Nothing to do up to the snapshot: every input atom up to it is
		// processed.
		w.mu.Lock()
		moved := txn.ReadSeq() > w.status.Frontier
		if moved {
			w.status.Frontier = txn.ReadSeq()
			w.status.LastProgress = time.Now()
		}
		w.mu.Unlock()
		if moved {
			w.progress.broadcast()
		}
		return false, 0, nil
	}
	start := time.Now()
	ctx := w.execContext(txn)
	in := make([]*batch.ChangeBatch, len(w.df.Sources))
	rowsIn := 0
	for i, src := range w.df.Sources {
		c, err := w.readLog(txn, i, src, next, next)
		if err != nil {
			return false, next, err
		}
		in[i] = c
		rowsIn += c.Len
	}
	ctx.Watermarks = w.watermarks()
	ctx.Workflow, ctx.Atom = w.spec.OID, next
	out, err := w.df.Step(ctx, in)
	if err != nil {
		return false, next, err
	}
	if err := w.emit(txn, out); err != nil {
		return false, next, err
	}
	if err := w.saveState(txn); err != nil {
		return false, next, err
	}
	if err := w.putPosition(txn, next, 0, ""); err != nil {
		return false, next, err
	}
	seq, err := txn.Commit()
	if err != nil {
		return false, next, err
	}
	w.keysCommitted()
	w.signalCommit()
	w.mu.Lock()
	w.status.Position, w.status.Frontier, w.status.LastCommit = next, next, seq
	w.status.Atoms++
	w.status.RowsIn += int64(rowsIn)
	w.status.RowsOut += int64(out.Len)
	w.status.Busy += time.Since(start)
	w.latency.Record(time.Since(start))
	w.status.LastProgress = time.Now()
	w.status.StateSize = w.df.StateEntries()
	w.mu.Unlock()
	w.progress.broadcast()
	return true, next, nil
}

// loadLogSince reads whether and since when the output log is written.
// Without a record the log is on when the workflow was initialized before
// logs were optional (initialized), off for a new one. An append-only
// workflow's log is its result: it is on from the start.
func (w *Workflow) loadLogSince(txn *storage.Txn, initialized bool) error {
	if w.spec.AppendOnly {
		w.logOn, w.logSince = true, 0
		return nil
	}
	v, ok, err := txn.Get(exec.LogSinceKey(uint64(w.spec.OID)))
	if err != nil {
		return err
	}
	switch {
	case !ok:
		w.logOn, w.logSince = initialized, 0
	case len(v) == 0:
		w.logOn, w.logSince = false, 0
	default:
		since, n := binary.Uvarint(v)
		if n <= 0 {
			return pgerror.New(pgerror.DataCorrupted, "corrupt workflow output log record")
		}
		w.logOn, w.logSince = true, storage.Seq(since)
	}
	return nil
}

// signalCommit wakes what waits for commits (sequencers and workflows
// moving their frontiers, read-your-writes waits) after a commit that
// appended to no log, which the storage's commit hook does not announce.
func (w *Workflow) signalCommit() {
	if !w.logOn && w.spec.Into == 0 {
		w.rt.commits.broadcast()
	}
}

// EnsureLog turns the workflow's output log on, if it is not yet, and
// returns the atom after which the log holds every output atom. Once on,
// it stays on: a subscriber that disconnects resumes from the log.
func (w *Workflow) EnsureLog() (storage.Seq, error) {
	w.stepMu.Lock()
	defer w.stepMu.Unlock()
	if w.logOn {
		return w.logSince, nil
	}
	txn := w.rt.db.Begin()
	defer txn.Rollback()
	// Every output commit so far is in this snapshot (they hold stepMu);
	// every later one writes the log.
	since := txn.ReadSeq()
	if err := txn.Put(exec.LogSinceKey(uint64(w.spec.OID)), binary.AppendUvarint(nil, uint64(since))); err != nil {
		return 0, err
	}
	if _, err := txn.Commit(); err != nil {
		return 0, err
	}
	w.logOn, w.logSince = true, since
	return since, nil
}

// upstreamLog turns on the output log of the workflow this one reads,
// waiting a little for it to be started (at server start, workflows start
// in no particular order).
func (w *Workflow) upstreamLog(oid uint32) error {
	for tries := 0; ; tries++ {
		if up, ok := w.rt.Workflow(oid); ok {
			_, err := up.EnsureLog()
			return err
		}
		if tries == 100 {
			return pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "workflow %q reads a workflow (oid %d) that is not running", w.spec.Name, oid)
		}
		select {
		case <-w.ctx.Done():
			return w.ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// emit applies output changes to the result, and appends them to the
// workflow's output log (when it is on) and its INTO stream.
//
// An append-only workflow's result is its output log (emitInserts). Any
// other keeps one key per distinct row with its multiplicity: the changes
// of equal rows are summed first, then each row's count is read, changed
// and written back. Keys and values are encoded straight from the batch's
// columns.
func (w *Workflow) emit(txn *storage.Txn, out *batch.ChangeBatch) error {
	if w.spec.AppendOnly {
		return w.emitInserts(txn, out)
	}
	if w.keysPending {
		// The last emit's transaction did not commit: what the filter
		// knows is no longer sure.
		w.resultKeys, w.pendingKeys, w.keysPending = nil, w.pendingKeys[:0], false
	}
	if out.Len == 0 {
		return nil
	}
	if w.resultKeys == nil {
		if err := w.loadResultKeys(txn); err != nil {
			return err
		}
	}
	w.keysPending = true
	oid := uint64(w.spec.OID)
	prefix := exec.ResultPrefix(oid)
	// All keys in one buffer; row r's key ends at ends[r].
	keys := make([]byte, 0, out.Len*(len(prefix)+48))
	ends := make([]int, out.Len)
	for r := 0; r < out.Len; r++ {
		var err error
		keys = append(keys, prefix...)
		if keys, err = exec.AppendResultKeyAt(keys, w.outTypes, out.Cols, r); err != nil {
			return err
		}
		ends[r] = len(keys)
	}
	keyOf := func(r int32) []byte {
		if r == 0 {
			return keys[:ends[0]]
		}
		return keys[ends[r-1]:ends[r]]
	}
	// Sum the diffs of equal rows onto their first occurrence, found by a
	// hash of the key and a chain of rows with that hash.
	firsts := make(map[uint64]int32, out.Len)
	chain := make([]int32, out.Len)
	diffs := make([]int64, out.Len)
	hashes := make([]uint64, out.Len)
	order := make([]int32, 0, out.Len)
	for r := int32(0); r < int32(out.Len); r++ {
		k := keyOf(r)
		h := maphash.Bytes(w.keySeed, k)
		hashes[r] = h
		f, ok := firsts[h]
		for ok && !bytes.Equal(keyOf(f), k) {
			f = chain[f]
			ok = f >= 0
		}
		if !ok {
			chain[r] = -1
			if prev, had := firsts[h]; had {
				chain[r] = prev
			}
			firsts[h] = r
			order = append(order, r)
			f = r
		}
		diffs[f] += int64(out.Diff[r])
	}
	// Visit the distinct rows in key order: the reads then move forward
	// through Pebble's blocks, and each write lands next to the previous one
	// in the transaction's write buffer instead of at a random place.
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(keyOf(a), keyOf(b)) })
	// Read every count before writing any: the transaction's own writes
	// are then few, and looking past them is cheap.
	counts := make([]int64, len(order))
	for i, r := range order {
		if diffs[r] == 0 {
			continue
		}
		e, known := w.resultKeys[hashes[r]]
		switch {
		case !known && diffs[r] > 0:
			continue // certainly not in the result: its count is 0
		case known && e.keys == 1 && e.count > 0 && diffs[r] < 0:
			// A retracted row is in the result: it is the one key
			// with its hash.
			counts[i] = e.count
			continue
		}
		v, ok, err := txn.Get(keyOf(r))
		if err != nil {
			return err
		}
		if ok {
			if counts[i], err = exec.ResultCount(v); err != nil {
				return err
			}
		}
	}
	enc := w.result.NewBatchEncoder(out.Cols)
	var value []byte
	for i, r := range order {
		if diffs[r] == 0 {
			continue
		}
		k := keyOf(r)
		count := counts[i] + diffs[r]
		switch {
		case count < 0:
			return pgerror.Internalf("workflow %s: a result row was deleted more often than inserted", w.spec.Name)
		case count == 0:
			if err := txn.Delete(k); err != nil {
				return err
			}
			w.pendingKeys = append(w.pendingKeys, keyChange{hashes[r], counts[i], 0})
		default:
			w.pendingKeys = append(w.pendingKeys, keyChange{hashes[r], counts[i], count})
			var err error
			if value, err = enc.Encode(value[:0], count, int(r)); err != nil {
				return err
			}
			if err := txn.Put(k, value); err != nil {
				return err
			}
		}
	}
	if w.logOn {
		if err := exec.AppendChanges(txn, oid, w.outCodec, w.outTypes, out); err != nil {
			return err
		}
	}
	return w.appendInto(txn, out)
}

// appendInto appends the output to the workflow's INTO stream, if any.
func (w *Workflow) appendInto(txn *storage.Txn, out *batch.ChangeBatch) error {
	if w.spec.Into == 0 {
		return nil
	}
	return exec.AppendChanges(txn, uint64(w.spec.Into), w.outCodec, w.outTypes, out)
}

// emitInserts writes an append-only workflow's output: the rows go once,
// into the log entries of this commit's atom, which are its result and its
// output log at once. Nothing is read and no key is made per row; the
// entries commit with the position, as counted results do.
func (w *Workflow) emitInserts(txn *storage.Txn, out *batch.ChangeBatch) error {
	if out.Len == 0 {
		return nil
	}
	repeated := false
	for _, d := range out.Diff {
		if d < 0 {
			return pgerror.Internalf("workflow %s: its output retracts a row, but its result is kept append-only", w.spec.Name)
		}
		repeated = repeated || d != 1
	}
	if repeated {
		// A log entry records each change as one insert or delete: a
		// row inserted n times goes in n times (and not at all for 0).
		var rows []int32
		for r, d := range out.Diff {
			for range d {
				rows = append(rows, int32(r))
			}
		}
		out = batch.Inserts(out.TakeChanges(rows).Batch)
	}
	if err := exec.AppendChanges(txn, uint64(w.spec.OID), w.outCodec, w.outTypes, out); err != nil {
		return err
	}
	return w.appendInto(txn, out)
}
