package rowcodec

import (
	"encoding/binary"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"portalsdb/types"
)

// RowDecoder decodes one row value into Arrow arrays of one row each, one
// per projected column: what a primary-key point lookup returns. Builders
// allocate and grow buffers for every array they make, which for a single
// row costs more than the decoding; RowDecoder instead lays out the row's
// fixed-width values, string offsets and bytes in one allocation and wraps
// it, so an array costs its Data and array headers. Types without such a
// layout (arrays) go through a builder.
type RowDecoder struct {
	// proj lists the projected columns in ascending id order; the same
	// column may appear more than once.
	proj []oneProjected
	n    int // output columns
	// fixed is the slab space of the fixed-width parts of a row: values,
	// and the offsets of strings, each 8-aligned.
	fixed int
	// varCols counts projected columns of variable width.
	varCols int
}

type oneProjected struct {
	id     uint32
	out    int // output position
	t      types.T
	dt     arrow.DataType
	wt     int
	layout oneLayout
	width  int // bytes of a fixed-width value
}

// oneLayout is how a column's one-row array is laid out.
type oneLayout int

const (
	layoutFixed   oneLayout = iota // one value of width bytes
	layoutBool                     // one bit
	layoutVar                      // offsets [0, n] and n bytes
	layoutBuilder                  // through an Arrow builder
)

// NewRowDecoder returns a decoder whose arrays hold the columns cols, in
// that order.
func NewRowDecoder(cols []Column) (*RowDecoder, error) {
	d := &RowDecoder{n: len(cols)}
	for i, c := range cols {
		wt, err := wireTypeOf(c.Type)
		if err != nil {
			return nil, err
		}
		p := oneProjected{id: c.ID, out: i, t: c.Type, dt: c.Type.ArrowType(), wt: wt}
		switch c.Type.Kind {
		case types.Bool:
			p.layout, p.width = layoutBool, 1
		case types.Int2:
			p.layout, p.width = layoutFixed, 2
		case types.Int4, types.Date, types.Float4:
			p.layout, p.width = layoutFixed, 4
		case types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace, types.Time,
			types.Timestamp, types.TimestampTZ, types.Float8:
			p.layout, p.width = layoutFixed, 8
		case types.UUID, types.Interval:
			p.layout, p.width = layoutFixed, 16
		case types.Numeric, types.Text, types.Varchar, types.Char, types.Name, types.JSON, types.JSONB, types.Unknown,
			types.Bytea:
			p.layout, p.width = layoutVar, 8
			d.varCols++
		default:
			p.layout = layoutBuilder
		}
		d.fixed += (p.width + 7) &^ 7
		d.proj = append(d.proj, p)
	}
	slices.SortStableFunc(d.proj, func(a, b oneProjected) int { return int(int64(a.id) - int64(b.id)) })
	return d, nil
}

// Decode decodes value into one array of one row per column. A column the
// value does not hold is NULL. The arrays share no memory with value.
func (d *RowDecoder) Decode(value []byte) ([]arrow.Array, error) {
	out := make([]arrow.Array, d.n)
	// One allocation holds the row's values: the bytes of variable-width
	// values are at most len(value) (unless a column is projected twice,
	// when take makes room).
	slab := make([]byte, 0, max(16, (d.fixed+len(value)+8*d.varCols+7)&^7))
	bufs := make([]memory.Buffer, 2*len(d.proj))
	ptrs := make([]*memory.Buffer, 3*len(d.proj))
	r := reader{b: value}
	j := 0
	prev := uint32(0)
	for len(r.b) > 0 && r.err == nil && j < len(d.proj) {
		id, wt := r.header(prev)
		prev = id
		for j < len(d.proj) && d.proj[j].id < id {
			j++
		}
		if j == len(d.proj) || d.proj[j].id != id {
			r.skip(wt)
			continue
		}
		rest := r.b
		for ; j < len(d.proj) && d.proj[j].id == id; j++ {
			r.b = rest
			p := &d.proj[j]
			var a arrow.Array
			a, slab = d.decodeOne(&r, p, wt, slab, bufs[2*j:2*j+2], ptrs[3*j:3*j+3])
			out[p.out] = a
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	for _, p := range d.proj {
		if out[p.out] == nil {
			out[p.out] = array.MakeArrayOfNull(types.Allocator, p.dt, 1)
		}
	}
	return out, nil
}

// decodeOne decodes one value of column p into a one-row array laid out in
// slab, returning the array and the slab's new length.
func (d *RowDecoder) decodeOne(r *reader, p *oneProjected, wt int, slab []byte, bufs []memory.Buffer, ptrs []*memory.Buffer) (arrow.Array, []byte) {
	if wt != p.wt {
		r.fail("wire type does not match the column type")
		return nil, slab
	}
	// take reserves n bytes of the slab, 8-aligned (Arrow reads the values
	// in place). When the slab is full, a new one takes over; arrays made
	// earlier keep the old one.
	take := func(n int) []byte {
		need := (n + 7) &^ 7
		if len(slab)+need > cap(slab) {
			slab = make([]byte, 0, max(16, need))
		}
		start := len(slab)
		slab = slab[:start+need]
		return slab[start : start+n : start+n]
	}
	wrap := func(parts ...[]byte) arrow.Array {
		ptrs[0] = nil // no NULLs: no validity bitmap
		for i, b := range parts {
			bufs[i].Reset(b)
			ptrs[i+1] = &bufs[i]
		}
		return array.MakeFromData(array.NewData(p.dt, 1, ptrs[:len(parts)+1:len(parts)+1], nil, 0, 0))
	}
	switch p.layout {
	case layoutBool:
		v := r.varint()
		if r.err != nil {
			return nil, slab
		}
		b := take(1)
		if v != 0 {
			b[0] = 1
		}
		return wrap(b), slab
	case layoutFixed:
		var b []byte
		switch p.t.Kind {
		case types.Float4, types.Float8, types.UUID:
			// Stored as the array holds them: width little-endian bytes.
			src := r.bytes(uint64(p.width))
			if src == nil {
				return nil, slab
			}
			b = take(p.width)
			copy(b, src)
		case types.Interval:
			m, days, us := r.varint(), r.varint(), r.varint()
			if r.err != nil {
				return nil, slab
			}
			b = take(16)
			binary.LittleEndian.PutUint32(b, uint32(int32(m)))
			binary.LittleEndian.PutUint32(b[4:], uint32(int32(days)))
			binary.LittleEndian.PutUint64(b[8:], uint64(us*1000))
		default: // varint-encoded integers, dates, times
			v := r.varint()
			if r.err != nil {
				return nil, slab
			}
			b = take(p.width)
			switch p.width {
			case 2:
				binary.LittleEndian.PutUint16(b, uint16(int16(v)))
			case 4:
				binary.LittleEndian.PutUint32(b, uint32(int32(v)))
			default:
				binary.LittleEndian.PutUint64(b, uint64(v))
			}
		}
		return wrap(b), slab
	case layoutVar:
		src := r.bytes(r.uvarint())
		if r.err != nil {
			return nil, slab
		}
		offsets := take(8)
		binary.LittleEndian.PutUint32(offsets, 0)
		binary.LittleEndian.PutUint32(offsets[4:], uint32(len(src)))
		data := take(len(src))
		copy(data, src)
		return wrap(offsets, data), slab
	}
	v := r.datum(p.t, wt)
	if r.err != nil {
		return nil, slab
	}
	b := array.NewBuilder(types.Allocator, p.dt)
	types.AppendDatum(b, p.t, v)
	return b.NewArray(), slab
}
