-- Query 9: Winning Bids
-- The winning bid of each auction: the highest valid bid, the earliest of
-- equal ones (top-1 per group).
-- streams: auction, bid
SELECT id, item_name, description, initial_bid, reserve, date_time, expires, seller, category,
       auction, bidder, price, bid_date_time
FROM (
    SELECT A.*, B.auction, B.bidder, B.price, B.date_time AS bid_date_time,
           row_number() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.date_time ASC, B.bidder, B.extra) AS rownum
    FROM auction A, bid B
    WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
) tmp
WHERE rownum <= 1
