package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// ServerProcess is `portalsdb serve` running as a child process, with
// durable commits, as PostgreSQL runs in processes of its own. Clients and
// server in one Go process share its scheduler, which then polls the
// network less often than a waiting server would: with several clients
// that costs the server more than its own work does.
type ServerProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *LockedBuffer
	done   chan error
}

// LockedBuffer is a bytes.Buffer that one goroutine writes while another
// reads it: a child process's stderr, a runner's progress output.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listening = regexp.MustCompile(`msg="portalsdb listening" addr=(\S+)`)

// StartServerProcess runs binary (a portalsdb executable) as
// `serve --listen 127.0.0.1:0 --data dir --sync on` and waits until it
// listens.
func StartServerProcess(binary, dir string) (*ServerProcess, error) {
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--data", dir, "--sync", "on", "--log-level", "info",
		"--max-connections", "1000")
	p := &ServerProcess{cmd: cmd, stderr: &LockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			return p, nil
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("portalsdb serve exited: %v\n%s", err, p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, errors.New("portalsdb serve did not start listening")
		}
	}
}

// Addr returns the address the server listens on.
func (p *ServerProcess) Addr() string { return p.addr }

// CPU returns the CPU time the server process has used.
func (p *ServerProcess) CPU() (time.Duration, error) { return procTreeCPU(p.cmd.Process.Pid) }

// Stop ends the server by its process id: SIGTERM (a graceful stop), then
// SIGKILL if it has not exited within 10 seconds.
func (p *ServerProcess) Stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return errors.New("portalsdb serve did not stop on SIGTERM; killed")
	}
}
