package sql_test

import (
	"context"
	"fmt"
	"testing"

	"portalsdb/sql"
	"portalsdb/sql/catalog"
	"portalsdb/storage"
	"portalsdb/types"
)

// A data directory from before sequences were catalog objects: its serial
// column took ids from a storage counter named after the column. Opened
// now, the column owns a sequence with the OID and name pg_class showed
// before, the default reads it, and it starts past every id the old
// counter handed out; a second start changes nothing.
func TestSequenceUpgradeOfLegacySerialColumns(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.AllocateIDs("oid", 2)
	if err != nil {
		t.Fatal(err)
	}
	oid := catalog.FirstUserOID + uint32(first)
	key := fmt.Sprintf("%d.id", oid)
	tbl := &catalog.Table{OID: oid, Schema: catalog.PublicOID, Name: "t", Kind: catalog.KindTable, Owner: catalog.PostgresRoleOID,
		Columns: []catalog.Column{
			{ID: 1, Name: "id", Type: types.Int4Type, NotNull: true, Default: fmt.Sprintf("nextval('%s')", key), Sequence: key},
			{ID: 2, Name: "v", Type: types.Int4Type},
		},
		NextColumnID: 2, PrimaryKey: []uint32{1}, PKName: "t_pkey", PKOID: oid + 1}
	txn := db.Begin()
	if _, err := catalog.Empty().PutTable(sql.MetaStore(txn), tbl); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	var handedOut uint64
	for range 7 {
		if handedOut, err = db.AllocateIDs("seq/"+key, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	legacyOID := 0xA000_0000 | (oid&0xF_FFFF)<<11 | 1

	srv, stop := openServer(t, dir)
	conn := connect(t, serverEndpoint(srv))
	got := queryStrings(t, conn, "SELECT oid, relname FROM pg_class WHERE relkind = 'S'")
	if want := []string{fmt.Sprintf("%d|t_id_seq", legacyOID)}; !equalStrings(got, want) {
		t.Fatalf("sequences after the upgrade: %v, want %v", got, want)
	}
	got = queryStrings(t, conn, "SELECT pg_get_expr(adbin, adrelid), pg_get_serial_sequence('t', 'id') FROM pg_attrdef WHERE adrelid = 't'::regclass")
	if want := []string{"nextval('t_id_seq'::regclass)|public.t_id_seq"}; !equalStrings(got, want) {
		t.Errorf("default after the upgrade: %v, want %v", got, want)
	}
	var id, next int64
	if err := conn.QueryRow(context.Background(), "INSERT INTO t (v) VALUES (1) RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id <= int64(handedOut) {
		t.Errorf("the upgraded column handed out %d, which the old counter had given (up to %d)", id, handedOut)
	}
	if err := conn.QueryRow(context.Background(), "SELECT nextval('t_id_seq')").Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next != id+1 {
		t.Errorf("nextval('t_id_seq') = %d after the default gave %d: not one counter", next, id)
	}
	conn.Close(context.Background())
	stop()

	srv = startServer(t, dir)
	conn = connect(t, serverEndpoint(srv))
	got = queryStrings(t, conn, "SELECT oid, relname FROM pg_class WHERE relkind = 'S'")
	if want := []string{fmt.Sprintf("%d|t_id_seq", legacyOID)}; !equalStrings(got, want) {
		t.Errorf("sequences after a second start: %v, want %v", got, want)
	}
	if err := conn.QueryRow(context.Background(), "INSERT INTO t (v) VALUES (2) RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id <= next {
		t.Errorf("after a restart the column handed out %d, not past %d", id, next)
	}
}
