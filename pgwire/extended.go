package pgwire

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// duplicateCursor is SQLSTATE 42P03, a portal name already in use.
const duplicateCursor pgerror.Code = "42P03"

// statement is a prepared statement of the extended protocol.
type statement struct {
	name       string
	raw        RawStatement // nil for an empty query string
	prep       Prepared
	paramTypes []types.T
	columns    []Column
	posBase    int // characters of the Parse string before the statement
}

// portal is a bound statement, ready to execute or in the middle of it.
type portal struct {
	name    string
	stmt    *statement
	params  []types.Datum
	formats []int16 // one per result column
	stream  *rowStream
	// started: Execute has run the statement. done: its result is used up
	// (or failed). suspended: an Execute stopped at its row limit before.
	started, done, suspended bool
	// ctx is the context the statement runs in, from its first Execute
	// until the portal closes: a result suspended at a row limit goes on
	// in later Execute messages, with the plan made in the first. A
	// CancelRequest cancels it while an Execute of the portal runs.
	ctx    context.Context
	cancel context.CancelFunc
}

func (p *portal) running() bool { return p.stream != nil && !p.stream.closed }

func (p *portal) close() {
	if p.stream != nil {
		p.stream.close()
	}
	if p.cancel != nil {
		p.cancel()
	}
	p.done = true
}

func (c *conn) closePortal(name string) {
	if p, ok := c.portals[name]; ok {
		p.close()
		delete(c.portals, name)
	}
}

// extendedError reports an error of an extended-query message; the rest of
// the messages up to Sync are discarded.
func (c *conn) extendedError(err error, posBase int) {
	c.sendError(err, posBase)
	c.skipToSync = true
}

func stmtName(name string) string {
	if name == "" {
		return "unnamed prepared statement"
	}
	return "prepared statement " + strconv.Quote(name)
}

func (c *conn) parse(m *pgproto3.Parse) {
	ctx := c.beginQuery()
	defer c.endQuery()
	if m.Name == "" {
		delete(c.stmts, "")
	} else if _, ok := c.stmts[m.Name]; ok {
		c.extendedError(pgerror.Newf(pgerror.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name), 0)
		return
	}
	st := &statement{name: m.Name}
	raws, err := c.sess.Split(ctx, m.Query)
	if err != nil {
		c.extendedError(err, 0)
		return
	}
	switch len(raws) {
	case 0:
	case 1:
		st.raw = raws[0]
		st.posBase = charOffset(m.Query, raws[0].Offset())
		oids := append([]uint32(nil), m.ParameterOIDs...)
		p, err := c.sess.Prepare(ctx, raws[0], oids)
		if err != nil {
			c.extendedError(err, st.posBase)
			return
		}
		st.prep, st.paramTypes, st.columns = p, p.ParamTypes(), p.Columns()
		if _, isCopy := p.Copy(); isCopy {
			st.columns = nil
		}
	default:
		c.extendedError(pgerror.New(pgerror.Syntax, "cannot insert multiple commands into a prepared statement"), 0)
		return
	}
	c.stmts[m.Name] = st
	c.drainNotices()
	c.send(&pgproto3.ParseComplete{})
}

func (c *conn) bind(m *pgproto3.Bind) {
	st, ok := c.stmts[m.PreparedStatement]
	if !ok {
		c.extendedError(pgerror.Newf(pgerror.InvalidSQLStatementName, "%s does not exist", stmtName(m.PreparedStatement)), 0)
		return
	}
	if m.DestinationPortal == "" {
		c.closePortal("")
	} else if _, ok := c.portals[m.DestinationPortal]; ok {
		c.extendedError(pgerror.Newf(duplicateCursor, "cursor %q already exists", m.DestinationPortal), 0)
		return
	}
	if len(m.Parameters) != len(st.paramTypes) {
		c.extendedError(pgerror.Newf(pgerror.ProtocolViolation,
			"bind message supplies %d parameters, but %s requires %d",
			len(m.Parameters), stmtName(m.PreparedStatement), len(st.paramTypes)), 0)
		return
	}
	paramFormats, err := expandFormats(m.ParameterFormatCodes, len(m.Parameters), "parameter formats", "parameters")
	if err != nil {
		c.extendedError(err, 0)
		return
	}
	resultFormats, err := expandFormats(m.ResultFormatCodes, len(st.columns), "result formats", "columns")
	if err != nil {
		c.extendedError(err, 0)
		return
	}
	for i, f := range resultFormats {
		if f == binaryFormat && !types.BinaryOutputSupported(st.columns[i].Type) {
			c.extendedError(types.NoBinaryOutput(st.columns[i].Type), 0)
			return
		}
	}
	env := types.Env{Loc: c.timeZone()}
	params := make([]types.Datum, len(m.Parameters))
	for i, raw := range m.Parameters {
		if raw == nil {
			continue
		}
		params[i], err = decodeParam(st.paramTypes[i], paramFormats[i], raw, &env)
		if err != nil {
			e := pgerror.Flatten(err)
			if e.Code == pgerror.InvalidBinaryRepresentation {
				e = e.WithDetail(e.Message)
				e.Message = "incorrect binary data format in bind parameter " + strconv.Itoa(i+1)
			}
			c.extendedError(e, 0)
			return
		}
	}
	c.portals[m.DestinationPortal] = &portal{name: m.DestinationPortal, stmt: st, params: params, formats: resultFormats}
	c.send(&pgproto3.BindComplete{})
}

