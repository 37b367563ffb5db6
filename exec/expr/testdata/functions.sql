# Differential cases: each line runs on portalsdb and on PostgreSQL 15 and
# must print the same text (or fail with the same SQLSTATE). See
# functions_pg_test.go for the line format.
SET TimeZone = 'UTC'

# ---- strings ----
initcap('hello wORLD foo_bar 3x x3')
initcap('')
initcap(NULL)
left('abcdef', 2)
left('abcdef', -2)
left('abcdef', 0)
left('ab', 10)
right('abcdef', 2)
right('abcdef', -2)
right('', 3)
repeat('ab', 3)
repeat('ab', 0)
repeat('ab', -1)
repeat(NULL, 2)
reverse('abcé')
reverse('')
lpad('hi', 5)
lpad('hi', 5, 'xy')
lpad('hello', 3, 'x')
lpad('hi', 5, '')
lpad('hi', -1, 'x')
rpad('hi', 5)
rpad('hi', 6, 'xy')
rpad('hello', 2)
split_part('a,b,c', ',', 2)
split_part('a,b,c', ',', 4)
split_part('a,b,c', ',', -1)
split_part('a,b,c', ',', -3)
split_part('a,b,c', ',', 0)
split_part('abc', '', 1)
split_part('', ',', 1)
starts_with('hello', 'he')
starts_with('hello', 'lo')
starts_with('hello', '')
'hello' ^@ 'he'
ascii('A')
ascii('é')
ascii('')
chr(65)
chr(233)
chr(0)
chr(-1)
to_hex(255)
to_hex(-1)
to_hex(9223372036854775807)
to_hex(0)
translate('12345', '143', 'ax')
translate('hello', 'l', '')
translate('abc', '', 'x')
overlay('Txxxxas' placing 'hom' from 2 for 4)
overlay('abcdef' placing 'XY' from 3)
overlay('abc' placing 'Z' from 10)
overlay('abcdef' placing 'XY' from 0 for 2)
format('Hello %s', 'World')
format('%s, %s', 'a', NULL)
format('%I', 'Foo bar')
format('%I', 'foo')
format('%L', 'O''Reilly')
format('%L', NULL)
format('%2$s %1$s', 'a', 'b')
format('%%')
format('%s %s', 'a')
format('%5s|%-5s|', 'ab', 'cd')
format('%s', 1.50)
format('no args')
format('%z', 1)
quote_literal('it''s')
quote_literal(42)
quote_literal(E'back\\slash')
quote_ident('abc')
quote_ident('Abc')
quote_ident('a b')
quote_ident('select')
quote_ident('a"b')
quote_nullable(NULL)
quote_nullable('x')
quote_nullable(5)
regexp_replace('foobarbaz', 'b..', 'X')
regexp_replace('foobarbaz', 'b..', 'X', 'g')
regexp_replace('FooBar', 'o', '0', 'gi')
regexp_replace('abc', '(b)', '[\1]')
regexp_replace('abc', 'b', '\&\&', 'g')
regexp_replace('aaa', 'a*', 'X', 'g')
regexp_replace('abc', '(', 'x')
regexp_match('foobarbequebaz', 'bar.*que')
regexp_match('foobarbequebaz', '(bar)(beq)')
regexp_match('abc', 'x')
regexp_match('ABC', 'b', 'i')
regexp_match('abc', '(x)?b')
SELECT * FROM regexp_matches('foobarbequebaz', 'ba.', 'g')
SELECT * FROM regexp_split_to_table('a1b22c', '[0-9]+')
regexp_matches('abc', '(a)(b)')
regexp_split_to_array('hello world  foo', '\s+')
regexp_split_to_array('abc', '')
regexp_split_to_array('a,b', 'x')
string_to_array('a,b,,c', ',')
string_to_array('a,b,,c', ',', '')
string_to_array('abc', NULL)
string_to_array('abc', '')
string_to_array('', ',')
string_to_array('a b', ' ', 'b')
array_to_string(ARRAY[1, NULL, 3], ',')
array_to_string(ARRAY[1, NULL, 3], ',', '*')
array_to_string(ARRAY['a','b'], '')
array_to_string(ARRAY[]::text[], ',')
octet_length('é'::bytea)
octet_length('\x0102'::bytea)
bit_length('\x0102'::bytea)
bit_length('abc')
octet_length('aé')
length('\x010203'::bytea)
length('aé')
char_length('aé')
encode('\x00ff10'::bytea, 'hex')
encode('hello'::bytea, 'base64')
encode('\x00'::bytea, 'base64')
encode('a\\b'::bytea, 'escape')
encode('\x00010aff'::bytea, 'escape')
encode('x'::bytea, 'nope')
decode('00ff', 'hex')
decode('aGVsbG8=', 'base64')
decode('a\\000b', 'escape')
decode('0', 'hex')
decode('zz', 'hex')
encode(repeat('x', 60)::bytea, 'base64')
sha256('abc'::bytea)
sha256(''::bytea)
md5('abc')
md5('abc'::bytea)
md5('')
convert_from('\x68c3a9'::bytea, 'UTF8')
convert_to('hé', 'UTF8')
convert_from('\xff'::bytea, 'UTF8')
convert_from('\x41'::bytea, 'LATIN1')
concat('a', NULL, 1, true, 2.50)
concat()
concat(NULL)
concat_ws(',', 'a', NULL, 'b')
concat_ws(NULL, 'a', 'b')
concat_ws(',', NULL)
concat_ws('-', 1, 2, 3)
'abc' || NULL
'\x01'::bytea || '\x02'::bytea
ARRAY[1,2] || ARRAY[3]
ARRAY[1,2] || 3
0 || ARRAY[1,2]
ARRAY['a'] || 'b'::text
position('lo' in 'hello')
position('' in 'hello')
position('z' in 'hello')
position('\x02'::bytea in '\x010203'::bytea)
substring('hello' from 2 for 3)
substring('hello' from 2)
substring('hello' for 2)
substring('hello' from -1 for 3)
substring('hello' from 2 for -1)
substring('hello', 0, 2)
substring('\x01020304'::bytea from 2 for 2)
substring('foobar' from 'o.b')
substring('foobar' from 'o(.)b')
substring('foobar' from 'x')
substring('foobar' similar '%#"o_b#"%' escape '#')
substring('foobar', '%#"o_b#"%', '#')
trim('  ab  ')
trim(both 'x' from 'xxabxx')
trim(leading 'x' from 'xxabxx')
trim(trailing 'x' from 'xxabxx')
trim(leading from '  ab  ')
trim(both from '  ab  ')
trim('\x0001020300'::bytea from '\x00'::bytea)
btrim('xyxabyx', 'xy')
ltrim('  ab')
rtrim('ab  ')
ltrim('xxab', 'x')
'abc' LIKE 'a%'
'abc' LIKE 'A%'
'abc' ILIKE 'A%'
'abc' NOT ILIKE 'A%'
'a%c' LIKE 'a\%c'
'abc' LIKE 'a\%c'
'a%c' LIKE 'a#%c' ESCAPE '#'
'abc' LIKE 'a#%c' ESCAPE '#'
'a_c' LIKE 'a!_c' ESCAPE '!'
'abc' LIKE 'abc' ESCAPE ''
'a\c' LIKE 'a\c' ESCAPE ''
'abc' LIKE 'a' ESCAPE 'xx'
'abc' LIKE 'ab\'
'ÀB' ILIKE 'àb'
'' LIKE ''
'' LIKE '%'
NULL::text LIKE 'a'
'abc' SIMILAR TO 'abc'
'abc' SIMILAR TO 'a'
'abc' SIMILAR TO '%(b|d)%'
'abc' SIMILAR TO 'a_c'
'abd' NOT SIMILAR TO 'a(b|c)c'
'aaa' SIMILAR TO 'a{2,3}'
'a.c' SIMILAR TO 'a.c'
'abc' SIMILAR TO 'a.c'
'ab' SIMILAR TO '[a-c]+'
'a+' SIMILAR TO 'a#+' ESCAPE '#'
'foo' ~ 'o+'
'foo' ~* 'O+'
'foo' !~ 'x'
'foo' !~* 'F'
'abc' ~ '^a[[:alpha:]]c$'
'hello world' ~ '\mworld'
lower('ÀBC')
upper('àbc')
upper(NULL)
lower('')
strpos('hello', 'l')
replace('abcabc', 'b', 'XX')
replace('abc', '', 'x')
length(''::text)
length(NULL::text)
octet_length(NULL::text)
'abc' < 'abd'
'abc'::bytea < 'abd'::bytea

