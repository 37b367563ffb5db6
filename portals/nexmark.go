package portals

import (
	"math"
	"math/bits"
	"sort"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/batch"
	"portalsdb/pgerror"
	"portalsdb/types"
)

// The Nexmark generator.
//
// Nexmark models an online auction: people register, open auctions and bid
// on them. Its generator (Beam's NexmarkGenerator, ported to Flink's
// nexmark suite and to RisingWave's nexmark-rs) is the de-facto standard
// input of streaming benchmarks, so this one reproduces its behaviour rather
// than its bytes:
//
//   - one global sequence of events, in epochs of 50: 1 person, 3 auctions,
//     46 bids;
//   - ids derived from the event's number: the person and auction ids count
//     from 1000, so bids can refer to people and auctions that exist;
//   - hot auctions, bidders and sellers: most bids go to the newest auction
//     of the current block of 100, most bidders and sellers are the newest
//     people of theirs, the rest are spread over the auctions still in
//     flight and the people still active;
//   - event time advancing by a fixed inter-event delay from a base time, in
//     milliseconds; with an out-of-order group size n the events of each
//     group of n are emitted in a scrambled (but fixed) order;
//   - bids carry a channel and a URL: most come from four hot channels, the
//     rest from 10,000 numbered ones whose URLs mostly carry a channel_id.
//
// Each kind is its own stream: the person, auction and bid streams of one
// configuration are the three projections of the one global sequence,
// event for event. Every event is a pure function of the configuration (its
// seed included) and its number, which is what lets the runtime resume a
// generator after a crash without gaps or duplicates.

// NexmarkKind is which events of the sequence a stream carries.
type NexmarkKind uint8

// The three kinds of Nexmark events.
const (
	NexmarkPerson NexmarkKind = iota
	NexmarkAuction
	NexmarkBid
)

func (k NexmarkKind) String() string {
	return [...]string{"person", "auction", "bid"}[k]
}

// Proportions of the kinds in each epoch of the global sequence, and the
// constants of the model that Nexmark fixes.
const (
	nexmarkPersonProportion  = 1
	nexmarkAuctionProportion = 3
	nexmarkBidProportion     = 46
	nexmarkEpoch             = nexmarkPersonProportion + nexmarkAuctionProportion + nexmarkBidProportion

	nexmarkFirstPersonID   = 1000
	nexmarkFirstAuctionID  = 1000
	nexmarkFirstCategoryID = 10
	nexmarkCategories      = 5
	// nexmarkHotBlock is the size of the blocks of ids whose first member
	// is the hot one.
	nexmarkHotBlock = 100
	// Ids a little ahead of the newest valid one may be chosen, so that
	// some bids and auctions refer to people and auctions that appear
	// shortly after them.
	nexmarkPersonIDLead  = 10
	nexmarkAuctionIDLead = 10
	nexmarkChannels      = 10000
	// nexmarkScramble is the multiplier that scrambles out-of-order groups.
	nexmarkScramble = 953
)

var (
	nexmarkFirstNames = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	nexmarkLastNames  = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	nexmarkStates     = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	nexmarkCities     = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	nexmarkHotChannel = []string{"Google", "Facebook", "Baidu", "Apple"}
)

// NexmarkConfig configures a Nexmark stream. The zero value is not valid;
// start from DefaultNexmarkConfig.
type NexmarkConfig struct {
	Kind NexmarkKind
	Seed int64
	// BaseTime is the event time of event 0, in microseconds since
	// 1970-01-01 (a timestamp value).
	BaseTime types.TimestampValue
	// InterEventDelayUs is the event time between consecutive events of the
	// global sequence, in microseconds (100: 10,000 events per second).
	InterEventDelayUs float64
	// OutOfOrderGroupSize: events are emitted in groups of this many, each
	// group in a scrambled order; 1 keeps event time in order.
	OutOfOrderGroupSize int64
	// MaxEvents bounds the global sequence; a stream carries the events of
	// its kind among the first MaxEvents. 0 is unbounded.
	MaxEvents int64

	HotAuctionRatio     int64
	HotSellersRatio     int64
	HotBiddersRatio     int64
	HotChannelsRatio    int64
	NumActivePeople     int64
	NumInFlightAuctions int64
	AvgPersonByteSize   int64
	AvgAuctionByteSize  int64
	AvgBidByteSize      int64
}

