package expr

import (
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// VecKernel computes a function over n rows. args are the evaluated
// arguments, each of length n. A kernel of a strict overload may ignore
// NULL inputs' values but must produce NULL for them.
type VecKernel func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error)

// RowKernel computes a function for one row. For a strict overload it is
// never called with a NULL argument.
type RowKernel func(ctx *Ctx, args []types.Datum) (types.Datum, error)

// Overload is one signature of a function or operator, with its kernel.
type Overload struct {
	Name string
	// Args are the parameter types. With Variadic, the last one repeats.
	Args     []types.T
	Variadic bool
	// Ret is the result type. For polymorphic overloads Match decides it.
	Ret types.T
	// Match, when set, replaces Args for resolution: it accepts or refuses
	// the actual argument types and gives the result type. Arguments are
	// passed to the kernel unconverted.
	Match func(args []types.T) (types.T, bool)
	// Poly, when set, replaces Args for polymorphic functions whose
	// arguments must be coerced: it gives the type each argument is cast
	// to (an unknown literal to the element type of an array argument,
	// say) and the result type.
	Poly func(args []types.T) (argTypes []types.T, ret types.T, ok bool)
	// Infix marks operators, for display.
	Infix bool
	// NullCall is true when the function is called on NULL inputs;
	// otherwise it is strict: any NULL argument makes the result NULL.
	NullCall bool
	// Volatile marks functions whose result may change between calls with
	// the same arguments (random()); they are never constant-folded.
	Volatile bool
	// Stable marks functions fixed within a statement but not across
	// statements (now()): folded per execution, never at plan time.
	Stable bool
	Vec    VecKernel
	Row    RowKernel
	// RowTyped is a row kernel that is also told its arguments' types,
	// for polymorphic functions (Poly) whose work depends on them.
	RowTyped func(ctx *Ctx, argTypes []types.T, args []types.Datum) (types.Datum, error)
}

// Registry holds every function, operator and cast. It is built once and
// read-only afterwards, so it is safe to share between sessions.
type Registry struct {
	funcs map[string][]*Overload
	aggs  map[string][]*AggOverload
	srfs  map[string][]*SetFunc
	// named lists the parameter names and defaults of functions that
	// accept named arguments (make_interval(days => 1)).
	named map[string]NamedParams
}

// NamedParams are a function's parameter names, in order, with their
// types and default values.
type NamedParams struct {
	Names    []string
	Types    []types.T
	Defaults []types.Datum
}

// Named returns the parameter names of a function that accepts named
// arguments.
func (r *Registry) Named(name string) (NamedParams, bool) {
	p, ok := r.named[strings.ToLower(name)]
	return p, ok
}

func newRegistry() *Registry {
	return &Registry{funcs: map[string][]*Overload{}, aggs: map[string][]*AggOverload{}}
}

func (r *Registry) add(o *Overload) {
	name := strings.ToLower(o.Name)
	r.funcs[name] = append(r.funcs[name], o)
}

// Builtins is the registry of built-in functions. It is immutable.
var Builtins = buildBuiltins()

func buildBuiltins() *Registry {
	r := newRegistry()
	registerComparison(r)
	registerArithmetic(r)
	registerLogic(r)
	registerStrings(r)
	registerMath(r)
	registerDatetime(r)
	registerMisc(r)
	registerAggregates(r)
	registerStringsMore(r)
	registerMathMore(r)
	registerRandom(r)
	registerDatetimeMore(r)
	registerToChar(r)
	registerJSON(r)
	registerAggregatesMore(r)
	registerRegexp(r)
	registerArrays(r)
	registerSetFunctions(r)
	registerSequenceFunctions(r)
	// Last: its helpers fill in only what no other file defines.
	registerCatalogFunctions(r)
	return r
}

// Has reports whether a function or operator of that name exists.
func (r *Registry) Has(name string) bool {
	_, ok := r.funcs[strings.ToLower(name)]
	return ok
}

// Overloads returns every overload of name, for catalogs.
func (r *Registry) Overloads(name string) []*Overload { return r.funcs[strings.ToLower(name)] }

// Names returns every function name, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.funcs))
	for n := range r.funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Resolution is the outcome of overload resolution: the overload, the
// types the arguments must be cast to, and the result type.
type Resolution struct {
	Fn      *Overload
	ArgType []types.T // per actual argument
	Ret     types.T
}

