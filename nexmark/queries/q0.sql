-- Query 0: Pass Through
-- Measures the monitoring overhead: every bid passes unchanged.
-- streams: bid
SELECT auction, bidder, price, date_time, extra FROM bid