# ---- math ----
exp(1.0)
exp(1::numeric)
exp(0::numeric)
exp(2.5::numeric)
exp(1)
exp(-1000::numeric)
exp(10000::numeric)
ln(2.0)
ln(2::numeric)
ln(10)
ln(0)
ln(-1)
ln(0::numeric)
ln(-1::numeric)
ln(1::numeric)
ln(1e-10)
log(100)
log(100::numeric)
log(1000.0)
log(2, 8)
log(2.0, 64.0)
log(10, 1000)
log(1, 10)
log(0, 10)
log(10, 0)
log10(1000)
log(0.001)
sqrt(2)
sqrt(2::numeric)
sqrt(4.0)
sqrt(-1)
sqrt(-1::numeric)
sqrt(0::numeric)
sqrt(1e-10)
sqrt(12345678901234567890::numeric)
power(2, 10)
power(2.0, 10)
power(2::numeric, 0.5)
power(2::numeric, -2)
power(0::numeric, -1)
power(-8::numeric, 1.0/3)
power(-2::numeric, 3)
power(1.5::numeric, 2)
power(0.0, 0.0)
power(0, 0)
power(-1, 0.5)
2 ^ 3
2.0 ^ 3
trunc(1.99)
trunc(-1.99)
trunc(1.99::float8)
trunc(-1.5::float8)
trunc(1234.5678, 2)
trunc(1234.5678, -2)
trunc(1234.5678, 0)
trunc(-1234.5678, -2)
round(2.5)
round(-2.5)
round(2.5::float8)
round(3.5::float8)
round(-0.5::float8)
round(1234.5678, 2)
round(1234.5678, -2)
round(1250, -2)
round(-1250, -2)
round(1234.5678::numeric, 10)
round(0.001, 2)
round(-0.001, 2)
round(99.5, -2)
round(123.456::float8)
ceil(1.1)
ceil(-1.1)
ceil(1.1::float8)
ceiling(-0.5)
floor(1.9)
floor(-1.1)
floor(-1.1::float8)
floor(5)
mod(10, 3)
mod(-10, 3)
mod(10, -3)
mod(10.5, 3)
mod(10, 0)
mod(10::numeric, 0)
10 % 3
-7 % 2
div(10, 3)
div(-10, 3)
div(10.5, 3)
div(-9::numeric, 4)
div(10, 0)
gcd(12, 18)
gcd(-12, 18)
gcd(0, 0)
gcd(0, 5)
gcd(12::bigint, 18)
gcd(1.5, 0.75)
gcd(-2147483648, 0)
lcm(4, 6)
lcm(0, 6)
lcm(-4, 6)
lcm(1.5, 2)
lcm(2147483647, 2147483646)
factorial(0)
factorial(5)
factorial(20)
factorial(25)
factorial(-1)
width_bucket(5.35, 0.024, 10.06, 5)
width_bucket(-1, 0, 10, 5)
width_bucket(10, 0, 10, 5)
width_bucket(0, 0, 10, 5)
width_bucket(5, 10, 0, 5)
width_bucket(5::float8, 0, 10, 3)
width_bucket(5, 0, 10, 0)
width_bucket(5, 3, 3, 5)
degrees(pi())
degrees(1)
radians(180)
radians(0)
sin(0)
sin(1)
cos(0)
cos(1)
tan(1)
cot(1)
asin(1)
asin(2)
acos(0.5)
acos(-2)
atan(1)
atan2(1, 1)
atan2(0, -1)
sind(30)
sind(90)
sind(-30)
cosd(60)
cosd(90)
tand(45)
tand(90)
cotd(45)
asind(0.5)
acosd(0.5)
atand(1)
atan2d(1, 1)
sinh(1)
cosh(1)
tanh(1)
asinh(1)
acosh(1)
atanh(0.5)
atanh(1)
pi()
scale(1.2345)
scale(10)
scale(0.00)
scale(NULL::numeric)
scale(1e5)
trim_scale(1.2300)
trim_scale(1.000)
trim_scale(0.00)
trim_scale(-10.10)
min_scale(1.2300)
min_scale(1.000)
min_scale(0.000)
min_scale(100)
abs(-5)
abs(-5::smallint)
abs(-5::bigint)
abs(-5.5)
abs(-5.5::real)
abs(-5.5::float8)
abs(-2147483648)
abs(-0.0)
abs(-9223372036854775807 - 1)
sign(-3)
sign(0)
sign(3.5)
sign(-3.5::float8)
sign(0::numeric)
@ -5
@ -5.5
@ -5.5::float8
|/ 25
|/ 2
||/ 64
||/ -8
1 << 4
16 >> 2
1::bigint << 62
1 << 31
1 << 32
-16 >> 2
5::smallint << 1
5 & 3
5 | 3
5 # 3
~5
cbrt(64)
cbrt(-8)
1.0 / 3
10::numeric / 4
2::numeric ^ 100
(-2)::numeric ^ 3
numeric 'NaN' + 1
'Infinity'::float8 * 0
'NaN'::float8 = 'NaN'::float8
1e300::float8 * 1e300
9223372036854775807 + 1
-2147483648 / -1
(-2147483648)::int4 / -1
12345678901234567890.123456789 * 98765432109876543210.987654321
0.1 + 0.2
0.1::float8 + 0.2::float8
1/3.0
round(1/3.0, 5)

