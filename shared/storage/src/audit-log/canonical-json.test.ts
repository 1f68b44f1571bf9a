import type { AuditEvent } from 'fhir/r4';
import { canonicalJson } from './canonical-json';
import { ChainVerifier, GENESIS_HASH, hashChained } from './hash-chain';

describe('canonicalJson (RFC 8785 style)', () => {
  it('sorts members by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { z: 0, é: 1, e: 2 } })).toBe(
      '{"A":{"e":2,"z":0,"é":1},"a":[true,null,"x"],"b":1}',
    );
  });

  it('writes numbers and strings as ECMAScript does (the JCS rule)', () => {
    expect(canonicalJson([1e21, 0.1, -0, 10.5, 'a"\u2028\u0001'])).toBe(
      '[1e+21,0.1,0,10.5,"a\\"\u2028\\u0001"]',
    );
  });

  it('quotes strings as JSON.stringify does, whatever UTF-16 code unit they hold', () => {
    for (let unit = 0; unit <= 0xffff; unit += 1) {
      const text = `a${String.fromCharCode(unit)}b`;
      if (canonicalJson(text) !== JSON.stringify(text)) {
        expect(canonicalJson(text)).toBe(JSON.stringify(text));
      }
    }
    const pairAndLone = ['\ud83d\ude00', '\ud83dx', 'x\ude00', '\ude00\ud83d'];
    expect(pairAndLone.map(canonicalJson)).toEqual(pairAndLone.map((s) => JSON.stringify(s)));
  });

  it('gives the same text whatever the member order, and drops undefined members', () => {
    expect(canonicalJson({ x: 1, y: undefined, z: { b: 2, a: 1 } })).toBe(
      canonicalJson({ z: { a: 1, b: 2 }, x: 1 }),
    );
  });

  it('escapes member names as JSON strings, the first time and every time after', () => {
    const value = { 'a"b': 1, '\u0001': 2, ['x'.repeat(100)]: 3 };
    const expected = `{"\\u0001":2,"a\\"b":1,"${'x'.repeat(100)}":3}`;
    expect(canonicalJson(value)).toBe(expected);
    expect(canonicalJson(value)).toBe(expected);
  });

  it('refuses values with no JSON form', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });
});

describe('the hash chain', () => {
  const event = (id: string): AuditEvent => ({
    resourceType: 'AuditEvent',
    id,
    type: { code: 'rest' },
    recorded: '2025-01-01T00:00:00Z',
    agent: [{ requestor: true }],
    source: { observer: { display: 'x' } },
  });
  const chain = ['a', 'b', 'c'].reduce<
    { seq: number; prevHash: string; hash: string; json: string }[]
  >((records, id, i) => {
    const prevHash = records[i - 1]?.hash ?? GENESIS_HASH;
    const e = event(id);
    return [
      ...records,
      { seq: i + 1, prevHash, hash: hashChained(e, i + 1, prevHash), json: JSON.stringify(e) },
    ];
  }, []);

  it('verifies an intact chain whatever the stored member order', () => {
    const verifier = new ChainVerifier();
    const reversed = (json: string) =>
      JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(json) as object).reverse()));
    const reordered = chain.map((r) => ({ ...r, json: reversed(r.json) }));
    expect(reordered.map((r) => verifier.next(r))).toEqual([undefined, undefined, undefined]);
    expect(verifier.head).toEqual({ seq: 3, hash: chain[2]?.hash });
  });

  it('gives an event the hash it was given when first recorded (logs already written verify)', () => {
    const recorded: AuditEvent = {
      resourceType: 'AuditEvent',
      id: 'golden',
      meta: { versionId: '1', lastUpdated: '2025-01-01T00:00:00.000Z' },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'E',
      recorded: '2025-01-01T00:00:00Z',
      outcome: '0',
      agent: [
        {
          who: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810000000042' } },
          requestor: true,
          name: 'Dr Étienne "É" \u2028',
          purposeOfUse: [{ coding: [{ code: 'TREAT' }] }],
        },
      ],
      source: { observer: { display: 'documents' } },
      entity: [
        { what: { reference: 'Patient/p1' }, detail: [{ type: 'x', valueString: 'a\\u0001b' }] },
      ],
      extension: [
        { url: 'u', valueDecimal: 10.5 },
        { url: 'v', valueInteger: -0 },
      ],
    };
    // Computed by the first implementation of the chain: any change of the canonical form breaks it.
    expect(hashChained(recorded, 7, 'a'.repeat(64))).toBe(
      '6789dca42672756e1e82032db51d10d5973dffca4205f748e6294252728769a7',
    );
  });

  it('binds the sequence number and the previous hash into each hash', () => {
    const e = event('a');
    expect(hashChained(e, 1, GENESIS_HASH)).not.toBe(hashChained(e, 2, GENESIS_HASH));
    expect(hashChained(e, 1, GENESIS_HASH)).not.toBe(hashChained(e, 1, 'f'.repeat(64)));
  });

  it.each([
    ['a gap', [chain[0], chain[2]], { seq: 2, reason: 'gap' }],
    ['a repeat', [chain[0], chain[0]], { seq: 1, reason: 'order' }],
    [
      'an edit',
      [{ ...chain[0], json: chain[0]?.json.replace('rest', 'REST') }],
      { seq: 1, reason: 'hash' },
    ],
    [
      'a broken link',
      [chain[0], { ...chain[1], prevHash: GENESIS_HASH }],
      { seq: 2, reason: 'previous-hash' },
    ],
    ['garbage', [{ ...chain[0], json: '{' }], { seq: 1, reason: 'unreadable' }],
  ])('reports %s at the first broken sequence number', (_name, records, expected) => {
    const verifier = new ChainVerifier();
    const breaks = (records as typeof chain).map((r) => verifier.next(r)).filter(Boolean);
    expect(breaks[0]).toEqual(expected);
  });
});
