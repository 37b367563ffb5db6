package storage

import (
	"fmt"
	"testing"
)

func readLog(t *testing.T, txn *Txn, obj uint64, from, to Seq) []string {
	t.Helper()
	it, err := txn.ScanLog(obj, from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		e := it.Entry()
		out = append(out, fmt.Sprintf("%d/%d:%s", e.Seq, e.Index, e.Value))
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLogAtomsAreCommits(t *testing.T) {
	db := openMem(t)
	var hooked []string
	db.SetCommitHook(func(seq Seq, logs []uint64) { hooked = append(hooked, fmt.Sprint(seq, logs)) })

	old := db.Begin() // a snapshot from before any append

	a := db.Begin()
	for _, v := range []string{"a1", "a2"} {
		if err := a.AppendLog(7, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.AppendLog(9, []byte("other")); err != nil {
		t.Fatal(err)
	}
	sp := a.Savepoint()
	_ = a.AppendLog(7, []byte("undone"))
	a.RollbackTo(sp)
	seqA, err := a.Commit()
	if err != nil {
		t.Fatal(err)
	}
	b := db.Begin()
	_ = b.AppendLog(7, []byte("b1"))
	seqB, err := b.Commit()
	if err != nil {
		t.Fatal(err)
	}

	r := db.Begin()
	defer r.Rollback()
	got := readLog(t, r, 7, 0, ^Seq(0))
	want := []string{fmt.Sprintf("%d/0:a1", seqA), fmt.Sprintf("%d/1:a2", seqA), fmt.Sprintf("%d/0:b1", seqB)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log 7 = %v, want %v", got, want)
	}
	if got := readLog(t, r, 7, seqB, seqB); len(got) != 1 {
		t.Fatalf("range read = %v", got)
	}
	if got := readLog(t, r, 9, 0, ^Seq(0)); len(got) != 1 || got[0] != fmt.Sprintf("%d/0:other", seqA) {
		t.Fatalf("log 9 = %v", got)
	}
	if got := readLog(t, old, 7, 0, ^Seq(0)); len(got) != 0 {
		t.Fatalf("an older snapshot sees %v", got)
	}
	old.Rollback()
	if next, _ := r.NextLogSeq(7, seqA); next != seqB {
		t.Fatalf("NextLogSeq = %d, want %d", next, seqB)
	}
	if len(hooked) != 2 || hooked[0] != fmt.Sprint(seqA, []uint64{7, 9}) {
		t.Fatalf("hook saw %v", hooked)
	}
	if err := db.TrimLog(7, seqB); err != nil {
		t.Fatal(err)
	}
	r2 := db.Begin()
	defer r2.Rollback()
	if got := readLog(t, r2, 7, 0, ^Seq(0)); len(got) != 1 {
		t.Fatalf("after trim: %v", got)
	}
}
