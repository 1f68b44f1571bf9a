import type { ResourceStore } from '@dmp/storage';
import { foldString } from '@dmp/fhir';
import { buildPatient, ids, query, randomWord } from './builders';
import { useStore, type ContractHarness } from './harness';

export function describeSearchStringContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: string search`, () => {
    const store = useStore(harness);

    it('default search is starts-with, case and accent insensitive', async () => {
      const family = `Hél${randomWord('x')}ène`;
      const patient = await store().create(buildPatient(family, 'Zoé'));
      const prefix = foldString(family.slice(0, 8).toUpperCase());
      const page = await store().search(
        query('Patient', [
          { kind: 'string', param: 'family', match: 'starts-with', anyOf: [prefix] },
        ]),
      );
      expect(ids(page.resources)).toEqual([patient.id]);
    });

    it(':contains finds the value inside; :exact needs the same case and accents', async () => {
      const marker = randomWord('m');
      const family = `Lefèvre-${marker}-Dupont`;
      const patient = await store().create(buildPatient(family, 'Anne'));
      const contains = await store().search(
        query('Patient', [{ kind: 'string', param: 'family', match: 'contains', anyOf: [marker] }]),
      );
      expect(ids(contains.resources)).toEqual([patient.id]);
      const exact = await store().search(
        query('Patient', [{ kind: 'string', param: 'family', match: 'exact', anyOf: [family] }]),
      );
      expect(ids(exact.resources)).toEqual([patient.id]);
      const folded = await store().search(
        query('Patient', [
          { kind: 'string', param: 'family', match: 'exact', anyOf: [foldString(family)] },
        ]),
      );
      expect(folded.total).toBe(0);
    });

    it('LIKE wildcards in the value are matched literally', async () => {
      const marker = randomWord('p');
      await store().create(buildPatient(`${marker}abc`, 'Luc'));
      const percent = await store().search(
        query('Patient', [
          { kind: 'string', param: 'family', match: 'starts-with', anyOf: [`${marker}%`] },
        ]),
      );
      expect(percent.total).toBe(0);
      const underscore = await store().search(
        query('Patient', [
          { kind: 'string', param: 'family', match: 'contains', anyOf: [`${marker}_bc`] },
        ]),
      );
      expect(underscore.total).toBe(0);
    });

    it('name matches family and given parts of HumanName', async () => {
      const given = randomWord('g');
      const patient = await store().create(buildPatient(randomWord('f'), given));
      const page = await store().search(
        query('Patient', [{ kind: 'string', param: 'name', match: 'starts-with', anyOf: [given] }]),
      );
      expect(ids(page.resources)).toEqual([patient.id]);
    });
  });
}
