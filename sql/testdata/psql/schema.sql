-- The schema psql's meta-commands describe in TestPsqlMetaCommands: tables
-- with primary keys, unique constraints, checks, defaults and NOT NULL
-- columns, indexes (unique, multi-column, descending), a serial column,
-- a table without a primary key, and views.
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
