package incrtest

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Atom is one unit of input the way a client makes it: one statement (its
// own implicit transaction), several statements in one transaction block,
// or a COPY.
type Atom struct {
	Stmts []string
	// CopyTo and CopyData, when CopyTo is set, are a COPY ... FROM STDIN
	// in the text format.
	CopyTo   string
	CopyData string
}

func (a Atom) String() string {
	if a.CopyTo != "" {
		return fmt.Sprintf("COPY %s FROM STDIN; %q", a.CopyTo, a.CopyData)
	}
	if len(a.Stmts) == 1 {
		return a.Stmts[0] + ";"
	}
	return "BEGIN; " + strings.Join(a.Stmts, "; ") + "; COMMIT;"
}

// Apply runs the atom on conn.
func (a Atom) Apply(ctx context.Context, conn *pgx.Conn) error {
	if a.CopyTo != "" {
		_, err := conn.PgConn().CopyFrom(ctx, strings.NewReader(a.CopyData), "COPY "+a.CopyTo+" FROM STDIN")
		return err
	}
	if len(a.Stmts) == 1 {
		_, err := conn.Exec(ctx, a.Stmts[0], pgx.QueryExecModeSimpleProtocol)
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	for _, s := range a.Stmts {
		if _, err := tx.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
			_ = tx.Rollback(ctx)
			return err
		}
	}
	return tx.Commit(ctx)
}
