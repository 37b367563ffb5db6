package pgwire

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestBinaryOutputOfRecordRefused(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(&pgproto3.Parse{Query: "values record"}, &pgproto3.Bind{ResultFormatCodes: []int16{1}}, &pgproto3.Sync{})
	want := []string{"1", "E ERROR 42883 no binary output function available for type record", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q", got)
	}
}

func TestClientEncoding(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	if conn, err := connectErr(addr, "postgres", "client_encoding=UTF8"); err != nil {
		t.Fatal(err)
	} else {
		conn.Close(t.Context())
	}
	_, err := connectErr(addr, "postgres", "client_encoding=LATIN1")
	if pe := pgError(t, err); pe.Code != "0A000" || pe.Severity != "FATAL" {
		t.Fatalf("LATIN1: %v", pe)
	}
}
