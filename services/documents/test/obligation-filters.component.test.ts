import type { DocumentReference } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { obligationFilters } from '../src/domain/obligation-filters';

function doc(id: string, labels: string[], date: string, category: string): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    description: id,
    status: 'current',
    date,
    content: [{ attachment: { contentType: 'text/plain' } }],
    category: [{ coding: [{ code: category }] }],
    type: { coding: [{ code: `type-${category}` }] },
    securityLabel: labels.map((code) => ({ coding: [{ code }] })),
  };
}

let store: ResourceStore;
beforeAll(async () => {
  store = openSqliteStore({
    file: ':memory:',
    blobDir: '/tmp',
    searchParameters: SEARCH_PARAMETERS,
  });
  await store.create(doc('plain', [], '2026-01-01T00:00:00Z', '11'));
  await store.create(doc('masked', ['MASQUE_PS'], '2026-01-01T00:00:00Z', '11'));
  await store.create(doc('young', ['INVISIBLE_PATIENT'], '2026-06-01T00:00:00Z', '11'));
  await store.create(doc('old', ['INVISIBLE_PATIENT'], '2025-01-01T00:00:00Z', '90'));
});
afterAll(() => store.close());

async function visible(filters: ReturnType<typeof obligationFilters>): Promise<string[]> {
  const page = await store.search<DocumentReference>({
    resourceType: 'DocumentReference',
    filters,
    sort: [{ param: '_id', descending: false }],
    count: 100,
    total: 'accurate',
    summaryCount: false,
  });
  expect(page.total).toBe(page.resources.length);
  return page.resources.map((r) => r.description ?? '').sort();
}

describe('consent obligations as search predicates', () => {
  it('leaves out masked documents, with a true total', async () => {
    const filters = obligationFilters({
      exclude_labels: ['MASQUE_PS'],
      notify_patient: false,
      audit_as: 'normal',
    });

    expect(await visible(filters)).toEqual(['old', 'plain', 'young']);
  });

  it('shows the patient INVISIBLE_PATIENT documents only once older than the cut-off', async () => {
    const filters = obligationFilters({
      exclude_labels: ['INVISIBLE_PATIENT'],
      invisible_patient_cutoff: '2026-03-01T00:00:00.000Z',
      notify_patient: false,
      audit_as: 'normal',
    });

    expect(await visible(filters)).toEqual(['masked', 'old', 'plain']);
  });

  it('keeps a document whose class OR type the profession matrix allows', async () => {
    const filters = obligationFilters({
      exclude_labels: [],
      allowed_classes: ['90'],
      allowed_types: ['type-11'],
      notify_patient: false,
      audit_as: 'normal',
    });
    const none = obligationFilters({
      exclude_labels: [],
      allowed_classes: [],
      allowed_types: [],
      notify_patient: false,
      audit_as: 'normal',
    });

    expect(await visible(filters)).toEqual(['masked', 'old', 'plain', 'young']);
    expect(await visible(none)).toEqual([]);
  });
});
