package pgwire

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// selfSignedTLS returns a server TLS config with a certificate for
// 127.0.0.1 made on the spot.
func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "portalsdb test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func connectErr(addr, user, extra string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, dsn(addr, user, extra))
}

func TestTLS(t *testing.T) {
	_, addr := startServer(t, Config{TLS: selfSignedTLS(t)}, newFakeEngine())
	host, port, _ := net.SplitHostPort(addr)
	conn, err := pgx.Connect(testCtx(t), "host="+host+" port="+port+" user=postgres sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatalf("connection is %T, not TLS", conn.PgConn().Conn())
	}
	var v int32
	if err := conn.QueryRow(testCtx(t), "select 9").Scan(&v); err != nil || v != 9 {
		t.Fatalf("over TLS: %v %v", v, err)
	}
	// Plain connections are still accepted.
	plain, err := connectErr(addr, "postgres", "")
	if err != nil {
		t.Fatal(err)
	}
	plain.Close(context.Background())
}

func TestNoTLSConfiguredAnswersN(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	host, port, _ := net.SplitHostPort(addr)
	if _, err := pgx.Connect(testCtx(t), "host="+host+" port="+port+" user=postgres sslmode=require"); err == nil {
		t.Fatal("sslmode=require connected to a server without TLS")
	}
	// prefer: the client asks, hears 'N', and goes on in plain text.
	conn, err := pgx.Connect(testCtx(t), "host="+host+" port="+port+" user=postgres sslmode=prefer")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, ok := conn.PgConn().Conn().(*tls.Conn); ok {
		t.Fatal("TLS without a TLS config")
	}
}

func TestGSSENCRequestAnsweredN(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	conn, err := connectErr(addr, "postgres", "gssencmode=prefer")
	if err != nil {
		// pgx without a GSS provider may refuse the option; the raw test
		// below covers the exchange.
		t.Logf("pgx: %v", err)
	} else {
		conn.Close(context.Background())
	}
	c := dialRaw(t, addr)
	if _, err := c.conn.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := c.conn.Read(b); err != nil || b[0] != 'N' {
		t.Fatalf("GSSENCRequest answered %q, %v", b, err)
	}
}

func scramEngine() *fakeEngine {
	eng := newFakeEngine()
	eng.setPassword("alice", "wonderland")
	eng.setPassword("bob", "builder")
	eng.mu.Lock()
	r := eng.roles["bob"]
	r.CanLogin = false
	eng.roles["bob"] = r
	eng.roles["nopass"] = RoleInfo{CanLogin: true}
	eng.mu.Unlock()
	return eng
}

func TestSCRAMWithPgx(t *testing.T) {
	eng := scramEngine()
	_, addr := startServer(t, Config{Auth: AuthSCRAM}, eng)
	conn, err := connectErr(addr, "alice", "password=wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if got := conn.PgConn().ParameterStatus("is_superuser"); got != "off" {
		t.Errorf("is_superuser = %q", got)
	}
	conn.Close(context.Background())

	cases := []struct{ user, password, code, message string }{
		{"alice", "wrong", "28P01", `password authentication failed for user "alice"`},
		{"ghost", "anything", "28P01", `password authentication failed for user "ghost"`},
		{"nopass", "", "28P01", `password authentication failed for user "nopass"`},
		{"nopass", "x", "28P01", `password authentication failed for user "nopass"`},
		{"bob", "builder", "28000", `role "bob" is not permitted to log in`},
	}
	for _, c := range cases {
		_, err := connectErr(addr, c.user, "password="+c.password)
		pe := pgError(t, err)
		if pe.Severity != "FATAL" || pe.Code != c.code || pe.Message != c.message {
			t.Errorf("%s/%s: got %s %s %q, want FATAL %s %q", c.user, c.password, pe.Severity, pe.Code, pe.Message, c.code, c.message)
		}
	}
	if eng.opened.Load() != 1 {
		t.Errorf("%d sessions opened, want 1", eng.opened.Load())
	}
}

func TestSCRAMOverTLS(t *testing.T) {
	_, addr := startServer(t, Config{Auth: AuthSCRAM, TLS: selfSignedTLS(t)}, scramEngine())
	host, port, _ := net.SplitHostPort(addr)
	base := "host=" + host + " port=" + port + " user=alice sslmode=require "
	// channel_binding=require: pgx must find SCRAM-SHA-256-PLUS offered,
	// bind to the certificate's hash, and verify the server's signature.
	for _, binding := range []string{"require", "disable"} {
		conn, err := pgx.Connect(testCtx(t), base+"password=wonderland channel_binding="+binding)
		if err != nil {
			t.Fatalf("channel_binding=%s: %v", binding, err)
		}
		conn.Close(context.Background())
	}
	_, err := pgx.Connect(testCtx(t), base+"password=wrong channel_binding=require")
	if pe := pgError(t, err); pe.Code != "28P01" {
		t.Fatalf("wrong password with binding: %v", pe)
	}
}

func TestNoChannelBindingWithoutTLS(t *testing.T) {
	_, addr := startServer(t, Config{Auth: AuthSCRAM}, scramEngine())
	if _, err := connectErr(addr, "alice", "password=wonderland channel_binding=require"); err == nil {
		t.Fatal("channel binding required, and granted without TLS")
	}
}

func TestTLSServerEndPointHash(t *testing.T) {
	cfg := selfSignedTLS(t)
	var chosen *tls.Certificate
	server := serverTLS(cfg, &chosen)
	cert, err := server.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil || chosen != cert || cert != &cfg.Certificates[0] {
		t.Fatalf("chosen %p, returned %p (%v), configured %p", chosen, cert, err, &cfg.Certificates[0])
	}
	// An ECDSA-SHA256 certificate binds with SHA-256 of its DER bytes.
	want := sha256.Sum256(cert.Certificate[0])
	if got := tlsServerEndPoint(cert); !bytes.Equal(got, want[:]) {
		t.Fatalf("tls-server-end-point = %x, want %x", got, want)
	}
}

func TestTrustChecksRoleAndSession(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	cases := []struct{ user, extra, code, message string }{
		{"ghost", "", "28000", `role "ghost" does not exist`},
		{"nologin", "", "28000", `role "nologin" is not permitted to log in`},
		{"postgres", "dbname=nosuchdb", "3D000", `database "nosuchdb" does not exist`},
	}
	for _, c := range cases {
		cfg, err := pgconn.ParseConfig(dsn(addr, c.user, ""))
		if err != nil {
			t.Fatal(err)
		}
		if c.extra != "" {
			cfg.Database = "nosuchdb"
		}
		_, err = pgconn.ConnectConfig(testCtx(t), cfg)
		pe := pgError(t, err)
		if pe.Severity != "FATAL" || pe.Code != c.code || pe.Message != c.message {
			t.Errorf("%s: got %s %s %q", c.user, pe.Severity, pe.Code, pe.Message)
		}
	}
}
