package rowcodec

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Column is what the row format needs to know of a column: its stable id
// and its type.
type Column struct {
	ID   uint32
	Type types.T
}

// Wire types say how a value is laid out, so that a reader can skip it
// without knowing its column's type.
const (
	wireVarint   = 0 // zigzag varint: integers, bool, date, time, timestamp
	wireFixed32  = 1 // float4
	wireFixed64  = 2 // float8
	wireBytes    = 3 // uvarint length, then bytes: strings, bytea, numeric text, arrays
	wireFixed128 = 4 // uuid
	wireInterval = 5 // three zigzag varints: months, days, microseconds
)

// wireTypeOf returns the wire type of values of type t.
func wireTypeOf(t types.T) (int, error) {
	switch t.Kind {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc,
		types.RegNamespace, types.Date, types.Time, types.Timestamp, types.TimestampTZ:
		return wireVarint, nil
	case types.Float4:
		return wireFixed32, nil
	case types.Float8:
		return wireFixed64, nil
	case types.Numeric, types.Text, types.Varchar, types.Char, types.Name, types.JSON, types.JSONB, types.Unknown, types.Bytea, types.Array:
		return wireBytes, nil
	case types.UUID:
		return wireFixed128, nil
	case types.Interval:
		return wireInterval, nil
	}
	return 0, pgerror.Unsupportedf("values of type %s cannot be stored", t)
}

// RowCodec encodes and decodes the rows of one table shape.
type RowCodec struct {
	cols []Column
	// byID lists the ordinals of cols in ascending id order.
	byID []int
}

// NewRowCodec returns a codec for rows whose values are in cols' order.
// Column ids must be distinct.
func NewRowCodec(cols []Column) (*RowCodec, error) {
	c := &RowCodec{cols: cols, byID: make([]int, len(cols))}
	for i := range cols {
		c.byID[i] = i
		if _, err := wireTypeOf(cols[i].Type); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(c.byID, func(a, b int) int { return int(int64(cols[a].ID) - int64(cols[b].ID)) })
	for i := 1; i < len(c.byID); i++ {
		if cols[c.byID[i]].ID == cols[c.byID[i-1]].ID {
			return nil, pgerror.Internalf("rowcodec: duplicate column id %d", cols[c.byID[i]].ID)
		}
	}
	return c, nil
}

// Encode appends the encoding of row, whose values are in the codec's
// column order, to dst. NULLs take no space.
func (c *RowCodec) Encode(dst []byte, row []types.Datum) ([]byte, error) {
	if len(row) != len(c.cols) {
		return dst, pgerror.Internalf("rowcodec: row has %d values, table has %d columns", len(row), len(c.cols))
	}
	start := len(dst)
	prev := uint32(0)
	for _, i := range c.byID {
		d := row[i]
		if d == nil {
			continue
		}
		col := c.cols[i]
		wt, _ := wireTypeOf(col.Type)
		dst = binary.AppendUvarint(dst, uint64(col.ID-prev)<<3|uint64(wt))
		prev = col.ID
		var err error
		if dst, err = appendValue(dst, col.Type, d); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// appendValue appends a non-NULL value in its wire form, without header.
func appendValue(dst []byte, t types.T, d types.Datum) ([]byte, error) {
	bad := func() ([]byte, error) {
		return dst, pgerror.Internalf("rowcodec: cannot store %T as %s", d, t)
	}
	switch t.Kind {
	case types.Bool:
		v, ok := d.(bool)
		if !ok {
			return bad()
		}
		if v {
			return append(dst, 2), nil // zigzag(1)
		}
		return append(dst, 0), nil
	case types.Int2, types.Int4, types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		v, ok := d.(int64)
		if !ok {
			return bad()
		}
		return binary.AppendVarint(dst, v), nil
	case types.Date:
		v, ok := d.(types.DateValue)
		if !ok {
			return bad()
		}
		return binary.AppendVarint(dst, int64(v)), nil
	case types.Time:
		v, ok := d.(types.TimeOfDay)
		if !ok {
			return bad()
		}
		return binary.AppendVarint(dst, int64(v)), nil
	case types.Timestamp, types.TimestampTZ:
		v, ok := d.(types.TimestampValue)
		if !ok {
			return bad()
		}
		return binary.AppendVarint(dst, int64(v)), nil
	case types.Float4:
		v, ok := d.(float64)
		if !ok {
			return bad()
		}
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(v))), nil
	case types.Float8:
		v, ok := d.(float64)
		if !ok {
			return bad()
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v)), nil
	case types.Numeric:
		v, ok := d.(*apd.Decimal)
		if !ok || v == nil {
			return bad()
		}
		// The canonical text keeps the value's scale (1.00 stays 1.00), and
		// is what the Arrow representation holds.
		var buf [64]byte
		text := types.AppendNumeric(buf[:0], v)
		return append(binary.AppendUvarint(dst, uint64(len(text))), text...), nil
	case types.Text, types.Varchar, types.Char, types.Name, types.JSON, types.JSONB, types.Unknown:
		v, ok := d.(string)
		if !ok {
			return bad()
		}
		return append(binary.AppendUvarint(dst, uint64(len(v))), v...), nil
	case types.Bytea:
		v, ok := d.([]byte)
		if !ok {
			return bad()
		}
		return append(binary.AppendUvarint(dst, uint64(len(v))), v...), nil
	case types.UUID:
		v, ok := d.(types.UUIDValue)
		if !ok {
			return bad()
		}
		return append(dst, v[:]...), nil
	case types.Interval:
		v, ok := d.(types.IntervalValue)
		if !ok {
			return bad()
		}
		dst = binary.AppendVarint(dst, int64(v.Months))
		dst = binary.AppendVarint(dst, int64(v.Days))
		return binary.AppendVarint(dst, v.Micros), nil
	case types.Array:
		v, ok := d.([]types.Datum)
		if !ok {
			return bad()
		}
		// Elements: a count, then per element a presence byte and the value.
		var body []byte
		body = binary.AppendUvarint(body, uint64(len(v)))
		et := t.ElemType()
		for _, e := range v {
			if e == nil {
				body = append(body, 0)
				continue
			}
			body = append(body, 1)
			var err error
			if body, err = appendValue(body, et, e); err != nil {
				return dst, err
			}
		}
		return append(binary.AppendUvarint(dst, uint64(len(body))), body...), nil
	}
	return dst, pgerror.Unsupportedf("values of type %s cannot be stored", t)
}

