package exec

import (
	"errors"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

// CheckSpec is a CHECK constraint over a row, or a view's check option.
type CheckSpec struct {
	Name string
	Expr expr.Expr
	// ViewOption marks the check option of the view Name: unlike a CHECK,
	// NULL fails it, since the row must be one the view shows.
	ViewOption bool
}

// RowSpec describes the rows a DML operator writes: the table and its
// constraints.
type RowSpec struct {
	Table   *storage.TableSpec
	Types   []types.T
	Names   []string
	NotNull []bool
	// Changelog, when not zero, is the log the table's changes are
	// appended to, for the workflows that read the table.
	Changelog uint64
}

// changelog appends a table's row changes to its log, when it has one.
type changelog struct {
	obj   uint64
	types []types.T
	codec *rowcodec.ChangeCodec
	b     *batch.ChangeBuilder
}

func newChangelog(row RowSpec) (*changelog, error) {
	if row.Changelog == 0 {
		return nil, nil
	}
	codec, err := rowcodec.NewChangeCodec(row.Types)
	if err != nil {
		return nil, err
	}
	return &changelog{obj: row.Changelog, types: row.Types, codec: codec, b: batch.NewChangeBuilder(row.Types)}, nil
}

func (c *changelog) add(row []types.Datum, diff int8) {
	if c != nil {
		c.b.Add(row, diff)
	}
}

// flush appends the changes collected so far to the log.
func (c *changelog) flush(txn *storage.Txn) error {
	if c == nil || c.b.Len() == 0 {
		return nil
	}
	return AppendChanges(txn, c.obj, c.codec, c.types, c.b.Build())
}

// DML is an operator that writes rows and counts them.
type DML interface {
	Operator
	// Count returns the number of rows written, valid at the end.
	Count() int64
}

type checker struct {
	// relation names the table or stream in the errors: a stream's
	// RowSpec has no table.
	relation string
	row      RowSpec
	checks   []CheckSpec
	evs      []expr.Evaluator
}

func newChecker(row RowSpec, checks []CheckSpec, layout expr.Layout) (*checker, error) {
	c := &checker{row: row, checks: checks}
	if row.Table != nil {
		c.relation = row.Table.Name
	}
	for _, ch := range checks {
		ev, err := expr.Compile(ch.Expr, layout)
		if err != nil {
			return nil, err
		}
		c.evs = append(c.evs, ev)
	}
	return c, nil
}

func failingRow(ts []types.T, row []types.Datum, env *types.Env) string {
	parts := make([]string, len(row))
	for i, d := range row {
		if d == nil {
			parts[i] = "null"
		} else {
			parts[i] = types.FormatText(ts[i], d, env)
		}
	}
	return "Failing row contains (" + strings.Join(parts, ", ") + ")."
}

// check enforces NOT NULL and CHECK constraints on a batch of table rows
// (laid out in table column order).
func (c *checker) check(ctx *Context, b *batch.Batch) error {
	for i, nn := range c.row.NotNull {
		if !nn || b.Cols[i].NullN() == 0 {
			continue
		}
		for r := 0; r < b.Len; r++ {
			if b.Cols[i].IsNull(r) {
				e := pgerror.Newf(pgerror.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", c.row.Names[i], c.relation).
					WithDetail(failingRow(c.row.Types, b.Row(c.row.Types, r), ctx.Eval.Env))
				e.Table, e.Column = c.relation, c.row.Names[i]
				return e
			}
		}
	}
	for k, ev := range c.evs {
		res, err := ev.Eval(ctx.Eval, b)
		if err != nil {
			return err
		}
		for r := 0; r < b.Len; r++ {
			if c.checks[k].ViewOption {
				if !res.IsValid(r) || !res.(interface{ Value(int) bool }).Value(r) {
					return pgerror.Newf(pgerror.WithCheckOptionViolation, "new row violates check option for view %q", c.checks[k].Name).
						WithDetail(failingRow(c.row.Types, b.Row(c.row.Types, r), ctx.Eval.Env))
				}
				continue
			}
			// NULL passes a CHECK; only false fails it.
			if res.IsValid(r) && !res.(interface{ Value(int) bool }).Value(r) {
				e := pgerror.Newf(pgerror.CheckViolation, "new row for relation %q violates check constraint %q", c.relation, c.checks[k].Name).
					WithDetail(failingRow(c.row.Types, b.Row(c.row.Types, r), ctx.Eval.Env))
				e.Table, e.Constraint = c.relation, c.checks[k].Name
				return e
			}
		}
	}
	return nil
}

// returning evaluates a RETURNING list over written rows.
type returning struct {
	evs []expr.Evaluator
	out []*batch.Batch
}

func newReturning(es []expr.Expr, layout expr.Layout) (*returning, error) {
	if len(es) == 0 {
		return nil, nil
	}
	evs, err := compileAll(es, layout)
	if err != nil {
		return nil, err
	}
	return &returning{evs: evs}, nil
}

func (r *returning) add(ctx *Context, b *batch.Batch) error {
	if r == nil || b.Len == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(r.evs))
	for i, ev := range r.evs {
		arr, err := ev.Eval(ctx.Eval, b)
		if err != nil {
			return err
		}
		cols[i] = arr
	}
	r.out = append(r.out, &batch.Batch{Cols: cols, Len: b.Len})
	return nil
}

// dmlBase runs the write on the first Next and then hands out the
// RETURNING rows.
type dmlBase struct {
	input Operator
	count int64
	ret   *returning
	done  bool
	pos   int
}

func (d *dmlBase) Count() int64         { return d.count }
func (d *dmlBase) Children() []Operator { return []Operator{d.input} }
func (d *dmlBase) Close() error         { return d.input.Close() }

func (d *dmlBase) open(ctx *Context) error {
	d.count, d.done, d.pos = 0, false, 0
	if d.ret != nil {
		d.ret.out = nil
	}
	return d.input.Open(ctx)
}

func (d *dmlBase) next(ctx *Context, write func(b *batch.Batch) error) (*batch.Batch, error) {
	if !d.done {
		d.done = true
		for {
			if err := ctx.checkCancel(); err != nil {
				return nil, err
			}
			b, err := d.input.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			if b.Len == 0 {
				continue
			}
			if err := write(b); err != nil {
				return nil, err
			}
		}
	}
	if d.ret == nil || d.pos >= len(d.ret.out) {
		return nil, nil
	}
	d.pos++
	return d.ret.out[d.pos-1], nil
}

// OnConflictSpec is ON CONFLICT handling for Insert.
type OnConflictSpec struct {
	// Arbiter: -1 the primary key, >= 0 an index ordinal, -2 any unique
	// constraint (DO NOTHING without a target).
	Arbiter   int
	DoNothing bool
	// Set maps table column ordinals to expressions over the existing row
	// followed by the proposed row (SetLayout).
	Set       map[int]expr.Expr
	Where     expr.Expr
	SetLayout expr.Layout
}

// Insert writes its input rows into a table.
type Insert struct {
	dmlBase
	row     RowSpec
	log     *changelog
	checker *checker
	conf    *OnConflictSpec
	setEvs  map[int]expr.Evaluator
	whereEv expr.Evaluator
	touched map[string]bool
}

// NewInsert returns an insert of input's rows (in table column order, laid
// out by layout) into row.Table.
func NewInsert(input Operator, row RowSpec, checks []CheckSpec, conf *OnConflictSpec, ret []expr.Expr, layout expr.Layout) (*Insert, error) {
	ins := &Insert{row: row, conf: conf}
	ins.input = input
	var err error
	if ins.log, err = newChangelog(row); err != nil {
		return nil, err
	}
	if ins.checker, err = newChecker(row, checks, layout); err != nil {
		return nil, err
	}
	if ins.ret, err = newReturning(ret, layout); err != nil {
		return nil, err
	}
	if conf != nil && !conf.DoNothing {
		ins.setEvs = map[int]expr.Evaluator{}
		for i, e := range conf.Set {
			ev, err := expr.Compile(e, conf.SetLayout)
			if err != nil {
				return nil, err
			}
			ins.setEvs[i] = ev
		}
		if conf.Where != nil {
			if ins.whereEv, err = expr.Compile(conf.Where, conf.SetLayout); err != nil {
				return nil, err
			}
		}
	}
	return ins, nil
}

func (i *Insert) Describe() string { return "Insert on " + i.row.Table.Name }

func (i *Insert) Open(ctx *Context) error {
	i.touched = map[string]bool{}
	return i.open(ctx)
}

func (i *Insert) Next(ctx *Context) (*batch.Batch, error) {
	return i.next(ctx, func(b *batch.Batch) error { return i.writeBatch(ctx, b) })
}

func (i *Insert) writeBatch(ctx *Context, b *batch.Batch) error {
	if err := i.checker.check(ctx, b); err != nil {
		return err
	}
	ts := i.row.Types
	// RETURNING lists rows in the order they were proposed, whether they
	// were inserted or updated, as PostgreSQL does: runs of inserted rows
	// are flushed before each updated one.
	var written []int32
	flush := func() error {
		if i.ret == nil || len(written) == 0 {
			return nil
		}
		var err error
		if len(written) == b.Len {
			err = i.ret.add(ctx, b)
		} else {
			err = i.ret.add(ctx, b.Take(written))
		}
		written = written[:0]
		return err
	}
	// Rows are encoded straight from the batch's columns; they are boxed
	// only for the changelog and ON CONFLICT DO UPDATE, which copy what
	// they keep, so one slice serves every row.
	enc, err := ctx.Txn.NewRowEncoder(i.row.Table, b.Cols)
	if err != nil {
		return err
	}
	var row []types.Datum
	if i.log != nil || i.conf != nil {
		row = make([]types.Datum, len(ts))
	}
	for r := 0; r < b.Len; r++ {
		key, err := ctx.Txn.InsertRowAt(enc, r)
		if err == nil {
			if i.setEvs != nil {
				// Only DO UPDATE must know which rows the command wrote.
				i.touched[string(key)] = true
			}
			written = append(written, int32(r))
			i.count++
			if i.log != nil {
				i.log.add(b.RowInto(row, ts, r), 1)
			}
			continue
		}
		if i.conf == nil || !i.arbiterMatches(err) {
			return err
		}
		if i.conf.DoNothing {
			continue
		}
		nb, err := i.doUpdate(ctx, b.RowInto(row, ts, r))
		if err != nil {
			return err
		}
		if nb != nil && i.ret != nil {
			if err := flush(); err != nil {
				return err
			}
			if err := i.ret.add(ctx, nb); err != nil {
				return err
			}
		}
	}
	if err := i.log.flush(ctx.Txn); err != nil {
		return err
	}
	return flush()
}

func (i *Insert) arbiterMatches(err error) bool {
	var e *pgerror.Error
	if !errors.As(err, &e) || e.Code != pgerror.UniqueViolation {
		return false
	}
	switch {
	case i.conf.Arbiter == -2:
		return true
	case i.conf.Arbiter == -1:
		return e.Constraint == i.row.Table.PKName || i.row.Table.PKName == "" && strings.HasSuffix(e.Constraint, "_pkey")
	}
	return e.Constraint == i.row.Table.Indexes[i.conf.Arbiter].Name
}

// conflicting finds the existing row that the proposed row collides with
// on the arbiter.
func (i *Insert) conflicting(ctx *Context, row []types.Datum) (storage.RowKey, []types.Datum, error) {
	ts := i.row.Table
	if i.conf.Arbiter == -1 {
		pk := make([]types.Datum, len(ts.PrimaryKey))
		for k, ord := range ts.PrimaryKey {
			pk[k] = row[ord]
		}
		key, old, ok, err := ctx.Txn.GetRow(ts, pk)
		if err != nil || !ok {
			return nil, nil, err
		}
		return key, old, nil
	}
	idx := &ts.Indexes[i.conf.Arbiter]
	vals := make([]types.Datum, len(idx.Columns))
	for k, ord := range idx.Columns {
		vals[k] = row[ord]
	}
	all := make([]int, len(ts.Columns))
	for k := range all {
		all[k] = k
	}
	sc, err := ctx.Txn.ScanRows(ts, storage.ScanOptions{Columns: all, Index: idx, RowKey: true,
		Lower: &storage.Bound{Values: vals, Inclusive: true}, Upper: &storage.Bound{Values: vals, Inclusive: true}, BatchSize: 1})
	if err != nil {
		return nil, nil, err
	}
	defer sc.Close()
	rec, err := sc.Next()
	if err == io.EOF || (err == nil && rec.NumRows() == 0) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	cols := rec.Columns()
	old := make([]types.Datum, len(ts.Columns))
	for k := range old {
		old[k] = types.DatumAt(ts.Columns[k].Type, cols[k], 0)
	}
	key := types.DatumAt(types.ByteaType, cols[len(cols)-1], 0).([]byte)
	return storage.RowKey(key), old, nil
}

// doUpdate applies ON CONFLICT DO UPDATE to the row that conflicts with
// the proposed row; it returns the new row as a batch, or nil when the
// WHERE clause skipped it.
func (i *Insert) doUpdate(ctx *Context, proposed []types.Datum) (*batch.Batch, error) {
	key, old, err := i.conflicting(ctx, proposed)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return nil, pgerror.Internalf("conflicting row not found")
	}
	if i.touched[string(key)] {
		return nil, pgerror.New(pgerror.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
			WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
	}
	ts := i.row.Types
	pair := batch.FromRows(append(append([]types.T(nil), ts...), ts...), [][]types.Datum{append(append([]types.Datum(nil), old...), proposed...)})
	if i.whereEv != nil {
		res, err := i.whereEv.Eval(ctx.Eval, pair)
		if err != nil {
			return nil, err
		}
		if len(selection(res)) == 0 {
			return nil, nil
		}
	}
	newRow := append([]types.Datum(nil), old...)
	for ord, ev := range i.setEvs {
		arr, err := ev.Eval(ctx.Eval, pair)
		if err != nil {
			return nil, err
		}
		newRow[ord] = types.DatumAt(ts[ord], arr, 0)
	}
	nb := batch.FromRows(ts, [][]types.Datum{newRow})
	if err := i.checker.check(ctx, nb); err != nil {
		return nil, err
	}
	newKey, err := ctx.Txn.UpdateRow(i.row.Table, key, old, newRow)
	if err != nil {
		return nil, err
	}
	i.log.add(old, -1)
	i.log.add(newRow, 1)
	i.touched[string(newKey)] = true
	i.count++
	return nb, nil
}

// Update rewrites rows: its input carries the old row (table column
// order), the row key, and then the new values of assigned columns.
type Update struct {
	dmlBase
	row     RowSpec
	log     *changelog
	oldPos  []int // input positions of the old row's columns
	keyPos  int
	sets    map[int]expr.Evaluator
	checker *checker
	seen    map[string]bool
}

// NewUpdate returns an update. sets maps table column ordinals to
// expressions over the input (inLayout); checks are over the new row
// (newLayout, table column order), ret over the new row and the input.
func NewUpdate(input Operator, row RowSpec, oldPos []int, keyPos int, sets map[int]expr.Expr, inLayout expr.Layout,
	checks []CheckSpec, ret []expr.Expr, newLayout expr.Layout) (*Update, error) {
	u := &Update{row: row, oldPos: oldPos, keyPos: keyPos, sets: map[int]expr.Evaluator{}}
	u.input = input
	var lerr error
	if u.log, lerr = newChangelog(row); lerr != nil {
		return nil, lerr
	}
	for ord, e := range sets {
		ev, err := expr.Compile(e, inLayout)
		if err != nil {
			return nil, err
		}
		u.sets[ord] = ev
	}
	var err error
	if u.checker, err = newChecker(row, checks, newLayout); err != nil {
		return nil, err
	}
	// RETURNING sees the new row and, after it, the input row: the
	// columns of UPDATE ... FROM items.
	retLayout := expr.Layout{}
	for id, p := range inLayout {
		retLayout[id] = len(oldPos) + p
	}
	for id, p := range newLayout {
		retLayout[id] = p
	}
	if u.ret, err = newReturning(ret, retLayout); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *Update) Describe() string { return "Update on " + u.row.Table.Name }

func (u *Update) Open(ctx *Context) error {
	u.seen = map[string]bool{}
	return u.open(ctx)
}

func (u *Update) Next(ctx *Context) (*batch.Batch, error) {
	return u.next(ctx, func(b *batch.Batch) error {
		// Rows matched twice (UPDATE ... FROM) are updated once.
		keys := b.Cols[u.keyPos]
		var sel []int32
		for r := 0; r < b.Len; r++ {
			k := string(types.DatumAt(types.ByteaType, keys, r).([]byte))
			if !u.seen[k] {
				u.seen[k] = true
				sel = append(sel, int32(r))
			}
		}
		if len(sel) < b.Len {
			b = b.Take(sel)
		}
		if b.Len == 0 {
			return nil
		}
		newCols := make([]arrow.Array, len(u.oldPos))
		for ord, p := range u.oldPos {
			newCols[ord] = b.Cols[p]
		}
		for ord, ev := range u.sets {
			arr, err := ev.Eval(ctx.Eval, b)
			if err != nil {
				return err
			}
			newCols[ord] = arr
		}
		nb := &batch.Batch{Cols: newCols, Len: b.Len}
		if err := u.checker.check(ctx, nb); err != nil {
			return err
		}
		ts := u.row.Types
		for r := 0; r < b.Len; r++ {
			old := make([]types.Datum, len(u.oldPos))
			for ord, p := range u.oldPos {
				old[ord] = types.DatumAt(ts[ord], b.Cols[p], r)
			}
			key := types.DatumAt(types.ByteaType, b.Cols[u.keyPos], r).([]byte)
			newRow := nb.Row(ts, r)
			if _, err := ctx.Txn.UpdateRow(u.row.Table, storage.RowKey(key), old, newRow); err != nil {
				return err
			}
			u.log.add(old, -1)
			u.log.add(newRow, 1)
			u.count++
		}
		if err := u.log.flush(ctx.Txn); err != nil {
			return err
		}
		if u.ret == nil {
			return nil
		}
		withInput := append(append(make([]arrow.Array, 0, len(nb.Cols)+len(b.Cols)), nb.Cols...), b.Cols...)
		return u.ret.add(ctx, &batch.Batch{Cols: withInput, Len: b.Len})
	})
}

// Delete removes its input rows, given as the old row and the row key.
type Delete struct {
	dmlBase
	row    RowSpec
	log    *changelog
	oldPos []int
	keyPos int
	seen   map[string]bool
}

// NewDelete returns a delete; ret is over the input layout.
func NewDelete(input Operator, row RowSpec, oldPos []int, keyPos int, ret []expr.Expr, layout expr.Layout) (*Delete, error) {
	d := &Delete{row: row, oldPos: oldPos, keyPos: keyPos}
	d.input = input
	var err error
	if d.log, err = newChangelog(row); err != nil {
		return nil, err
	}
	if d.ret, err = newReturning(ret, layout); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Delete) Describe() string { return "Delete on " + d.row.Table.Name }

func (d *Delete) Open(ctx *Context) error {
	d.seen = map[string]bool{}
	return d.open(ctx)
}

func (d *Delete) Next(ctx *Context) (*batch.Batch, error) {
	return d.next(ctx, func(b *batch.Batch) error {
		ts := d.row.Types
		var sel []int32
		for r := 0; r < b.Len; r++ {
			key := types.DatumAt(types.ByteaType, b.Cols[d.keyPos], r).([]byte)
			if d.seen[string(key)] {
				continue
			}
			d.seen[string(key)] = true
			old := make([]types.Datum, len(d.oldPos))
			for ord, p := range d.oldPos {
				old[ord] = types.DatumAt(ts[ord], b.Cols[p], r)
			}
			if err := ctx.Txn.DeleteRow(d.row.Table, storage.RowKey(key), old); err != nil {
				return err
			}
			d.log.add(old, -1)
			sel = append(sel, int32(r))
			d.count++
		}
		if err := d.log.flush(ctx.Txn); err != nil {
			return err
		}
		if d.ret != nil && len(sel) > 0 {
			return d.ret.add(ctx, b.Take(sel))
		}
		return nil
	})
}
