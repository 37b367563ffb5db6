-- Query 12: Processing Time Windows
-- How many bids each bidder makes per 10-second window. Flink windows by
-- processing time (PROCTIME()); a workflow's result must be a function of
-- its input (incremental equals batch), so here the window is over event
-- time.
-- streams: bid
SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
GROUP BY bidder, window_start, window_end
