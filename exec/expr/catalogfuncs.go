package expr

import (
	"sort"
	"strconv"
	"strings"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// The system information functions that clients and psql call: catalog
// lookups (pg_get_indexdef, pg_table_is_visible, format_type...), session
// facts (pg_backend_pid, version) and a few helpers their queries use
// (array_to_string, quote_ident, pg_size_pretty).
//
// Functions that read the catalog are declared here, so that the binder
// resolves them like any other, and evaluated by the SQL layer through
// CatalogFunctions on Ctx.Catalog: expr knows no catalog. They are Stable:
// never folded at bind time, where no catalog is at hand.

// CatalogFunctions evaluates the functions that need the catalog. The SQL
// layer implements it on the value it puts in Ctx.Catalog.
type CatalogFunctions interface {
	// CallCatalogFunction computes name(args). Strict functions are not
	// called with NULL arguments.
	CallCatalogFunction(ctx *Ctx, name string, args []types.Datum) (types.Datum, error)
}

// RegFormatter renders the value of a reg* type (regclass, regtype,
// regproc, regnamespace) as its name, for casts to text.
type RegFormatter interface {
	FormatReg(t types.T, oid int64) string
}

// catalogFunction declares one overload evaluated by CatalogFunctions.
type catalogFunction struct {
	name string
	args []types.T
	ret  types.T
	// nullCall functions see NULL arguments (format_type(NULL, ...)).
	nullCall bool
}

var (
	oidT  = types.OidType
	nameT = types.NameType
)

var catalogFunctions = []catalogFunction{
	{name: "pg_table_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_type_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_function_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_operator_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_opclass_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_opfamily_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_collation_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_conversion_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_statistics_obj_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_ts_config_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_ts_dict_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_ts_parser_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "pg_ts_template_is_visible", args: []types.T{oidT}, ret: bl},
	{name: "format_type", args: []types.T{oidT, i4}, ret: text, nullCall: true},
	{name: "pg_get_expr", args: []types.T{text, oidT}, ret: text},
	{name: "pg_get_expr", args: []types.T{text, oidT, bl}, ret: text},
	{name: "pg_get_indexdef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_indexdef", args: []types.T{oidT, i4, bl}, ret: text},
	{name: "pg_get_constraintdef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_constraintdef", args: []types.T{oidT, bl}, ret: text},
	{name: "pg_get_viewdef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_viewdef", args: []types.T{oidT, bl}, ret: text},
	{name: "pg_get_viewdef", args: []types.T{oidT, i4}, ret: text},
	{name: "pg_get_viewdef", args: []types.T{text}, ret: text},
	{name: "pg_get_viewdef", args: []types.T{text, bl}, ret: text},
	{name: "pg_get_ruledef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_ruledef", args: []types.T{oidT, bl}, ret: text},
	{name: "pg_get_triggerdef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_triggerdef", args: []types.T{oidT, bl}, ret: text},
	{name: "pg_get_partkeydef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_partition_constraintdef", args: []types.T{oidT}, ret: text},
	{name: "pg_get_statisticsobjdef_columns", args: []types.T{oidT}, ret: text},
	{name: "pg_get_userbyid", args: []types.T{oidT}, ret: nameT},
	{name: "pg_get_function_result", args: []types.T{oidT}, ret: text},
	{name: "pg_get_function_arguments", args: []types.T{oidT}, ret: text},
	{name: "pg_get_function_identity_arguments", args: []types.T{oidT}, ret: text},
	{name: "pg_get_function_sqlbody", args: []types.T{oidT}, ret: text},
	{name: "obj_description", args: []types.T{oidT}, ret: text},
	{name: "obj_description", args: []types.T{oidT, nameT}, ret: text},
	{name: "pg_get_serial_sequence", args: []types.T{text, text}, ret: text},
	{name: "pg_relation_is_publishable", args: []types.T{types.RegClassType}, ret: bl},
	{name: "pg_relation_size", args: []types.T{types.RegClassType}, ret: i8},
	{name: "pg_relation_size", args: []types.T{types.RegClassType, text}, ret: i8},
	{name: "pg_total_relation_size", args: []types.T{types.RegClassType}, ret: i8},
	{name: "pg_table_size", args: []types.T{types.RegClassType}, ret: i8},
	{name: "pg_indexes_size", args: []types.T{types.RegClassType}, ret: i8},
	{name: "pg_database_size", args: []types.T{nameT}, ret: i8},
	{name: "pg_database_size", args: []types.T{oidT}, ret: i8},
	{name: "pg_tablespace_location", args: []types.T{oidT}, ret: text},
	{name: "current_schemas", args: []types.T{bl}, ret: types.ArrayOf(types.Name)},
	{name: "version", ret: text},
	{name: "pg_backend_pid", ret: i4},
	{name: "pg_postmaster_start_time", ret: types.TimestampTZType},
	{name: "pg_conf_load_time", ret: types.TimestampTZType},
	{name: "to_regclass", args: []types.T{text}, ret: types.RegClassType},
	{name: "to_regtype", args: []types.T{text}, ret: types.RegTypeType},
	{name: "to_regproc", args: []types.T{text}, ret: types.RegProcType},
	{name: "to_regnamespace", args: []types.T{text}, ret: types.RegNamespaceTyp},
}

// nullReturning are functions that answer NULL in portalsdb: comments on
// columns and shared objects (portalsdb stores no comments; the SQL layer
// describes its own objects through obj_description), the server's
// network address (clients that connect over a Unix socket see NULL from
// PostgreSQL as well).
var nullReturning = []catalogFunction{
	{name: "col_description", args: []types.T{oidT, i4}, ret: text},
	{name: "shobj_description", args: []types.T{oidT, nameT}, ret: text},
	{name: "inet_server_addr", ret: text},
	{name: "inet_server_port", ret: i4},
	{name: "inet_client_addr", ret: text},
	{name: "inet_client_port", ret: i4},
}

// privilegeFunctions answer true: portalsdb has no privileges beyond
// superuser and login, so every role may do everything it can name.
var privilegeFunctions = []string{
	"has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
	"has_any_column_privilege", "has_function_privilege", "has_sequence_privilege", "has_type_privilege",
	"has_language_privilege", "has_tablespace_privilege", "has_foreign_data_wrapper_privilege",
	"has_server_privilege", "has_parameter_privilege", "pg_has_role",
}

// registerCatalogFunctions adds the catalog functions. buildBuiltins calls
// it after every other file has registered its functions, so that the
// general-purpose helpers below are added only where no other file already
// defines them.
func registerCatalogFunctions(r *Registry) {
	for _, f := range catalogFunctions {
		f := f
		r.add(&Overload{Name: f.name, Args: f.args, Ret: f.ret, Stable: true, NullCall: f.nullCall,
			Row: func(ctx *Ctx, a []types.Datum) (types.Datum, error) { return callCatalog(ctx, f.name, a) }})
	}
	for _, f := range nullReturning {
		r.add(&Overload{Name: f.name, Args: f.args, Ret: f.ret, Stable: true, NullCall: true,
			Row: func(*Ctx, []types.Datum) (types.Datum, error) { return nil, nil }})
	}
	for _, name := range privilegeFunctions {
		r.add(&Overload{Name: name, Stable: true, Match: func(args []types.T) (types.T, bool) {
			return bl, len(args) >= 2 && len(args) <= 4
		}, Row: func(*Ctx, []types.Datum) (types.Datum, error) { return true, nil }})
	}
	r.add(&Overload{Name: "pg_is_in_recovery", Ret: bl, Stable: true, Row: func(*Ctx, []types.Datum) (types.Datum, error) { return false, nil }})
	r.add(&Overload{Name: "pg_encoding_to_char", Args: []types.T{i4}, Ret: nameT, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return encodingNameByID(a[0].(int64)), nil
	}})
	r.add(&Overload{Name: "pg_char_to_encoding", Args: []types.T{nameT}, Ret: i4, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		for id, n := range encodingNames {
			if strings.EqualFold(n, a[0].(string)) {
				return int64(id), nil
			}
		}
		return int64(-1), nil
	}})
	r.add(&Overload{Name: "pg_encoding_max_length", Args: []types.T{i4}, Ret: i4, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		if a[0].(int64) == 6 {
			return int64(4), nil
		}
		return int64(1), nil
	}})
	registerCatalogHelpers(r)
}

