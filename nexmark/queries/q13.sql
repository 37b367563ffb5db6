-- Query 13: Bounded Side Input Join
-- Bids joined with a static side input on auction mod 10000. Flink reads
-- the side input from a file through a lookup join; here it is a table.
-- streams: bid
CREATE TABLE IF NOT EXISTS side_input (key BIGINT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO side_input SELECT g, 'side-' || g FROM generate_series(0, 9999) g ON CONFLICT DO NOTHING;
SELECT B.auction, B.bidder, B.price, B.date_time, S.value
FROM bid B JOIN side_input S ON B.auction % 10000 = S.key
