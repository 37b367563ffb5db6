-- psql: ON_ERROR_STOP=0
-- expected: postgres
-- Errors as psql shows them: the message, the line and a caret under the
-- offending token, details and hints; a failed transaction block; and the
-- session going on after each.
CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, qty int CONSTRAINT qty_positive CHECK (qty > 0), code text UNIQUE);
INSERT INTO t VALUES (1, 'one', 1, 'a');
SELEC 1;
SELECT * FROM t WHERE;
SELECT * FROM nosuch;
SELECT nosuch FROM t;
SELECT 'abc'::int;
INSERT INTO t (id, name, qty) VALUES (2, 'two', 'many');
INSERT INTO t (id, name, qty) VALUES (2, 'two', true);
SELECT 1 / 0;
SELECT id / (qty - 1) FROM t;
INSERT INTO t (id) VALUES (3);
INSERT INTO t VALUES (1, 'dup', 1, 'b');
INSERT INTO t VALUES (4, 'dup code', 1, 'a');
INSERT INTO t VALUES (5, 'negative', -1, 'c');
UPDATE t SET qty = 0;
CREATE TABLE t (x int);
BEGIN;
INSERT INTO t VALUES (6, 'in block', 1, 'd');
SELECT 1 / 0;
SELECT * FROM t;
COMMIT;
SELECT id, name FROM t ORDER BY id;
ROLLBACK;
SELECT 'still here' AS status;
DROP TABLE t;
