import type { Resource } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { createIndexer } from '@dmp/storage';
import { buildAuditEvent, buildDocument, buildPatient, INS_SYSTEM } from '@dmp/storage-contract';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { toResourceDoc, toTombstoneDoc, type ResourceDoc } from '../documents';

/**
 * Test support: one SQLite store and the same resources shaped exactly as the Mongo adapter
 * writes them, to compare what each adapter's search selects. The clock is controlled so that
 * `ap` and `_lastUpdated` are the same instants on both sides.
 */
export interface SearchFixtures {
  store: ResourceStore;
  /** Documents by collection (resource type), as the Mongo adapter writes them. */
  collections: Map<string, ResourceDoc[]>;
  now: Date;
  patientIds: { main: string; other: string; linked: string };
  marker: string;
  base: string;
}

export const indexer = createIndexer(SEARCH_PARAMETERS);

export async function seedFixtures(blobDir: string): Promise<SearchFixtures> {
  let time = Date.UTC(2026, 0, 1);
  let frozen = false;
  const now = () => new Date(frozen ? time : (time += 1000));
  const store = openSqliteStore({
    file: ':memory:',
    blobDir,
    searchParameters: SEARCH_PARAMETERS,
    now,
  });
  const stored: Resource[] = [];
  const deleted: Resource[] = [];
  const keep = async <T extends Resource>(resource: T): Promise<T> => {
    const created = await store.create(resource);
    stored.push(created);
    return created;
  };
  const main = 'p-main';
  const other = 'p-other';
  const marker = 'mk50';
  const base = 'https://policy.example.org/base';
  const day = (d: number) => `2024-01-${String(d).padStart(2, '0')}T12:00:00Z`;

  await keep(
    buildDocument({
      patientId: main,
      date: '2024-03-04T23:00:00Z',
      typeCode: '11488-4',
      ins: 'ins-a',
      description: 'b',
    }),
  );
  await keep(
    buildDocument({
      patientId: main,
      date: '2024-03-05T10:00:00+01:00',
      status: 'superseded',
      typeCode: '34133-9',
      description: 'c',
      authorFamily: 'Lefèvre',
      authorGiven: 'Élodie',
    }),
  );
  await keep(
    buildDocument({
      patientId: main,
      date: '2024-03-06T00:00:00Z',
      description: 'a',
      masterIdentifier: 'urn:oid:1.2.3',
    }),
  );
  await keep(
    buildDocument({
      patientId: other,
      period: { start: '2024-01-10', end: '2024-01-20' },
      date: day(3),
    }),
  );
  await keep(buildDocument({ patientId: other, period: { start: '2024-01-15' }, date: day(1) }));
  for (const d of [5, 2, 4])
    await keep(buildDocument({ patientId: other, date: day(d), description: `d${d}` }));
  await keep({
    ...buildDocument(),
    subject: { reference: 'https://other.example.org/fhir/Patient/x1' },
  });
  await keep({ ...buildDocument(), subject: { reference: 'Group/p-main' } });
  const patient = await keep(buildPatient(`Hél${marker}ène`, 'Zoé', 'ins-stored'));
  await keep(buildPatient(`Lefèvre-${marker}-Dupont`, 'Anne'));
  await keep(buildPatient(`${marker}abc`, 'Luc'));
  const linked = patient.id ?? '';
  await keep({
    ...buildDocument({ description: 'linked' }),
    subject: { reference: `Patient/${linked}` },
  });
  await keep(buildAuditEvent(`${base}/consent/v1`));
  await keep(buildAuditEvent(`${base}/other/v2`));
  const gone = await store.create(buildDocument({ patientId: main, description: 'gone' }));
  await store.delete('DocumentReference', gone.id ?? '');
  deleted.push(gone);
  const first = stored[0];
  if (first) {
    const updated = await store.update({ ...first, description: 'b2' });
    stored[0] = updated;
  }
  frozen = true;

  const collections = new Map<string, ResourceDoc[]>();
  const add = (doc: ResourceDoc, type: string) => {
    const list = collections.get(type) ?? [];
    list.push(doc);
    collections.set(type, list);
  };
  for (const resource of stored) {
    add(
      toResourceDoc(resource, indexer.extract(resource), SEARCH_PARAMETERS),
      resource.resourceType,
    );
  }
  for (const resource of deleted) {
    const doc = toResourceDoc(resource, indexer.extract(resource), SEARCH_PARAMETERS);
    add(toTombstoneDoc(doc, doc.v + 1, now().toISOString()), resource.resourceType);
  }
  return {
    store,
    collections,
    now: now(),
    patientIds: { main, other, linked },
    marker,
    base,
  };
}

export { INS_SYSTEM };
