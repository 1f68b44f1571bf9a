import Database from 'better-sqlite3';
import type { IndexEntry } from '@dmp/storage';
import { Connection } from './connection';
import { insertIndexRows, ROWS_PER_INSERT } from './index-rows';

const KINDS: ((n: number) => IndexEntry)[] = [
  (n) => ({ param: 'type', kind: 'token', system: n % 2 ? null : 'urn:s', code: `c${n}` }),
  (n) => ({ param: 'policy', kind: 'uri', value: `urn:p:${n}` }),
  (n) => ({ param: 'name', kind: 'string', folded: `v${n}`, exact: `V${n}` }),
  (n) => ({ param: 'date', kind: 'date', low: `2026-01-0${n % 9}`, high: '2026-02-01' }),
  (n) => ({ param: 'patient', kind: 'reference', ref: `Patient/${n}` }),
];

const entries = (count: number): IndexEntry[] =>
  Array.from({ length: count }, (_, n) =>
    (KINDS[n % KINDS.length] as (n: number) => IndexEntry)(n),
  );

describe('insertIndexRows', () => {
  let db: Database.Database;
  let conn: Connection;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(
      'CREATE TABLE idx (k INTEGER, param TEXT, system TEXT, code TEXT, value_folded TEXT, value_exact TEXT, low TEXT, high TEXT, ref TEXT)',
    );
    conn = new Connection(db);
  });
  afterEach(() => db.close());

  const rows = () => db.prepare('SELECT * FROM idx ORDER BY rowid').all();

  it('writes each entry as one row, in order, across several statements', () => {
    const written = entries(2 * ROWS_PER_INSERT + 3);
    insertIndexRows(conn, 'idx', 'k', 7, written);
    expect(rows()).toHaveLength(written.length);
    expect(rows()[0]).toEqual({
      k: 7,
      param: 'type',
      system: 'urn:s',
      code: 'c0',
      value_folded: null,
      value_exact: null,
      low: null,
      high: null,
      ref: null,
    });
    expect(rows()[2 * ROWS_PER_INSERT + 2]).toMatchObject({
      k: 7,
      param: 'policy',
      code: 'urn:p:66',
    });
    expect(rows()).toContainEqual(
      expect.objectContaining({ param: 'name', value_folded: 'v2', value_exact: 'V2' }),
    );
    expect(rows()).toContainEqual(
      expect.objectContaining({ param: 'date', low: '2026-01-03', high: '2026-02-01' }),
    );
    expect(rows()).toContainEqual(expect.objectContaining({ param: 'patient', ref: 'Patient/4' }));
    expect(rows()).toContainEqual(expect.objectContaining({ param: 'policy', code: 'urn:p:1' }));
  });

  it('writes nothing for no entries', () => {
    insertIndexRows(conn, 'idx', 'k', 1, []);
    expect(rows()).toEqual([]);
  });
});
