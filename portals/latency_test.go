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
