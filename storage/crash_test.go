package storage

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// crashChildEnv names the directory of the database the crash child writes.
const crashChildEnv = "PORTALSDB_STORAGE_CRASH_CHILD"

// TestMain runs the crash child instead of the tests when asked to.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		runCrashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// runCrashChild commits in a loop from several goroutines until killed. Each
// transaction writes two keys; after Commit returns it prints the
// acknowledgement "ack <writer> <i> <seq>". It also prints the ids it
// allocates as "id <n>".
func runCrashChild(dir string) {
	db, err := Open(dir, DefaultOptions())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	var out sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				txn := db.Begin()
				v := []byte(fmt.Sprint(i))
				_ = txn.Put([]byte(fmt.Sprintf("w%d/%08d/a$", w, i)), v)
				_ = txn.Put([]byte(fmt.Sprintf("w%d/%08d/b$", w, i)), v)
				seq, err := txn.Commit()
				if err != nil {
					out.Lock()
					fmt.Println("error", err)
					out.Unlock()
					os.Exit(1)
				}
				id, err := db.AllocateIDs("crash", 1)
				if err != nil {
					os.Exit(1)
				}
				out.Lock()
				fmt.Printf("ack %d %d %d\nid %d\n", w, i, seq, id)
				out.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(uint64(os.Getpid()), 7))
	acked := map[[2]int]bool{}
	var maxSeq Seq
	var maxID uint64
	for round := range 3 {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 20 + r.IntN(300)
		sc := bufio.NewScanner(stdout)
		lines := 0
		for sc.Scan() {
			line := sc.Text()
			var w, i int
			var seq Seq
			var id uint64
			switch {
			case strings.HasPrefix(line, "ack "):
				fmt.Sscanf(line, "ack %d %d %d", &w, &i, &seq)
				acked[[2]int{w, i}] = true
				maxSeq = max(maxSeq, seq)
			case strings.HasPrefix(line, "id "):
				fmt.Sscanf(line, "id %d", &id)
				maxID = max(maxID, id)
			default:
				t.Fatalf("child: %s", line)
			}
			lines++
			if lines == killAfter {
				_ = cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		_ = cmd.Wait()
		if lines < killAfter {
			t.Fatalf("round %d: child exited after %d lines", round, lines)
		}

		db, err := Open(dir, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if db.VisibleSeq() < maxSeq {
			t.Fatalf("recovered seq %d < acknowledged %d", db.VisibleSeq(), maxSeq)
		}
		txn := db.Begin()
		it, err := txn.NewIter([]byte("w"), []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		present := map[[2]int]int{} // how many of the pair's keys exist
		for it.First(); it.Valid(); it.Next() {
			var w, i int
			var half string
			if _, err := fmt.Sscanf(strings.ReplaceAll(string(it.Key()), "/", " "), "w%d %d %s", &w, &i, &half); err != nil {
				t.Fatalf("key %q: %v", it.Key(), err)
			}
			if string(it.Value()) != fmt.Sprint(i) {
				t.Fatalf("key %q has value %q", it.Key(), it.Value())
			}
			present[[2]int{w, i}]++
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
		txn.Rollback()
		for k := range acked {
			if present[k] != 2 {
				t.Fatalf("round %d: acknowledged commit %v has %d of 2 keys", round, k, present[k])
			}
		}
		for k, n := range present {
			if n != 2 {
				t.Fatalf("round %d: commit %v is half visible (%d of 2 keys)", round, k, n)
			}
			// Each writer commits in order, so what survives is a prefix.
			if k[1] > 0 && present[[2]int{k[0], k[1] - 1}] != 2 {
				t.Fatalf("round %d: commit %v survived but its predecessor did not", round, k)
			}
		}
		id, err := db.AllocateIDs("crash", 1)
		if err != nil {
			t.Fatal(err)
		}
		if id <= maxID {
			t.Fatalf("id %d allocated after restart, but %d was handed out before the crash", id, maxID)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