# ---- date/time ----
SET TimeZone = 'UTC'
to_char(timestamp '2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS')
to_char(timestamp '2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.MS')
to_char(timestamp '2024-03-05 14:07:09.123456', 'HH24:MI:SS.US')
to_char(timestamp '2024-03-05 14:07:09', 'HH12:MI AM')
to_char(timestamp '2024-03-05 00:07:09', 'HH12:MI pm')
to_char(timestamp '2024-03-05 12:07:09', 'HH:MI P.M.')
to_char(timestamp '2024-03-05 14:07:09', 'Day, DD Month YYYY')
to_char(timestamp '2024-03-05 14:07:09', 'FMDay, FMDD FMMonth YYYY')
to_char(timestamp '2024-03-05 14:07:09', 'Dy Mon DD')
to_char(timestamp '2024-03-05 14:07:09', 'DAY MONTH MON DY')
to_char(timestamp '2024-03-05 14:07:09', 'day month mon dy')
to_char(timestamp '2024-03-05 14:07:09', 'YY YYY Y,YYY')
to_char(timestamp '2024-03-05 14:07:09', 'Q WW W DDD D ID IW IYYY')
to_char(timestamp '2024-03-05 14:07:09', 'CC J SSSS')
to_char(timestamp '2024-03-05 14:07:09', 'FMMM/FMDD/YYYY')
to_char(timestamp '2024-03-05 14:07:09', '"Year:" YYYY "Q"Q')
to_char(timestamp '2024-03-05 14:07:09', 'YYYYMMDD')
to_char(timestamp '2024-03-05 14:07:09', 'Month')
to_char(timestamp '2024-03-05 14:07:09', 'RM rm')
to_char(timestamp '2024-03-05 14:07:09', 'DDth Mth DDTH')
to_char(timestamp '2024-03-01 14:07:09', 'FMDDth')
to_char(timestamp '2024-03-22 14:07:09', 'FMDDth')
to_char(timestamp '2024-03-13 14:07:09', 'FMDDth')
to_char(timestamptz '2024-03-05 14:07:09+00', 'YYYY-MM-DD HH24:MI:SS TZ')
to_char(timestamptz '2024-03-05 14:07:09+00', 'OF')
to_char(date '2024-02-29', 'YYYY-MM-DD Dy')
to_char(date '0001-01-01', 'YYYY-MM-DD')
to_char(timestamp '2024-03-05 14:07:09', 'HH24\MI')
to_char(NULL::timestamp, 'YYYY')
to_char(timestamp '2024-03-05 14:07:09', '')
to_char(interval '1 day 02:03:04', 'HH24:MI:SS')
to_char(interval '15 hours 2 minutes', 'HH12:MI')
to_char(interval '3 years 2 months 5 days', 'YYYY MM DD')
to_char(interval '-1 hours', 'HH24')
to_char(123, '999')
to_char(123, '000999')
to_char(-123, '999')
to_char(123.456, '999.99')
to_char(123.456, '999.9')
to_char(0.5, '0.99')
to_char(0.5, '9.99')
to_char(1234567.891, '9,999,999.99')
to_char(1234567.891, 'FM9,999,999.99')
to_char(-1234.5, 'S9999.9')
to_char(1234.5, 'S9999.9')
to_char(-12, '9999S')
to_char(-12, '9999MI')
to_char(12, '9999MI')
to_char(-12, 'PR9999')
to_char(12345, '999')
to_char(3.14159::float8, '9.999')
to_char(100, 'FM999')
to_char(0, 'FM999')
to_char(0, '9999')
to_char(0, 'FM9990.00')
to_char(1.5, 'FM9.99')
to_char(42, 'FM999th')
to_char(12, 'RN')
to_char(2024, 'FMRN')
to_char(125, '9G999D99')
to_char(1e20::numeric, '9999')
to_char(-0.1, '99.9')
to_char(12.345, '99V99')
to_date('2024-03-05', 'YYYY-MM-DD')
to_date('05 Mar 2024', 'DD Mon YYYY')
to_date('20240305', 'YYYYMMDD')
to_date('2024-02-30', 'YYYY-MM-DD')
to_date('March 5, 2024', 'Month DD, YYYY')
to_date('2024-13-01', 'YYYY-MM-DD')
to_date('24-03-05', 'YY-MM-DD')
to_timestamp('2024-03-05 14:07:09', 'YYYY-MM-DD HH24:MI:SS')
to_timestamp('2024-03-05 02:07:09 PM', 'YYYY-MM-DD HH:MI:SS AM')
to_timestamp('2024-03-05 14:07:09.123', 'YYYY-MM-DD HH24:MI:SS.MS')
to_timestamp('2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.US')
to_timestamp('05/03/2024', 'DD/MM/YYYY')
to_timestamp('2024-03-05 25:00', 'YYYY-MM-DD HH24:MI')
to_timestamp(0)
to_timestamp(1700000000.5)
to_timestamp('Infinity'::float8)
to_number('12,454.8-', '99G999D9S')
to_number('$1,234.56', 'L9,999.99')
to_number('123', '999')
to_number('-12.5', '99.9')
to_number('1 2 3', '9 9 9')
to_number('12.34', '99D99')
to_number('abc', '999')
age(timestamp '2024-03-05', timestamp '2020-01-10')
age(timestamp '2020-01-10', timestamp '2024-03-05')
age(timestamp '2024-03-31', timestamp '2024-02-29')
age(timestamp '2024-03-01 10:00', timestamp '2024-02-28 12:00')
age(date '2024-03-05', date '2023-03-05')
age(timestamptz '2024-03-05 00:00+00', timestamptz '2023-01-01 00:00+00')
date_part('year', timestamp '2024-03-05 14:07:09.5')
date_part('month', timestamp '2024-03-05 14:07:09.5')
date_part('second', timestamp '2024-03-05 14:07:09.5')
date_part('epoch', timestamp '2024-03-05 14:07:09.5')
date_part('dow', date '2024-03-05')
date_part('day', interval '3 days 4 hours')
extract(year from timestamp '2024-03-05 14:07:09.5')
extract(quarter from date '2024-08-05')
extract(week from date '2024-01-01')
extract(week from date '2021-01-03')
extract(isoyear from date '2021-01-03')
extract(doy from date '2024-12-31')
extract(dow from date '2024-03-10')
extract(isodow from date '2024-03-10')
extract(century from date '2000-12-31')
extract(century from date '2001-01-01')
extract(millennium from date '2001-01-01')
extract(decade from date '2024-01-01')
extract(julian from date '2024-03-05')
extract(epoch from timestamp '2024-03-05 14:07:09.5')
extract(epoch from date '2024-03-05')
extract(epoch from timestamptz '2024-03-05 14:07:09.5+02')
extract(epoch from interval '1 day 1 second')
extract(epoch from interval '1 month')
extract(epoch from interval '1 year')
extract(second from timestamp '2024-03-05 14:07:09.5')
extract(millisecond from timestamp '2024-03-05 14:07:09.5')
extract(microsecond from timestamp '2024-03-05 14:07:09.5')
extract(minute from time '14:07:09')
extract(hour from time '14:07:09')
extract(second from time '14:07:09.25')
extract(timezone from timestamptz '2024-03-05 14:07:09+00')
extract(timezone_hour from timestamptz '2024-03-05 14:07:09+00')
extract(year from interval '2 years 14 months')
extract(month from interval '14 months')
extract(hour from interval '27 hours')
extract(minute from interval '-90 minutes')
extract(millennium from interval '2000 years')
extract(century from interval '250 years')
extract(decade from interval '25 years')
extract(quarter from interval '5 months')
extract(dow from interval '1 day')
extract(year from date 'infinity')
extract(foo from date '2024-03-05')
extract(hour from date '2024-03-05')
date_trunc('month', timestamp '2024-03-05 14:07:09')
date_trunc('week', timestamp '2024-03-07 14:07:09')
date_trunc('quarter', timestamp '2024-05-07 14:07:09')
date_trunc('year', timestamp '2024-05-07 14:07:09')
date_trunc('hour', timestamp '2024-05-07 14:07:09')
date_trunc('millisecond', timestamp '2024-05-07 14:07:09.123456')
date_trunc('decade', timestamp '2024-05-07 14:07:09')
date_trunc('century', timestamp '2024-05-07 14:07:09')
date_trunc('millennium', timestamp '2024-05-07 14:07:09')
date_trunc('day', timestamptz '2024-05-07 14:07:09+00')
date_trunc('day', timestamptz '2024-05-07 02:07:09+00', 'America/New_York')
date_trunc('month', timestamptz '2024-05-01 02:07:09+00', 'Asia/Tokyo')
date_trunc('hour', interval '3 days 4 hours 5 minutes')
date_trunc('month', interval '1 year 5 months 3 days')
date_trunc('fortnight', timestamp '2024-05-07')
date_trunc('day', date '2024-05-07')
make_timestamp(2024, 2, 29, 12, 30, 45.5)
make_timestamp(2023, 2, 29, 12, 30, 45.5)
make_timestamp(2024, 1, 1, 24, 0, 0)
make_timestamptz(2024, 2, 29, 12, 30, 45.5)
make_timestamptz(2024, 2, 29, 12, 30, 45.5, 'America/New_York')
make_interval(1, 2, 3, 4, 5, 6, 7.5)
make_interval(days => 10)
make_interval(hours => 1, mins => 30)
make_interval()
make_interval(secs => 1.25)
make_time(12, 30, 45.5)
make_time(24, 0, 0)
make_time(25, 0, 0)
make_date(2024, 2, 29)
make_date(2023, 2, 29)
make_date(-44, 3, 15)
justify_days(interval '35 days')
justify_days(interval '-35 days')
justify_hours(interval '27 hours')
justify_hours(interval '-27 hours')
justify_interval(interval '1 month -1 hour')
justify_interval(interval '1 mon 35 days 27 hours')
isfinite(date '2024-01-01')
isfinite(date 'infinity')
isfinite(timestamp '-infinity')
isfinite(interval '1 day')
timestamp '2024-03-05 12:00' AT TIME ZONE 'America/New_York'
timestamptz '2024-03-05 12:00+00' AT TIME ZONE 'America/New_York'
timestamptz '2024-07-05 12:00+00' AT TIME ZONE 'Europe/Berlin'
timestamp '2024-03-05 12:00' AT TIME ZONE 'UTC'
timestamptz '2024-03-05 12:00+00' AT TIME ZONE '+05'
timestamptz '2024-03-05 12:00+00' AT TIME ZONE INTERVAL '-03:00'
timezone('Asia/Tokyo', timestamptz '2024-03-05 12:00+00')
timestamptz '2024-03-05 12:00+00' AT TIME ZONE 'Nowhere/City'
(date '2024-01-01', date '2024-02-01') OVERLAPS (date '2024-01-15', date '2024-03-01')
(date '2024-01-01', date '2024-02-01') OVERLAPS (date '2024-02-01', date '2024-03-01')
(date '2024-01-01', interval '10 days') OVERLAPS (date '2024-01-05', interval '1 day')
(timestamp '2024-01-01', timestamp '2024-01-01') OVERLAPS (timestamp '2024-01-01', timestamp '2024-01-02')
(date '2024-02-01', date '2024-01-01') OVERLAPS (date '2024-01-15', date '2024-01-20')
(date '2024-01-01', NULL::date) OVERLAPS (date '2024-01-15', date '2024-01-20')
date '2024-01-31' + interval '1 month'
date '2024-03-31' - interval '1 month'
timestamp '2023-01-31 10:00' + interval '1 month'
timestamp '2024-02-29' + interval '1 year'
timestamp '2024-02-29' - interval '4 years'
timestamp '2024-01-31' + interval '1 month 1 day'
date '2024-02-28' + 1
date '2024-12-31' + 1
date '2024-03-01' - date '2024-02-01'
date '2024-03-01' - 1
timestamp '2024-03-01' - timestamp '2024-02-01 12:00'
timestamp '2024-03-01 00:00' - interval '1.5 days'
timestamptz '2024-03-09 12:00 America/New_York' + interval '1 day'
interval '1 day' + interval '2 hours'
interval '1 month' - interval '1 day'
interval '1 day' * 2.5
interval '1 month' * 0.5
interval '1 hour' / 4
interval '1 day' / 0
-interval '1 day 2 hours'
interval '1 month' = interval '30 days'
interval '1 day' = interval '24 hours'
interval '1 day' > interval '23 hours'
interval '1 year' < interval '360 days'
interval '1 year 2 months 3 days 04:05:06.789'
interval '-1 year -2 mons +3 days -04:05:06'
interval '90 minutes'
interval '1.5 years'
time '12:00' + interval '13 hours'
time '12:00' - time '10:30'
time '12:00' - interval '13 hours'
date '2024-03-05' + time '10:30'
current_time IS NOT NULL
localtime IS NOT NULL
current_date = now()::date
localtimestamp <= now()::timestamp
date '2024-02-29'
date '2023-02-29'
date 'infinity' > date '2024-01-01'
timestamp 'epoch'
'2024-03-05'::date - '2024-03-05'::date

