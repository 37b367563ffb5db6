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
SELECT sum(v), avg(v) FROM (VALUES (1.5), (2.25)) t(v)
SELECT avg(v) FROM (VALUES (1), (2)) t(v)
SELECT sum(v) FROM (VALUES (9223372036854775807), (1)) t(v)
SELECT string_agg(v::text, '') FROM generate_series(1, 5) v
SELECT string_agg(v, ', ') FROM (VALUES ('a'), (NULL), ('c')) t(v)
SELECT string_agg(v, ',') FROM (VALUES ('\x01'::bytea), ('\x02'::bytea)) t(v)

# ---- more edge cases: NULLs, empties, extremes ----
left(NULL, 2)
left('abc', NULL)
lpad(NULL, 3, 'x')
rpad('ab', 5, NULL)
split_part(NULL, ',', 1)
repeat('', 5)
reverse(NULL)
translate('abc', NULL, 'x')
overlay('abc' placing NULL from 1)
initcap('ÉCOLE élève')
initcap('o''neil mc-donald')
chr(1114111) = chr(1114111)
chr(1114112)
ascii(NULL)
to_hex(-2147483648)
to_hex(-9223372036854775807 - 1)
format('%s-%s', 1, 2)
format('%3$s %1$s %2$s', 'a', 'b', 'c')
format('%1$s %s', 'a', 'b')
format('%-10L|', 'x')
format('%*s|', 6, 'ab')
format('%*s|', -6, 'ab')
format('%I', NULL)
format('%', 1)
format(NULL, 1)
format('%s', ARRAY[1, 2])
quote_ident('')
quote_ident('1abc')
quote_ident('_ok')
quote_literal(NULL)
quote_literal('')
regexp_replace('Hello World', '(\w+) (\w+)', '\2 \1')
regexp_replace('abc', 'B', 'x', 'i')
regexp_replace('a.b.c', '.', '-', 'g')
regexp_replace('a.b.c', '\.', '-', 'g')
regexp_replace('abc', 'b', 'x', 'z')
regexp_replace(NULL, 'a', 'b')
regexp_match('abc', '')
regexp_match('x', '(a)|(x)')
regexp_match('foo bar', '\w+$')
regexp_split_to_array('a1b2c3', '\d')
regexp_split_to_array('', ',')
regexp_split_to_array(' a b ', ' ')
'abc' ~ 'B'
'abc' ~* 'B'
'a
b' ~ 'a.b'
'ab' ~ '^(a|b)+$'
'tab	x' ~ '\s'
'x' ~ '[[:digit:]]'
'123' ~ '^[0-9]+$'
'abc' SIMILAR TO NULL
'a_b' SIMILAR TO 'a\_b'
'abcabc' SIMILAR TO '(abc)*'
'' SIMILAR TO ''
'ab' LIKE '_b'
'ab' LIKE '__'
'ab' LIKE '___'
'100%' LIKE '100\%'
'é' LIKE '_'
'AbC' ILIKE '%b%'
'x' NOT LIKE 'x'
string_to_array(NULL, ',')
string_to_array('a,b', ',', 'a')
array_to_string(ARRAY[NULL, NULL]::text[], ',', 'N')
array_to_string(NULL::int[], ',')
encode(''::bytea, 'base64')
encode('\xff'::bytea, 'hex')
decode('', 'hex')
decode('ZGF0YQ', 'base64')
decode('YQ==', 'base64')
encode(decode('a\\b\001', 'escape'), 'hex')
md5(NULL)
sha256('\x00'::bytea)
length(''::bytea)
substring('\x0102'::bytea from 3)
'\x'::bytea || '\x41'::bytea
btrim('\x000100'::bytea, '\x00'::bytea)
convert_to('x', 'nonexistent')

