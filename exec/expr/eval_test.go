package expr

import (
	"github.com/cockroachdb/apd/v3"

	"testing"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

func call(t *testing.T, name string, args ...Expr) Expr {
	t.Helper()
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	res, err := Builtins.Resolve(name, ts)
	if err != nil {
		t.Fatalf("resolve %s%v: %v", name, ts, err)
	}
	for i, a := range args {
		if !a.Type().Same(res.ArgType[i]) {
			args[i] = &Cast{Arg: a, To: res.ArgType[i]}
		}
	}
	return &Call{Fn: res.Fn, Args: args, Ret: res.Ret}
}

func col(id ColumnID, t types.T) *ColRef { return &ColRef{ID: id, T: t} }
func i4c(v int64) *Const                 { return &Const{Value: v, T: types.Int4Type} }

func evalRows(t *testing.T, e Expr, b *batch.Batch, layout Layout) ([]string, error) {
	t.Helper()
	ev, err := Compile(e, layout)
	if err != nil {
		t.Fatal(err)
	}
	arr, err := ev.Eval(&Ctx{}, b)
	if err != nil {
		return nil, err
	}
	out := make([]string, arr.Len())
	for i := range out {
		d := types.DatumAt(e.Type(), arr, i)
		if d == nil {
			out[i] = "NULL"
		} else {
			out[i] = types.FormatText(e.Type(), d, nil)
		}
	}
	return out, nil
}

func TestArithmeticAndComparison(t *testing.T) {
	b := batch.FromRows([]types.T{types.Int4Type, types.Int4Type}, [][]types.Datum{
		{int64(1), int64(2)}, {int64(7), int64(-3)}, {nil, int64(5)}, {int64(2147483647), int64(0)},
	})
	layout := Layout{1: 0, 2: 1}
	got, err := evalRows(t, call(t, "-", col(1, types.Int4Type), col(2, types.Int4Type)), b, layout)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-1", "10", "NULL", "2147483647"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %s, want %s", i, got[i], want[i])
		}
	}
	_, err = evalRows(t, call(t, "+", col(1, types.Int4Type), i4c(1)), b, layout)
	if pgerror.CodeOf(err) != pgerror.NumericValueOutOfRange {
		t.Errorf("overflow: got %v", err)
	}
	_, err = evalRows(t, call(t, "/", col(1, types.Int4Type), col(2, types.Int4Type)), b, layout)
	if pgerror.CodeOf(err) != pgerror.DivisionByZero {
		t.Errorf("division by zero: got %v", err)
	}
	// int4 < numeric resolves to numeric comparison.
	half := &Const{Value: mustNumeric(t, "2.5"), T: types.NumericType}
	got, _ = evalRows(t, call(t, "<", col(1, types.Int4Type), half), b, layout)
	if got[0] != "t" || got[1] != "f" || got[2] != "NULL" {
		t.Errorf("int < numeric: %v", got)
	}
}