# ---- json ----
'{"a": 1, "b": [1, 2]}'::jsonb -> 'b'
'{"a": 1, "b": [1, 2]}'::jsonb -> 'c'
'{"a": 1, "b": [1, 2]}'::jsonb ->> 'a'
'[1, "x", null]'::jsonb -> 1
'[1, "x", null]'::jsonb ->> 1
'[1, "x", null]'::jsonb ->> 2
'[1, "x", null]'::jsonb -> -1
'[1, "x", null]'::jsonb -> 5
'{"a": 1}'::jsonb -> 0
'{"a": {"b": [10, 20]}}'::jsonb #> '{a,b,1}'
'{"a": {"b": [10, 20]}}'::jsonb #>> '{a,b,1}'
'{"a": {"b": [10, 20]}}'::jsonb #>> '{a}'
'{"a": {"b": [10, 20]}}'::jsonb #> '{x,y}'
'{"a": 1}'::jsonb #> '{}'
'{"a": 1, "b": 2}'::jsonb @> '{"a": 1}'
'{"a": 1, "b": 2}'::jsonb @> '{"a": 2}'
'[1, 2, [3]]'::jsonb @> '[[3]]'
'[1, 2, 3]'::jsonb @> '[3, 1]'
'[1, 2, 3]'::jsonb @> '1'
'{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}'
'{"a": 1, "b": 2}'::jsonb ? 'a'
'["a", "b"]'::jsonb ? 'b'
'{"a": 1}'::jsonb ? 'x'
'{"a": 1, "b": 2}'::jsonb ?| ARRAY['x', 'b']
'{"a": 1, "b": 2}'::jsonb ?& ARRAY['a', 'b']
'{"a": 1, "b": 2}'::jsonb ?& ARRAY['a', 'x']
'{"a": 1}'::jsonb || '{"b": 2}'::jsonb
'{"a": 1}'::jsonb || '{"a": 2}'::jsonb
'[1, 2]'::jsonb || '[3]'::jsonb
'[1, 2]'::jsonb || '3'::jsonb
'{"a": 1}'::jsonb || '[1]'::jsonb
'{"a": 1, "b": 2}'::jsonb - 'a'
'["a", "b", "a"]'::jsonb - 'a'
'[1, 2, 3]'::jsonb - 1
'[1, 2, 3]'::jsonb - -1
'{"a": 1, "b": 2, "c": 3}'::jsonb - ARRAY['a', 'c']
'{"a": 1}'::jsonb - 0
'{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}'
jsonb_build_object('a', 1, 'b', 'x', 'c', NULL, 'd', true)
jsonb_build_object('a', 1, 'a', 2)
jsonb_build_object()
jsonb_build_object('a')
jsonb_build_object(NULL, 1)
jsonb_build_object('k', ARRAY[1,2], 'n', 1.50)
jsonb_build_array(1, 'a', NULL, false, 2.5)
jsonb_build_array()
json_build_object('b', 1, 'a', 2)
json_build_array(1, 'x')
to_jsonb('text'::text)
to_jsonb(42)
to_jsonb(1.50)
to_jsonb(true)
to_jsonb(ARRAY[1, 2, NULL])
to_jsonb(date '2024-03-05')
to_jsonb(timestamp '2024-03-05 10:00')
to_jsonb(timestamptz '2024-03-05 10:00+00')
to_jsonb('a"b\c'::text)
to_jsonb(NULL::text)
to_jsonb('NaN'::float8)
to_json('x'::text)
jsonb_array_length('[1, 2, [3, 4]]')
jsonb_array_length('[]')
jsonb_array_length('{"a": 1}')
jsonb_typeof('{"a": 1}')
jsonb_typeof('[1]')
jsonb_typeof('"s"')
jsonb_typeof('1.5')
jsonb_typeof('true')
jsonb_typeof('null')
jsonb_typeof('{"a": null}'::jsonb -> 'a')
jsonb_extract_path('{"a": {"b": [1, 2]}}', 'a', 'b', '0')
jsonb_extract_path_text('{"a": {"b": "x"}}', 'a', 'b')
jsonb_extract_path('{"a": 1}', 'x')
jsonb_set('{"a": 1, "b": 2}', '{a}', '10')
jsonb_set('{"a": 1}', '{c}', '3')
jsonb_set('{"a": 1}', '{c}', '3', false)
jsonb_set('[1, 2, 3]', '{1}', '"x"')
jsonb_set('[1, 2, 3]', '{5}', '4')
jsonb_set('[1, 2, 3]', '{-5}', '0')
jsonb_set('{"a": {"b": 1}}', '{a,b}', '[1]')
jsonb_set('{"a": 1}', '{a,b}', '1')
jsonb_insert('[1, 2]', '{1}', '9')
jsonb_insert('[1, 2]', '{1}', '9', true)
jsonb_strip_nulls('{"a": 1, "b": null, "c": {"d": null}, "e": [null]}')
jsonb_pretty('{"a": 1, "b": [1, 2, {"c": null}], "d": {}}')
jsonb_pretty('[]')
jsonb_pretty('1')
'{"b": 1, "a": 2, "aa": 3}'::jsonb
'{"a": 1, "a": 2}'::jsonb
'{"b": 1, "a": 2}'::json
'{"a": 1,   "a": 2}'::json
'  [1,2]  '::json
'[1.0, 1e2, 0.10]'::jsonb
'"\u00e9"'::jsonb
'{"a":'::jsonb
'{"a": 1}'::json -> 'a'
'{"a": {"b": 1}}'::json ->> 'a'
'{"a": 1}'::jsonb = '{"a": 1.0}'::jsonb
'[1, 2]'::jsonb = '[1, 2]'::jsonb
'{"a": 1}'::jsonb::text
'{"a":1}'::json::jsonb
'{"a":1}'::jsonb::json
'1'::jsonb::int
'1.5'::jsonb::numeric
'true'::jsonb::bool
'"x"'::jsonb::int
'{"a": 1}'::jsonb::text::jsonb -> 'a'
json_typeof('[1]')
json_array_length('[1, 2]')
SELECT key, value FROM jsonb_each('{"b": 1, "a": [2], "c": null}')
SELECT key, value FROM jsonb_each_text('{"b": 1, "a": "x", "c": null}')
SELECT * FROM jsonb_array_elements('[1, "x", {"a": null}]')
SELECT * FROM jsonb_array_elements_text('[1, "x", null]')
SELECT * FROM jsonb_object_keys('{"b": 1, "a": 2}')
SELECT * FROM jsonb_array_elements('{"a": 1}')
SELECT * FROM jsonb_each('[1]')
SELECT * FROM json_array_elements('[1, 2]')
SELECT * FROM json_each('{"b": 1, "a": 2}')
SELECT value FROM jsonb_array_elements('[3, 1, 2]') WITH ORDINALITY AS t(value, n) ORDER BY n DESC