exp(-1::numeric)
exp(0.5)
exp(100::numeric)
exp(1e-20::numeric)
exp(NULL::numeric)
ln(10::numeric)
ln(1e-20)
ln(123456789012345678901234567890::numeric)
ln('NaN'::numeric)
log(1e100)
log(10::numeric, 10::numeric)
log(2::numeric, 0.5)
log(0.5, 2)
sqrt(0.0001)
sqrt(1e100)
sqrt(2.0000)
sqrt('NaN'::numeric)
power(10::numeric, -3)
power(1.1::numeric, 10)
power(4::numeric, 0.5)
power(10::numeric, 20)
power(-1::numeric, 0.5)
power(NULL::numeric, 2)
power(2, NULL)
power(1e-2, 2)
trunc(-0.5)
trunc(123.456::numeric, -5)
round(-123.456::numeric, -1)
round(0.5::numeric)
round(-0.5::numeric)
round(1e-30, 30)
round(12345678901234567890.5)
round(2.5, 0)
round('NaN'::numeric, 2)
ceil(-0.0)
floor(-0.5::float8)
ceil(1e20::numeric)
mod(-7.5, 2)
mod(9223372036854775807, -1)
div(7, -2)
div(-7.5, 2)
gcd(0::numeric, 0::numeric)
gcd(9223372036854775807, 9223372036854775806)
lcm(0, 0)
factorial(1)
factorial(33)
width_bucket(0.5::float8, 0, 1, 2)
width_bucket(1, 0, 1, 2)
width_bucket(-5, 10, 0, 5)
width_bucket('NaN'::float8, 0, 1, 2)
sin('Infinity'::float8)
cos(pi())
tan(0)
asin(-1)
atan2(-0.0, -1)
sind(180)
sind(270)
sind(360)
sind(-90)
cosd(180)
cosd(-60)
tand(-45)
tand(135)
cotd(90)
asind(-0.5)
acosd(-0.5)
acosd(1)
atand(-1)
atan2d(-1, -1)
degrees(-pi())
radians(-90)
scale(-0.000)
scale('NaN'::numeric)
trim_scale(100.00)
trim_scale('NaN'::numeric)
abs(NULL::int)
abs('-Infinity'::float8)
abs('-Infinity'::numeric)
sign(-0.0::float8)
sign('NaN'::numeric)
@ -9223372036854775807
-5 % 3
5 % -3
-5.5 % 2
1 >> 33
1::bigint << 64
-1 >> 1
7 # -1
2 ^ 0.5
(-8) ^ (1.0 / 3)
0 ^ 0
'Infinity'::float8 - 'Infinity'::float8
1 / 0.0
1::float8 / 0
99999999999999999999999999999999999999.9 * 10
-0.0::numeric
0.1::float4 + 0.2::float4
3.0::float8 / 7
1e308::float8 * 10
1e-300::float8 * 1e-300

SET TimeZone = 'America/New_York'
timestamptz '2024-03-10 01:30' + interval '1 hour'
timestamptz '2024-03-10 01:30' + interval '1 day'
timestamptz '2024-11-03 01:30'
timestamptz '2024-03-10 02:30'
timestamptz '2024-11-03 00:30-04' + interval '1 day'
timestamp '2024-11-03 01:30' AT TIME ZONE 'America/New_York'
extract(timezone from timestamptz '2024-07-01 12:00')
extract(timezone_hour from timestamptz '2024-01-01 12:00')
extract(hour from timestamptz '2024-07-01 12:00+00')
date_trunc('day', timestamptz '2024-03-10 12:00')
date_trunc('hour', timestamptz '2024-11-03 01:30-05')
to_char(timestamptz '2024-07-01 12:00+00', 'YYYY-MM-DD HH24:MI TZ OF')
to_char(timestamptz '2024-01-01 12:00+00', 'TZ')
to_timestamp('2024-07-01 12:00', 'YYYY-MM-DD HH24:MI')
make_timestamptz(2024, 7, 1, 12, 0, 0)
timestamp '2024-07-01 12:00' AT TIME ZONE 'UTC'
age(timestamptz '2024-03-11 00:00', timestamptz '2024-03-10 00:00')
current_date - 1 < current_date
now() - interval '1 second' < now()
SET TimeZone = 'UTC'

