package sql_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestUnsupportedStatementsNamed checks that a statement portalsdb does
// not run is refused with 0A000 under the name users know it by, not the
// parser's node type.
func TestUnsupportedStatementsNamed(t *testing.T) {
	conn := connect(t, serverEndpoint(startServer(t, "")))
	mustExec(t, conn, "CREATE TABLE un_t (a int)")
	for stmt, want := range map[string]string{
		"LISTEN foo":                             "LISTEN is not supported",
		"REVOKE SELECT ON un_t FROM PUBLIC":      "REVOKE is not supported",
		"GRANT SELECT ON un_t TO PUBLIC":         "GRANT is not supported",
		"CREATE STATISTICS st ON a, a FROM un_t": "CREATE STATS is not supported",
		"CREATE TRIGGER tr BEFORE INSERT ON un_t FOR EACH ROW EXECUTE FUNCTION f()": "CREATE TRIGGER is not supported",
	} {
		_, err := conn.Exec(context.Background(), stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "0A000" || pgErr.Message != want {
			t.Errorf("%s: got %v, want 0A000 %q", stmt, err, want)
		}
	}
}
