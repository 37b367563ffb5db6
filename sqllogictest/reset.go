package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
)

// FreshDatabases gives every file a database of its own: through a
// maintenance connection it runs CREATE DATABASE before the file and DROP
// DATABASE after it. Its Prepare is safe for Jobs > 1.
type FreshDatabases struct {
	base   *pgconn.Config
	m      maintenance
	prefix string
	seq    atomic.Int64
}

// NewFreshDatabases connects lazily to dsn's server; the databases it makes
// are named slt_<pid>_<n>.
func NewFreshDatabases(dsn string) (*FreshDatabases, error) {
	base, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return &FreshDatabases{
		base:   base,
		m:      maintenance{config: connectConfig(base)},
		prefix: fmt.Sprintf("slt_%d_", os.Getpid()),
	}, nil
}

// Prepare is a PrepareFunc.
func (f *FreshDatabases) Prepare(ctx context.Context, file string) (Target, error) {
	name := f.prefix + fmt.Sprint(f.seq.Add(1))
	if err := f.m.exec(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return Target{}, err
	}
	c := f.base.Copy()
	c.Database = name
	release := func(ctx context.Context) error {
		err := f.m.exec(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)")
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42601" {
			// A server without DROP DATABASE ... WITH (FORCE).
			err = f.m.exec(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name))
		}
		return err
	}
	return Target{Config: c, Release: release}, nil
}

// Close closes the maintenance connection.
func (f *FreshDatabases) Close() { f.m.close() }

// FreshSchemas gives every file an empty schema of its own in one database
// and points the file's sessions at it with search_path: CREATE SCHEMA
// before the file, DROP SCHEMA ... CASCADE after it. It is much cheaper than
// a database per file on PostgreSQL (CREATE DATABASE copies a template) and
// equivalent for scripts that use unqualified names and do not change
// search_path themselves. Its Prepare is safe for Jobs > 1.
type FreshSchemas struct {
	base   *pgconn.Config
	m      maintenance
	prefix string
	seq    atomic.Int64
}

// NewFreshSchemas connects lazily to dsn; the schemas it makes are named
// slt_<pid>_<n>.
func NewFreshSchemas(dsn string) (*FreshSchemas, error) {
	base, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return &FreshSchemas{
		base:   base,
		m:      maintenance{config: connectConfig(base)},
		prefix: fmt.Sprintf("slt_%d_", os.Getpid()),
	}, nil
}

// Prepare is a PrepareFunc.
func (f *FreshSchemas) Prepare(ctx context.Context, file string) (Target, error) {
	name := f.prefix + fmt.Sprint(f.seq.Add(1))
	if err := f.m.exec(ctx, "CREATE SCHEMA "+quoteIdent(name)); err != nil {
		return Target{}, err
	}
	c := f.base.Copy()
	c.RuntimeParams = map[string]string{}
	for k, v := range f.base.RuntimeParams {
		c.RuntimeParams[k] = v
	}
	c.RuntimeParams["search_path"] = quoteIdent(name)
	release := func(ctx context.Context) error {
		return f.m.exec(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(name)+" CASCADE")
	}
	return Target{Config: c, Release: release}, nil
}

// Close closes the maintenance connection.
func (f *FreshSchemas) Close() { f.m.close() }

// TableDropper runs every file on one database after dropping each view and
// table of its current schema. Its Prepare is not safe for Jobs > 1.
type TableDropper struct {
	base *pgconn.Config
	m    maintenance
}

// NewTableDropper connects lazily to dsn.
func NewTableDropper(dsn string) (*TableDropper, error) {
	base, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return &TableDropper{base: base, m: maintenance{config: connectConfig(base)}}, nil
}

// Prepare is a PrepareFunc.
func (d *TableDropper) Prepare(ctx context.Context, file string) (Target, error) {
	rows, err := d.m.query(ctx, `SELECT table_type, table_name FROM information_schema.tables
		WHERE table_schema = current_schema() ORDER BY table_type DESC, table_name`)
	if err != nil {
		return Target{}, err
	}
	for _, r := range rows {
		kind := "TABLE"
		if r[0] == "VIEW" {
			kind = "VIEW"
		}
		if err := d.m.exec(ctx, "DROP "+kind+" IF EXISTS "+quoteIdent(r[1])+" CASCADE"); err != nil {
			return Target{}, err
		}
	}
	return Target{Config: d.base}, nil
}

// Close closes the maintenance connection.
func (d *TableDropper) Close() { d.m.close() }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// maintenance is one shared connection for setting databases up, reopened
// when it breaks.
type maintenance struct {
	config *pgconn.Config
	mu     sync.Mutex
	s      session
}

func (m *maintenance) run(ctx context.Context, sql string) (execResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.config = m.config
	res := m.s.exec(ctx, sql)
	if res.failure != nil {
		return res, res.failure
	}
	if res.serverErr != nil {
		return res, res.serverErr
	}
	return res, nil
}

func (m *maintenance) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.close()
}

func (m *maintenance) exec(ctx context.Context, sql string) error {
	_, err := m.run(ctx, sql)
	return err
}

func (m *maintenance) query(ctx context.Context, sql string) ([][]string, error) {
	res, err := m.run(ctx, sql)
	if err != nil {
		return nil, err
	}
	n := res.rows.ncols()
	var out [][]string
	for i := 0; i+n <= len(res.rows.cells) && n > 0; i += n {
		row := make([]string, n)
		for j := range row {
			row[j] = res.rows.cells[i+j].text
		}
		out = append(out, row)
	}
	return out, nil
}