// nexmarkDefaultBase is 2024-01-01 00:00:00 as a timestamp value: a fixed
// base time keeps a seed's events the same on every run.
const nexmarkDefaultBase = types.TimestampValue(1704067200 * 1_000_000)

// DefaultNexmarkConfig returns Nexmark's default configuration for kind.
func DefaultNexmarkConfig(kind NexmarkKind) NexmarkConfig {
	return NexmarkConfig{
		Kind: kind, BaseTime: nexmarkDefaultBase, InterEventDelayUs: 100, OutOfOrderGroupSize: 1,
		HotAuctionRatio: 2, HotSellersRatio: 4, HotBiddersRatio: 4, HotChannelsRatio: 2,
		NumActivePeople: 1000, NumInFlightAuctions: 100,
		AvgPersonByteSize: 200, AvgAuctionByteSize: 500, AvgBidByteSize: 100,
	}
}

// Nexmark generates one kind of Nexmark event. It implements Generator:
// event i of the stream is the i-th event of its kind in the global
// sequence's emission order.
type Nexmark struct {
	cfg NexmarkConfig
	// channels are the numbered channels' names and URLs, and hotURLs the
	// hot channels' URLs; built for bid streams only.
	channels, channelURLs []string
	hotURLs               []string
}

// NewNexmark validates cfg and returns its generator.
func NewNexmark(cfg NexmarkConfig) (*Nexmark, error) {
	bad := func(format string, args ...any) (*Nexmark, error) {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, format, args...)
	}
	switch {
	case cfg.Kind > NexmarkBid:
		return bad("unknown nexmark kind")
	case !(cfg.InterEventDelayUs > 0) || math.IsInf(cfg.InterEventDelayUs, 0):
		return bad("inter_event_delay_us must be positive")
	case cfg.OutOfOrderGroupSize < 1:
		return bad("out_of_order_group_size must be at least 1")
	case cfg.OutOfOrderGroupSize%nexmarkScramble == 0:
		// The scramble multiplies by 953 modulo the group size: it is a
		// permutation only when the two are coprime, and 953 is prime.
		return bad("out_of_order_group_size must not be a multiple of 953")
	case cfg.MaxEvents < 0:
		return bad("max_events must not be negative")
	case cfg.HotAuctionRatio < 1 || cfg.HotSellersRatio < 1 || cfg.HotBiddersRatio < 1 || cfg.HotChannelsRatio < 1:
		return bad("hot ratios must be at least 1")
	case cfg.NumActivePeople < 1 || cfg.NumInFlightAuctions < 1:
		return bad("num_active_people and num_in_flight_auctions must be at least 1")
	case cfg.AvgPersonByteSize < 0 || cfg.AvgAuctionByteSize < 0 || cfg.AvgBidByteSize < 0:
		return bad("average byte sizes must not be negative")
	}
	n := &Nexmark{cfg: cfg}
	if cfg.Kind == NexmarkBid {
		n.channels = make([]string, nexmarkChannels)
		n.channelURLs = make([]string, nexmarkChannels)
		for i := range n.channels {
			n.channels[i] = "channel-" + strconv.Itoa(i)
			n.channelURLs[i] = nexmarkChannelURL(i)
		}
		for i := range nexmarkHotChannel {
			n.hotURLs = append(n.hotURLs, nexmarkBaseURL(uint64(i)))
		}
	}
	return n, nil
}

// Config returns the generator's configuration.
func (n *Nexmark) Config() NexmarkConfig { return n.cfg }

// NexmarkColumns returns the column names of a kind's stream.
func NexmarkColumns(k NexmarkKind) []string {
	switch k {
	case NexmarkPerson:
		return []string{"id", "name", "email_address", "credit_card", "city", "state", "date_time", "extra"}
	case NexmarkAuction:
		return []string{"id", "item_name", "description", "initial_bid", "reserve", "date_time", "expires", "seller", "category", "extra"}
	}
	return []string{"auction", "bidder", "price", "channel", "url", "date_time", "extra"}
}

