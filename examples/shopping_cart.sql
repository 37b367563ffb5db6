-- The shopping cart, after the Portals paper's example, in SQL.
--
--   cart_checkouts ──▶ checkout ──asks──▶ reserve (portal on inventory)
--                          │
--                          └──INTO──▶ orders ──▶ item_sales ──▶ top_sellers ◀── top_items() (portal)
--
-- Run it with: psql -h 127.0.0.1 -p 5432 -U postgres -f examples/shopping_cart.sql

-- Inventory: a table. Stock can never go negative.
CREATE TABLE inventory (item TEXT PRIMARY KEY, qty INT NOT NULL CHECK (qty >= 0));
INSERT INTO inventory VALUES ('apple', 100), ('pear', 50), ('plum', 20), ('fig', 5);

-- reserve: a portal served by the inventory table. It takes p_qty of an item
-- when there is enough, and answers with what is left; when there is not, it
-- answers with no row. The change and the reply commit together.
CREATE PORTAL reserve(p_item TEXT, p_qty INT) RETURNS TABLE (reserved BOOLEAN, left_qty INT)
  ON inventory AS
  UPDATE inventory SET qty = qty - p_qty WHERE item = p_item AND qty >= p_qty
  RETURNING true, qty;

-- Carts are checked out as atoms: one INSERT per cart, one row per line.
CREATE STREAM cart_checkouts (cart_id BIGINT, item TEXT, qty INT);

-- Orders: one row per checked-out line, reserved or refused.
CREATE STREAM orders (cart_id BIGINT, item TEXT, qty INT, reserved BOOLEAN);

-- checkout asks reserve once per line, exactly once even across crashes, and
-- appends the outcome to orders.
CREATE WORKFLOW checkout INTO orders AS
  SELECT c.cart_id, c.item, c.qty, coalesce(r.reserved, false) AS reserved
  FROM cart_checkouts c LEFT JOIN LATERAL reserve(c.item, c.qty) r ON true;

-- Analytics over the orders: units sold per item, and the ten best sellers.
CREATE WORKFLOW item_sales AS
  SELECT item, sum(qty) AS sold, count(*) AS orders FROM orders WHERE reserved GROUP BY item;
CREATE WORKFLOW top_sellers AS
  SELECT item, sold FROM item_sales ORDER BY sold DESC, item LIMIT 10;

-- top_items: a portal served by the analytics workflow.
CREATE PORTAL top_items() RETURNS TABLE (item TEXT, sold BIGINT)
  ON top_sellers AS SELECT item, sold FROM top_sellers ORDER BY sold DESC, item;

-- Shoppers check out.
INSERT INTO cart_checkouts VALUES (1, 'apple', 3), (1, 'fig', 2);
INSERT INTO cart_checkouts VALUES (2, 'pear', 10), (2, 'fig', 2);
INSERT INTO cart_checkouts VALUES (3, 'fig', 2), (3, 'plum', 1);   -- only one fig left: refused

-- What happened. Reads wait for the workflows to catch up with this
-- session's inserts, so no sleeps are needed.
SELECT * FROM orders ORDER BY cart_id, item;
SELECT * FROM inventory ORDER BY item;
SELECT * FROM top_items();   -- an ad-hoc call of a workflow's portal

-- reserve can be called ad hoc too, e.g. SELECT * FROM reserve('apple', 1);
-- it then changes the inventory outside the orders.
