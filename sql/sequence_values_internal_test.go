package sql

import (
	"math"
	"testing"
	"time"
)

// The arithmetic of sequence values at the edges of int64, where a naive
// v+increment overflows.
func TestSequenceBoundsStepAndAdvance(t *testing.T) {
	up := sequenceBounds{increment: 5, min: -3, max: 12}
	down := sequenceBounds{increment: -5, min: -7, max: 0, cycle: true}
	huge := sequenceBounds{increment: math.MaxInt64, min: math.MinInt64, max: math.MaxInt64}
	neg := sequenceBounds{increment: math.MinInt64, min: math.MinInt64, max: math.MaxInt64, cycle: true}
	for _, c := range []struct {
		b      sequenceBounds
		v      int64
		want   int64
		wantOK bool
	}{
		{up, 2, 7, true},
		{up, 7, 12, true},
		{up, 12, 0, false},
		{up, 8, 0, false},
		{down, -1, -6, true},
		{down, -6, 0, true}, // cycles to max
		{huge, -1, math.MaxInt64 - 1, true},
		{huge, 1, 0, false},
		{huge, math.MaxInt64, 0, false},
		{neg, 0, math.MinInt64, true},
		{neg, -1, math.MaxInt64, true}, // cycles to max
	} {
		got, ok := c.b.step(c.v)
		if ok != c.wantOK || ok && got != c.want {
			t.Errorf("%+v.step(%d) = %d, %v; want %d, %v", c.b, c.v, got, ok, c.want, c.wantOK)
		}
	}
	for _, c := range []struct {
		b         sequenceBounds
		v, n      int64
		want, got int64
	}{
		{up, 2, 32, 12, 2},
		{up, 12, 32, 12, 0},
		{down, -1, 32, -6, 1},
		{huge, math.MinInt64, 5, math.MaxInt64 - 1, 2},
		{sequenceBounds{increment: 1, min: 1, max: math.MaxInt64}, math.MaxInt64 - 3, 1 << 16, math.MaxInt64, 3},
		{sequenceBounds{increment: -1, min: math.MinInt64, max: -1}, -1, 10, -11, 10},
	} {
		w, k := c.b.advance(c.v, c.n)
		if w != c.want || k != c.got {
			t.Errorf("%+v.advance(%d, %d) = %d, %d; want %d, %d", c.b, c.v, c.n, w, k, c.want, c.got)
		}
	}
}

// A reservation covers about reservationSpan of use at the previous rate,
// within its bounds.
func TestSequenceReservationFollowsRate(t *testing.T) {
	start := time.Unix(1000, 0)
	c := &sequenceCounter{}
	if n := c.reservation(start); n != minReservation {
		t.Fatalf("first reservation %d, want %d", n, minReservation)
	}
	c.reservedAt, c.reserved = start, 999
	// 1000 values in 10 ms: 10000 in the next 100 ms.
	if n := c.reservation(start.Add(10 * time.Millisecond)); n != 10000 {
		t.Errorf("busy: reservation %d, want 10000", n)
	}
	if n := c.reservation(start.Add(time.Hour)); n != minReservation {
		t.Errorf("idle: reservation %d, want %d", n, minReservation)
	}
	if n := c.reservation(start.Add(time.Nanosecond)); n != maxReservation {
		t.Errorf("burst: reservation %d, want %d", n, maxReservation)
	}
}
