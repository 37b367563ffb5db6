-- portalsdb's own objects, loaded after schema.sql for TestPsqlPortalsObjects:
-- streams (one with a retention and a watermark), workflows over a stream
-- and over a stream joined with a table, a workflow that fails on its
-- input, and portals served by a table and by a workflow.
CREATE TABLE pages (page text PRIMARY KEY, title text NOT NULL);
INSERT INTO pages VALUES ('/', 'Home'), ('/buy', 'Checkout');
CREATE STREAM clicks (page text NOT NULL, user_id int, weight int DEFAULT 1, at timestamptz NOT NULL DEFAULT now(),
  WATERMARK FOR at AS at - INTERVAL '5 seconds') WITH (retention = '1 day');
CREATE STREAM audit (note text);
INSERT INTO clicks (page, user_id) VALUES ('/', 1), ('/', 2), ('/buy', 1);
INSERT INTO clicks (page, user_id, weight) VALUES ('/buy', 3, 2);
CREATE WORKFLOW clicks_per_page AS SELECT page, count(*) AS clicks, sum(weight) AS weight FROM clicks GROUP BY page;
CREATE MATERIALIZED VIEW titled_clicks AS
  SELECT p.title, count(*) AS clicks FROM clicks c JOIN pages p ON p.page = c.page GROUP BY p.title;
CREATE WORKFLOW ratios AS SELECT page, 100 / weight AS ratio FROM clicks;
INSERT INTO clicks (page, user_id, weight) VALUES ('/', 4, 0);
INSERT INTO clicks (page, user_id) VALUES ('/', 5);
CREATE PORTAL add_page(p_page text, p_title text) RETURNS TABLE (page text, title text)
  ON pages AS INSERT INTO pages VALUES (p_page, p_title) RETURNING page, title;
CREATE PORTAL page_clicks(p_page text) RETURNS TABLE (clicks bigint, weight bigint)
  ON clicks_per_page AS SELECT clicks, weight FROM clicks_per_page WHERE page = p_page;
CREATE PORTAL ratio_of(a int, b int) RETURNS TABLE (r int) ON pages AS SELECT a / b;
FLUSH;
