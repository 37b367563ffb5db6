-- psql: ON_ERROR_STOP=1
-- expected: postgres
-- Schemas, serial columns, defaults, ALTER TABLE, indexes, TRUNCATE and
-- INSERT ... ON CONFLICT from psql.
CREATE SCHEMA app;
CREATE TABLE app.users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text DEFAULT 'anonymous', created date DEFAULT '2024-05-01');
INSERT INTO app.users (email) VALUES ('a@x.org'), ('b@x.org') RETURNING id, email, name, created;
INSERT INTO app.users (email, name) VALUES ('a@x.org', 'Ann') ON CONFLICT (email) DO UPDATE SET name = excluded.name RETURNING id, name;
INSERT INTO app.users (email, name) VALUES ('b@x.org', 'Bob') ON CONFLICT DO NOTHING;
INSERT INTO app.users (email) SELECT 'user' || g || '@x.org' FROM generate_series(1, 3) g;
SELECT id, email, name FROM app.users ORDER BY id;
CREATE INDEX users_name ON app.users (name);
SELECT email FROM app.users WHERE name = 'Ann';
ALTER TABLE app.users ADD COLUMN active bool NOT NULL DEFAULT true;
ALTER TABLE app.users DROP COLUMN created;
ALTER TABLE app.users RENAME COLUMN name TO full_name;
ALTER TABLE app.users RENAME TO people;
SELECT * FROM app.people WHERE id <= 2 ORDER BY id;
SET search_path = app, public;
UPDATE people SET active = false WHERE email LIKE 'user%';
SELECT active, count(*) FROM people GROUP BY active ORDER BY active;
CREATE TABLE logins (user_id int, at timestamp);
INSERT INTO logins VALUES (1, '2024-06-01 08:00'), (1, '2024-06-02 09:30'), (3, '2024-06-02 10:00');
DELETE FROM logins USING people WHERE logins.user_id = people.id AND NOT people.active;
UPDATE people SET full_name = full_name || ' (' || n || ')' FROM (SELECT user_id, count(*) AS n FROM logins GROUP BY user_id) c WHERE c.user_id = people.id;
SELECT id, full_name FROM people WHERE id = 1;
TRUNCATE logins;
SELECT count(*) FROM logins;
RESET search_path;
DROP SCHEMA app CASCADE;
