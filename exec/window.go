package exec

import (
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// WindowFrame is the frame of a window function: the rows of its partition
// it sees from the current row. A nil *WindowFrame is SQL's default: from
// the partition's start to the current row's last peer (with no ORDER BY,
// every row is a peer, so the whole partition).
type WindowFrame struct {
	// Rows counts rows; otherwise the frame is in RANGE mode, whose only
	// bounds here are UNBOUNDED and CURRENT ROW (the current row's peers).
	Rows bool
	// The start is UNBOUNDED PRECEDING, CURRENT ROW, or StartOffset rows
	// before the current row (negative: after it).
	StartUnbounded, StartCurrent bool
	StartOffset                  int64
	// The end is UNBOUNDED FOLLOWING, CURRENT ROW, or EndOffset rows after
	// the current row (negative: before it).
	EndUnbounded, EndCurrent bool
	EndOffset                int64
}

// WindowFunc is one window function: a ranking or value function named by
// Name, or an aggregate (Agg) over a frame, computed over the partitions of
// PartitionBy in the order of OrderBy.
type WindowFunc struct {
	Name        string
	Agg         *expr.AggOverload
	Args        []expr.Expr
	ArgTypes    []types.T
	Ret         types.T
	PartitionBy []expr.Expr
	OrderBy     []SortSpec
	Frame       *WindowFrame
}

// Window computes window functions. It reads its whole input, then, for
// each distinct window (PARTITION BY and ORDER BY), splits the rows into
// partitions by hashing, orders the partitions by their keys and each
// partition's rows by the ORDER BY, finds peer groups, and computes the
// functions of that window over the sorted rows. Aggregates over frames
// are incremental: a frame that only grows (the default one, or ROWS from
// UNBOUNDED PRECEDING) folds each row once, and count, sum and avg of
// integers also shrink frames whose start moves; other frames are folded
// afresh when their start moves.
//
// The output is the input's columns followed by one column per function,
// in the order of the last window's sort, as PostgreSQL's would be.
type Window struct {
	input   Operator
	inTypes []types.T
	windows []*windowSpec
	nfuncs  int
	out     chunker
	done    bool
	desc    []string
}

// windowSpec is one distinct window and the functions computed over it.
type windowSpec struct {
	partition []evalSpec
	order     []sortEval
	funcs     []*windowFuncState
}

type windowFuncState struct {
	fn   WindowFunc
	pos  int // output position among the functions
	args []expr.Evaluator
}

// NewWindow returns a Window over input computing funcs.
func NewWindow(input Operator, funcs []WindowFunc, layout expr.Layout, inTypes []types.T) (*Window, error) {
	w := &Window{input: input, inTypes: inTypes, nfuncs: len(funcs)}
	byKey := map[string]*windowSpec{}
	for i, f := range funcs {
		key := windowKey(f)
		spec := byKey[key]
		if spec == nil {
			spec = &windowSpec{}
			var err error
			if spec.partition, err = compileSpecs(f.PartitionBy, layout); err != nil {
				return nil, err
			}
			for _, o := range f.OrderBy {
				ev, err := expr.Compile(o.Expr, layout)
				if err != nil {
					return nil, err
				}
				spec.order = append(spec.order, sortEval{ev: ev, t: o.Expr.Type(), desc: o.Desc, nullsFirst: o.NullsFirst})
			}
			byKey[key] = spec
			w.windows = append(w.windows, spec)
		}
		st := &windowFuncState{fn: f, pos: i}
		var err error
		if st.args, err = compileAll(f.Args, layout); err != nil {
			return nil, err
		}
		spec.funcs = append(spec.funcs, st)
		parts := make([]string, len(f.Args))
		for j, a := range f.Args {
			parts[j] = a.String()
		}
		w.desc = append(w.desc, f.Name+"("+strings.Join(parts, ", ")+") OVER ("+key+")")
	}
	return w, nil
}

// windowKey renders a function's window, so that functions over the same
// window share one sort.
func windowKey(f WindowFunc) string {
	var b strings.Builder
	if len(f.PartitionBy) > 0 {
		b.WriteString("PARTITION BY ")
		for i, e := range f.PartitionBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.String())
		}
	}
	if len(f.OrderBy) > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("ORDER BY ")
		for i, o := range f.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.Expr.String())
			if o.Desc {
				b.WriteString(" DESC")
			}
			if o.NullsFirst != o.Desc {
				if o.NullsFirst {
					b.WriteString(" NULLS FIRST")
				} else {
					b.WriteString(" NULLS LAST")
				}
			}
		}
	}
	return b.String()
}

