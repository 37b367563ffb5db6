package exec

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/pgerror"
	"portalsdb/storage/rowcodec"
	"portalsdb/types"
)

func appendVarint(b []byte, v int64) []byte { return binary.AppendVarint(b, v) }

func readVarint(b []byte) (int64, error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, pgerror.New(pgerror.DataCorrupted, "exec: corrupt state value")
	}
	return v, nil
}

// rowState encodes rows of fixed column types as state values.
type rowState struct {
	types []types.T
	codec *rowcodec.RowCodec
}

func newRowState(ts []types.T) (*rowState, error) {
	cols := make([]rowcodec.Column, len(ts))
	for i, t := range ts {
		cols[i] = rowcodec.Column{ID: uint32(i + 1), Type: t}
	}
	c, err := rowcodec.NewRowCodec(cols)
	if err != nil {
		return nil, err
	}
	return &rowState{types: ts, codec: c}, nil
}

func (s *rowState) encode(dst []byte, row []types.Datum) ([]byte, error) {
	return s.codec.Encode(dst, row)
}

func (s *rowState) decode(b []byte) ([]types.Datum, error) {
	out := make([]types.Datum, len(s.types))
	if err := s.codec.Decode(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

// encodeCountedRow encodes a row with its multiplicity.
func (s *rowState) encodeCounted(count int64, row []types.Datum) ([]byte, error) {
	return s.encode(binary.AppendVarint(nil, count), row)
}

func (s *rowState) decodeCounted(b []byte) (int64, []types.Datum, error) {
	n, k := binary.Varint(b)
	if k <= 0 {
		return 0, nil, pgerror.New(pgerror.DataCorrupted, "exec: corrupt state row")
	}
	row, err := s.decode(b[k:])
	return n, row, err
}

// ResultBatchEncoder encodes result values for the rows of a batch without
// boxing them.
type ResultBatchEncoder struct{ enc *rowcodec.BatchEncoder }

// NewBatchEncoder returns an encoder of result values of the rows of cols.
func (c *ResultCodec) NewBatchEncoder(cols []arrow.Array) *ResultBatchEncoder {
	return &ResultBatchEncoder{enc: c.rows.codec.NewBatchEncoder(cols)}
}

// Encode appends the value of row i with multiplicity count to dst: what
// ResultCodec.Encode gives.
func (e *ResultBatchEncoder) Encode(dst []byte, count int64, i int) ([]byte, error) {
	return e.enc.AppendRow(binary.AppendVarint(dst, count), i)
}

// AppendResultKeyAt appends the result key of row i of cols (of types ts)
// to dst, which starts with the workflow's ResultPrefix: what ResultKey
// gives.
func AppendResultKeyAt(dst []byte, ts []types.T, cols []arrow.Array, i int) ([]byte, error) {
	for c, col := range cols {
		var err error
		if dst, err = rowcodec.AppendKeyAt(dst, ts[c], col, i); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// ResultCount reads the multiplicity of a result value without decoding
// its row.
func ResultCount(v []byte) (int64, error) {
	n, m := binary.Varint(v)
	if m <= 0 {
		return 0, pgerror.New(pgerror.DataCorrupted, "exec: corrupt workflow result")
	}
	return n, nil
}
