package server

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// benchCalls runs b.N calls of query (with a random key argument) from
// clients concurrent prepared-statement sessions.
func benchCalls(b *testing.B, setup []string, query string, clients int) {
	srv := startE2E(b)
	conn := connect(b, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(b, conn, setup...)
	conns := make([]*pgx.Conn, clients)
	for i := range conns {
		conns[i] = connect(b, srv.Addr(), pgx.QueryExecModeCacheStatement)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N / clients
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			var v int64
			for range per {
				if err := c.QueryRow(context.Background(), query, 1+rng.IntN(10000)).Scan(&v); err != nil && err != pgx.ErrNoRows {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

var kvSetup = []string{
	"CREATE TABLE kv (k INT PRIMARY KEY, v BIGINT NOT NULL)",
	"INSERT INTO kv SELECT g, 0 FROM generate_series(1, 10000) g",
	"CREATE PORTAL get(p_k INT) RETURNS TABLE (v BIGINT) ON kv AS SELECT v FROM kv WHERE k = p_k",
	"CREATE PORTAL bump(p_k INT) RETURNS TABLE (v BIGINT) ON kv AS UPDATE kv SET v = v + 1 WHERE k = p_k RETURNING v",
}

func BenchmarkPointSelect16(b *testing.B) {
	benchCalls(b, kvSetup, "SELECT v FROM kv WHERE k = $1", 16)
}
func BenchmarkPortalGet16(b *testing.B)  { benchCalls(b, kvSetup, "SELECT * FROM get($1)", 16) }
func BenchmarkPortalBump16(b *testing.B) { benchCalls(b, kvSetup, "SELECT * FROM bump($1)", 16) }
