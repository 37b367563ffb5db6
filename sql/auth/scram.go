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

// The SASL mechanism names: SCRAM-SHA-256 without channel binding, which
// the server always offers, and with tls-server-end-point channel binding
// (RFC 5929), which it offers on TLS connections whose certificate it
// knows. Binding the exchange to the TLS channel proves that no one in the
// middle terminated TLS with another certificate.
const (
	Mechanism     = "SCRAM-SHA-256"
	MechanismPlus = "SCRAM-SHA-256-PLUS"
)

// channelBindingType is the only channel-binding type supported.
const channelBindingType = "tls-server-end-point"

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

	// bindingData is the tls-server-end-point hash of the server's
	// certificate when the server offers MechanismPlus, nil otherwise.
	bindingData []byte
	// plus records that the client selected MechanismPlus.
	plus bool

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

// OfferChannelBinding makes the server offer MechanismPlus, bound to the
// TLS channel by data: the hash of the server's certificate as RFC 5929's
// tls-server-end-point defines it.
func (x *Exchange) OfferChannelBinding(data []byte) { x.bindingData = data }

// Mechanisms returns the mechanisms to advertise, the preferred first.
func (x *Exchange) Mechanisms() []string {
	if x.bindingData != nil {
		return []string{MechanismPlus, Mechanism}
	}
	return []string{Mechanism}
}

// SelectMechanism records the mechanism the client chose from Mechanisms.
func (x *Exchange) SelectMechanism(name string) error {
	switch {
	case name == Mechanism:
	case name == MechanismPlus && x.bindingData != nil:
		x.plus = true
	default:
		return pgerror.New(pgerror.ProtocolViolation, "client selected an invalid SASL authentication mechanism")
	}
	return nil
}

func malformed(format string, args ...any) error {
	return pgerror.Newf(pgerror.ProtocolViolation, "malformed SCRAM message: "+format, args...)
}

// ErrAuthFailed is returned by ServerFinal when the client's proof does not
// match. pgwire reports it to the client with the role name in the message.
var ErrAuthFailed = pgerror.New(pgerror.InvalidPassword, "password authentication failed")

// ServerFirst reads the client-first-message and returns the
// server-first-message. Its gs2 header must agree with the mechanism:
// "p=tls-server-end-point" with MechanismPlus; "n" (the client cannot
// bind) or "y" (it could, but saw no -PLUS offer) otherwise, and "y" is
// refused when the server did offer -PLUS.
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
	case (flag == "n" || flag == "y") && x.plus:
		return nil, malformed("the client selected %s, but the message does not include channel binding data", MechanismPlus)
	case flag == "y" && x.bindingData != nil:
		// The client could bind but believes the server cannot: someone
		// removed the -PLUS mechanism from what the server advertised.
		return nil, pgerror.New(pgerror.ProtocolViolation, "SCRAM channel binding negotiation error").
			WithDetail("The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.")
	case flag == "n", flag == "y":
	case strings.HasPrefix(flag, "p="):
		if !x.plus {
			return nil, malformed("the client selected %s without channel binding, but the message includes channel binding data", Mechanism)
		}
		if flag[2:] != channelBindingType {
			return nil, pgerror.Newf(pgerror.FeatureNotSupported, "unsupported SCRAM channel-binding type %q", flag[2:])
		}
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
	want := x.gs2Header
	if x.plus {
		want += string(x.bindingData)
	}
	if err != nil || subtle.ConstantTimeCompare(binding, []byte(want)) != 1 {
		return nil, malformed("SCRAM channel binding check failed")
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
