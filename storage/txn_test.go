package storage

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"portalsdb/pgerror"
)

func TestSnapshotIsolation(t *testing.T) {
	db := openMem(t)
	setup := db.Begin()
	put(t, setup, "a", "1")
	put(t, setup, "b", "1")
	s1 := mustCommit(t, setup)

	reader := db.Begin()
	if reader.ReadSeq() != s1 {
		t.Fatalf("ReadSeq = %d, want %d", reader.ReadSeq(), s1)
	}
	writer := db.Begin()
	put(t, writer, "a", "2")
	if err := writer.Delete([]byte("b")); err != nil {
		t.Fatal(err)
	}
	put(t, writer, "c", "2")
	// The writer sees its own writes before commit; the reader does not.
	if v, _ := get(t, writer, "a"); v != "2" {
		t.Fatalf("writer reads a=%q", v)
	}
	if _, ok := get(t, writer, "b"); ok {
		t.Fatal("writer still sees its deleted b")
	}
	s2 := mustCommit(t, writer)
	if s2 != s1+1 {
		t.Fatalf("seq %d, want %d", s2, s1+1)
	}
	// The reader's snapshot predates the writer's commit.
	if v, _ := get(t, reader, "a"); v != "1" {
		t.Fatalf("old snapshot reads a=%q, want 1", v)
	}
	if _, ok := get(t, reader, "b"); !ok {
		t.Fatal("old snapshot lost b")
	}
	if _, ok := get(t, reader, "c"); ok {
		t.Fatal("old snapshot sees c")
	}
	if seq, err := reader.Commit(); err != nil || seq != s1 {
		t.Fatalf("read-only commit = %d, %v; want ReadSeq %d", seq, err, s1)
	}
	fresh := db.Begin()
	defer fresh.Rollback()
	if v, _ := get(t, fresh, "a"); v != "2" {
		t.Fatalf("new snapshot reads a=%q", v)
	}
	if _, ok := get(t, fresh, "b"); ok {
		t.Fatal("new snapshot sees deleted b")
	}
	// Time travel to the first commit.
	old, err := db.BeginAt(s1)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	if v, _ := get(t, old, "a"); v != "1" {
		t.Fatalf("BeginAt(%d) reads a=%q", s1, v)
	}
	_, err = db.BeginAt(s2 + 1)
	wantCode(t, err, pgerror.ObjectNotInPrerequisiteState)
}

func TestWriteWriteConflict(t *testing.T) {
	db := openMem(t)
	t1 := db.Begin()
	t2 := db.Begin()
	t3 := db.Begin()
	put(t, t1, "k", "t1")
	put(t, t2, "x", "t2")
	put(t, t2, "k", "t2")
	put(t, t3, "other", "t3")
	mustCommit(t, t1)
	_, err := t2.Commit()
	wantCode(t, err, pgerror.SerializationFailure)
	if err.Error() != "could not serialize access due to concurrent update" {
		t.Fatalf("message %q", err)
	}
	// Disjoint keys commit.
	mustCommit(t, t3)
	check := db.Begin()
	if v, _ := get(t, check, "k"); v != "t1" {
		t.Fatalf("k = %q, want the first committer's", v)
	}
	if _, ok := get(t, check, "x"); ok {
		t.Fatal("the failed transaction wrote x")
	}
	check.Rollback()
	// A delete conflicts like a put.
	t4, t5 := db.Begin(), db.Begin()
	if err := t4.Delete([]byte("k")); err != nil {
		t.Fatal(err)
	}
	put(t, t5, "k", "t5")
	mustCommit(t, t5)
	_, err = t4.Commit()
	wantCode(t, err, pgerror.SerializationFailure)
	// Once no transaction is older than a commit, its write set is
	// forgotten.
	db.mu.Lock()
	n := len(db.recent)
	db.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d write sets still tracked with no active transactions", n)
	}
}

func TestConflictWithInFlightSnapshot(t *testing.T) {
	// A transaction that started before t1's commit, even after t1 took
	// its seq, must conflict with t1.
	db := openMem(t)
	old := db.Begin()
	t1 := db.Begin()
	put(t, t1, "k", "1")
	mustCommit(t, t1)
	put(t, old, "k", "old")
	_, err := old.Commit()
	wantCode(t, err, pgerror.SerializationFailure)
}

func TestLostUpdatesPrevented(t *testing.T) {
	db := openMem(t)
	init := db.Begin()
	put(t, init, "counter", "0")
	mustCommit(t, init)
	const workers, perWorker = 4, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				txn := db.Begin()
				v, _, err := txn.Get([]byte("counter"))
				if err != nil {
					t.Error(err)
					return
				}
				var n int
				fmt.Sscan(string(v), &n)
				if err := txn.Put([]byte("counter"), []byte(fmt.Sprint(n+1))); err != nil {
					t.Error(err)
					return
				}
				if _, err := txn.Commit(); err != nil {
					if pgerror.CodeOf(err) != pgerror.SerializationFailure {
						t.Error(err)
					}
					continue
				}
				mu.Lock()
				committed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	txn := db.Begin()
	defer txn.Rollback()
	v, _ := get(t, txn, "counter")
	if v != fmt.Sprint(committed) {
		t.Fatalf("counter = %s after %d successful increments", v, committed)
	}
	if committed == 0 {
		t.Fatal("no increment committed")
	}
}

