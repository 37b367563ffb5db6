-- psql: ON_ERROR_STOP=1
-- expected: postgres
-- With ON_ERROR_STOP, psql stops at the first error and exits with status
-- 3; the statements after it never run.
CREATE TABLE s (id int PRIMARY KEY);
INSERT INTO s VALUES (1), (2);
INSERT INTO s VALUES (2);
SELECT 'never printed';