func (w *Window) Describe() string     { return "WindowAgg: " + strings.Join(w.desc, ", ") }
func (w *Window) Children() []Operator { return []Operator{w.input} }
func (w *Window) Close() error         { return w.input.Close() }

func (w *Window) Open(ctx *Context) error {
	w.out, w.done = chunker{}, false
	return w.input.Open(ctx)
}

func (w *Window) Next(ctx *Context) (*batch.Batch, error) {
	if !w.done {
		w.done = true
		bs, err := materialize(ctx, w.input)
		if err != nil {
			return nil, err
		}
		all := batch.Concat(w.inTypes, bs)
		out, err := w.compute(ctx, all)
		if err != nil {
			return nil, err
		}
		w.out = chunker{b: out}
	}
	return w.out.next(ctx.BatchSize), nil
}

// sortedWindow is one window's arrangement of the rows: perm lists the
// input rows in partition and ORDER BY order; for each sorted position k,
// part and peer give the bounds [start, end) of its partition and of its
// peer group, in sorted positions.
type sortedWindow struct {
	perm                 []int32
	partStart, partEnd   []int32
	peerStart, peerEnd   []int32
	numRows              int
	hasOrder             bool
	partitionBoundaryIdx []int32 // start of each partition, then n
}

func (w *Window) compute(ctx *Context, all *batch.Batch) (*batch.Batch, error) {
	n := all.Len
	if n == 0 {
		cols := append([]arrow.Array(nil), all.Cols...)
		results := make([]arrow.Array, w.nfuncs)
		for _, spec := range w.windows {
			for _, f := range spec.funcs {
				results[f.pos] = array.MakeArrayOfNull(types.Allocator, f.fn.Ret.ArrowType(), 0)
			}
		}
		return &batch.Batch{Cols: append(cols, results...), Len: 0}, nil
	}
	results := make([]arrow.Array, w.nfuncs)
	var last *sortedWindow
	for wi, spec := range w.windows {
		if err := ctx.checkCancel(); err != nil {
			return nil, err
		}
		sw, err := spec.arrange(ctx, all)
		if err != nil {
			return nil, err
		}
		for _, f := range spec.funcs {
			arr, err := f.compute(ctx, all, sw)
			if err != nil {
				return nil, err
			}
			results[f.pos] = arr
		}
		if wi < len(w.windows)-1 {
			// Earlier windows' results are brought into input order.
			inv := make([]int32, n)
			for k, r := range sw.perm {
				inv[r] = int32(k)
			}
			for _, f := range spec.funcs {
				results[f.pos] = batch.TakeArray(results[f.pos], inv)
			}
		}
		last = sw
	}
	// Emit in the last window's order: its results already are; the input
	// columns and earlier windows' results follow its permutation.
	cols := make([]arrow.Array, 0, len(all.Cols)+w.nfuncs)
	identity := isIdentity(last.perm)
	for _, c := range all.Cols {
		if identity {
			cols = append(cols, c)
		} else {
			cols = append(cols, batch.TakeArray(c, last.perm))
		}
	}
	lastSpec := w.windows[len(w.windows)-1]
	inLast := make([]bool, w.nfuncs)
	for _, f := range lastSpec.funcs {
		inLast[f.pos] = true
	}
	for i, r := range results {
		if !inLast[i] && !identity {
			r = batch.TakeArray(r, last.perm)
		}
		cols = append(cols, r)
	}
	return &batch.Batch{Cols: cols, Len: n}, nil
}

func isIdentity(p []int32) bool {
	for i, v := range p {
		if int(v) != i {
			return false
		}
	}
	return true
}

