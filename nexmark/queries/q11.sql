-- Query 11: User Sessions
-- How many bids each bidder makes per session, a session ending after 10
-- seconds without a bid: SESSION windows.
-- streams: bid
SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM SESSION(bid, date_time, INTERVAL '10' SECOND, bidder)
GROUP BY bidder, window_start, window_end
