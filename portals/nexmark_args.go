package portals

import (
	"strconv"
	"strings"
	"time"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// NexmarkArgs lists the arguments of the nexmark generator beyond the ones
// every generator takes (atom_rows, events_per_second, seed).
var NexmarkArgs = []string{
	"kind", "max_events", "base_time", "inter_event_delay_us", "out_of_order_group_size",
	"hot_auction_ratio", "hot_sellers_ratio", "hot_bidders_ratio", "hot_channels_ratio",
	"num_active_people", "num_in_flight_auctions",
	"avg_person_byte_size", "avg_auction_byte_size", "avg_bid_byte_size",
}

// ParseNexmarkArgs builds a Nexmark configuration from a generator's
// arguments in their text form (as CREATE STREAM ... FROM GENERATOR nexmark
// stores them). Arguments it does not know are left to the caller.
func ParseNexmarkArgs(args map[string]string) (NexmarkConfig, error) {
	var kind NexmarkKind
	switch k := strings.ToLower(args["kind"]); k {
	case "person":
		kind = NexmarkPerson
	case "auction":
		kind = NexmarkAuction
	case "bid":
		kind = NexmarkBid
	case "":
		return NexmarkConfig{}, pgerror.New(pgerror.InvalidParameterValue, "the nexmark generator needs kind => 'person', 'auction' or 'bid'")
	default:
		return NexmarkConfig{}, pgerror.Newf(pgerror.InvalidParameterValue, "unknown nexmark kind %q (want person, auction or bid)", k)
	}
	cfg := DefaultNexmarkConfig(kind)
	ints := map[string]*int64{
		"seed": &cfg.Seed, "max_events": &cfg.MaxEvents, "out_of_order_group_size": &cfg.OutOfOrderGroupSize,
		"hot_auction_ratio": &cfg.HotAuctionRatio, "hot_sellers_ratio": &cfg.HotSellersRatio,
		"hot_bidders_ratio": &cfg.HotBiddersRatio, "hot_channels_ratio": &cfg.HotChannelsRatio,
		"num_active_people": &cfg.NumActivePeople, "num_in_flight_auctions": &cfg.NumInFlightAuctions,
		"avg_person_byte_size": &cfg.AvgPersonByteSize, "avg_auction_byte_size": &cfg.AvgAuctionByteSize,
		"avg_bid_byte_size": &cfg.AvgBidByteSize,
	}
	for name, dst := range ints {
		v, ok := args[name]
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return cfg, pgerror.Newf(pgerror.InvalidParameterValue, "generator argument %s must be an integer, not %q", name, v)
		}
		*dst = n
	}
	if v, ok := args["inter_event_delay_us"]; ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return cfg, pgerror.Newf(pgerror.InvalidParameterValue, "inter_event_delay_us must be a number, not %q", v)
		}
		cfg.InterEventDelayUs = f
	}
	if v, ok := args["base_time"]; ok {
		d, err := types.ParseTimestamp(v, &types.Env{Loc: time.UTC}, false)
		if err != nil {
			return cfg, pgerror.Newf(pgerror.InvalidParameterValue, "base_time must be a timestamp, not %q", v)
		}
		cfg.BaseTime = d.(types.TimestampValue)
	}
	_, err := NewNexmark(cfg)
	return cfg, err
}
