import type { ResourceStore } from '@dmp/storage';
import { buildDocument, ids, LOINC, patientFilter, query, randomId } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeSearchTokenContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: token search`, () => {
    const store = useStore(harness);

    async function seed(patientId: string) {
      const current = await store().create(buildDocument({ patientId, typeCode: '11488-4' }));
      const superseded = await store().create(
        buildDocument({ patientId, status: 'superseded', typeCode: '34133-9' }),
      );
      return { current, superseded };
    }

    it('matches a code with any system, system|code, and ORs comma values', async () => {
      const patientId = randomId();
      const { current, superseded } = await seed(patientId);
      const byCode = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          { kind: 'token', param: 'type', negate: false, anyOf: [{ code: '11488-4' }] },
        ]),
      );
      expect(ids(byCode.resources)).toEqual([current.id]);
      const bySystem = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          {
            kind: 'token',
            param: 'type',
            negate: false,
            anyOf: [{ system: LOINC, code: '34133-9' }],
          },
        ]),
      );
      expect(ids(bySystem.resources)).toEqual([superseded.id]);
      const either = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          {
            kind: 'token',
            param: 'status',
            negate: false,
            anyOf: [{ code: 'current' }, { code: 'superseded' }],
          },
        ]),
      );
      expect(either.total).toBe(2);
    });

    it('a wrong system does not match; system| matches any code of that system', async () => {
      const patientId = randomId();
      await seed(patientId);
      const wrong = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          {
            kind: 'token',
            param: 'type',
            negate: false,
            anyOf: [{ system: 'urn:x', code: '11488-4' }],
          },
        ]),
      );
      expect(wrong.total).toBe(0);
      const anyCode = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          { kind: 'token', param: 'type', negate: false, anyOf: [{ system: LOINC }] },
        ]),
      );
      expect(anyCode.total).toBe(2);
    });

    it('|code matches only values without a system (status has none)', async () => {
      const patientId = randomId();
      await seed(patientId);
      const noSystem = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          {
            kind: 'token',
            param: 'status',
            negate: false,
            anyOf: [{ system: null, code: 'current' }],
          },
        ]),
      );
      expect(noSystem.total).toBe(1);
      const typed = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          {
            kind: 'token',
            param: 'type',
            negate: false,
            anyOf: [{ system: null, code: '11488-4' }],
          },
        ]),
      );
      expect(typed.total).toBe(0);
    });

    it(':not excludes matching resources and keeps those without the element', async () => {
      const patientId = randomId();
      const { superseded } = await seed(patientId);
      const page = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          { kind: 'token', param: 'status', negate: true, anyOf: [{ code: 'current' }] },
        ]),
      );
      expect(ids(page.resources)).toEqual([superseded.id]);
      const noLabel = await store().search(
        query('DocumentReference', [
          patientFilter(patientId),
          { kind: 'token', param: 'security-label', negate: true, anyOf: [{ code: 'R' }] },
        ]),
      );
      expect(noLabel.total).toBe(2);
    });

    it('_id matches the logical id', async () => {
      const patientId = randomId();
      const { current } = await seed(patientId);
      const page = await store().search(
        query('DocumentReference', [
          { kind: 'token', param: '_id', negate: false, anyOf: [{ code: current.id }] },
        ]),
      );
      expect(ids(page.resources)).toEqual([current.id]);
    });
  });
}
