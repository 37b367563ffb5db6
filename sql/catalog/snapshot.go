package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"portalsdb/pgerror"
)

// Store is what the catalog needs of a storage transaction: a small
// transactional key-value space for descriptors.
type Store interface {
	PutMeta(key string, value []byte) error
	GetMeta(key string) ([]byte, bool, error)
	DeleteMeta(key string) error
	ScanMeta(prefix string, fn func(key string, value []byte) error) error
}

// Snapshot is an immutable view of the catalog. Methods that change it
// return a new Snapshot and write the change through a Store.
type Snapshot struct {
	schemas map[uint32]*Schema
	tables  map[uint32]*Table
	roles   map[string]*Role
	portals map[uint32]*Portal
	// byName indexes tables by schema oid and name.
	byName map[uint32]map[string]*Table
	// indexOwner maps an index name (per schema) to its table.
	indexOwner map[uint32]map[string]*Table
}

// Empty returns a catalog with the built-in schemas and the postgres
// superuser, as a fresh PostgreSQL cluster has.
func Empty() *Snapshot {
	s := &Snapshot{
		schemas: map[uint32]*Schema{},
		tables:  map[uint32]*Table{},
		roles:   map[string]*Role{},
		portals: map[uint32]*Portal{},
	}
	for _, sc := range []*Schema{
		{OID: PgCatalogOID, Name: "pg_catalog", Owner: PostgresRoleOID},
		{OID: PublicOID, Name: "public", Owner: PostgresRoleOID},
		{OID: InformationSchOID, Name: "information_schema", Owner: PostgresRoleOID},
		{OID: PortalsCatalogOID, Name: "portals_catalog", Owner: PostgresRoleOID},
	} {
		s.schemas[sc.OID] = sc
	}
	s.roles["postgres"] = &Role{OID: PostgresRoleOID, Name: "postgres", Login: true, Superuser: true}
	s.reindex()
	return s
}

func (s *Snapshot) reindex() {
	s.byName = map[uint32]map[string]*Table{}
	s.indexOwner = map[uint32]map[string]*Table{}
	for _, t := range s.tables {
		if s.byName[t.Schema] == nil {
			s.byName[t.Schema] = map[string]*Table{}
			s.indexOwner[t.Schema] = map[string]*Table{}
		}
		s.byName[t.Schema][t.Name] = t
		for _, ix := range t.Indexes {
			s.indexOwner[t.Schema][ix.Name] = t
		}
		if t.PKName != "" {
			s.indexOwner[t.Schema][t.PKName] = t
		}
	}
}

func (s *Snapshot) clone() *Snapshot {
	c := &Snapshot{
		schemas: make(map[uint32]*Schema, len(s.schemas)),
		tables:  make(map[uint32]*Table, len(s.tables)),
		roles:   make(map[string]*Role, len(s.roles)),
		portals: make(map[uint32]*Portal, len(s.portals)),
	}
	for k, v := range s.portals {
		c.portals[k] = v
	}
	for k, v := range s.schemas {
		c.schemas[k] = v
	}
	for k, v := range s.tables {
		c.tables[k] = v
	}
	for k, v := range s.roles {
		c.roles[k] = v
	}
	return c
}