# ---- arrays ----
array_length(ARRAY[1, 2, 3], 1)
array_length(ARRAY[1, 2, 3], 2)
array_length(ARRAY[]::int[], 1)
array_upper(ARRAY[1, 2, 3], 1)
array_lower(ARRAY[1, 2, 3], 1)
array_upper(ARRAY[]::int[], 1)
array_ndims(ARRAY[1, 2])
array_dims(ARRAY[1, 2])
cardinality(ARRAY[1, 2, 3])
cardinality(ARRAY[]::int[])
array_append(ARRAY[1, 2], 3)
array_append(NULL::int[], 3)
array_append(ARRAY['a'], NULL)
array_prepend(0, ARRAY[1, 2])
array_cat(ARRAY[1, 2], ARRAY[3, 4])
array_cat(NULL::int[], ARRAY[1])
array_cat(ARRAY[1], NULL::int[])
array_position(ARRAY['a', 'b', 'c', 'b'], 'b')
array_position(ARRAY['a', 'b', 'c', 'b'], 'b', 3)
array_position(ARRAY['a', 'b'], 'z')
array_position(ARRAY[1, NULL, 3], NULL)
array_positions(ARRAY[1, 2, 1, 3], 1)
array_positions(ARRAY[1, 2], 5)
array_remove(ARRAY[1, 2, 1, 3], 1)
array_remove(ARRAY[1, NULL, 2], NULL)
array_replace(ARRAY[1, 2, 1], 1, 9)
array_replace(ARRAY[1, NULL], NULL, 0)
ARRAY[1, 2, 3] @> ARRAY[2, 3]
ARRAY[1, 2, 3] @> ARRAY[4]
ARRAY[1, 2] <@ ARRAY[1, 2, 3]
ARRAY[1, 2] && ARRAY[2, 5]
ARRAY[1, 2] && ARRAY[5]
ARRAY[1, NULL] @> ARRAY[NULL::int]
ARRAY[]::int[] <@ ARRAY[1]
ARRAY['a', 'b'] @> ARRAY['a']
ARRAY[1, 2] = ARRAY[1, 2]
ARRAY[1, 2] < ARRAY[1, 3]
ARRAY[1, 2] < ARRAY[1, 2, 0]
ARRAY[2] > ARRAY[1, 5]
ARRAY[1, NULL] = ARRAY[1, NULL]
ARRAY[1, 2] <> ARRAY[1, 2]
ARRAY[1, 2, 3] >= ARRAY[1, 2, 3]
3 = ANY(ARRAY[1, 2, 3])
3 = ALL(ARRAY[1, 2, 3])
3 = ANY(ARRAY[1, NULL])
3 <> ALL(ARRAY[1, 2])
'b' = ANY('{a,b}'::text[])
1 = ANY('{}'::int[])
array_to_string(string_to_array('1-2-3', '-'), '+')
(ARRAY[10, 20, 30])[2]
(ARRAY[10, 20, 30])[5]
ARRAY[1, 2] || ARRAY[]::int[]
ARRAY['x', NULL, 'a b', '"q"', '']
ARRAY[1.5, 2]
ARRAY[true, false]
'{1,2,3}'::int[]
SELECT * FROM generate_subscripts(ARRAY['a', 'b', 'c'], 1)
SELECT * FROM generate_subscripts(ARRAY['a', 'b', 'c'], 1, true)
SELECT * FROM unnest(ARRAY[1, 2, 3])
SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', 'b', 'c'])
SELECT * FROM unnest(ARRAY['x', 'y']) WITH ORDINALITY

