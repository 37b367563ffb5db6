package sql

import (
	"sort"
	"strconv"
	"strings"

	"portalsdb/sql/catalog"
)

// The relations of pg_catalog that describe the server: databases, roles,
// settings, sessions, tablespaces and collations.

// pgDatabaseOwnerOID is PostgreSQL's pg_database_owner role, which owns
// the public schema.
const pgDatabaseOwnerOID uint32 = 6171

// builtinRole is a role every PostgreSQL cluster has besides the bootstrap
// superuser.
type builtinRole struct {
	oid  uint32
	name string
}

var builtinRoles = []builtinRole{{oid: pgDatabaseOwnerOID, name: "pg_database_owner"}}

// roleRow is what pg_authid, pg_roles and pg_user share.
type roleRow struct {
	oid                                        uint32
	name                                       string
	super, createRole, createDB, login, bypass bool
	secret                                     string
}

func (c *sysContext) roleRows() []roleRow {
	var out []roleRow
	for _, r := range c.snap.Roles() {
		out = append(out, roleRow{oid: r.OID, name: r.Name, super: r.Superuser, createRole: r.Superuser,
			createDB: r.Superuser, login: r.Login, bypass: r.Superuser, secret: r.SCRAMSecret})
	}
	for _, r := range builtinRoles {
		out = append(out, roleRow{oid: r.oid, name: r.name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].oid < out[j].oid })
	return out
}

// sessionIsSuperuser reports whether the statement's session runs as a
// superuser; only superusers see password verifiers, as in PostgreSQL.
func (c *sysContext) sessionIsSuperuser() bool {
	s := c.view.session
	if s == nil {
		return false
	}
	r, ok := c.snap.Role(s.user)
	return ok && r.Superuser
}