date '2024-02-28' + interval '1 day'
date '2023-02-28' + interval '1 day'
date '2024-02-29' + interval '1 year'
date '2024-01-31' + interval '2 months'
date '2024-03-31' + interval '-1 month'
timestamp '2024-12-31 23:59:59.999999' + interval '1 microsecond'
timestamp '2000-02-29' + interval '100 years'
date '0001-01-01' - 1
date '2024-01-01' - date '2023-01-01'
timestamp '2024-03-01' - timestamp '2023-03-01'
age(date '2024-02-29', date '2023-02-28')
age(timestamp '2024-05-31', timestamp '2024-04-30')
age(timestamp '2024-01-31', timestamp '2024-02-29')
age(timestamp '2024-01-01 00:00:00.5', timestamp '2024-01-01 00:00:01')
age(NULL::timestamp, timestamp '2024-01-01')
extract(dow from date '2024-02-29')
extract(doy from date '2023-12-31')
extract(week from date '2024-12-30')
extract(isoyear from date '2024-12-30')
extract(year from date '0001-12-31' - 366)
extract(century from date '0001-01-01')
extract(century from date '0001-01-01' - 1)
extract(decade from date '0009-06-01')
extract(millennium from date '2000-12-31')
extract(quarter from timestamp '2024-12-31 23:59')
extract(julian from timestamp '2024-03-05 12:00')
extract(epoch from timestamp 'infinity')
extract(month from timestamp 'infinity')
extract(second from interval '1 minute 30.5 seconds')
extract(day from interval '-3 days')
extract(epoch from interval '-1 year 2 days')
date_part('quarter', date '2024-05-01')
date_part('epoch', interval '1 day')
date_trunc('week', timestamp '2024-01-01 10:00')
date_trunc('week', timestamp '2024-03-10 10:00')
date_trunc('quarter', timestamp '2024-12-31')
date_trunc('century', timestamp '2000-06-01')
date_trunc('millennium', timestamp '2001-06-01')
date_trunc('decade', timestamp '2019-06-01')
date_trunc('second', timestamp '2024-01-01 10:00:05.75')
date_trunc('year', timestamp 'infinity')
date_trunc('minute', interval '1 hour 30 minutes 45 seconds')
date_trunc('year', interval '14 months')
date_trunc('week', interval '10 days')
to_char(timestamp '2024-01-01 00:00:00', 'HH12 AM')
to_char(timestamp '2024-01-01 12:30:00', 'HH12:MI PM')
to_char(timestamp '2024-12-31 00:00:00', 'DDD IDDD IW IYYY')
to_char(timestamp '2021-01-03 00:00:00', 'IYYY-IW-ID')
to_char(timestamp '2024-01-07 00:00:00', 'D Day W WW')
to_char(date '2024-09-15', 'FMMonth FMDDth, YYYY')
to_char(date '2024-05-02', 'FMDD/FMMM')
to_char(timestamp '2024-01-01 08:09:10.5', 'SSSS FF1 FF3')
to_char(timestamp '2024-01-01', 'Mon dy MONTH')
to_char(timestamp '2024-01-01', 'YYYY BC')
to_char(date '2024-01-01', 'CC')
to_char(interval '25 hours', 'HH24:MI')
to_char(interval '2 years 3 mons', 'YY-MM')
to_char(1234.5678, '9999.99')
to_char(-1234.5678, '9999.99')
to_char(0.001, '0.999')
to_char(5, '00')
to_char(-5, '00')
to_char(1, 'FM0000')
to_char(1234, '9,999')
to_char(123, '9,999')
to_char(-1234567, 'FM9,999,999')
to_char(123.5, 'FM999.')
to_char(7, 'FMRN')
to_char(3999, 'RN')
to_char(4000, 'RN')
to_char(1.5::float8, '9.9')
to_char(2.5::float8, '9')
to_char(-2.5::float8, '9')
to_char(1e15::float8, '9999999999999999.99')
to_char(12, '99th')
to_char(11, 'FM99TH')
to_char(1.23456e5, '9.99EEEE')
to_date('2024-02-29', 'YYYY-MM-DD')
to_date('1 January 2024', 'DD Month YYYY')
to_date('2024 060', 'YYYY DDD')
to_date('99-12-31', 'YY-MM-DD')
to_date('2024-00-10', 'YYYY-MM-DD')
to_date('abc', 'YYYY')
to_timestamp('12:30:45 AM', 'HH:MI:SS AM')
to_timestamp('2024-03-05T10:11:12', 'YYYY-MM-DD"T"HH24:MI:SS')
to_timestamp('1700000000', 'J')
to_timestamp(-1)
to_timestamp(NULL::float8)
to_number('1,234,567', '9,999,999')
to_number('-0.5', '9.9')
to_number('12.345', '99.99')
to_number('<12>', '99PR')
make_timestamp(-44, 3, 15, 0, 0, 0)
make_timestamp(2024, 12, 31, 23, 59, 59.999999)
make_interval(0, 0, 2)
make_interval(1, -1)
make_time(0, 0, 0)
make_time(23, 59, 60)
make_date(2024, 13, 1)
make_date(0, 1, 1)
justify_days(interval '0 days')
justify_hours(interval '24 hours')
justify_interval(interval '-1 mon 1 day')
isfinite(timestamptz 'infinity')
isfinite(NULL::date)
timestamptz '2024-06-01 00:00+00' AT TIME ZONE 'Australia/Sydney'
timestamp '2024-06-01 00:00' AT TIME ZONE 'Asia/Kolkata'
timestamptz '2024-06-01 00:00+00' AT TIME ZONE 'EST'
timestamptz '2024-06-01 00:00+00' AT TIME ZONE 'UTC+3'
timestamptz '2024-06-01 00:00+00' AT TIME ZONE interval '05:30'
NULL::timestamp AT TIME ZONE 'UTC'
(timestamp '2024-01-01', interval '1 hour') OVERLAPS (timestamp '2024-01-01 00:59', interval '1 minute')
(timestamp '2024-01-01', NULL::timestamp) OVERLAPS (timestamp '2023-12-31', timestamp '2024-01-02')
(date '2024-01-01', date '2024-01-10') OVERLAPS (date '2024-01-10', date '2024-01-20')
interval '1 day' < interval '25 hours'
interval '-1 day' < interval '0'
interval '1 year' = interval '12 months'
interval '1 mon' * 1.5
interval '3 days' / 2
interval '1 hour' * -1
interval '1 year 1 mon' - interval '13 months'
interval '1.5 hours'
interval '-90 seconds'
interval '1 week'
interval '0.5 months'
time '23:59:59.999999' + interval '1 microsecond'
time '00:00' - interval '1 second'

