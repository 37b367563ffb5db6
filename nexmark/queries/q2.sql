-- Query 2: Selection
-- Bids of a few auctions: a filter.
-- streams: bid
SELECT auction, price FROM bid WHERE auction % 123 = 0
