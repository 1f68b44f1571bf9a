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

  it('gives the same text whatever the member order, and drops undefined members', () => {
    expect(canonicalJson({ x: 1, y: undefined, z: { b: 2, a: 1 } })).toBe(
      canonicalJson({ z: { a: 1, b: 2 }, x: 1 }),
    );
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
