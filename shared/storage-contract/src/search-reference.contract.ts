import type { ResourceStore } from '@dmp/storage';
import { buildDocument, ids, query, randomId } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeSearchReferenceContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: reference search`, () => {
    const store = useStore(harness);

    it('patient=Type/id and a bare id (typed by the parameter targets) both match', async () => {
      const patientId = randomId();
      const doc = await store().create(buildDocument({ patientId }));
      await store().create(buildDocument());
      const typed = await store().search(
        query('DocumentReference', [
          { kind: 'reference', param: 'patient', anyOf: [{ type: 'Patient', id: patientId }] },
        ]),
      );
      expect(ids(typed.resources)).toEqual([doc.id]);
      const bare = await store().search(
        query('DocumentReference', [
          { kind: 'reference', param: 'subject', anyOf: [{ id: patientId }] },
        ]),
      );
      expect(ids(bare.resources)).toEqual([doc.id]);
    });

    it('a reference to another type does not match patient; OR lists match either', async () => {
      const a = randomId();
      const b = randomId();
      const docA = await store().create(buildDocument({ patientId: a }));
      const docB = await store().create(buildDocument({ patientId: b }));
      const wrongType = await store().search(
        query('DocumentReference', [
          { kind: 'reference', param: 'patient', anyOf: [{ type: 'Group', id: a }] },
        ]),
      );
      expect(wrongType.total).toBe(0);
      const either = await store().search(
        query('DocumentReference', [
          {
            kind: 'reference',
            param: 'patient',
            anyOf: [
              { type: 'Patient', id: a },
              { type: 'Patient', id: b },
            ],
          },
        ]),
      );
      expect(ids(either.resources)).toEqual([docA.id, docB.id].sort());
    });

    it('an absolute reference URL is kept and matched as given', async () => {
      const url = `https://other.example.org/fhir/Patient/${randomId()}`;
      const doc = await store().create({ ...buildDocument(), subject: { reference: url } });
      const page = await store().search(
        query('DocumentReference', [{ kind: 'reference', param: 'subject', anyOf: [{ url }] }]),
      );
      expect(ids(page.resources)).toEqual([doc.id]);
    });
  });
}
