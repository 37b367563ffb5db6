package storage

import (
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
	"github.com/cockroachdb/pebble/v2"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// testTable is t(a int8 PRIMARY KEY, b text, c numeric, d float8) with a
// non-unique index on (b DESC, c) and a unique index on (c).
func testTable() *TableSpec {
	return &TableSpec{
		ID:   100,
		Name: "t",
		Columns: []ColumnSpec{
			{ID: 1, Name: "a", Type: types.Int8Type},
			{ID: 2, Name: "b", Type: types.TextType},
			{ID: 3, Name: "c", Type: types.NumericType},
			{ID: 4, Name: "d", Type: types.Float8Type},
		},
		PrimaryKey: []int{0},
		Indexes: []IndexSpec{
			{ID: 101, Name: "t_b_c_idx", Columns: []int{1, 2}, Desc: []bool{true, false}},
			{ID: 102, Name: "t_c_key", Columns: []int{2}, Unique: true},
		},
	}
}

func num(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return d
}

func row(a int64, b any, c any, d any) []types.Datum {
	out := []types.Datum{a, b, c, d}
	if s, ok := c.(string); ok {
		out[2] = num(s)
	}
	return out
}

// scanAll runs a scan and returns its rows as datums (the row key column,
// if asked for, as []byte).
func scanAll(t *testing.T, txn *Txn, ts *TableSpec, opts ScanOptions) [][]types.Datum {
	t.Helper()
	s, err := txn.ScanRows(ts, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out [][]types.Datum
	for {
		rec, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if opts.BatchSize > 0 && rec.NumRows() > int64(opts.BatchSize) {
			t.Fatalf("batch of %d rows, BatchSize %d", rec.NumRows(), opts.BatchSize)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			r := make([]types.Datum, 0, rec.NumCols())
			for j, ord := range opts.Columns {
				r = append(r, types.DatumAt(ts.Columns[ord].Type, rec.Column(j), i))
			}
			if opts.RowKey {
				r = append(r, rec.Column(len(opts.Columns)).(*array.Binary).Value(i))
			}
			out = append(out, r)
		}
		rec.Release()
	}
	return out
}

func TestInsertGetAndUniqueViolations(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	txn := db.Begin()
	key, err := txn.InsertRow(ts, row(1, "x", "1.50", 2.5))
	if err != nil {
		t.Fatal(err)
	}
	gotKey, got, ok, err := txn.GetRow(ts, []types.Datum{int64(1)})
	if err != nil || !ok {
		t.Fatalf("GetRow: %v %v", ok, err)
	}
	if string(gotKey) != string(key) || got[1] != "x" || got[2].(*apd.Decimal).String() != "1.50" || got[3] != 2.5 {
		t.Fatalf("GetRow = %x %v", gotKey, got)
	}

	_, err = txn.InsertRow(ts, row(1, "y", "2", nil))
	wantCode(t, err, pgerror.UniqueViolation)
	var pe *pgerror.Error
	errors.As(err, &pe)
	if pe.Message != `duplicate key value violates unique constraint "t_pkey"` || pe.Detail != "Key (a)=(1) already exists." ||
		pe.Constraint != "t_pkey" || pe.Table != "t" {
		t.Fatalf("PK violation: %+v", pe)
	}
	// A unique index violation; 1.5 equals 1.50. Nothing of the failed row
	// is written, not even its primary key row.
	_, err = txn.InsertRow(ts, row(2, "y", "1.5", nil))
	wantCode(t, err, pgerror.UniqueViolation)
	errors.As(err, &pe)
	if pe.Constraint != "t_c_key" || pe.Detail != "Key (c)=(1.5) already exists." {
		t.Fatalf("index violation: %+v", pe)
	}
	if _, _, ok, _ := txn.GetRow(ts, []types.Datum{int64(2)}); ok {
		t.Fatal("the failed insert wrote its row")
	}
	if rows := scanAll(t, txn, ts, ScanOptions{Columns: []int{0}, Index: &ts.Indexes[0]}); len(rows) != 1 {
		t.Fatalf("index has %d entries after a failed insert, want 1", len(rows))
	}
	// NULLs never conflict in a unique index.
	for a := int64(3); a < 6; a++ {
		if _, err := txn.InsertRow(ts, row(a, "n", nil, nil)); err != nil {
			t.Fatalf("insert with NULL unique value: %v", err)
		}
	}
	// A NULL primary key is a not-null violation.
	_, err = txn.InsertRow(ts, []types.Datum{nil, "z", nil, nil})
	wantCode(t, err, pgerror.NotNullViolation)
	mustCommit(t, txn)

	// Conflicts are checked against committed rows too.
	txn = db.Begin()
	defer txn.Rollback()
	_, err = txn.InsertRow(ts, row(9, "q", "1.500", nil))
	wantCode(t, err, pgerror.UniqueViolation)
}

func TestUpdateAndDeleteMaintainIndexes(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	txn := db.Begin()
	k1, _ := txn.InsertRow(ts, row(1, "a", "10", nil))
	k2, _ := txn.InsertRow(ts, row(2, "b", "20", nil))
	if _, err := txn.InsertRow(ts, row(3, "c", "30", nil)); err != nil {
		t.Fatal(err)
	}
	// Change the primary key and both indexed columns.
	newK1, err := txn.UpdateRow(ts, k1, row(1, "a", "10", nil), row(11, "z", "15", 1.0))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := txn.GetRow(ts, []types.Datum{int64(1)}); ok {
		t.Fatal("old primary key still present")
	}
	if _, r, ok, _ := txn.GetRow(ts, []types.Datum{int64(11)}); !ok || r[1] != "z" {
		t.Fatalf("new primary key row = %v, %v", r, ok)
	}
	// Updating onto an existing unique value fails and changes nothing.
	_, err = txn.UpdateRow(ts, k2, row(2, "b", "20", nil), row(2, "b", "30", nil))
	wantCode(t, err, pgerror.UniqueViolation)
	_, err = txn.UpdateRow(ts, k2, row(2, "b", "20", nil), row(3, "b", "20", nil))
	wantCode(t, err, pgerror.UniqueViolation)
	// Keep the unique value but move the row's key: its entry must follow.
	if _, err := txn.UpdateRow(ts, k2, row(2, "b", "20", nil), row(12, "b", "20", nil)); err != nil {
		t.Fatal(err)
	}
	if err := txn.DeleteRow(ts, newK1, row(11, "z", "15", 1.0)); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, txn)

	check := db.Begin()
	defer check.Rollback()
	byB := scanAll(t, check, ts, ScanOptions{Columns: []int{0, 1}, Index: &ts.Indexes[0]})
	want := [][]types.Datum{{int64(3), "c"}, {int64(12), "b"}} // b DESC
	if !slices.EqualFunc(byB, want, slices.Equal) {
		t.Fatalf("index (b DESC, c) scan = %v, want %v", byB, want)
	}
	byC := scanAll(t, check, ts, ScanOptions{Columns: []int{0}, Index: &ts.Indexes[1]})
	if len(byC) != 2 || byC[0][0] != int64(12) || byC[1][0] != int64(3) {
		t.Fatalf("unique index scan = %v", byC)
	}
	// No stale entries: count the raw index keys at the latest snapshot.
	it, err := check.NewIter(ObjectPrefix(101), PrefixEnd(ObjectPrefix(102)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.First(); it.Valid(); it.Next() {
		n++
	}
	it.Close()
	if n != 4 {
		t.Fatalf("%d index entries for 2 rows in 2 indexes", n)
	}
}

// TestScanMatchesModel fills a table with random rows and compares scans
// (primary key and index order, both directions, random bounds, batch
// sizes and projections) with the model sorted by types.Compare.
func TestScanMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	db := openMem(t)
	ts := testTable()
	ts.Indexes[1].Unique = false // random values collide
	model := map[int64][]types.Datum{}
	keys := map[int64]RowKey{}
	txn := db.Begin()
	randRow := func(a int64) []types.Datum {
		var b, c types.Datum
		if r.IntN(6) > 0 {
			b = string(rune('a' + r.IntN(5)))
		}
		if r.IntN(6) > 0 {
			c = apd.New(r.Int64N(20), -int32(r.IntN(2)))
		}
		return []types.Datum{a, b, c, float64(r.IntN(100))}
	}
	for range 400 {
		a := r.Int64N(150) - 50
		old, exists := model[a]
		switch {
		case !exists:
			row := randRow(a)
			k, err := txn.InsertRow(ts, row)
			if err != nil {
				t.Fatal(err)
			}
			model[a], keys[a] = row, k
		case r.IntN(2) == 0:
			if err := txn.DeleteRow(ts, keys[a], old); err != nil {
				t.Fatal(err)
			}
			delete(model, a)
		default:
			row := randRow(a)
			k, err := txn.UpdateRow(ts, keys[a], old, row)
			if err != nil {
				t.Fatal(err)
			}
			model[a], keys[a] = row, k
		}
		if r.IntN(50) == 0 { // commit now and then, so rows are split between Pebble and the buffer
			mustCommit(t, txn)
			txn = db.Begin()
		}
	}
	defer txn.Rollback()
	rows := slices.Collect(func(yield func([]types.Datum) bool) {
		for _, v := range model {
			if !yield(v) {
				return
			}
		}
	})
	for trial := range 60 {
		idx := []*IndexSpec{nil, &ts.Indexes[0], &ts.Indexes[1]}[trial%3]
		keyCols, desc := []int{0}, []bool{false}
		if idx != nil {
			keyCols, desc = idx.Columns, append(idx.Desc, false, false)
		}
		// cmpKey orders rows by the scanned key, then by a (the suffix).
		cmpPrefix := func(x []types.Datum, vals []types.Datum) int {
			for i, v := range vals {
				c := compareNullsLast(ts.Columns[keyCols[i]].Type, x[keyCols[i]], v)
				if desc[i] {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		}
		sorted := slices.Clone(rows)
		slices.SortFunc(sorted, func(x, y []types.Datum) int {
			if c := cmpPrefix(x, pick(y, keyCols)); c != 0 {
				return c
			}
			return compareNullsLast(types.Int8Type, x[0], y[0])
		})
		opts := ScanOptions{Index: idx, Reverse: r.IntN(2) == 0, BatchSize: 1 + r.IntN(40), RowKey: r.IntN(2) == 0}
		opts.Columns = r.Perm(4)[:1+r.IntN(4)]
		randBound := func() *Bound {
			if r.IntN(3) == 0 {
				return nil
			}
			src := rows[r.IntN(len(rows))]
			n := 1 + r.IntN(len(keyCols))
			return &Bound{Values: pick(src, keyCols)[:n], Inclusive: r.IntN(2) == 0}
		}
		opts.Lower, opts.Upper = randBound(), randBound()
		var want [][]types.Datum
		for _, x := range sorted {
			if b := opts.Lower; b != nil {
				if c := cmpPrefix(x, b.Values); c < 0 || (c == 0 && !b.Inclusive) {
					continue
				}
			}
			if b := opts.Upper; b != nil {
				if c := cmpPrefix(x, b.Values); c > 0 || (c == 0 && !b.Inclusive) {
					continue
				}
			}
			out := pick(x, opts.Columns)
			if opts.RowKey {
				out = append(out, []byte(keys[x[0].(int64)]))
			}
			want = append(want, out)
		}
		if opts.Reverse {
			slices.Reverse(want)
		}
		got := scanAll(t, txn, ts, opts)
		if !slices.EqualFunc(got, want, func(x, y []types.Datum) bool {
			return slices.EqualFunc(x, y, func(p, q types.Datum) bool { return sameDatum(p, q) })
		}) {
			t.Fatalf("trial %d, opts %+v lower %v upper %v:\n got %v\nwant %v", trial, opts, opts.Lower, opts.Upper, got, want)
		}
	}
}

func pick(row []types.Datum, ords []int) []types.Datum {
	out := make([]types.Datum, len(ords))
	for i, o := range ords {
		out[i] = row[o]
	}
	return out
}

func compareNullsLast(t types.T, a, b types.Datum) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return types.Compare(t, a, b)
}

func sameDatum(a, b types.Datum) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case *apd.Decimal:
		y, ok := b.(*apd.Decimal)
		return ok && x.Cmp(y) == 0
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	return a == b
}

func TestHiddenRowID(t *testing.T) {
	db := openMem(t)
	ts := &TableSpec{ID: 200, Name: "h", Columns: []ColumnSpec{{ID: 1, Name: "v", Type: types.TextType}}}
	txn := db.Begin()
	var keys []RowKey
	for _, v := range []string{"x", "x", "y"} { // duplicates are fine without a key
		k, err := txn.InsertRow(ts, []types.Datum{v})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	mustCommit(t, txn)
	check := db.Begin()
	defer check.Rollback()
	rows := scanAll(t, check, ts, ScanOptions{Columns: []int{0}, RowKey: true})
	if len(rows) != 3 || rows[2][0] != "y" {
		t.Fatalf("rows %v", rows)
	}
	for i, r := range rows {
		if string(r[1].([]byte)) != string(keys[i]) {
			t.Fatalf("row %d key %x, InsertRow returned %x", i, r[1], keys[i])
		}
	}
	row, ok, err := check.GetRowByKey(ts, keys[1])
	if err != nil || !ok || row[0] != "x" {
		t.Fatalf("GetRowByKey = %v %v %v", row, ok, err)
	}
}

func TestMeta(t *testing.T) {
	db := openMem(t)
	txn := db.Begin()
	for _, k := range []string{"table/1", "table/2", "table/10", "tables", "index/1", "tab\x00le"} {
		if err := txn.PutMeta(k, []byte("v:"+k)); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit(t, txn)
	txn = db.Begin()
	defer txn.Rollback()
	if err := txn.DeleteMeta("table/2"); err != nil {
		t.Fatal(err)
	}
	got, err := txn.ScanMeta("table/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range got {
		if string(e.Value) != "v:"+e.Key {
			t.Fatalf("%q has value %q", e.Key, e.Value)
		}
		names = append(names, e.Key)
	}
	if !slices.Equal(names, []string{"table/1", "table/10"}) {
		t.Fatalf("ScanMeta(table/) = %q", names)
	}
	all, _ := txn.ScanMeta("")
	if len(all) != 5 {
		t.Fatalf("ScanMeta(\"\") has %d records", len(all))
	}
	if v, ok, _ := txn.GetMeta("tab\x00le"); !ok || string(v) != "v:tab\x00le" {
		t.Fatalf("GetMeta = %q %v", v, ok)
	}
}

func TestDropTableData(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	txn := db.Begin()
	for a := range int64(20) {
		if _, err := txn.InsertRow(ts, row(a, "b", nil, nil)); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit(t, txn)
	before := db.Begin()
	// A rolled-back drop removes nothing.
	rb := db.Begin()
	if err := DropTableData(rb, ts); err != nil {
		t.Fatal(err)
	}
	rb.Rollback()
	drop := db.Begin()
	if err := DropTableData(drop, ts); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, drop)
	// A snapshot from before the drop still reads the rows, GC or not.
	if _, err := db.GC(); err != nil {
		t.Fatal(err)
	}
	if n := len(scanAll(t, before, ts, ScanOptions{Columns: []int{0}})); n != 20 {
		t.Fatalf("snapshot before the drop reads %d rows", n)
	}
	before.Rollback()
	stats, err := db.GC()
	if err != nil {
		t.Fatal(err)
	}
	if stats.ObjectsDropped != 3 {
		t.Fatalf("GC dropped %d objects, want 3 (table and two indexes)", stats.ObjectsDropped)
	}
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: ObjectPrefix(ts.ID), UpperBound: PrefixEnd(ObjectPrefix(102))})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if it.First() {
		t.Fatalf("key %x of a dropped table survived GC", it.Key())
	}
}

func TestBackfillIndex(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	ts.Indexes = nil
	txn := db.Begin()
	for a := range int64(10) {
		if _, err := txn.InsertRow(ts, row(a, string(rune('a'+a%3)), nil, nil)); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit(t, txn)
	txn = db.Begin()
	defer txn.Rollback()
	idx := IndexSpec{ID: 150, Name: "t_b_idx", Columns: []int{1}}
	if err := txn.BackfillIndex(ts, &idx); err != nil {
		t.Fatal(err)
	}
	ts.Indexes = append(ts.Indexes, idx)
	rows := scanAll(t, txn, ts, ScanOptions{Columns: []int{1, 0}, Index: &ts.Indexes[0], Lower: &Bound{Values: []types.Datum{"b"}, Inclusive: true}, Upper: &Bound{Values: []types.Datum{"b"}, Inclusive: true}})
	if len(rows) != 3 || rows[0][1] != int64(1) || rows[2][1] != int64(7) {
		t.Fatalf("b = 'b' via the backfilled index: %v", rows)
	}
	uniq := IndexSpec{ID: 151, Name: "t_b_key", Columns: []int{1}, Unique: true}
	wantCode(t, txn.BackfillIndex(ts, &uniq), pgerror.UniqueViolation)
}

func TestConcurrentInsertsOfOneKeyConflict(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	t1, t2 := db.Begin(), db.Begin()
	if _, err := t1.InsertRow(ts, row(1, "x", "1", nil)); err != nil {
		t.Fatal(err)
	}
	// t2 cannot see t1's row, so its own uniqueness check passes...
	if _, err := t2.InsertRow(ts, row(1, "y", "2", nil)); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, t1)
	// ...and the commit catches the duplicate as a write-write conflict.
	_, err := t2.Commit()
	wantCode(t, err, pgerror.SerializationFailure)
}

func TestNumericKeyEquality(t *testing.T) {
	db := openMem(t)
	ts := &TableSpec{ID: 300, Name: "n", Columns: []ColumnSpec{{ID: 1, Name: "k", Type: types.NumericType}}, PrimaryKey: []int{0}}
	txn := db.Begin()
	defer txn.Rollback()
	if _, err := txn.InsertRow(ts, []types.Datum{num("1.0")}); err != nil {
		t.Fatal(err)
	}
	_, err := txn.InsertRow(ts, []types.Datum{num("1.00")})
	wantCode(t, err, pgerror.UniqueViolation)
	// Lookups by an equal value find the row, which keeps its own scale.
	_, r, ok, err := txn.GetRow(ts, []types.Datum{num("1")})
	if err != nil || !ok || r[0].(*apd.Decimal).String() != "1.0" {
		t.Fatalf("GetRow(1) = %v %v %v", r, ok, err)
	}
}

func TestTimeTravelScan(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	var seqs []Seq
	for a := range int64(3) {
		txn := db.Begin()
		if _, err := txn.InsertRow(ts, row(a, "x", nil, nil)); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, mustCommit(t, txn))
	}
	for i, seq := range seqs {
		txn, err := db.BeginAt(seq)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(scanAll(t, txn, ts, ScanOptions{Columns: []int{0}})); n != i+1 {
			t.Fatalf("at atom %d: %d rows, want %d", seq, n, i+1)
		}
		txn.Rollback()
	}
}

func TestScanWithoutColumns(t *testing.T) {
	// count(*) needs rows but no columns.
	db := openMem(t)
	ts := testTable()
	txn := db.Begin()
	defer txn.Rollback()
	for a := range int64(5) {
		if _, err := txn.InsertRow(ts, row(a, nil, nil, nil)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := txn.ScanRows(ts, ScanOptions{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	total := int64(0)
	for {
		rec, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.NumCols() != 0 {
			t.Fatalf("%d columns", rec.NumCols())
		}
		total += rec.NumRows()
		rec.Release()
	}
	if total != 5 {
		t.Fatalf("counted %d rows, want 5", total)
	}
}
