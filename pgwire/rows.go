package pgwire

import (
	"context"
	"encoding/binary"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
)

// The format codes of the protocol.
const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// rowStream is a Result being sent to the client as DataRows, possibly
// over several Execute messages of a portal.
type rowStream struct {
	cols    []Column
	formats []int16 // one per column
	res     Result
	batch   arrow.RecordBatch // the batch being sent; valid until res.Next
	row     int               // the next row of batch to send
	fields  []fieldWriter     // one per column, bound to batch
	closed  bool
}

func (s *rowStream) close() {
	if s.closed {
		return
	}
	s.closed = true
	s.batch = nil
	_ = s.res.Close()
}

// sendRows sends up to limit rows of s (all of them when limit is 0) and
// reports whether it stopped at the limit with rows possibly left. A
// statement without result columns has its result drained, limit or not.
func (c *conn) sendRows(ctx context.Context, s *rowStream, limit int) (suspended bool, sent int, err error) {
	for {
		if s.batch == nil || s.row >= int(s.batch.NumRows()) {
			if limit > 0 && sent >= limit && s.cols != nil {
				return true, sent, nil
			}
			if sr, ok := s.res.(StreamingResult); ok && sr.Streaming() {
				if err := c.flush(); err != nil {
					return false, sent, err
				}
			}
			b, err := s.res.Next(ctx)
			if errors.Is(err, io.EOF) {
				s.batch = nil
				return false, sent, nil
			}
			if err != nil {
				return false, sent, err
			}
			c.drainNotices()
			s.batch, s.row = b, 0
			if s.cols == nil {
				continue
			}
			if int(b.NumCols()) != len(s.cols) {
				return false, sent, pgerror.Internalf("result batch has %d columns, statement describes %d", b.NumCols(), len(s.cols))
			}
			if s.fields, err = bindFieldWriters(s.fields[:0], s.cols, s.formats, b, &c.env); err != nil {
				return false, sent, err
			}
		}
		if s.cols == nil {
			s.row = int(s.batch.NumRows())
			continue
		}
		n := int(s.batch.NumRows())
		for s.row < n {
			if limit > 0 && sent >= limit {
				return true, sent, nil
			}
			if err := c.appendDataRow(s.fields, s.row); err != nil {
				return false, sent, err
			}
			s.row++
			sent++
			if err := c.maybeFlush(); err != nil {
				return false, sent, err
			}
		}
	}
}

// appendDataRow encodes one DataRow straight into the output buffer.
func (c *conn) appendDataRow(fields []fieldWriter, row int) error {
	start := len(c.out)
	buf := append(c.out, 'D', 0, 0, 0, 0, byte(len(fields)>>8), byte(len(fields)))
	var err error
	for _, f := range fields {
		if buf, err = f.appendField(buf, row); err != nil {
			c.out = buf[:start]
			return err
		}
	}
	binary.BigEndian.PutUint32(buf[start+1:], uint32(len(buf)-start-1))
	c.out = buf
	c.outMark = len(buf)
	return nil
}

// rowDescription describes cols with their result formats (nil: text).
func rowDescription(cols []Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		f := textFormat
		if formats != nil {
			f = formats[i]
		}
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.AttrNum),
			DataTypeOID:          col.Type.Oid(),
			DataTypeSize:         col.Type.Len(),
			TypeModifier:         col.Type.TypeModifier(),
			Format:               f,
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}
