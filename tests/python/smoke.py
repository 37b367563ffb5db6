"""psycopg2 against portalsdb (settings from PGHOST, PGPORT, PGUSER,
PGDATABASE): runs the queries of sql/clients_test.go's smokeResult and
prints the answers as JSON."""
import decimal
import json

import psycopg2


def plain(v):
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def main():
    conn = psycopg2.connect("")
    cur = conn.cursor()
    out = {}
    cur.execute("SELECT version()")
    out["version"] = cur.fetchone()[0]
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
    out["tables"] = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position", ("accounts",))
    out["columns"] = plain(cur.fetchall())
    cur.execute("SELECT id, owner, balance, tags FROM accounts ORDER BY id")
    out["rows"] = plain(cur.fetchall())
    cur.execute("SELECT owner FROM accounts WHERE id = %s", (2,))
    out["param"] = plain(cur.fetchone())
    conn.commit()
    cur.execute("INSERT INTO accounts (id, owner) VALUES (3, 'cat')")
    out["inserted"] = cur.rowcount
    conn.commit()
    cur.execute("SELECT count(*) FROM accounts")
    out["tx_count"] = cur.fetchone()[0]
    conn.commit()
    try:
        cur.execute("UPDATE accounts SET balance = -1 WHERE id = 1")
        out["error_code"] = ""
    except psycopg2.Error as e:
        out["error_code"] = e.pgcode
    conn.rollback()
    cur.execute("SELECT oid, typname, typcategory FROM pg_catalog.pg_type "
                "WHERE typname IN ('int4', 'text', '_text') ORDER BY oid")
    out["types"] = plain(cur.fetchall())
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1")
    out["indexes"] = plain(cur.fetchall())
    cur.execute("SELECT id, balance FROM deposit(%s, %s)", (1, decimal.Decimal("4.50")))
    out["deposit"] = plain(cur.fetchall())
    conn.commit()
    cur.execute("SELECT * FROM balance_of(%s)", ("ann",))
    out["balance"] = plain(cur.fetchall())
    cur.execute("SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid) "
                "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = %s ORDER BY 1", ("public",))
    out["functions"] = plain(cur.fetchall())
    conn.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