'{"a": [1, {"b": null}]}'::jsonb #> '{a,1,b}'
'{"a": [1, {"b": null}]}'::jsonb #>> '{a,1,b}'
'{"a": [1, 2]}'::jsonb #> '{a,-1}'
'{"a": [1, 2]}'::jsonb #> '{a,x}'
'[]'::jsonb -> 0
'"str"'::jsonb -> 'a'
NULL::jsonb -> 'a'
'{"a": 1}'::jsonb ->> NULL
'{"a": {"b": 2}}'::jsonb -> 'a' -> 'b'
'{"a": "x\ny"}'::jsonb ->> 'a'
'{"a": "x\ny"}'::jsonb -> 'a'
'{"k": "é\u0041"}'::jsonb
'{"a":1,"b":[true,false,null]}'::jsonb
'[1e1000]'::jsonb
'[-0, -0.0, 1E+2, 1.5e-3]'::jsonb
'{"a": 1}'::json ->> 'a'
'[1, 2]'::json -> 1
'{"a": [1,2]}'::json #> '{a}'
'{"a": {"b":   1}}'::json -> 'a'
'{}'::jsonb @> '{}'
'[1, [2, 3]]'::jsonb @> '[[3]]'
'{"a": {"b": 1, "c": 2}}'::jsonb @> '{"a": {"b": 1}}'
'{"a": [1, 2, 3]}'::jsonb @> '{"a": [3, 1]}'
'"a"'::jsonb @> '"a"'
'1'::jsonb @> '[1]'
'{"a": 1}'::jsonb ? 'a'
'"a"'::jsonb ? 'a'
'{"a": 1, "b": 2}'::jsonb ?| ARRAY[]::text[]
'{"a": 1, "b": 2}'::jsonb ?& ARRAY[]::text[]
'[1, 2]'::jsonb || '{"a": 1}'::jsonb
'1'::jsonb || '2'::jsonb
'{"a": 1}'::jsonb || NULL
'[1, 2, 3]'::jsonb - 5
'"x"'::jsonb - 'x'
'{"a": [1, 2]}'::jsonb #- '{a,0}'
'{"a": [1, 2]}'::jsonb #- '{a,x}'
'[1, 2]'::jsonb #- '{5}'
'{"a": 1}'::jsonb < '{"a": 2}'::jsonb
'[1, 2]'::jsonb < '{"a": 1}'::jsonb
'"b"'::jsonb > '"a"'::jsonb
'null'::jsonb < '1'::jsonb
'true'::jsonb > 'false'::jsonb
'{"a": 1, "b": 1}'::jsonb > '{"c": 0}'::jsonb
jsonb_build_object('a', jsonb_build_array(1, 2), 'b', '{"c": 3}'::jsonb)
jsonb_build_object('a', '{"c": 3}'::json)
jsonb_build_object(1, 2)
jsonb_build_object('t', timestamp '2024-01-01 00:00:00.5')
json_build_object('a', NULL, 'b', '{"x":1}'::json)
json_build_array(NULL, 'a"b', 1.0)
json_build_array()
to_jsonb(ARRAY['a', NULL])
to_jsonb(ARRAY[1.5, 2]::float8[])
to_jsonb('{"a": 1}'::json)
to_jsonb(interval '1 day')
to_jsonb(E'\t')
to_json(ARRAY[true, false])
to_json(12.50)
to_json(NULL::int)
jsonb_typeof(NULL)
jsonb_array_length('[null, null]')
jsonb_array_length('1')
jsonb_extract_path('{"a": [10, 20]}', 'a', '1')
jsonb_extract_path('{"a": [10, 20]}', 'a', '-1')
jsonb_extract_path_text('{"a": null}', 'a')
json_extract_path_text('{"a": {"b": "c"}}', 'a', 'b')
jsonb_set('{"a": [1, 2]}', '{a,0}', '"z"')
jsonb_set('{"a": 1}', '{}', '2')
jsonb_set('1', '{a}', '2')
jsonb_set('{"a": 1}', '{b,c}', '2')
jsonb_set('{"a": 1}', '{a}', 'null')
jsonb_insert('{"a": 1}', '{b}', '2')
jsonb_insert('{"a": 1}', '{a}', '2')
jsonb_insert('[1, 2]', '{-1}', '0')
jsonb_insert('[1, 2]', '{10}', '3')
jsonb_strip_nulls('[null, {"a": null}]')
json_strip_nulls('{"a": null, "b": 1}')
jsonb_pretty('{"a": [], "b": {"c": [1]}}')
jsonb_pretty('"s"')
SELECT key FROM jsonb_each('{}')
SELECT * FROM jsonb_each_text('{"a": [1, "x"], "b": {"c": true}}')
SELECT * FROM json_each_text('{"a": "x", "a": "y"}')
SELECT * FROM json_object_keys('{"b": 1, "a": 2, "b": 3}')
SELECT * FROM jsonb_array_elements('[]')
SELECT * FROM jsonb_array_elements(NULL)
SELECT * FROM json_array_elements_text('["a", null, 2]')
SELECT count(*) FROM jsonb_array_elements('[1, 2, 3]')
SELECT sum(value::int) FROM jsonb_array_elements_text('[1, 2, 3]')
SELECT k, v FROM jsonb_each('{"x": 1, "y": 2}') AS e(k, v) ORDER BY k DESC