// Load reads the catalog from a store; a store with no catalog yields
// Empty().
func Load(st Store) (*Snapshot, error) {
	s := Empty()
	err := st.ScanMeta("cat/", func(key string, value []byte) error {
		parts := strings.SplitN(strings.TrimPrefix(key, "cat/"), "/", 2)
		if len(parts) != 2 {
			return nil
		}
		switch parts[0] {
		case "schema":
			var sc Schema
			if err := json.Unmarshal(value, &sc); err != nil {
				return corrupt(key, err)
			}
			s.schemas[sc.OID] = &sc
		case "table":
			var t Table
			if err := json.Unmarshal(value, &t); err != nil {
				return corrupt(key, err)
			}
			s.tables[t.OID] = &t
		case "role":
			var r Role
			if err := json.Unmarshal(value, &r); err != nil {
				return corrupt(key, err)
			}
			s.roles[r.Name] = &r
		case "portal":
			var p Portal
			if err := json.Unmarshal(value, &p); err != nil {
				return corrupt(key, err)
			}
			s.portals[p.OID] = &p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.reindex()
	return s, nil
}

func corrupt(key string, err error) error {
	return pgerror.Newf(pgerror.DataCorrupted, "catalog entry %s is corrupt: %v", key, err)
}

func schemaKey(oid uint32) string { return "cat/schema/" + strconv.FormatUint(uint64(oid), 10) }

// nameKey is written with every relation, so that two transactions that
// create the same name conflict in storage (first committer wins) instead
// of both committing.
func nameKey(schema uint32, name string) string {
	return "names/" + strconv.FormatUint(uint64(schema), 10) + "/" + name
}
func tableKey(oid uint32) string  { return "cat/table/" + strconv.FormatUint(uint64(oid), 10) }
func roleKey(name string) string  { return "cat/role/" + name }
func portalKey(oid uint32) string { return "cat/portal/" + strconv.FormatUint(uint64(oid), 10) }

func put(st Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return pgerror.Internalf("encoding %s: %v", key, err)
	}
	return st.PutMeta(key, b)
}

// Schema returns the schema with the given name.
func (s *Snapshot) Schema(name string) (*Schema, bool) {
	for _, sc := range s.schemas {
		if sc.Name == name {
			return sc, true
		}
	}
	return nil, false
}

// SchemaByOID returns a schema by OID.
func (s *Snapshot) SchemaByOID(oid uint32) (*Schema, bool) {
	sc, ok := s.schemas[oid]
	return sc, ok
}

// Schemas returns all schemas ordered by OID.
func (s *Snapshot) Schemas() []*Schema {
	out := make([]*Schema, 0, len(s.schemas))
	for _, sc := range s.schemas {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Table returns the relation with the given name in a schema.
func (s *Snapshot) Table(schema uint32, name string) (*Table, bool) {
	t, ok := s.byName[schema][name]
	return t, ok
}

// TableByOID returns a relation by OID.
func (s *Snapshot) TableByOID(oid uint32) (*Table, bool) {
	t, ok := s.tables[oid]
	return t, ok
}

// Tables returns every relation ordered by OID.
func (s *Snapshot) Tables() []*Table {
	out := make([]*Table, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// IndexOwner returns the table that owns the named index in a schema.
func (s *Snapshot) IndexOwner(schema uint32, name string) (*Table, bool) {
	t, ok := s.indexOwner[schema][name]
	return t, ok
}

// Role returns a role by name.
func (s *Snapshot) Role(name string) (*Role, bool) {
	r, ok := s.roles[name]
	return r, ok
}

// Roles returns all roles ordered by OID.
func (s *Snapshot) Roles() []*Role {
	out := make([]*Role, 0, len(s.roles))
	for _, r := range s.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// RoleByOID returns a role by OID.
func (s *Snapshot) RoleByOID(oid uint32) (*Role, bool) {
	for _, r := range s.roles {
		if r.OID == oid {
			return r, true
		}
	}
	return nil, false
}

// PutSchema adds or replaces a schema.
func (s *Snapshot) PutSchema(st Store, sc *Schema) (*Snapshot, error) {
	if err := put(st, schemaKey(sc.OID), sc); err != nil {
		return nil, err
	}
	c := s.clone()
	c.schemas[sc.OID] = sc
	c.reindex()
	return c, nil
}

// DropSchema removes a schema, which must be empty.
func (s *Snapshot) DropSchema(st Store, oid uint32) (*Snapshot, error) {
	if err := st.DeleteMeta(schemaKey(oid)); err != nil {
		return nil, err
	}
	c := s.clone()
	delete(c.schemas, oid)
	c.reindex()
	return c, nil
}

// PutTable adds or replaces a relation.
func (s *Snapshot) PutTable(st Store, t *Table) (*Snapshot, error) {
	if err := put(st, tableKey(t.OID), t); err != nil {
		return nil, err
	}
	if old, ok := s.tables[t.OID]; ok && (old.Name != t.Name || old.Schema != t.Schema) {
		if err := st.DeleteMeta(nameKey(old.Schema, old.Name)); err != nil {
			return nil, err
		}
	}
	if err := st.PutMeta(nameKey(t.Schema, t.Name), []byte(strconv.FormatUint(uint64(t.OID), 10))); err != nil {
		return nil, err
	}
	c := s.clone()
	c.tables[t.OID] = t
	c.reindex()
	return c, nil
}

// DropTable removes a relation's descriptor.
func (s *Snapshot) DropTable(st Store, oid uint32) (*Snapshot, error) {
	if err := st.DeleteMeta(tableKey(oid)); err != nil {
		return nil, err
	}
	if old, ok := s.tables[oid]; ok {
		if err := st.DeleteMeta(nameKey(old.Schema, old.Name)); err != nil {
			return nil, err
		}
	}
	c := s.clone()
	delete(c.tables, oid)
	c.reindex()
	return c, nil
}

// PutRole adds or replaces a role.
func (s *Snapshot) PutRole(st Store, r *Role) (*Snapshot, error) {
	if err := put(st, roleKey(r.Name), r); err != nil {
		return nil, err
	}
	c := s.clone()
	c.roles[r.Name] = r
	return c, nil
}

// DropRole removes a role.
func (s *Snapshot) DropRole(st Store, name string) (*Snapshot, error) {
	if err := st.DeleteMeta(roleKey(name)); err != nil {
		return nil, err
	}
	c := s.clone()
	delete(c.roles, name)
	return c, nil
}

// String summarizes the snapshot, for debugging.
func (s *Snapshot) String() string {
	return fmt.Sprintf("catalog{%d schemas, %d relations, %d roles}", len(s.schemas), len(s.tables), len(s.roles))
}

// Portal returns the portal with the given name in a schema.
func (s *Snapshot) Portal(schema uint32, name string) (*Portal, bool) {
	for _, p := range s.portals {
		if p.Schema == schema && p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// PortalByOID returns a portal by OID.
func (s *Snapshot) PortalByOID(oid uint32) (*Portal, bool) {
	p, ok := s.portals[oid]
	return p, ok
}

// Portals returns every portal ordered by OID.
func (s *Snapshot) Portals() []*Portal {
	out := make([]*Portal, 0, len(s.portals))
	for _, p := range s.portals {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// PutPortal adds or replaces a portal.
func (s *Snapshot) PutPortal(st Store, p *Portal) (*Snapshot, error) {
	if err := put(st, portalKey(p.OID), p); err != nil {
		return nil, err
	}
	if err := st.PutMeta(nameKey(p.Schema, "portal:"+p.Name), []byte(strconv.FormatUint(uint64(p.OID), 10))); err != nil {
		return nil, err
	}
	c := s.clone()
	c.portals[p.OID] = p
	c.reindex()
	return c, nil
}

// DropPortal removes a portal.
func (s *Snapshot) DropPortal(st Store, oid uint32) (*Snapshot, error) {
	if err := st.DeleteMeta(portalKey(oid)); err != nil {
		return nil, err
	}
	if p, ok := s.portals[oid]; ok {
		if err := st.DeleteMeta(nameKey(p.Schema, "portal:"+p.Name)); err != nil {
			return nil, err
		}
	}
	c := s.clone()
	delete(c.portals, oid)
	c.reindex()
	return c, nil
}
