import { randomUUID } from 'node:crypto';
import type { Identifier, Resource } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import type { Indexer } from '@dmp/storage';
import type { Connection } from './connection';
import { notFound } from './driver-errors';
import { insertIndexRows } from './index-rows';
import { LAST_UPDATED } from './search-sql';

/** What the synchronous row operations need: one connection, the indexer and the clock. */
export interface RowContext {
  conn: Connection;
  indexer: Indexer;
  now: () => Date;
}

interface CurrentRow {
  rid: number;
  version: number;
  last_updated: string;
  deleted: number;
  json: string;
}

const SELECT_CURRENT =
  'SELECT rid, version, last_updated, deleted, json FROM resources WHERE type = ? AND id = ?';

export function createRow<T extends Resource>(
  ctx: RowContext,
  resource: T,
  id: string = randomUUID(),
): T {
  const stored = withMeta(resource, id, 1, ctx.now().toISOString());
  const json = JSON.stringify(stored);
  const { lastInsertRowid } = ctx.conn
    .statement(
      'INSERT INTO resources (type, id, version, last_updated, deleted, json) VALUES (?, ?, 1, ?, 0, ?)',
    )
    .run(stored.resourceType, id, stored.meta?.lastUpdated, json);
  writeIndex(ctx, Number(lastInsertRowid), stored);
  return stored;
}

export function readRow<T extends Resource>(ctx: RowContext, type: string, id: string): T {
  const row = ctx.conn.statement(SELECT_CURRENT).get(type, id) as CurrentRow | undefined;
  if (!row) throw notFound(type, id);
  if (row.deleted) throw fhirError('DMP-RESOURCE-GONE', `${type}/${id} has been deleted.`);
  return JSON.parse(row.json) as T;
}

export function vreadRow<T extends Resource>(
  ctx: RowContext,
  type: string,
  id: string,
  versionId: string,
): T {
  const version = Number(versionId);
  const current = ctx.conn.statement(SELECT_CURRENT).get(type, id) as CurrentRow | undefined;
  if (!current) throw notFound(type, id);
  let row: CurrentRow | undefined;
  if (Number.isInteger(version) && String(version) === versionId) {
    row =
      current.version === version
        ? current
        : (ctx.conn
            .statement(
              'SELECT 0 AS rid, version, last_updated, deleted, json FROM resource_versions WHERE type = ? AND id = ? AND version = ?',
            )
            .get(type, id, version) as CurrentRow | undefined);
  }
  if (!row) {
    throw fhirError('DMP-RESOURCE-VERSION-NOT-FOUND', `${type}/${id} has no version ${versionId}.`);
  }
  if (row.deleted) {
    throw fhirError('DMP-RESOURCE-GONE', `${type}/${id} version ${versionId} is a deletion.`);
  }
  return JSON.parse(row.json) as T;
}

export function updateRow<T extends Resource>(
  ctx: RowContext,
  resource: T,
  ifMatch: string | undefined,
): T {
  const type = resource.resourceType;
  const id = resource.id;
  if (id === undefined) throw new TypeError('update needs resource.id');
  const current = lockCurrent(ctx, type, id, ifMatch);
  const stored = withMeta(resource, id, current.version + 1, ctx.now().toISOString());
  archive(ctx, type, id, current);
  ctx.conn
    .statement(
      'UPDATE resources SET version = ?, last_updated = ?, deleted = 0, json = ? WHERE rid = ?',
    )
    .run(current.version + 1, stored.meta?.lastUpdated, JSON.stringify(stored), current.rid);
  ctx.conn.statement('DELETE FROM search_index WHERE rid = ?').run(current.rid);
  writeIndex(ctx, current.rid, stored);
  return stored;
}

export function deleteRow(
  ctx: RowContext,
  type: string,
  id: string,
  ifMatch: string | undefined,
): void {
  const current = lockCurrent(ctx, type, id, ifMatch);
  if (current.deleted) return;
  archive(ctx, type, id, current);
  ctx.conn
    .statement(
      "UPDATE resources SET version = ?, last_updated = ?, deleted = 1, json = '{}' WHERE rid = ?",
    )
    .run(current.version + 1, ctx.now().toISOString(), current.rid);
  ctx.conn.statement('DELETE FROM search_index WHERE rid = ?').run(current.rid);
}

export function historyRows<T extends Resource>(
  ctx: RowContext,
  type: string,
  id: string,
  count: number | undefined,
): T[] {
  const current = ctx.conn.statement(SELECT_CURRENT).get(type, id) as CurrentRow | undefined;
  if (!current) throw notFound(type, id);
  const past = ctx.conn
    .statement(
      'SELECT 0 AS rid, version, last_updated, deleted, json FROM resource_versions WHERE type = ? AND id = ? ORDER BY version DESC',
    )
    .all(type, id) as CurrentRow[];
  const versions = [current, ...past].filter((row) => !row.deleted);
  const limited = count === undefined ? versions : versions.slice(0, Math.max(0, count));
  return limited.map((row) => JSON.parse(row.json) as T);
}

export function findByIdentifierRows<T extends Resource>(
  ctx: RowContext,
  type: string,
  identifier: Identifier,
): T[] {
  const params = ctx.indexer.identifierParameters(type);
  if (params.length === 0 || identifier.value === undefined) return [];
  const system = identifier.system ?? null;
  const rows = ctx.conn
    .statement(
      `SELECT r.json FROM resources r WHERE r.type = ? AND r.deleted = 0 AND r.rid IN (
        SELECT s.rid FROM search_index s WHERE s.param IN (${params.map(() => '?').join(', ')})
        AND s.code = ? AND s.system IS ?) ORDER BY r.id`,
    )
    .all(type, ...params, identifier.value, system) as { json: string }[];
  return rows.map((row) => JSON.parse(row.json) as T);
}

function lockCurrent(
  ctx: RowContext,
  type: string,
  id: string,
  ifMatch: string | undefined,
): CurrentRow {
  const current = ctx.conn.statement(SELECT_CURRENT).get(type, id) as CurrentRow | undefined;
  if (!current) throw notFound(type, id);
  if (ifMatch !== undefined && ifMatch !== String(current.version)) {
    throw fhirError(
      'DMP-RESOURCE-VERSION-CONFLICT',
      `${type}/${id} is at version ${current.version}, not ${ifMatch}.`,
    );
  }
  return current;
}

function archive(ctx: RowContext, type: string, id: string, row: CurrentRow): void {
  ctx.conn
    .statement(
      'INSERT INTO resource_versions (type, id, version, last_updated, deleted, json) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(type, id, row.version, row.last_updated, row.deleted, row.json);
}

function withMeta<T extends Resource>(resource: T, id: string, version: number, now: string): T {
  return {
    ...resource,
    id,
    meta: { ...resource.meta, versionId: String(version), lastUpdated: now },
  };
}

/** Kept in the resource row itself: `id`, and `last_updated` (searched there, see search-sql). */
const ROW_COLUMNS = new Set(['_id', LAST_UPDATED]);

function writeIndex(ctx: RowContext, rid: number, resource: Resource): void {
  const entries = ctx.indexer.extract(resource).filter((entry) => !ROW_COLUMNS.has(entry.param));
  insertIndexRows(ctx.conn, 'search_index', 'rid', rid, entries);
}
