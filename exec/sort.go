package exec

import (
	"bytes"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/exec/expr"
	"portalsdb/types"
)

// columnComparator returns a comparison of two non-NULL rows of a column,
// typed for the common physical types.
func columnComparator(a arrow.Array, t types.T) func(i, j int) int {
	switch x := a.(type) {
	case *array.Int64:
		v := x.Int64Values()
		return func(i, j int) int { return cmp3(v[i], v[j]) }
	case *array.Int32:
		v := x.Int32Values()
		return func(i, j int) int { return cmp3(v[i], v[j]) }
	case *array.Int16:
		v := x.Int16Values()
		return func(i, j int) int { return cmp3(v[i], v[j]) }
	case *array.Float64:
		v := x.Float64Values()
		return func(i, j int) int { return types.CompareFloat(v[i], v[j]) }
	case *array.Float32:
		v := x.Float32Values()
		return func(i, j int) int { return types.CompareFloat(float64(v[i]), float64(v[j])) }
	case *array.Date32:
		v := x.Date32Values()
		return func(i, j int) int { return cmp3(v[i], v[j]) }
	case *array.Timestamp:
		v := x.TimestampValues()
		return func(i, j int) int { return cmp3(v[i], v[j]) }
	case *array.String:
		if t.Kind == types.Text || t.Kind == types.Varchar || t.Kind == types.Name || t.Kind == types.Unknown {
			return func(i, j int) int { return strings.Compare(x.Value(i), x.Value(j)) }
		}
	case *array.Binary:
		return func(i, j int) int { return bytes.Compare(x.Value(i), x.Value(j)) }
	}
	return func(i, j int) int {
		return types.Compare(t, types.DatumAt(t, a, i), types.DatumAt(t, a, j))
	}
}