// Types implements Generator.
func (n *Nexmark) Types() []types.T {
	i8, tx, ts := types.Int8Type, types.TextType, types.TimestampType
	switch n.cfg.Kind {
	case NexmarkPerson:
		return []types.T{i8, tx, tx, tx, tx, tx, ts, tx}
	case NexmarkAuction:
		return []types.T{i8, tx, tx, i8, i8, ts, ts, i8, i8, tx}
	}
	return []types.T{i8, i8, i8, tx, tx, ts, tx}
}

// kindRange returns the offsets within an epoch of n's kind: [lo, hi).
func (n *Nexmark) kindRange() (lo, hi int64) {
	switch n.cfg.Kind {
	case NexmarkPerson:
		return 0, nexmarkPersonProportion
	case NexmarkAuction:
		return nexmarkPersonProportion, nexmarkPersonProportion + nexmarkAuctionProportion
	}
	return nexmarkPersonProportion + nexmarkAuctionProportion, nexmarkEpoch
}

// kindBefore counts the event numbers in [0, x) of n's kind.
func (n *Nexmark) kindBefore(x int64) int64 {
	lo, hi := n.kindRange()
	r := x % nexmarkEpoch
	return x/nexmarkEpoch*(hi-lo) + min(max(r-lo, 0), hi-lo)
}

// adjusted returns the event number emitted at position p: positions are
// scrambled within groups of OutOfOrderGroupSize.
func (n *Nexmark) adjusted(p int64) int64 {
	g := n.cfg.OutOfOrderGroupSize
	if g == 1 {
		return p
	}
	return p/g*g + (p%g)*nexmarkScramble%g
}

func (n *Nexmark) isKind(eventNumber int64) bool {
	lo, hi := n.kindRange()
	r := eventNumber % nexmarkEpoch
	return r >= lo && r < hi
}

// kindAtPositions counts the events of n's kind at positions [0, p).
func (n *Nexmark) kindAtPositions(p int64) int64 {
	g := n.cfg.OutOfOrderGroupSize
	full := p / g * g
	// A whole group holds exactly the event numbers of its positions.
	c := n.kindBefore(full)
	for q := full; q < p; q++ {
		if n.isKind(n.adjusted(q)) {
			c++
		}
	}
	return c
}

// Disorder implements Disordered: within a group of OutOfOrderGroupSize
// event numbers, a later-emitted event is at most group-1 event numbers
// earlier, and the millisecond truncation of times adds up to one
// millisecond more. In-order events (groups of 1) never go back in time.
func (n *Nexmark) Disorder() (string, int64) {
	g := n.cfg.OutOfOrderGroupSize
	if g <= 1 {
		return "date_time", 0
	}
	return "date_time", (int64(float64(g-1)*n.cfg.InterEventDelayUs)/1000 + 1) * 1000
}

// Count returns the number of events of the stream: those of its kind among
// the first MaxEvents of the sequence, or -1 when unbounded.
func (n *Nexmark) Count() int64 {
	if n.cfg.MaxEvents == 0 {
		return -1
	}
	return n.kindAtPositions(n.cfg.MaxEvents)
}

// position returns the emission position of the stream's i-th event.
func (n *Nexmark) position(i int64) int64 {
	g := n.cfg.OutOfOrderGroupSize
	if g == 1 {
		lo, hi := n.kindRange()
		per := hi - lo
		return i/per*nexmarkEpoch + lo + i%per
	}
	// The group holding it: the last group whose start has at most i
	// events of the kind before it.
	groups := (i+1)*nexmarkEpoch/g + 2
	k := int64(sort.Search(int(groups), func(x int) bool { return n.kindBefore(int64(x)*g) > i })) - 1
	p := k * g
	seen := n.kindBefore(p)
	for ; ; p++ {
		if n.isKind(n.adjusted(p)) {
			if seen == i {
				return p
			}
			seen++
		}
	}
}

// timestampMs returns the event time of an event number, in milliseconds
// after the base time: Nexmark's times have millisecond precision.
func (n *Nexmark) timestampMs(eventNumber int64) int64 {
	return int64(float64(eventNumber)*n.cfg.InterEventDelayUs) / 1000
}

