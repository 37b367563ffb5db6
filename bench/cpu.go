package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The machine a benchmark runs on may be shared, and throughput then
// depends on what else runs. CPU time per operation does much less, so the
// report gives it too: the benchmark's own process (its clients, and an
// in-process server), and PostgreSQL's processes when it started them.

// ProcessCPU returns the CPU time this process has used: with an
// in-process server, its clients', generators', workflows', storage's and
// the garbage collector's together.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is the unit of CPU times in /proc/PID/stat (USER_HZ, 100 on
// Linux).
const clockTick = 10 * time.Millisecond

// procTreeCPU returns the CPU time used by process pid and its live
// children (a PostgreSQL postmaster and its backends), read from /proc.
func procTreeCPU(pid int) (time.Duration, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended
		}
		// The command name, in parentheses, may hold spaces: fields
		// start after its closing parenthesis.
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15,
		// cutime 16, cstime 17.
		if len(f) < 15 {
			continue
		}
		self, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		ppid, _ := strconv.Atoi(f[1])
		if self != pid && ppid != pid {
			continue
		}
		for _, k := range []int{11, 12, 13, 14} {
			v, _ := strconv.ParseInt(f[k], 10, 64)
			total += time.Duration(v) * clockTick
		}
	}
	return total, nil
}
