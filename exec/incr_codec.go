package exec

import (
	"encoding/binary"

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
