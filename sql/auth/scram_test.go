package auth

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"portalsdb/pgerror"
)

// The example exchange of RFC 7677, section 3: user "user", password
// "pencil".
const (
	rfcClientFirst  = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcServerNonce  = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	rfcSalt         = "W22ZaJ0SNY7soEsUEjb6gQ=="
	rfcServerFirst  = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal  = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal  = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
	rfcPassword     = "pencil"
	rfcIterations   = 4096
	rfcWrongProofed = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
)

func rfcSecret(t *testing.T) Secret {
	t.Helper()
	salt, _ := base64.StdEncoding.DecodeString(rfcSalt)
	s, err := NewSecret(rfcPassword, salt, rfcIterations)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExchangeRFC7677(t *testing.T) {
	x := NewExchange(rfcSecret(t))
	x.serverNonce = rfcServerNonce
	first, err := x.ServerFirst([]byte(rfcClientFirst))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != rfcServerFirst {
		t.Fatalf("server-first = %q, want %q", first, rfcServerFirst)
	}
	final, err := x.ServerFinal([]byte(rfcClientFinal))
	if err != nil {
		t.Fatal(err)
	}
	if string(final) != rfcServerFinal {
		t.Fatalf("server-final = %q, want %q", final, rfcServerFinal)
	}
}

func TestExchangeWrongProof(t *testing.T) {
	x := NewExchange(rfcSecret(t))
	x.serverNonce = rfcServerNonce
	if _, err := x.ServerFirst([]byte(rfcClientFirst)); err != nil {
		t.Fatal(err)
	}
	_, err := x.ServerFinal([]byte(rfcWrongProofed))
	if !errors.Is(err, ErrAuthFailed) || pgerror.CodeOf(err) != pgerror.InvalidPassword {
		t.Fatalf("err = %v, want ErrAuthFailed (28P01)", err)
	}
}

func TestMockExchangeFailsEvenWithRightProof(t *testing.T) {
	// A mock exchange must never succeed; give it the real secret's proof
	// and a secret that would match, and it still fails.
	x := NewExchange(rfcSecret(t))
	x.mock = true
	x.serverNonce = rfcServerNonce
	if _, err := x.ServerFirst([]byte(rfcClientFirst)); err != nil {
		t.Fatal(err)
	}
	if _, err := x.ServerFinal([]byte(rfcClientFinal)); !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("mock exchange: err = %v, want ErrAuthFailed", err)
	}
}

func TestMockSecretSaltIsStablePerUser(t *testing.T) {
	key := []byte("server key")
	a1, a2, b := MockSecret("alice", key), MockSecret("alice", key), MockSecret("bob", key)
	if string(a1.Salt) != string(a2.Salt) {
		t.Fatal("mock salt differs between two attempts for the same user")
	}
	if string(a1.Salt) == string(b.Salt) {
		t.Fatal("mock salt is the same for two users")
	}
	if len(a1.Salt) != saltLen {
		t.Fatalf("mock salt length %d", len(a1.Salt))
	}
}

func TestExchangeRejectsMalformed(t *testing.T) {
	cases := []struct {
		name, first, final string
		code               pgerror.Code
	}{
		{"no gs2 header", "garbage", "", pgerror.ProtocolViolation},
		{"channel binding requested", "p=tls-server-end-point,,n=,r=abc", "", pgerror.ProtocolViolation},
		{"authzid", "n,a=bob,n=,r=abc", "", pgerror.FeatureNotSupported},
		{"mandatory extension", "n,,m=ext,n=,r=abc", "", pgerror.FeatureNotSupported},
		{"no nonce", "n,,n=,x=abc", "", pgerror.ProtocolViolation},
		{"nonce with comma-free junk", "n,,n=,r=ab c", "", pgerror.ProtocolViolation},
		{"final without proof", rfcClientFirst, "c=biws,r=" + strings.TrimPrefix(rfcServerFirst, "r="), pgerror.ProtocolViolation},
		{"final with other nonce", rfcClientFirst, "c=biws,r=other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", pgerror.ProtocolViolation},
		{"final with other binding", rfcClientFirst, "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", pgerror.ProtocolViolation},
		{"short proof", rfcClientFirst, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA", pgerror.ProtocolViolation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := NewExchange(rfcSecret(t))
			x.serverNonce = rfcServerNonce
			_, err := x.ServerFirst([]byte(c.first))
			if c.final != "" {
				if err != nil {
					t.Fatalf("client-first: %v", err)
				}
				_, err = x.ServerFinal([]byte(c.final))
			}
			if err == nil || pgerror.CodeOf(err) != c.code {
				t.Fatalf("err = %v (%s), want code %s", err, pgerror.CodeOf(err), c.code)
			}
		})
	}
}

