package sql

import (
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// The convenience views of pg_catalog (pg_tables, pg_views, pg_indexes,
// pg_matviews, pg_sequences, pg_stat_*), and the catalogs that are always
// empty in portalsdb because it has no such objects (triggers, policies,
// publications, extensions, foreign tables...).

// userRelations returns the relations of user schemas, skipping
// pg_catalog and information_schema.
func (c *sysContext) userRelations(kind byte) []*relDesc {
	var out []*relDesc
	for _, r := range c.relations() {
		if r.kind == kind && r.sys == nil {
			out = append(out, r)
		}
	}
	return out
}

const statTableColumns = `relid oid, schemaname name, relname name, seq_scan bigint, last_seq_scan timestamp with time zone,
	seq_tup_read bigint, idx_scan bigint, last_idx_scan timestamp with time zone, idx_tup_fetch bigint,
	n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint, n_tup_newpage_upd bigint,
	n_live_tup bigint, n_dead_tup bigint, n_mod_since_analyze bigint, n_ins_since_vacuum bigint,
	last_vacuum timestamp with time zone, last_autovacuum timestamp with time zone,
	last_analyze timestamp with time zone, last_autoanalyze timestamp with time zone, vacuum_count bigint,
	autovacuum_count bigint, analyze_count bigint, autoanalyze_count bigint`

func statTableRows(all bool) func(c *sysContext, emit func(sysRow)) {
	return func(c *sysContext, emit func(sysRow)) {
		for _, r := range c.relations() {
			if r.kind != 'r' || (!all && r.sys != nil) {
				continue
			}
			zero := int64(0)
			row := sysRow{"relid": int64(r.oid), "schemaname": c.schemaName(r.nsp), "relname": r.name}
			for _, k := range []string{"seq_scan", "seq_tup_read", "n_tup_ins", "n_tup_upd", "n_tup_del", "n_tup_hot_upd",
				"n_tup_newpage_upd", "n_dead_tup", "n_mod_since_analyze", "n_ins_since_vacuum", "vacuum_count",
				"autovacuum_count", "analyze_count", "autoanalyze_count"} {
				row[k] = zero
			}
			row["n_live_tup"] = int64(c.e.stats.rows(r.oid))
			if r.table != nil && (len(r.table.PrimaryKey) > 0 || len(r.table.Indexes) > 0) {
				row["idx_scan"], row["idx_tup_fetch"] = zero, zero
			}
			emit(row)
		}
	}
}

var _ = defineSystemTables(
	&systemTable{oid: 12033, schema: "pg_catalog", name: "pg_tables", kind: 'v',
		cols: columns(`schemaname name, tablename name, tableowner name, tablespace name, hasindexes boolean,
			hasrules boolean, hastriggers boolean, rowsecurity boolean`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				if r.kind != 'r' {
					continue
				}
				hasIndexes := r.table != nil && (len(r.table.PrimaryKey) > 0 || len(r.table.Indexes) > 0)
				emit(sysRow{"schemaname": c.schemaName(r.nsp), "tablename": r.name, "tableowner": c.roleName(r.owner),
					"hasindexes": hasIndexes, "hasrules": false, "hastriggers": false, "rowsecurity": false})
			}
		}},

	&systemTable{oid: 12028, schema: "pg_catalog", name: "pg_views", kind: 'v',
		cols: columns("schemaname name, viewname name, viewowner name, definition text"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				if r.kind != 'v' {
					continue
				}
				row := sysRow{"schemaname": c.schemaName(r.nsp), "viewname": r.name, "viewowner": c.roleName(r.owner)}
				if def, err := c.viewDef(r, false); err == nil && def != nil {
					row["definition"] = def
				}
				emit(row)
			}
		}},

	&systemTable{oid: 12038, schema: "pg_catalog", name: "pg_matviews", kind: 'v',
		cols: columns(`schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes boolean,
			ispopulated boolean, definition text`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.userRelations('m') {
				emit(sysRow{"schemaname": c.schemaName(r.nsp), "matviewname": r.name, "matviewowner": c.roleName(r.owner),
					"hasindexes": false, "ispopulated": true, "definition": r.table.ViewSQL})
			}
		}},

	&systemTable{oid: 12043, schema: "pg_catalog", name: "pg_indexes", kind: 'v',
		cols: columns("schemaname name, tablename name, indexname name, tablespace name, indexdef text"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, ix := range c.derived.indexes {
				emit(sysRow{"schemaname": c.schemaName(ix.table.Schema), "tablename": ix.table.Name,
					"indexname": ix.name, "indexdef": c.indexDef(ix.oid, 0)})
			}
		}},

	// last_value moves with every nextval: the rows are computed on every
	// scan.
	&systemTable{oid: 12048, schema: "pg_catalog", name: "pg_sequences", kind: 'v', live: true,
		cols: columns(`schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value bigint,
			min_value bigint, max_value bigint, increment_by bigint, cycle boolean, cache_size bigint, last_value bigint`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, t := range c.derived.sequences {
				sd := t.Sequence
				emit(sysRow{"schemaname": c.schemaName(t.Schema), "sequencename": t.Name,
					"sequenceowner": c.roleName(t.Owner), "data_type": int64(typeOID(sd.Type)),
					"start_value": sd.Start, "min_value": sd.Min, "max_value": sd.Max,
					"increment_by": sd.Increment, "cycle": sd.Cycle, "cache_size": sd.Cache,
					"last_value": c.sequenceLastValue(t)})
			}
		}},

	&systemTable{oid: 12161, schema: "pg_catalog", name: "pg_stat_user_tables", kind: 'v', live: true,
		cols: columns(statTableColumns), rows: statTableRows(false)},
	&systemTable{oid: 12142, schema: "pg_catalog", name: "pg_stat_all_tables", kind: 'v', live: true,
		cols: columns(statTableColumns), rows: statTableRows(true)},
	&systemTable{oid: 12179, schema: "pg_catalog", name: "pg_statio_user_tables", kind: 'v',
		cols: columns(`relid oid, schemaname name, relname name, heap_blks_read bigint, heap_blks_hit bigint,
			idx_blks_read bigint, idx_blks_hit bigint, toast_blks_read bigint, toast_blks_hit bigint,
			tidx_blks_read bigint, tidx_blks_hit bigint`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.userRelations('r') {
				emit(sysRow{"relid": int64(r.oid), "schemaname": c.schemaName(r.nsp), "relname": r.name,
					"heap_blks_read": int64(0), "heap_blks_hit": int64(0)})
			}
		}},
	&systemTable{oid: 12192, schema: "pg_catalog", name: "pg_stat_user_indexes", kind: 'v',
		cols: columns(`relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan bigint,
			last_idx_scan timestamp with time zone, idx_tup_read bigint, idx_tup_fetch bigint`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, ix := range c.derived.indexes {
				emit(sysRow{"relid": int64(ix.table.OID), "indexrelid": int64(ix.oid), "schemaname": c.schemaName(ix.table.Schema),
					"relname": ix.table.Name, "indexrelname": ix.name, "idx_scan": int64(0), "idx_tup_read": int64(0),
					"idx_tup_fetch": int64(0)})
			}
		}},
	&systemTable{oid: 12266, schema: "pg_catalog", name: "pg_stat_database", kind: 'v', live: true,
		cols: columns(`datid oid, datname name, numbackends integer, xact_commit bigint, xact_rollback bigint,
			blks_read bigint, blks_hit bigint, tup_returned bigint, tup_fetched bigint, tup_inserted bigint,
			tup_updated bigint, tup_deleted bigint, conflicts bigint, temp_files bigint, temp_bytes bigint,
			deadlocks bigint, checksum_failures bigint, checksum_last_failure timestamp with time zone,
			blk_read_time double precision, blk_write_time double precision, session_time double precision,
			active_time double precision, idle_in_transaction_time double precision, sessions bigint,
			sessions_abandoned bigint, sessions_fatal bigint, sessions_killed bigint,
			stats_reset timestamp with time zone`),
		rows: func(c *sysContext, emit func(sysRow)) {
			n := 0
			c.e.sessions.Range(func(any, any) bool { n++; return true })
			emit(sysRow{"datid": int64(catalog.PostgresDBOID), "datname": "postgres", "numbackends": int64(n)})
		}},

	&systemTable{oid: 3466, schema: "pg_catalog", name: "pg_event_trigger", kind: 'r',
		cols: columns(`oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled "char", evttags text[]`)},
	&systemTable{oid: 2620, schema: "pg_catalog", name: "pg_trigger", kind: 'r',
		cols: columns(`oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype smallint, tgenabled "char",
			tgisinternal boolean, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable boolean,
			tginitdeferred boolean, tgnargs smallint, tgattr int2vector, tgargs bytea, tgqual pg_node_tree,
			tgoldtable name, tgnewtable name`)},
	&systemTable{oid: 3256, schema: "pg_catalog", name: "pg_policy", kind: 'r',
		cols: columns(`oid oid, polname name, polrelid oid, polcmd "char", polpermissive boolean, polroles oid[],
			polqual pg_node_tree, polwithcheck pg_node_tree`)},
	&systemTable{oid: 12018, schema: "pg_catalog", name: "pg_policies", kind: 'v',
		cols: columns(`schemaname name, tablename name, policyname name, permissive text, roles name[], cmd text,
			qual text, with_check text`)},
	&systemTable{oid: 3381, schema: "pg_catalog", name: "pg_statistic_ext", kind: 'r',
		cols: columns(`oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget integer,
			stxkeys int2vector, stxkind "char"[], stxexprs pg_node_tree`)},
	&systemTable{oid: 3429, schema: "pg_catalog", name: "pg_statistic_ext_data", kind: 'r',
		cols: columns("stxoid oid, stxdinherit boolean")},
	&systemTable{oid: 6104, schema: "pg_catalog", name: "pg_publication", kind: 'r',
		cols: columns(`oid oid, pubname name, pubowner oid, puballtables boolean, pubinsert boolean, pubupdate boolean,
			pubdelete boolean, pubtruncate boolean, pubviaroot boolean`)},
	&systemTable{oid: 6237, schema: "pg_catalog", name: "pg_publication_namespace", kind: 'r',
		cols: columns("oid oid, pnpubid oid, pnnspid oid")},
	&systemTable{oid: 6106, schema: "pg_catalog", name: "pg_publication_rel", kind: 'r',
		cols: columns("oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector")},
	&systemTable{oid: 12068, schema: "pg_catalog", name: "pg_publication_tables", kind: 'v',
		cols: columns("pubname name, schemaname name, tablename name, attnames name[], rowfilter text")},
	&systemTable{oid: 6100, schema: "pg_catalog", name: "pg_subscription", kind: 'r',
		cols: columns(`oid oid, subdbid oid, subskiplsn pg_lsn, subname name, subowner oid, subenabled boolean,
			subbinary boolean, substream "char", subtwophasestate "char", subdisableonerr boolean,
			subpasswordrequired boolean, subrunasowner boolean, subconninfo text, subslotname name,
			subsynccommit text, subpublications text[], suborigin text`)},
	&systemTable{oid: 3118, schema: "pg_catalog", name: "pg_foreign_table", kind: 'r',
		cols: columns("ftrelid oid, ftserver oid, ftoptions text[]")},
	&systemTable{oid: 2328, schema: "pg_catalog", name: "pg_foreign_data_wrapper", kind: 'r',
		cols: columns("oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl aclitem[], fdwoptions text[]")},
	&systemTable{oid: 1417, schema: "pg_catalog", name: "pg_foreign_server", kind: 'r',
		cols: columns("oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl aclitem[], srvoptions text[]")},
	&systemTable{oid: 1418, schema: "pg_catalog", name: "pg_user_mapping", kind: 'r',
		cols: columns("oid oid, umuser oid, umserver oid, umoptions text[]")},
	&systemTable{oid: 12327, schema: "pg_catalog", name: "pg_user_mappings", kind: 'v',
		cols: columns("umid oid, srvid oid, srvname name, umuser oid, usename name, umoptions text[]")},
	&systemTable{oid: 3350, schema: "pg_catalog", name: "pg_partitioned_table", kind: 'r',
		cols: columns(`partrelid oid, partstrat "char", partnatts smallint, partdefid oid, partattrs int2vector,
			partclass oidvector, partcollation oidvector, partexprs pg_node_tree`)},
	&systemTable{oid: 3079, schema: "pg_catalog", name: "pg_extension", kind: 'r',
		cols: columns(`oid oid, extname name, extowner oid, extnamespace oid, extrelocatable boolean, extversion text,
			extconfig oid[], extcondition text[]`)},
	&systemTable{oid: 12081, schema: "pg_catalog", name: "pg_available_extensions", kind: 'v',
		cols: columns("name name, default_version text, installed_version text, comment text")},
	&systemTable{oid: 3501, schema: "pg_catalog", name: "pg_enum", kind: 'r',
		cols: columns("oid oid, enumtypid oid, enumsortorder real, enumlabel name")},
	&systemTable{oid: 3541, schema: "pg_catalog", name: "pg_range", kind: 'r',
		cols: columns("rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical regproc, rngsubdiff regproc")},
	&systemTable{oid: 2605, schema: "pg_catalog", name: "pg_cast", kind: 'r',
		cols: columns(`oid oid, castsource oid, casttarget oid, castfunc oid, castcontext "char", castmethod "char"`)},
	&systemTable{oid: 2616, schema: "pg_catalog", name: "pg_opclass", kind: 'r',
		cols: columns("oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault boolean, opckeytype oid")},
	&systemTable{oid: 2753, schema: "pg_catalog", name: "pg_opfamily", kind: 'r',
		cols: columns("oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid")},
	&systemTable{oid: 2607, schema: "pg_catalog", name: "pg_conversion", kind: 'r',
		cols: columns("oid oid, conname name, connamespace oid, conowner oid, conforencoding integer, contoencoding integer, conproc regproc, condefault boolean")},
	&systemTable{oid: 3602, schema: "pg_catalog", name: "pg_ts_config", kind: 'r',
		cols: columns("oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid")},
	&systemTable{oid: 3600, schema: "pg_catalog", name: "pg_ts_dict", kind: 'r',
		cols: columns("oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text")},
	&systemTable{oid: 3601, schema: "pg_catalog", name: "pg_ts_parser", kind: 'r',
		cols: columns("oid oid, prsname name, prsnamespace oid, prsstart regproc, prstoken regproc, prsend regproc, prsheadline regproc, prslextype regproc")},
	&systemTable{oid: 3764, schema: "pg_catalog", name: "pg_ts_template", kind: 'r',
		cols: columns("oid oid, tmplname name, tmplnamespace oid, tmplinit regproc, tmpllexize regproc")},
	&systemTable{oid: 3394, schema: "pg_catalog", name: "pg_init_privs", kind: 'r',
		cols: columns(`objoid oid, classoid oid, objsubid integer, privtype "char", initprivs aclitem[]`)},
	&systemTable{oid: 826, schema: "pg_catalog", name: "pg_default_acl", kind: 'r',
		cols: columns(`oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype "char", defaclacl aclitem[]`)},
	&systemTable{oid: 1214, schema: "pg_catalog", name: "pg_shdepend", kind: 'r',
		cols: columns(`dbid oid, classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, deptype "char"`)},
	&systemTable{oid: 2964, schema: "pg_catalog", name: "pg_db_role_setting", kind: 'r',
		cols: columns("setdatabase oid, setrole oid, setconfig text[]")},
	&systemTable{oid: 2995, schema: "pg_catalog", name: "pg_largeobject_metadata", kind: 'r',
		cols: columns("oid oid, lomowner oid, lomacl aclitem[]")},
	&systemTable{oid: 3576, schema: "pg_catalog", name: "pg_transform", kind: 'r',
		cols: columns("oid oid, trftype oid, trflang oid, trffromsql regproc, trftosql regproc")},
	&systemTable{oid: 3596, schema: "pg_catalog", name: "pg_seclabel", kind: 'r',
		cols: columns("objoid oid, classoid oid, objsubid integer, provider text, label text")},
	&systemTable{oid: 3592, schema: "pg_catalog", name: "pg_shseclabel", kind: 'r',
		cols: columns("objoid oid, classoid oid, provider text, label text")},
	&systemTable{oid: 2602, schema: "pg_catalog", name: "pg_amop", kind: 'r',
		cols: columns(`oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, amopstrategy smallint,
			amoppurpose "char", amopopr oid, amopmethod oid, amopsortfamily oid`)},
	&systemTable{oid: 2603, schema: "pg_catalog", name: "pg_amproc", kind: 'r',
		cols: columns("oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, amprocnum smallint, amproc regproc")},
	&systemTable{oid: 12257, schema: "pg_catalog", name: "pg_replication_slots", kind: 'v',
		cols: columns(`slot_name name, plugin name, slot_type text, datoid oid, database name, temporary boolean,
			active boolean, active_pid integer, xmin xid, catalog_xmin xid, restart_lsn pg_lsn,
			confirmed_flush_lsn pg_lsn, wal_status text, safe_wal_size bigint, two_phase boolean, conflicting boolean`)},
	&systemTable{oid: 12227, schema: "pg_catalog", name: "pg_stat_replication", kind: 'v',
		cols: columns(`pid integer, usesysid oid, usename name, application_name text, client_addr inet,
			client_hostname text, client_port integer, backend_start timestamp with time zone, backend_xmin xid,
			state text, sent_lsn pg_lsn, write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn,
			write_lag interval, flush_lag interval, replay_lag interval, sync_priority integer, sync_state text,
			reply_time timestamp with time zone`)},
	&systemTable{oid: 12095, schema: "pg_catalog", name: "pg_prepared_statements", kind: 'v',
		cols: columns(`name text, statement text, prepare_time timestamp with time zone, parameter_types regtype[],
			result_types regtype[], from_sql boolean, generic_plans bigint, custom_plans bigint`)},
	&systemTable{oid: 12077, schema: "pg_catalog", name: "pg_cursors", kind: 'v',
		cols: columns(`name text, statement text, is_holdable boolean, is_binary boolean, is_scrollable boolean,
			creation_time timestamp with time zone`)},
	&systemTable{oid: 12090, schema: "pg_catalog", name: "pg_prepared_xacts", kind: 'v',
		cols: columns("transaction xid, gid text, prepared timestamp with time zone, owner name, database name")},
	&systemTable{oid: 12126, schema: "pg_catalog", name: "pg_timezone_names", kind: 'v',
		cols: columns("name text, abbrev text, utc_offset interval, is_dst boolean"),
		rows: func(c *sysContext, emit func(sysRow)) {
			emit(sysRow{"name": "UTC", "abbrev": "UTC", "utc_offset": types.IntervalValue{}, "is_dst": false})
		}},
	&systemTable{oid: 12110, schema: "pg_catalog", name: "pg_file_settings", kind: 'v',
		cols: columns("sourcefile text, sourceline integer, seqno integer, name text, setting text, applied boolean, error text")},
)
