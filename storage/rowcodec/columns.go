package rowcodec

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/types"
)

// Encoding straight from Arrow columns.
//
// The streaming engine's hot paths (atom logs, workflow results) encode
// whole batches. Going through types.Datum boxes every value on the heap;
// the functions here read the common physical types (integers, timestamps,
// dates, booleans, floats, text) from their Arrow arrays and fall back to
// the Datum path for the others. They produce exactly the bytes of
// AppendKey and RowCodec.Encode.

// AppendKeyAt appends the ascending key encoding of row i of arr, a column
// of type t: what AppendKey gives for the same value.
func AppendKeyAt(dst []byte, t types.T, arr arrow.Array, i int) ([]byte, error) {
	if arr.IsNull(i) {
		return append(dst, keyTagNull), nil
	}
	switch a := arr.(type) {
	case *array.Int64:
		if isIntKind(t) {
			return AppendIntKey(append(dst, keyTagValue), a.Value(i)), nil
		}
	case *array.Int32:
		if isIntKind(t) {
			return AppendIntKey(append(dst, keyTagValue), int64(a.Value(i))), nil
		}
	case *array.Int16:
		if isIntKind(t) {
			return AppendIntKey(append(dst, keyTagValue), int64(a.Value(i))), nil
		}
	case *array.Timestamp:
		if t.Kind == types.Timestamp || t.Kind == types.TimestampTZ {
			return AppendIntKey(append(dst, keyTagValue), int64(a.Value(i))), nil
		}
	case *array.Date32:
		if t.Kind == types.Date {
			return AppendIntKey(append(dst, keyTagValue), int64(a.Value(i))), nil
		}
	case *array.String:
		if isPlainText(t) {
			return appendBytesKey(append(dst, keyTagValue), a.Value(i)), nil
		}
	}
	return AppendKey(dst, t, types.DatumAt(t, arr, i), false)
}

func isIntKind(t types.T) bool {
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc, types.RegNamespace:
		return true
	}
	return false
}

// isPlainText reports the string types whose key and value are their bytes
// (char is trimmed in keys, numeric is parsed).
func isPlainText(t types.T) bool {
	switch t.Kind {
	case types.Text, types.Varchar, types.Name, types.JSONB, types.Unknown:
		return true
	}
	return false
}