// Resolve picks the overload of name for arguments of the given types,
// following PostgreSQL's rules: an exact match wins; otherwise candidates
// reachable by implicit casts are ranked by exact matches, then by preferred
// types, and unknown-typed literals take the type of the other arguments.
func (r *Registry) Resolve(name string, args []types.T) (*Resolution, error) {
	cands := r.funcs[strings.ToLower(name)]
	if len(cands) == 0 {
		return nil, undefinedFunction(name, args)
	}
	type scored struct {
		res       *Resolution
		exact     int
		preferred int
		unknownOK int
		// same counts arguments of exactly the parameter's type, to break
		// ties between exact and binary-coercible matches (name = name
		// over text = text).
		same int
	}
	var viable []scored
	for _, o := range cands {
		if o.Poly != nil {
			if at, ret, ok := o.Poly(args); ok {
				viable = append(viable, scored{res: &Resolution{Fn: o, ArgType: at, Ret: ret}, exact: len(args) - 1})
			}
			continue
		}
		if o.Match != nil {
			if ret, ok := o.Match(args); ok {
				at := make([]types.T, len(args))
				copy(at, args)
				for i, a := range at {
					if a.Kind == types.Unknown {
						at[i] = types.TextType
					}
				}
				viable = append(viable, scored{res: &Resolution{Fn: o, ArgType: at, Ret: ret}, exact: len(args) - 1})
			}
			continue
		}
		params, ok := o.paramsFor(len(args))
		if !ok {
			continue
		}
		s := scored{res: &Resolution{Fn: o, ArgType: params, Ret: o.Ret}}
		good := true
		for i, a := range args {
			p := params[i]
			switch {
			case a.Same(p) || binaryCoercible(a, p):
				s.exact++
				if a.Same(p) {
					s.same++
				}
			case a.Kind == types.Unknown:
				// Filled in below.
			case CanCast(a, p, CastImplicit):
				if isPreferred(p) {
					s.preferred++
				}
			default:
				good = false
			}
			if !good {
				break
			}
		}
		if good {
			viable = append(viable, s)
		}
	}
	if len(viable) == 0 {
		return nil, undefinedFunction(name, args)
	}
	if len(viable) == 1 {
		return viable[0].res, nil
	}
	// Unknown arguments: prefer candidates whose parameter for them matches
	// the type of the known arguments, when those all agree; else the
	// string category.
	var known types.T
	allSame := true
	haveKnown := false
	for _, a := range args {
		if a.Kind == types.Unknown {
			continue
		}
		if haveKnown && !a.Same(known) {
			allSame = false
		}
		known = a
		haveKnown = true
	}
	// At an unknown argument's position, a candidate taking a string
	// wins over the others, as in PostgreSQL's resolution.
	stringAt := make([]bool, len(args))
	for i := range viable {
		for j, a := range args {
			if a.Kind == types.Unknown && viable[i].res.ArgType[j].Category() == 'S' {
				stringAt[j] = true
			}
		}
	}
	for i := range viable {
		params := viable[i].res.ArgType
		for j, a := range args {
			if a.Kind != types.Unknown || params[j].Kind == types.Unknown {
				continue
			}
			switch {
			case haveKnown && allSame && params[j].Same(known):
				// The unknown takes exactly the known arguments' type
				// (name = 'x' is name = name, not text = text).
				viable[i].unknownOK += 3
			case haveKnown && allSame && binaryCoercible(known, params[j]):
				viable[i].unknownOK += 2
			case params[j].Category() == 'S' && (!haveKnown || !allSame):
				viable[i].unknownOK++
				if params[j].Kind == types.Text {
					viable[i].unknownOK++
				}
			case params[j].Category() == 'S':
				viable[i].unknownOK++
			case !stringAt[j] && isPreferred(params[j]):
				viable[i].unknownOK++
			}
		}
	}
	sort.SliceStable(viable, func(i, j int) bool {
		a, b := viable[i], viable[j]
		if a.exact != b.exact {
			return a.exact > b.exact
		}
		if a.unknownOK != b.unknownOK {
			return a.unknownOK > b.unknownOK
		}
		if a.preferred != b.preferred {
			return a.preferred > b.preferred
		}
		return a.same > b.same
	})
	best := viable[0]
	if len(viable) > 1 {
		next := viable[1]
		if best.exact == next.exact && best.unknownOK == next.unknownOK && best.preferred == next.preferred && best.same == next.same {
			// Same rank: a remaining tie between identical signatures is
			// harmless; otherwise it is ambiguous.
			if !sameParams(best.res.ArgType, next.res.ArgType) {
				return nil, pgerror.Newf(pgerror.AmbiguousFunction, "%s is not unique", describeCall(name, args)).
					WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
			}
		}
	}
	return best.res, nil
}

func sameParams(a, b []types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Same(b[i]) {
			return false
		}
	}
	return true
}

func (o *Overload) paramsFor(n int) ([]types.T, bool) {
	if o.Variadic {
		if n < len(o.Args)-1 {
			return nil, false
		}
		out := make([]types.T, n)
		for i := range out {
			if i < len(o.Args)-1 {
				out[i] = o.Args[i]
			} else {
				out[i] = o.Args[len(o.Args)-1]
			}
		}
		return out, true
	}
	if n != len(o.Args) {
		return nil, false
	}
	out := make([]types.T, n)
	copy(out, o.Args)
	return out, true
}

func isPreferred(t types.T) bool {
	switch t.Kind {
	case types.Float8, types.Text, types.TimestampTZ, types.Interval, types.Bool, types.Oid:
		return true
	}
	return false
}

// binaryCoercible reports casts that change nothing but the type name.
func binaryCoercible(from, to types.T) bool {
	switch {
	case from.Kind == to.Kind:
		// Arrays only when their elements are.
		return from.Kind != types.Array || binaryCoercible(from.ElemType(), to.ElemType())
	case to.Kind == types.Text && (from.Kind == types.Varchar || from.Kind == types.Name):
		return true
	case to.Kind == types.Varchar && from.Kind == types.Text:
		return true
	}
	return false
}

func describeCall(name string, args []types.T) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	if isOperatorName(name) {
		switch len(args) {
		case 1:
			return "operator " + name + " " + parts[0]
		case 2:
			return "operator " + parts[0] + " " + name + " " + parts[1]
		}
	}
	return "function " + name + "(" + strings.Join(parts, ", ") + ")"
}

func isOperatorName(name string) bool {
	for _, c := range name {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' {
			return false
		}
	}
	return true
}

func undefinedFunction(name string, args []types.T) error {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	if isOperatorName(name) {
		var msg string
		switch len(args) {
		case 1:
			msg = "operator does not exist: " + name + " " + parts[0]
		default:
			msg = "operator does not exist: " + strings.Join(parts, " "+name+" ")
		}
		return pgerror.New(pgerror.UndefinedFunction, msg).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
	}
	return pgerror.Newf(pgerror.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(parts, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}
