-- Query 10: Log to File System
-- Every bid with its day and minute, as a file sink would partition them.
-- Flink formats both as text (DATE_FORMAT); here the day is a date and the
-- minute a time of day.
-- streams: bid
SELECT auction, bidder, price, date_time, extra,
       date_time::date AS day, date_trunc('minute', date_time)::time AS minute
FROM bid