var _ = defineSystemTables(
	&systemTable{oid: 1262, schema: "pg_catalog", name: "pg_database", kind: 'r',
		cols: columns(`oid oid, datname name, datdba oid, encoding integer, datlocprovider "char",
			datistemplate boolean, datallowconn boolean, datconnlimit integer, datfrozenxid xid,
			datminmxid xid, dattablespace oid, datcollate text, datctype text, daticulocale text,
			daticurules text, datcollversion text, datacl aclitem[]`),
		rows: func(c *sysContext, emit func(sysRow)) {
			emit(sysRow{"oid": int64(catalog.PostgresDBOID), "datname": "postgres", "datdba": int64(catalog.PostgresRoleOID),
				"encoding": int64(6), "datlocprovider": "c", "datistemplate": false, "datallowconn": true,
				"datconnlimit": int64(-1), "datfrozenxid": int64(716), "datminmxid": int64(1),
				"dattablespace": int64(1663), "datcollate": "C", "datctype": "C"})
		}},

	&systemTable{oid: 1260, schema: "pg_catalog", name: "pg_authid", kind: 'r', live: true,
		cols: columns(`oid oid, rolname name, rolsuper boolean, rolinherit boolean, rolcreaterole boolean,
			rolcreatedb boolean, rolcanlogin boolean, rolreplication boolean, rolbypassrls boolean,
			rolconnlimit integer, rolpassword text, rolvaliduntil timestamp with time zone`),
		rows: func(c *sysContext, emit func(sysRow)) {
			showSecrets := c.sessionIsSuperuser()
			for _, r := range c.roleRows() {
				row := sysRow{"oid": int64(r.oid), "rolname": r.name, "rolsuper": r.super, "rolinherit": true,
					"rolcreaterole": r.createRole, "rolcreatedb": r.createDB, "rolcanlogin": r.login,
					"rolreplication": r.super, "rolbypassrls": r.bypass, "rolconnlimit": int64(-1)}
				if showSecrets && r.secret != "" {
					row["rolpassword"] = r.secret
				}
				emit(row)
			}
		}},

	&systemTable{oid: 12000, schema: "pg_catalog", name: "pg_roles", kind: 'v',
		cols: columns(`rolname name, rolsuper boolean, rolinherit boolean, rolcreaterole boolean,
			rolcreatedb boolean, rolcanlogin boolean, rolreplication boolean, rolconnlimit integer,
			rolpassword text, rolvaliduntil timestamp with time zone, rolbypassrls boolean, rolconfig text[], oid oid`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.roleRows() {
				emit(sysRow{"oid": int64(r.oid), "rolname": r.name, "rolsuper": r.super, "rolinherit": true,
					"rolcreaterole": r.createRole, "rolcreatedb": r.createDB, "rolcanlogin": r.login,
					"rolreplication": r.super, "rolbypassrls": r.bypass, "rolconnlimit": int64(-1),
					"rolpassword": "********"})
			}
		}},

	&systemTable{oid: 12014, schema: "pg_catalog", name: "pg_user", kind: 'v',
		cols: columns(`usename name, usesysid oid, usecreatedb boolean, usesuper boolean, userepl boolean,
			usebypassrls boolean, passwd text, valuntil timestamp with time zone, useconfig text[]`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.roleRows() {
				if !r.login {
					continue
				}
				emit(sysRow{"usename": r.name, "usesysid": int64(r.oid), "usecreatedb": r.createDB, "usesuper": r.super,
					"userepl": r.super, "usebypassrls": r.bypass, "passwd": "********"})
			}
		}},

	&systemTable{oid: 12005, schema: "pg_catalog", name: "pg_shadow", kind: 'v', live: true,
		cols: columns(`usename name, usesysid oid, usecreatedb boolean, usesuper boolean, userepl boolean,
			usebypassrls boolean, passwd text, valuntil timestamp with time zone, useconfig text[]`),
		rows: func(c *sysContext, emit func(sysRow)) {
			showSecrets := c.sessionIsSuperuser()
			for _, r := range c.roleRows() {
				if !r.login {
					continue
				}
				row := sysRow{"usename": r.name, "usesysid": int64(r.oid), "usecreatedb": r.createDB, "usesuper": r.super,
					"userepl": r.super, "usebypassrls": r.bypass}
				if showSecrets && r.secret != "" {
					row["passwd"] = r.secret
				}
				emit(row)
			}
		}},

	&systemTable{oid: 1261, schema: "pg_catalog", name: "pg_auth_members", kind: 'r',
		cols: columns("oid oid, roleid oid, member oid, grantor oid, admin_option boolean, inherit_option boolean, set_option boolean")},

	&systemTable{oid: 1213, schema: "pg_catalog", name: "pg_tablespace", kind: 'r',
		cols: columns("oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]"),
		rows: func(c *sysContext, emit func(sysRow)) {
			emit(sysRow{"oid": int64(1663), "spcname": "pg_default", "spcowner": int64(catalog.PostgresRoleOID)})
			emit(sysRow{"oid": int64(1664), "spcname": "pg_global", "spcowner": int64(catalog.PostgresRoleOID)})
		}},

	&systemTable{oid: 3456, schema: "pg_catalog", name: "pg_collation", kind: 'r',
		cols: columns(`oid oid, collname name, collnamespace oid, collowner oid, collprovider "char",
			collisdeterministic boolean, collencoding integer, collcollate text, collctype text,
			colliculocale text, collicurules text, collversion text`),
		rows: func(c *sysContext, emit func(sysRow)) {
			emit(sysRow{"oid": int64(defaultCollationOID), "collname": "default", "collnamespace": int64(catalog.PgCatalogOID),
				"collowner": int64(catalog.PostgresRoleOID), "collprovider": "d", "collisdeterministic": true, "collencoding": int64(-1)})
			for _, x := range []struct {
				oid  uint32
				name string
			}{{cCollationOID, "C"}, {posixCollationOID, "POSIX"}} {
				emit(sysRow{"oid": int64(x.oid), "collname": x.name, "collnamespace": int64(catalog.PgCatalogOID),
					"collowner": int64(catalog.PostgresRoleOID), "collprovider": "c", "collisdeterministic": true,
					"collencoding": int64(-1), "collcollate": x.name, "collctype": x.name})
			}
		}},

	&systemTable{oid: 12104, schema: "pg_catalog", name: "pg_settings", kind: 'v', live: true,
		cols: columns(`name text, setting text, unit text, category text, short_desc text, extra_desc text,
			context text, vartype text, source text, min_val text, max_val text, enumvals text[],
			boot_val text, reset_val text, sourcefile text, sourceline integer, pending_restart boolean`),
		rows: func(c *sysContext, emit func(sysRow)) {
			s := c.view.session
			for _, name := range settingNames() {
				st := settings[name]
				value, source := st.def, "default"
				if s != nil {
					if v, ok := s.vars[name]; ok {
						value = v
						if v != st.def {
							source = "session"
						}
					}
				}
				context := "user"
				if st.check == nil {
					context = "internal"
				}
				emit(sysRow{"name": displayName(name), "setting": value, "category": settingCategory(name),
					"short_desc": st.desc, "context": context, "vartype": settingType(st.def), "source": source,
					"boot_val": st.def, "reset_val": st.def, "pending_restart": false})
			}
		}},

	&systemTable{oid: 12222, schema: "pg_catalog", name: "pg_stat_activity", kind: 'v', live: true,
		cols: columns(`datid oid, datname name, pid integer, leader_pid integer, usesysid oid, usename name,
			application_name text, client_addr inet, client_hostname text, client_port integer,
			backend_start timestamp with time zone, xact_start timestamp with time zone,
			query_start timestamp with time zone, state_change timestamp with time zone,
			wait_event_type text, wait_event text, state text, backend_xid xid, backend_xmin xid,
			query_id bigint, query text, backend_type text`),
		rows: func(c *sysContext, emit func(sysRow)) {
			// Only the fields a session never changes are read from
			// other sessions; their state belongs to their goroutines.
			var pids []int32
			sessions := map[int32]*Session{}
			c.e.sessions.Range(func(k, v any) bool {
				pids = append(pids, k.(int32))
				sessions[k.(int32)] = v.(*Session)
				return true
			})
			sort.Slice(pids, func(i, j int) bool { return pids[i] < pids[j] })
			for _, pid := range pids {
				s := sessions[pid]
				row := sysRow{"datid": int64(catalog.PostgresDBOID), "datname": s.database, "pid": int64(pid),
					"usename": s.user, "backend_type": "client backend", "state": "idle", "application_name": ""}
				if r, ok := c.snap.Role(s.user); ok {
					row["usesysid"] = int64(r.OID)
				}
				if s == c.view.session {
					row["state"] = "active"
					row["application_name"] = s.get("application_name")
				}
				emit(row)
			}
		}},

	&systemTable{oid: 12073, schema: "pg_catalog", name: "pg_locks", kind: 'v',
		cols: columns(`locktype text, database oid, relation oid, page integer, tuple smallint, virtualxid text,
			transactionid xid, classid oid, objid oid, objsubid smallint, virtualtransaction text, pid integer,
			mode text, granted boolean, fastpath boolean, waitstart timestamp with time zone`)},
)

// settingCategory groups parameters roughly as PostgreSQL's pg_settings
// does.
func settingCategory(name string) string {
	switch {
	case strings.HasPrefix(name, "lc_"), name == "datestyle", name == "timezone", name == "intervalstyle",
		name == "client_encoding", name == "extra_float_digits", name == "bytea_output":
		return "Client Connection Defaults / Locale and Formatting"
	case strings.Contains(name, "timeout"), strings.Contains(name, "transaction"), name == "search_path":
		return "Client Connection Defaults / Statement Behavior"
	case strings.HasPrefix(name, "portals."):
		return "Customized Options"
	}
	return "Preset Options"
}

// settingType guesses pg_settings.vartype from a default value.
func settingType(def string) string {
	switch def {
	case "on", "off":
		return "bool"
	}
	if _, err := strconv.Atoi(def); err == nil {
		return "integer"
	}
	return "string"
}
