package sql

import (
	"strconv"
	"strings"

	"portalsdb/exec/expr"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// information_schema: the SQL standard's views of the catalog, with
// PostgreSQL's column names. Its domains map to plain types:
// sql_identifier and character_data to text, cardinal_number to integer,
// yes_or_no to text, time_stamp to timestamptz. OIDs are PostgreSQL 15's.

const infoSchema = "information_schema"

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// infoDataType is information_schema's data_type for a type: the SQL name
// without modifiers, ARRAY for arrays.
func infoDataType(t types.T) string {
	switch t.Kind {
	case types.Array:
		return "ARRAY"
	case types.Char:
		return "character"
	}
	return types.T{Kind: t.Kind, Mod: -1}.String()
}

// userTables lists the relations of user schemas of the given kinds.
func (c *sysContext) userTables(kinds string) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range c.snap.Tables() {
		if strings.IndexByte(kinds, relKind(t.Kind)) >= 0 {
			out = append(out, t)
		}
	}
	return out
}

// columnFacts fills the type columns information_schema.columns shares
// with other views.
func columnFacts(row sysRow, t types.T) {
	row["data_type"] = infoDataType(t)
	ti := typeInfoOf(t)
	row["udt_catalog"], row["udt_schema"], row["udt_name"] = "postgres", "pg_catalog", ti.name
	switch t.Kind {
	case types.Varchar, types.Char:
		if t.Mod >= 0 {
			row["character_maximum_length"] = int64(t.Mod)
			row["character_octet_length"] = int64(t.Mod) * 4
		} else {
			row["character_octet_length"] = int64(1073741824)
		}
	case types.Text:
		row["character_octet_length"] = int64(1073741824)
	case types.Int2, types.Int4, types.Int8:
		row["numeric_precision"] = map[types.Kind]int64{types.Int2: 16, types.Int4: 32, types.Int8: 64}[t.Kind]
		row["numeric_precision_radix"], row["numeric_scale"] = int64(2), int64(0)
	case types.Float4, types.Float8:
		row["numeric_precision"] = map[types.Kind]int64{types.Float4: 24, types.Float8: 53}[t.Kind]
		row["numeric_precision_radix"] = int64(2)
	case types.Numeric:
		row["numeric_precision_radix"] = int64(10)
		if p, s, ok := t.NumericPrecisionScale(); ok {
			row["numeric_precision"], row["numeric_scale"] = int64(p), int64(s)
		}
	case types.Date:
		row["datetime_precision"] = int64(0)
	case types.Time, types.Timestamp, types.TimestampTZ, types.Interval:
		row["datetime_precision"] = int64(6)
	}
}

