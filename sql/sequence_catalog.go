package sql

import (
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// How pg_catalog shows sequences beyond pg_class, pg_sequence and
// pg_sequences: the pg_depend rows of their links to columns, and the
// lookups of pg_get_serial_sequence and stored expressions.

// ownedSequence returns the sequence owned by a column, nil for none.
func (c *sysContext) ownedSequence(table, column uint32) *catalog.Table {
	for _, t := range c.derived.sequences {
		if t.Sequence.OwnedByTable == table && t.Sequence.OwnedByColumn == column {
			return t
		}
	}
	return nil
}

// regclassName prints the relation of an OID as a regclass value prints.
func (c *sysContext) regclassName(oid uint32) (string, bool) {
	r, ok := c.relation(oid)
	if !ok {
		return "", false
	}
	return c.qualifiedRelationName(r, false), true
}

// sequenceLastValue is pg_sequences.last_value: NULL until the sequence
// hands out a value.
func (c *sysContext) sequenceLastValue(t *catalog.Table) types.Datum {
	last, _, called, err := c.e.sequences.state(t.Sequence)
	if err != nil || !called {
		return nil
	}
	return last
}

// sequenceDepends emits pg_depend's rows about sequences: a sequence owned
// by a column depends on it (automatically, or internally for an identity
// column), and a column default naming a sequence depends on it.
func (c *sysContext) sequenceDepends(emit func(sysRow)) {
	for _, t := range c.derived.sequences {
		sd := t.Sequence
		if sd.OwnedByTable == 0 {
			continue
		}
		owner, ok := c.snap.TableByOID(sd.OwnedByTable)
		if !ok {
			continue
		}
		dt := "a"
		if sd.Identity {
			dt = "i"
		}
		emit(sysRow{"classid": int64(pgClassOID), "objid": int64(t.OID), "objsubid": int64(0),
			"refclassid": int64(pgClassOID), "refobjid": int64(owner.OID), "refobjsubid": int64(attnum(owner, sd.OwnedByColumn)), "deptype": dt})
	}
	for _, ad := range c.derived.attrdefs {
		for _, ref := range regclassRefs(ad.expr) {
			if r, ok := c.snap.TableByOID(ref); ok && r.Kind == catalog.KindSequence {
				emit(sysRow{"classid": int64(2604), "objid": int64(ad.oid), "objsubid": int64(0),
					"refclassid": int64(pgClassOID), "refobjid": int64(ref), "refobjsubid": int64(0), "deptype": "n"})
			}
		}
	}
}