// Append implements Generator.
func (n *Nexmark) Append(b *batch.Builders, from int64, count int) {
	if count <= 0 {
		return
	}
	n.reserve(b, count)
	// scratch builds strings; it is the call's own, as readers call
	// Append concurrently.
	var scratch []byte
	p := n.position(from)
	for done := 0; done < count; p++ {
		e := n.adjusted(p)
		if !n.isKind(e) {
			continue
		}
		rng := newNexmarkRand(n.cfg.Seed, e)
		ts := n.timestampMs(e)
		switch n.cfg.Kind {
		case NexmarkPerson:
			scratch = n.person(b, e, ts, &rng, scratch)
		case NexmarkAuction:
			scratch = n.auction(b, e, ts, &rng, scratch)
		default:
			scratch = n.bid(b, e, ts, &rng, scratch)
		}
		done++
	}
	b.AddRows(count)
}

// reserve grows the builders once for count more events, so that
// appending does not copy them over and over.
func (n *Nexmark) reserve(b *batch.Builders, count int) {
	avg := map[NexmarkKind]int64{NexmarkPerson: n.cfg.AvgPersonByteSize, NexmarkAuction: n.cfg.AvgAuctionByteSize, NexmarkBid: n.cfg.AvgBidByteSize}[n.cfg.Kind]
	for i, t := range n.Types() {
		col := b.Column(i)
		col.Reserve(count)
		if t.Kind == types.Text {
			// Strings: about the average event size for the padding,
			// a URL's length for the others.
			col.(*array.StringBuilder).ReserveData(count * int(max(avg, 64)))
		}
	}
}

func (n *Nexmark) timestamp(ms int64) arrow.Timestamp {
	return arrow.Timestamp(int64(n.cfg.BaseTime) + ms*1000)
}

// lastPerson returns the newest person id (from 0) at event number e: the
// person of e's epoch.
func lastPerson(e int64) int64 {
	return e / nexmarkEpoch * nexmarkPersonProportion
}

// lastAuction returns the newest auction id (from 0) at event number e.
func lastAuction(e int64) int64 {
	epoch, off := e/nexmarkEpoch, e%nexmarkEpoch
	switch {
	case off < nexmarkPersonProportion:
		// Before this epoch's auctions: the last auction of the previous
		// epoch.
		epoch--
		off = nexmarkAuctionProportion - 1
	case off >= nexmarkPersonProportion+nexmarkAuctionProportion:
		off = nexmarkAuctionProportion - 1
	default:
		off -= nexmarkPersonProportion
	}
	return epoch*nexmarkAuctionProportion + off
}

// randomPerson picks one of the active people, or one a few ids ahead.
func (n *Nexmark) randomPerson(e int64, rng *nexmarkRand) int64 {
	people := lastPerson(e) + 1
	active := min(people, n.cfg.NumActivePeople)
	return people - active + rng.below(active+nexmarkPersonIDLead)
}

// randomAuction picks one of the auctions in flight, or one a few ahead.
func (n *Nexmark) randomAuction(e int64, rng *nexmarkRand) int64 {
	hi := lastAuction(e)
	lo := max(hi-n.cfg.NumInFlightAuctions, 0)
	return lo + rng.below(hi-lo+1+nexmarkAuctionIDLead)
}

