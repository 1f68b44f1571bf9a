import type { DocumentReference } from 'fhir/r4';
import type { ResourceStore } from '@dmp/storage';
import { buildDocument, buildPatient, INS_SYSTEM, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeConditionalContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: findByIdentifier (conditional operations)`, () => {
    const store = useStore(harness);

    it('finds nothing, one, or several current resources carrying the identifier', async () => {
      const value = `urn:oid:1.2.250.1.999.${randomWord('')}`;
      const identifier = { system: 'urn:ietf:rfc:3986', value };
      expect(await store().findByIdentifier('DocumentReference', identifier)).toEqual([]);
      const first = await store().create(buildDocument({ masterIdentifier: value }));
      const one = await store().findByIdentifier<DocumentReference>(
        'DocumentReference',
        identifier,
      );
      expect(one.map((d) => d.id)).toEqual([first.id]);
      await store().create(buildDocument({ masterIdentifier: value }));
      expect(await store().findByIdentifier('DocumentReference', identifier)).toHaveLength(2);
    });

    it('compares system and value exactly and ignores deleted resources', async () => {
      const ins = randomWord('ins');
      const patient = await store().create(buildPatient('Durand', 'Marie', ins));
      expect(
        await store().findByIdentifier('Patient', { system: 'urn:other', value: ins }),
      ).toEqual([]);
      expect(
        await store().findByIdentifier('Patient', { system: INS_SYSTEM, value: ins.toUpperCase() }),
      ).toEqual([]);
      expect(await store().findByIdentifier('Patient', { system: INS_SYSTEM, value: ins })).toEqual(
        [patient],
      );
      await store().delete('Patient', patient.id ?? '');
      expect(await store().findByIdentifier('Patient', { system: INS_SYSTEM, value: ins })).toEqual(
        [],
      );
    });
  });
}