// callCatalog hands a catalog function to the SQL layer.
func callCatalog(ctx *Ctx, name string, args []types.Datum) (types.Datum, error) {
	if ctx == nil || ctx.Catalog == nil {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s cannot be evaluated without a catalog", name)
	}
	cf, ok := ctx.Catalog.(CatalogFunctions)
	if !ok {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s cannot be evaluated without a catalog", name)
	}
	return cf.CallCatalogFunction(ctx, name, args)
}

// encodingNames are PostgreSQL's encoding numbers for the encodings a
// client may name; portalsdb stores UTF8 only.
var encodingNames = map[int64]string{0: "SQL_ASCII", 6: "UTF8", 8: "LATIN1"}

func encodingNameByID(id int64) string {
	if n, ok := encodingNames[id]; ok {
		return n
	}
	return ""
}

// addIfMissing registers o unless the registry already resolves a call of
// that name with the probe argument types.
func addIfMissing(r *Registry, probe []types.T, o *Overload) {
	if _, err := r.Resolve(o.Name, probe); err == nil {
		return
	}
	r.add(o)
}

// registerCatalogHelpers adds the general functions catalog queries use,
// where no other file defines them.
func registerCatalogHelpers(r *Registry) {
	textArr := types.ArrayOf(types.Text)
	addIfMissing(r, []types.T{text}, &Overload{Name: "quote_ident", Args: []types.T{text}, Ret: text,
		Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) { return QuoteIdent(a[0].(string)), nil }})
	arrayToString := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		var nullStr *string
		if len(a) > 2 && a[2] != nil {
			s := a[2].(string)
			nullStr = &s
		}
		return ArrayToString(a[0].([]types.Datum), a[1].(string), nullStr), nil
	}
	anyArray := func(args []types.T, extra ...types.Kind) bool {
		if len(args) != 1+len(extra) || args[0].Kind != types.Array && args[0].Kind != types.Unknown {
			return false
		}
		for i, k := range extra {
			if !args[i+1].IsString() && args[i+1].Kind != types.Unknown && args[i+1].Kind != k {
				return false
			}
		}
		return true
	}
	addIfMissing(r, []types.T{textArr, text}, &Overload{Name: "array_to_string", NullCall: true,
		Match: func(args []types.T) (types.T, bool) {
			return text, anyArray(args, types.Text) || anyArray(args, types.Text, types.Text)
		}, Row: arrayToString})
	for _, name := range []string{"array_upper", "array_lower", "array_length"} {
		name := name
		addIfMissing(r, []types.T{textArr, i4}, &Overload{Name: name,
			Match: func(args []types.T) (types.T, bool) {
				return i4, len(args) == 2 && args[0].Kind == types.Array && (args[1].IsInteger() || args[1].Kind == types.Unknown)
			},
			Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				arr := a[0].([]types.Datum)
				if toInt(a[1]) != 1 || len(arr) == 0 {
					return nil, nil
				}
				if name == "array_lower" {
					return int64(1), nil
				}
				return int64(len(arr)), nil
			}})
	}
	addIfMissing(r, []types.T{textArr, text}, &Overload{Name: "array_position", NullCall: true,
		Match: func(args []types.T) (types.T, bool) {
			return i4, len(args) == 2 && args[0].Kind == types.Array && (args[1].Kind == args[0].Elem || args[1].Kind == types.Unknown)
		},
		Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			for i, e := range a[0].([]types.Datum) {
				if e == nil && a[1] == nil || e != nil && a[1] != nil && datumsEqual(e, a[1]) {
					return int64(i + 1), nil
				}
			}
			return nil, nil
		}})
	// array || array, array || element and element || array, as psql's
	// \d+ uses to join reloptions.
	addIfMissing(r, []types.T{textArr, textArr}, &Overload{Name: "||", Infix: true, NullCall: true,
		Match: func(args []types.T) (types.T, bool) {
			if len(args) != 2 {
				return types.T{}, false
			}
			l, rt := args[0], args[1]
			switch {
			case l.Kind == types.Array && (rt.Kind == types.Array && rt.Elem == l.Elem || rt.Kind == types.Unknown):
				return l, true
			case l.Kind == types.Array && rt.Kind == l.Elem:
				return l, true
			case rt.Kind == types.Array && l.Kind == rt.Elem:
				return rt, true
			}
			return types.T{}, false
		},
		Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			var out []types.Datum
			for _, v := range a {
				switch x := v.(type) {
				case nil:
				case []types.Datum:
					out = append(out, x...)
				default:
					out = append(out, x)
				}
			}
			if a[0] == nil && a[1] == nil {
				return nil, nil
			}
			if out == nil {
				out = []types.Datum{}
			}
			return out, nil
		}})
	for _, t := range []types.T{i8, types.NumericType} {
		t := t
		addIfMissing(r, []types.T{t}, &Overload{Name: "pg_size_pretty", Args: []types.T{t}, Ret: text,
			Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				if t.Kind == types.Numeric {
					v, err := strconv.ParseFloat(types.FormatText(t, a[0], nil), 64)
					if err != nil {
						return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid size")
					}
					return SizePretty(int64(v)), nil
				}
				return SizePretty(a[0].(int64)), nil
			}})
	}
}

