// Package pgwire serves the PostgreSQL frontend/backend protocol, version
// 3.0, so that psql and every PostgreSQL driver can talk to portalsdb.
//
//	client ──TCP/TLS──> Server ──one goroutine per connection──> conn
//	                                                              │
//	           startup, TLS, auth (SCRAM via sql/auth)            │
//	           simple query: Split, then Prepare + Execute each   │
//	           extended query: Parse/Bind/Describe/Execute/Sync   ▼
//	                                                      Engine / Session
//	                                                        (the sql layer)
//
// It owns the protocol: message framing (with jackc/pgx/v5/pgproto3),
// connection startup and parameter reports, TLS, authentication (trust, or
// SCRAM-SHA-256, with tls-server-end-point channel binding on TLS), cancel
// requests, prepared statements and portals as the protocol names them,
// COPY sub-protocols, the text and binary encodings of values, and the
// mapping of pgerror.Error values onto ErrorResponse fields.
//
// Answers are buffered and written when the client will wait for them: at
// ReadyForQuery, at a Flush message, when COPY FROM STDIN starts, and every
// 64 KiB of a large result. A pipeline of extended-query messages up to its
// Sync is thus answered in one write, as PostgreSQL does.
//
// Portals live as long as the transaction they were bound in: outside a
// transaction block (the session's TxnStatus is 'I' at ReadyForQuery) they
// are all closed, as in PostgreSQL. A simple Query drops the unnamed
// statement and portal.
//
// It knows sessions, not plans: it must not know how SQL is parsed, planned
// or run, nor about the catalog or storage. Everything it needs of the SQL
// layer is the Engine and Session interfaces of engine.go. Values arrive as
// Arrow record batches (Result.Next) and leave as DataRow messages; the
// hot types are encoded straight from the Arrow buffers (encode.go).
//
// Concurrency: each connection has one goroutine that reads its messages
// from the socket, handles them in order and is the only caller of its
// Session. When a message's work runs longer than a few milliseconds, a
// second goroutine watches the socket meanwhile (conn_reader.go), so that a
// client that goes away in the middle of a query cancels that query's
// context; short statements never pay for that hand-off. A CancelRequest
// arrives on a separate connection and cancels the running query of the
// session it names. A panic while one message is handled is recovered,
// logged with its stack and reported to that client as XX000; the
// connection, and the server, keep going.
//
// Logging (slog): connections accepted and closed at debug; every error
// reported to a client, protocol violations, recovered panics and failed
// logins at warn.
package pgwire
