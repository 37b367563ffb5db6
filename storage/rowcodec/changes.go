package rowcodec

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// A change chunk is the value of an atom log entry: a run of row changes
// (insert or delete) of one relation. Its layout:
//
//	uvarint row count, then per row: one byte diff (1 insert, 0 delete),
//	uvarint length, and the row in this package's value encoding, with
//	column ids 1..n in the relation's column order.
//
// Chunks keep log entries few (one per up to ChunkRows rows) while each row
// stays decodable on its own.

// ChunkRows is the most rows EncodeChanges puts in one chunk.
const ChunkRows = 1024

// ChangeCodec encodes and decodes change chunks of one relation.
type ChangeCodec struct {
	types []types.T
	row   *RowCodec
	cols  []Column
}

// NewChangeCodec returns the codec for relations of the given column types.
func NewChangeCodec(ts []types.T) (*ChangeCodec, error) {
	cols := make([]Column, len(ts))
	for i, t := range ts {
		cols[i] = Column{ID: uint32(i + 1), Type: t}
	}
	rc, err := NewRowCodec(cols)
	if err != nil {
		return nil, err
	}
	return &ChangeCodec{types: ts, row: rc, cols: cols}, nil
}

// Encode appends the chunks of rows (each with its diff, +1 or -1) to out.
func (c *ChangeCodec) Encode(out [][]byte, rows [][]types.Datum, diffs []int8) ([][]byte, error) {
	var rowBuf []byte
	for start := 0; start < len(rows); start += ChunkRows {
		end := min(start+ChunkRows, len(rows))
		chunk := binary.AppendUvarint(nil, uint64(end-start))
		for i := start; i < end; i++ {
			d := byte(1)
			if diffs[i] < 0 {
				d = 0
			}
			chunk = append(chunk, d)
			var err error
			if rowBuf, err = c.row.Encode(rowBuf[:0], rows[i]); err != nil {
				return nil, err
			}
			chunk = binary.AppendUvarint(chunk, uint64(len(rowBuf)))
			chunk = append(chunk, rowBuf...)
		}
		out = append(out, chunk)
	}
	return out, nil
}

// ChunkLen returns the number of row changes in a chunk, from its header;
// for a generated chunk, the number of events it stands for.
func ChunkLen(chunk []byte) (int, error) {
	if g, ok, err := ParseGeneratedChunk(chunk); ok || err != nil {
		return g.Count, err
	}
	n, k := binary.Uvarint(chunk)
	if k <= 0 {
		return 0, pgerror.New(pgerror.DataCorrupted, "rowcodec: bad change chunk header")
	}
	return int(n), nil
}

// A generated chunk is the log entry of a generator stream's atom: instead
// of the events it names the generator's stream and the range of event
// numbers, since a generator's event i is a pure function of its arguments
// and i, and every reader materializes the events itself. Its layout:
//
//	byte 0 (a change chunk never holds zero rows, so its header is never
//	0), uvarint stream id, uvarint first event number, uvarint count.
//
// The stream id is the generator's, not the log's: a sequencer copies
// entries as they are, so a generated chunk in a sequencer's log still
// names the stream whose generator produces its events.

// GeneratedChunk is the content of a generated chunk.
type GeneratedChunk struct {
	// Stream is the object id of the generator's stream.
	Stream uint64
	// From is the number of the first event; Count the number of events.
	From  int64
	Count int
}

// generatedTag is a generated chunk's first byte.
const generatedTag = 0

// AppendGeneratedChunk appends the encoding of g to dst.
func AppendGeneratedChunk(dst []byte, g GeneratedChunk) []byte {
	dst = append(dst, generatedTag)
	dst = binary.AppendUvarint(dst, g.Stream)
	dst = binary.AppendUvarint(dst, uint64(g.From))
	return binary.AppendUvarint(dst, uint64(g.Count))
}

// ParseGeneratedChunk reports whether chunk is a generated chunk, and if
// so returns its content.
func ParseGeneratedChunk(chunk []byte) (GeneratedChunk, bool, error) {
	if len(chunk) == 0 || chunk[0] != generatedTag {
		return GeneratedChunk{}, false, nil
	}
	bad := pgerror.New(pgerror.DataCorrupted, "rowcodec: bad generated chunk")
	rest := chunk[1:]
	var vals [3]uint64
	for i := range vals {
		v, k := binary.Uvarint(rest)
		if k <= 0 {
			return GeneratedChunk{}, true, bad
		}
		vals[i], rest = v, rest[k:]
	}
	if len(rest) != 0 || vals[1] > 1<<62 || vals[2] == 0 || vals[2] > 1<<31 {
		return GeneratedChunk{}, true, bad
	}
	return GeneratedChunk{Stream: vals[0], From: int64(vals[1]), Count: int(vals[2])}, true, nil
}

// Decoder returns a decoder appending to builders of the relation's
// column types.
func (c *ChangeCodec) Decoder(builders []array.Builder) (*Decoder, error) {
	return NewDecoder(c.cols, builders)
}

// DecodeChunk appends a chunk's rows to the decoder's builders and their
// diffs to diffs.
//
// A generated chunk holds no rows to decode: its reader must materialize
// its events from the generator (see GeneratedChunk); DecodeChunk refuses
// it.
func DecodeChunk(d *Decoder, chunk []byte, diffs []int8) ([]int8, error) {
	n, k := binary.Uvarint(chunk)
	if k <= 0 {
		return diffs, pgerror.New(pgerror.DataCorrupted, "rowcodec: bad change chunk header")
	}
	if n == 0 {
		return diffs, pgerror.New(pgerror.DataCorrupted, "rowcodec: a generated chunk read as a change chunk")
	}
	chunk = chunk[k:]
	for i := uint64(0); i < n; i++ {
		if len(chunk) < 2 {
			return diffs, pgerror.New(pgerror.DataCorrupted, "rowcodec: truncated change chunk")
		}
		diff := int8(1)
		if chunk[0] == 0 {
			diff = -1
		}
		l, k := binary.Uvarint(chunk[1:])
		if k <= 0 || uint64(len(chunk)-1-k) < l {
			return diffs, pgerror.New(pgerror.DataCorrupted, "rowcodec: truncated change row")
		}
		row := chunk[1+k : 1+k+int(l)]
		if err := d.AppendRow(row); err != nil {
			return diffs, err
		}
		diffs = append(diffs, diff)
		chunk = chunk[1+k+int(l):]
	}
	return diffs, nil
}
