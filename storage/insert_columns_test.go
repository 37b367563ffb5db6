package storage

import (
	"bytes"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// TestInsertRowAtMatchesInsertRow: inserting rows from Arrow columns writes
// exactly the keys and values that inserting the same rows as datums
// writes (row, both indexes), and fails the same way on a duplicate
// primary key, a duplicate unique index value and a NULL primary key.
func TestInsertRowAtMatchesInsertRow(t *testing.T) {
	ts := testTable()
	colTypes := make([]types.T, len(ts.Columns))
	for i, c := range ts.Columns {
		colTypes[i] = c.Type
	}
	rows := [][]types.Datum{
		row(1, "x", "1.50", 2.5),
		row(2, nil, nil, nil),
		row(-7, "yy", "-0.001", -1.0),
		row(1<<40, "", "123456789012345678901234567890.5", 0.0),
	}
	byDatums, byColumns := openMem(t), openMem(t)
	txn := byDatums.Begin()
	for _, r := range rows {
		if _, err := txn.InsertRow(ts, r); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit(t, txn)
	txn = byColumns.Begin()
	enc, err := txn.NewRowEncoder(ts, columnsOf(colTypes, rows))
	if err != nil {
		t.Fatal(err)
	}
	for r := range rows {
		key, err := txn.InsertRowAt(enc, r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ts.rowKey(rows[r])
		if !bytes.Equal(key, want) {
			t.Fatalf("row %d: key %x, want %x", r, key, want)
		}
	}
	mustCommit(t, txn)
	for _, obj := range []uint64{ts.ID, ts.Indexes[0].ID, ts.Indexes[1].ID} {
		got, want := rawPairs(t, byColumns, obj), rawPairs(t, byDatums, obj)
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("object %d: %d entries from columns, %d from datums", obj, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("object %d entry %d: from columns %q, from datums %q", obj, i, got[i], want[i])
			}
		}
	}

	bad := [][]types.Datum{
		row(1, "z", "9", 1.0),    // duplicate primary key
		row(9, "z", "1.50", 1.0), // duplicate unique c
		{nil, "z", num("3"), 1.0},
	}
	for i, r := range bad {
		txn := byDatums.Begin()
		_, want := txn.InsertRow(ts, r)
		txn.Rollback()
		txn = byColumns.Begin()
		enc, err := txn.NewRowEncoder(ts, columnsOf(colTypes, [][]types.Datum{r}))
		if err != nil {
			t.Fatal(err)
		}
		_, got := txn.InsertRowAt(enc, 0)
		txn.Rollback()
		var ge, we *pgerror.Error
		if !errors.As(got, &ge) || !errors.As(want, &we) || ge.Code != we.Code || ge.Message != we.Message || ge.Detail != we.Detail {
			t.Errorf("bad row %d: from columns %v, from datums %v", i, got, want)
		}
	}
}

// rawPairs lists the committed key/value pairs of object obj.
func rawPairs(t *testing.T, db *DB, obj uint64) []string {
	t.Helper()
	txn := db.Begin()
	defer txn.Rollback()
	prefix := ObjectPrefix(obj)
	it, err := txn.NewIter(prefix, PrefixEnd(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return out
}

// columnsOf lays rows out as Arrow columns.
func columnsOf(ts []types.T, rows [][]types.Datum) []arrow.Array {
	cols := make([]arrow.Array, len(ts))
	for c, t := range ts {
		vals := make([]types.Datum, len(rows))
		for r, row := range rows {
			vals[r] = row[c]
		}
		cols[c] = types.ArrayFromDatums(t, vals)
	}
	return cols
}
