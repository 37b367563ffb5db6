package expr

import (
	"portalsdb/pgerror"
	"portalsdb/types"
)

// The sequence functions: nextval, currval, setval and lastval. Sequences
// are catalog objects whose values live in storage, so expr only declares
// the functions, with PostgreSQL's signatures (a sequence is a regclass, so
// nextval('s') looks s up when the statement is bound), and hands the calls
// to the SQL layer through SequenceFunctions on Ctx.Catalog.

// SequenceFunctions advances and reads sequences. The SQL layer implements
// it on the value it puts in Ctx.Catalog; seq is a sequence's OID. Values
// are handed out at once and never given back: a rolled-back transaction
// does not return them.
type SequenceFunctions interface {
	NextVal(seq int64) (int64, error)
	// CurrVal is the value nextval last returned for seq in this session.
	CurrVal(seq int64) (int64, error)
	// SetVal sets seq's position: the next nextval returns value when
	// isCalled is false, the value after it otherwise.
	SetVal(seq int64, value int64, isCalled bool) (int64, error)
	// LastVal is the value nextval last returned in this session, of any
	// sequence.
	LastVal() (int64, error)
}

func registerSequenceFunctions(r *Registry) {
	reg := types.RegClassType
	call := func(name string, fn func(SequenceFunctions, []types.Datum) (int64, error)) RowKernel {
		return func(c *Ctx, a []types.Datum) (types.Datum, error) {
			var sf SequenceFunctions
			if c != nil {
				sf, _ = c.Catalog.(SequenceFunctions)
			}
			if sf == nil {
				return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s cannot be evaluated here: it needs a session's catalog", name)
			}
			v, err := fn(sf, a)
			if err != nil {
				return nil, err
			}
			return v, nil
		}
	}
	r.add(&Overload{Name: "nextval", Args: []types.T{reg}, Ret: i8, Volatile: true,
		Row: call("nextval", func(sf SequenceFunctions, a []types.Datum) (int64, error) { return sf.NextVal(a[0].(int64)) })})
	r.add(&Overload{Name: "currval", Args: []types.T{reg}, Ret: i8, Volatile: true,
		Row: call("currval", func(sf SequenceFunctions, a []types.Datum) (int64, error) { return sf.CurrVal(a[0].(int64)) })})
	r.add(&Overload{Name: "setval", Args: []types.T{reg, i8}, Ret: i8, Volatile: true,
		Row: call("setval", func(sf SequenceFunctions, a []types.Datum) (int64, error) {
			return sf.SetVal(a[0].(int64), a[1].(int64), true)
		})})
	r.add(&Overload{Name: "setval", Args: []types.T{reg, i8, bl}, Ret: i8, Volatile: true,
		Row: call("setval", func(sf SequenceFunctions, a []types.Datum) (int64, error) {
			return sf.SetVal(a[0].(int64), a[1].(int64), a[2].(bool))
		})})
	r.add(&Overload{Name: "lastval", Ret: i8, Volatile: true,
		Row: call("lastval", func(sf SequenceFunctions, _ []types.Datum) (int64, error) { return sf.LastVal() })})
}
