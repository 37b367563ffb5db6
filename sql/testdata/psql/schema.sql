-- The schema psql's meta-commands describe in TestPsqlMetaCommands: tables
-- with primary keys, unique constraints, checks, defaults and NOT NULL
-- columns, indexes (unique, multi-column, descending), a serial column,
-- a table without a primary key, views and a materialized view.
CREATE TABLE customers (
  id integer PRIMARY KEY,
  email varchar(120) NOT NULL UNIQUE,
  name text NOT NULL DEFAULT 'anonymous',
  score numeric(8,2) DEFAULT 0 CHECK (score >= 0),
  active boolean NOT NULL DEFAULT true,
  created timestamp DEFAULT now()
);
CREATE TABLE orders (
  order_id bigint PRIMARY KEY,
  customer_id integer NOT NULL,
  amount numeric(12,2) NOT NULL CHECK (amount > 0),
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
  note varchar(200),
  qty smallint DEFAULT 1,
  placed date DEFAULT CURRENT_DATE,
  CONSTRAINT orders_qty_range CHECK (qty > 0 AND qty < 1000)
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE UNIQUE INDEX orders_note_idx ON orders (note);
CREATE INDEX orders_status_placed_idx ON orders (status, placed DESC);
CREATE TABLE tags (tag text, weight double precision DEFAULT 1.5 CHECK (weight > 0), label char(4));
CREATE TABLE events (id serial PRIMARY KEY, payload jsonb, at timestamptz DEFAULT CURRENT_TIMESTAMP, ref uuid);
CREATE VIEW big_orders AS SELECT order_id, amount FROM orders WHERE amount > 100;
CREATE VIEW customer_totals AS
  SELECT c.name, sum(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name;
-- A materialized view: in portalsdb a workflow, which psql must show as
-- PostgreSQL shows its materialized views.
CREATE MATERIALIZED VIEW order_totals AS
  SELECT customer_id, sum(amount) AS total, count(*) AS orders FROM orders GROUP BY customer_id;
-- Defaults and checks of many shapes, in a schema of their own, for the
-- deparsing of pg_get_expr and pg_get_constraintdef.
CREATE SCHEMA deparse;
CREATE TABLE deparse.dp (a int DEFAULT -1, b text DEFAULT 'x', c varchar(10) DEFAULT 'y', d numeric DEFAULT 1.5, e numeric(5,2) DEFAULT 2, f timestamp DEFAULT now(), g timestamptz DEFAULT CURRENT_TIMESTAMP, h bool DEFAULT true, i bigint DEFAULT 42, j float8 DEFAULT 1.5, k date DEFAULT CURRENT_DATE, l int DEFAULT 1+2, m text DEFAULT upper('a'), n bigint DEFAULT -5, o int2 DEFAULT 3, p serial, q text DEFAULT NULL, r int DEFAULT (2*3)+1, s char(3) default 'ab', t int[] default '{1,2}', u jsonb default '{}', v uuid default gen_random_uuid(), w interval default '1 day', x float4 default 2.5, y numeric default -2.5, z date default '2020-01-01',
 CHECK (a > 0), CHECK (a > 0 AND b <> ''), CHECK (a > 0 OR a < -10 AND i > 3), CHECK (b LIKE 'x%'), CHECK (a IN (1,2,3)), CHECK (b IN ('a','b')), CHECK (d >= 0.5), CHECK (j > 1), CHECK (NOT h), CHECK (c IS NOT NULL), CHECK (length(b) < 10), CHECK (a + i > 5), CHECK (a BETWEEN 1 AND 10), CHECK (b ~ '^x'), CHECK (i > -1), CHECK (o > 1), CHECK (f > '2020-01-01'), CHECK (e <> 3), CHECK (a*2 - 1 > 0), CHECK ((a > 0) = true), CHECK (b::int > 0), CHECK (c = 'z'), CHECK (COALESCE(a, 0) > 0), CHECK (CASE WHEN a > 0 THEN true ELSE false END), CHECK (x > 1), CHECK (a <> ALL (ARRAY[1,2])), CHECK (i IS NULL OR i > 0));
