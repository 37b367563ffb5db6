package bench

import (
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MemorySampler records the peak Go heap and resident set size of this
// process while a measurement runs, sampled every 20ms: the benchmarks of
// workflows report how much memory their state and batches took.
type MemorySampler struct {
	mu       sync.Mutex
	heap     uint64
	rss      uint64
	stop     chan struct{}
	finished chan struct{}
}

// StartMemorySampler starts sampling; Peaks stops it.
func StartMemorySampler() *MemorySampler {
	m := &MemorySampler{stop: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(m.finished)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			rss := residentBytes()
			m.mu.Lock()
			m.heap = max(m.heap, sample[0].Value.Uint64())
			m.rss = max(m.rss, rss)
			m.mu.Unlock()
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// Peaks stops the sampler and returns the peak heap and resident set, in
// bytes. Call it once.
func (m *MemorySampler) Peaks() (heap, rss uint64) {
	close(m.stop)
	<-m.finished
	return m.heap, m.rss
}

// residentBytes reads the process's resident set size from /proc.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}