// arrange sorts the rows for one window and finds its partitions and peer
// groups.
func (spec *windowSpec) arrange(ctx *Context, all *batch.Batch) (*sortedWindow, error) {
	n := all.Len
	sw := &sortedWindow{numRows: n, hasOrder: len(spec.order) > 0}
	perm := make([]int32, n)
	var bounds []int32 // partition starts, then n
	if len(spec.partition) == 0 {
		for i := range perm {
			perm[i] = int32(i)
		}
		bounds = []int32{0, int32(n)}
	} else {
		k, cols, err := evalKeys(ctx, spec.partition, all)
		if err != nil {
			return nil, err
		}
		table := newGroupTable()
		pid := make([]int32, n)
		var first []int32 // a row of each partition
		for i := 0; i < n; i++ {
			g, isNew := table.lookupOrAdd(&k, i)
			if isNew {
				first = append(first, int32(i))
			}
			pid[i] = g
		}
		np := len(first)
		// Order the partitions by their keys, ascending with NULLs last,
		// as PostgreSQL's sort on the PARTITION BY columns leaves them.
		cmps := make([]func(i, j int) int, len(cols))
		for c, col := range cols {
			cmps[c] = columnComparator(col, spec.partition[c].t)
		}
		order := make([]int32, np)
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortStableFunc(order, func(a, b int32) int {
			i, j := int(first[a]), int(first[b])
			for c, col := range cols {
				ni, nj := col.IsNull(i), col.IsNull(j)
				switch {
				case ni && nj:
					continue
				case ni:
					return 1
				case nj:
					return -1
				}
				if r := cmps[c](i, j); r != 0 {
					return r
				}
			}
			return 0
		})
		rank := make([]int32, np)
		for r, p := range order {
			rank[p] = int32(r)
		}
		// A counting sort by partition rank keeps input order within each.
		counts := make([]int32, np+1)
		for _, g := range pid {
			counts[rank[g]+1]++
		}
		for i := 1; i <= np; i++ {
			counts[i] += counts[i-1]
		}
		bounds = append([]int32(nil), counts...)
		next := counts[:np]
		for i, g := range pid {
			r := rank[g]
			perm[next[r]] = int32(i)
			next[r]++
		}
	}
	sw.partitionBoundaryIdx = bounds
	sw.partStart = make([]int32, n)
	sw.partEnd = make([]int32, n)
	for p := 0; p+1 < len(bounds); p++ {
		for k := bounds[p]; k < bounds[p+1]; k++ {
			sw.partStart[k], sw.partEnd[k] = bounds[p], bounds[p+1]
		}
	}
	sw.peerStart = make([]int32, n)
	sw.peerEnd = make([]int32, n)
	if len(spec.order) == 0 {
		copy(sw.peerStart, sw.partStart)
		copy(sw.peerEnd, sw.partEnd)
		sw.perm = perm
		return sw, nil
	}
	keyCols := make([]arrow.Array, len(spec.order))
	for i, o := range spec.order {
		arr, err := o.ev.Eval(ctx.Eval, all)
		if err != nil {
			return nil, err
		}
		keyCols[i] = arr
	}
	cmp := rowComparator(spec.order, keyCols)
	for p := 0; p+1 < len(bounds); p++ {
		seg := perm[bounds[p]:bounds[p+1]]
		if len(seg) > 1 {
			slices.SortStableFunc(seg, func(a, b int32) int { return cmp(int(a), int(b)) })
		}
		// Peer groups: runs of rows equal on every ORDER BY key.
		start := bounds[p]
		for k := bounds[p]; k < bounds[p+1]; k++ {
			if k > start && cmp(int(perm[k-1]), int(perm[k])) != 0 {
				for j := start; j < k; j++ {
					sw.peerEnd[j] = k
				}
				start = k
			}
			sw.peerStart[k] = start
		}
		for j := start; j < bounds[p+1]; j++ {
			sw.peerEnd[j] = bounds[p+1]
		}
	}
	sw.perm = perm
	return sw, nil
}

