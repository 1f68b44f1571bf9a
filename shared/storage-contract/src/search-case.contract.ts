import type { AuditEvent } from 'fhir/r4';
import type { SearchFilter } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';
import { buildAuditEvent, ids, query, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

/**
 * FHIR compares uris and ids case-sensitively: `:below`/`:above` on a uri and a bare id on a
 * reference parameter without target types match the value as written, never another case.
 */
export function describeSearchCaseContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: case-sensitive uri and id matching`, () => {
    const store = useStore(harness);
    const search = async (filter: SearchFilter) =>
      ids((await store().search(query('AuditEvent', [filter]))).resources);

    it('uri :below and :above compare the uri with its case', async () => {
      const base = `https://Policy.example.org/${randomWord('P')}`;
      const event = await store().create(buildAuditEvent(`${base}/Consent/v1`));
      const uri = (match: 'below' | 'above', value: string): SearchFilter => ({
        kind: 'uri',
        param: 'policy',
        match,
        anyOf: [value],
      });
      expect(await search(uri('below', `${base}/Consent`))).toEqual([event.id]);
      expect(await search(uri('below', `${base}/consent`))).toEqual([]);
      expect(await search(uri('below', `${base}/Consent`.toUpperCase()))).toEqual([]);
      expect(await search(uri('above', `${base}/Consent/v1/part`))).toEqual([event.id]);
      expect(await search(uri('above', `${base}/consent/v1/part`))).toEqual([]);
    });

    it('a bare id on a reference without target types matches the id with its case', async () => {
      const id = `Doc-${randomWord('Ab')}`;
      const event = await store().create<AuditEvent>({
        ...buildAuditEvent('urn:policy'),
        entity: [{ what: { reference: `DocumentReference/${id}` } }],
      });
      const entity = (value: string): SearchFilter => ({
        kind: 'reference',
        param: 'entity',
        anyOf: [{ id: value }],
      });
      expect(await search(entity(id))).toEqual([event.id]);
      expect(await search(entity(id.toLowerCase()))).toEqual([]);
      expect(await search(entity(id.toUpperCase()))).toEqual([]);
    });
  });
}
