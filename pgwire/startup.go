package pgwire

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"portalsdb/pgerror"
	"portalsdb/sql/auth"
)

// The request codes of the packets a client may send before its startup
// message, and the protocol version this server speaks.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
	protocolMajor     = 3
	protocolMinor     = 0
	// maxStartupPacket is PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
	// maxAuthMessage bounds messages before authentication completes, as
	// PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH.
	maxAuthMessage = 65535
)

// startup runs the connection's first phase: encryption negotiation, the
// startup message, authentication and the session's creation, and ends
// with the first ReadyForQuery. It reports whether the connection goes on.
func (c *conn) startup() bool {
	params, ok := c.readStartup()
	if !ok {
		return false
	}
	c.user = params["user"]
	c.log = c.log.With("user", c.user)
	if c.srv.isClosing() {
		c.closeWithFatal(shuttingDownError())
		return false
	}
	if enc, ok := params["client_encoding"]; ok && !utf8Compatible(enc) {
		c.closeWithFatal(pgerror.Newf(pgerror.FeatureNotSupported,
			"client_encoding %q is not supported: portalsdb speaks UTF8 only", enc))
		return false
	}

	// From here on, the socket is read through the connReader.
	rd := newConnReader(c.nc, readAhead, c.cancel)
	c.mu.Lock()
	c.rd = rd
	c.mu.Unlock()
	if c.interrupted.Load() {
		rd.interrupt()
	}
	c.be = pgproto3.NewBackend(rd, nil)
	// Until the client is authenticated, its messages are small SASL
	// tokens: do not let it make the server allocate a large buffer.
	c.be.SetMaxBodyLen(min(maxAuthMessage, c.srv.cfg.MaxMessageSize))

	if !c.srv.admitSession(c) {
		c.closeWithFatal(pgerror.New(pgerror.TooManyConnections, "sorry, too many clients already"))
		return false
	}
	role, err := c.authenticate()
	if err != nil {
		c.srv.releaseSession(c)
		var gone *clientGoneError
		if !errors.As(err, &gone) {
			c.closeWithFatal(pgerror.Flatten(err))
		}
		return false
	}
	c.be.SetMaxBodyLen(c.srv.cfg.MaxMessageSize)
	if err := c.openSession(params, role); err != nil {
		c.closeWithFatal(pgerror.Flatten(err))
		return false
	}
	return c.flush() == nil
}

// utf8Compatible reports whether a client_encoding needs no conversion of
// the UTF-8 text this server sends. SQL_ASCII is what libpq asks for in
// the C locale; it takes bytes as they come.
func utf8Compatible(enc string) bool {
	switch strings.ToUpper(strings.ReplaceAll(enc, "-", "")) {
	case "UTF8", "UNICODE", "SQL_ASCII", "SQLASCII", "AUTO":
		return true
	}
	return false
}

// readStartup reads the packets before the startup message (SSLRequest,
// GSSENCRequest, CancelRequest) and the startup message itself, straight
// from the socket and without reading ahead: bytes after an SSLRequest
// belong to the TLS handshake.
func (c *conn) readStartup() (map[string]string, bool) {
	encrypted := false
	for {
		body, err := readStartupPacket(c.nc)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				c.log.Warn("pgwire: bad startup packet", "err", err)
				c.closeWithFatal(pgerror.Newf(pgerror.ProtocolViolation, "%v", err))
			}
			return nil, false
		}
		code := binary.BigEndian.Uint32(body)
		switch code {
		case sslRequestCode:
			if encrypted {
				c.closeWithFatal(pgerror.New(pgerror.ProtocolViolation, "SSLRequest on an encrypted connection"))
				return nil, false
			}
			if c.srv.cfg.TLS == nil {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return nil, false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return nil, false
			}
			var cert *tls.Certificate
			tc := tls.Server(c.nc, serverTLS(c.srv.cfg.TLS, &cert))
			if err := tc.HandshakeContext(c.ctx); err != nil {
				c.log.Warn("pgwire: TLS handshake failed", "err", err)
				return nil, false
			}
			c.nc = tc
			c.channelBinding = tlsServerEndPoint(cert)
			encrypted = true
		case gssEncRequestCode:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return nil, false
			}
		case cancelRequestCode:
			var req pgproto3.CancelRequest
			if err := req.Decode(body); err != nil {
				c.log.Warn("pgwire: bad cancel request", "err", err)
				return nil, false
			}
			c.srv.cancel(req.ProcessID, req.SecretKey)
			return nil, false
		default:
			params, err := c.startupMessage(code, body[4:])
			if err != nil {
				c.closeWithFatal(pgerror.Flatten(err))
				return nil, false
			}
			return params, true
		}
	}
}

func readStartupPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < 8 || n > maxStartupPacket {
		return nil, fmt.Errorf("invalid length of startup packet: %d", n)
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// startupMessage checks the protocol version and reads the parameters.
// A client asking for a newer minor version or for protocol options
// ("_pq_.*") is told, with NegotiateProtocolVersion, that this server
// speaks 3.0 without options, and goes on with that.
func (c *conn) startupMessage(version uint32, body []byte) (map[string]string, error) {
	major, minor := version>>16, version&0xffff
	if major != protocolMajor {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported,
			"unsupported frontend protocol %d.%d: server supports %d.0 to %d.%d",
			major, minor, protocolMajor, protocolMajor, protocolMinor)
	}
	params := map[string]string{}
	var unrecognized []string
	for len(body) > 0 && body[0] != 0 {
		key, rest, ok := bytes.Cut(body, []byte{0})
		if !ok {
			return nil, pgerror.New(pgerror.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		value, rest, ok := bytes.Cut(rest, []byte{0})
		if !ok {
			return nil, pgerror.New(pgerror.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		if strings.HasPrefix(string(key), "_pq_.") {
			unrecognized = append(unrecognized, string(key))
		} else {
			params[string(key)] = string(value)
		}
		body = rest
	}
	if len(body) != 1 {
		return nil, pgerror.New(pgerror.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
	}
	if minor > protocolMinor || len(unrecognized) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: protocolMinor, UnrecognizedOptions: unrecognized})
	}
	if params["user"] == "" {
		return nil, pgerror.New(pgerror.InvalidAuthorizationSpecification, "no PostgreSQL user name specified in startup packet")
	}
	if params["database"] == "" {
		params["database"] = params["user"]
	}
	return params, nil
}

// authenticate checks the client's credentials with the configured method
// and sends AuthenticationOk.
func (c *conn) authenticate() (RoleInfo, error) {
	role, exists := c.srv.eng.Role(c.user)
	switch c.srv.cfg.Auth {
	case AuthTrust:
		if !exists {
			c.log.Warn("pgwire: authentication failed: no such role")
			return role, pgerror.Newf(pgerror.InvalidAuthorizationSpecification, "role %q does not exist", c.user)
		}
	case AuthSCRAM:
		if err := c.scram(role, exists); err != nil {
			return role, err
		}
	default:
		return role, pgerror.Newf(pgerror.ConfigFileError, "unknown authentication method %q", c.srv.cfg.Auth)
	}
	if !role.CanLogin {
		c.log.Warn("pgwire: authentication failed: role may not log in")
		return role, pgerror.Newf(pgerror.InvalidAuthorizationSpecification, "role %q is not permitted to log in", c.user)
	}
	c.send(&pgproto3.AuthenticationOk{})
	return role, nil
}

// scram runs the SCRAM-SHA-256 exchange. A role that does not exist or has
// no usable secret goes through the same exchange against a made-up secret
// and fails at its end, so the client cannot tell it from a wrong password.
func (c *conn) scram(role RoleInfo, exists bool) error {
	var x *auth.Exchange
	reason := "wrong password"
	switch {
	case !exists:
		reason = "no such role"
	case role.SCRAMSecret == "":
		reason = "role has no password"
	default:
		secret, err := auth.ParseSCRAMSecret(role.SCRAMSecret)
		if err != nil {
			reason = "role's secret is not a SCRAM-SHA-256 secret"
		} else {
			x = auth.NewExchange(secret)
		}
	}
	if x == nil {
		x = auth.NewMockExchange(c.user, c.srv.mockKey)
	}
	if c.channelBinding != nil {
		x.OfferChannelBinding(c.channelBinding)
	}
	failed := func() error {
		c.log.Warn("pgwire: authentication failed", "method", "scram-sha-256", "reason", reason)
		return pgerror.Newf(pgerror.InvalidPassword, "password authentication failed for user %q", c.user)
	}

	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: x.Mechanisms()})
	if err := c.flush(); err != nil {
		return err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeSASL)
	msg, err := c.be.Receive()
	if err != nil {
		return c.authReadError(err)
	}
	initial, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return pgerror.Newf(pgerror.ProtocolViolation, "expected SASL response, got %s", msgName(msg))
	}
	if err := x.SelectMechanism(initial.AuthMechanism); err != nil {
		return err
	}
	serverFirst, err := x.ServerFirst(initial.Data)
	if err != nil {
		return err
	}
	c.send(&pgproto3.AuthenticationSASLContinue{Data: serverFirst})
	if err := c.flush(); err != nil {
		return err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeSASLContinue)
	msg, err = c.be.Receive()
	if err != nil {
		return c.authReadError(err)
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return pgerror.Newf(pgerror.ProtocolViolation, "expected SASL response, got %s", msgName(msg))
	}
	serverFinal, err := x.ServerFinal(resp.Data)
	if errors.Is(err, auth.ErrAuthFailed) {
		return failed()
	}
	if err != nil {
		return err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeOk)
	c.send(&pgproto3.AuthenticationSASLFinal{Data: serverFinal})
	return nil
}

func (c *conn) authReadError(err error) error {
	var gone *clientGoneError
	if errors.As(err, &gone) {
		return err
	}
	if e := tooLargeError(err); e != nil {
		return e
	}
	return pgerror.Newf(pgerror.ProtocolViolation, "invalid authentication message: %v", err)
}

// openSession creates the session and reports the connection's parameters,
// its cancel key and the first ReadyForQuery.
func (c *conn) openSession(params map[string]string, role RoleInfo) error {
	sess, err := c.srv.eng.NewSession(c.ctx, c.user, params, notifier{c})
	if err != nil {
		return err
	}
	c.sess = sess
	superuser := "off"
	if role.Superuser {
		superuser = "on"
	}
	report := map[string]string{
		"application_name":              params["application_name"],
		"client_encoding":               "UTF8",
		"DateStyle":                     "ISO, MDY",
		"default_transaction_read_only": "off",
		"in_hot_standby":                "off",
		"integer_datetimes":             "on",
		"IntervalStyle":                 "postgres",
		"is_superuser":                  superuser,
		"server_encoding":               "UTF8",
		"server_version":                c.srv.cfg.ServerVersion,
		"session_authorization":         c.user,
		"standard_conforming_strings":   "on",
		"TimeZone":                      c.timeZone().String(),
	}
	// What the session reported while it was being made wins.
	c.mu.Lock()
	for _, p := range c.paramsPending {
		report[p.name] = p.value
	}
	c.paramsPending = nil
	c.mu.Unlock()
	names := make([]string, 0, len(report))
	for name := range report {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c.send(&pgproto3.ParameterStatus{Name: name, Value: report[name]})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.sendReadyForQuery()
	return nil
}
