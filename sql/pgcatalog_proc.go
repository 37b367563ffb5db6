package sql

import (
	"sort"
	"strings"
	"sync"

	"portalsdb/exec/expr"
	"portalsdb/sql/catalog"
	"portalsdb/types"
)

// pg_proc, pg_aggregate, pg_operator and pg_language list the built-in
// functions of exec/expr's registry, plus the type input/output functions
// and access method handlers that pg_type and pg_am name.
//
// portalsdb's functions have no stored OIDs. They are numbered in the
// order of (name, argument types) from firstProcOID, so the numbers are
// stable for a given build; they change only when the set of built-in
// functions does.

const (
	firstProcOID     uint32 = 8000
	firstOperatorOID uint32 = 6000
	anyOID           uint32 = 2276
	anyElementOID    uint32 = 2283
	internalLangOID  uint32 = 12
)

// procInfo is one row of pg_proc.
type procInfo struct {
	oid      uint32
	name     string
	kind     byte // f function, a aggregate, w window
	args     []uint32
	variadic uint32
	ret      uint32
	retset   bool
	strict   bool
	volatile byte // i immutable, s stable, v volatile

	// portal is set on the rows of portals, which pg_proc lists as SQL
	// functions returning a table (portalProc).
	portal *catalog.Portal
}

// operatorInfo is one row of pg_operator.
type operatorInfo struct {
	oid                 uint32
	name                string
	kind                byte // b infix, l prefix
	left, right, result uint32
}

// procCatalog is the list of built-in functions and operators, built once.
type procCatalog struct {
	procs     []*procInfo
	byOID     map[uint32]*procInfo
	byName    map[string][]*procInfo
	operators []*operatorInfo
}

var builtinProcs = sync.OnceValue(buildProcCatalog)

// procOID returns the OID of the first built-in function of a name, or 0.
func procOID(name string) uint32 {
	if ps := builtinProcs().byName[name]; len(ps) > 0 {
		return ps[0].oid
	}
	return 0
}

func isOperatorName(name string) bool {
	if name == "" {
		return true
	}
	c := name[0]
	return !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

func typeOIDs(ts []types.T) []uint32 {
	out := make([]uint32, len(ts))
	for i, t := range ts {
		out[i] = retOID(t)
	}
	return out
}

// retOID maps a type to a pg_type OID, polymorphic results to anyelement.
func retOID(t types.T) uint32 {
	if t.Kind == types.Unknown {
		return anyElementOID
	}
	return t.Oid()
}

func buildProcCatalog() *procCatalog {
	var procs []*procInfo
	var ops []*operatorInfo
	reg := expr.Builtins
	for _, name := range reg.Names() {
		for _, o := range reg.Overloads(name) {
			if isOperatorName(name) || o.Infix {
				if o.Match == nil && len(o.Args) > 0 && len(o.Args) <= 2 {
					op := &operatorInfo{name: name, kind: 'b', result: retOID(o.Ret)}
					if len(o.Args) == 1 {
						op.kind, op.right = 'l', retOID(o.Args[0])
					} else {
						op.left, op.right = retOID(o.Args[0]), retOID(o.Args[1])
					}
					ops = append(ops, op)
				}
				continue
			}
			p := &procInfo{name: name, kind: 'f', ret: retOID(o.Ret), strict: !o.NullCall, volatile: 'i'}
			switch {
			case o.Volatile:
				p.volatile = 'v'
			case o.Stable:
				p.volatile = 's'
			}
			if o.Match != nil {
				p.args, p.variadic = []uint32{anyOID}, anyOID
			} else {
				p.args = typeOIDs(o.Args)
				if o.Variadic && len(o.Args) > 0 {
					p.variadic = o.Args[len(o.Args)-1].Oid()
				}
			}
			procs = append(procs, p)
		}
	}
	for _, a := range reg.Aggregates() {
		p := &procInfo{name: a.Name, kind: 'a', ret: retOID(a.Ret), volatile: 'i'}
		switch {
		case a.Star:
		case a.Match != nil:
			p.args, p.variadic = []uint32{anyOID}, anyOID
		default:
			p.args = typeOIDs(a.Args)
		}
		procs = append(procs, p)
	}
	for _, w := range []struct {
		name string
		args []uint32
		ret  uint32
	}{
		{"row_number", nil, 20}, {"rank", nil, 20}, {"dense_rank", nil, 20}, {"percent_rank", nil, 701},
		{"cume_dist", nil, 701}, {"ntile", []uint32{23}, 23}, {"lag", []uint32{anyElementOID}, anyElementOID},
		{"lead", []uint32{anyElementOID}, anyElementOID}, {"first_value", []uint32{anyElementOID}, anyElementOID},
		{"last_value", []uint32{anyElementOID}, anyElementOID}, {"nth_value", []uint32{anyElementOID, 23}, anyElementOID},
	} {
		procs = append(procs, &procInfo{name: w.name, kind: 'w', args: w.args, ret: w.ret, volatile: 'i'})
	}
	for _, name := range []string{"generate_series", "unnest"} {
		procs = append(procs, &procInfo{name: name, kind: 'f', args: []uint32{anyOID}, variadic: anyOID,
			ret: anyElementOID, retset: true, strict: true, volatile: 'i'})
	}
	// The functions pg_type and pg_am name.
	support := map[string]bool{"heap_tableam_handler": true, "bthandler": true}
	for _, ti := range pgTypes {
		for _, n := range []string{ti.input, ti.output, ti.receive, ti.send, ti.modin, ti.modout, ti.subscript} {
			if n != "" {
				support[n] = true
			}
		}
	}
	for n := range support {
		procs = append(procs, &procInfo{name: n, kind: 'f', args: []uint32{2281}, ret: 2281, strict: true, volatile: 'i'})
	}

	sort.SliceStable(procs, func(i, j int) bool {
		if procs[i].name != procs[j].name {
			return procs[i].name < procs[j].name
		}
		return argKey(procs[i].args) < argKey(procs[j].args)
	})
	pc := &procCatalog{byOID: map[uint32]*procInfo{}, byName: map[string][]*procInfo{}}
	seen := map[string]bool{}
	next := firstProcOID
	for _, p := range procs {
		key := p.name + "(" + argKey(p.args) + ")" + string(p.kind)
		if seen[key] {
			continue
		}
		seen[key] = true
		p.oid = next
		next++
		pc.procs = append(pc.procs, p)
		pc.byOID[p.oid] = p
		pc.byName[p.name] = append(pc.byName[p.name], p)
	}
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].name != ops[j].name {
			return ops[i].name < ops[j].name
		}
		return argKey([]uint32{ops[i].left, ops[i].right}) < argKey([]uint32{ops[j].left, ops[j].right})
	})
	nextOp := firstOperatorOID
	seenOp := map[string]bool{}
	for _, op := range ops {
		key := op.name + argKey([]uint32{op.left, op.right})
		if seenOp[key] {
			continue
		}
		seenOp[key] = true
		op.oid = nextOp
		nextOp++
		pc.operators = append(pc.operators, op)
	}
	return pc
}

