package batch

import (
	"portalsdb/types"
)

// ChangeBatch is a batch of changes to a relation: each row of Batch is
// inserted (Diff +1) or deleted (Diff -1). An update is a delete of the old
// row and an insert of the new one. It is the unit incremental operators
// consume and produce.
type ChangeBatch struct {
	*Batch
	Diff []int8
}

// Inserts returns a change batch that inserts every row of b.
func Inserts(b *Batch) *ChangeBatch {
	d := make([]int8, b.Len)
	for i := range d {
		d[i] = 1
	}
	return &ChangeBatch{Batch: b, Diff: d}
}

// EmptyChanges returns a change batch with no rows of the given types.
func EmptyChanges(ts []types.T) *ChangeBatch {
	return &ChangeBatch{Batch: Empty(ts)}
}

// TakeChanges returns the changes at the given positions.
func (c *ChangeBatch) TakeChanges(idx []int32) *ChangeBatch {
	d := make([]int8, len(idx))
	for i, j := range idx {
		d[i] = c.Diff[j]
	}
	if len(c.Cols) == 0 {
		return &ChangeBatch{Batch: &Batch{Len: len(idx)}, Diff: d}
	}
	return &ChangeBatch{Batch: c.Take(idx), Diff: d}
}

// ConcatChanges joins change batches of the same types.
func ConcatChanges(ts []types.T, cs []*ChangeBatch) *ChangeBatch {
	var bs []*Batch
	var d []int8
	for _, c := range cs {
		if c == nil || c.Len == 0 {
			continue
		}
		bs = append(bs, c.Batch)
		d = append(d, c.Diff...)
	}
	if len(bs) == 0 {
		return EmptyChanges(ts)
	}
	if len(ts) == 0 {
		n := 0
		for _, b := range bs {
			n += b.Len
		}
		return &ChangeBatch{Batch: &Batch{Len: n}, Diff: d}
	}
	return &ChangeBatch{Batch: Concat(ts, bs), Diff: d}
}

// ChangeBuilder builds a change batch row by row.
type ChangeBuilder struct {
	b    *Builders
	diff []int8
}

// NewChangeBuilder returns a builder of changes of the given types.
func NewChangeBuilder(ts []types.T) *ChangeBuilder {
	return &ChangeBuilder{b: NewBuilders(ts)}
}

// Add appends one change.
func (c *ChangeBuilder) Add(row []types.Datum, diff int8) {
	c.b.AppendRow(row)
	c.diff = append(c.diff, diff)
}

// Len returns the number of changes added.
func (c *ChangeBuilder) Len() int { return len(c.diff) }

// Build returns the changes added and resets the builder.
func (c *ChangeBuilder) Build() *ChangeBatch {
	b := c.b.Build()
	d := c.diff
	c.diff = nil
	return &ChangeBatch{Batch: b, Diff: d}
}
