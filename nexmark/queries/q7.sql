-- Query 7: Highest Bid
-- The highest bids of each 10-second window: a TUMBLE aggregate joined
-- back to the bids on the price.
-- streams: bid
SELECT B.auction, B.price, B.bidder, B.date_time
FROM bid B
JOIN (
    SELECT max(price) AS maxprice, window_end AS date_time
    FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
    GROUP BY window_end
) B1 ON B.price = B1.maxprice
WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time
