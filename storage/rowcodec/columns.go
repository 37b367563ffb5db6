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

// BatchEncoder encodes the rows of Arrow columns in a RowCodec's value
// format.
type BatchEncoder struct {
	c    *RowCodec
	arrs []arrow.Array
	// wire[k] is the wire type of column k.
	wire []int
}

// NewBatchEncoder returns an encoder of the rows of arrs, one array per
// column in the codec's column order.
func (c *RowCodec) NewBatchEncoder(arrs []arrow.Array) *BatchEncoder {
	e := &BatchEncoder{c: c, arrs: arrs, wire: make([]int, len(c.cols))}
	for k, col := range c.cols {
		e.wire[k], _ = wireTypeOf(col.Type)
	}
	return e
}

// AppendRow appends the encoding of row i to dst: what RowCodec.Encode
// gives for the row's values.
func (e *BatchEncoder) AppendRow(dst []byte, i int) ([]byte, error) {
	start := len(dst)
	prev := uint32(0)
	for _, k := range e.c.byID {
		arr := e.arrs[k]
		if arr.IsNull(i) {
			continue
		}
		col := e.c.cols[k]
		dst = binary.AppendUvarint(dst, uint64(col.ID-prev)<<3|uint64(e.wire[k]))
		prev = col.ID
		var err error
		if dst, err = appendValueAt(dst, col.Type, arr, i); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// appendValueAt appends the wire form of row i of arr, which is not NULL.
func appendValueAt(dst []byte, t types.T, arr arrow.Array, i int) ([]byte, error) {
	switch a := arr.(type) {
	case *array.Int64:
		if isIntKind(t) {
			return binary.AppendVarint(dst, a.Value(i)), nil
		}
	case *array.Int32:
		if isIntKind(t) {
			return binary.AppendVarint(dst, int64(a.Value(i))), nil
		}
	case *array.Int16:
		if isIntKind(t) {
			return binary.AppendVarint(dst, int64(a.Value(i))), nil
		}
	case *array.Timestamp:
		if t.Kind == types.Timestamp || t.Kind == types.TimestampTZ {
			return binary.AppendVarint(dst, int64(a.Value(i))), nil
		}
	case *array.Date32:
		if t.Kind == types.Date {
			return binary.AppendVarint(dst, int64(a.Value(i))), nil
		}
	case *array.Boolean:
		if t.Kind == types.Bool {
			if a.Value(i) {
				return append(dst, 2), nil // zigzag(1)
			}
			return append(dst, 0), nil
		}
	case *array.Float64:
		if t.Kind == types.Float8 {
			return binary.LittleEndian.AppendUint64(dst, math.Float64bits(a.Value(i))), nil
		}
	case *array.String:
		if isPlainText(t) || t.Kind == types.Char {
			v := a.Value(i)
			return append(binary.AppendUvarint(dst, uint64(len(v))), v...), nil
		}
	}
	return appendValue(dst, t, types.DatumAt(t, arr, i))
}

// EncodeBatch appends the chunks of the rows of cols (one array per
// column, each row with its diff) to out: what Encode gives for the same
// rows.
func (c *ChangeCodec) EncodeBatch(out [][]byte, cols []arrow.Array, n int, diffs []int8) ([][]byte, error) {
	enc := c.row.NewBatchEncoder(cols)
	var rowBuf []byte
	for start := 0; start < n; start += ChunkRows {
		end := min(start+ChunkRows, n)
		chunk := binary.AppendUvarint(make([]byte, 0, 64*(end-start)), uint64(end-start))
		for i := start; i < end; i++ {
			d := byte(1)
			if diffs[i] < 0 {
				d = 0
			}
			chunk = append(chunk, d)
			var err error
			if rowBuf, err = enc.AppendRow(rowBuf[:0], i); err != nil {
				return nil, err
			}
			chunk = binary.AppendUvarint(chunk, uint64(len(rowBuf)))
			chunk = append(chunk, rowBuf...)
		}
		out = append(out, chunk)
	}
	return out, nil
}
