package sql

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"slices"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/pgerror"
	"portalsdb/pgwire"

	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// copyOptions are the options of a COPY statement.
type copyOptions struct {
	format    string // text, csv or binary
	delimiter byte
	null      string
	header    bool
	quote     byte
	escape    byte
	// forceQuote lists the columns whose non-NULL values csv output
	// always quotes; forceQuoteAll is FORCE_QUOTE *.
	forceQuote    []string
	forceQuoteAll bool
}

func parseCopyOptions(opts []*pg.Node) (copyOptions, error) {
	o := copyOptions{format: "text"}
	delimSet, nullSet, quoteSet, escSet := false, false, false, false
	for _, n := range opts {
		de := n.GetDefElem()
		if de == nil {
			continue
		}
		v := ""
		if de.Arg != nil {
			v = constText(de.Arg)
		}
		switch strings.ToLower(de.Defname) {
		case "format":
			o.format = strings.ToLower(v)
		case "delimiter":
			if len(v) != 1 {
				return o, pgerror.New(pgerror.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
			}
			o.delimiter, delimSet = v[0], true
		case "null":
			o.null, nullSet = v, true
		case "header":
			o.header = de.Arg == nil || constBool(de.Arg) || strings.EqualFold(v, "true") || strings.EqualFold(v, "on") || v == "1"
		case "quote":
			if len(v) != 1 {
				return o, pgerror.New(pgerror.FeatureNotSupported, "COPY quote must be a single one-byte character")
			}
			o.quote, quoteSet = v[0], true
		case "escape":
			if len(v) != 1 {
				return o, pgerror.New(pgerror.FeatureNotSupported, "COPY escape must be a single one-byte character")
			}
			o.escape, escSet = v[0], true
		case "force_quote":
			if de.Arg.GetAStar() != nil {
				o.forceQuoteAll = true
			}
			for _, c := range de.Arg.GetList().GetItems() {
				o.forceQuote = append(o.forceQuote, strVal(c))
			}
		case "freeze", "encoding", "force_not_null", "force_null":
			// Accepted and ignored.
		default:
			return o, pgerror.Newf(pgerror.Syntax, "option %q not recognized", de.Defname)
		}
	}
	switch o.format {
	case "text":
		if !delimSet {
			o.delimiter = '\t'
		}
		if !nullSet {
			o.null = `\N`
		}
	case "csv":
		if !delimSet {
			o.delimiter = ','
		}
		if !quoteSet {
			o.quote = '"'
		}
		if !escSet {
			o.escape = o.quote
		}
	case "binary":
	default:
		return o, pgerror.Newf(pgerror.InvalidParameterValue, "COPY format %q not recognized", o.format)
	}
	return o, nil
}

func copyColumnNames(attlist []*pg.Node) []string {
	var out []string
	for _, a := range attlist {
		out = append(out, strVal(a))
	}
	return out
}

func (s *Session) prepareCopy(cs *pg.CopyStmt) (*pgwire.CopySpec, []pgwire.Column, error) {
	if cs.Filename != "" || cs.IsProgram {
		return nil, nil, pgerror.New(pgerror.FeatureNotSupported, "COPY to or from a file or program is not supported").
			WithHint("Use COPY ... FROM STDIN or TO STDOUT, or psql's \\copy.")
	}
	if cs.WhereClause != nil {
		return nil, nil, pgerror.Unsupportedf("COPY FROM with WHERE is not supported")
	}
	o, err := parseCopyOptions(cs.Options)
	if err != nil {
		return nil, nil, err
	}
	n := len(cs.Attlist)
	if cs.Relation != nil {
		t, _, err := s.catalogView(s.txn).lookupTable(cs.Relation.Schemaname, cs.Relation.Relname)
		if err != nil {
			return nil, nil, err
		}
		if t.Kind == catalog.KindSequence {
			dir := "from"
			if cs.IsFrom {
				dir = "to"
			}
			return nil, nil, pgerror.Newf(pgerror.WrongObjectType, "cannot copy %s sequence %q", dir, t.Name)
		}
		if n == 0 {
			n = len(t.Columns)
		}
	}
	if cs.Query != nil {
		bound, err := binder.New(s.catalogView(s.txn), nil).Bind(cs.Query)
		if err != nil {
			return nil, nil, err
		}
		n = len(bound.Columns)
	}
	return &pgwire.CopySpec{In: cs.IsFrom, Binary: o.format == "binary", Columns: n}, nil, nil
}

func (s *Session) execCopy(ctx context.Context, pr *prepared, cs *pg.CopyStmt, opts pgwire.ExecOptions) (pgwire.Result, error) {
	o, err := parseCopyOptions(cs.Options)
	if err != nil {
		return nil, s.fail(err)
	}
	t, implicit := s.txnFor()
	defer rollbackOnPanic(t, implicit)
	var n int64
	if cs.IsFrom {
		n, err = s.copyFrom(ctx, t, cs, o, opts.CopyIn)
	} else {
		n, err = s.copyTo(ctx, t, cs, o, opts.CopyOut)
	}
	if err := s.endStatement(t, implicit, err); err != nil {
		return nil, err
	}
	return &tagResult{tag: "COPY " + strconv.FormatInt(n, 10)}, nil
}

func (s *Session) copyFrom(ctx context.Context, t *txnState, cs *pg.CopyStmt, o copyOptions, in io.Reader) (int64, error) {
	if in == nil {
		return 0, pgerror.New(pgerror.FeatureNotSupported, "COPY FROM STDIN needs a client that sends data")
	}
	table := cs.Relation.Relname
	bound, err := binder.BindCopyFrom(s.catalogView(t), cs.Relation, copyColumnNames(cs.Attlist), func(ts []types.T) any {
		return &copySource{r: bufio.NewReaderSize(in, 1<<16), o: o, types: ts, env: s.evalCtx(t, nil).Env, table: table}
	})
	if err != nil {
		return 0, err
	}
	plan, ectx, cancel, err := s.startPlan(ctx, t, bound, nil, false)
	if err != nil {
		return 0, err
	}
	defer cancel()
	for {
		b, err := plan.Root.Next(ectx)
		if err != nil {
			plan.Root.Close()
			return 0, err
		}
		if b == nil {
			break
		}
	}
	plan.Root.Close()
	n := plan.Root.(exec.DML).Count()
	s.countRows(t, bound, n)
	return n, nil
}

// copySource is the set function that turns COPY data into batches.
type copySource struct {
	r     *bufio.Reader
	o     copyOptions
	types []types.T
	env   *types.Env
	table string
	line  int
	done  bool
	// binary format state
	headerRead bool
	// row and field are reused from row to row: the builders copy each
	// row's values, and decoding copies what it keeps of a field.
	row   []types.Datum
	field []byte
}

func (c *copySource) Start(*exec.Context, []types.Datum) (exec.RowIterator, error) { return c, nil }

func (c *copySource) Next(ctx *exec.Context) (*batch.Batch, error) {
	if c.done {
		return nil, nil
	}
	bs := batch.NewBuilders(c.types)
	for bs.Len() < ctx.BatchSize {
		var row []types.Datum
		var err error
		switch c.o.format {
		case "binary":
			row, err = c.binaryRow()
		case "csv":
			row, err = c.csvRow()
		default:
			row, err = c.textRow()
		}
		if err != nil {
			return nil, err
		}
		if row == nil {
			c.done = true
			break
		}
		bs.AppendRow(row)
	}
	if bs.Len() == 0 {
		return nil, nil
	}
	return bs.Build(), nil
}

func (c *copySource) copyError(err error, col int, raw string) error {
	e := pgerror.Flatten(err)
	where := "COPY " + c.table + ", line " + strconv.Itoa(c.line)
	if col >= 0 {
		where += ", column " + strconv.Itoa(col+1) + ": \"" + raw + "\""
	}
	if e.Detail == "" {
		return e.WithDetail(where)
	}
	return e.WithDetail(e.Detail + "\n" + where)
}

// readLine reads one line without its terminator; ok is false at the end.
func (c *copySource) readLine() (string, bool, error) {
	line, err := c.r.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, err
	}
	if err == io.EOF && line == "" {
		return "", false, nil
	}
	c.line++
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return line, true, nil
}