func TestSavepoints(t *testing.T) {
	db := openMem(t)
	base := db.Begin()
	put(t, base, "a", "committed")
	mustCommit(t, base)

	txn := db.Begin()
	put(t, txn, "a", "1")
	sp1 := txn.Savepoint()
	put(t, txn, "a", "2")
	put(t, txn, "b", "2")
	if err := txn.Delete([]byte("a")); err != nil {
		t.Fatal(err)
	}
	sp2 := txn.Savepoint()
	put(t, txn, "c", "3")
	txn.RollbackTo(sp2)
	if _, ok := get(t, txn, "c"); ok {
		t.Fatal("c survived RollbackTo(sp2)")
	}
	if _, ok := get(t, txn, "a"); ok {
		t.Fatal("a's delete before sp2 was undone")
	}
	txn.RollbackTo(sp1)
	if v, _ := get(t, txn, "a"); v != "1" {
		t.Fatalf("after RollbackTo(sp1) a=%q, want 1", v)
	}
	if _, ok := get(t, txn, "b"); ok {
		t.Fatal("b survived RollbackTo(sp1)")
	}
	// sp1 stays usable.
	put(t, txn, "d", "4")
	txn.RollbackTo(sp1)
	if _, ok := get(t, txn, "d"); ok {
		t.Fatal("d survived the second RollbackTo(sp1)")
	}
	mustCommit(t, txn)
	check := db.Begin()
	defer check.Rollback()
	if v, _ := get(t, check, "a"); v != "1" {
		t.Fatalf("committed a=%q", v)
	}
	for _, k := range []string{"b", "c", "d"} {
		if _, ok := get(t, check, k); ok {
			t.Fatalf("%s was committed", k)
		}
	}
}

func TestRollbackToEmptyIsReadOnly(t *testing.T) {
	db := openMem(t)
	txn := db.Begin()
	sp := txn.Savepoint()
	put(t, txn, "a", "1")
	if !txn.HasWrites() {
		t.Fatal("HasWrites false after Put")
	}
	txn.RollbackTo(sp)
	if txn.HasWrites() {
		t.Fatal("HasWrites true after rolling back every write")
	}
	before := db.VisibleSeq()
	if seq := mustCommit(t, txn); seq != before {
		t.Fatalf("commit without writes got seq %d, want ReadSeq %d", seq, before)
	}
}

func TestRollbackWritesNothing(t *testing.T) {
	db := openMem(t)
	txn := db.Begin()
	put(t, txn, "a", "1")
	txn.Rollback()
	check := db.Begin()
	defer check.Rollback()
	if _, ok := get(t, check, "a"); ok {
		t.Fatal("rolled-back write is visible")
	}
	if db.VisibleSeq() != 0 {
		t.Fatalf("rollback consumed a seq: visible=%d", db.VisibleSeq())
	}
}

func TestGroupCommitConcurrent(t *testing.T) {
	db := openMem(t)
	const workers, perWorker = 8, 20
	var wg sync.WaitGroup
	seqs := make(chan Seq, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				txn := db.Begin()
				k := fmt.Sprintf("w%d-%d", w, i)
				if err := txn.Put([]byte(k), []byte(k)); err != nil {
					t.Error(err)
					return
				}
				seq, err := txn.Commit()
				if err != nil {
					t.Error(err)
					return
				}
				// Commit returns only once the commit is visible.
				if db.VisibleSeq() < seq {
					t.Errorf("commit %d returned before visible (%d)", seq, db.VisibleSeq())
				}
				seqs <- seq
			}
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[Seq]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("seq %d handed out twice", s)
		}
		seen[s] = true
	}
	if len(seen) != workers*perWorker || db.VisibleSeq() != Seq(workers*perWorker) {
		t.Fatalf("%d distinct seqs, visible %d", len(seen), db.VisibleSeq())
	}
}

// TestBankInvariant moves money between accounts from several goroutines
// while others scan every account: each scan, at any snapshot, must see the
// same total, since a transfer is one atom.
func TestBankInvariant(t *testing.T) {
	db := openMem(t)
	const accounts, initial = 10, 100
	setup := db.Begin()
	for i := range accounts {
		put(t, setup, fmt.Sprintf("acct%02d$", i), fmt.Sprint(initial))
	}
	mustCommit(t, setup)
	balance := func(txn *Txn, k string) int {
		v, ok, err := txn.Get([]byte(k))
		if err != nil || !ok {
			t.Errorf("read %s: %v %v", k, ok, err)
		}
		n, _ := strconv.Atoi(string(v))
		return n
	}
	var wg sync.WaitGroup
	var transfers atomic.Int64
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 100 {
				a, b := fmt.Sprintf("acct%02d$", r.IntN(accounts)), fmt.Sprintf("acct%02d$", r.IntN(accounts))
				if a == b {
					continue
				}
				txn := db.Begin()
				amount := r.IntN(10)
				_ = txn.Put([]byte(a), []byte(fmt.Sprint(balance(txn, a)-amount)))
				_ = txn.Put([]byte(b), []byte(fmt.Sprint(balance(txn, b)+amount)))
				if _, err := txn.Commit(); err == nil {
					transfers.Add(1)
				} else if pgerror.CodeOf(err) != pgerror.SerializationFailure {
					t.Error(err)
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				txn := db.Begin()
				it, err := txn.NewIter([]byte("acct"), []byte("acct~"))
				if err != nil {
					t.Error(err)
					return
				}
				sum, n := 0, 0
				for it.First(); it.Valid(); it.Next() {
					v, _ := strconv.Atoi(string(it.Value()))
					sum += v
					n++
				}
				it.Close()
				txn.Rollback()
				if sum != accounts*initial || n != accounts {
					t.Errorf("snapshot %d sees %d accounts holding %d", txn.ReadSeq(), n, sum)
					return
				}
			}
		}()
	}
	wg.Wait()
	if transfers.Load() == 0 {
		t.Fatal("no transfer committed")
	}
}