func TestExchangeStepsOutOfOrder(t *testing.T) {
	x := NewExchange(rfcSecret(t))
	if _, err := x.ServerFinal([]byte(rfcClientFinal)); pgerror.CodeOf(err) != pgerror.ProtocolViolation {
		t.Fatalf("final before first: %v", err)
	}
}

func TestSCRAMSecretRoundTrip(t *testing.T) {
	stored, err := SCRAMSecret("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "SCRAM-SHA-256$4096:") {
		t.Fatalf("stored form %q", stored)
	}
	s, err := ParseSCRAMSecret(stored)
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != stored {
		t.Fatalf("String() = %q, want %q", s.String(), stored)
	}
	if len(s.Salt) != saltLen || s.Iterations != DefaultIterations {
		t.Fatalf("salt %d bytes, %d iterations", len(s.Salt), s.Iterations)
	}
	if !s.VerifyPassword("s3cret") || s.VerifyPassword("s3creT") {
		t.Fatal("VerifyPassword does not tell the right password from a wrong one")
	}
	other, _ := SCRAMSecret("s3cret")
	if other == stored {
		t.Fatal("two secrets of one password share a salt")
	}
}

// A secret written by PostgreSQL 15 (CREATE ROLE ... PASSWORD 'portals'),
// copied from pg_authid.rolpassword.
const postgresSecret = "SCRAM-SHA-256$4096:Da42UNQwJkKZM5Qkk8aMfg==$SbBsXnrHvWJI71SrVZ4iueuYMFkmjAh2WJASq5v2mFQ=:PptW9cY5Qqo1eASUefWiC5OIWXSGC4uoUr9SgBwnG5U="

func TestPostgresSecretVerifies(t *testing.T) {
	s, err := ParseSCRAMSecret(postgresSecret)
	if err != nil {
		t.Fatal(err)
	}
	if !s.VerifyPassword("portals") {
		t.Fatal("secret made by PostgreSQL does not verify its password")
	}
	if s.VerifyPassword("portal") {
		t.Fatal("secret made by PostgreSQL verifies a wrong password")
	}
}

func TestParseSCRAMSecretRejects(t *testing.T) {
	for _, s := range []string{
		"",
		"md5a3556571e93b0d20722ba62be61e8c2d",
		"SCRAM-SHA-256$x:c2FsdA==$" + strings.Repeat("A", 43) + "=:" + strings.Repeat("A", 43) + "=",
		"SCRAM-SHA-256$4096:c2FsdA==$c2hvcnQ=:c2hvcnQ=",
		"SCRAM-SHA-256$4096:$" + strings.Repeat("A", 43) + "=:" + strings.Repeat("A", 43) + "=",
		"SCRAM-SHA-256$4096:c2FsdA==",
	} {
		if _, err := ParseSCRAMSecret(s); err == nil {
			t.Errorf("ParseSCRAMSecret(%q) succeeded", s)
		}
	}
}

