package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"

	"portalsdb/pgerror"
)

// Mechanism is the SASL mechanism name of SCRAM-SHA-256 without channel
// binding, the one the server advertises.
const Mechanism = "SCRAM-SHA-256"

// serverNonceLen is the number of random bytes in the server's nonce
// (PostgreSQL uses 18 as well), base64 encoded on the wire.
const serverNonceLen = 18

// Exchange is the server side of one SCRAM-SHA-256 authentication:
//
//	client-first  -> ServerFirst -> server-first
//	client-final  -> ServerFinal -> server-final (only when the proof is right)
//
// An Exchange is used once, by one goroutine.
type Exchange struct {
	secret Secret
	// mock marks an exchange against a MockSecret: it runs to the end and
	// then always fails.
	mock bool
	// serverNonce is set in tests to replay RFC 7677's example; empty means
	// a fresh random nonce.
	serverNonce string

	step            int // 0: expect client-first; 1: expect client-final; 2: done
	gs2Header       string
	clientFirstBare string
	serverFirst     string
	nonce           string // the combined client+server nonce
}

// NewExchange starts an exchange that checks a client's proof against
// secret.
func NewExchange(secret Secret) *Exchange { return &Exchange{secret: secret} }

// NewMockExchange starts an exchange for a role that cannot log in with a
// password (it does not exist or has none). It answers like a real one and
// fails at the final step, as PostgreSQL's mock authentication does.
func NewMockExchange(user string, key []byte) *Exchange {
	return &Exchange{secret: MockSecret(user, key), mock: true}
}

func malformed(format string, args ...any) error {
	return pgerror.Newf(pgerror.ProtocolViolation, "malformed SCRAM message: "+format, args...)
}

// ErrAuthFailed is returned by ServerFinal when the client's proof does not
// match. pgwire reports it to the client with the role name in the message.
var ErrAuthFailed = pgerror.New(pgerror.InvalidPassword, "password authentication failed")

// ServerFirst reads the client-first-message and returns the
// server-first-message. Channel binding is not supported: a client that
// asks for it ("p=...") is refused; one that could have used it ("y")
// is accepted, since this server does not offer SCRAM-SHA-256-PLUS.
func (x *Exchange) ServerFirst(clientFirst []byte) ([]byte, error) {
	if x.step != 0 {
		return nil, malformed("unexpected client-first-message")
	}
	x.step = 1
	msg := string(clientFirst)
	// gs2-header: gs2-cbind-flag "," [authzid] ","
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return nil, malformed("missing gs2 header")
	}
	switch {
	case flag == "n", flag == "y":
	case strings.HasPrefix(flag, "p="):
		return nil, pgerror.New(pgerror.ProtocolViolation,
			"channel binding is not supported by this server; use SCRAM-SHA-256 without channel binding")
	default:
		return nil, malformed("unexpected channel-binding flag %q", flag)
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, malformed("missing client-first-message-bare")
	}
	if authzid != "" {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "client uses authorization identity, but it is not supported")
	}
	x.gs2Header = flag + "," + authzid + ","
	x.clientFirstBare = bare
	attrs := strings.Split(bare, ",")
	if len(attrs) < 2 {
		return nil, malformed("client-first-message-bare is too short")
	}
	if strings.HasPrefix(attrs[0], "m=") {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "SCRAM mandatory extensions are not supported")
	}
	// The user name is ignored, as in PostgreSQL: the role was named in the
	// startup message, and libpq sends an empty one.
	if !strings.HasPrefix(attrs[0], "n=") {
		return nil, malformed("expected attribute \"n\"")
	}
	if !strings.HasPrefix(attrs[1], "r=") || len(attrs[1]) == 2 {
		return nil, malformed("expected attribute \"r\"")
	}
	clientNonce := attrs[1][2:]
	if !printableNonce(clientNonce) {
		return nil, malformed("client nonce contains invalid characters")
	}
	serverNonce := x.serverNonce
	if serverNonce == "" {
		raw := make([]byte, serverNonceLen)
		if _, err := rand.Read(raw); err != nil {
			return nil, pgerror.Newf(pgerror.Internal, "could not generate random nonce: %v", err)
		}
		serverNonce = base64.StdEncoding.EncodeToString(raw)
	}
	x.nonce = clientNonce + serverNonce
	x.serverFirst = "r=" + x.nonce + ",s=" + base64.StdEncoding.EncodeToString(x.secret.Salt) +
		",i=" + strconv.Itoa(x.secret.Iterations)
	return []byte(x.serverFirst), nil
}

// printableNonce checks RFC 5802's "printable": ASCII 0x21-0x7e except ','.
func printableNonce(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}

// ServerFinal reads the client-final-message, checks the client's proof and
// returns the server-final-message, which proves to the client that the
// server knows its secret too. A wrong proof returns ErrAuthFailed.
func (x *Exchange) ServerFinal(clientFinal []byte) ([]byte, error) {
	if x.step != 1 {
		return nil, malformed("unexpected client-final-message")
	}
	x.step = 2
	msg := string(clientFinal)
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, malformed("missing client proof")
	}
	withoutProof, proofText := msg[:i], msg[i+3:]
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return nil, malformed("expected attributes \"c\" and \"r\"")
	}
	binding, err := base64.StdEncoding.DecodeString(attrs[0][2:])
	if err != nil || string(binding) != x.gs2Header {
		return nil, malformed("unexpected channel-binding data")
	}
	if attrs[1][2:] != x.nonce {
		return nil, malformed("nonce does not match")
	}
	proof, err := base64.StdEncoding.DecodeString(proofText)
	if err != nil || len(proof) != sha256.Size {
		return nil, malformed("invalid client proof")
	}
	authMessage := x.clientFirstBare + "," + x.serverFirst + "," + withoutProof
	clientSignature := hmacSHA256(x.secret.StoredKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for j := range clientKey {
		clientKey[j] = proof[j] ^ clientSignature[j]
	}
	computed := sha256.Sum256(clientKey)
	match := subtle.ConstantTimeCompare(computed[:], x.secret.StoredKey) == 1
	if !match || x.mock {
		return nil, ErrAuthFailed
	}
	mac := hmac.New(sha256.New, x.secret.ServerKey)
	mac.Write([]byte(authMessage))
	return []byte("v=" + base64.StdEncoding.EncodeToString(mac.Sum(nil))), nil
}