func (c *copySource) parseFields(fields []string, nulls []bool) ([]types.Datum, error) {
	if len(fields) > len(c.types) {
		return nil, c.copyError(pgerror.New(pgerror.BadCopyFileFormat, "extra data after last expected column"), -1, "")
	}
	if len(fields) < len(c.types) {
		return nil, c.copyError(pgerror.Newf(pgerror.BadCopyFileFormat, "missing data for column %d", len(fields)+1), -1, "")
	}
	row := make([]types.Datum, len(fields))
	for i, f := range fields {
		if nulls[i] {
			continue
		}
		d, err := types.ParseText(c.types[i], f, c.env)
		if err != nil {
			return nil, c.copyError(err, i, f)
		}
		row[i] = d
	}
	return row, nil
}

func (c *copySource) textRow() ([]types.Datum, error) {
	for {
		line, ok, err := c.readLine()
		if err != nil || !ok {
			return nil, err
		}
		if line == `\.` {
			return nil, nil
		}
		if c.o.header && c.line == 1 {
			continue
		}
		raw := strings.Split(line, string(c.o.delimiter))
		fields := make([]string, len(raw))
		nulls := make([]bool, len(raw))
		for i, f := range raw {
			if f == c.o.null {
				nulls[i] = true
				continue
			}
			v, err := unescapeCopyText(f)
			if err != nil {
				return nil, c.copyError(err, i, f)
			}
			fields[i] = v
		}
		return c.parseFields(fields, nulls)
	}
}

