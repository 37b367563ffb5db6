package expr

import (
	"strings"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// SetColumn is one output column of a set-returning function.
type SetColumn struct {
	Name string
	T    types.T
}

// SetFunc is a set-returning function used in FROM: jsonb_each,
// generate_subscripts, regexp_matches and the like.
type SetFunc struct {
	Name string
	// Resolve accepts or refuses the argument types, giving the types the
	// arguments are cast to and the output columns.
	Resolve func(args []types.T) (argTypes []types.T, cols []SetColumn, ok bool)
	// Rows returns the rows for one set of argument values; argTypes are
	// the types Resolve chose.
	Rows func(ctx *Ctx, argTypes []types.T, args []types.Datum) ([][]types.Datum, error)
}

// SetFuncCall is a resolved call of a set-returning function, handed from
// the binder to the executor through the plan.
type SetFuncCall struct {
	Fn       *SetFunc
	ArgTypes []types.T
	Cols     []SetColumn
}

// SetFunction resolves a set-returning function by name and argument
// types; ok is false when there is no function of that name.
func (r *Registry) SetFunction(name string, args []types.T) (*SetFuncCall, bool, error) {
	cands := r.srfs[strings.ToLower(name)]
	if len(cands) == 0 {
		return nil, false, nil
	}
	for _, f := range cands {
		if at, cols, ok := f.Resolve(args); ok {
			return &SetFuncCall{Fn: f, ArgTypes: at, Cols: cols}, true, nil
		}
	}
	return nil, true, undefinedFunction(name, args)
}

// HasSetFunction reports whether name is a built-in set-returning
// function.
func (r *Registry) HasSetFunction(name string) bool { return len(r.srfs[strings.ToLower(name)]) > 0 }

func (r *Registry) addSRF(f *SetFunc) {
	if r.srfs == nil {
		r.srfs = map[string][]*SetFunc{}
	}
	r.srfs[f.Name] = append(r.srfs[f.Name], f)
}

// fixedSRF resolves calls whose arguments can be cast to params.
func fixedSRF(params []types.T, cols []SetColumn) func([]types.T) ([]types.T, []SetColumn, bool) {
	return func(args []types.T) ([]types.T, []SetColumn, bool) {
		if len(args) != len(params) {
			return nil, nil, false
		}
		for i, a := range args {
			if !a.Same(params[i]) && !binaryCoercible(a, params[i]) && !CanCast(a, params[i], CastImplicit) {
				return nil, nil, false
			}
		}
		return params, cols, true
	}
}

// strictRows returns no rows when an argument is NULL.
func strictRows(fn func(ctx *Ctx, argTypes []types.T, args []types.Datum) ([][]types.Datum, error)) func(*Ctx, []types.T, []types.Datum) ([][]types.Datum, error) {
	return func(ctx *Ctx, ts []types.T, args []types.Datum) ([][]types.Datum, error) {
		for _, a := range args {
			if a == nil {
				return nil, nil
			}
		}
		return fn(ctx, ts, args)
	}
}

func registerSetFunctions(r *Registry) {
	r.addSRF(&SetFunc{Name: "generate_subscripts", Resolve: func(args []types.T) ([]types.T, []SetColumn, bool) {
		if (len(args) != 2 && len(args) != 3) || args[0].Kind != types.Array {
			return nil, nil, false
		}
		at := []types.T{args[0], i4}
		if len(args) == 3 {
			at = append(at, bl)
		}
		return at, []SetColumn{{"generate_subscripts", i4}}, true
	}, Rows: strictRows(func(_ *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		n := len(a[0].([]types.Datum))
		if a[1].(int64) != 1 || n == 0 {
			return nil, nil
		}
		rev := len(a) > 2 && a[2].(bool)
		out := make([][]types.Datum, n)
		for i := range out {
			v := int64(i + 1)
			if rev {
				v = int64(n - i)
			}
			out[i] = []types.Datum{v}
		}
		return out, nil
	})})
	// unnest of several arrays zips them, padding the shorter with NULLs.
	r.addSRF(&SetFunc{Name: "unnest", Resolve: func(args []types.T) ([]types.T, []SetColumn, bool) {
		if len(args) < 2 {
			return nil, nil, false
		}
		cols := make([]SetColumn, len(args))
		for i, a := range args {
			if a.Kind != types.Array {
				return nil, nil, false
			}
			cols[i] = SetColumn{"unnest", a.ElemType()}
		}
		return args, cols, true
	}, Rows: func(_ *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		n := 0
		for _, x := range a {
			if x != nil {
				n = max(n, len(x.([]types.Datum)))
			}
		}
		out := make([][]types.Datum, n)
		for i := range out {
			row := make([]types.Datum, len(a))
			for j, x := range a {
				if x != nil && i < len(x.([]types.Datum)) {
					row[j] = x.([]types.Datum)[i]
				}
			}
			out[i] = row
		}
		return out, nil
	}})
	arr := types.ArrayOf(types.Text)
	matches := func(c *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		flags := ""
		if len(a) > 2 {
			flags = a[2].(string)
		}
		f, err := parseRegexFlags(flags)
		if err != nil {
			return nil, err
		}
		re, err := c.compilePGRegex(a[1].(string), f)
		if err != nil {
			return nil, err
		}
		s := a[0].(string)
		var out [][]types.Datum
		for _, m := range allMatches(re, s, f.global) {
			out = append(out, []types.Datum{matchGroups(s, m)})
		}
		return out, nil
	}
	r.addSRF(&SetFunc{Name: "regexp_matches", Resolve: fixedSRF([]types.T{text, text}, []SetColumn{{"regexp_matches", arr}}), Rows: strictRows(matches)})
	r.addSRF(&SetFunc{Name: "regexp_matches", Resolve: fixedSRF([]types.T{text, text, text}, []SetColumn{{"regexp_matches", arr}}), Rows: strictRows(matches)})
	split := func(c *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		parts, err := regexSplit(c, a)
		if err != nil {
			return nil, err
		}
		out := make([][]types.Datum, len(parts))
		for i, p := range parts {
			out[i] = []types.Datum{p}
		}
		return out, nil
	}
	r.addSRF(&SetFunc{Name: "regexp_split_to_table", Resolve: fixedSRF([]types.T{text, text}, []SetColumn{{"regexp_split_to_table", text}}), Rows: strictRows(split)})
	r.addSRF(&SetFunc{Name: "regexp_split_to_table", Resolve: fixedSRF([]types.T{text, text, text}, []SetColumn{{"regexp_split_to_table", text}}), Rows: strictRows(split)})
	stringToTable := func(c *Ctx, _ []types.T, a []types.Datum) ([][]types.Datum, error) {
		v, err := stringToArray(c, a)
		if err != nil || v == nil {
			return nil, err
		}
		parts := v.([]types.Datum)
		out := make([][]types.Datum, len(parts))
		for i, p := range parts {
			out[i] = []types.Datum{p}
		}
		return out, nil
	}
	r.addSRF(&SetFunc{Name: "string_to_table", Resolve: fixedSRF([]types.T{text, text}, []SetColumn{{"string_to_table", text}}), Rows: stringToTable})
	r.addSRF(&SetFunc{Name: "string_to_table", Resolve: fixedSRF([]types.T{text, text, text}, []SetColumn{{"string_to_table", text}}), Rows: stringToTable})
}

var _ = pgerror.Internalf