array_length(NULL::int[], 1)
array_length(ARRAY[1], NULL)
array_upper(ARRAY[1, 2], 2)
array_lower(ARRAY[]::int[], 1)
array_ndims(ARRAY[]::int[])
array_dims(ARRAY[]::int[])
cardinality(NULL::int[])
array_append(ARRAY[]::int[], 1)
array_prepend(NULL, ARRAY['a'])
array_cat(ARRAY['a'], ARRAY['b', NULL])
array_cat(NULL::int[], NULL::int[])
array_position(ARRAY[1, 2, 3], 2, -5)
array_position(ARRAY[1, 2, 3], 1, 2)
array_position(NULL::int[], 1)
array_positions(ARRAY[NULL, 1, NULL]::int[], NULL)
array_remove(ARRAY['a', 'b'], 'a')
array_remove(ARRAY[]::int[], 1)
array_replace(ARRAY[1, 2], 3, 4)
ARRAY[1, 2] @> ARRAY[]::int[]
ARRAY[]::int[] @> ARRAY[]::int[]
ARRAY[1, 1, 2] <@ ARRAY[1, 2]
ARRAY['a', NULL] && ARRAY[NULL, 'b']
ARRAY[1.0, 2.5] @> ARRAY[2.50]
ARRAY[date '2024-01-01'] && ARRAY[date '2024-01-01']
ARRAY['b'] > ARRAY['a', 'z']
ARRAY[1, 2] || NULL::int[]
NULL::int[] || 3
2 = ANY(ARRAY[1, 2]) AND 3 <> ALL(ARRAY[1, 2])
NULL = ANY(ARRAY[1])
1 < ALL(ARRAY[2, NULL])
'{a,b}'::text[] || 'c'
array_fill(7, ARRAY[3])
array_fill('x'::text, ARRAY[0])
SELECT * FROM generate_subscripts(ARRAY[]::int[], 1)
SELECT * FROM generate_subscripts(ARRAY[1, 2], 2)
SELECT * FROM unnest(ARRAY['a', NULL])
SELECT * FROM unnest(ARRAY[1], NULL::int[])
SELECT * FROM unnest(ARRAY['a', 'b'], ARRAY[true]) AS u(x, y)
SELECT * FROM string_to_table('a b c', ' ')
SELECT * FROM regexp_split_to_table('no-split', ',')
SELECT * FROM regexp_matches('abc', 'x')
SELECT * FROM regexp_matches('a1b2', '([a-z])(\d)', 'g')

