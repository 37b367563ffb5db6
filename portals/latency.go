package portals

import (
	"math"
	"time"
)

// LatencyHistogram counts durations in logarithmic buckets, 16 per
// doubling (about 4% wide), from one microsecond to over an hour: enough
// to give percentiles of a workflow's atom processing time without keeping
// every sample.
type LatencyHistogram struct {
	Counts [latencyBuckets]int64
	Count  int64
	Max    time.Duration
}

const (
	latencyPerDoubling = 16
	latencyBuckets     = 32 * latencyPerDoubling
)

func latencyBucket(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us <= 1 {
		return 0
	}
	return min(int(math.Log2(us)*latencyPerDoubling), latencyBuckets-1)
}

// Record counts one duration.
func (h *LatencyHistogram) Record(d time.Duration) {
	h.Counts[latencyBucket(d)]++
	h.Count++
	h.Max = max(h.Max, d)
}

// Merge adds the durations o counted.
func (h *LatencyHistogram) Merge(o *LatencyHistogram) {
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	h.Count += o.Count
	h.Max = max(h.Max, o.Max)
}

// Quantile returns the duration below which a fraction q of the recorded
// ones fall: the upper bound of its bucket, at most the maximum.
func (h *LatencyHistogram) Quantile(q float64) time.Duration {
	if h.Count == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.Count)))
	seen := int64(0)
	for i, c := range h.Counts {
		seen += c
		if seen >= rank {
			upper := time.Duration(math.Exp2(float64(i+1)/latencyPerDoubling) * float64(time.Microsecond))
			return min(upper, h.Max)
		}
	}
	return h.Max
}
