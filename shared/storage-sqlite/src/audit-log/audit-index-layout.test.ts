import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent } from 'fhir/r4';
import { parseSearch, SEARCH_PARAMETERS } from '@dmp/fhir';
import { contractEvent, createIndexer } from '@dmp/storage';
import { renderFilters } from '../search-sql';
import { AUDIT_TABLES } from './audit-search';
import { openSqliteAuditLog } from './open-sqlite-audit-log';

const INS = 'urn:oid:1.2.250.1.213.1.4.8';

/** An event naming its patient by identifier only (a logical reference), as documents does. */
function patientEvent(n: number): AuditEvent {
  return {
    ...contractEvent(n),
    entity: [{ what: { type: 'Patient', identifier: { system: INS, value: `ins-${n}` } } }],
  };
}

const indexNames = (db: Database.Database) =>
  (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_index'")
      .all() as { name: string }[]
  )
    .map((row) => row.name)
    .sort();

describe('the SQLite audit index layout', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-audit-index-'));
    file = path.join(dir, 'audit.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const search = async (log: ReturnType<typeof openSqliteAuditLog>, query: string) =>
    (await log.search(parseSearch('AuditEvent', new URLSearchParams(query)).query)).resources.map(
      (event) => event.id,
    );

  it('stores no rows for params no search reads; the entity.identifier alias still finds the event', async () => {
    const log = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    try {
      await log.append([patientEvent(1), patientEvent(2)]);
      const db = new Database(file, { readonly: true });
      const params = (
        db.prepare('SELECT DISTINCT param FROM audit_index').all() as {
          param: string;
        }[]
      ).map((row) => row.param);
      db.close();
      expect(params).toEqual(expect.arrayContaining(['entity-id', 'patient.identifier']));
      expect(params).not.toContain('entity.identifier');
      expect(await search(log, `entity.identifier=${INS}|ins-2`)).toEqual(['e-2']);
      expect(await search(log, `patient.identifier=${INS}|ins-1`)).toEqual(['e-1']);
    } finally {
      await log.close();
    }
  });

  it('reads a chain through the chain-only value index', async () => {
    const log = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    await log.append([patientEvent(1)]);
    await log.close();
    const { query } = parseSearch(
      'AuditEvent',
      new URLSearchParams(`patient.identifier=${INS}|ins-1`),
    );
    const where = renderFilters(
      'AuditEvent',
      query.filters,
      createIndexer(SEARCH_PARAMETERS),
      new Date(),
      AUDIT_TABLES,
    );
    const db = new Database(file, { readonly: true });
    try {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT r.seq FROM audit_events r WHERE ${where.sql}`)
        .all(...where.params) as { detail: string }[];
      expect(plan.map((step) => step.detail).join('\n')).toMatch(
        /USING COVERING INDEX audit_index_chain_by_code/,
      );
    } finally {
      db.close();
    }
  });

  it('upgrades a file of the earlier layout (value indexes over every row) in place', async () => {
    const first = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    await first.append([patientEvent(1)]);
    await first.close();
    const db = new Database(file);
    db.exec(`
      DROP INDEX audit_index_chain_by_code;
      DROP INDEX audit_index_chain_by_string;
      DROP INDEX audit_index_chain_by_date;
      CREATE INDEX audit_index_by_code ON audit_index (param, code, system, seq) WHERE code IS NOT NULL;
      CREATE INDEX audit_index_by_string ON audit_index (param, value_folded, seq) WHERE value_folded IS NOT NULL;
      CREATE INDEX audit_index_by_date ON audit_index (param, low, high, seq) WHERE low IS NOT NULL;
    `);
    db.close();

    const log = openSqliteAuditLog({ file, searchParameters: SEARCH_PARAMETERS });
    try {
      await log.append([patientEvent(2)]);
      expect(await search(log, `patient.identifier=${INS}|ins-1,${INS}|ins-2`)).toEqual([
        'e-2',
        'e-1',
      ]);
      expect(await log.verify()).toMatchObject({ ok: true, verified: 2 });
    } finally {
      await log.close();
    }
    const upgraded = new Database(file, { readonly: true });
    expect(indexNames(upgraded)).toEqual([
      'audit_index_by_event',
      'audit_index_by_ref',
      'audit_index_chain_by_code',
      'audit_index_chain_by_date',
      'audit_index_chain_by_string',
    ]);
    upgraded.close();
  });
});
