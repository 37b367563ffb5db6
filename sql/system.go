package sql

import (
	"portalsdb/sql/binder"
)

// systemRelation resolves the relations of pg_catalog,
// information_schema and portals_catalog that portalsdb computes on
// demand. None exist yet beyond what later work adds.
func (e *Engine) systemRelation(schema, name string) (*binder.Relation, bool) {
	return nil, false
}