// expandFormats applies the protocol's rule for format codes: none means
// text for all, one applies to all, otherwise one per value.
func expandFormats(codes []int16, n int, what, of string) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	case n:
		copy(out, codes)
	default:
		return nil, pgerror.Newf(pgerror.ProtocolViolation, "bind message has %d %s but %d %s", len(codes), what, n, of)
	}
	for _, f := range out {
		if f != textFormat && f != binaryFormat {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return out, nil
}

// decodeParam reads one non-NULL parameter value in the given format.
func decodeParam(t types.T, format int16, raw []byte, env *types.Env) (types.Datum, error) {
	if format == binaryFormat {
		return types.DecodeBinary(t, raw)
	}
	if !utf8.Valid(raw) {
		return nil, types.InvalidUTF8()
	}
	s := string(raw)
	if t.Kind == types.Unknown {
		return s, nil
	}
	return types.ParseText(t, s, env)
}

func (c *conn) describe(m *pgproto3.Describe) {
	switch m.ObjectType {
	case 'S':
		st, ok := c.stmts[m.Name]
		if !ok {
			c.extendedError(pgerror.Newf(pgerror.InvalidSQLStatementName, "%s does not exist", stmtName(m.Name)), 0)
			return
		}
		oids := make([]uint32, len(st.paramTypes))
		for i, t := range st.paramTypes {
			oids[i] = t.Oid()
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		if st.columns == nil {
			c.send(&pgproto3.NoData{})
		} else {
			c.send(rowDescription(st.columns, nil))
		}
	case 'P':
		p, ok := c.portals[m.Name]
		if !ok {
			c.extendedError(pgerror.Newf(pgerror.InvalidCursorName, "portal %q does not exist", m.Name), 0)
			return
		}
		if p.stmt.columns == nil {
			c.send(&pgproto3.NoData{})
		} else {
			c.send(rowDescription(p.stmt.columns, p.formats))
		}
	default:
		c.extendedError(pgerror.Newf(pgerror.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType), 0)
	}
}

func (c *conn) execute(m *pgproto3.Execute) {
	p, ok := c.portals[m.Portal]
	if !ok {
		c.extendedError(pgerror.Newf(pgerror.InvalidCursorName, "portal %q does not exist", m.Portal), 0)
		return
	}
	st := p.stmt
	if st.raw == nil {
		c.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	if p.ctx == nil {
		p.ctx, p.cancel = context.WithCancel(c.ctx)
	}
	ctx := c.beginPortalQuery(p)
	defer c.endQuery()
	if p.done {
		if st.columns == nil {
			c.extendedError(pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "portal %q cannot be run", m.Portal), 0)
			return
		}
		// A finished query portal fetches nothing more.
		c.send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 0")})
		return
	}
	if spec, ok := st.prep.Copy(); ok {
		p.done = true
		if !c.runCopy(ctx, st.prep, p.params, spec, st.posBase) {
			c.skipToSync = true
		}
		return
	}
	if !p.started {
		p.started = true
		res, err := c.sess.Execute(ctx, st.prep, p.params, ExecOptions{})
		if err != nil {
			p.done = true
			c.extendedError(err, st.posBase)
			return
		}
		c.drainNotices()
		p.stream = &rowStream{cols: st.columns, formats: p.formats, res: res}
	}
	suspended, sent, err := c.sendRows(ctx, p.stream, int(m.MaxRows))
	if err != nil {
		p.close()
		c.extendedError(err, st.posBase)
		return
	}
	if suspended {
		p.suspended = true
		c.send(&pgproto3.PortalSuspended{})
		return
	}
	tag := p.stream.res.Tag()
	if p.suspended && strings.HasPrefix(tag, "SELECT ") {
		// After a suspension, each Execute reports its own rows.
		tag = "SELECT " + strconv.Itoa(sent)
	}
	p.close()
	c.drainNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

func (c *conn) closeMessage(m *pgproto3.Close) {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		c.closePortal(m.Name)
	default:
		c.extendedError(pgerror.Newf(pgerror.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType), 0)
		return
	}
	c.send(&pgproto3.CloseComplete{})
}

// sync ends an extended-query exchange.
func (c *conn) sync() {
	c.skipToSync = false
	c.sendReadyForQuery()
}
