package server

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Crash tests run the server in a child process and kill it with SIGKILL:
// the child is this test binary, re-executed with PORTALSDB_CHILD_DATA set,
// so no separate build is needed. The child prints its address on its
// first line of output.

const childDataEnv = "PORTALSDB_CHILD_DATA"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDataEnv); dir != "" {
		os.Exit(serveChild(dir))
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

// serveChild runs a server over dir until the process is killed.
func serveChild(dir string) int {
	srv, err := Start(Config{Listen: "127.0.0.1:0", DataDir: dir, Sync: true, Logger: quietLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	fmt.Println("LISTEN " + srv.Addr())
	if err := srv.Wait(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// child is a server process over one data directory, restartable after a
// kill.
type child struct {
	t    testing.TB
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	addr string
}

func newChild(t testing.TB) *child {
	c := &child{t: t, dir: t.TempDir()}
	c.start()
	t.Cleanup(func() { c.kill() })
	return c
}

// start launches the server and waits for its address.
func (c *child) start() {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDataEnv+"="+c.dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "LISTEN ") {
				lines <- strings.TrimPrefix(sc.Text(), "LISTEN ")
			}
		}
	}()
	select {
	case addr := <-lines:
		c.mu.Lock()
		c.cmd, c.addr = cmd, addr
		c.mu.Unlock()
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		c.t.Fatal("the child server did not start")
	}
}

// kill stops the server with SIGKILL: no shutdown, no flush.
func (c *child) kill() {
	c.mu.Lock()
	cmd := c.cmd
	c.cmd, c.addr = nil, ""
	c.mu.Unlock()
	if cmd != nil {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
}

// restart kills the server and starts it again over the same data.
func (c *child) restart() {
	c.kill()
	c.start()
}

// dsn returns the current server's DSN, or "" while it is down.
func (c *child) dsn() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.addr == "" {
		return ""
	}
	return dsnOf(c.addr)
}

// waitDSN waits for a running server.
func (c *child) waitDSN(ctx context.Context) (string, error) {
	for {
		if d := c.dsn(); d != "" {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
