// Connects with node's pg (settings from PGHOST, PGPORT, PGUSER,
// PGDATABASE), runs the queries of sql/clients_test.go's smokeResult and
// prints the answers as JSON.
'use strict';
const { Client } = require('pg');

async function main() {
  const client = new Client();
  await client.connect();
  const out = {};
  out.version = (await client.query('SELECT version()')).rows[0].version;
  out.tables = (await client.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
  )).rows.map((r) => r.table_name);
  out.columns = (await client.query({
    text: "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
    values: ['accounts'],
    rowMode: 'array',
  })).rows;
  out.rows = (await client.query({
    text: 'SELECT id, owner, balance, tags FROM accounts ORDER BY id',
    rowMode: 'array',
  })).rows;
  out.param = (await client.query({ text: 'SELECT owner FROM accounts WHERE id = $1', values: [2], rowMode: 'array' })).rows[0];
  await client.query('BEGIN');
  out.inserted = (await client.query("INSERT INTO accounts (id, owner) VALUES (3, 'cat')")).rowCount;
  await client.query('COMMIT');
  out.tx_count = parseInt((await client.query('SELECT count(*) AS n FROM accounts')).rows[0].n, 10);
  try {
    await client.query('UPDATE accounts SET balance = -1 WHERE id = 1');
    out.error_code = '';
  } catch (e) {
    out.error_code = e.code;
  }
  out.types = (await client.query({
    text: "SELECT oid, typname, typcategory FROM pg_catalog.pg_type WHERE typname IN ('int4', 'text', '_text') ORDER BY oid",
    rowMode: 'array',
  })).rows;
  out.indexes = (await client.query({
    text: "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1",
    rowMode: 'array',
  })).rows;
  out.deposit = (await client.query({
    text: 'SELECT id, balance FROM deposit($1, $2)', values: [1, '4.50'], rowMode: 'array',
  })).rows;
  out.balance = (await client.query({
    text: 'SELECT * FROM balance_of($1)', values: ['ann'], rowMode: 'array',
  })).rows;
  out.functions = (await client.query({
    text: `SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid)
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 ORDER BY 1`,
    values: ['public'],
    rowMode: 'array',
  })).rows;
  await client.end();
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
