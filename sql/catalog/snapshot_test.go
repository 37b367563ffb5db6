package catalog

import (
	"sort"
	"strings"
	"testing"

	"portalsdb/types"
)

// memStore is a Store in memory, for tests.
type memStore map[string][]byte

func (m memStore) PutMeta(k string, v []byte) error { m[k] = append([]byte(nil), v...); return nil }
func (m memStore) GetMeta(k string) ([]byte, bool, error) {
	v, ok := m[k]
	return v, ok, nil
}
func (m memStore) DeleteMeta(k string) error { delete(m, k); return nil }
func (m memStore) ScanMeta(prefix string, fn func(string, []byte) error) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func TestPersistAndReload(t *testing.T) {
	st := memStore{}
	s := Empty()
	tbl := &Table{OID: FirstUserOID, Schema: PublicOID, Name: "t", Kind: KindTable,
		Columns:    []Column{{ID: 1, Name: "a", Type: types.Int4Type, NotNull: true}, {ID: 2, Name: "b", Type: types.VarcharN(10)}},
		PrimaryKey: []uint32{1}, PKName: "t_pkey",
		Indexes: []Index{{OID: FirstUserOID + 1, Name: "t_b_idx", Columns: []uint32{2}}}}
	s2, err := s.PutTable(st, tbl)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Table(PublicOID, "t"); ok {
		t.Fatal("the old snapshot changed")
	}
	loaded, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := loaded.Table(PublicOID, "t")
	if !ok || got.Columns[1].Type != types.VarcharN(10) || got.PKName != "t_pkey" {
		t.Fatalf("reloaded %+v", got)
	}
	if owner, ok := loaded.IndexOwner(PublicOID, "t_b_idx"); !ok || owner.OID != tbl.OID {
		t.Fatal("index owner lost")
	}
	s3, err := s2.DropTable(st, tbl.OID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s3.Table(PublicOID, "t"); ok {
		t.Fatal("drop did not remove")
	}
	if reloaded, _ := Load(st); len(reloaded.Tables()) != 0 {
		t.Fatal("drop did not persist")
	}
}
