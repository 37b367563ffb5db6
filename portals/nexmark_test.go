package portals

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"portalsdb/batch"
	"portalsdb/types"
)

func nexmarkRows(t *testing.T, cfg NexmarkConfig, from int64, n int) [][]types.Datum {
	t.Helper()
	g, err := NewNexmark(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := batch.NewBuilders(g.Types())
	g.Append(b, from, n)
	out := b.Build()
	if out.Len != n {
		t.Fatalf("Append(%d, %d) built %d rows", from, n, out.Len)
	}
	return out.Rows(g.Types())
}

func rowText(ts []types.T, row []types.Datum) string {
	parts := make([]string, len(row))
	for i, d := range row {
		parts[i] = types.FormatText(ts[i], d, nil)
	}
	return strings.Join(parts, "|")
}

func TestNexmarkDeterministic(t *testing.T) {
	for _, kind := range []NexmarkKind{NexmarkPerson, NexmarkAuction, NexmarkBid} {
		cfg := DefaultNexmarkConfig(kind)
		cfg.Seed = 7
		a := nexmarkRows(t, cfg, 0, 500)
		b := nexmarkRows(t, cfg, 0, 500)
		ts := (&Nexmark{cfg: cfg}).Types()
		for i := range a {
			if rowText(ts, a[i]) != rowText(ts, b[i]) {
				t.Fatalf("%s %d differs between runs: %v vs %v", kind, i, a[i], b[i])
			}
		}
		cfg.Seed = 8
		c := nexmarkRows(t, cfg, 0, 500)
		same := 0
		for i := range a {
			if rowText(ts, a[i]) == rowText(ts, c[i]) {
				same++
			}
		}
		if same > 0 {
			t.Errorf("%s: %d of 500 events equal under another seed", kind, same)
		}
	}
}

// Generating in pieces, from any event on, gives the same events as
// generating all at once: that is what a resumed generator relies on.
func TestNexmarkPieces(t *testing.T) {
	for _, group := range []int64{1, 37, 1000} {
		for _, kind := range []NexmarkKind{NexmarkPerson, NexmarkAuction, NexmarkBid} {
			cfg := DefaultNexmarkConfig(kind)
			cfg.OutOfOrderGroupSize = group
			ts := (&Nexmark{cfg: cfg}).Types()
			all := nexmarkRows(t, cfg, 0, 3000)
			rng := rand.New(rand.NewSource(int64(group)))
			for from := 0; from < len(all); {
				n := 1 + rng.Intn(400)
				n = min(n, len(all)-from)
				part := nexmarkRows(t, cfg, int64(from), n)
				for i := range part {
					if rowText(ts, part[i]) != rowText(ts, all[from+i]) {
						t.Fatalf("group %d %s: event %d differs when generated from %d", group, kind, from+i, from)
					}
				}
				from += n
			}
		}
	}
}

func TestNexmarkProportionsAndIDs(t *testing.T) {
	const events = 50 * 200
	counts := map[NexmarkKind]int64{}
	for _, kind := range []NexmarkKind{NexmarkPerson, NexmarkAuction, NexmarkBid} {
		cfg := DefaultNexmarkConfig(kind)
		cfg.MaxEvents = events
		g, _ := NewNexmark(cfg)
		counts[kind] = g.Count()
	}
	if counts[NexmarkPerson] != 200 || counts[NexmarkAuction] != 600 || counts[NexmarkBid] != 9200 {
		t.Fatalf("counts per kind over %d events: %v, want 200, 600, 9200", events, counts)
	}
	people := nexmarkRows(t, DefaultNexmarkConfig(NexmarkPerson), 0, 200)
	for i, p := range people {
		if p[0].(int64) != int64(1000+i) {
			t.Fatalf("person %d has id %v, want %d", i, p[0], 1000+i)
		}
	}
	auctions := nexmarkRows(t, DefaultNexmarkConfig(NexmarkAuction), 0, 600)
	for i, a := range auctions {
		if a[0].(int64) != int64(1000+i) {
			t.Fatalf("auction %d has id %v, want %d", i, a[0], 1000+i)
		}
		seller, cat := a[7].(int64), a[8].(int64)
		// Sellers exist already or are at most a few ids ahead.
		if newest := int64(1000 + i/3); seller > newest+nexmarkPersonIDLead || seller < 1000 {
			t.Fatalf("auction %d: seller %d outside [1000, %d]", i, seller, newest+nexmarkPersonIDLead)
		}
		if cat < 10 || cat > 14 {
			t.Fatalf("auction %d: category %d", i, cat)
		}
		if a[6].(types.TimestampValue) <= a[5].(types.TimestampValue) {
			t.Fatalf("auction %d expires %v before it starts %v", i, a[6], a[5])
		}
	}
	bids := nexmarkRows(t, DefaultNexmarkConfig(NexmarkBid), 0, 9200)
	hotAuction, hotBidder, hotChannel := 0, 0, 0
	for i, b := range bids {
		epoch := int64(i / 46)
		auction, bidder, price := b[0].(int64), b[1].(int64), b[2].(int64)
		newestAuction := 1000 + epoch*3 + 2
		if auction > newestAuction+nexmarkAuctionIDLead || auction < 1000 {
			t.Fatalf("bid %d: auction %d outside [1000, %d]", i, auction, newestAuction+nexmarkAuctionIDLead)
		}
		if auction == (newestAuction-1000)/100*100+1000 {
			hotAuction++
		}
		if bidder == epoch/100*100+1+1000 {
			hotBidder++
		}
		if price < 100 || price > 100_000_000 {
			t.Fatalf("bid %d: price %d", i, price)
		}
		ch, url := b[3].(string), b[4].(string)
		if !strings.HasPrefix(url, "https://www.nexmark.com/") {
			t.Fatalf("bid %d: url %q", i, url)
		}
		switch ch {
		case "Google", "Facebook", "Baidu", "Apple":
			hotChannel++
			if strings.Contains(url, "channel_id") {
				t.Fatalf("bid %d: hot channel %s with url %q", i, ch, url)
			}
		default:
			if !strings.HasPrefix(ch, "channel-") {
				t.Fatalf("bid %d: channel %q", i, ch)
			}
		}
		if l := len(b[6].(string)); l < 54 || l >= 82 {
			t.Fatalf("bid %d: extra of %d bytes", i, l)
		}
	}
	// Hot with probability 1 - 1/ratio, plus the random picks that land
	// on the hot one.
	for name, got := range map[string]struct {
		n    int
		want float64
	}{"auction": {hotAuction, 0.5}, "bidder": {hotBidder, 0.75}, "channel": {hotChannel, 0.5}} {
		frac := float64(got.n) / float64(len(bids))
		if frac < got.want-0.03 || frac > got.want+0.06 {
			t.Errorf("hot %s fraction %.3f, want about %.2f", name, frac, got.want)
		}
	}
}

func TestNexmarkEventTime(t *testing.T) {
	cfg := DefaultNexmarkConfig(NexmarkBid)
	bids := nexmarkRows(t, cfg, 0, 4600)
	base := int64(cfg.BaseTime)
	for i, b := range bids {
		// Bid i is event number i/46*50 + 4 + i%46, 100µs apart, in ms.
		e := int64(i/46*50 + 4 + i%46)
		want := base + e*100/1000*1000
		if got := int64(b[5].(types.TimestampValue)); got != want {
			t.Fatalf("bid %d: time %d, want %d", i, got, want)
		}
	}
	// Out of order: every group of 1000 events holds the same events, in
	// another order.
	cfg.OutOfOrderGroupSize = 1000
	scrambled := nexmarkRows(t, cfg, 0, 4600)
	ts := (&Nexmark{cfg: cfg}).Types()
	count := map[string]int{}
	for _, b := range bids {
		count[rowText(ts, b)]++
	}
	inversions := 0
	for i, b := range scrambled {
		count[rowText(ts, b)]--
		if i > 0 && b[5].(types.TimestampValue) < scrambled[i-1][5].(types.TimestampValue) {
			inversions++
		}
	}
	for k, c := range count {
		if c != 0 {
			t.Fatalf("out-of-order bids differ from in-order ones: %s (%d)", k, c)
		}
	}
	if inversions == 0 {
		t.Fatal("out-of-order groups left event time in order")
	}
}

func TestNexmarkCountWithGroups(t *testing.T) {
	for _, group := range []int64{1, 7, 1000} {
		for _, max := range []int64{1, 49, 50, 51, 999, 1001, 12345} {
			total := int64(0)
			for _, kind := range []NexmarkKind{NexmarkPerson, NexmarkAuction, NexmarkBid} {
				cfg := DefaultNexmarkConfig(kind)
				cfg.OutOfOrderGroupSize, cfg.MaxEvents = group, max
				g, _ := NewNexmark(cfg)
				c := g.Count()
				// The stream's last event sits before max, the next after.
				if c > 0 && g.position(c-1) >= max {
					t.Fatalf("group %d max %d %s: event %d at position %d", group, max, kind, c-1, g.position(c-1))
				}
				if g.position(c) < max {
					t.Fatalf("group %d max %d %s: event %d at position %d, inside", group, max, kind, c, g.position(c))
				}
				total += c
			}
			if total != max {
				t.Fatalf("group %d: kinds sum to %d of %d events", group, total, max)
			}
		}
	}
}

func TestNexmarkArgs(t *testing.T) {
	cfg, err := ParseNexmarkArgs(map[string]string{"kind": "Bid", "seed": "3", "max_events": "100",
		"base_time": "2020-05-06 07:08:09", "inter_event_delay_us": "2.5", "out_of_order_group_size": "10"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Kind != NexmarkBid || cfg.Seed != 3 || cfg.MaxEvents != 100 || cfg.InterEventDelayUs != 2.5 || cfg.OutOfOrderGroupSize != 10 {
		t.Fatalf("parsed %+v", cfg)
	}
	if got := types.FormatText(types.TimestampType, cfg.BaseTime, nil); got != "2020-05-06 07:08:09" {
		t.Fatalf("base time %s", got)
	}
	for _, bad := range []map[string]string{
		{}, {"kind": "bids"}, {"kind": "bid", "max_events": "x"}, {"kind": "bid", "out_of_order_group_size": "0"},
		{"kind": "bid", "out_of_order_group_size": "1906"}, {"kind": "bid", "inter_event_delay_us": "0"},
		{"kind": "bid", "hot_auction_ratio": "0"}, {"kind": "bid", "base_time": "soon"},
	} {
		if _, err := ParseNexmarkArgs(bad); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

func BenchmarkNexmarkBids(b *testing.B) {
	g, _ := NewNexmark(DefaultNexmarkConfig(NexmarkBid))
	bs := batch.NewBuilders(g.Types())
	b.ReportAllocs()
	for i := 0; i < b.N; i += 10000 {
		g.Append(bs, int64(i), 10000)
		bs.Build()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

var _ = fmt.Sprint
