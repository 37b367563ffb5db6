-- pgbench script of TestClientPgbench: each client (pgbench's :client_id
-- from 0) moves money on an account of its own and logs it, then deposits
-- through the deposit portal.
\set aid :client_id + 1
\set delta random(-5, 5)
BEGIN;
SELECT balance FROM accounts WHERE id = :aid;
UPDATE accounts SET balance = balance + 1 WHERE id = :aid;
INSERT INTO history (aid, delta, at) VALUES (:aid, :delta, CURRENT_TIMESTAMP);
END;
SELECT * FROM deposit(:aid, 1);
