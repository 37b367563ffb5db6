-- psql: ON_ERROR_STOP=1
-- expected: postgres
-- Everyday use from psql: tables, rows of several types, queries,
-- transactions, views, COPY with inline data. psql must print exactly
-- what it prints against PostgreSQL.
CREATE TABLE stock (item text PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0), price numeric(8,2), added date DEFAULT '2024-01-01');
INSERT INTO stock (item, qty, price) VALUES ('apple', 10, 0.5), ('pear', 4, 0.75), ('fig', 0, NULL);
UPDATE stock SET qty = qty - 1 WHERE item = 'apple' RETURNING *;
SELECT item, qty FROM stock ORDER BY qty DESC;
SELECT count(*), sum(qty), avg(price), max(added) FROM stock;
\pset null '(null)'
SELECT * FROM stock WHERE price IS NULL;
SELECT item, qty * price AS value FROM stock ORDER BY value DESC NULLS LAST;
CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, n int, note text);
INSERT INTO orders (item, n, note) VALUES ('apple', 2, 'first'), ('pear', 1, E'two\nlines'), ('apple', 3, NULL);
SELECT o.id, o.item, o.n, s.qty - o.n AS left_after FROM orders o JOIN stock s ON s.item = o.item ORDER BY o.id;
SELECT item, sum(n) AS ordered FROM orders GROUP BY item HAVING sum(n) > 1 ORDER BY item;
SELECT * FROM orders WHERE note LIKE '%lines';
BEGIN;
DELETE FROM orders WHERE item = 'pear';
SELECT count(*) FROM orders;
ROLLBACK;
SELECT count(*) FROM orders;
BEGIN;
INSERT INTO orders (item, n) VALUES ('fig', 9);
SAVEPOINT s;
INSERT INTO orders (item, n) VALUES ('fig', 99);
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT item, n FROM orders WHERE item = 'fig';
CREATE VIEW demand AS SELECT item, sum(n) AS total FROM orders GROUP BY item;
SELECT * FROM demand ORDER BY total DESC;
COPY orders (item, n, note) FROM STDIN;
kiwi	5	from copy
kiwi	6	\N
\.
COPY (SELECT item, n, note FROM orders WHERE item = 'kiwi' ORDER BY n) TO STDOUT WITH (FORMAT csv, HEADER);
SELECT 'a' || 'b' AS concat, length('héllo') AS len, upper('mixed Case'), 7 / 2 AS div, 7 % 3 AS mod, 2 ^ 10 AS pow;
SELECT 1.5::float8 AS f, 1e100::float8 AS big, 0.1::float4 AS small, 12.345::numeric(5,1) AS rounded;
SELECT true AS t, false AS f, NULL::bool AS n;
SELECT '2024-02-29'::date + 1 AS next_day, '2024-01-01 10:00'::timestamp + interval '1 day 2 hours' AS later;
SELECT x, x * x AS sq FROM generate_series(1, 5) AS g(x) WHERE x % 2 = 1;
SELECT CASE WHEN qty > 5 THEN 'many' WHEN qty > 0 THEN 'few' ELSE 'none' END AS how_many, item FROM stock ORDER BY item;
\x on
SELECT * FROM stock WHERE item = 'pear';
\x off
TRUNCATE orders;
SELECT count(*) FROM orders;
DROP VIEW demand;
DROP TABLE orders, stock;
