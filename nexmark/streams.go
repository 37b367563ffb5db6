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
	// Paused creates the streams paused, to be started by ResumeStreams:
	// a generator commits its atoms in far less time than a workflow
	// takes to start, so a workflow created after running generators
	// would find every event in its starting snapshot rather than
	// absorb them atom by atom.
	Paused bool
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
func CreateStreams(ctx context.Context, conn *pgx.Conn, names []string, o StreamOptions) (err error) {
	if o.Paused {
		// Paused in the creating transaction, the generators never run
		// before ResumeStreams.
		if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
			return err
		}
		defer func() {
			end := "COMMIT"
			if err != nil {
				end = "ROLLBACK"
			}
			if _, e := conn.Exec(ctx, end); e != nil && err == nil {
				err = e
			}
		}()
	}
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
		if o.Paused {
			if _, err := conn.Exec(ctx, "ALTER STREAM "+name+" PAUSE"); err != nil {
				return err
			}
		}
	}
	return nil
}

// ResumeStreams starts the generators of streams created paused, all at
// the commit of one transaction.
func ResumeStreams(ctx context.Context, conn *pgx.Conn, names []string) error {
	batch := &pgx.Batch{}
	batch.Queue("BEGIN")
	for _, name := range names {
		batch.Queue("ALTER STREAM " + name + " RESUME")
	}
	batch.Queue("COMMIT")
	return conn.SendBatch(ctx, batch).Close()
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