// rowComparator orders two input rows by the sort keys, with each key's
// direction and NULL placement; integer keys without NULLs compare
// unboxed.
func rowComparator(keys []sortEval, cols []arrow.Array) func(i, j int) int {
	if len(keys) == 1 && cols[0].NullN() == 0 {
		desc := keys[0].desc
		switch x := cols[0].(type) {
		case *array.Int64:
			v := x.Int64Values()
			if desc {
				return func(i, j int) int { return cmp3(v[j], v[i]) }
			}
			return func(i, j int) int { return cmp3(v[i], v[j]) }
		case *array.Int32:
			v := x.Int32Values()
			if desc {
				return func(i, j int) int { return cmp3(v[j], v[i]) }
			}
			return func(i, j int) int { return cmp3(v[i], v[j]) }
		}
	}
	cmps := make([]func(i, j int) int, len(keys))
	for k, key := range keys {
		cmps[k] = columnComparator(cols[k], key.t)
	}
	return func(i, j int) int {
		for k, key := range keys {
			ni, nj := cols[k].IsNull(i), cols[k].IsNull(j)
			switch {
			case ni && nj:
				continue
			case ni:
				if key.nullsFirst {
					return -1
				}
				return 1
			case nj:
				if key.nullsFirst {
					return 1
				}
				return -1
			}
			c := cmps[k](i, j)
			if c == 0 {
				continue
			}
			if key.desc {
				return -c
			}
			return c
		}
		return 0
	}
}

// evalArgs evaluates the function's arguments over all input rows.
func (f *windowFuncState) evalArgs(ctx *Context, all *batch.Batch) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(f.args))
	for i, ev := range f.args {
		arr, err := ev.Eval(ctx.Eval, all)
		if err != nil {
			return nil, err
		}
		out[i] = arr
	}
	return out, nil
}

// compute returns the function's values for the sorted positions of sw.
func (f *windowFuncState) compute(ctx *Context, all *batch.Batch, sw *sortedWindow) (arrow.Array, error) {
	n := sw.numRows
	switch f.fn.Name {
	case "row_number", "rank", "dense_rank":
		out := make([]int64, n)
		dense := int64(0)
		for k := 0; k < n; k++ {
			ps := sw.partStart[k]
			switch f.fn.Name {
			case "row_number":
				out[k] = int64(int32(k)-ps) + 1
			case "rank":
				out[k] = int64(sw.peerStart[k]-ps) + 1
			default:
				if int32(k) == ps {
					dense = 0
				}
				if sw.peerStart[k] == int32(k) {
					dense++
				}
				out[k] = dense
			}
		}
		return batch.Int64s(out, nil, 0), nil
	case "percent_rank", "cume_dist":
		out := make([]float64, n)
		for k := 0; k < n; k++ {
			ps, pe := sw.partStart[k], sw.partEnd[k]
			size := float64(pe - ps)
			if f.fn.Name == "cume_dist" {
				out[k] = float64(sw.peerEnd[k]-ps) / size
			} else if size > 1 {
				out[k] = float64(sw.peerStart[k]-ps) / (size - 1)
			}
		}
		return batch.Float64s(out, nil, 0), nil
	case "ntile":
		return f.ntile(ctx, all, sw)
	case "lag", "lead":
		return f.lagLead(ctx, all, sw)
	case "first_value", "last_value", "nth_value":
		return f.frameValue(ctx, all, sw)
	}
	if f.fn.Agg == nil {
		return nil, pgerror.Internalf("unknown window function %s", f.fn.Name)
	}
	return f.aggregate(ctx, all, sw)
}

func (f *windowFuncState) ntile(ctx *Context, all *batch.Batch, sw *sortedWindow) (arrow.Array, error) {
	args, err := f.evalArgs(ctx, all)
	if err != nil {
		return nil, err
	}
	n := sw.numRows
	out := make([]int64, n)
	validity := make([]byte, bitutil.BytesForBits(int64(n)))
	nulls := 0
	b := sw.partitionBoundaryIdx
	for p := 0; p+1 < len(b); p++ {
		ps, pe := int(b[p]), int(b[p+1])
		// The bucket count is read from the partition's first row.
		v := types.DatumAt(f.fn.ArgTypes[0], args[0], int(sw.perm[ps]))
		if v == nil {
			nulls += pe - ps
			continue
		}
		buckets := v.(int64)
		if buckets <= 0 {
			return nil, pgerror.New(pgerror.Code("22014"), "argument of ntile must be greater than zero")
		}
		total := int64(pe - ps)
		per, extra := total/buckets, total%buckets
		bucket, inBucket := int64(1), int64(0)
		for k := ps; k < pe; k++ {
			size := per
			if bucket <= extra {
				size++
			}
			if inBucket >= size {
				bucket++
				inBucket = 0
			}
			out[k] = bucket
			inBucket++
			bitutil.SetBit(validity, k)
		}
	}
	return batch.Int64s(out, validity, nulls), nil
}