func cmp3[T int16 | int32 | int64 | arrow.Date32 | arrow.Timestamp](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Sort orders its input. With a limit it keeps only the first rows.
type Sort struct {
	input Operator
	keys  []sortEval
	types []types.T
	desc  []string
	out   chunker
	done  bool
}

// NewSort returns a sort of input by keys.
func NewSort(input Operator, keys []SortSpec, layout expr.Layout, ts []types.T) (*Sort, error) {
	s := &Sort{input: input, types: ts}
	for _, k := range keys {
		ev, err := expr.Compile(k.Expr, layout)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, sortEval{ev: ev, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		d := k.Expr.String()
		if k.Desc {
			d += " DESC"
		}
		s.desc = append(s.desc, d)
	}
	return s, nil
}

func (s *Sort) Describe() string     { return "Sort: " + strings.Join(s.desc, ", ") }
func (s *Sort) Children() []Operator { return []Operator{s.input} }
func (s *Sort) Close() error         { return s.input.Close() }

func (s *Sort) Open(ctx *Context) error {
	s.out, s.done = chunker{}, false
	return s.input.Open(ctx)
}

func (s *Sort) Next(ctx *Context) (*batch.Batch, error) {
	if !s.done {
		s.done = true
		bs, err := materialize(ctx, s.input)
		if err != nil {
			return nil, err
		}
		all := batch.Concat(s.types, bs)
		if all.Len > 1 {
			idx, err := sortIndices(ctx, s.keys, all)
			if err != nil {
				return nil, err
			}
			if len(all.Cols) > 0 {
				all = all.Take(idx)
			}
		}
		s.out = chunker{b: all}
	}
	return s.out.next(ctx.BatchSize), nil
}

// Distinct removes duplicate rows (or keeps the first row per key for
// DISTINCT ON).
type Distinct struct {
	input Operator
	on    []evalSpec
	types []types.T
	seen  *groupTable
}

// NewDistinct returns a DISTINCT over input; on, when not empty, are the
// DISTINCT ON keys.
func NewDistinct(input Operator, on []expr.Expr, layout expr.Layout, ts []types.T) (*Distinct, error) {
	d := &Distinct{input: input, types: ts}
	if len(on) > 0 {
		var err error
		if d.on, err = compileSpecs(on, layout); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *Distinct) Describe() string     { return "Distinct" }
func (d *Distinct) Children() []Operator { return []Operator{d.input} }
func (d *Distinct) Close() error         { return d.input.Close() }

func (d *Distinct) Open(ctx *Context) error {
	d.seen = newGroupTable()
	return d.input.Open(ctx)
}

func (d *Distinct) Next(ctx *Context) (*batch.Batch, error) {
	for {
		b, err := d.input.Next(ctx)
		if b == nil || err != nil {
			return nil, err
		}
		var k keys
		if len(d.on) > 0 {
			k, _, err = evalKeys(ctx, d.on, b)
		} else {
			k, err = computeKeys(b.Cols, d.types, b.Len)
		}
		if err != nil {
			return nil, err
		}
		var sel []int32
		for i := 0; i < b.Len; i++ {
			if _, isNew := d.seen.lookupOrAdd(&k, i); isNew {
				sel = append(sel, int32(i))
			}
		}
		if len(sel) == 0 {
			continue
		}
		if len(b.Cols) == 0 {
			return &batch.Batch{Len: len(sel)}, nil
		}
		return b.Take(sel), nil
	}
}

// SetOpKind is INTERSECT or EXCEPT (UNION is Concat plus Distinct).
type SetOpKind uint8

// Set operations done by SetOp.
const (
	IntersectOp SetOpKind = iota
	ExceptOp
)

// SetOp computes INTERSECT [ALL] or EXCEPT [ALL], counting the right
// side's rows per value.
type SetOp struct {
	kind        SetOpKind
	all         bool
	left, right Operator
	types       []types.T
	counts      map[string]int
	emitted     map[string]bool
}

// NewSetOp returns an INTERSECT or EXCEPT operator.
func NewSetOp(kind SetOpKind, all bool, left, right Operator, ts []types.T) *SetOp {
	return &SetOp{kind: kind, all: all, left: left, right: right, types: ts}
}

func (s *SetOp) Describe() string {
	name := "Intersect"
	if s.kind == ExceptOp {
		name = "Except"
	}
	if s.all {
		name += " All"
	}
	return "HashSetOp " + name
}
func (s *SetOp) Children() []Operator { return []Operator{s.left, s.right} }

func (s *SetOp) Open(ctx *Context) error {
	s.counts, s.emitted = map[string]int{}, map[string]bool{}
	if err := s.right.Open(ctx); err != nil {
		return err
	}
	bs, err := materialize(ctx, s.right)
	if err != nil {
		return err
	}
	for _, b := range bs {
		k, err := rowKeyStrings(b, s.types)
		if err != nil {
			return err
		}
		for _, key := range k {
			s.counts[key]++
		}
	}
	return s.left.Open(ctx)
}

// rowKeyStrings encodes whole rows as strings, NULL equal to NULL.
func rowKeyStrings(b *batch.Batch, ts []types.T) ([]string, error) {
	k, err := computeKeys(b.Cols, ts, b.Len)
	if err != nil {
		return nil, err
	}
	if !k.single {
		return k.strs, nil
	}
	out := make([]string, b.Len)
	for i := range out {
		if k.null[i] {
			out[i] = "N"
		} else {
			out[i] = string(rune('V')) + itoaKey(k.ints[i])
		}
	}
	return out, nil
}

func itoaKey(v int64) string {
	var b [20]byte
	i := len(b)
	u := uint64(v)
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return string(b[i:])
}

func (s *SetOp) Next(ctx *Context) (*batch.Batch, error) {
	for {
		b, err := s.left.Next(ctx)
		if b == nil || err != nil {
			return nil, err
		}
		k, err := rowKeyStrings(b, s.types)
		if err != nil {
			return nil, err
		}
		var sel []int32
		for i, key := range k {
			switch {
			case s.kind == IntersectOp && s.all:
				if s.counts[key] > 0 {
					s.counts[key]--
					sel = append(sel, int32(i))
				}
			case s.kind == IntersectOp:
				if s.counts[key] > 0 && !s.emitted[key] {
					s.emitted[key] = true
					sel = append(sel, int32(i))
				}
			case s.all:
				if s.counts[key] > 0 {
					s.counts[key]--
				} else {
					sel = append(sel, int32(i))
				}
			default:
				if s.counts[key] == 0 && !s.emitted[key] {
					s.emitted[key] = true
					sel = append(sel, int32(i))
				}
			}
		}
		if len(sel) > 0 {
			return b.Take(sel), nil
		}
	}
}

func (s *SetOp) Close() error {
	err1 := s.left.Close()
	err2 := s.right.Close()
	if err1 != nil {
		return err1
	}
	return err2
}
