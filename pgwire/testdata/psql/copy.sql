\copy t from stdin
1	one
2	two words
\.
\copy t to stdout
select 'done';
\copy t from stdin
3	three
\.
\copy t to stdout
