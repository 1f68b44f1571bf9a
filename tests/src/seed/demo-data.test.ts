import type { DocumentReference, List } from 'fhir/r4';
import { demoBundle, readDemoSources, stableNaming } from './demo-data';

const INS = '255081416802538';
const OTHER_INS = '275067510000125';

function identifiersOf(bundle: ReturnType<typeof demoBundle>): string[] {
  return (bundle.entry ?? []).flatMap(({ resource }) => {
    if (resource?.resourceType === 'DocumentReference') {
      const document = resource as DocumentReference;
      return [
        document.masterIdentifier?.value ?? '',
        ...(document.identifier ?? []).map((i) => i.value ?? ''),
      ];
    }
    if (resource?.resourceType === 'List')
      return ((resource as List).identifier ?? []).map((i) => i.value ?? '');
    return [];
  });
}

describe('demonstration bundles', () => {
  const sources = readDemoSources();
  const seeded = (ins: string, n: number) =>
    demoBundle(ins, n, { sources, naming: stableNaming(ins, n) });

  it('name a seeded document the same way run after run, so a second run finds it', () => {
    expect(identifiersOf(seeded(INS, 2))).toEqual(identifiersOf(seeded(INS, 2)));
  });

  it('give every seeded document and list its own identifiers, per patient and number', () => {
    const all = [seeded(INS, 0), seeded(INS, 1), seeded(OTHER_INS, 0)].flatMap(identifiersOf);

    expect(
      all.every((value) =>
        /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(
          value,
        ),
      ),
    ).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  it('give a one-off bundle (the walkthrough’s hospital push) new identifiers each time', () => {
    const once = identifiersOf(demoBundle(INS, 0, { sources }));

    expect(identifiersOf(demoBundle(INS, 0, { sources }))).not.toEqual(once);
    expect(once).not.toEqual(identifiersOf(seeded(INS, 0)));
  });

  it('leave the sources as they were read', () => {
    const before = JSON.stringify(sources);

    seeded(INS, 0);

    expect(JSON.stringify(sources)).toBe(before);
  });
});
