-- Query 1: Currency Conversion
-- Converts each bid's price from dollars to euros.
-- streams: bid
SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid
