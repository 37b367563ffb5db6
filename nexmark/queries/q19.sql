-- Query 19: Auction TOP-10 Price
-- The ten highest bids of each auction, with their rank: top-N per group
-- (date_time and extra break ties between equal prices).
-- streams: bid
SELECT *
FROM (
    SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price DESC, date_time, extra) AS rank_number
    FROM bid
) t
WHERE rank_number <= 10
