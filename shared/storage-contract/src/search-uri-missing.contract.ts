import type { ResourceStore } from '@dmp/storage';
import {
  buildAuditEvent,
  buildDocument,
  ids,
  patientFilter,
  query,
  randomId,
  randomWord,
} from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeSearchUriContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: uri search`, () => {
    const store = useStore(harness);

    it('exact, below and above compare the uri as written', async () => {
      const base = `https://policy.example.org/${randomWord('p')}`;
      const event = await store().create(buildAuditEvent(`${base}/consent/v1`));
      const search = async (match: 'exact' | 'below' | 'above', value: string) =>
        ids(
          (
            await store().search(
              query('AuditEvent', [{ kind: 'uri', param: 'policy', match, anyOf: [value] }]),
            )
          ).resources,
        );
      expect(await search('exact', `${base}/consent/v1`)).toEqual([event.id]);
      expect(await search('exact', `${base}/consent`)).toEqual([]);
      expect(await search('below', `${base}/consent`)).toEqual([event.id]);
      expect(await search('above', `${base}/consent/v1/section/2`)).toEqual([event.id]);
      expect(await search('above', `${base}/other`)).toEqual([]);
    });
  });
}

export function describeSearchMissingContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: :missing`, () => {
    const store = useStore(harness);

    it(':missing=true finds resources without the element, :missing=false those with it', async () => {
      const patientId = randomId();
      const described = await store().create(buildDocument({ patientId, description: 'CR' }));
      const bare = await store().create(buildDocument({ patientId }));
      const search = async (missing: boolean) =>
        ids(
          (
            await store().search(
              query('DocumentReference', [
                patientFilter(patientId),
                { kind: 'missing', param: 'description', missing },
              ]),
            )
          ).resources,
        );
      expect(await search(true)).toEqual([bare.id]);
      expect(await search(false)).toEqual([described.id]);
    });
  });
}
