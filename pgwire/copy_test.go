package pgwire

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

func TestCopyFromBinaryWithPgx(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	conn := connect(t, addr, pgx.QueryExecModeCacheStatement)
	rows := [][]any{{int64(1), "one"}, {int64(-2), "two\ttabs"}, {int64(3), nil}}
	n, err := conn.CopyFrom(testCtx(t), pgx.Identifier{"t"}, []string{"id", "label"}, pgx.CopyFromRows(rows))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("copied %d rows", n)
	}
	// The fake decoded pgx's binary COPY stream: the bytes came through intact.
	if got, want := string(eng.table("t")), "1\tone\n-2\ttwo\ttabs\n3\t\\N\n"; got != want {
		t.Fatalf("table holds %q, want %q", got, want)
	}
}

func TestCopyTextBothWays(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	conn := connect(t, addr, pgx.QueryExecModeCacheStatement)
	pc := conn.PgConn()
	data := "1\ta\n2\tb\n3\tc\n"
	tag, err := pc.CopyFrom(testCtx(t), strings.NewReader(data), "copy t2 from stdin")
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "COPY 3" || string(eng.table("t2")) != data {
		t.Fatalf("tag %q, table %q", tag, eng.table("t2"))
	}
	var out bytes.Buffer
	tag, err = pc.CopyTo(testCtx(t), &out, "copy t2 to stdout")
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "COPY 3" || out.String() != data {
		t.Fatalf("copy out: tag %q, data %q", tag, out.String())
	}
	// An empty table copies out nothing.
	out.Reset()
	if tag, err = pc.CopyTo(testCtx(t), &out, "copy empty to stdout"); err != nil || tag.String() != "COPY 0" || out.Len() != 0 {
		t.Fatalf("empty copy out: %q %q %v", tag, out.String(), err)
	}
}

type failingReader struct{ sent bool }

func (r *failingReader) Read(p []byte) (int, error) {
	if !r.sent {
		r.sent = true
		return copy(p, "1\tpartial\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestCopyFailAndRefusedCopy(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	conn := connect(t, addr, pgx.QueryExecModeCacheStatement)
	pc := conn.PgConn()
	_, err := pc.CopyFrom(testCtx(t), &failingReader{}, "copy t3 from stdin")
	pe := pgError(t, err)
	if pe.Code != "57014" || pe.Message != "COPY from stdin failed: disk on fire" {
		t.Fatalf("CopyFail: %s %q", pe.Code, pe.Message)
	}
	if len(eng.table("t3")) != 0 {
		t.Fatal("a failed copy stored data")
	}
	// The statement fails without reading: the client's data is dropped.
	_, err = pc.CopyFrom(testCtx(t), strings.NewReader(strings.Repeat("1\tx\n", 50000)), "copy t3 from stdin fail")
	if pe := pgError(t, err); pe.Code != "22P04" {
		t.Fatalf("refused copy: %v", err)
	}
	var v int32
	if err := conn.QueryRow(testCtx(t), "select 5").Scan(&v); err != nil || v != 5 {
		t.Fatalf("after failed copies: %v %v", v, err)
	}
}

func TestCopyInExtendedProtocol(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	// As libpq does: the Sync goes out before the data, and is ignored
	// while the copy runs; a second Sync follows CopyDone.
	c.send(&pgproto3.Parse{Query: "copy t4 from stdin"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{}, &pgproto3.Sync{})
	for _, want := range []string{"1", "2", "n", "G 0 [0 0]"} {
		if got := c.next(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	c.send(&pgproto3.CopyData{Data: []byte("1\ta\n")}, &pgproto3.Flush{}, &pgproto3.CopyData{Data: []byte("2\tb\n")},
		&pgproto3.CopyDone{}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{"C COPY 2", "Z I"}) {
		t.Fatalf("got %q", got)
	}
	if got := string(eng.table("t4")); got != "1\ta\n2\tb\n" {
		t.Fatalf("table %q", got)
	}
	c.send(&pgproto3.Parse{Query: "copy t4 to stdout"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	want := []string{"1", "2", "H 0 [0 0]", "d 1\ta\n", "d 2\tb\n", "c", "C COPY 2", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("copy out: got %q want %q", got, want)
	}
	// Binary COPY advertises the binary format for every column.
	c.send(&pgproto3.Query{String: "copy t5 from stdin binary"})
	if got := c.next(); got != "G 1 [1 1]" {
		t.Fatalf("binary CopyInResponse: %q", got)
	}
	c.send(&pgproto3.CopyFail{Message: "changed my mind"})
	if got := c.untilReady(); !equalStrings(got, []string{"E ERROR 57014 COPY from stdin failed: changed my mind", "Z I"}) {
		t.Fatalf("got %q", got)
	}
}

func TestCopyInProtocolViolations(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	// A well-formed message of the wrong kind fails the COPY only.
	c.send(&pgproto3.Query{String: "copy t6 from stdin"})
	if got := c.next(); got != "G 0 [0 0]" {
		t.Fatalf("got %q", got)
	}
	c.send(&pgproto3.CopyData{Data: []byte("1\tx\n")}, &pgproto3.Query{String: "select 1"})
	want := []string{"E ERROR 08P01 unexpected message type Query during COPY from stdin", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if len(eng.table("t6")) != 0 {
		t.Fatal("a failed copy stored data")
	}
	// A message that cannot be read ends the connection.
	c.send(&pgproto3.Query{String: "copy t6 from stdin"})
	if got := c.next(); got != "G 0 [0 0]" {
		t.Fatalf("got %q", got)
	}
	if _, err := c.conn.Write([]byte{'Y', 0, 0, 0, 4}); err != nil {
		t.Fatal(err)
	}
	got := c.untilClosed()
	if len(got) != 1 || !strings.HasPrefix(got[0], "E FATAL 08P01 invalid frontend message: unknown message type: Y") {
		t.Fatalf("got %q", got)
	}
	servesAnotherClient(t, addr)
}
