-- psql: ON_ERROR_STOP=1
-- expected: portalsdb
-- Plans are portalsdb's own: point and range lookups use the primary key
-- and secondary indexes.
CREATE TABLE readings (sensor int, at int, value float8, PRIMARY KEY (sensor, at));
CREATE INDEX readings_value ON readings (value);
INSERT INTO readings SELECT s, t, s * 1000 + t FROM generate_series(1, 20) s, generate_series(1, 50) t;
EXPLAIN SELECT value FROM readings WHERE sensor = 3 AND at = 7;
SELECT value FROM readings WHERE sensor = 3 AND at = 7;
EXPLAIN SELECT count(*) FROM readings WHERE sensor = 3;
SELECT count(*) FROM readings WHERE sensor = 3;
EXPLAIN SELECT sensor, at FROM readings WHERE value BETWEEN 5010 AND 5012;
SELECT sensor, at FROM readings WHERE value BETWEEN 5010 AND 5012 ORDER BY at;
EXPLAIN SELECT count(*) FROM readings WHERE value + 0 > 19000;