func (f *windowFuncState) lagLead(ctx *Context, all *batch.Batch, sw *sortedWindow) (arrow.Array, error) {
	args, err := f.evalArgs(ctx, all)
	if err != nil {
		return nil, err
	}
	n := sw.numRows
	values := args[0]
	src := values
	if len(args) > 2 {
		// Rows whose offset leaves the partition take the default, read
		// from the current row: positions n.. of the concatenation.
		src, err = array.Concatenate([]arrow.Array{values, args[2]}, types.Allocator)
		if err != nil {
			return nil, pgerror.Internalf("lag default: %v", err)
		}
	}
	sign := int64(-1)
	if f.fn.Name == "lead" {
		sign = 1
	}
	idx := make([]int32, n)
	for k := 0; k < n; k++ {
		row := sw.perm[k]
		off := int64(1)
		if len(args) > 1 {
			d := types.DatumAt(f.fn.ArgTypes[1], args[1], int(row))
			if d == nil {
				idx[k] = -1
				continue
			}
			off = d.(int64)
		}
		target := int64(k) + sign*off
		switch {
		case target >= int64(sw.partStart[k]) && target < int64(sw.partEnd[k]):
			idx[k] = sw.perm[target]
		case len(args) > 2:
			idx[k] = int32(n) + row
		default:
			idx[k] = -1
		}
	}
	return batch.TakeArray(src, idx), nil
}

// frameBounds returns the frame [start, end) of sorted position k.
func frameBounds(fr *WindowFrame, sw *sortedWindow, k int) (int, int) {
	ps, pe := int(sw.partStart[k]), int(sw.partEnd[k])
	if fr == nil {
		return ps, int(sw.peerEnd[k])
	}
	var s, e int
	switch {
	case fr.StartUnbounded:
		s = ps
	case !fr.Rows:
		s = int(sw.peerStart[k])
	case fr.StartCurrent:
		s = k
	default:
		s = k - int(fr.StartOffset)
	}
	switch {
	case fr.EndUnbounded:
		e = pe
	case !fr.Rows:
		e = int(sw.peerEnd[k])
	case fr.EndCurrent:
		e = k + 1
	default:
		e = k + int(fr.EndOffset) + 1
	}
	s = min(max(s, ps), pe)
	e = min(max(e, ps), pe)
	if e < s {
		e = s
	}
	return s, e
}

func (f *windowFuncState) frameValue(ctx *Context, all *batch.Batch, sw *sortedWindow) (arrow.Array, error) {
	args, err := f.evalArgs(ctx, all)
	if err != nil {
		return nil, err
	}
	n := sw.numRows
	idx := make([]int32, n)
	for k := 0; k < n; k++ {
		s, e := frameBounds(f.fn.Frame, sw, k)
		idx[k] = -1
		switch f.fn.Name {
		case "first_value":
			if s < e {
				idx[k] = sw.perm[s]
			}
		case "last_value":
			if s < e {
				idx[k] = sw.perm[e-1]
			}
		default:
			d := types.DatumAt(f.fn.ArgTypes[1], args[1], int(sw.perm[k]))
			if d == nil {
				continue
			}
			nth := d.(int64)
			if nth <= 0 {
				return nil, pgerror.New(pgerror.Code("22016"), "argument of nth_value must be greater than zero")
			}
			if int64(s)+nth-1 < int64(e) {
				idx[k] = sw.perm[int64(s)+nth-1]
			}
		}
	}
	return batch.TakeArray(args[0], idx), nil
}

// frameAgg folds the rows of a moving frame. Rows are sorted positions;
// the arguments were arranged in sorted order beforehand.
type frameAgg interface {
	// add folds rows [from, to) in.
	add(from, to int) error
	// remove takes rows [from, to), the oldest in the frame, out again;
	// it reports false when the aggregate cannot, and the frame is then
	// folded afresh.
	remove(from, to int) bool
	// reset empties the frame.
	reset()
	// emit records the current value for the next output row.
	emit() error
	// finish returns the recorded values.
	finish() (arrow.Array, error)
}

