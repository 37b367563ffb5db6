package sql_test

import (
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// TestRowLimitResumesAcrossExecutes fetches a query's rows in Execute
// messages with a row limit, as JDBC's fetch size does: the rows of later
// batches of the plan come in later Executes, which must find the plan's
// context alive (it was the first Execute's, and its end canceled it).
func TestRowLimitResumesAcrossExecutes(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	mustExec(t, conn, `CREATE TABLE fetched (id int PRIMARY KEY)`)
	mustExec(t, conn, `INSERT INTO fetched SELECT generate_series(1, 3000)`)

	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	untilReady := func() (rows int, errs []string, suspended int) {
		t.Helper()
		for {
			m, err := fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			switch x := m.(type) {
			case *pgproto3.DataRow:
				rows++
			case *pgproto3.PortalSuspended:
				suspended++
			case *pgproto3.ErrorResponse:
				errs = append(errs, x.Code+" "+x.Message)
			case *pgproto3.ReadyForQuery:
				return rows, errs, suspended
			}
		}
	}
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": "postgres", "database": "postgres"}})
	fe.Send(&pgproto3.Query{String: "BEGIN"})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	untilReady()
	untilReady()
	fe.Send(&pgproto3.Parse{Query: "SELECT id FROM fetched"})
	fe.Send(&pgproto3.Bind{DestinationPortal: "c"})
	for range 3 {
		fe.Send(&pgproto3.Execute{Portal: "c", MaxRows: 1000})
	}
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, errs, suspended := untilReady()
	if rows != 3000 || len(errs) != 0 || suspended != 3 {
		t.Fatalf("%d rows, %d suspensions, errors %q; want 3000 rows in three suspended fetches", rows, suspended, errs)
	}
	// The rest of the same portal, in another exchange of the transaction.
	fe.Send(&pgproto3.Execute{Portal: "c"})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	if rows, errs, _ := untilReady(); rows != 0 || len(errs) != 0 {
		t.Fatalf("after the last row: %d rows, errors %q", rows, errs)
	}
}
