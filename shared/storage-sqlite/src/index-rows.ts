import type { IndexEntry } from '@dmp/storage';
import type { Connection } from './connection';

/**
 * Rows written by one INSERT. A resource or an event has a few dozen index entries; one
 * statement run per row cost a native call, nine bindings and a VDBE start each, which was most
 * of the row's cost. At most this many statements per table are prepared (one per row count);
 * 32 rows bind 288 parameters, far below SQLite's limit.
 */
export const ROWS_PER_INSERT = 32;

const COLUMNS = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * Writes index entries as rows of `table` (the `search_index` columns, keyed by `key` = `keyValue`),
 * in the order given, {@link ROWS_PER_INSERT} rows per statement.
 */
export function insertIndexRows(
  conn: Connection,
  table: string,
  key: string,
  keyValue: number,
  entries: readonly IndexEntry[],
): void {
  for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
    const end = Math.min(entries.length, start + ROWS_PER_INSERT);
    const values: (string | number | null)[] = [];
    for (let i = start; i < end; i += 1) pushRow(values, keyValue, entries[i] as IndexEntry);
    conn.statement(insertSql(table, key, end - start)).run(...values);
  }
}

const SQL = new Map<string, string>();

function insertSql(table: string, key: string, rows: number): string {
  const name = `${table} ${key} ${rows}`;
  let sql = SQL.get(name);
  if (sql === undefined) {
    sql =
      `INSERT INTO ${table} (${key}, param, system, code, value_folded, value_exact, low, high, ref) ` +
      `VALUES ${Array.from({ length: rows }, () => COLUMNS).join(', ')}`;
    SQL.set(name, sql);
  }
  return sql;
}

/** One entry's row: the key, then the `search_index` columns. */
function pushRow(values: (string | number | null)[], key: number, entry: IndexEntry): void {
  switch (entry.kind) {
    case 'token':
      values.push(key, entry.param, entry.system, entry.code, null, null, null, null, null);
      return;
    case 'uri':
      values.push(key, entry.param, null, entry.value, null, null, null, null, null);
      return;
    case 'string':
      values.push(key, entry.param, null, null, entry.folded, entry.exact, null, null, null);
      return;
    case 'date':
      values.push(key, entry.param, null, null, null, null, entry.low, entry.high, null);
      return;
    case 'reference':
      values.push(key, entry.param, null, null, null, null, null, null, entry.ref);
      return;
  }
}