# ---- aggregates ----
SELECT string_agg(v, ',' ORDER BY v DESC) FROM (VALUES ('a'), ('c'), ('b')) t(v)
SELECT array_agg(v ORDER BY v DESC) FROM (VALUES (1), (3), (2)) t(v)
SELECT array_agg(v ORDER BY v NULLS FIRST) FROM (VALUES (1), (NULL), (2)) t(v)
SELECT array_agg(DISTINCT v) FROM (VALUES (2), (1), (2)) t(v)
SELECT bit_and(v), bit_or(v), bit_xor(v) FROM (VALUES (12), (10), (NULL)) t(v)
SELECT bool_and(v), bool_or(v), every(v) FROM (VALUES (true), (false), (NULL)) t(v)
SELECT bool_and(v) FROM (VALUES (NULL::bool)) t(v)
SELECT stddev(v), variance(v) FROM (VALUES (1), (2), (3), (4)) t(v)
SELECT stddev_pop(v), var_pop(v), stddev_samp(v), var_samp(v) FROM (VALUES (1.5), (2.5), (4.0)) t(v)
SELECT stddev(v), variance(v) FROM (VALUES (1::float8), (2), (4)) t(v)
SELECT stddev(v), variance(v) FROM (VALUES (1)) t(v)
SELECT var_pop(v) FROM (VALUES (5)) t(v)
SELECT variance(v) FROM (VALUES (1::bigint), (2), (10)) t(v)
SELECT stddev(v) FROM (VALUES (1::smallint), (2)) t(v)
SELECT corr(y, x), covar_pop(y, x), covar_samp(y, x) FROM (VALUES (1, 2), (2, 4), (3, 7), (4, 8)) t(x, y)
SELECT regr_count(y, x), regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1, 2), (2, 4), (3, 7), (NULL, 8)) t(x, y)
SELECT regr_r2(y, x), regr_avgx(y, x), regr_avgy(y, x), regr_sxx(y, x), regr_syy(y, x), regr_sxy(y, x) FROM (VALUES (1, 2), (2, 4), (3, 7)) t(x, y)
SELECT corr(y, x) FROM (VALUES (1, 2)) t(x, y)
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (1), (2), (3), (4)) t(v)
SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY v) FROM (VALUES (1), (2), (3), (4)) t(v)
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (1), (2), (3), (4)) t(v)
SELECT percentile_disc(0) WITHIN GROUP (ORDER BY v) FROM (VALUES (3), (1), (2)) t(v)
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v DESC) FROM (VALUES (1), (2), (10)) t(v)
SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (1)) t(v)
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (1)) t(v) WHERE false
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES ('b'), ('a'), ('c')) t(v)
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (interval '1 day'), (interval '3 days')) t(v)
SELECT mode() WITHIN GROUP (ORDER BY v) FROM (VALUES (1), (2), (2), (3), (3)) t(v)
SELECT mode() WITHIN GROUP (ORDER BY v) FROM (VALUES ('a'), ('b'), ('b')) t(v)
SELECT count(DISTINCT (a, b)) FROM (VALUES (1, 2), (1, 2), (1, 3)) t(a, b)
SELECT count(DISTINCT a) FROM (VALUES (1, 2), (1, 2), (NULL, 3)) t(a, b)
SELECT min(v), max(v) FROM (VALUES (ARRAY[1, 2]), (ARRAY[1, 3]), (ARRAY[0, 9])) t(v)
SELECT min(v), max(v) FROM (VALUES (interval '1 day'), (interval '23 hours'), (interval '1 month')) t(v)
SELECT sum(v), avg(v) FROM (VALUES (interval '1 day'), (interval '2 hours')) t(v)
SELECT jsonb_agg(v ORDER BY v) FROM (VALUES (1), (NULL), (2)) t(v)
SELECT jsonb_agg(v) FROM (VALUES ('a'), ('b')) t(v) WHERE false
SELECT json_agg(v ORDER BY v DESC) FROM (VALUES ('a'), ('b')) t(v)
SELECT jsonb_object_agg(k, v ORDER BY k) FROM (VALUES ('a', 1), ('b', NULL)) t(k, v)
SELECT jsonb_object_agg(k, v) FROM (VALUES (NULL, 1)) t(k, v)
SELECT json_object_agg(k, v) FROM (VALUES ('b', 1), ('a', 2)) t(k, v)
SELECT jsonb_agg(t ORDER BY a) FROM (VALUES (1, 'x'), (2, 'y')) t(a, b)
SELECT sum(v), avg(v) FROM (VALUES (1.5), (2.25)) t(v)
SELECT avg(v) FROM (VALUES (1), (2)) t(v)
SELECT sum(v) FROM (VALUES (9223372036854775807), (1)) t(v)
SELECT string_agg(v::text, '') FROM generate_series(1, 5) v
SELECT string_agg(v, ', ') FROM (VALUES ('a'), (NULL), ('c')) t(v)
SELECT string_agg(v, ',') FROM (VALUES ('\x01'::bytea), ('\x02'::bytea)) t(v)