// aggregate computes an aggregate over each row's frame, moving the frame
// incrementally where its bounds allow.
func (f *windowFuncState) aggregate(ctx *Context, all *batch.Batch, sw *sortedWindow) (arrow.Array, error) {
	args, err := f.evalArgs(ctx, all)
	if err != nil {
		return nil, err
	}
	sorted := make([]arrow.Array, len(args))
	ident := isIdentity(sw.perm)
	for i, a := range args {
		if ident {
			sorted[i] = a
		} else {
			sorted[i] = batch.TakeArray(a, sw.perm)
		}
	}
	agg := newFrameAgg(ctx, f.fn, sorted, sw.numRows)
	n := sw.numRows
	curS, curE := -1, -1
	for k := 0; k < n; k++ {
		if k%4096 == 0 {
			if err := ctx.checkCancel(); err != nil {
				return nil, err
			}
		}
		s, e := frameBounds(f.fn.Frame, sw, k)
		switch {
		case int32(k) == sw.partStart[k] || curS < 0:
			agg.reset()
			if err := agg.add(s, e); err != nil {
				return nil, err
			}
		case s == curS && e >= curE:
			if err := agg.add(curE, e); err != nil {
				return nil, err
			}
		case s >= curS && e >= curE && s <= curE && agg.remove(curS, s):
			if err := agg.add(curE, e); err != nil {
				return nil, err
			}
		default:
			agg.reset()
			if err := agg.add(s, e); err != nil {
				return nil, err
			}
		}
		curS, curE = s, e
		if err := agg.emit(); err != nil {
			return nil, err
		}
	}
	return agg.finish()
}

// newFrameAgg picks a typed frame aggregate for count, sum, avg, min and
// max of integers and floats, and the general one, which drives the
// aggregate's Accumulator, for everything else.
func newFrameAgg(ctx *Context, fn WindowFunc, args []arrow.Array, n int) frameAgg {
	a := fn.Agg
	if a.Star {
		return &countFrame{n: n, out: make([]int64, 0, n)}
	}
	if len(args) == 1 {
		t := fn.ArgTypes[0]
		switch {
		case a.Name == "count":
			return &countFrame{arg: args[0], n: n, out: make([]int64, 0, n)}
		case (a.Name == "sum" || a.Name == "avg") && t.IsInteger():
			return &intSumFrame{vals: intsOf(args[0]), arg: args[0], ret: fn.Ret, avg: a.Name == "avg"}
		case (a.Name == "sum" || a.Name == "avg") && t.IsFloat():
			return &floatSumFrame{vals: floatsOfArray(args[0]), arg: args[0], ret: fn.Ret, avg: a.Name == "avg"}
		case (a.Name == "min" || a.Name == "max") && t.IsInteger():
			return &intMinMaxFrame{vals: intsOf(args[0]), arg: args[0], ret: fn.Ret, max: a.Name == "max"}
		}
	}
	return &accFrame{ctx: ctx, fn: fn, args: args}
}

func intsOf(a arrow.Array) []int64 {
	out := make([]int64, a.Len())
	switch x := a.(type) {
	case *array.Int64:
		copy(out, x.Int64Values())
	case *array.Int32:
		for i, v := range x.Int32Values() {
			out[i] = int64(v)
		}
	case *array.Int16:
		for i, v := range x.Int16Values() {
			out[i] = int64(v)
		}
	}
	return out
}

func floatsOfArray(a arrow.Array) []float64 {
	switch x := a.(type) {
	case *array.Float64:
		return x.Float64Values()
	case *array.Float32:
		out := make([]float64, x.Len())
		for i, v := range x.Float32Values() {
			out[i] = float64(v)
		}
		return out
	}
	return make([]float64, a.Len())
}

// countFrame is count(*) and count(x).
type countFrame struct {
	arg   arrow.Array // nil for count(*)
	n     int
	count int64
	out   []int64
}

func (c *countFrame) counted(from, to int) int64 {
	if c.arg == nil || c.arg.NullN() == 0 {
		return int64(to - from)
	}
	m := int64(0)
	for i := from; i < to; i++ {
		if c.arg.IsValid(i) {
			m++
		}
	}
	return m
}
func (c *countFrame) add(from, to int) error { c.count += c.counted(from, to); return nil }
func (c *countFrame) remove(from, to int) bool {
	c.count -= c.counted(from, to)
	return true
}
func (c *countFrame) reset()      { c.count = 0 }
func (c *countFrame) emit() error { c.out = append(c.out, c.count); return nil }
func (c *countFrame) finish() (arrow.Array, error) {
	return batch.Int64s(c.out, nil, 0), nil
}

