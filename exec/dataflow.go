package exec

import (
	"fmt"
	"sync"
	"time"

	"portalsdb/batch"
	"portalsdb/types"
)

// SourceKind says where a dataflow input's atoms come from.
type SourceKind uint8

// Kinds of dataflow inputs.
const (
	// SourceStream reads a stream's log.
	SourceStream SourceKind = iota
	// SourceTable reads a table's changelog (and its rows at the start).
	SourceTable
	// SourceWorkflow reads another workflow's output log (and its result
	// at the start).
	SourceWorkflow
)

// DataflowSource is one input relation of a dataflow.
type DataflowSource struct {
	Name   string
	Kind   SourceKind
	Object uint64 // the catalog OID: the id of its log
	Types  []types.T
	// Table is the table's storage layout, for the initial snapshot.
	Table any
	// Atom is set when a stream source ends with its _atom column.
	Atom bool
	// Watermark is a stream source's watermark: late events are dropped.
	Watermark *WatermarkSpec
	// AppendOnly is set on a workflow source whose output only inserts
	// rows: its result is its output log (see ReadResult).
	AppendOnly bool
}

// DataflowNode is one operator of a dataflow. Inputs refer to earlier
// nodes by index, or to sources as -1-i.
type DataflowNode struct {
	Op     IncrOperator
	Inputs []int
	Types  []types.T
}

// Dataflow is a workflow's query as a DAG of incremental operators in
// topological order; the last node's output is the workflow's result.
type Dataflow struct {
	Sources []DataflowSource
	Nodes   []*DataflowNode
	// EmitOnWindowClose marks workflows whose output only appends.
	EmitOnWindowClose bool
	// AppendOnly says the output only ever inserts rows, never retracts
	// one: the plan is filters, projections, unions, windows and inner
	// joins of append-only inputs (streams, append-only workflows), or an
	// aggregate that emits on window close. Such a workflow keeps its
	// result as its output log (see ReadResult).
	AppendOnly bool
	// Asks marks dataflows that ask portals. They read only streams, and
	// start from the beginning of the streams' logs instead of a snapshot,
	// so that every asking row is processed with the atom that carried it
	// and its request id is the same on every replay.
	Asks bool

	// stats counts what each source and node did since the dataflow was
	// built, for portals_catalog.tasks and EXPLAIN WORKFLOW. Step writes
	// them once per atom; the catalog reads them from other goroutines.
	statsMu     sync.Mutex
	sourceStats []TaskStats
	nodeStats   []TaskStats
}

// TaskStats are the counters of one task of a dataflow (a source or a
// node) since the dataflow was built: they live in memory and start from
// zero when a workflow restarts.
type TaskStats struct {
	// RowsIn and RowsOut count the row changes the task received and
	// produced; a source's RowsIn is what it read from its log.
	RowsIn, RowsOut int64
	// StateEntries is the number of entries of a stateful node's state
	// after the last atom.
	StateEntries int
	// Busy is the time spent in the node's Apply.
	Busy time.Duration
}

// Stats returns a copy of the counters of the sources and the nodes, in
// the order of Sources and Nodes.
func (d *Dataflow) Stats() (sources, nodes []TaskStats) {
	d.statsMu.Lock()
	defer d.statsMu.Unlock()
	sources = make([]TaskStats, len(d.Sources))
	nodes = make([]TaskStats, len(d.Nodes))
	copy(sources, d.sourceStats)
	copy(nodes, d.nodeStats)
	return sources, nodes
}

// StateEntries returns the number of state entries of every stateful node
// as of the last atom (or the last RecordState).
func (d *Dataflow) StateEntries() int {
	d.statsMu.Lock()
	defer d.statsMu.Unlock()
	n := 0
	for _, s := range d.nodeStats {
		n += s.StateEntries
	}
	return n
}

// RecordState records the state size of every stateful node, after its
// state was loaded. It must not run concurrently with Step.
func (d *Dataflow) RecordState() {
	sizes := make([]int, len(d.Nodes))
	for i, n := range d.Nodes {
		if s, ok := n.Op.(StatefulOperator); ok {
			sizes[i] = s.StateSize()
		}
	}
	d.statsMu.Lock()
	defer d.statsMu.Unlock()
	d.growStats()
	for i, n := range sizes {
		d.nodeStats[i].StateEntries = n
	}
}

// growStats sizes the counters to the dataflow; statsMu is held.
func (d *Dataflow) growStats() {
	if len(d.sourceStats) != len(d.Sources) {
		d.sourceStats = make([]TaskStats, len(d.Sources))
	}
	if len(d.nodeStats) != len(d.Nodes) {
		d.nodeStats = make([]TaskStats, len(d.Nodes))
	}
}