func toInt(d types.Datum) int64 {
	switch v := d.(type) {
	case int64:
		return v
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	}
	return 0
}

// datumsEqual compares two non-NULL values of the same Go representation.
func datumsEqual(a, b types.Datum) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case []types.Datum:
		return false
	}
	if s, ok := b.(string); ok {
		if n, isInt := a.(int64); isInt {
			v, err := strconv.ParseInt(s, 10, 64)
			return err == nil && v == n
		}
	}
	return a == b
}

// ArrayToString joins an array's elements with sep, writing NULL elements
// as nullStr, or skipping them when nullStr is nil.
func ArrayToString(arr []types.Datum, sep string, nullStr *string) string {
	var b strings.Builder
	first := true
	for _, e := range arr {
		var s string
		if e == nil {
			if nullStr == nil {
				continue
			}
			s = *nullStr
		} else {
			s = datumText(e)
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(s)
	}
	return b.String()
}

// datumText writes an array element as text. Elements arrive in their Go
// representation without their type; the types arrays of catalog queries
// hold (text, names, integers, booleans) print unambiguously.
func datumText(d types.Datum) string {
	switch v := d.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		if v {
			return "t"
		}
		return "f"
	case float64:
		return types.FormatText(types.Float8Type, v, nil)
	}
	return types.FormatText(types.TextType, d, nil)
}

// SizePretty is pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB
// and PB, each until twice 10240 of it, rounded half away from zero.
func SizePretty(n int64) string {
	const limit = 10 * 1024
	const limit2 = limit*2 - 1
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	half := func(v int64) int64 {
		if v < 0 {
			return (v - 1) / 2
		}
		return (v + 1) / 2
	}
	if abs(n) < limit {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	// One extra bit is kept for rounding.
	n >>= 9
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if abs(n) < limit2 {
			return strconv.FormatInt(half(n), 10) + " " + unit
		}
		n >>= 10
	}
	return strconv.FormatInt(half(n), 10) + " PB"
}

// Aggregates returns every aggregate overload ordered by name, for
// pg_proc.
func (r *Registry) Aggregates() []*AggOverload {
	names := make([]string, 0, len(r.aggs))
	for n := range r.aggs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*AggOverload
	for _, n := range names {
		out = append(out, r.aggs[n]...)
	}
	return out
}