// intSumFrame is sum and avg of integers, exact in 128 bits, so that rows
// can leave the frame as well as enter it.
type intSumFrame struct {
	vals   []int64
	arg    arrow.Array
	ret    types.T
	avg    bool
	hi     int64
	lo     uint64
	count  int64
	out    []types.Datum
	ints   []int64
	valid  []bool
	useInt bool
}

// fold adds (sign 1) or subtracts (sign -1) the non-NULL values of rows
// [from, to) in 128 bits.
func (s *intSumFrame) fold(from, to int, sign int64) {
	nulls := s.arg.NullN() > 0
	for i := from; i < to; i++ {
		if nulls && s.arg.IsNull(i) {
			continue
		}
		v := s.vals[i]
		if sign > 0 {
			lo, carry := bits.Add64(s.lo, uint64(v), 0)
			s.hi += v>>63 + int64(carry)
			s.lo = lo
		} else {
			lo, borrow := bits.Sub64(s.lo, uint64(v), 0)
			s.hi -= v>>63 + int64(borrow)
			s.lo = lo
		}
		s.count += sign
	}
}

func (s *intSumFrame) add(from, to int) error   { s.fold(from, to, 1); return nil }
func (s *intSumFrame) remove(from, to int) bool { s.fold(from, to, -1); return true }
func (s *intSumFrame) reset()                   { s.hi, s.lo, s.count = 0, 0, 0 }
func (s *intSumFrame) fitsInt64() (int64, bool) { return int64(s.lo), s.hi == int64(s.lo)>>63 }

func (s *intSumFrame) emit() error {
	if s.ret.Kind == types.Int8 && !s.avg {
		// sum(int2), sum(int4): int8, typed.
		s.useInt = true
		v, ok := s.fitsInt64()
		if s.count > 0 && !ok {
			return pgerror.New(pgerror.NumericValueOutOfRange, "bigint out of range")
		}
		s.ints = append(s.ints, v)
		s.valid = append(s.valid, s.count > 0)
		return nil
	}
	if s.count == 0 {
		s.out = append(s.out, nil)
		return nil
	}
	var sum *apd.Decimal
	if v, ok := s.fitsInt64(); ok {
		sum = apd.New(v, 0)
	} else {
		b := new(big.Int).SetInt64(s.hi)
		b.Lsh(b, 64)
		b.Add(b, new(big.Int).SetUint64(s.lo))
		d, _, err := apd.NewFromString(b.String())
		if err != nil {
			return pgerror.Internalf("sum: %v", err)
		}
		sum = d
	}
	if !s.avg {
		s.out = append(s.out, sum)
		return nil
	}
	q, err := expr.NumericDivide(sum, apd.New(s.count, 0))
	if err != nil {
		return err
	}
	s.out = append(s.out, q)
	return nil
}

func (s *intSumFrame) finish() (arrow.Array, error) {
	if s.useInt {
		validity := make([]byte, bitutil.BytesForBits(int64(len(s.ints))))
		nulls := 0
		for i, ok := range s.valid {
			if ok {
				bitutil.SetBit(validity, i)
			} else {
				nulls++
			}
		}
		return batch.Int64s(s.ints, validity, nulls), nil
	}
	return numericArray(s.out), nil
}

// numericArray builds a numeric column from decimals (nil for NULL).
func numericArray(vals []types.Datum) arrow.Array {
	b := array.NewStringBuilder(types.Allocator)
	b.Reserve(len(vals))
	var buf []byte
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		buf = types.AppendNumeric(buf[:0], v.(*apd.Decimal))
		b.BinaryBuilder.Append(buf)
	}
	return b.NewArray()
}

// floatSumFrame is sum and avg of floats. Rows never leave it: a float sum
// with rows taken out again would not equal the sum PostgreSQL computes
// afresh.
type floatSumFrame struct {
	vals     []float64
	arg      arrow.Array
	ret      types.T
	avg      bool
	sum      float64
	count    int64
	sawInf   bool
	out      []float64
	validity []bool
}