// person appends event e, a person, and returns scratch for reuse.
func (n *Nexmark) person(b *batch.Builders, e, ms int64, rng *nexmarkRand, scratch []byte) []byte {
	id := lastPerson(e) + nexmarkFirstPersonID
	name := nexmarkFirstNames[rng.below(int64(len(nexmarkFirstNames)))] + " " + nexmarkLastNames[rng.below(int64(len(nexmarkLastNames)))]
	s := scratch[:0]
	s = rng.appendString(s, 7)
	s = append(s, '@')
	s = rng.appendString(s, 5)
	s = append(s, ".com"...)
	email := string(s)
	s = s[:0]
	for i := 0; i < 4; i++ {
		if i > 0 {
			s = append(s, ' ')
		}
		v := rng.below(10000)
		s = append(s, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
	}
	card := string(s)
	city := nexmarkCities[rng.below(int64(len(nexmarkCities)))]
	state := nexmarkStates[rng.below(int64(len(nexmarkStates)))]
	size := 8 + len(name) + len(email) + len(card) + len(city) + len(state)
	s = rng.appendExtra(s[:0], size, n.cfg.AvgPersonByteSize)
	b.Column(0).(*array.Int64Builder).Append(id)
	b.Column(1).(*array.StringBuilder).Append(name)
	b.Column(2).(*array.StringBuilder).Append(email)
	b.Column(3).(*array.StringBuilder).Append(card)
	b.Column(4).(*array.StringBuilder).Append(city)
	b.Column(5).(*array.StringBuilder).Append(state)
	b.Column(6).(*array.TimestampBuilder).Append(n.timestamp(ms))
	b.Column(7).(*array.StringBuilder).BinaryBuilder.Append(s)
	return s
}

// auction appends event e, an auction, and returns scratch for reuse.
func (n *Nexmark) auction(b *batch.Builders, e, ms int64, rng *nexmarkRand, scratch []byte) []byte {
	id := lastAuction(e) + nexmarkFirstAuctionID
	var seller int64
	if rng.below(n.cfg.HotSellersRatio) > 0 {
		seller = lastPerson(e) / nexmarkHotBlock * nexmarkHotBlock
	} else {
		seller = n.randomPerson(e, rng)
	}
	seller += nexmarkFirstPersonID
	category := nexmarkFirstCategoryID + rng.below(nexmarkCategories)
	initial := rng.price()
	// Auctions last on average as long as it takes to open
	// NumInFlightAuctions more of them.
	ahead := n.cfg.NumInFlightAuctions * nexmarkEpoch / nexmarkAuctionProportion
	horizon := n.timestampMs(e+ahead) - ms
	expires := ms + 1 + rng.below(max(horizon*2, 1))
	s := rng.appendString(scratch[:0], 20)
	itemName := string(s)
	s = rng.appendString(s[:0], 100)
	desc := string(s)
	reserve := initial + rng.price()
	size := 8 + len(itemName) + len(desc) + 8 + 8 + 8 + 8 + 8
	s = rng.appendExtra(s[:0], size, n.cfg.AvgAuctionByteSize)
	b.Column(0).(*array.Int64Builder).Append(id)
	b.Column(1).(*array.StringBuilder).Append(itemName)
	b.Column(2).(*array.StringBuilder).Append(desc)
	b.Column(3).(*array.Int64Builder).Append(initial)
	b.Column(4).(*array.Int64Builder).Append(reserve)
	b.Column(5).(*array.TimestampBuilder).Append(n.timestamp(ms))
	b.Column(6).(*array.TimestampBuilder).Append(n.timestamp(expires))
	b.Column(7).(*array.Int64Builder).Append(seller)
	b.Column(8).(*array.Int64Builder).Append(category)
	b.Column(9).(*array.StringBuilder).BinaryBuilder.Append(s)
	return s
}

// bid appends event e, a bid, and returns scratch for reuse.
func (n *Nexmark) bid(b *batch.Builders, e, ms int64, rng *nexmarkRand, scratch []byte) []byte {
	var auction, bidder int64
	if rng.below(n.cfg.HotAuctionRatio) > 0 {
		auction = lastAuction(e) / nexmarkHotBlock * nexmarkHotBlock
	} else {
		auction = n.randomAuction(e, rng)
	}
	if rng.below(n.cfg.HotBiddersRatio) > 0 {
		// The second person of the block, so hot bidders are not the hot
		// sellers.
		bidder = lastPerson(e)/nexmarkHotBlock*nexmarkHotBlock + 1
	} else {
		bidder = n.randomPerson(e, rng)
	}
	price := rng.price()
	var channel, url string
	if rng.below(n.cfg.HotChannelsRatio) > 0 {
		i := rng.below(int64(len(nexmarkHotChannel)))
		channel, url = nexmarkHotChannel[i], n.hotURLs[i]
	} else {
		i := rng.below(nexmarkChannels)
		channel, url = n.channels[i], n.channelURLs[i]
	}
	s := rng.appendExtra(scratch[:0], 8+8+8+8, n.cfg.AvgBidByteSize)
	b.Column(0).(*array.Int64Builder).Append(auction + nexmarkFirstAuctionID)
	b.Column(1).(*array.Int64Builder).Append(bidder + nexmarkFirstPersonID)
	b.Column(2).(*array.Int64Builder).Append(price)
	b.Column(3).(*array.StringBuilder).Append(channel)
	b.Column(4).(*array.StringBuilder).Append(url)
	b.Column(5).(*array.TimestampBuilder).Append(n.timestamp(ms))
	b.Column(6).(*array.StringBuilder).BinaryBuilder.Append(s)
	return s
}

// nexmarkBaseURL derives a URL of three path segments from a seed.
func nexmarkBaseURL(seed uint64) string {
	rng := nexmarkRand{state: seed ^ 0x6e65786d61726b}
	s := []byte("https://www.nexmark.com/")
	for i := 0; i < 3; i++ {
		if i > 0 {
			s = append(s, '/')
		}
		s = rng.appendWord(s, 5, '_')
	}
	return string(append(s, "/item.htm?query=1"...))
}

// nexmarkChannelURL is the URL of numbered channel i: nine in ten carry a
// channel_id parameter (the channel number with its 32 bits reversed).
func nexmarkChannelURL(i int) string {
	url := nexmarkBaseURL(uint64(i))
	rng := nexmarkRand{state: uint64(i)*0x9e3779b97f4a7c15 + 1}
	if rng.below(10) > 0 {
		id := int64(int32(bits.Reverse32(uint32(i))))
		if id < 0 {
			id = -id
		}
		url += "&channel_id=" + strconv.FormatInt(id, 10)
	}
	return url
}

// nexmarkRand is a small deterministic random source (SplitMix64): each
// event seeds its own from the configuration's seed and its number, so an
// event never depends on the events before it.
type nexmarkRand struct{ state uint64 }

func newNexmarkRand(seed, eventNumber int64) nexmarkRand {
	r := nexmarkRand{state: uint64(seed)*0xbf58476d1ce4e5b9 ^ uint64(eventNumber)}
	r.next()
	return r
}

func (r *nexmarkRand) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// below returns a value in [0, n), n > 0.
func (r *nexmarkRand) below(n int64) int64 {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int64(hi)
}

// float returns a value in [0, 1).
func (r *nexmarkRand) float() float64 {
	return float64(r.next()>>11) * (1.0 / (1 << 53))
}

// price returns a price in cents, log-uniform between 1 and 1,000,000
// dollars.
func (r *nexmarkRand) price() int64 {
	return int64(math.Round(math.Pow(10, r.float()*6) * 100))
}

// appendString appends a random string of 3 to maxLen-1 characters of
// lower-case letters and inner spaces, trimmed.
func (r *nexmarkRand) appendString(dst []byte, maxLen int64) []byte {
	start := len(dst)
	dst = r.appendWord(dst, maxLen, ' ')
	w := dst[start:]
	i, j := 0, len(w)
	for i < j && w[i] == ' ' {
		i++
	}
	for j > i && w[j-1] == ' ' {
		j--
	}
	n := copy(w, w[i:j])
	return dst[:start+n]
}

// appendWord appends 3 to maxLen-1 characters: letters, and one in 13 the
// delimiter.
func (r *nexmarkRand) appendWord(dst []byte, maxLen int64, delim byte) []byte {
	n := 3 + r.below(maxLen-3)
	for ; n > 0; n-- {
		if r.below(13) == 0 {
			dst = append(dst, delim)
		} else {
			dst = append(dst, byte('a'+r.below(26)))
		}
	}
	return dst
}

// appendExtra appends letters so that size plus their number is on average
// avg: the padding that gives each kind of event its typical size.
func (r *nexmarkRand) appendExtra(dst []byte, size int, avg int64) []byte {
	want := avg - int64(size)
	if want < 0 {
		return dst
	}
	delta := int64(math.Round(float64(want) * 0.2))
	n := want - delta
	if delta > 0 {
		n += r.below(2 * delta)
	}
	// Twelve letters per 64 random bits: each step takes the high part of
	// x*26 as a letter and keeps the low part.
	var x uint64
	for i := int64(0); i < n; i++ {
		if i%12 == 0 {
			x = r.next()
		}
		var hi uint64
		hi, x = bits.Mul64(x, 26)
		dst = append(dst, byte('a'+hi))
	}
	return dst
}