func argKey(args []uint32) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = formatType(a, -1)
	}
	return strings.Join(parts, ",")
}

// functionArguments is pg_get_function_arguments: the argument types,
// with VARIADIC before a variadic one.
func functionArguments(p *procInfo) string {
	parts := make([]string, len(p.args))
	for i, a := range p.args {
		parts[i] = formatType(a, -1)
		if i == len(p.args)-1 && p.variadic != 0 {
			if a == anyOID {
				parts[i] = `VARIADIC "any"`
			} else {
				parts[i] = "VARIADIC " + formatType(a, -1) + "[]"
			}
		}
	}
	return strings.Join(parts, ", ")
}

// functionResult is pg_get_function_result.
func functionResult(p *procInfo) string {
	r := formatType(p.ret, -1)
	if p.retset {
		return "SETOF " + r
	}
	return r
}

var _ = defineSystemTables(
	&systemTable{oid: 1255, schema: "pg_catalog", name: "pg_proc", kind: 'r',
		cols: columns(`oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost real,
			prorows real, provariadic oid, prosupport regproc, prokind "char", prosecdef boolean,
			proleakproof boolean, proisstrict boolean, proretset boolean, provolatile "char",
			proparallel "char", pronargs smallint, pronargdefaults smallint, prorettype oid,
			proargtypes oidvector, proallargtypes oid[], proargmodes "char"[], proargnames text[],
			proargdefaults pg_node_tree, protrftypes oid[], prosrc text, probin text, prosqlbody pg_node_tree,
			proconfig text[], proacl aclitem[]`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, p := range builtinProcs().procs {
				rows := float64(0)
				if p.retset {
					rows = 1000
				}
				emit(sysRow{"oid": int64(p.oid), "proname": p.name, "pronamespace": int64(catalog.PgCatalogOID),
					"proowner": int64(catalog.PostgresRoleOID), "prolang": int64(internalLangOID), "procost": float64(1),
					"prorows": rows, "provariadic": int64(p.variadic), "prosupport": int64(0), "prokind": char(p.kind),
					"prosecdef": false, "proleakproof": false, "proisstrict": p.strict, "proretset": p.retset,
					"provolatile": char(p.volatile), "proparallel": "s", "pronargs": int64(len(p.args)),
					"pronargdefaults": int64(0), "prorettype": int64(p.ret), "proargtypes": oidList(p.args...),
					"prosrc": p.name})
			}
			for _, p := range c.portalProcs() {
				emit(c.portalProcRow(p))
			}
		}},

	&systemTable{oid: 2600, schema: "pg_catalog", name: "pg_aggregate", kind: 'r',
		cols: columns(`aggfnoid regproc, aggkind "char", aggnumdirectargs smallint, aggtransfn regproc,
			aggfinalfn regproc, aggcombinefn regproc, aggserialfn regproc, aggdeserialfn regproc,
			aggmtransfn regproc, aggminvtransfn regproc, aggmfinalfn regproc, aggfinalextra boolean,
			aggmfinalextra boolean, aggfinalmodify "char", aggmfinalmodify "char", aggsortop oid,
			aggtranstype oid, aggtransspace integer, aggmtranstype oid, aggmtransspace integer,
			agginitval text, aggminitval text`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, p := range builtinProcs().procs {
				if p.kind != 'a' {
					continue
				}
				emit(sysRow{"aggfnoid": int64(p.oid), "aggkind": "n", "aggnumdirectargs": int64(0),
					"aggtransfn": int64(0), "aggfinalfn": int64(0), "aggcombinefn": int64(0), "aggserialfn": int64(0),
					"aggdeserialfn": int64(0), "aggmtransfn": int64(0), "aggminvtransfn": int64(0), "aggmfinalfn": int64(0),
					"aggfinalextra": false, "aggmfinalextra": false, "aggfinalmodify": "r", "aggmfinalmodify": "r",
					"aggsortop": int64(0), "aggtranstype": int64(2281), "aggtransspace": int64(0),
					"aggmtranstype": int64(0), "aggmtransspace": int64(0)})
			}
		}},

	&systemTable{oid: 2617, schema: "pg_catalog", name: "pg_operator", kind: 'r',
		cols: columns(`oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind "char", oprcanmerge boolean,
			oprcanhash boolean, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid,
			oprcode regproc, oprrest regproc, oprjoin regproc`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, op := range builtinProcs().operators {
				emit(sysRow{"oid": int64(op.oid), "oprname": op.name, "oprnamespace": int64(catalog.PgCatalogOID),
					"oprowner": int64(catalog.PostgresRoleOID), "oprkind": char(op.kind), "oprcanmerge": false,
					"oprcanhash": op.name == "=", "oprleft": int64(op.left), "oprright": int64(op.right),
					"oprresult": int64(op.result), "oprcom": int64(0), "oprnegate": int64(0), "oprcode": int64(0),
					"oprrest": int64(0), "oprjoin": int64(0)})
			}
		}},

	&systemTable{oid: 2612, schema: "pg_catalog", name: "pg_language", kind: 'r',
		cols: columns(`oid oid, lanname name, lanowner oid, lanispl boolean, lanpltrusted boolean,
			lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl aclitem[]`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, l := range []struct {
				oid     uint32
				name    string
				trusted bool
			}{{internalLangOID, "internal", false}, {13, "c", false}, {14, "sql", true}} {
				emit(sysRow{"oid": int64(l.oid), "lanname": l.name, "lanowner": int64(catalog.PostgresRoleOID),
					"lanispl": false, "lanpltrusted": l.trusted, "lanplcallfoid": int64(0), "laninline": int64(0),
					"lanvalidator": int64(0)})
			}
		}},

	&systemTable{oid: 1247, schema: "pg_catalog", name: "pg_type", kind: 'r',
		cols: columns(`oid oid, typname name, typnamespace oid, typowner oid, typlen smallint, typbyval boolean,
			typtype "char", typcategory "char", typispreferred boolean, typisdefined boolean, typdelim "char",
			typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc,
			typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc,
			typalign "char", typstorage "char", typnotnull boolean, typbasetype oid, typtypmod integer,
			typndims integer, typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]`),
		rows: func(c *sysContext, emit func(sysRow)) {
			for _, ti := range pgTypes {
				emit(sysRow{"oid": int64(ti.oid), "typname": ti.name, "typnamespace": int64(catalog.PgCatalogOID),
					"typowner": int64(catalog.PostgresRoleOID), "typlen": int64(ti.len), "typbyval": ti.byval,
					"typtype": char(ti.typtype), "typcategory": char(ti.category), "typispreferred": ti.preferred,
					"typisdefined": true, "typdelim": ",", "typrelid": int64(0), "typsubscript": int64(procOID(ti.subscript)),
					"typelem": int64(ti.elem), "typarray": int64(ti.array), "typinput": int64(procOID(ti.input)),
					"typoutput": int64(procOID(ti.output)), "typreceive": int64(procOID(ti.receive)),
					"typsend": int64(procOID(ti.send)), "typmodin": int64(procOID(ti.modin)),
					"typmodout": int64(procOID(ti.modout)), "typanalyze": int64(0), "typalign": char(ti.align),
					"typstorage": char(ti.storage), "typnotnull": false, "typbasetype": int64(0),
					"typtypmod": int64(-1), "typndims": int64(0), "typcollation": int64(ti.collation)})
			}
		}},
)