// OutputTypes returns the types of the dataflow's result.
func (d *Dataflow) OutputTypes() []types.T { return d.Nodes[len(d.Nodes)-1].Types }

// Step runs one atom through the dataflow: in[i] are the changes of source
// i. It returns the result's changes.
func (d *Dataflow) Step(ctx *Context, in []*batch.ChangeBatch) (*batch.ChangeBatch, error) {
	outs := make([]*batch.ChangeBatch, len(d.Nodes))
	step := make([]TaskStats, len(d.Nodes))
	for i, n := range d.Nodes {
		args := make([]*batch.ChangeBatch, len(n.Inputs))
		for k, ref := range n.Inputs {
			if ref < 0 {
				args[k] = in[-1-ref]
			} else {
				args[k] = outs[ref]
			}
			step[i].RowsIn += int64(args[k].Len)
		}
		start := time.Now()
		out, err := n.Op.Apply(ctx, args)
		if err != nil {
			return nil, err
		}
		step[i].Busy = time.Since(start)
		step[i].RowsOut = int64(out.Len)
		if s, ok := n.Op.(StatefulOperator); ok {
			step[i].StateEntries = s.StateSize()
		}
		outs[i] = out
	}
	d.statsMu.Lock()
	d.growStats()
	for i, c := range in {
		if c != nil {
			d.sourceStats[i].RowsIn += int64(c.Len)
			d.sourceStats[i].RowsOut += int64(c.Len)
		}
	}
	for i, s := range step {
		ns := &d.nodeStats[i]
		ns.RowsIn += s.RowsIn
		ns.RowsOut += s.RowsOut
		ns.Busy += s.Busy
		if _, ok := d.Nodes[i].Op.(StatefulOperator); ok {
			ns.StateEntries = s.StateEntries
		}
	}
	d.statsMu.Unlock()
	return outs[len(outs)-1], nil
}

// initialOutput is implemented by operators that produce rows before any
// input (a global aggregate's one row).
type initialOutput interface {
	Initial() (*batch.ChangeBatch, error)
}

// Initial returns the result changes of the dataflow over empty inputs,
// propagated through the nodes above the operators that produce them.
func (d *Dataflow) Initial(ctx *Context) (*batch.ChangeBatch, error) {
	outs := make([]*batch.ChangeBatch, len(d.Nodes))
	for i, n := range d.Nodes {
		if io, ok := n.Op.(initialOutput); ok {
			out, err := io.Initial()
			if err != nil {
				return nil, err
			}
			outs[i] = out
			continue
		}
		args := make([]*batch.ChangeBatch, len(n.Inputs))
		any := false
		for k, ref := range n.Inputs {
			if ref < 0 {
				args[k] = batch.EmptyChanges(d.Sources[-1-ref].Types)
			} else {
				args[k] = outs[ref]
				any = any || outs[ref].Len > 0
			}
		}
		if !any {
			outs[i] = batch.EmptyChanges(n.Types)
			continue
		}
		out, err := n.Op.Apply(ctx, args)
		if err != nil {
			return nil, err
		}
		outs[i] = out
	}
	return outs[len(outs)-1], nil
}

// Stateful returns the nodes that keep state, with their index.
func (d *Dataflow) Stateful() map[int]StatefulOperator {
	out := map[int]StatefulOperator{}
	for i, n := range d.Nodes {
		if s, ok := n.Op.(StatefulOperator); ok {
			out[i] = s
		}
	}
	return out
}

// Explain describes the dataflow, one node per line.
func (d *Dataflow) Explain() []string {
	var lines []string
	for i, s := range d.Sources {
		kind := map[SourceKind]string{SourceStream: "stream", SourceTable: "table changelog", SourceWorkflow: "workflow"}[s.Kind]
		lines = append(lines, fmt.Sprintf("source %d: %s %s", i, kind, s.Name))
	}
	for i, n := range d.Nodes {
		ins := ""
		for k, ref := range n.Inputs {
			if k > 0 {
				ins += ", "
			}
			if ref < 0 {
				ins += fmt.Sprintf("source %d", -1-ref)
			} else {
				ins += fmt.Sprintf("node %d", ref)
			}
		}
		state := ""
		if _, ok := n.Op.(StatefulOperator); ok {
			state = " [stateful]"
		}
		lines = append(lines, fmt.Sprintf("node %d: %s <- %s%s", i, n.Op.Describe(), ins, state))
	}
	return lines
}
