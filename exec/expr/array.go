package expr

import (
	"strconv"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// Array functions. Arrays are one-dimensional with lower bound 1, the only
// shape portalsdb stores, so the dimension arguments of array_length and
// friends accept only 1.

// arrayAndElem is the signature (anyarray, anyelement): an unknown literal
// takes the element type; an unknown array takes the element's array type.
func arrayAndElem(arrayPos int) func(args []types.T) ([]types.T, types.T, bool) {
	return func(args []types.T) ([]types.T, types.T, bool) {
		if len(args) < 2 {
			return nil, types.T{}, false
		}
		elemPos := 1 - arrayPos
		at, et := args[arrayPos], args[elemPos]
		switch {
		case at.Kind == types.Array && (et.Kind == types.Unknown || et.Kind == at.Elem):
			et = at.ElemType()
		case at.Kind == types.Unknown && et.Kind != types.Unknown && et.Kind != types.Array:
			at = types.ArrayOf(et.Kind)
		case at.Kind == types.Array && et.Kind != types.Array && CanCast(et, at.ElemType(), CastImplicit):
			et = at.ElemType()
		default:
			return nil, types.T{}, false
		}
		out := make([]types.T, len(args))
		out[arrayPos], out[elemPos] = at, et
		for i := 2; i < len(args); i++ {
			out[i] = args[i]
		}
		return out, at, true
	}
}

// twoArrays is (anyarray, anyarray) with the same element type.
func twoArrays(args []types.T) ([]types.T, types.T, bool) {
	if len(args) != 2 {
		return nil, types.T{}, false
	}
	a, b := args[0], args[1]
	switch {
	case a.Kind == types.Array && b.Kind == types.Array && a.Elem == b.Elem:
	case a.Kind == types.Array && b.Kind == types.Unknown:
		b = a
	case b.Kind == types.Array && a.Kind == types.Unknown:
		a = b
	default:
		return nil, types.T{}, false
	}
	return []types.T{a, b}, a, true
}

func oneArray(ret func(at types.T) types.T, extra ...types.T) func(args []types.T) ([]types.T, types.T, bool) {
	return func(args []types.T) ([]types.T, types.T, bool) {
		if len(args) != 1+len(extra) || args[0].Kind != types.Array {
			return nil, types.T{}, false
		}
		for i, e := range extra {
			if !args[i+1].Same(e) && args[i+1].Kind != types.Unknown && !CanCast(args[i+1], e, CastImplicit) {
				return nil, types.T{}, false
			}
		}
		return append([]types.T{args[0]}, extra...), ret(args[0]), true
	}
}

func fixedRet(t types.T) func(types.T) types.T { return func(types.T) types.T { return t } }

// elemTyped adapts a kernel that needs the element type of the call's
// array argument.
func elemTyped(fn func(et types.T, a []types.Datum) (types.Datum, error)) func(*Ctx, []types.T, []types.Datum) (types.Datum, error) {
	return func(_ *Ctx, ts []types.T, a []types.Datum) (types.Datum, error) {
		et := types.TextType
		for _, t := range ts {
			if t.Kind == types.Array {
				et = t.ElemType()
				break
			}
		}
		return fn(et, a)
	}
}

// sameElem is IS NOT DISTINCT FROM on array elements.
func sameElem(et types.T, a, b types.Datum) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return types.Compare(et, a, b) == 0
}

