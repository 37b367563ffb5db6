package portals

import (
	"testing"
	"time"
)

func TestLatencyHistogram(t *testing.T) {
	var h LatencyHistogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, 1000 * time.Millisecond}} {
		got := h.Quantile(c.q)
		if got < c.want || float64(got) > float64(c.want)*1.05 {
			t.Errorf("quantile %.2f = %v, want %v within 5%%", c.q, got, c.want)
		}
	}
	var empty LatencyHistogram
	if empty.Quantile(0.5) != 0 {
		t.Error("an empty histogram has a median")
	}
}

// Merging histograms gives the histogram of all their durations.
func TestLatencyHistogramMerge(t *testing.T) {
	var a, b, all LatencyHistogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i*i) * time.Microsecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	if a != all {
		t.Errorf("merged: count %d max %v p50 %v; recorded together: count %d max %v p50 %v",
			a.Count, a.Max, a.Quantile(0.5), all.Count, all.Max, all.Quantile(0.5))
	}
}
