package pgwire

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// servesAnotherClient checks that the server still answers a new client.
func servesAnotherClient(t *testing.T, addr string) {
	t.Helper()
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "select 1"})
	if got := c.untilReady(); !equalStrings(got, []string{"T ?column?:23:0", "D 1", "C SELECT 1", "Z I"}) {
		t.Fatalf("second client: %q", got)
	}
}

// rawBytes starts a session and then writes bytes the protocol forbids;
// the server must answer FATAL with wantCode and close the connection.
func TestMalformedInputClosesOnlyThatConnection(t *testing.T) {
	cases := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"unknown message type", []byte{'Y', 0, 0, 0, 4}, "E FATAL 08P01 invalid frontend message: unknown message type: Y"},
		{"truncated Bind", []byte{'B', 0, 0, 0, 6, 0, 0}, "E FATAL 08P01 invalid frontend message"},
		{"length below four", []byte{'Q', 0, 0, 0, 2}, "E FATAL 08P01 invalid frontend message"},
		{"Parse without terminators", []byte{'P', 0, 0, 0, 7, 'a', 'b', 'c'}, "E FATAL 08P01 invalid frontend message"},
		{"oversized message", append([]byte{'Q', 0, 0, 0x10, 0}, make([]byte, 100)...), "E FATAL 08P01 message of 4092 bytes exceeds the maximum message size of 1024 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng := newFakeEngine()
			_, addr := startServer(t, Config{MaxMessageSize: 1024}, eng)
			c := startRaw(t, addr)
			if _, err := c.conn.Write(tc.bytes); err != nil {
				t.Fatal(err)
			}
			got := c.untilClosed()
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Fatalf("got %q, want one %q", got, tc.want)
			}
			waitFor(t, "session closed", func() bool { return eng.closed.Load() == eng.opened.Load() })
			servesAnotherClient(t, addr)
		})
	}
}

func TestBadStartupPackets(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	cases := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"length too small", []byte{0, 0, 0, 2}, "E FATAL 08P01 invalid length of startup packet: 2"},
		{"length too large", []byte{0, 1, 0, 0}, "E FATAL 08P01 invalid length of startup packet: 65536"},
		{"protocol 2", []byte{0, 0, 0, 9, 0, 2, 0, 0, 0}, "E FATAL 0A000 unsupported frontend protocol 2.0: server supports 3.0 to 3.0"},
		{"no terminator", []byte{0, 0, 0, 13, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0}, "E FATAL 08P01 invalid startup packet layout"},
		{"no user", []byte{0, 0, 0, 9, 0, 3, 0, 0, 0}, "E FATAL 28000 no PostgreSQL user name specified in startup packet"},
	}
	for _, tc := range cases {
		c := dialRaw(t, addr)
		if _, err := c.conn.Write(tc.bytes); err != nil {
			t.Fatal(err)
		}
		got := c.untilClosed()
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	servesAnotherClient(t, addr)
}

func TestNewerMinorProtocolIsNegotiated(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := dialRaw(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": "postgres", "_pq_.compression": "on"}})
	got := c.untilReady()
	if len(got) < 3 || got[0] != "*pgproto3.NegotiateProtocolVersion" || got[1] != "R ok" {
		t.Fatalf("got %q", got)
	}
}

func TestPanicsAreReportedAndTheConnectionGoesOn(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	for _, where := range []string{"split", "prepare", "execute", "next"} {
		c.send(&pgproto3.Query{String: "panic " + where})
		got := c.untilReady()
		if len(got) != 2 || !strings.HasPrefix(got[0], "E ERROR XX000 internal error: boom in ") || got[1] != "Z I" {
			t.Fatalf("panic in %s: %q", where, got)
		}
		c.send(&pgproto3.Query{String: "select 2"})
		if got := c.untilReady(); !equalStrings(got, []string{"T ?column?:23:0", "D 2", "C SELECT 1", "Z I"}) {
			t.Fatalf("after panic in %s: %q", where, got)
		}
	}
	// In the extended protocol, the rest up to Sync is skipped.
	c.send(&pgproto3.Parse{Query: "panic next"}, &pgproto3.Bind{}, &pgproto3.Execute{},
		&pgproto3.Parse{Name: "x", Query: "insert"}, &pgproto3.Sync{})
	got := c.untilReady()
	if len(got) != 4 || got[0] != "1" || got[1] != "2" || !strings.HasPrefix(got[2], "E ERROR XX000 internal error: boom in Next") {
		t.Fatalf("extended panic: %q", got)
	}
	c.send(&pgproto3.Parse{Query: "panic prepare"}, &pgproto3.Sync{}, &pgproto3.Query{String: "insert"})
	if got := c.untilReady(); len(got) != 2 || !strings.HasPrefix(got[0], "E ERROR XX000") {
		t.Fatalf("panic in Parse: %q", got)
	}
	if got := c.untilReady(); !equalStrings(got, []string{"C INSERT 0 1", "Z I"}) {
		t.Fatalf("after panic in Parse: %q", got)
	}
	servesAnotherClient(t, addr)
}

func TestTooManyConnections(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{MaxConnections: 1}, eng)
	first := connect(t, addr, pgx.QueryExecModeSimpleProtocol)
	_, err := connectErr(addr, "postgres", "")
	pe := pgError(t, err)
	if pe.Severity != "FATAL" || pe.Code != "53300" || pe.Message != "sorry, too many clients already" {
		t.Fatalf("got %s %s %q", pe.Severity, pe.Code, pe.Message)
	}
	first.Close(context.Background())
	// The slot is freed once the server has ended the first session.
	waitFor(t, "a free slot", func() bool {
		conn, err := connectErr(addr, "postgres", "")
		if err != nil {
			return false
		}
		conn.Close(context.Background())
		return true
	})
}

func TestLargeMessageBeforeAuthentication(t *testing.T) {
	_, addr := startServer(t, Config{Auth: AuthSCRAM}, scramEngine())
	c := dialRaw(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": "alice"}})
	if got := c.next(); got != "*pgproto3.AuthenticationSASL" {
		t.Fatalf("got %q", got)
	}
	// A SASL response claiming 1 MB: refused before it is read.
	if _, err := c.conn.Write([]byte{'p', 0, 0x10, 0, 4}); err != nil {
		t.Fatal(err)
	}
	got := c.untilClosed()
	if len(got) != 1 || got[0] != "E FATAL 08P01 message of 1048576 bytes exceeds the maximum message size of 65535 bytes" {
		t.Fatalf("got %q", got)
	}
	servesAnotherClientSCRAM(t, addr)
}

func servesAnotherClientSCRAM(t *testing.T, addr string) {
	t.Helper()
	conn, err := connectErr(addr, "alice", "password=wonderland")
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
}
