-- Query 6: Average Selling Price by Seller
-- The average of each seller's last 10 closing prices: a window aggregate
-- over ROWS BETWEEN 10 PRECEDING AND CURRENT ROW.
-- streams: auction, bid
SELECT Q.seller, avg(Q.final) OVER (PARTITION BY Q.seller ORDER BY Q.date_time ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_final
FROM (
    SELECT max(B.price) AS final, A.seller, max(B.date_time) AS date_time
    FROM auction AS A, bid AS B
    WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
    GROUP BY A.id, A.seller
) AS Q