func registerArrays(r *Registry) {
	add := func(name string, poly func([]types.T) ([]types.T, types.T, bool), nullCall bool, fn func(et types.T, a []types.Datum) (types.Datum, error)) {
		r.add(&Overload{Name: name, Poly: poly, NullCall: nullCall, RowTyped: elemTyped(fn)})
	}
	dimCheck := func(a []types.Datum) (int64, bool) {
		if a[1] == nil {
			return 0, false
		}
		return int64(len(a[0].([]types.Datum))), a[1].(int64) == 1
	}
	add("array_length", oneArray(fixedRet(i4), i4), false, func(_ types.T, a []types.Datum) (types.Datum, error) {
		n, ok := dimCheck(a)
		if !ok || n == 0 {
			return nil, nil
		}
		return n, nil
	})
	add("array_upper", oneArray(fixedRet(i4), i4), false, func(_ types.T, a []types.Datum) (types.Datum, error) {
		n, ok := dimCheck(a)
		if !ok || n == 0 {
			return nil, nil
		}
		return n, nil
	})
	add("array_lower", oneArray(fixedRet(i4), i4), false, func(_ types.T, a []types.Datum) (types.Datum, error) {
		n, ok := dimCheck(a)
		if !ok || n == 0 {
			return nil, nil
		}
		return int64(1), nil
	})
	add("array_ndims", oneArray(fixedRet(i4)), false, func(_ types.T, a []types.Datum) (types.Datum, error) {
		if len(a[0].([]types.Datum)) == 0 {
			return nil, nil
		}
		return int64(1), nil
	})
	add("array_dims", oneArray(fixedRet(text)), false, func(_ types.T, a []types.Datum) (types.Datum, error) {
		n := len(a[0].([]types.Datum))
		if n == 0 {
			return nil, nil
		}
		return "[1:" + strconv.Itoa(n) + "]", nil
	})
	add("cardinality", oneArray(fixedRet(i4)), false, func(_ types.T, a []types.Datum) (types.Datum, error) {
		return int64(len(a[0].([]types.Datum))), nil
	})
	appendFn := func(_ types.T, a []types.Datum) (types.Datum, error) {
		var arr []types.Datum
		if a[0] != nil {
			arr = a[0].([]types.Datum)
		}
		out := make([]types.Datum, 0, len(arr)+1)
		return append(append(out, arr...), a[1]), nil
	}
	add("array_append", arrayAndElem(0), true, appendFn)
	prependFn := func(_ types.T, a []types.Datum) (types.Datum, error) {
		var arr []types.Datum
		if a[1] != nil {
			arr = a[1].([]types.Datum)
		}
		out := make([]types.Datum, 0, len(arr)+1)
		return append(append(out, a[0]), arr...), nil
	}
	add("array_prepend", arrayAndElem(1), true, prependFn)
	catFn := func(_ types.T, a []types.Datum) (types.Datum, error) {
		switch {
		case a[0] == nil && a[1] == nil:
			return nil, nil
		case a[0] == nil:
			return a[1], nil
		case a[1] == nil:
			return a[0], nil
		}
		x, y := a[0].([]types.Datum), a[1].([]types.Datum)
		out := make([]types.Datum, 0, len(x)+len(y))
		return append(append(out, x...), y...), nil
	}
	add("array_cat", twoArrays, true, catFn)
	// || on arrays: array || array, array || element, element || array.
	r.add(&Overload{Name: "||", Infix: true, Poly: twoArrays, NullCall: true, RowTyped: elemTyped(catFn)})
	r.add(&Overload{Name: "||", Infix: true, Poly: arrayAndElem(0), NullCall: true, RowTyped: elemTyped(appendFn)})
	r.add(&Overload{Name: "||", Infix: true, Poly: arrayAndElem(1), NullCall: true, RowTyped: elemTyped(prependFn)})

	position := func(et types.T, a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return nil, nil
		}
		arr := a[0].([]types.Datum)
		start := int64(1)
		if len(a) > 2 {
			if a[2] == nil {
				return nil, pgerror.New(pgerror.NullValueNotAllowed, "initial position must not be null")
			}
			start = a[2].(int64)
		}
		for i := max(start, 1); i <= int64(len(arr)); i++ {
			if sameElem(et, arr[i-1], a[1]) {
				return i, nil
			}
		}
		return nil, nil
	}
	positionRet := func(args []types.T) ([]types.T, types.T, bool) {
		at, _, ok := arrayAndElem(0)(args)
		if !ok || len(args) > 3 {
			return nil, types.T{}, false
		}
		if len(args) == 3 {
			at[2] = i4
		}
		return at, i4, true
	}
	add("array_position", positionRet, true, position)
	add("array_positions", func(args []types.T) ([]types.T, types.T, bool) {
		at, _, ok := arrayAndElem(0)(args)
		if !ok || len(args) != 2 {
			return nil, types.T{}, false
		}
		return at, types.ArrayOf(types.Int4), true
	}, true, func(et types.T, a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return nil, nil
		}
		out := []types.Datum{}
		for i, e := range a[0].([]types.Datum) {
			if sameElem(et, e, a[1]) {
				out = append(out, int64(i+1))
			}
		}
		return out, nil
	})
	add("array_remove", arrayAndElem(0), true, func(et types.T, a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return nil, nil
		}
		out := []types.Datum{}
		for _, e := range a[0].([]types.Datum) {
			if !sameElem(et, e, a[1]) {
				out = append(out, e)
			}
		}
		return out, nil
	})
	add("array_replace", func(args []types.T) ([]types.T, types.T, bool) {
		if len(args) != 3 {
			return nil, types.T{}, false
		}
		at, ret, ok := arrayAndElem(0)(args[:2])
		if !ok || !(args[2].Kind == types.Unknown || args[2].Kind == at[1].Kind || CanCast(args[2], at[1], CastImplicit)) {
			return nil, types.T{}, false
		}
		return []types.T{at[0], at[1], at[1]}, ret, true
	}, true, func(et types.T, a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return nil, nil
		}
		in := a[0].([]types.Datum)
		out := make([]types.Datum, len(in))
		for i, e := range in {
			if sameElem(et, e, a[1]) {
				out[i] = a[2]
			} else {
				out[i] = e
			}
		}
		return out, nil
	})
	contains := func(outer, inner []types.Datum, et types.T) bool {
		for _, x := range inner {
			found := false
			for _, y := range outer {
				if x != nil && y != nil && types.Compare(et, x, y) == 0 {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	boolOf := func(t types.T) types.T { return bl }
	arrBool := func(args []types.T) ([]types.T, types.T, bool) {
		at, _, ok := twoArrays(args)
		return at, boolOf(types.T{}), ok
	}
	add("@>", arrBool, false, func(et types.T, a []types.Datum) (types.Datum, error) {
		return contains(a[0].([]types.Datum), a[1].([]types.Datum), et), nil
	})
	add("<@", arrBool, false, func(et types.T, a []types.Datum) (types.Datum, error) {
		return contains(a[1].([]types.Datum), a[0].([]types.Datum), et), nil
	})
	add("&&", arrBool, false, func(et types.T, a []types.Datum) (types.Datum, error) {
		for _, x := range a[0].([]types.Datum) {
			for _, y := range a[1].([]types.Datum) {
				if x != nil && y != nil && types.Compare(et, x, y) == 0 {
					return true, nil
				}
			}
		}
		return false, nil
	})
	for _, op := range []string{"@>", "<@", "&&"} {
		r.funcs[op][len(r.funcs[op])-1].Infix = true
	}
	add("array_fill", func(args []types.T) ([]types.T, types.T, bool) {
		if len(args) != 2 || args[0].Kind == types.Unknown || args[0].Kind == types.Array ||
			!(args[1].Kind == types.Array && args[1].Elem == types.Int4 || args[1].Kind == types.Unknown) {
			return nil, types.T{}, false
		}
		return []types.T{args[0], types.ArrayOf(types.Int4)}, types.ArrayOf(args[0].Kind), true
	}, true, func(_ types.T, a []types.Datum) (types.Datum, error) {
		if a[1] == nil {
			return nil, pgerror.New(pgerror.NullValueNotAllowed, "dimension array or low bound array cannot be null")
		}
		dims := a[1].([]types.Datum)
		if len(dims) != 1 || dims[0] == nil {
			return nil, pgerror.Unsupportedf("array_fill supports one dimension")
		}
		n := dims[0].(int64)
		out := make([]types.Datum, max(n, 0))
		for i := range out {
			out[i] = a[0]
		}
		return out, nil
	})
}
