// Package server assembles a portalsdb server: the storage database, the
// SQL engine over it, and the wire-protocol listener in front. It owns the
// order of startup and shutdown; the binary, tests and the sqllogictest
// runner start servers through it.
package server
