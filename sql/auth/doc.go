// Package auth holds the secrets of login roles and the server side of the
// SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) that checks them.
//
// The SQL layer calls SCRAMSecret when a role gets a password (CREATE ROLE
// ... PASSWORD '...'), and stores the string it returns. pgwire parses that
// string again with ParseSCRAMSecret and runs an Exchange against a client.
// Only the salted keys are ever stored, in PostgreSQL's own format, so a
// secret copied from pg_authid works here and the other way round.
//
// This package is a leaf: it imports the standard library and pgerror only.
// It knows nothing of the wire protocol's framing nor of the catalog; it
// turns SCRAM messages into SCRAM messages.
package auth
