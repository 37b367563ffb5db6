package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a throwaway PostgreSQL server on loopback, started with
// fsync on, as scripts/pg.sh starts one: initdb with the C locale and trust
// authentication, run as the "postgres" OS user when the caller is root,
// and stopped by its process id.
type Postgres struct {
	dir  string
	port int
	cmd  *exec.Cmd
	done chan error
	log  *os.File
}

// FindPostgresBin returns the directory of the newest installed PostgreSQL
// server binaries.
func FindPostgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVersion := "", -1
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err != nil {
			continue
		}
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err == nil && v > bestVersion {
			best, bestVersion = d, v
		}
	}
	if best == "" {
		if p, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", errors.New("no PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin and PATH)")
	}
	return best, nil
}

// StartPostgres initializes a cluster in dir (when it has none) and starts
// it on a free loopback port.
func StartPostgres(ctx context.Context, dir string) (*Postgres, error) {
	bin, err := FindPostgresBin()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cred, err := postgresCredential(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", dir, "-U", "postgres", "-A", "trust",
			"--locale=C", "--encoding=UTF8")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %v\n%s", err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	if cred != nil {
		os.Chown(log.Name(), int(cred.Uid), int(cred.Gid))
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", dir, "-p", strconv.Itoa(port), "-h", "127.0.0.1", "-k", dir,
		"-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=200", "-c", "shared_buffers=256MB")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	p := &Postgres{dir: dir, port: port, cmd: cmd, done: make(chan error, 1), log: log}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, p.DSN())
		if err == nil {
			conn.Close(ctx)
			return p, nil
		}
		select {
		case werr := <-p.done:
			out, _ := os.ReadFile(log.Name())
			return nil, fmt.Errorf("postgres exited: %v\n%s", werr, out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("postgres did not accept connections: %v", err)
		}
	}
}

// postgresCredential returns the credential of the "postgres" OS user when
// running as root (PostgreSQL refuses to run as root), giving it dir; nil
// otherwise.
func postgresCredential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a \"postgres\" OS user for PostgreSQL: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// CPU returns the CPU time the server's processes have used.
func (p *Postgres) CPU() (time.Duration, error) { return procTreeCPU(p.cmd.Process.Pid) }

// DSN returns the connection string of the server.
func (p *Postgres) DSN() string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(p.port) + "/postgres?sslmode=disable"
}

// Stop shuts the server down by its process id: SIGINT (fast shutdown),
// then SIGKILL if it has not exited within 10 seconds.
func (p *Postgres) Stop() error {
	defer p.log.Close()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil && !strings.Contains(err.Error(), "finished") {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return errors.New("postgres did not stop on SIGINT; killed")
	}
}