func corrupt(what string) error {
	return pgerror.Newf(pgerror.DataCorrupted, "rowcodec: corrupted row value: %s", what)
}

// reader walks an encoded value, reporting truncation as corruption.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.fail("truncated value")
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = corrupt(what)
	}
	r.b = nil
}

// header reads a column header and returns the column id and wire type.
func (r *reader) header(prev uint32) (uint32, int) {
	h := r.uvarint()
	delta := h >> 3
	if delta > math.MaxUint32-uint64(prev) {
		r.fail("column id overflow")
		return 0, 0
	}
	return prev + uint32(delta), int(h & 7)
}

// skip skips a value of wire type wt.
func (r *reader) skip(wt int) {
	switch wt {
	case wireVarint:
		r.varint()
	case wireFixed32:
		r.bytes(4)
	case wireFixed64:
		r.bytes(8)
	case wireBytes:
		r.bytes(r.uvarint())
	case wireFixed128:
		r.bytes(16)
	case wireInterval:
		r.varint()
		r.varint()
		r.varint()
	default:
		r.fail("unknown wire type")
	}
}

// datum reads a value of type t.
func (r *reader) datum(t types.T, wt int) types.Datum {
	if want, _ := wireTypeOf(t); want != wt {
		r.fail("wire type does not match the column type")
		return nil
	}
	switch t.Kind {
	case types.Bool:
		return r.varint() != 0
	case types.Int2, types.Int4, types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		return r.varint()
	case types.Date:
		return types.DateValue(r.varint())
	case types.Time:
		return types.TimeOfDay(r.varint())
	case types.Timestamp, types.TimestampTZ:
		return types.TimestampValue(r.varint())
	case types.Float4:
		b := r.bytes(4)
		if b == nil {
			return nil
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case types.Float8:
		b := r.bytes(8)
		if b == nil {
			return nil
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case types.Numeric:
		b := r.bytes(r.uvarint())
		if r.err != nil {
			return nil
		}
		d, err := types.ParseNumeric(string(b))
		if err != nil {
			r.fail("bad numeric")
			return nil
		}
		return d
	case types.Text, types.Varchar, types.Char, types.Name, types.JSON, types.JSONB, types.Unknown:
		return string(r.bytes(r.uvarint()))
	case types.Bytea:
		b := r.bytes(r.uvarint())
		if b == nil {
			return nil
		}
		return append([]byte{}, b...)
	case types.UUID:
		var u types.UUIDValue
		copy(u[:], r.bytes(16))
		return u
	case types.Interval:
		m, d, us := r.varint(), r.varint(), r.varint()
		if m < math.MinInt32 || m > math.MaxInt32 || d < math.MinInt32 || d > math.MaxInt32 {
			r.fail("interval out of range")
			return nil
		}
		return types.IntervalValue{Months: int32(m), Days: int32(d), Micros: us}
	case types.Array:
		body := reader{b: r.bytes(r.uvarint())}
		if r.err != nil {
			return nil
		}
		n := body.uvarint()
		if n > uint64(len(body.b)) {
			r.fail("bad array length")
			return nil
		}
		et := t.ElemType()
		ewt, _ := wireTypeOf(et)
		out := make([]types.Datum, 0, n)
		for range n {
			present := body.bytes(1)
			if body.err != nil {
				break
			}
			if present[0] == 0 {
				out = append(out, nil)
				continue
			}
			out = append(out, body.datum(et, ewt))
		}
		if body.err != nil {
			r.fail("bad array element")
			return nil
		}
		return out
	}
	r.fail("unsupported type")
	return nil
}

// Decode decodes value into out, one datum per column in the codec's order;
// absent columns read as NULL and columns the codec does not know are
// skipped.
func (c *RowCodec) Decode(value []byte, out []types.Datum) error {
	if len(out) != len(c.cols) {
		return pgerror.Internalf("rowcodec: decode into %d values, table has %d columns", len(out), len(c.cols))
	}
	clear(out)
	r := reader{b: value}
	j := 0
	prev := uint32(0)
	for len(r.b) > 0 && r.err == nil {
		id, wt := r.header(prev)
		prev = id
		for j < len(c.byID) && c.cols[c.byID[j]].ID < id {
			j++
		}
		if j < len(c.byID) && c.cols[c.byID[j]].ID == id {
			i := c.byID[j]
			out[i] = r.datum(c.cols[i].Type, wt)
			j++
			continue
		}
		r.skip(wt)
	}
	return r.err
}

// Decoder appends decoded rows to Arrow builders, one per projected column.
type Decoder struct {
	// proj lists the projected columns in ascending id order; the same
	// column may appear more than once.
	proj   []projected
	filled []bool
}

type projected struct {
	id      uint32
	t       types.T
	wt      int
	builder array.Builder
}

// NewDecoder returns a decoder that appends column cols[i] to builders[i].
// Each builder must be a builder of cols[i].Type.ArrowType().
func NewDecoder(cols []Column, builders []array.Builder) (*Decoder, error) {
	if len(cols) != len(builders) {
		return nil, pgerror.Internalf("rowcodec: %d columns, %d builders", len(cols), len(builders))
	}
	d := &Decoder{filled: make([]bool, len(cols))}
	for i, c := range cols {
		wt, err := wireTypeOf(c.Type)
		if err != nil {
			return nil, err
		}
		if !arrow.TypeEqual(builders[i].Type(), c.Type.ArrowType()) {
			return nil, pgerror.Internalf("rowcodec: builder of %s for a column of type %s", builders[i].Type(), c.Type)
		}
		d.proj = append(d.proj, projected{id: c.ID, t: c.Type, wt: wt, builder: builders[i]})
	}
	slices.SortStableFunc(d.proj, func(a, b projected) int { return int(int64(a.id) - int64(b.id)) })
	return d, nil
}

// AppendRow decodes one row value and appends one value (or NULL) to every
// builder. On error, the builders may hold a partial row: the caller must
// discard them.
func (d *Decoder) AppendRow(value []byte) error {
	clear(d.filled)
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
		// A projected column: decode it once per time it is projected.
		rest := r.b
		for ; j < len(d.proj) && d.proj[j].id == id; j++ {
			r.b = rest
			appendTo(&r, &d.proj[j], wt)
			d.filled[j] = true
		}
	}
	if r.err != nil {
		return r.err
	}
	for j := range d.proj {
		if !d.filled[j] {
			d.proj[j].builder.AppendNull()
		}
	}
	return nil
}

// appendTo decodes a value into p's builder without boxing it.
func appendTo(r *reader, p *projected, wt int) {
	if wt != p.wt {
		r.fail("wire type does not match the column type")
		return
	}
	switch p.t.Kind {
	case types.Bool:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.BooleanBuilder).Append(v != 0)
		}
	case types.Int2:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.Int16Builder).Append(int16(v))
		}
	case types.Int4:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.Int32Builder).Append(int32(v))
		}
	case types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.Int64Builder).Append(v)
		}
	case types.Date:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.Date32Builder).Append(arrow.Date32(v))
		}
	case types.Time:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.Time64Builder).Append(arrow.Time64(v))
		}
	case types.Timestamp, types.TimestampTZ:
		v := r.varint()
		if r.err == nil {
			p.builder.(*array.TimestampBuilder).Append(arrow.Timestamp(v))
		}
	case types.Float4:
		if b := r.bytes(4); b != nil {
			p.builder.(*array.Float32Builder).Append(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
	case types.Float8:
		if b := r.bytes(8); b != nil {
			p.builder.(*array.Float64Builder).Append(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	case types.Numeric, types.Text, types.Varchar, types.Char, types.Name, types.JSON, types.JSONB, types.Unknown:
		b := r.bytes(r.uvarint())
		if r.err == nil {
			p.builder.(*array.StringBuilder).BinaryBuilder.Append(b)
		}
	case types.Bytea:
		b := r.bytes(r.uvarint())
		if r.err == nil {
			p.builder.(*array.BinaryBuilder).Append(b)
		}
	case types.UUID:
		if b := r.bytes(16); b != nil {
			p.builder.(*array.FixedSizeBinaryBuilder).Append(b)
		}
	case types.Interval:
		m, d, us := r.varint(), r.varint(), r.varint()
		if r.err == nil {
			p.builder.(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: int32(m), Days: int32(d), Nanoseconds: us * 1000})
		}
	default:
		// Arrays and other nested values go through their datum form.
		v := r.datum(p.t, wt)
		if r.err == nil {
			types.AppendDatum(p.builder, p.t, v)
		}
	}
}