// canonicalNumericText reports whether s is a numeric as
// types.AppendNumeric writes it: NaN, Infinity, -Infinity, or
// -?(0|[1-9][0-9]*)(.[0-9]+)? other than a negative zero. Such text is
// stored as it is; anything else is parsed and written out again.
func canonicalNumericText(s string) bool {
	switch s {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 1 && s[0] == '0' {
		return false
	}
	zero := i == 1 && s[0] == '0'
	if i < len(s) {
		if s[i] != '.' || i+1 == len(s) {
			return false
		}
		for j := i + 1; j < len(s); j++ {
			if s[j] < '0' || s[j] > '9' {
				return false
			}
			zero = zero && s[j] == '0'
		}
	}
	return !(neg && zero)
}

// BatchEncoder encodes the rows of Arrow columns in a RowCodec's value
// format.
type BatchEncoder struct {
	c *RowCodec
	// cols are the columns in ascending id order, each with what its fast
	// path reads.
	cols []encColumn
}

// Physical layouts with a fast path.
const (
	encGeneric = iota
	encInt64
	encInt32
	encInt16
	encTimestamp
	encDate
	encBool
	encFloat64
	encString
	encNumeric
)

type encColumn struct {
	t      types.T
	id     uint32
	wire   int
	kind   int
	arr    arrow.Array
	nulls  bool
	i64    []int64
	i32    []int32
	i16    []int16
	ts     []arrow.Timestamp
	date   []arrow.Date32
	f64    []float64
	bools  *array.Boolean
	str    *array.String
	header []byte // the header when the previous column in id order is present
}

// NewBatchEncoder returns an encoder of the rows of arrs, one array per
// column in the codec's column order.
func (c *RowCodec) NewBatchEncoder(arrs []arrow.Array) *BatchEncoder {
	e := &BatchEncoder{c: c, cols: make([]encColumn, len(c.byID))}
	prev := uint32(0)
	for j, k := range c.byID {
		col, arr := c.cols[k], arrs[k]
		wt, _ := wireTypeOf(col.Type)
		ec := encColumn{t: col.Type, id: col.ID, wire: wt, arr: arr, nulls: arr.NullN() > 0}
		ec.header = binary.AppendUvarint(nil, uint64(col.ID-prev)<<3|uint64(wt))
		prev = col.ID
		switch a := arr.(type) {
		case *array.Int64:
			if isIntKind(col.Type) {
				ec.kind, ec.i64 = encInt64, a.Int64Values()
			}
		case *array.Int32:
			if isIntKind(col.Type) {
				ec.kind, ec.i32 = encInt32, a.Int32Values()
			}
		case *array.Int16:
			if isIntKind(col.Type) {
				ec.kind, ec.i16 = encInt16, a.Int16Values()
			}
		case *array.Timestamp:
			if col.Type.Kind == types.Timestamp || col.Type.Kind == types.TimestampTZ {
				ec.kind, ec.ts = encTimestamp, a.TimestampValues()
			}
		case *array.Date32:
			if col.Type.Kind == types.Date {
				ec.kind, ec.date = encDate, a.Date32Values()
			}
		case *array.Boolean:
			if col.Type.Kind == types.Bool {
				ec.kind, ec.bools = encBool, a
			}
		case *array.Float64:
			if col.Type.Kind == types.Float8 {
				ec.kind, ec.f64 = encFloat64, a.Float64Values()
			}
		case *array.String:
			switch {
			case isPlainText(col.Type) || col.Type.Kind == types.Char:
				ec.kind, ec.str = encString, a
			case col.Type.Kind == types.Numeric:
				ec.kind, ec.str = encNumeric, a
			}
		}
		e.cols[j] = ec
	}
	return e
}

// AppendRow appends the encoding of row i to dst: what RowCodec.Encode
// gives for the row's values.
func (e *BatchEncoder) AppendRow(dst []byte, i int) ([]byte, error) {
	start := len(dst)
	prev := uint32(0)
	skipped := false
	for j := range e.cols {
		ec := &e.cols[j]
		if ec.nulls && ec.arr.IsNull(i) {
			skipped = true
			continue
		}
		if skipped {
			dst = binary.AppendUvarint(dst, uint64(ec.id-prev)<<3|uint64(ec.wire))
			skipped = false
		} else {
			dst = append(dst, ec.header...)
		}
		prev = ec.id
		switch ec.kind {
		case encInt64:
			dst = binary.AppendVarint(dst, ec.i64[i])
		case encInt32:
			dst = binary.AppendVarint(dst, int64(ec.i32[i]))
		case encInt16:
			dst = binary.AppendVarint(dst, int64(ec.i16[i]))
		case encTimestamp:
			dst = binary.AppendVarint(dst, int64(ec.ts[i]))
		case encDate:
			dst = binary.AppendVarint(dst, int64(ec.date[i]))
		case encBool:
			if ec.bools.Value(i) {
				dst = append(dst, 2) // zigzag(1)
			} else {
				dst = append(dst, 0)
			}
		case encFloat64:
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(ec.f64[i]))
		case encString:
			v := ec.str.Value(i)
			dst = append(binary.AppendUvarint(dst, uint64(len(v))), v...)
		case encNumeric:
			// A numeric's stored form is its canonical text, which its
			// Arrow column usually holds already.
			v := ec.str.Value(i)
			if canonicalNumericText(v) {
				dst = append(binary.AppendUvarint(dst, uint64(len(v))), v...)
				continue
			}
			var err error
			if dst, err = appendValue(dst, ec.t, types.DatumAt(ec.t, ec.arr, i)); err != nil {
				return dst[:start], err
			}
		default:
			var err error
			if dst, err = appendValue(dst, ec.t, types.DatumAt(ec.t, ec.arr, i)); err != nil {
				return dst[:start], err
			}
		}
	}
	return dst, nil
}

// EncodeBatch appends the chunks of the rows of cols (one array per
// column, each row with its diff) to out: what Encode gives for the same
// rows.
func (c *ChangeCodec) EncodeBatch(out [][]byte, cols []arrow.Array, n int, diffs []int8) ([][]byte, error) {
	enc := c.row.NewBatchEncoder(cols)
	perRow := 16
	for start := 0; start < n; start += ChunkRows {
		end := min(start+ChunkRows, n)
		chunk := binary.AppendUvarint(make([]byte, 0, perRow*(end-start)+16), uint64(end-start))
		for i := start; i < end; i++ {
			d := byte(1)
			if diffs[i] < 0 {
				d = 0
			}
			// The row goes straight into the chunk after two bytes for
			// its length, which most rows need; other lengths move it.
			at := len(chunk) + 1
			chunk = append(chunk, d, 0, 0)
			var err error
			if chunk, err = enc.AppendRow(chunk, i); err != nil {
				return nil, err
			}
			l := len(chunk) - at - 2
			switch {
			case l >= 1<<7 && l < 1<<14:
				chunk[at], chunk[at+1] = byte(l)|0x80, byte(l>>7)
			default:
				var hdr [binary.MaxVarintLen64]byte
				h := binary.PutUvarint(hdr[:], uint64(l))
				row := append([]byte(nil), chunk[at+2:]...)
				chunk = append(append(chunk[:at], hdr[:h]...), row...)
			}
		}
		perRow = max(perRow, len(chunk)/(end-start)+1)
		out = append(out, chunk)
	}
	return out, nil
}