// unescapeCopyText undoes COPY's text-format backslash escapes.
func unescapeCopyText(f string) (string, error) {
	if strings.IndexByte(f, '\\') < 0 {
		return f, nil
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch != '\\' || i+1 >= len(f) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch n := f[i]; n {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			v := 0
			j := i + 1
			for ; j < len(f) && j < i+3 && isHex(f[j]); j++ {
				v = v*16 + hexVal(f[j])
			}
			if j == i+1 {
				b.WriteByte('x')
				continue
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			if n >= '0' && n <= '7' {
				v := 0
				j := i
				for ; j < len(f) && j < i+3 && f[j] >= '0' && f[j] <= '7'; j++ {
					v = v*8 + int(f[j]-'0')
				}
				b.WriteByte(byte(v))
				i = j - 1
				continue
			}
			b.WriteByte(n)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

func (c *copySource) csvRow() ([]types.Datum, error) {
	for {
		line, ok, err := c.readLine()
		if err != nil || !ok {
			return nil, err
		}
		if line == `\.` {
			return nil, nil
		}
		var fields []string
		var nulls []bool
		var cur strings.Builder
		quoted, inQuotes := false, false
		for {
			for i := 0; i < len(line); i++ {
				ch := line[i]
				switch {
				case inQuotes && ch == c.o.escape && i+1 < len(line) && line[i+1] == c.o.quote:
					cur.WriteByte(c.o.quote)
					i++
				case inQuotes && ch == c.o.quote:
					inQuotes = false
				case inQuotes:
					cur.WriteByte(ch)
				case ch == c.o.quote:
					inQuotes, quoted = true, true
				case ch == c.o.delimiter:
					f := cur.String()
					fields = append(fields, f)
					nulls = append(nulls, !quoted && f == c.o.null)
					cur.Reset()
					quoted = false
				default:
					cur.WriteByte(ch)
				}
			}
			if !inQuotes {
				break
			}
			// A quoted field continues on the next line.
			next, ok, err := c.readLine()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, c.copyError(pgerror.New(pgerror.BadCopyFileFormat, "unterminated CSV quoted field"), -1, "")
			}
			cur.WriteByte('\n')
			line = next
		}
		f := cur.String()
		fields = append(fields, f)
		nulls = append(nulls, !quoted && f == c.o.null)
		if c.o.header && c.line == 1 {
			continue
		}
		return c.parseFields(fields, nulls)
	}
}

var binarySignature = []byte("PGCOPY\n\xff\r\n\x00")

func (c *copySource) binaryRow() ([]types.Datum, error) {
	bad := func(msg string) error {
		return c.copyError(pgerror.New(pgerror.BadCopyFileFormat, msg), -1, "")
	}
	if !c.headerRead {
		hdr := make([]byte, len(binarySignature)+8)
		if _, err := io.ReadFull(c.r, hdr); err != nil {
			return nil, bad("COPY file signature not recognized")
		}
		if !bytes.Equal(hdr[:len(binarySignature)], binarySignature) {
			return nil, bad("COPY file signature not recognized")
		}
		ext := binary.BigEndian.Uint32(hdr[len(binarySignature)+4:])
		if _, err := io.CopyN(io.Discard, c.r, int64(ext)); err != nil {
			return nil, bad("invalid COPY file header (wrong length)")
		}
		c.headerRead = true
	}
	var cnt [2]byte
	if _, err := io.ReadFull(c.r, cnt[:]); err != nil {
		if err == io.EOF {
			return nil, nil // pgx leaves out the trailer
		}
		return nil, bad("unexpected EOF in COPY data")
	}
	c.line++
	n := int16(binary.BigEndian.Uint16(cnt[:]))
	if n == -1 {
		return nil, nil
	}
	if int(n) != len(c.types) {
		return nil, bad("row field count is " + strconv.Itoa(int(n)) + ", expected " + strconv.Itoa(len(c.types)))
	}
	if len(c.row) != int(n) {
		c.row = make([]types.Datum, n)
	}
	row := c.row
	var lenBuf [4]byte
	for i := range row {
		row[i] = nil
		if _, err := io.ReadFull(c.r, lenBuf[:]); err != nil {
			return nil, bad("unexpected EOF in COPY data")
		}
		l := int32(binary.BigEndian.Uint32(lenBuf[:]))
		if l == -1 {
			continue
		}
		if l < 0 {
			return nil, bad("invalid field size")
		}
		if cap(c.field) < int(l) {
			c.field = make([]byte, l, max(int(l), 256))
		}
		buf := c.field[:l]
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, bad("unexpected EOF in COPY data")
		}
		d, err := types.DecodeBinary(c.types[i], buf)
		if err != nil {
			return nil, c.copyError(err, i, "")
		}
		row[i] = d
	}
	return row, nil
}

func (s *Session) copyTo(ctx context.Context, t *txnState, cs *pg.CopyStmt, o copyOptions, out func([]byte) error) (int64, error) {
	if out == nil {
		return 0, pgerror.New(pgerror.FeatureNotSupported, "COPY TO STDOUT needs a client that reads data")
	}
	query := cs.Query
	if query == nil {
		sel := &pg.SelectStmt{FromClause: []*pg.Node{{Node: &pg.Node_RangeVar{RangeVar: cs.Relation}}}}
		if len(cs.Attlist) == 0 {
			sel.TargetList = []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_AStar{AStar: &pg.A_Star{}}}}}}}}}}}
		}
		for _, a := range cs.Attlist {
			sel.TargetList = append(sel.TargetList, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{a}}}}}}})
		}
		query = &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: sel}}
	}
	bound, err := binder.New(s.catalogView(t), nil).Bind(query)
	if err != nil {
		return 0, err
	}
	plan, ectx, cancel, err := s.startPlan(ctx, t, bound, nil, false)
	if err != nil {
		return 0, err
	}
	defer cancel()
	defer plan.Root.Close()
	ts := plan.Types
	env := ectx.Eval.Env
	forced := make([]bool, len(ts))
	for i, c := range bound.Columns {
		forced[i] = o.forceQuoteAll || slices.Contains(o.forceQuote, c.Name)
	}
	var buf []byte
	var n int64
	if o.format == "binary" {
		buf = append(buf, binarySignature...)
		buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	}
	if o.header && o.format != "binary" {
		for i, c := range bound.Columns {
			if i > 0 {
				buf = append(buf, o.delimiter)
			}
			buf = appendCopyField(buf, c.Name, o, false)
		}
		buf = append(buf, '\n')
	}
	for {
		b, err := plan.Root.Next(ectx)
		if err != nil {
			return 0, err
		}
		if b == nil {
			break
		}
		for r := 0; r < b.Len; r++ {
			if o.format == "binary" {
				buf = binary.BigEndian.AppendUint16(buf, uint16(len(ts)))
				for i, t := range ts {
					d := types.DatumAt(t, b.Cols[i], r)
					if d == nil {
						buf = append(buf, 0xff, 0xff, 0xff, 0xff)
						continue
					}
					at := len(buf)
					buf = append(buf, 0, 0, 0, 0)
					if buf, err = types.AppendBinary(buf, t, d); err != nil {
						return 0, err
					}
					binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
				}
			} else {
				for i, t := range ts {
					if i > 0 {
						buf = append(buf, o.delimiter)
					}
					d := types.DatumAt(t, b.Cols[i], r)
					if d == nil {
						buf = append(buf, o.null...)
						continue
					}
					buf = appendCopyField(buf, types.FormatText(t, d, env), o, forced[i])
				}
				buf = append(buf, '\n')
			}
			n++
			if len(buf) >= 1<<16 {
				if err := out(buf); err != nil {
					return 0, err
				}
				buf = buf[:0]
			}
		}
	}
	if o.format == "binary" {
		buf = append(buf, 0xff, 0xff)
	}
	if len(buf) > 0 {
		if err := out(buf); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// appendCopyField writes one value in COPY text or CSV format; force
// quotes a csv value that needs no quotes.
func appendCopyField(buf []byte, s string, o copyOptions, force bool) []byte {
	if o.format == "csv" {
		needs := force || s == "" && o.null == "" || strings.IndexByte(s, o.delimiter) >= 0 || strings.IndexByte(s, o.quote) >= 0 ||
			strings.ContainsAny(s, "\r\n") || s == o.null
		if !needs {
			return append(buf, s...)
		}
		buf = append(buf, o.quote)
		for i := 0; i < len(s); i++ {
			if s[i] == o.quote || s[i] == o.escape {
				buf = append(buf, o.escape)
			}
			buf = append(buf, s[i])
		}
		return append(buf, o.quote)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\v':
			buf = append(buf, '\\', 'v')
		default:
			if c == o.delimiter {
				buf = append(buf, '\\', c)
			} else {
				buf = append(buf, c)
			}
		}
	}
	return buf
}