SELECT string_agg(DISTINCT v, ',') FROM (VALUES ('b'), ('a'), ('b'), (NULL)) t(v)
SELECT string_agg(v, ',' ORDER BY v NULLS FIRST) FROM (VALUES ('b'), ('a')) t(v)
SELECT array_agg(v) FROM (VALUES (NULL::int), (NULL)) t(v)
SELECT array_agg(v ORDER BY v) FROM (VALUES ('b'), ('a')) t(v) WHERE false
SELECT bit_and(v) FROM (VALUES (NULL::int)) t(v)
SELECT bit_or(v::smallint), bit_xor(v::bigint) FROM (VALUES (1), (2), (3)) t(v)
SELECT bool_or(v) FROM (VALUES (false), (NULL)) t(v)
SELECT every(v > 0) FROM (VALUES (1), (2)) t(v)
SELECT variance(v), stddev(v) FROM (VALUES (1.0), (1.0)) t(v)
SELECT variance(v) FROM (VALUES (NULL::numeric)) t(v)
SELECT var_pop(v), var_samp(v) FROM (VALUES (1e20::numeric), (1), (-1e20)) t(v)
SELECT stddev(v) FROM (VALUES (1::float4), (2), (3), (4), (5)) t(v)
SELECT variance(v) FROM generate_series(1, 100) v
SELECT stddev_pop(v) FROM generate_series(1, 10) v
SELECT avg(v), sum(v) FROM (VALUES (0.1::float8), (0.2), (0.3)) t(v)
SELECT covar_samp(y, x) FROM (VALUES (1, 1)) t(x, y)
SELECT regr_slope(y, x), regr_r2(y, x) FROM (VALUES (1, 5), (1, 6)) t(x, y)
SELECT regr_r2(y, x) FROM (VALUES (1, 5), (2, 5)) t(x, y)
SELECT corr(y, x) FROM (VALUES (1.5::float8, 2), (2.5, 4), (3.5, 5)) t(x, y)
SELECT regr_avgx(y, x), regr_count(y, x) FROM (VALUES (NULL::int, 1)) t(x, y)
SELECT percentile_cont(0) WITHIN GROUP (ORDER BY v), percentile_cont(1) WITHIN GROUP (ORDER BY v) FROM (VALUES (5), (1), (3)) t(v)
SELECT percentile_disc(1) WITHIN GROUP (ORDER BY v) FROM (VALUES (5), (1), (3)) t(v)
SELECT percentile_disc(0.34) WITHIN GROUP (ORDER BY v) FROM generate_series(1, 3) v
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (1), (NULL), (3)) t(v)
SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM (VALUES (1, 1), (1, 2), (2, 10)) t(g, v) GROUP BY g ORDER BY g
SELECT mode() WITHIN GROUP (ORDER BY v DESC) FROM (VALUES (1), (1), (2), (2)) t(v)
SELECT mode() WITHIN GROUP (ORDER BY v) FROM (VALUES (NULL::int)) t(v)
SELECT jsonb_agg(v) FROM (VALUES (1.50), (NULL)) t(v)
SELECT json_agg(v) FROM (VALUES ('{"a": 1}'::json)) t(v)
SELECT jsonb_agg(DISTINCT v) FROM (VALUES (2), (1), (2)) t(v)
SELECT jsonb_object_agg(k, v) FROM (VALUES ('a', 1), ('a', 2)) t(k, v)
SELECT json_object_agg(k, v) FROM (VALUES ('a', 'x')) t(k, v) WHERE false
SELECT min(v), max(v) FROM (VALUES ('b'::text), ('a'), (NULL)) t(v)
SELECT min(v), max(v) FROM (VALUES (date '2024-01-01'), (date '2023-06-30')) t(v)
SELECT min(v), max(v) FROM (VALUES (ARRAY['b']), (ARRAY['a', 'z'])) t(v)
SELECT count(DISTINCT v), count(v), count(*) FROM (VALUES (1), (1), (NULL)) t(v)
SELECT sum(v), avg(v) FROM (VALUES (interval '1 month'), (interval '15 days')) t(v)
SELECT avg(v) FROM (VALUES (interval '1 day'), (interval '1 day'), (interval '1 hour')) t(v)
to_char(0, 'FM999,999.00')
to_char(0, 'FM9.99')
to_char(0.5, 'FM0.9')
to_char(10, 'FM99.90')

