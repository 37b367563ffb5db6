package portals

import (
	"context"
	"log/slog"
	"sort"
	"sync"

	"portalsdb/pgerror"
	"portalsdb/storage"
)

// Runtime runs the workflows of one database.
type Runtime struct {
	db  *storage.DB
	log *slog.Logger
	// commits is broadcast after every commit that appends to a log.
	commits *signal

	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	workflows  map[uint32]*Workflow
	generators map[uint32]*generator
	servers    map[uint32]*Server
	// pumps are the running sequencers and splitters.
	pumps map[uint32]*pump
	// streamGenerators are the generators of generator streams, running
	// or not, by stream OID, for readers of their atoms (Generator).
	streamGenerators map[uint32]Generator
	generatorCatalog GeneratorCatalog

	// replyCodecs caches row codecs of portal replies by column types.
	replyCodecs sync.Map // string -> *rowcodec.RowCodec
}

// New returns a runtime over db and registers for its commits.
func New(db *storage.DB, log *slog.Logger) *Runtime {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt := &Runtime{db: db, log: log, commits: newSignal(), ctx: ctx, cancel: cancel, workflows: map[uint32]*Workflow{}, servers: map[uint32]*Server{},
		streamGenerators: map[uint32]Generator{}}
	db.SetCommitHook(func(storage.Seq, []uint64) { rt.commits.broadcast() })
	return rt
}

// DB returns the runtime's storage.
func (rt *Runtime) DB() *storage.DB { return rt.db }

// Start runs a workflow. A workflow without a stored position is
// initialized from its inputs' current contents; one with a position
// resumes from it.
func (rt *Runtime) Start(spec WorkflowSpec) (*Workflow, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if _, ok := rt.workflows[spec.OID]; ok {
		return nil, pgerror.Internalf("workflow %s is already running", spec.Name)
	}
	w, err := newWorkflow(rt, spec)
	if err != nil {
		return nil, err
	}
	rt.workflows[spec.OID] = w
	go w.run()
	return w, nil
}

// Workflow returns a running workflow.
func (rt *Runtime) Workflow(oid uint32) (*Workflow, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	w, ok := rt.workflows[oid]
	return w, ok
}

// Workflows returns every running workflow, ordered by OID.
func (rt *Runtime) Workflows() []*Workflow {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make([]*Workflow, 0, len(rt.workflows))
	for _, w := range rt.workflows {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.OID < out[j].spec.OID })
	return out
}

// Stop stops a workflow and waits for its runner to end. Its stored state
// stays; dropping it is the SQL layer's business.
func (rt *Runtime) Stop(oid uint32) {
	rt.mu.Lock()
	w, ok := rt.workflows[oid]
	delete(rt.workflows, oid)
	rt.mu.Unlock()
	if ok {
		w.stop()
	}
}

// Close stops every generator and workflow.
func (rt *Runtime) Close() {
	rt.cancel()
	rt.mu.Lock()
	var gens []uint32
	for oid := range rt.generators {
		gens = append(gens, oid)
	}
	rt.mu.Unlock()
	for _, oid := range gens {
		rt.StopGenerator(oid)
	}
	for _, w := range rt.Workflows() {
		rt.Stop(w.spec.OID)
	}
}

// Stopped returns the workflows in oids that are stopped on an error,
// without waiting for them to catch up; it waits only for each to have
// recovered its status after a start.
func (rt *Runtime) Stopped(ctx context.Context, oids []uint32) ([]*Workflow, error) {
	var stale []*Workflow
	for _, oid := range oids {
		w, ok := rt.Workflow(oid)
		if !ok {
			continue
		}
		if err := w.waitRecovered(ctx); err != nil {
			return nil, err
		}
		if w.Status().FailedAtom != 0 {
			stale = append(stale, w)
		}
	}
	return stale, nil
}

// WaitCaughtUp waits until every workflow in oids (ordered so that a
// workflow comes after the workflows it reads) has processed every input
// atom committed at or before seq, and then every atom its upstreams
// produced up to then. A failed workflow does not hold the wait up: its
// stopped state is returned in stale.
func (rt *Runtime) WaitCaughtUp(ctx context.Context, oids []uint32, seq storage.Seq) (stale []*Workflow, err error) {
	target := seq
	for _, oid := range oids {
		w, ok := rt.Workflow(oid)
		if !ok {
			// A sequencer or splitter: its output atoms are new commits,
			// so what comes after waits for everything committed by now.
			rt.mu.Lock()
			p := rt.pumps[oid]
			rt.mu.Unlock()
			if p != nil {
				if err := p.waitFrontier(ctx, target); err != nil {
					return nil, err
				}
				if v := rt.db.VisibleSeq(); v > target {
					target = v
				}
			}
			continue
		}
		caught, failed, err := w.waitFrontier(ctx, target)
		if err != nil {
			return nil, err
		}
		if failed {
			stale = append(stale, w)
		}
		if caught > target {
			target = caught
		}
	}
	return stale, nil
}

// CommitSignal returns a channel closed at the next commit that appends to
// a log.
func (rt *Runtime) CommitSignal() <-chan struct{} { return rt.commits.wait() }
