import type { AuditEvent } from 'fhir/r4';
import type { SearchPage, SearchQuery, SortKey } from '@dmp/fhir';
import type { Indexer } from '@dmp/storage';
import type { Connection } from '../connection';
import { HIGH_SENTINEL, pageLimit, pageOfRows, planKeyset, type SortColumn } from '../search';
import { join, renderFilters, type Fragment, type SearchTables } from '../search-sql';
import { CHAIN_ROW } from './audit-schema';

/** The audit log's tables for the shared search renderer (chains match indexed values only). */
export const AUDIT_TABLES: SearchTables = {
  index: 'audit_index',
  indexByRow: 'audit_index_by_event',
  key: 'seq',
  chainRow: `s.${CHAIN_ROW}`,
};

/**
 * One page of an ITI-81 search. Default order: newest `recorded` first, then newest sequence.
 * Keyset paging on (sort keys, seq): the next page starts strictly after the last row, so events
 * appended between two fetches never cause a repeat or a skip of the events already there.
 */
export function searchAuditEvents(
  conn: Connection,
  indexer: Indexer,
  query: SearchQuery,
  maxCount: number,
  now: Date,
): SearchPage<AuditEvent> {
  const where = join(
    [
      { sql: '1', params: [] },
      renderFilters('AuditEvent', query.filters, indexer, now, AUDIT_TABLES),
    ],
    ' AND ',
  );
  const page: SearchPage<AuditEvent> = { resources: [] };
  if (query.total !== 'none' || query.summaryCount) {
    const row = conn
      .statement(`SELECT COUNT(*) AS n FROM audit_events r WHERE ${where.sql}`)
      .get(...where.params) as { n: number };
    page.total = row.n;
  }
  const count = Math.min(query.count, maxCount);
  if (query.summaryCount || count <= 0) return page;

  const sort = sortColumns(query.sort);
  const { keyNames, select, keyset, order } = planKeyset(sort, query);
  const sql =
    `SELECT id, ${keyNames.join(', ')}, json FROM (SELECT r.seq AS id, r.json AS json, ${select.sql} ` +
    `FROM audit_events r WHERE ${where.sql}) WHERE ${keyset.sql} ORDER BY ${order} ${pageLimit(count)}`;
  const rows = conn
    .statement(sql)
    .all(...select.params, ...where.params, ...keyset.params) as Record<string, string | number>[];
  Object.assign(page, pageOfRows<AuditEvent>(rows, count, query, keyNames));
  return page;
}

function sortColumns(sort: SortKey[]): SortColumn[] {
  if (sort.length === 0) return [{ expr: { sql: 'r.recorded', params: [] }, descending: true }];
  return sort.map((key) => ({ expr: sortExpression(key), descending: key.descending }));
}

function sortExpression(key: SortKey): Fragment {
  if (key.param === 'date') return { sql: 'r.recorded', params: [] };
  if (key.param === '_id') return { sql: 'r.id', params: [] };
  // Events are stamped `meta.lastUpdated` when stored, in sequence order.
  if (key.param === '_lastUpdated') return { sql: "printf('%020d', r.seq)", params: [] };
  const column = key.descending
    ? 'MAX(COALESCE(s.high, s.value_folded, s.code))'
    : 'MIN(COALESCE(s.low, s.value_folded, s.code))';
  return {
    sql: `COALESCE((SELECT ${column} FROM audit_index s INDEXED BY audit_index_by_event WHERE s.seq = r.seq AND s.param = ?), ?)`,
    params: [key.param, key.descending ? '' : HIGH_SENTINEL],
  };
}
