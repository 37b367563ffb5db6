package pgwire

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"hash"
)

// serverTLS returns the TLS configuration for one connection. It is the
// server's, except that it records the certificate the handshake chose,
// which SCRAM-SHA-256-PLUS binds the login to. A configuration that picks
// its certificate through GetConfigForClient is used as it is, and then
// the server offers no channel binding.
func serverTLS(base *tls.Config, chosen **tls.Certificate) *tls.Config {
	if base.GetConfigForClient != nil {
		return base
	}
	cfg := base.Clone()
	certs, get := base.Certificates, base.GetCertificate
	cfg.Certificates = nil
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if get != nil {
			c, err := get(hello)
			if err != nil || c != nil {
				*chosen = c
				return c, err
			}
		}
		// As crypto/tls does: the only certificate, or the first the client
		// can use, or else the first.
		var cert *tls.Certificate
		switch len(certs) {
		case 0:
			return nil, errors.New("pgwire: no TLS certificate configured")
		case 1:
			cert = &certs[0]
		default:
			cert = &certs[0]
			for i := range certs {
				if hello.SupportsCertificate(&certs[i]) == nil {
					cert = &certs[i]
					break
				}
			}
		}
		*chosen = cert
		return cert, nil
	}
	return cfg
}

// tlsServerEndPoint returns the channel-binding data of RFC 5929's
// tls-server-end-point for a certificate: its hash, with the hash function
// of its signature (SHA-256 in place of MD5 and SHA-1). It is nil when the
// certificate's signature has no such hash (Ed25519, for one).
func tlsServerEndPoint(cert *tls.Certificate) []byte {
	if cert == nil || len(cert.Certificate) == 0 {
		return nil
	}
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil
		}
	}
	var h hash.Hash
	switch leaf.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256:
		h = sha256.New()
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = sha512.New384()
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = sha512.New()
	default:
		return nil
	}
	h.Write(leaf.Raw)
	return h.Sum(nil)
}
