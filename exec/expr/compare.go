package expr

import (
	"bytes"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"portalsdb/batch"
	"portalsdb/types"
)

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

var cmpNames = [...]string{"=", "<>", "<", "<=", ">", ">="}

func (op cmpOp) test(c int) bool {
	switch op {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	}
	return c >= 0
}

// comparableKinds are the kinds with the six comparison operators.
var comparableKinds = []types.Kind{
	types.Bool, types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric,
	types.Text, types.Char, types.Name, types.Bytea, types.Date, types.Time, types.Timestamp,
	types.TimestampTZ, types.Interval, types.UUID, types.Oid,
}

func registerComparison(r *Registry) {
	for _, k := range comparableKinds {
		t := k.Type()
		for op := opEQ; op <= opGE; op++ {
			r.add(&Overload{
				Name: cmpNames[op], Args: []types.T{t, t}, Ret: types.BoolType, Infix: true,
				Vec: compareKernel(t, op),
			})
		}
	}
	// Comparisons of arrays, element-wise.
	for op := opEQ; op <= opGE; op++ {
		op := op
		r.add(&Overload{
			Name: cmpNames[op], Infix: true,
			Match: func(args []types.T) (types.T, bool) {
				if len(args) == 2 && (args[0].Kind == types.Array || args[1].Kind == types.Array) &&
					(args[0].Same(args[1]) || args[0].Kind == types.Unknown || args[1].Kind == types.Unknown) {
					return types.BoolType, true
				}
				return types.T{}, false
			},
			Vec: func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
				a, b := args[0].(*array.List), args[1].(*array.List)
				et := listElemType(a)
				return compareGeneric(a, b, n, op, func(i int) int {
					return types.Compare(types.ArrayOf(et.Kind), listDatums(a, i, et), listDatums(b, i, et))
				}), nil
			},
		})
	}
}

func listElemType(a *array.List) types.T {
	switch a.ListValues().DataType().ID() {
	case arrow.INT16:
		return types.Int2Type
	case arrow.INT32:
		return types.Int4Type
	case arrow.INT64:
		return types.Int8Type
	case arrow.FLOAT32:
		return types.Float4Type
	case arrow.FLOAT64:
		return types.Float8Type
	case arrow.BOOL:
		return types.BoolType
	}
	return types.TextType
}

func listDatums(a *array.List, i int, et types.T) []types.Datum {
	start, end := a.ValueOffsets(i)
	vals := a.ListValues()
	out := make([]types.Datum, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, types.DatumAt(et, vals, int(j)))
	}
	return out
}

// compareKernel returns the kernel of op over two arrays of type t.
func compareKernel(t types.T, op cmpOp) VecKernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		return CompareArrays(t, op, args[0], args[1], n), nil
	}
}

// CompareArrays applies op row by row to two arrays of type t.
func CompareArrays(t types.T, op cmpOp, a, b arrow.Array, n int) arrow.Array {
	switch x := a.(type) {
	case *array.Int64:
		return compareOrdered(x.Int64Values(), b.(*array.Int64).Int64Values(), a, b, n, op)
	case *array.Int32:
		return compareOrdered(x.Int32Values(), b.(*array.Int32).Int32Values(), a, b, n, op)
	case *array.Int16:
		return compareOrdered(x.Int16Values(), b.(*array.Int16).Int16Values(), a, b, n, op)
	case *array.Float64:
		return compareFloats(x.Float64Values(), b.(*array.Float64).Float64Values(), a, b, n, op)
	case *array.Float32:
		return compareFloats(x.Float32Values(), b.(*array.Float32).Float32Values(), a, b, n, op)
	case *array.Date32:
		return compareOrdered(x.Date32Values(), b.(*array.Date32).Date32Values(), a, b, n, op)
	case *array.Timestamp:
		return compareOrdered(x.TimestampValues(), b.(*array.Timestamp).TimestampValues(), a, b, n, op)
	case *array.Time64:
		return compareOrdered(x.Time64Values(), b.(*array.Time64).Time64Values(), a, b, n, op)
	case *array.String:
		y := b.(*array.String)
		switch t.Kind {
		case types.Numeric:
			return compareGeneric(a, b, n, op, func(i int) int {
				return types.Compare(t, types.DatumAt(t, a, i), types.DatumAt(t, b, i))
			})
		case types.Char:
			return compareGeneric(a, b, n, op, func(i int) int {
				return strings.Compare(trimRightSpaces(x.Value(i)), trimRightSpaces(y.Value(i)))
			})
		}
		return compareGeneric(a, b, n, op, func(i int) int { return strings.Compare(x.Value(i), y.Value(i)) })
	case *array.Binary:
		y := b.(*array.Binary)
		return compareGeneric(a, b, n, op, func(i int) int { return bytes.Compare(x.Value(i), y.Value(i)) })
	case *array.Boolean:
		y := b.(*array.Boolean)
		return compareGeneric(a, b, n, op, func(i int) int {
			xv, yv := x.Value(i), y.Value(i)
			switch {
			case xv == yv:
				return 0
			case !xv:
				return -1
			}
			return 1
		})
	}
	return compareGeneric(a, b, n, op, func(i int) int {
		return types.Compare(t, types.DatumAt(t, a, i), types.DatumAt(t, b, i))
	})
}

type ordered interface {
	~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

func compareOrdered[T ordered](x, y []T, a, b arrow.Array, n int, op cmpOp) arrow.Array {
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	set := func(i int) { out[i>>3] |= 1 << (uint(i) & 7) }
	switch op {
	case opEQ:
		for i := 0; i < n; i++ {
			if x[i] == y[i] {
				set(i)
			}
		}
	case opNE:
		for i := 0; i < n; i++ {
			if x[i] != y[i] {
				set(i)
			}
		}
	case opLT:
		for i := 0; i < n; i++ {
			if x[i] < y[i] {
				set(i)
			}
		}
	case opLE:
		for i := 0; i < n; i++ {
			if x[i] <= y[i] {
				set(i)
			}
		}
	case opGT:
		for i := 0; i < n; i++ {
			if x[i] > y[i] {
				set(i)
			}
		}
	case opGE:
		for i := 0; i < n; i++ {
			if x[i] >= y[i] {
				set(i)
			}
		}
	}
	validity, nulls := batch.AndValidity(n, a, b)
	return batch.BoolBits(n, out, validity, nulls)
}

func compareFloats[T float32 | float64](x, y []T, a, b arrow.Array, n int, op cmpOp) arrow.Array {
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	for i := 0; i < n; i++ {
		if op.test(types.CompareFloat(float64(x[i]), float64(y[i]))) {
			bitutil.SetBit(out, i)
		}
	}
	validity, nulls := batch.AndValidity(n, a, b)
	return batch.BoolBits(n, out, validity, nulls)
}

func compareGeneric(a, b arrow.Array, n int, op cmpOp, cmp func(i int) int) arrow.Array {
	out := make([]byte, bitutil.BytesForBits(int64(n)))
	validity, nulls := batch.AndValidity(n, a, b)
	for i := 0; i < n; i++ {
		if !batch.IsValid(validity, i) {
			continue
		}
		if op.test(cmp(i)) {
			bitutil.SetBit(out, i)
		}
	}
	return batch.BoolBits(n, out, validity, nulls)
}

// EqualityOp returns the = overload for values of type t, resolving casts
// the way the binder does; nil when t has no equality.
func EqualityOp(t types.T) *Overload {
	res, err := Builtins.Resolve("=", []types.T{t, t})
	if err != nil {
		return nil
	}
	return res.Fn
}