func mustNumeric(t *testing.T, s string) types.Datum {
	d, err := types.ParseNumeric(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLazyCaseAndAnd(t *testing.T) {
	b := batch.FromRows([]types.T{types.Int4Type}, [][]types.Datum{{int64(0)}, {int64(5)}, {nil}})
	layout := Layout{1: 0}
	x := col(1, types.Int4Type)
	div := call(t, "/", i4c(10), x)
	// CASE WHEN x = 0 THEN -1 ELSE 10 / x END never divides by zero.
	c := &Case{Whens: []When{{Cond: call(t, "=", x, i4c(0)), Result: i4c(-1)}}, Else: div, T: types.Int4Type}
	got, err := evalRows(t, c, b, layout)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "-1" || got[1] != "2" || got[2] != "NULL" {
		t.Errorf("case: %v", got)
	}
	and := &BoolOp{Args: []Expr{call(t, "<>", x, i4c(0)), call(t, ">", div, i4c(1))}}
	got, err = evalRows(t, and, b, layout)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "f" || got[1] != "t" || got[2] != "NULL" {
		t.Errorf("and: %v", got)
	}
}

func TestNumericScales(t *testing.T) {
	cases := []struct{ a, b, op, want string }{
		{"1", "3", "/", "0.33333333333333333333"},
		{"10", "4", "/", "2.5000000000000000"},
		{"1.50", "2", "*", "3.00"},
		{"1.5", "0.25", "+", "1.75"},
		{"7", "2.0", "%", "1.0"},
		{"123456789", "7", "/", "17636684.142857142857"},
	}
	ops := map[string]arithOp{"+": opAdd, "-": opSub, "*": opMul, "/": opDiv, "%": opMod}
	for _, c := range cases {
		got, err := NumericArith(ops[c.op], mustNumeric(t, c.a).(*apd.Decimal), mustNumeric(t, c.b).(*apd.Decimal))
		if err != nil {
			t.Fatal(err)
		}
		if s := types.FormatText(types.NumericType, got, nil); s != c.want {
			t.Errorf("%s %s %s = %s, want %s", c.a, c.op, c.b, s, c.want)
		}
	}
}

func TestInListNulls(t *testing.T) {
	b := batch.FromRows([]types.T{types.Int4Type}, [][]types.Datum{{int64(1)}, {int64(3)}, {nil}})
	x := col(1, types.Int4Type)
	in := &InList{Arg: x, List: []Expr{i4c(1), Null(types.Int4Type)}, Eq: EqualityOp(types.Int4Type)}
	got, _ := evalRows(t, in, b, Layout{1: 0})
	if got[0] != "t" || got[1] != "NULL" || got[2] != "NULL" {
		t.Errorf("in: %v", got)
	}
	in.Negate = true
	got, _ = evalRows(t, in, b, Layout{1: 0})
	if got[0] != "f" || got[1] != "NULL" {
		t.Errorf("not in: %v", got)
	}
}

func TestResolvePicksPostgresTypes(t *testing.T) {
	cases := []struct {
		op   string
		args []types.T
		ret  types.Kind
	}{
		{"+", []types.T{types.Int4Type, types.Int8Type}, types.Int8},
		{"+", []types.T{types.Int2Type, types.Int4Type}, types.Int4},
		{"+", []types.T{types.Int4Type, types.NumericType}, types.Numeric},
		{"*", []types.T{types.Float8Type, types.Int4Type}, types.Float8},
		{"=", []types.T{types.TextType, types.UnknownType}, types.Bool},
		{"+", []types.T{types.UnknownType, types.Int4Type}, types.Int4},
		{"-", []types.T{types.DateType, types.DateType}, types.Int4},
		{"||", []types.T{types.TextType, types.UnknownType}, types.Text},
		{"||", []types.T{types.UnknownType, types.NumericType}, types.Text},
		{"/", []types.T{types.Float4Type, types.Int4Type}, types.Float8},
		{"*", []types.T{types.Int8Type, types.Float4Type}, types.Float8},
		{"-", []types.T{types.Float4Type, types.Float8Type}, types.Float8},
		{"+", []types.T{types.Float4Type, types.Float4Type}, types.Float4},
	}
	for _, c := range cases {
		res, err := Builtins.Resolve(c.op, c.args)
		if err != nil {
			t.Errorf("%s %v: %v", c.op, c.args, err)
			continue
		}
		if res.Ret.Kind != c.ret {
			t.Errorf("%s %v -> %s, want %v", c.op, c.args, res.Ret, c.ret.Type())
		}
	}
	if _, err := Builtins.Resolve("+", []types.T{types.BoolType, types.Int4Type}); pgerror.CodeOf(err) != pgerror.UndefinedFunction {
		t.Errorf("bool + int: %v", err)
	}
}

func TestResolveAggPicksPostgresTypes(t *testing.T) {
	for _, c := range []struct {
		name string
		arg  types.T
		ret  types.Kind
	}{
		{"max", types.VarcharType, types.Text},
		{"min", types.UnknownType, types.Text},
		{"max", types.Int2Type, types.Int2},
		{"sum", types.Int4Type, types.Int8},
		{"avg", types.Int8Type, types.Numeric},
	} {
		_, _, ret, err := Builtins.ResolveAgg(c.name, []types.T{c.arg}, false)
		if err != nil || ret.Kind != c.ret {
			t.Errorf("%s(%s) -> %v, %v; want %v", c.name, c.arg, ret, err, c.ret.Type())
		}
	}
	// sum and avg of an unknown NULL are ambiguous: numeric and interval
	// candidates both take it.
	for _, name := range []string{"sum", "avg"} {
		if _, _, _, err := Builtins.ResolveAgg(name, []types.T{types.UnknownType}, false); pgerror.CodeOf(err) != pgerror.AmbiguousFunction {
			t.Errorf("%s(unknown): %v, want 42725", name, err)
		}
	}
}