func TestSASLprep(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"ctl\x01ascii", "ctl\x01ascii"},           // ASCII is never changed
		{"a\u00a0b", "a b"},                        // non-ASCII space maps to space
		{"a\u00adb", "ab"},                         // soft hyphen maps to nothing
		{"caf\u00e9", "caf\u00e9"},                 // unchanged letters
		{"bad\u0080\u00e9", "bad\u0080\u00e9"},     // prohibited: the input is used as is
		{"\xff\xfe not utf8", "\xff\xfe not utf8"}, // invalid UTF-8: as is
	}
	for _, c := range cases {
		if got := saslPrep(c.in); got != c.want {
			t.Errorf("saslPrep(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// clientFinal plays the client's side: it computes the proof for password
// over the exchange so far.
func clientFinal(t *testing.T, password string, x *Exchange, clientFirstBare, serverFirst, cbind string) string {
	t.Helper()
	attrs := strings.Split(serverFirst, ",")
	nonce := strings.TrimPrefix(attrs[0], "r=")
	salt, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(attrs[1], "s="))
	s, err := NewSecret(password, salt, DefaultIterations)
	if err != nil {
		t.Fatal(err)
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(cbind)) + ",r=" + nonce
	authMessage := clientFirstBare + "," + serverFirst + "," + withoutProof
	// ClientKey = StoredKey's preimage: recompute it from the password.
	salted, _ := pbkdf2Key(password, salt)
	clientKey := hmacSHA256(salted, "Client Key")
	sig := hmacSHA256(s.StoredKey, authMessage)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)
}

func TestExchangeWithChannelBinding(t *testing.T) {
	secret, err := NewSecret("pw", []byte("0123456789abcdef"), DefaultIterations)
	if err != nil {
		t.Fatal(err)
	}
	binding := []byte("certificate hash")
	const bare = "n=,r=clientnonce"

	x := NewExchange(secret)
	x.OfferChannelBinding(binding)
	if got := x.Mechanisms(); len(got) != 2 || got[0] != MechanismPlus {
		t.Fatalf("Mechanisms() = %q", got)
	}
	if err := x.SelectMechanism(MechanismPlus); err != nil {
		t.Fatal(err)
	}
	header := "p=tls-server-end-point,,"
	first, err := x.ServerFirst([]byte(header + bare))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.ServerFinal([]byte(clientFinal(t, "pw", x, bare, string(first), header+string(binding)))); err != nil {
		t.Fatalf("bound exchange failed: %v", err)
	}

	// The same proof bound to another certificate fails.
	x = NewExchange(secret)
	x.OfferChannelBinding(binding)
	_ = x.SelectMechanism(MechanismPlus)
	first, _ = x.ServerFirst([]byte(header + bare))
	_, err = x.ServerFinal([]byte(clientFinal(t, "pw", x, bare, string(first), header+"other certificate")))
	if pgerror.CodeOf(err) != pgerror.ProtocolViolation {
		t.Fatalf("wrong binding data: %v", err)
	}

	cases := []struct {
		name, mechanism, first string
	}{
		{"PLUS without binding data", MechanismPlus, "n,," + bare},
		{"downgrade: client could bind", Mechanism, "y,," + bare},
		{"binding data without PLUS", Mechanism, header + bare},
	}
	for _, c := range cases {
		x := NewExchange(secret)
		x.OfferChannelBinding(binding)
		if err := x.SelectMechanism(c.mechanism); err != nil {
			t.Fatal(err)
		}
		if _, err := x.ServerFirst([]byte(c.first)); pgerror.CodeOf(err) != pgerror.ProtocolViolation {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	// Without an offer, -PLUS cannot be selected.
	if err := NewExchange(secret).SelectMechanism(MechanismPlus); err == nil {
		t.Error("selected SCRAM-SHA-256-PLUS that was not offered")
	}
}

func pbkdf2Key(password string, salt []byte) ([]byte, error) {
	return pbkdf2.Key(sha256.New, saslPrep(password), salt, DefaultIterations, sha256.Size)
}
