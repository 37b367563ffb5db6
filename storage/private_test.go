package storage

import "testing"

// Private writes commit like Put and Delete: visible after the commit,
// the later of two writes of a key wins, a delete removes an older
// version, RollbackTo drops those made after the savepoint, and a
// transaction with only private writes commits them.
func TestPrivateWrites(t *testing.T) {
	db := openMem(t)
	get := func(key string) (string, bool) {
		t.Helper()
		txn := db.Begin()
		defer txn.Rollback()
		v, ok, err := txn.Get([]byte(key))
		if err != nil {
			t.Fatal(err)
		}
		return string(v), ok
	}
	txn := db.Begin()
	for _, kv := range [][2]string{{"a", "1"}, {"b", "1"}, {"a", "2"}} {
		if err := txn.PutPrivate([]byte(kv[0]), []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	if !txn.HasWrites() {
		t.Fatal("a transaction with private writes has no writes")
	}
	mustCommit(t, txn)
	if v, ok := get("a"); !ok || v != "2" {
		t.Fatalf("a = %q %v, want the later write 2", v, ok)
	}

	txn = db.Begin()
	if err := txn.DeletePrivate([]byte("b")); err != nil {
		t.Fatal(err)
	}
	sp := txn.Savepoint()
	if err := txn.PutPrivate([]byte("c"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	txn.RollbackTo(sp)
	mustCommit(t, txn)
	if _, ok := get("b"); ok {
		t.Fatal("b survived its private delete")
	}
	if _, ok := get("c"); ok {
		t.Fatal("c survived a rollback to before it")
	}
	if v, ok := get("a"); !ok || v != "2" {
		t.Fatalf("a = %q %v after an unrelated commit", v, ok)
	}
}
