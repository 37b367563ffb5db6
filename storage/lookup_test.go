package storage

import (
	"bytes"
	"testing"

	"portalsdb/types"
)

// lookupRow runs l.Lookup and returns the row as datums of the columns'
// types (the row key, if any, as []byte), or nil when not found.
func lookupRow(t *testing.T, l *RowLookup, txn *Txn, ts *TableSpec, cols []int, pk ...types.Datum) []types.Datum {
	t.Helper()
	arrs, found, err := l.Lookup(txn, pk)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		if arrs != nil {
			t.Fatal("Lookup returned arrays for a missing row")
		}
		return nil
	}
	out := make([]types.Datum, len(arrs))
	for i, a := range arrs {
		if a.Len() != 1 {
			t.Fatalf("column %d has %d rows, want 1", i, a.Len())
		}
		if i < len(cols) {
			out[i] = types.DatumAt(ts.Columns[cols[i]].Type, a, 0)
		} else {
			out[i] = types.DatumAt(types.ByteaType, a, 0)
		}
	}
	return out
}

// TestRowLookupMatchesGetRow checks lookups against GetRow through a
// transaction's own inserts, updates and deletes, across commits, and at
// an older snapshot while newer commits land.
func TestRowLookupMatchesGetRow(t *testing.T) {
	db := openMem(t)
	ts := testTable()
	cols := []int{3, 1, 0} // d, b, a: any order, a subset
	l, err := NewRowLookup(ts, cols, true)
	if err != nil {
		t.Fatal(err)
	}
	check := func(txn *Txn, a int64, want []types.Datum) {
		t.Helper()
		got := lookupRow(t, l, txn, ts, cols, a)
		if want == nil {
			if got != nil {
				t.Fatalf("row %d: found %v, want none", a, got)
			}
			return
		}
		key, row, ok, err := txn.GetRow(ts, []types.Datum{a})
		if err != nil || !ok {
			t.Fatalf("GetRow %d: %v %v", a, ok, err)
		}
		if got == nil {
			t.Fatalf("row %d: not found, want %v", a, want)
		}
		for i, ord := range cols {
			if !sameDatum(got[i], row[ord]) || !sameDatum(got[i], want[ord]) {
				t.Fatalf("row %d column %d: lookup %v, GetRow %v, want %v", a, ord, got[i], row[ord], want[ord])
			}
		}
		if !bytes.Equal(got[len(cols)].([]byte), key) {
			t.Fatalf("row %d: row key %x, want %x", a, got[len(cols)], key)
		}
	}

	txn := db.Begin()
	check(txn, 1, nil)
	k1, _ := txn.InsertRow(ts, row(1, "a", "10", 1.5))
	txn.InsertRow(ts, row(2, nil, nil, nil))
	check(txn, 1, row(1, "a", "10", 1.5)) // the transaction's own write
	check(txn, 2, row(2, nil, nil, nil))  // NULL columns
	mustCommit(t, txn)

	old := db.Begin() // sees rows 1 and 2 as committed above
	defer old.Rollback()

	txn = db.Begin()
	check(txn, 1, row(1, "a", "10", 1.5)) // committed, read from Pebble
	if _, err := txn.UpdateRow(ts, k1, row(1, "a", "10", 1.5), row(1, "b", "11", 2.5)); err != nil {
		t.Fatal(err)
	}
	check(txn, 1, row(1, "b", "11", 2.5)) // updated in this transaction
	k2, _, _, _ := txn.GetRow(ts, []types.Datum{int64(2)})
	if err := txn.DeleteRow(ts, k2, row(2, nil, nil, nil)); err != nil {
		t.Fatal(err)
	}
	check(txn, 2, nil) // deleted in this transaction
	mustCommit(t, txn)

	// The older snapshot still reads the rows as they were.
	check(old, 1, row(1, "a", "10", 1.5))
	check(old, 2, row(2, nil, nil, nil))
	now := db.Begin()
	defer now.Rollback()
	check(now, 1, row(1, "b", "11", 2.5))
	check(now, 2, nil)

	// A NULL key value finds nothing.
	if got := lookupRow(t, l, now, ts, cols, nil); got != nil {
		t.Fatalf("NULL key found %v", got)
	}
}

// TestRowLookupCompositeAndHiddenKeys looks rows up by a two-column key
// (text, int4) and by the hidden row id of a table without a key.
func TestRowLookupCompositeAndHiddenKeys(t *testing.T) {
	db := openMem(t)
	ts := &TableSpec{ID: 300, Name: "c", Columns: []ColumnSpec{
		{ID: 1, Name: "k1", Type: types.TextType},
		{ID: 2, Name: "k2", Type: types.Int4Type},
		{ID: 3, Name: "v", Type: types.Int8Type},
	}, PrimaryKey: []int{0, 1}}
	txn := db.Begin()
	for i, k := range []struct {
		k1 string
		k2 int64
	}{{"a", 1}, {"a", 2}, {"ab", 1}, {"b", 1}} {
		if _, err := txn.InsertRow(ts, []types.Datum{k.k1, k.k2, int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit(t, txn)
	l, err := NewRowLookup(ts, []int{2}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := db.Begin()
	defer r.Rollback()
	for _, c := range []struct {
		k1   string
		k2   int64
		want any
	}{{"a", 1, int64(0)}, {"a", 2, int64(1)}, {"ab", 1, int64(2)}, {"b", 1, int64(3)}, {"a", 3, nil}, {"", 1, nil}} {
		got := lookupRow(t, l, r, ts, []int{2}, c.k1, c.k2)
		switch {
		case c.want == nil && got != nil:
			t.Errorf("(%q, %d): found %v", c.k1, c.k2, got)
		case c.want != nil && (got == nil || got[0] != c.want):
			t.Errorf("(%q, %d): got %v, want %v", c.k1, c.k2, got, c.want)
		}
	}
	if _, _, err := l.Lookup(r, []types.Datum{"a"}); err == nil {
		t.Error("a lookup with one of two key values did not fail")
	}

	hidden := &TableSpec{ID: 301, Name: "h", Columns: []ColumnSpec{{ID: 1, Name: "v", Type: types.TextType}}}
	txn = db.Begin()
	key, err := txn.InsertRow(hidden, []types.Datum{"x"})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, txn)
	hl, err := NewRowLookup(hidden, []int{0}, true)
	if err != nil {
		t.Fatal(err)
	}
	if kt := hl.KeyTypes(); len(kt) != 1 || !kt[0].Equal(types.Int8Type) {
		t.Fatalf("hidden key types %v", kt)
	}
	r2 := db.Begin()
	defer r2.Rollback()
	rowID := int64(-1)
	for id := int64(0); id < 1<<16; id++ {
		if bytes.Equal(hiddenRowKey(hidden.ID, id), key) {
			rowID = id
			break
		}
	}
	if rowID < 0 {
		t.Fatalf("no row id gives the key %x", key)
	}
	got := lookupRow(t, hl, r2, hidden, []int{0}, rowID)
	if got == nil || got[0] != "x" || !bytes.Equal(got[1].([]byte), key) {
		t.Fatalf("hidden row id lookup: %v", got)
	}
}
