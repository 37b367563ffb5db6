package nexmark

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"portalsdb/portals"
)

// StreamOptions are the generator arguments shared by the three streams,
// so that they are the projections of one event sequence.
type StreamOptions struct {
	Seed int64
	// MaxEvents bounds the global sequence (0: unbounded).
	MaxEvents int64
	// AtomRows is the number of global events per atom: each stream's
	// atoms hold its share of them (1 in 50 for person, 3 for auction, 46
	// for bid), so the three streams advance through the sequence at the
	// same pace.
	AtomRows int
	// EventsPerSecond throttles the global sequence, shared out the same
	// way; 0 runs unthrottled.
	EventsPerSecond float64
	// Extra are further generator arguments, as SQL literals.
	Extra map[string]string
	// Watermark, when set, is how far each stream's watermark trails
	// date_time, as interval text ('4 seconds', as the Flink and
	// RisingWave setups declare): windows then close, and the workflows'
	// state for closed windows is dropped.
	Watermark string
}

// share returns a stream's part of a global quantity.
func share(stream string, v float64) float64 {
	switch stream {
	case "person":
		return v / 50
	case "auction":
		return v * 3 / 50
	}
	return v * 46 / 50
}

// CreateStreams creates the named generator streams (person, auction,
// bid).
func CreateStreams(ctx context.Context, conn *pgx.Conn, names []string, o StreamOptions) error {
	for _, name := range names {
		args := []string{
			fmt.Sprintf("kind => '%s'", name),
			fmt.Sprintf("seed => %d", o.Seed),
			fmt.Sprintf("max_events => %d", o.MaxEvents),
			fmt.Sprintf("atom_rows => %d", max(1, int(share(name, float64(o.AtomRows))))),
			fmt.Sprintf("events_per_second => %g", share(name, o.EventsPerSecond)),
		}
		for k, v := range o.Extra {
			args = append(args, k+" => "+v)
		}
		wm := ""
		if o.Watermark != "" {
			wm = fmt.Sprintf(" (WATERMARK FOR date_time AS date_time - INTERVAL '%s')", o.Watermark)
		}
		sql := fmt.Sprintf("CREATE STREAM %s%s FROM GENERATOR nexmark (%s)", name, wm, strings.Join(args, ", "))
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}

// StreamCount returns how many events a stream of the options holds once
// its generator is done.
func StreamCount(stream string, o StreamOptions) (int64, error) {
	args := map[string]string{"kind": stream, "seed": fmt.Sprint(o.Seed), "max_events": fmt.Sprint(o.MaxEvents)}
	for k, v := range o.Extra {
		args[k] = strings.Trim(v, "'")
	}
	cfg, err := portals.ParseNexmarkArgs(args)
	if err != nil {
		return 0, err
	}
	g, err := portals.NewNexmark(cfg)
	if err != nil {
		return 0, err
	}
	return g.Count(), nil
}