var _ = defineSystemTables(
	&systemTable{oid: 13382, schema: infoSchema, name: "schemata", kind: 'v',
		cols: columns(`catalog_name sql_identifier, schema_name sql_identifier, schema_owner sql_identifier,
			default_character_set_catalog sql_identifier, default_character_set_schema sql_identifier,
			default_character_set_name sql_identifier, sql_path character_data`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, sc := range c.snap.Schemas() {
				emit(sysRow{"catalog_name": "postgres", "schema_name": sc.Name, "schema_owner": c.roleName(schemaOwner(sc))})
			}
		}},

	&systemTable{oid: 13425, schema: infoSchema, name: "tables", kind: 'v',
		cols: columns(`table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
			table_type character_data, self_referencing_column_name sql_identifier,
			reference_generation character_data, user_defined_type_catalog sql_identifier,
			user_defined_type_schema sql_identifier, user_defined_type_name sql_identifier,
			is_insertable_into yes_or_no, is_typed yes_or_no, commit_action character_data`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				var kind string
				switch r.kind {
				case 'r':
					kind = "BASE TABLE"
				case 'v':
					kind = "VIEW"
				default:
					continue
				}
				insertable := r.kind == 'r' && r.sys == nil
				if r.kind == 'v' && r.table != nil {
					insertable, _ = viewUpdatable(r.table.ViewSQL, len(r.table.Columns))
				}
				emit(sysRow{"table_catalog": "postgres", "table_schema": c.schemaName(r.nsp), "table_name": r.name,
					"table_type": kind, "is_insertable_into": yesNo(insertable), "is_typed": "NO"})
			}
		}},

	&systemTable{oid: 13295, schema: infoSchema, name: "columns", kind: 'v',
		cols: columns(`table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
			column_name sql_identifier, ordinal_position cardinal_number, column_default character_data,
			is_nullable yes_or_no, data_type character_data, character_maximum_length cardinal_number,
			character_octet_length cardinal_number, numeric_precision cardinal_number,
			numeric_precision_radix cardinal_number, numeric_scale cardinal_number,
			datetime_precision cardinal_number, interval_type character_data, interval_precision cardinal_number,
			character_set_catalog sql_identifier, character_set_schema sql_identifier,
			character_set_name sql_identifier, collation_catalog sql_identifier, collation_schema sql_identifier,
			collation_name sql_identifier, domain_catalog sql_identifier, domain_schema sql_identifier,
			domain_name sql_identifier, udt_catalog sql_identifier, udt_schema sql_identifier,
			udt_name sql_identifier, scope_catalog sql_identifier, scope_schema sql_identifier,
			scope_name sql_identifier, maximum_cardinality cardinal_number, dtd_identifier sql_identifier,
			is_self_referencing yes_or_no, is_identity yes_or_no, identity_generation character_data,
			identity_start character_data, identity_increment character_data, identity_maximum character_data,
			identity_minimum character_data, identity_cycle yes_or_no, is_generated character_data,
			generation_expression character_data, is_updatable yes_or_no`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				// As in PostgreSQL, materialized views (workflows) are not listed.
				if r.kind != 'r' && r.kind != 'v' {
					continue
				}
				updatable := make([]bool, len(r.attrs))
				if r.kind == 'r' && r.sys == nil {
					for i := range updatable {
						updatable[i] = true
					}
				} else if r.kind == 'v' && r.table != nil {
					_, updatable = viewUpdatable(r.table.ViewSQL, len(r.attrs))
				}
				for i, a := range r.attrs {
					row := sysRow{"table_catalog": "postgres", "table_schema": c.schemaName(r.nsp), "table_name": r.name,
						"column_name": a.name, "ordinal_position": int64(i + 1), "is_nullable": yesNo(!a.notNull),
						"dtd_identifier": strconv.Itoa(i + 1), "is_self_referencing": "NO", "is_identity": yesNo(a.identity != ""),
						"identity_cycle": "NO", "is_generated": "NEVER", "is_updatable": yesNo(updatable[i])}
					columnFacts(row, a.typ)
					if a.identity != "" {
						row["identity_generation"], row["identity_start"], row["identity_increment"] = "BY DEFAULT", "1", "1"
						row["identity_minimum"] = "1"
						row["identity_maximum"] = strconv.FormatInt(seqMax(a.typ), 10)
					}
					if a.hasDef && r.table != nil {
						if def, err := c.getExpr(r.table.Columns[i].Default, r.oid, false); err == nil && def != nil {
							row["column_default"] = def
						}
					}
					emit(row)
				}
			}
		}},

	&systemTable{oid: 13483, schema: infoSchema, name: "views", kind: 'v',
		cols: columns(`table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
			view_definition character_data, check_option character_data, is_updatable yes_or_no,
			is_insertable_into yes_or_no, is_trigger_updatable yes_or_no, is_trigger_deletable yes_or_no,
			is_trigger_insertable_into yes_or_no`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, r := range c.relations() {
				if r.kind != 'v' {
					continue
				}
				updatable, checkOption := false, "NONE"
				if r.table != nil {
					updatable, _ = viewUpdatable(r.table.ViewSQL, len(r.table.Columns))
					checkOption = checkOptionName(r.table.ViewCheckOption)
				}
				row := sysRow{"table_catalog": "postgres", "table_schema": c.schemaName(r.nsp), "table_name": r.name,
					"check_option": checkOption, "is_updatable": yesNo(updatable), "is_insertable_into": yesNo(updatable),
					"is_trigger_updatable": "NO", "is_trigger_deletable": "NO", "is_trigger_insertable_into": "NO"}
				if def, err := c.viewDef(r, false); err == nil && def != nil {
					row["view_definition"] = def
				}
				emit(row)
			}
		}},

	&systemTable{oid: 13411, schema: infoSchema, name: "table_constraints", kind: 'v',
		cols: columns(`constraint_catalog sql_identifier, constraint_schema sql_identifier,
			constraint_name sql_identifier, table_catalog sql_identifier, table_schema sql_identifier,
			table_name sql_identifier, constraint_type character_data, is_deferrable yes_or_no,
			initially_deferred yes_or_no, enforced yes_or_no, nulls_distinct yes_or_no`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, con := range c.derived.constraints {
				kind := map[byte]string{'p': "PRIMARY KEY", 'u': "UNIQUE", 'c': "CHECK"}[con.kind]
				row := sysRow{"constraint_catalog": "postgres", "constraint_schema": c.schemaName(con.table.Schema),
					"constraint_name": con.name, "table_catalog": "postgres", "table_schema": c.schemaName(con.table.Schema),
					"table_name": con.table.Name, "constraint_type": kind, "is_deferrable": "NO",
					"initially_deferred": "NO", "enforced": "YES"}
				if con.kind == 'u' {
					row["nulls_distinct"] = "YES"
				}
				emit(row)
			}
			// NOT NULL columns appear as CHECK constraints named as
			// PostgreSQL names them.
			for _, t := range c.userTables("r") {
				for i, col := range t.Columns {
					if !col.NotNull {
						continue
					}
					emit(sysRow{"constraint_catalog": "postgres", "constraint_schema": c.schemaName(t.Schema),
						"constraint_name": notNullName(t, i), "table_catalog": "postgres",
						"table_schema": c.schemaName(t.Schema), "table_name": t.Name, "constraint_type": "CHECK",
						"is_deferrable": "NO", "initially_deferred": "NO", "enforced": "YES"})
				}
			}
		}},

	&systemTable{oid: 13260, schema: infoSchema, name: "check_constraints", kind: 'v',
		cols: columns("constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier, check_clause character_data"),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, con := range c.derived.constraints {
				if con.kind != 'c' {
					continue
				}
				def, err := c.constraintDef(con.oid, false)
				if err != nil || def == nil {
					continue
				}
				// As PostgreSQL's view, the definition without "CHECK ".
				clause := strings.TrimPrefix(def.(string), "CHECK ")
				emit(sysRow{"constraint_catalog": "postgres", "constraint_schema": c.schemaName(con.table.Schema),
					"constraint_name": con.name, "check_clause": clause})
			}
			for _, t := range c.userTables("r") {
				for i, col := range t.Columns {
					if col.NotNull {
						emit(sysRow{"constraint_catalog": "postgres", "constraint_schema": c.schemaName(t.Schema),
							"constraint_name": notNullName(t, i), "check_clause": expr.QuoteIdent(col.Name) + " IS NOT NULL"})
					}
				}
			}
		}},

	&systemTable{oid: 13329, schema: infoSchema, name: "key_column_usage", kind: 'v',
		cols: columns(`constraint_catalog sql_identifier, constraint_schema sql_identifier,
			constraint_name sql_identifier, table_catalog sql_identifier, table_schema sql_identifier,
			table_name sql_identifier, column_name sql_identifier, ordinal_position cardinal_number,
			position_in_unique_constraint cardinal_number`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, con := range c.derived.constraints {
				if con.kind != 'p' && con.kind != 'u' {
					continue
				}
				for i, n := range con.attnums {
					if n < 1 || int(n) > len(con.table.Columns) {
						continue
					}
					emit(sysRow{"constraint_catalog": "postgres", "constraint_schema": c.schemaName(con.table.Schema),
						"constraint_name": con.name, "table_catalog": "postgres", "table_schema": c.schemaName(con.table.Schema),
						"table_name": con.table.Name, "column_name": con.table.Columns[n-1].Name, "ordinal_position": int64(i + 1)})
				}
			}
		}},

	&systemTable{oid: 13300, schema: infoSchema, name: "constraint_column_usage", kind: 'v',
		cols: columns(`table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
			column_name sql_identifier, constraint_catalog sql_identifier, constraint_schema sql_identifier,
			constraint_name sql_identifier`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, con := range c.derived.constraints {
				nums := con.attnums
				if con.kind == 'c' {
					nums = c.checkColumns(con)
				}
				for _, n := range nums {
					if n < 1 || int(n) > len(con.table.Columns) {
						continue
					}
					emit(sysRow{"table_catalog": "postgres", "table_schema": c.schemaName(con.table.Schema),
						"table_name": con.table.Name, "column_name": con.table.Columns[n-1].Name,
						"constraint_catalog": "postgres", "constraint_schema": c.schemaName(con.table.Schema),
						"constraint_name": con.name})
				}
			}
		}},

	&systemTable{oid: 13339, schema: infoSchema, name: "referential_constraints", kind: 'v',
		cols: columns(`constraint_catalog sql_identifier, constraint_schema sql_identifier,
			constraint_name sql_identifier, unique_constraint_catalog sql_identifier,
			unique_constraint_schema sql_identifier, unique_constraint_name sql_identifier,
			match_option character_data, update_rule character_data, delete_rule character_data`)},

	&systemTable{oid: 13386, schema: infoSchema, name: "sequences", kind: 'v',
		cols: columns(`sequence_catalog sql_identifier, sequence_schema sql_identifier, sequence_name sql_identifier,
			data_type character_data, numeric_precision cardinal_number, numeric_precision_radix cardinal_number,
			numeric_scale cardinal_number, start_value character_data, minimum_value character_data,
			maximum_value character_data, increment character_data, cycle_option yes_or_no`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, t := range c.derived.sequences {
				sd := t.Sequence
				cycle := "NO"
				if sd.Cycle {
					cycle = "YES"
				}
				row := sysRow{"sequence_catalog": "postgres", "sequence_schema": c.schemaName(t.Schema),
					"sequence_name": t.Name, "start_value": strconv.FormatInt(sd.Start, 10),
					"minimum_value": strconv.FormatInt(sd.Min, 10), "maximum_value": strconv.FormatInt(sd.Max, 10),
					"increment": strconv.FormatInt(sd.Increment, 10), "cycle_option": cycle}
				columnFacts(row, sd.Type)
				for _, k := range []string{"udt_catalog", "udt_schema", "udt_name"} {
					delete(row, k)
				}
				emit(row)
			}
		}},

	&systemTable{oid: 13440, schema: infoSchema, name: "triggers", kind: 'v',
		cols: columns(`trigger_catalog sql_identifier, trigger_schema sql_identifier, trigger_name sql_identifier,
			event_manipulation character_data, event_object_catalog sql_identifier,
			event_object_schema sql_identifier, event_object_table sql_identifier, action_order cardinal_number,
			action_condition character_data, action_statement character_data, action_orientation character_data,
			action_timing character_data, action_reference_old_table sql_identifier,
			action_reference_new_table sql_identifier, action_reference_old_row sql_identifier,
			action_reference_new_row sql_identifier, created time_stamp`)},

	&systemTable{oid: 13377, schema: infoSchema, name: "routines", kind: 'v',
		cols: columns(`specific_catalog sql_identifier, specific_schema sql_identifier, specific_name sql_identifier,
			routine_catalog sql_identifier, routine_schema sql_identifier, routine_name sql_identifier,
			routine_type character_data, module_catalog sql_identifier, module_schema sql_identifier,
			module_name sql_identifier, udt_catalog sql_identifier, udt_schema sql_identifier,
			udt_name sql_identifier, data_type character_data, character_maximum_length cardinal_number,
			character_octet_length cardinal_number, numeric_precision cardinal_number,
			numeric_precision_radix cardinal_number, numeric_scale cardinal_number,
			datetime_precision cardinal_number, type_udt_catalog sql_identifier, type_udt_schema sql_identifier,
			type_udt_name sql_identifier, dtd_identifier sql_identifier, routine_body character_data,
			routine_definition character_data, external_name character_data, external_language character_data,
			parameter_style character_data, is_deterministic yes_or_no, sql_data_access character_data,
			is_null_call yes_or_no, sql_path character_data, schema_level_routine yes_or_no,
			max_dynamic_result_sets cardinal_number, is_user_defined_cast yes_or_no,
			is_implicitly_invocable yes_or_no, security_type character_data, created time_stamp,
			last_altered time_stamp, new_savepoint_level yes_or_no, is_udt_dependent yes_or_no`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, p := range c.snap.Portals() {
				emit(portalRoutineRow(c, p))
			}
		}},

	&systemTable{oid: 13334, schema: infoSchema, name: "parameters", kind: 'v',
		cols: columns(`specific_catalog sql_identifier, specific_schema sql_identifier, specific_name sql_identifier,
			ordinal_position cardinal_number, parameter_mode character_data, is_result yes_or_no,
			as_locator yes_or_no, parameter_name sql_identifier, data_type character_data,
			character_maximum_length cardinal_number, character_octet_length cardinal_number,
			numeric_precision cardinal_number, numeric_precision_radix cardinal_number,
			numeric_scale cardinal_number, datetime_precision cardinal_number, udt_catalog sql_identifier,
			udt_schema sql_identifier, udt_name sql_identifier, dtd_identifier sql_identifier,
			parameter_default character_data`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, p := range c.snap.Portals() {
				portalParameterRows(c, p, emit)
			}
		}},
)

// notNullName is the name PostgreSQL's information_schema gives a NOT NULL
// column: schema OID, table OID, attnum, not_null.
func notNullName(t *catalog.Table, i int) string {
	return strconv.FormatUint(uint64(t.Schema), 10) + "_" + strconv.FormatUint(uint64(t.OID), 10) + "_" +
		strconv.Itoa(i+1) + "_not_null"
}

// checkOptionName is a view's check option as information_schema.views
// reports it.
func checkOptionName(opt string) string {
	if opt == "" {
		return "NONE"
	}
	return strings.ToUpper(opt)
}
