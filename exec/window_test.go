package exec_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"portalsdb/server"
	"portalsdb/sqllogictest"
)

// TestWindowSLT runs testdata/window.slt, whose expected results came from
// PostgreSQL 15, against portalsdb over the wire.
func TestWindowSLT(t *testing.T) {
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	var out strings.Builder
	sum, err := sqllogictest.Run(context.Background(), sqllogictest.Config{
		DSN:     "postgres://postgres@" + srv.Addr() + "/postgres?sslmode=disable",
		Verbose: true,
	}, []string{"testdata/window.slt"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed > 0 || sum.Passed == 0 {
		t.Errorf("%d passed, %d failed\n%s", sum.Passed, sum.Failed, out.String())
	}
}