func (s *floatSumFrame) add(from, to int) error {
	nulls := s.arg.NullN() > 0
	for i := from; i < to; i++ {
		if nulls && s.arg.IsNull(i) {
			continue
		}
		v := s.vals[i]
		if math.IsInf(v, 0) {
			s.sawInf = true
		}
		s.sum += v
		s.count++
	}
	if math.IsInf(s.sum, 0) && !s.sawInf {
		return pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
	}
	return nil
}
func (s *floatSumFrame) remove(int, int) bool { return false }
func (s *floatSumFrame) reset()               { s.sum, s.count, s.sawInf = 0, 0, false }
func (s *floatSumFrame) emit() error {
	v := s.sum
	if s.avg && s.count > 0 {
		v /= float64(s.count)
	}
	if s.ret.Kind == types.Float4 {
		v = float64(float32(v))
	}
	s.out = append(s.out, v)
	s.validity = append(s.validity, s.count > 0)
	return nil
}
func (s *floatSumFrame) finish() (arrow.Array, error) {
	validity := make([]byte, bitutil.BytesForBits(int64(len(s.out))))
	nulls := 0
	for i, ok := range s.validity {
		if ok {
			bitutil.SetBit(validity, i)
		} else {
			nulls++
		}
	}
	if s.ret.Kind == types.Float4 {
		f32 := make([]float32, len(s.out))
		for i, v := range s.out {
			f32[i] = float32(v)
		}
		return batch.Float32s(f32, validity, nulls), nil
	}
	return batch.Float64s(s.out, validity, nulls), nil
}

// intMinMaxFrame is min and max of integers over frames that only grow.
type intMinMaxFrame struct {
	vals  []int64
	arg   arrow.Array
	ret   types.T
	max   bool
	cur   int64
	seen  bool
	out   []int64
	valid []bool
}

func (m *intMinMaxFrame) add(from, to int) error {
	nulls := m.arg.NullN() > 0
	for i := from; i < to; i++ {
		if nulls && m.arg.IsNull(i) {
			continue
		}
		v := m.vals[i]
		if !m.seen || (m.max && v > m.cur) || (!m.max && v < m.cur) {
			m.cur, m.seen = v, true
		}
	}
	return nil
}
func (m *intMinMaxFrame) remove(int, int) bool { return false }
func (m *intMinMaxFrame) reset()               { m.seen = false }
func (m *intMinMaxFrame) emit() error {
	m.out = append(m.out, m.cur)
	m.valid = append(m.valid, m.seen)
	return nil
}
func (m *intMinMaxFrame) finish() (arrow.Array, error) {
	b := array.NewBuilder(types.Allocator, m.ret.ArrowType())
	b.Reserve(len(m.out))
	for i, v := range m.out {
		if m.valid[i] {
			types.AppendDatum(b, m.ret, v)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

// accFrame drives an aggregate's Accumulator with one group. Growing the
// frame updates it; its Result is read once per distinct frame.
type accFrame struct {
	ctx   *Context
	fn    WindowFunc
	args  []arrow.Array
	acc   expr.Accumulator
	zeros []int32
	out   []types.Datum
	// last is the value of the frame as last emitted; dirty is set when
	// rows entered since.
	last  types.Datum
	dirty bool
}

func (a *accFrame) reset() {
	a.acc = a.fn.Agg.New(a.fn.ArgTypes, a.fn.Ret)
	a.dirty = true
}

func (a *accFrame) add(from, to int) error {
	if from >= to {
		return nil
	}
	if a.acc == nil {
		a.reset()
	}
	if len(a.zeros) < to-from {
		a.zeros = make([]int32, to-from)
	}
	sl := make([]arrow.Array, len(a.args))
	for i, arg := range a.args {
		sl[i] = array.NewSlice(arg, int64(from), int64(to))
	}
	a.dirty = true
	return a.acc.Update(a.ctx.Eval, a.zeros[:to-from], 1, sl)
}

func (a *accFrame) remove(int, int) bool { return false }

func (a *accFrame) emit() error {
	if a.acc == nil {
		a.reset()
	}
	if a.dirty {
		res, err := a.acc.Result(a.ctx.Eval, 1)
		if err != nil {
			return err
		}
		a.last = types.DatumAt(a.fn.Ret, res, 0)
		a.dirty = false
	}
	a.out = append(a.out, a.last)
	return nil
}

func (a *accFrame) finish() (arrow.Array, error) {
	return types.ArrayFromDatums(a.fn.Ret, a.out), nil
}
