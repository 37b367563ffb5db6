package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"

	"portalsdb/pgerror"
)

// DefaultIterations is the PBKDF2 iteration count of new secrets. It is
// PostgreSQL's default (scram_iterations), so secrets cost the same to
// check as theirs.
const DefaultIterations = 4096

// saltLen is the length of a new secret's random salt, as in PostgreSQL.
const saltLen = 16

// Secret is a parsed SCRAM-SHA-256 secret: what the server must know to
// check a client's proof without knowing its password.
type Secret struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte // SHA-256(ClientKey)
	ServerKey  []byte // HMAC(SaltedPassword, "Server Key")
}

// SCRAMSecret returns the stored form of password with a fresh random salt:
// "SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>", in base64, exactly as
// PostgreSQL writes pg_authid.rolpassword.
func SCRAMSecret(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", pgerror.Newf(pgerror.Internal, "could not generate random salt: %v", err)
	}
	s, err := NewSecret(password, salt, DefaultIterations)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// NewSecret derives the secret of password for a given salt and iteration
// count. The password is normalized with SASLprep first, as clients do.
func NewSecret(password string, salt []byte, iterations int) (Secret, error) {
	if iterations < 1 {
		return Secret{}, pgerror.Newf(pgerror.InvalidParameterValue, "SCRAM iteration count must be positive, got %d", iterations)
	}
	if len(salt) == 0 {
		return Secret{}, pgerror.New(pgerror.InvalidParameterValue, "SCRAM salt must not be empty")
	}
	salted, err := pbkdf2.Key(sha256.New, saslPrep(password), salt, iterations, sha256.Size)
	if err != nil {
		return Secret{}, pgerror.Newf(pgerror.Internal, "could not derive SCRAM key: %v", err)
	}
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return Secret{
		Iterations: iterations,
		Salt:       append([]byte(nil), salt...),
		StoredKey:  stored[:],
		ServerKey:  hmacSHA256(salted, "Server Key"),
	}, nil
}

// String returns the secret in PostgreSQL's stored format.
func (s Secret) String() string {
	enc := base64.StdEncoding
	return "SCRAM-SHA-256$" + strconv.Itoa(s.Iterations) + ":" + enc.EncodeToString(s.Salt) +
		"$" + enc.EncodeToString(s.StoredKey) + ":" + enc.EncodeToString(s.ServerKey)
}

// ParseSCRAMSecret reads a secret in PostgreSQL's stored format. A string in
// any other format (an MD5 hash, plain text, garbage) is an error: such a
// role cannot log in with SCRAM.
func ParseSCRAMSecret(stored string) (Secret, error) {
	bad := pgerror.New(pgerror.InvalidPassword, "invalid SCRAM secret format")
	scheme, rest, ok := strings.Cut(stored, "$")
	if !ok || scheme != "SCRAM-SHA-256" {
		return Secret{}, bad
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return Secret{}, bad
	}
	iterText, saltText, ok := strings.Cut(iterSalt, ":")
	if !ok {
		return Secret{}, bad
	}
	storedText, serverText, ok := strings.Cut(keys, ":")
	if !ok {
		return Secret{}, bad
	}
	iterations, err := strconv.Atoi(iterText)
	if err != nil || iterations < 1 {
		return Secret{}, bad
	}
	enc := base64.StdEncoding
	salt, err1 := enc.DecodeString(saltText)
	storedKey, err2 := enc.DecodeString(storedText)
	serverKey, err3 := enc.DecodeString(serverText)
	if err1 != nil || err2 != nil || err3 != nil || len(salt) == 0 ||
		len(storedKey) != sha256.Size || len(serverKey) != sha256.Size {
		return Secret{}, bad
	}
	return Secret{Iterations: iterations, Salt: salt, StoredKey: storedKey, ServerKey: serverKey}, nil
}

// VerifyPassword reports whether password matches the secret. It is for
// places that receive a password in the clear (ALTER ROLE checks, tests);
// logins use an Exchange, which never sees the password.
func (s Secret) VerifyPassword(password string) bool {
	derived, err := NewSecret(password, s.Salt, s.Iterations)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(derived.StoredKey, s.StoredKey) == 1 &&
		subtle.ConstantTimeCompare(derived.ServerKey, s.ServerKey) == 1
}

// MockSecret returns a made-up secret for a role that does not exist or has
// no password. Running the exchange against it to the end, and failing
// only then, keeps a client from learning which role names exist. The salt
// is derived from the user name and a server-wide random key, so the same
// name gets the same salt every time, as a real role would.
func MockSecret(user string, key []byte) Secret {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(user))
	sum := mac.Sum(nil)
	random := make([]byte, sha256.Size)
	// The keys are never matched: no SHA-256 preimage yields random bytes
	// that were not derived from any ClientKey. Should rand fail, zero keys
	// are just as unmatchable.
	_, _ = rand.Read(random)
	return Secret{
		Iterations: DefaultIterations,
		Salt:       sum[:saltLen],
		StoredKey:  random,
		ServerKey:  random,
	}
}

func hmacSHA256(key []byte, msg string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}
