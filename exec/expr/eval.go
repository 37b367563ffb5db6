package expr

import (
	"context"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// Ctx is the state an evaluation runs in: one statement execution.
type Ctx struct {
	Env *types.Env
	// Params are the values of $1, $2, ... already of the inferred types.
	Params []types.Datum
	// Outer holds the values of enclosing queries' columns, for correlated
	// subqueries.
	Outer map[ColumnID]types.Datum
	// Subplans runs the subqueries the planner left in expressions.
	Subplans SubplanRunner
	// Catalog resolves names for the reg* casts; may be nil.
	Catalog CatalogResolver
	// Random is the session's random source for random(); nil uses a
	// fixed-seed source.
	Random interface{ Float64() float64 }
	// Session answers current_user, current_database and friends; may be
	// nil outside a session.
	Session SessionInfo
	// Cancel, when set, is the statement's context: functions that wait
	// (pg_sleep) stop when it is canceled or its deadline passes.
	Cancel context.Context

	regexes map[string]*regexp.Regexp
}

// CancelError returns the error of a statement whose context ended: 57014,
// saying whether statement_timeout or a cancel request ended it; nil while
// it runs.
//
// It asks ctx.Err rather than selecting on ctx.Done: Done makes a context's
// channel on first use, which for a short statement's fresh context was a
// measurable part of its run.
func CancelError(ctx context.Context) error {
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case err == context.DeadlineExceeded:
		return pgerror.New(pgerror.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
}

func (c *Ctx) env() *types.Env {
	if c == nil || c.Env == nil {
		return types.DefaultEnv()
	}
	return c.Env
}

// WithOuter returns a copy of c whose outer values add vals.
func (c *Ctx) WithOuter(vals map[ColumnID]types.Datum) *Ctx {
	n := *c
	if len(c.Outer) == 0 {
		n.Outer = vals
		return &n
	}
	m := make(map[ColumnID]types.Datum, len(c.Outer)+len(vals))
	for k, v := range c.Outer {
		m[k] = v
	}
	for k, v := range vals {
		m[k] = v
	}
	n.Outer = m
	return &n
}

// SubplanRunner executes a subquery for given values of the columns it is
// correlated with, returning the values of its first column (at most limit
// rows when limit > 0).
type SubplanRunner interface {
	RunSubplan(ctx *Ctx, index int, outer map[ColumnID]types.Datum, limit int) ([]types.Datum, error)
}

// CatalogResolver resolves object names for regclass and friends.
type CatalogResolver interface {
	ResolveRegName(t types.T, name string) (types.Datum, error)
}

// SessionInfo is what session-dependent functions need.
type SessionInfo interface {
	User() string
	Database() string
	SearchPath() []string
	// Setting returns a configuration parameter's value, for
	// current_setting.
	Setting(name string) (string, bool)
	// SetSetting changes a configuration parameter, for set_config, and
	// returns its new value.
	SetSetting(name, value string) (string, error)
}

// Evaluator computes an expression over a batch.
type Evaluator interface {
	Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error)
}

// Layout maps the columns an expression refers to onto the positions of
// its input batch. A column not in the layout is read from Ctx.Outer.
type Layout map[ColumnID]int

// Compile prepares e for evaluation over batches of the given layout.
func Compile(e Expr, layout Layout) (Evaluator, error) {
	c := compiler{layout: layout}
	return c.compile(e)
}

type compiler struct{ layout Layout }

func (c *compiler) compileAll(es []Expr) ([]Evaluator, error) {
	out := make([]Evaluator, len(es))
	for i, e := range es {
		ev, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

func (c *compiler) compile(e Expr) (Evaluator, error) {
	switch x := e.(type) {
	case *Const:
		return &constEval{t: x.T, d: x.Value}, nil
	case *Failed:
		return nil, x.Err
	case *ColRef:
		if i, ok := c.layout[x.ID]; ok {
			return colEval(i), nil
		}
		return &outerEval{id: x.ID, t: x.T}, nil
	case *Param:
		return &paramEval{idx: x.Index, t: x.T}, nil
	case *Call:
		args, err := c.compileAll(x.Args)
		if err != nil {
			return nil, err
		}
		ts := make([]types.T, len(x.Args))
		for i, a := range x.Args {
			ts[i] = a.Type()
		}
		return &callEval{fn: x.Fn, args: args, argTypes: ts, ret: x.Type()}, nil
	case *Cast:
		arg, err := c.compile(x.Arg)
		if err != nil {
			return nil, err
		}
		if _, ok := castLevel(x.Arg.Type(), x.To); !ok && x.Arg.Type().Kind != types.Unknown && !x.Arg.Type().Same(x.To) {
			return nil, CastError(x.Arg.Type(), x.To)
		}
		return &castEval{arg: arg, from: x.Arg.Type(), to: x.To, explicit: x.Explicit}, nil
	case *BoolOp:
		args, err := c.compileAll(x.Args)
		if err != nil {
			return nil, err
		}
		return &boolEval{or: x.Or, args: args}, nil
	case *Not:
		arg, err := c.compile(x.Arg)
		if err != nil {
			return nil, err
		}
		return &notEval{arg: arg}, nil
	case *IsNull:
		arg, err := c.compile(x.Arg)
		if err != nil {
			return nil, err
		}
		return &isNullEval{arg: arg, negate: x.Negate}, nil
	case *BoolTest:
		arg, err := c.compile(x.Arg)
		if err != nil {
			return nil, err
		}
		return &boolTestEval{arg: arg, want: x.Want, negate: x.Negate}, nil
	case *IsDistinct:
		l, err := c.compile(x.L)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(x.R)
		if err != nil {
			return nil, err
		}
		return &distinctEval{l: l, r: r, eq: x.Eq, lt: x.L.Type(), rt: x.R.Type(), negate: x.Negate}, nil
	case *Case:
		ce := &caseEval{t: x.T}
		for _, w := range x.Whens {
			cond, err := c.compile(w.Cond)
			if err != nil {
				return nil, err
			}
			res, err := c.compile(w.Result)
			if err != nil {
				return nil, err
			}
			ce.conds = append(ce.conds, cond)
			ce.results = append(ce.results, res)
		}
		els, err := c.compile(x.Else)
		if err != nil {
			return nil, err
		}
		ce.els = els
		return ce, nil
	case *Coalesce:
		args, err := c.compileAll(x.Args)
		if err != nil {
			return nil, err
		}
		return &coalesceEval{args: args, t: x.T}, nil
	case *MinMax:
		args, err := c.compileAll(x.Args)
		if err != nil {
			return nil, err
		}
		return &minMaxEval{max: x.Max, args: args, t: x.T}, nil
	case *InList:
		return c.compileInList(x)
	case *ArrayExpr:
		args, err := c.compileAll(x.Elems)
		if err != nil {
			return nil, err
		}
		return &arrayEval{elems: args, t: x.T}, nil
	case *SubplanRef:
		se := &subplanEval{index: x.Index, sub: x.Sub}
		if x.Sub.Test != nil {
			t, err := c.compile(x.Sub.Test)
			if err != nil {
				return nil, err
			}
			se.test = t
		}
		for _, id := range x.Sub.Correlated {
			if i, ok := c.layout[id]; ok {
				se.corrIdx = append(se.corrIdx, i)
				se.corrIDs = append(se.corrIDs, id)
			} else {
				se.outerIDs = append(se.outerIDs, id)
			}
		}
		return se, nil
	case *Subquery:
		return nil, pgerror.Internalf("subquery was not planned: %s", x)
	}
	return nil, pgerror.Internalf("cannot evaluate expression %T", e)
}

type constEval struct {
	t     types.T
	d     types.Datum
	cache arrow.Array
}

// Eval returns the constant broadcast to b's length. The longest broadcast
// so far is kept and sliced for shorter batches: after a filter, batch
// lengths vary from one batch to the next, and broadcasting afresh for each
// cost as much as the arithmetic it fed.
func (e *constEval) Eval(_ *Ctx, b *batch.Batch) (arrow.Array, error) {
	if e.cache == nil || e.cache.Len() < b.Len {
		e.cache = batch.Broadcast(e.t, e.d, b.Len)
	}
	if e.cache.Len() == b.Len {
		return e.cache, nil
	}
	return array.NewSlice(e.cache, 0, int64(b.Len)), nil
}

type colEval int

func (e colEval) Eval(_ *Ctx, b *batch.Batch) (arrow.Array, error) { return b.Cols[e], nil }

type outerEval struct {
	id ColumnID
	t  types.T
}

func (e *outerEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	v, ok := ctx.Outer[e.id]
	if !ok {
		return nil, pgerror.Internalf("column #%d is neither in the input nor an outer reference", e.id)
	}
	return batch.Broadcast(e.t, v, b.Len), nil
}

type paramEval struct {
	idx int
	t   types.T
}

func (e *paramEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	if e.idx < 1 || e.idx > len(ctx.Params) {
		return nil, pgerror.Newf(pgerror.UndefinedParameter, "there is no parameter $%d", e.idx)
	}
	return batch.Broadcast(e.t, ctx.Params[e.idx-1], b.Len), nil
}

type callEval struct {
	fn       *Overload
	args     []Evaluator
	argTypes []types.T
	ret      types.T
}

func (e *callEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	args := make([]arrow.Array, len(e.args))
	for i, a := range e.args {
		v, err := a.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	if e.fn.Vec != nil {
		return e.fn.Vec(ctx, args, b.Len)
	}
	return rowAdapter(ctx, e.fn, e.argTypes, e.ret, args, b.Len)
}

// rowAdapter runs a row kernel over a batch.
func rowAdapter(ctx *Ctx, fn *Overload, argTypes []types.T, ret types.T, args []arrow.Array, n int) (arrow.Array, error) {
	if fn.Row == nil && fn.RowTyped == nil {
		return nil, pgerror.Internalf("function %s has no kernel", fn.Name)
	}
	b := array.NewBuilder(types.Allocator, ret.ArrowType())
	b.Reserve(n)
	row := make([]types.Datum, len(args))
	for i := 0; i < n; i++ {
		isNull := false
		for j, a := range args {
			row[j] = types.DatumAt(argTypes[j], a, i)
			if row[j] == nil {
				isNull = true
			}
		}
		if isNull && !fn.NullCall {
			b.AppendNull()
			continue
		}
		var v types.Datum
		var err error
		if fn.RowTyped != nil {
			v, err = fn.RowTyped(ctx, argTypes, row)
		} else {
			v, err = fn.Row(ctx, row)
		}
		if err != nil {
			return nil, err
		}
		types.AppendDatum(b, ret, v)
	}
	return b.NewArray(), nil
}

type castEval struct {
	arg      Evaluator
	from, to types.T
	explicit bool
}

func (e *castEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	v, err := e.arg.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	return evalCast(ctx, v, e.from, e.to, e.explicit)
}

// boolValues reads a boolean array as two bitmaps: value and validity,
// aligned at bit 0.
func boolValues(a arrow.Array) (vals []byte, valid []byte) {
	n := a.Len()
	ba, ok := a.(*array.Boolean)
	if !ok {
		// A NULL-typed array: all NULL.
		return make([]byte, bitutil.BytesForBits(int64(n))), make([]byte, bitutil.BytesForBits(int64(n)))
	}
	vals = make([]byte, bitutil.BytesForBits(int64(n)))
	off := a.Data().Offset()
	src := a.Data().Buffers()[1].Bytes()
	if off == 0 {
		copy(vals, src)
	} else {
		for i := 0; i < n; i++ {
			if ba.Value(i) {
				bitutil.SetBit(vals, i)
			}
		}
	}
	return vals, batch.Validity(a)
}

type boolEval struct {
	or   bool
	args []Evaluator
}

// Eval evaluates the terms left to right, each only on the rows the
// earlier terms left undecided, so that "x <> 0 AND 1/x > 0" never divides
// by zero.
func (e *boolEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	n := b.Len
	// decided rows have their final value: false for AND, true for OR.
	decided := make([]bool, n)
	sawNull := make([]bool, n)
	undecided := make([]int32, 0, n)
	for i := 0; i < n; i++ {
		undecided = append(undecided, int32(i))
	}
	for _, arg := range e.args {
		if len(undecided) == 0 {
			break
		}
		sub := b
		if len(undecided) < n {
			sub = b.Take(undecided)
		}
		v, err := arg.Eval(ctx, sub)
		if err != nil {
			return nil, err
		}
		vals, valid := boolValues(v)
		next := undecided[:0]
		for k, row := range undecided {
			switch {
			case !batch.IsValid(valid, k):
				sawNull[row] = true
				next = append(next, row)
			case bitutil.BitIsSet(vals, k) == e.or:
				decided[row] = true
			default:
				next = append(next, row)
			}
		}
		undecided = next
	}
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	validity := make([]byte, bitutil.BytesForBits(int64(n)))
	nulls := 0
	for i := 0; i < n; i++ {
		switch {
		case decided[i]:
			if e.or {
				bitutil.SetBit(out, i)
			}
			bitutil.SetBit(validity, i)
		case sawNull[i]:
			nulls++
		default:
			if !e.or {
				bitutil.SetBit(out, i)
			}
			bitutil.SetBit(validity, i)
		}
	}
	return batch.BoolBits(n, out, validity, nulls), nil
}

type notEval struct{ arg Evaluator }

func (e *notEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	v, err := e.arg.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	vals, valid := boolValues(v)
	for i := range vals {
		vals[i] = ^vals[i]
	}
	return batch.BoolBits(b.Len, vals, valid, v.NullN()), nil
}

type isNullEval struct {
	arg    Evaluator
	negate bool
}

func (e *isNullEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	v, err := e.arg.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	out := make([]byte, bitutil.BytesForBits(int64(b.Len)))
	for i := 0; i < b.Len; i++ {
		if v.IsNull(i) != e.negate {
			bitutil.SetBit(out, i)
		}
	}
	return batch.BoolBits(b.Len, out, nil, 0), nil
}

type boolTestEval struct {
	arg    Evaluator
	want   types.Datum
	negate bool
}

func (e *boolTestEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	v, err := e.arg.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	vals, valid := boolValues(v)
	out := make([]byte, bitutil.BytesForBits(int64(b.Len)))
	for i := 0; i < b.Len; i++ {
		var match bool
		isNull := !batch.IsValid(valid, i)
		if e.want == nil {
			match = isNull
		} else {
			match = !isNull && bitutil.BitIsSet(vals, i) == e.want.(bool)
		}
		if match != e.negate {
			bitutil.SetBit(out, i)
		}
	}
	return batch.BoolBits(b.Len, out, nil, 0), nil
}

type distinctEval struct {
	l, r   Evaluator
	eq     *Overload
	lt, rt types.T
	negate bool
}

func (e *distinctEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	l, err := e.l.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	r, err := e.r.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	var eqVals, eqValid []byte
	if e.eq != nil {
		var res arrow.Array
		if e.eq.Vec != nil {
			res, err = e.eq.Vec(ctx, []arrow.Array{l, r}, b.Len)
		} else {
			res, err = rowAdapter(ctx, e.eq, []types.T{e.lt, e.rt}, types.BoolType, []arrow.Array{l, r}, b.Len)
		}
		if err != nil {
			return nil, err
		}
		eqVals, eqValid = boolValues(res)
	}
	out := make([]byte, bitutil.BytesForBits(int64(b.Len)))
	for i := 0; i < b.Len; i++ {
		ln, rn := l.IsNull(i), r.IsNull(i)
		var distinct bool
		switch {
		case ln && rn:
			distinct = false
		case ln || rn:
			distinct = true
		case e.eq == nil:
			distinct = types.Compare(e.lt, types.DatumAt(e.lt, l, i), types.DatumAt(e.rt, r, i)) != 0
		default:
			distinct = !(batch.IsValid(eqValid, i) && bitutil.BitIsSet(eqVals, i))
		}
		if distinct != e.negate {
			bitutil.SetBit(out, i)
		}
	}
	return batch.BoolBits(b.Len, out, nil, 0), nil
}

// gather builds an array of type t whose row i is srcs[which[i]][pos[i]];
// which[i] < 0 gives NULL.
func gather(t types.T, srcs []arrow.Array, which []int, pos []int32) (arrow.Array, error) {
	nonEmpty := srcs[:0:0]
	base := make([]int32, len(srcs))
	total := int32(0)
	for i, s := range srcs {
		base[i] = total
		if s != nil {
			nonEmpty = append(nonEmpty, s)
			total += int32(s.Len())
		}
	}
	if len(nonEmpty) == 0 {
		return array.MakeArrayOfNull(types.Allocator, t.ArrowType(), len(which)), nil
	}
	var all arrow.Array
	if len(nonEmpty) == 1 {
		all = nonEmpty[0]
	} else {
		var err error
		all, err = array.Concatenate(nonEmpty, types.Allocator)
		if err != nil {
			return nil, pgerror.Internalf("gather: %v", err)
		}
	}
	idx := make([]int32, len(which))
	for i, w := range which {
		if w < 0 {
			idx[i] = -1
		} else {
			idx[i] = base[w] + pos[i]
		}
	}
	return batch.TakeArray(all, idx), nil
}

type caseEval struct {
	conds, results []Evaluator
	els            Evaluator
	t              types.T
}

// Eval evaluates each branch's result only on the rows that take it.
func (e *caseEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	n := b.Len
	which := make([]int, n)
	pos := make([]int32, n)
	srcs := make([]arrow.Array, len(e.results)+1)
	pending := make([]int32, n)
	for i := range pending {
		pending[i] = int32(i)
	}
	for k, cond := range e.conds {
		if len(pending) == 0 {
			break
		}
		sub := b
		if len(pending) < n {
			sub = b.Take(pending)
		}
		cv, err := cond.Eval(ctx, sub)
		if err != nil {
			return nil, err
		}
		vals, valid := boolValues(cv)
		var take, rest []int32
		for j, row := range pending {
			if batch.IsValid(valid, j) && bitutil.BitIsSet(vals, j) {
				take = append(take, row)
			} else {
				rest = append(rest, row)
			}
		}
		if len(take) > 0 {
			rv, err := e.results[k].Eval(ctx, b.Take(take))
			if err != nil {
				return nil, err
			}
			srcs[k] = rv
			for j, row := range take {
				which[row] = k
				pos[row] = int32(j)
			}
		}
		pending = rest
	}
	if len(pending) > 0 {
		sub := b
		if len(pending) < n {
			sub = b.Take(pending)
		}
		ev, err := e.els.Eval(ctx, sub)
		if err != nil {
			return nil, err
		}
		k := len(e.results)
		srcs[k] = ev
		for j, row := range pending {
			which[row] = k
			pos[row] = int32(j)
		}
	}
	return gather(e.t, srcs, which, pos)
}

type coalesceEval struct {
	args []Evaluator
	t    types.T
}

func (e *coalesceEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	n := b.Len
	which := make([]int, n)
	pos := make([]int32, n)
	for i := range which {
		which[i] = -1
	}
	srcs := make([]arrow.Array, len(e.args))
	pending := make([]int32, n)
	for i := range pending {
		pending[i] = int32(i)
	}
	for k, arg := range e.args {
		if len(pending) == 0 {
			break
		}
		sub := b
		if len(pending) < n {
			sub = b.Take(pending)
		}
		v, err := arg.Eval(ctx, sub)
		if err != nil {
			return nil, err
		}
		srcs[k] = v
		rest := pending[:0:0]
		for j, row := range pending {
			if v.IsNull(j) {
				rest = append(rest, row)
			} else {
				which[row] = k
				pos[row] = int32(j)
			}
		}
		pending = rest
	}
	return gather(e.t, srcs, which, pos)
}

type minMaxEval struct {
	max  bool
	args []Evaluator
	t    types.T
}

func (e *minMaxEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	vals := make([]arrow.Array, len(e.args))
	for i, a := range e.args {
		v, err := a.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	which := make([]int, b.Len)
	pos := make([]int32, b.Len)
	for i := 0; i < b.Len; i++ {
		which[i] = -1
		var best types.Datum
		for k, v := range vals {
			d := types.DatumAt(e.t, v, i)
			if d == nil {
				continue
			}
			if best == nil || (types.Compare(e.t, d, best) > 0) == e.max && types.Compare(e.t, d, best) != 0 {
				best = d
				which[i] = k
				pos[i] = int32(i)
			}
		}
	}
	return gather(e.t, vals, which, pos)
}

type arrayEval struct {
	elems []Evaluator
	t     types.T
}

func (e *arrayEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	vals := make([]arrow.Array, len(e.elems))
	for i, a := range e.elems {
		v, err := a.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	et := e.t.ElemType()
	out := make([]types.Datum, b.Len)
	for i := range out {
		row := make([]types.Datum, len(vals))
		for k, v := range vals {
			row[k] = types.DatumAt(et, v, i)
		}
		out[i] = row
	}
	return types.ArrayFromDatums(e.t, out), nil
}

type subplanEval struct {
	index    int
	sub      *Subquery
	test     Evaluator
	corrIdx  []int      // input positions of correlated columns
	corrIDs  []ColumnID // their ids
	outerIDs []ColumnID // correlated columns that come from further out
}

func (e *subplanEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	if ctx.Subplans == nil {
		return nil, pgerror.Internalf("no subplan runner")
	}
	var test arrow.Array
	if e.test != nil {
		var err error
		if test, err = e.test.Eval(ctx, b); err != nil {
			return nil, err
		}
	}
	out := array.NewBuilder(types.Allocator, e.sub.T.ArrowType())
	out.Reserve(b.Len)
	limit := 0
	switch e.sub.Kind {
	case SubqueryExists:
		limit = 1
	case SubqueryScalar:
		limit = 2
	}
	for i := 0; i < b.Len; i++ {
		outer := make(map[ColumnID]types.Datum, len(e.corrIDs)+len(e.outerIDs))
		for k, id := range e.corrIDs {
			outer[id] = types.DatumAt(typeOfCol(e.sub, id), b.Cols[e.corrIdx[k]], i)
		}
		for _, id := range e.outerIDs {
			if v, ok := ctx.Outer[id]; ok {
				outer[id] = v
			}
		}
		rows, err := ctx.Subplans.RunSubplan(ctx, e.index, outer, limit)
		if err != nil {
			return nil, err
		}
		v, err := e.combine(ctx, rows, test, i)
		if err != nil {
			return nil, err
		}
		types.AppendDatum(out, e.sub.T, v)
	}
	return out.NewArray(), nil
}

// typeOfCol is unused by the datum path: correlated values are read with
// the type of the input column, which the runner's plan declares. The
// layout gives positions only, so the type comes from the batch's array.
func typeOfCol(s *Subquery, id ColumnID) types.T {
	for i, cid := range s.Correlated {
		if cid == id && i < len(s.CorrelatedTypes) {
			return s.CorrelatedTypes[i]
		}
	}
	return types.UnknownType
}

func (e *subplanEval) combine(ctx *Ctx, rows []types.Datum, test arrow.Array, i int) (types.Datum, error) {
	switch e.sub.Kind {
	case SubqueryExists:
		return len(rows) > 0, nil
	case SubqueryScalar:
		if len(rows) > 1 {
			return nil, pgerror.New(pgerror.CardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		if len(rows) == 0 {
			return nil, nil
		}
		return rows[0], nil
	case SubqueryArray:
		return append([]types.Datum{}, rows...), nil
	case SubqueryAny, SubqueryAll:
		tv := types.DatumAt(e.sub.Test.Type(), test, i)
		return QuantifiedCompare(ctx, e.sub.Op, e.sub.Test.Type(), tv, rows, e.sub.Kind == SubqueryAll)
	}
	return nil, pgerror.Internalf("subquery kind %d", e.sub.Kind)
}

// QuantifiedCompare computes x op ANY(rows) or x op ALL(rows) with SQL's
// NULL rules.
func QuantifiedCompare(ctx *Ctx, op *Overload, xt types.T, x types.Datum, rows []types.Datum, all bool) (types.Datum, error) {
	if len(rows) == 0 {
		return all, nil
	}
	if x == nil {
		return nil, nil
	}
	sawNull := false
	yt := op.Args[1]
	for _, r := range rows {
		if r == nil {
			sawNull = true
			continue
		}
		res, err := CallRow(ctx, op, []types.T{xt, yt}, []types.Datum{x, r})
		if err != nil {
			return nil, err
		}
		if res == nil {
			sawNull = true
			continue
		}
		if res.(bool) != all {
			return !all, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return all, nil
}

// CallRow applies an overload to one row of datums.
func CallRow(ctx *Ctx, fn *Overload, argTypes []types.T, args []types.Datum) (types.Datum, error) {
	if !fn.NullCall {
		for _, a := range args {
			if a == nil {
				return nil, nil
			}
		}
	}
	if fn.RowTyped != nil {
		return fn.RowTyped(ctx, argTypes, args)
	}
	if fn.Row != nil {
		return fn.Row(ctx, args)
	}
	arrs := make([]arrow.Array, len(args))
	for i, a := range args {
		arrs[i] = types.ArrayFromDatums(argTypes[i], []types.Datum{a})
	}
	res, err := fn.Vec(ctx, arrs, 1)
	if err != nil {
		return nil, err
	}
	ret := fn.Ret
	if fn.Match != nil {
		ret, _ = fn.Match(argTypes)
	}
	if fn.Poly != nil {
		_, ret, _ = fn.Poly(argTypes)
	}
	return types.DatumAt(ret, res, 0), nil
}

// EvalConst evaluates an expression that refers to no columns.
func EvalConst(ctx *Ctx, e Expr) (types.Datum, error) {
	ev, err := Compile(e, nil)
	if err != nil {
		return nil, err
	}
	one := &batch.Batch{Len: 1}
	v, err := ev.Eval(ctx, one)
	if err != nil {
		return nil, err
	}
	return types.DatumAt(e.Type(), v, 0), nil
}

func (c *compiler) compileInList(x *InList) (Evaluator, error) {
	arg, err := c.compile(x.Arg)
	if err != nil {
		return nil, err
	}
	list, err := c.compileAll(x.List)
	if err != nil {
		return nil, err
	}
	return &inListEval{arg: arg, list: list, eq: x.Eq, t: x.Arg.Type(), negate: x.Negate}, nil
}

// inListEval computes x IN (list): true if some element equals x; else
// NULL if x or some element is NULL; else false.
type inListEval struct {
	arg    Evaluator
	list   []Evaluator
	eq     *Overload
	t      types.T
	negate bool
}

func (e *inListEval) Eval(ctx *Ctx, b *batch.Batch) (arrow.Array, error) {
	n := b.Len
	x, err := e.arg.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	found := make([]bool, n)
	sawNull := make([]bool, n)
	for i := 0; i < n; i++ {
		if x.IsNull(i) {
			sawNull[i] = true
		}
	}
	for _, el := range e.list {
		v, err := el.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		var res arrow.Array
		if e.eq.Vec != nil {
			res, err = e.eq.Vec(ctx, []arrow.Array{x, v}, n)
		} else {
			res, err = rowAdapter(ctx, e.eq, []types.T{e.t, e.t}, types.BoolType, []arrow.Array{x, v}, n)
		}
		if err != nil {
			return nil, err
		}
		vals, valid := boolValues(res)
		for i := 0; i < n; i++ {
			if !batch.IsValid(valid, i) {
				sawNull[i] = true
			} else if bitutil.BitIsSet(vals, i) {
				found[i] = true
			}
		}
	}
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	validity := make([]byte, bitutil.BytesForBits(int64(n)))
	nulls := 0
	for i := 0; i < n; i++ {
		switch {
		case found[i]:
			if !e.negate {
				bitutil.SetBit(out, i)
			}
			bitutil.SetBit(validity, i)
		case sawNull[i]:
			nulls++
		default:
			if e.negate {
				bitutil.SetBit(out, i)
			}
			bitutil.SetBit(validity, i)
		}
	}
	return batch.BoolBits(n, out, validity, nulls), nil
}
