package planner

import (
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/planner/logical"
	"portalsdb/storage"
	"portalsdb/types"
)

// sarg is a predicate usable to bound a scan: column op value.
type sarg struct {
	col   int // table column ordinal
	op    string
	value expr.Expr
	conj  expr.Expr // the conjunct of the filter it came from
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// sargs finds the conjuncts of filter that compare a plain scan column
// with a value known when the scan opens.
func sargs(s *logical.Scan, filter expr.Expr) []sarg {
	ord := map[expr.ColumnID]int{}
	for i, c := range s.Cols {
		ord[c.ID] = i
	}
	var out []sarg
	for _, c := range expr.Conjuncts(filter) {
		call, ok := c.(*expr.Call)
		if !ok || len(call.Args) != 2 || call.Fn.Match != nil {
			continue
		}
		op, ok := flipped[call.Fn.Name]
		if !ok {
			continue
		}
		l, r := call.Args[0], call.Args[1]
		if ref, ok := l.(*expr.ColRef); ok {
			if i, ok := ord[ref.ID]; ok && openTimeValue(r, ord) && ref.T.Same(r.Type()) {
				out = append(out, sarg{col: i, op: call.Fn.Name, value: r, conj: c})
				continue
			}
		}
		if ref, ok := r.(*expr.ColRef); ok {
			if i, ok := ord[ref.ID]; ok && openTimeValue(l, ord) && ref.T.Same(l.Type()) {
				out = append(out, sarg{col: i, op: op, value: l, conj: c})
			}
		}
	}
	return out
}

// openTimeValue reports whether e can be computed when a scan opens: it
// refers to none of the scan's columns and calls nothing volatile.
func openTimeValue(e expr.Expr, scanCols map[expr.ColumnID]int) bool {
	if expr.IsVolatile(e) || expr.HasSubquery(e) {
		return false
	}
	for id := range expr.ColumnsUsed(e) {
		if _, ok := scanCols[id]; ok {
			return false
		}
	}
	return true
}

// accessPath is a way to scan a table: an index (nil for the primary key)
// and bounds on a prefix of its columns.
type accessPath struct {
	index        *storage.IndexSpec
	name         string
	eq           int // leading columns bound by equality
	hasRange     bool
	unique       bool
	lower, upper *exec.ScanBound
	boundTypes   []types.T
	// eqConj are the conjuncts that bind the leading eq columns.
	eqConj []expr.Expr
}

func (p accessPath) better(q accessPath) bool {
	if p.eq != q.eq {
		return p.eq > q.eq
	}
	if p.hasRange != q.hasRange {
		return p.hasRange
	}
	return p.unique && !q.unique
}

// choosePath picks the index whose leading columns the predicates bound
// the most tightly; ok is false when no index helps.
func choosePath(s *logical.Scan, args []sarg) (accessPath, bool) {
	spec := s.Table.Spec.(*storage.TableSpec)
	var best accessPath
	found := false
	try := func(idx *storage.IndexSpec, name string, cols []int, desc []bool, unique bool) {
		p := accessPath{index: idx, name: name, unique: unique}
		var eqVals []expr.Expr
		for k, col := range cols {
			var eq *sarg
			for i := range args {
				if args[i].col == col && args[i].op == "=" {
					eq = &args[i]
					break
				}
			}
			if eq == nil {
				// A range on this column ends the usable prefix.
				var lo, hi *sarg
				for i := range args {
					a := &args[i]
					if a.col != col {
						continue
					}
					switch a.op {
					case ">", ">=":
						if lo == nil {
							lo = a
						}
					case "<", "<=":
						if hi == nil {
							hi = a
						}
					}
				}
				if lo == nil && hi == nil {
					break
				}
				isDesc := k < len(desc) && desc[k]
				if isDesc {
					lo, hi = hi, lo
				}
				bt := append(p.boundTypes[:len(p.boundTypes):len(p.boundTypes)], s.Table.Columns[col].Type)
				if lo != nil {
					p.lower = &exec.ScanBound{Values: append(append([]expr.Expr(nil), eqVals...), lo.value), Inclusive: lo.op == ">=" || lo.op == "<="}
				}
				if hi != nil {
					p.upper = &exec.ScanBound{Values: append(append([]expr.Expr(nil), eqVals...), hi.value), Inclusive: hi.op == "<=" || hi.op == ">="}
				}
				if p.lower == nil && p.eq > 0 {
					p.lower = &exec.ScanBound{Values: eqVals, Inclusive: true}
				}
				if p.upper == nil && p.eq > 0 {
					p.upper = &exec.ScanBound{Values: eqVals, Inclusive: true}
				}
				p.boundTypes = bt
				p.hasRange = true
				break
			}
			eqVals = append(eqVals, eq.value)
			p.eqConj = append(p.eqConj, eq.conj)
			p.boundTypes = append(p.boundTypes, s.Table.Columns[col].Type)
			p.eq++
		}
		if p.eq == 0 && !p.hasRange {
			return
		}
		if !p.hasRange {
			p.lower = &exec.ScanBound{Values: eqVals, Inclusive: true}
			p.upper = &exec.ScanBound{Values: eqVals, Inclusive: true}
		}
		if !found || p.better(best) {
			best, found = p, true
		}
	}
	if len(spec.PrimaryKey) > 0 {
		try(nil, "primary key", spec.PrimaryKey, nil, true)
	}
	for i := range spec.Indexes {
		idx := &spec.Indexes[i]
		try(idx, idx.Name, idx.Columns, idx.Desc, idx.Unique)
	}
	return best, found
}

// buildScan lowers a scan with its filter, choosing an index range when
// the filter bounds an index's leading columns. The whole filter still
// runs over the rows read, so bounds need only be conservative.
func (b *builder) buildScan(s *logical.Scan, filter expr.Expr) (built, error) {
	if s.Table.Kind != logical.TableRelation {
		return b.buildLogicalRelationScan(s, filter)
	}
	spec := s.Table.Spec.(*storage.TableSpec)
	var cols []int
	var ids []expr.ColumnID
	var ts []types.T
	for i, c := range s.Cols {
		if b.used[c.ID] {
			cols = append(cols, i)
			ids = append(ids, c.ID)
			ts = append(ts, c.Type)
		}
	}
	rowKey := s.RowKey != nil
	if rowKey {
		ids = append(ids, s.RowKey.ID)
		ts = append(ts, s.RowKey.Type)
	}
	var path accessPath
	var ok bool
	if filter != nil {
		path, ok = choosePath(s, sargs(s, filter))
	}
	var op exec.Operator
	var err error
	switch {
	case ok && isKeyLookup(spec, path):
		keyCols := make([]string, len(spec.PrimaryKey))
		for i, ord := range spec.PrimaryKey {
			keyCols[i] = spec.Columns[ord].Name
		}
		op, err = exec.NewKeyLookup(spec, cols, rowKey, path.lower.Values, keyCols, s.Alias)
		filter = withoutConjuncts(filter, path.eqConj)
	case ok:
		op, err = exec.NewTableScan(spec, cols, rowKey, path.index, path.lower, path.upper, path.boundTypes, s.Alias)
	default:
		op, err = exec.NewTableScan(spec, cols, rowKey, nil, nil, nil, nil, s.Alias)
	}
	if err != nil {
		return built{}, err
	}
	out := built{op: wrap(op), ids: ids, types: ts}
	if filter != nil {
		return b.filter(out, filter)
	}
	return out, nil
}

// isKeyLookup reports whether path binds every primary key column by an
// equality with a value of the column's type, and every key column is of
// a type whose key encoding is equal exactly when the values are equal in
// SQL: a key lookup then finds the only row the equalities can accept,
// and they need not run again above it. (Numeric, float, char and interval
// keys have distinct values that are equal, such as 1.0 and 1.00, -0 and 0,
// or 1 month and 30 days. Their key encodings are canonical too, but
// dropping the equality would rest on every such rule of the encoding
// matching the operator's, so they keep the range scan and the filter.)
func isKeyLookup(spec *storage.TableSpec, path accessPath) bool {
	if path.index != nil || path.hasRange || len(spec.PrimaryKey) == 0 || path.eq != len(spec.PrimaryKey) ||
		len(path.eqConj) != path.eq || path.lower == nil || len(path.lower.Values) != path.eq {
		return false
	}
	for i, ord := range spec.PrimaryKey {
		t := spec.Columns[ord].Type
		if !exactKeyEquality(t) || !path.lower.Values[i].Type().Same(t) {
			return false
		}
	}
	return true
}

// exactKeyEquality reports whether two values of type t are equal in SQL
// exactly when their key encodings are equal.
func exactKeyEquality(t types.T) bool {
	switch t.Kind {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Oid, types.Text, types.Varchar, types.Bytea,
		types.UUID, types.Date, types.Timestamp, types.TimestampTZ:
		return true
	}
	return false
}

// withoutConjuncts returns filter without the conjuncts drop (compared by
// identity), or nil when nothing is left.
func withoutConjuncts(filter expr.Expr, drop []expr.Expr) expr.Expr {
	var keep []expr.Expr
	for _, c := range expr.Conjuncts(filter) {
		dropped := false
		for _, d := range drop {
			if c == d {
				dropped = true
				break
			}
		}
		if !dropped {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return expr.And(keep...)
}

// buildLogicalRelationScan reads a stream's events or a workflow's result.
func (b *builder) buildLogicalRelationScan(s *logical.Scan, filter expr.Expr) (built, error) {
	ids := logical.IDs(s.Cols)
	ts := logical.Types(s.Cols)
	var op exec.Operator
	var err error
	if s.Table.Kind == logical.StreamRelation {
		atom := s.Atom != nil && b.used[s.Atom.ID]
		op, err = exec.NewLogScan(s.Table.Name, uint64(s.Table.OID), ts, atom, watermarkSpec(s.Table))
		if atom {
			ids = append(ids, s.Atom.ID)
			ts = append(ts, s.Atom.Type)
		}
	} else {
		op, err = exec.NewResultScan(s.Table.Name, uint64(s.Table.OID), ts, s.Table.AppendOnly)
	}
	if err != nil {
		return built{}, err
	}
	out := built{op: wrap(op), ids: ids, types: ts}
	if filter != nil {
		return b.filter(out, filter)
	}
	return out, nil
}

func watermarkSpec(t *logical.TableRef) *exec.WatermarkSpec {
	if t.Watermark == nil {
		return nil
	}
	return &exec.WatermarkSpec{Column: t.Watermark.Column, Expr: t.Watermark.Expr}
}
