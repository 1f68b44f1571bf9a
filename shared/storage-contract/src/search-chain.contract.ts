import type { ResourceStore } from '@dmp/storage';
import { buildDocument, buildPatient, ids, INS_SYSTEM, query, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeSearchChainContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: chained search`, () => {
    const store = useStore(harness);

    it('patient.identifier matches the logical identifier of the subject (INS)', async () => {
      const ins = randomWord('ins');
      const doc = await store().create(buildDocument({ ins }));
      const page = await store().search(
        query('DocumentReference', [
          {
            kind: 'chain',
            param: 'patient',
            targetType: 'Patient',
            target: {
              kind: 'token',
              param: 'identifier',
              negate: false,
              anyOf: [{ system: INS_SYSTEM, code: ins }],
            },
          },
        ]),
      );
      expect(ids(page.resources)).toEqual([doc.id]);
    });

    it('patient.identifier also matches through a stored Patient resource', async () => {
      const ins = randomWord('ins');
      const patient = await store().create(buildPatient('Bernard', 'Paul', ins));
      const doc = await store().create({
        ...buildDocument(),
        subject: { reference: `Patient/${patient.id ?? ''}` },
      });
      const page = await store().search(
        query('DocumentReference', [
          {
            kind: 'chain',
            param: 'patient',
            targetType: 'Patient',
            target: { kind: 'token', param: 'identifier', negate: false, anyOf: [{ code: ins }] },
          },
        ]),
      );
      expect(ids(page.resources)).toEqual([doc.id]);
    });

    it('author.family and author.given match the contained Practitioner', async () => {
      const family = randomWord('fam');
      const doc = await store().create(
        buildDocument({ authorFamily: family, authorGiven: 'Élodie' }),
      );
      const byFamily = await store().search(
        query('DocumentReference', [
          {
            kind: 'chain',
            param: 'author',
            targetType: 'Practitioner',
            target: { kind: 'string', param: 'family', match: 'starts-with', anyOf: [family] },
          },
        ]),
      );
      expect(ids(byFamily.resources)).toEqual([doc.id]);
      const byGiven = await store().search(
        query('DocumentReference', [
          {
            kind: 'chain',
            param: 'author',
            targetType: 'Practitioner',
            target: { kind: 'string', param: 'family', match: 'exact', anyOf: [family] },
          },
          {
            kind: 'chain',
            param: 'author',
            targetType: 'Practitioner',
            target: { kind: 'string', param: 'given', match: 'starts-with', anyOf: ['elo'] },
          },
        ]),
      );
      expect(ids(byGiven.resources)).toEqual([doc.id]);
    });
  });
}