# ---- over table columns: the kernels on batches with NULLs in them, not folded constants ----
DROP TABLE IF EXISTS c
CREATE TABLE c (id INT PRIMARY KEY, s TEXT, n NUMERIC, i INT, f FLOAT8, d DATE, ts TIMESTAMP, j JSONB, a INT[], b BYTEA)
INSERT INTO c VALUES (1, 'Hello World', 1.5, 3, 2.25, '2024-02-29', '2024-02-29 13:14:15.5', '{"a": 1, "b": [1,2]}', ARRAY[1,2,3], '\x0102'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, '', 0, 0, 0, '2000-01-01', '2000-01-01 00:00:00', '[]', ARRAY[]::int[], ''), (4, 'ÀbC déf', -12.345, -7, -0.5, '1999-12-31', '1999-12-31 23:59:59.999999', '"str"', ARRAY[NULL, 5], '\xff'), (5, 'a%b_c', 1e10, 2147483647, 1e300, '2024-12-31', '2024-12-31 12:00', '{"k": null}', ARRAY[7], '\x00')
SELECT id, lower(s) FROM c ORDER BY id
SELECT id, upper(s) FROM c ORDER BY id
SELECT id, initcap(s) FROM c ORDER BY id
SELECT id, length(s) FROM c ORDER BY id
SELECT id, substring(s, 2, 3) FROM c ORDER BY id
SELECT id, substring(s from 3) FROM c ORDER BY id
SELECT id, s LIKE '%o%' FROM c ORDER BY id
SELECT id, s ILIKE 'a%' FROM c ORDER BY id
SELECT id, s LIKE 'a\%b%' FROM c ORDER BY id
SELECT id, left(s, 2) FROM c ORDER BY id
SELECT id, right(s, -2) FROM c ORDER BY id
SELECT id, lpad(s, 12, '*') FROM c ORDER BY id
SELECT id, reverse(s) FROM c ORDER BY id
SELECT id, split_part(s, ' ', 2) FROM c ORDER BY id
SELECT id, format('%s|%L|%I', s, s, s) FROM c ORDER BY id
SELECT id, quote_literal(s) FROM c ORDER BY id
SELECT id, regexp_replace(s, '[aeiou]', '_', 'g') FROM c ORDER BY id
SELECT id, s ~ '^[A-Z]' FROM c ORDER BY id
SELECT id, md5(s) FROM c ORDER BY id
SELECT id, to_hex(i) FROM c ORDER BY id
SELECT id, s || i FROM c ORDER BY id
SELECT id, concat(s, i, n) FROM c ORDER BY id
SELECT id, concat_ws('-', s, i, NULL, n) FROM c ORDER BY id
SELECT id, round(n, 1) FROM c ORDER BY id
SELECT id, trunc(n) FROM c ORDER BY id
SELECT id, sqrt(abs(n)) FROM c ORDER BY id
SELECT id, exp(n / 100) FROM c ORDER BY id
SELECT id, ln(abs(n) + 1) FROM c ORDER BY id
SELECT id, power(n, 2) FROM c ORDER BY id
SELECT id, scale(n) FROM c ORDER BY id
SELECT id, n % 2 FROM c ORDER BY id
SELECT id, div(n, 2) FROM c ORDER BY id
SELECT id, abs(i) FROM c ORDER BY id
SELECT id, i << 2 FROM c ORDER BY id
SELECT id, gcd(i, 6) FROM c ORDER BY id
SELECT id, f * 2 FROM c ORDER BY id
SELECT id, round(f) FROM c ORDER BY id
SELECT id, sin(f) FROM c ORDER BY id
SELECT id, sind(f) FROM c ORDER BY id
SELECT id, width_bucket(f, -1, 3, 4) FROM c ORDER BY id
SELECT id, to_char(n, 'FM999,999.00') FROM c ORDER BY id
SELECT id, to_char(i, '0000') FROM c ORDER BY id
SELECT id, to_char(f, '9.99EEEE') FROM c ORDER BY id
SELECT id, extract(epoch from ts) FROM c ORDER BY id
SELECT id, extract(dow from d) FROM c ORDER BY id
SELECT id, date_trunc('month', ts) FROM c ORDER BY id
SELECT id, date_trunc('hour', ts) FROM c ORDER BY id
SELECT id, date_trunc('day', ts) FROM c ORDER BY id
SELECT id, to_char(ts, 'Dy DD Mon YYYY HH12:MI AM') FROM c ORDER BY id
SELECT id, d + interval '1 month' FROM c ORDER BY id
SELECT id, age(ts, timestamp '2000-01-01') FROM c ORDER BY id
SELECT id, ts - interval '36 hours' FROM c ORDER BY id
SELECT id, make_date(extract(year from d)::int, 1, 1) FROM c ORDER BY id
SELECT id, j -> 'a' FROM c ORDER BY id
SELECT id, j ->> 'b' FROM c ORDER BY id
SELECT id, j #> '{b,1}' FROM c ORDER BY id
SELECT id, jsonb_typeof(j) FROM c ORDER BY id
SELECT id, j @> '{"a": 1}' FROM c ORDER BY id
SELECT id, j ? 'k' FROM c ORDER BY id
SELECT id, jsonb_strip_nulls(j) FROM c ORDER BY id
SELECT id, to_jsonb(s) FROM c ORDER BY id
SELECT id, jsonb_build_object('s', s, 'n', n) FROM c ORDER BY id
SELECT id, array_length(a, 1) FROM c ORDER BY id
SELECT id, cardinality(a) FROM c ORDER BY id
SELECT id, array_append(a, 9) FROM c ORDER BY id
SELECT id, a || 0 FROM c ORDER BY id
SELECT id, array_position(a, 5) FROM c ORDER BY id
SELECT id, a @> ARRAY[1] FROM c ORDER BY id
SELECT id, array_to_string(a, ',', '*') FROM c ORDER BY id
SELECT id, encode(b, 'hex') FROM c ORDER BY id
SELECT id, length(b) FROM c ORDER BY id
SELECT id, b || '\x41'::bytea FROM c ORDER BY id
SELECT id, sha256(b) FROM c ORDER BY id
SELECT id, coalesce(s, 'x') SIMILAR TO '%(o|b)%' FROM c ORDER BY id
SELECT id, string_to_array(s, ' ') FROM c ORDER BY id
SELECT id, to_char(n, 'FM999,999.00') FROM c ORDER BY id
SELECT id, s, row_number() OVER (ORDER BY s NULLS FIRST, id) FROM c ORDER BY id
SELECT string_agg(s, ',' ORDER BY id), array_agg(i ORDER BY id), jsonb_agg(j ORDER BY id), max(ts), min(d), sum(n), avg(f) FROM c
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f), mode() WITHIN GROUP (ORDER BY i), stddev(i), corr(f, i) FROM c
SELECT k, count(*) FROM c, jsonb_object_keys('{"x": 1, "y": 2}') AS k GROUP BY k ORDER BY k
DROP TABLE c
