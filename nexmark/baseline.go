package nexmark

import (
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/bench"
	"portalsdb/portals"
)

// Hand-written baselines: the obvious fast Go code for a few queries, over
// the same generated events, on one core. They say what the engine costs
// over a program that knows its one query.

// goBid is a bid as a plain struct.
type goBid struct {
	auction, bidder, price int64
	channel, url           string
	dateTime               int64 // microseconds
	extra                  string
}

// BaselineResult is the measurement of a baseline.
type BaselineResult struct {
	// GenSec is the CPU time to generate the events (with the same
	// generator the streams use) into structs; QuerySec the CPU time to run
	// the query over them.
	GenSec   float64 `json:"gen_seconds"`
	QuerySec float64 `json:"query_seconds"`
	// EventsPerSec counts both; QueryEventsPerSec only the query.
	EventsPerSec      float64 `json:"events_per_second"`
	QueryEventsPerSec float64 `json:"query_events_per_second"`
	ResultRows        int     `json:"result_rows"`
}

// Baselines are the queries with a hand-written version; each returns its
// result's row count.
var Baselines = map[string]func([]goBid) int{
	"q0": baselineQ0,
	"q1": baselineQ1,
	"q2": baselineQ2,
	"q5": baselineQ5,
}

// generateBids generates the bids among the first events of the sequence,
// interEventDelayUs apart in event time (0: the generator's default).
func generateBids(events, seed int64, interEventDelayUs float64) ([]goBid, error) {
	cfg := portals.DefaultNexmarkConfig(portals.NexmarkBid)
	cfg.Seed, cfg.MaxEvents = seed, events
	if interEventDelayUs > 0 {
		cfg.InterEventDelayUs = interEventDelayUs
	}
	g, err := portals.NewNexmark(cfg)
	if err != nil {
		return nil, err
	}
	n := g.Count()
	out := make([]goBid, 0, n)
	b := batch.NewBuilders(g.Types())
	for from := int64(0); from < n; from += 10000 {
		k := int(min(10000, n-from))
		g.Append(b, from, k)
		bt := b.Build()
		auction := bt.Cols[0].(*array.Int64)
		bidder := bt.Cols[1].(*array.Int64)
		price := bt.Cols[2].(*array.Int64)
		channel := bt.Cols[3].(*array.String)
		url := bt.Cols[4].(*array.String)
		dt := bt.Cols[5].(*array.Timestamp)
		extra := bt.Cols[6].(*array.String)
		for i := 0; i < k; i++ {
			out = append(out, goBid{auction: auction.Value(i), bidder: bidder.Value(i), price: price.Value(i),
				channel: channel.Value(i), url: url.Value(i), dateTime: int64(dt.Value(i)), extra: extra.Value(i)})
		}
	}
	return out, nil
}

// RunBaseline generates the events and runs a baseline over them. Times
// are the process's CPU time, as for the workflows, so that the ratio does
// not depend on how busy the machine is.
func RunBaseline(name string, fn func([]goBid) int, events, seed int64) (BaselineResult, error) {
	runtime.GC()
	c0 := bench.ProcessCPU()
	bids, err := generateBids(events, seed, 0)
	if err != nil {
		return BaselineResult{}, err
	}
	c1 := bench.ProcessCPU()
	rows := fn(bids)
	c2 := bench.ProcessCPU()
	gen, query := c1-c0, c2-c1
	return BaselineResult{
		GenSec: gen.Seconds(), QuerySec: query.Seconds(),
		EventsPerSec:      float64(events) / (gen + query).Seconds(),
		QueryEventsPerSec: float64(events) / max(query, time.Microsecond).Seconds(),
		ResultRows:        rows,
	}, nil
}

// baselineQ0 passes every bid through into a result.
func baselineQ0(bids []goBid) int {
	out := make([]goBid, 0, len(bids))
	out = append(out, bids...)
	return len(out)
}

type q1Row struct {
	auction, bidder int64
	// priceMilli is 0.908 * price exactly, in thousandths.
	priceMilli int64
	dateTime   int64
	extra      string
}

// baselineQ1 converts every bid's price.
func baselineQ1(bids []goBid) int {
	out := make([]q1Row, 0, len(bids))
	for _, b := range bids {
		out = append(out, q1Row{b.auction, b.bidder, b.price * 908, b.dateTime, b.extra})
	}
	return len(out)
}

// baselineQ2 keeps the bids of auctions divisible by 123.
func baselineQ2(bids []goBid) int {
	type row struct{ auction, price int64 }
	var out []row
	for _, b := range bids {
		if b.auction%123 == 0 {
			out = append(out, row{b.auction, b.price})
		}
	}
	return len(out)
}

// baselineQ5 counts bids per auction in 10-second windows sliding by 2
// seconds, and keeps each window's auctions with the most bids.
func baselineQ5(bids []goBid) int {
	const slide, size = 2_000_000, 10_000_000
	type key struct{ start, auction int64 }
	counts := map[key]int64{}
	for _, b := range bids {
		last := b.dateTime / slide * slide
		for start := last; start > b.dateTime-size; start -= slide {
			counts[key{start, b.auction}]++
		}
	}
	maxPer := map[int64]int64{}
	for k, n := range counts {
		if n > maxPer[k.start] {
			maxPer[k.start] = n
		}
	}
	type row struct{ auction, num int64 }
	var out []row
	for k, n := range counts {
		if n >= maxPer[k.start] {
			out = append(out, row{k.auction, n})
		}
	}
	return len(out)
}
