-- Query 18: Find Last Bid
-- The last bid of each bidder on each auction: top-1 per group (extra
-- breaks ties between bids of the same millisecond).
-- streams: bid
SELECT auction, bidder, price, channel, url, date_time, extra
FROM (
    SELECT *, row_number() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC, extra) AS rank_number
    FROM bid
) t
WHERE rank_number <= 1
