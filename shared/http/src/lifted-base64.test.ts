import { randomBytes } from 'node:crypto';
import { liftedBytesOf, parseJsonLiftingBase64, type LiftRule } from './lifted-base64';

const keepAll: LiftRule = () => true;
const keepNone: LiftRule = () => false;
const long = (bytes = 30_000) => randomBytes(bytes).toString('base64');

const parse = (text: string, keep: LiftRule = keepNone) =>
  parseJsonLiftingBase64(Buffer.from(text), keep);

describe('parseJsonLiftingBase64 gives what JSON.parse gives, wherever nothing stays lifted', () => {
  const b64 = long();
  it.each([
    ['a long base64 data member', `{"data":"${b64}"}`],
    ['spaces around the colon', `{"x":1, "data"  :\n "${b64}" }`],
    ['data as a value, not a name', `{"k":"data","x":"${b64}"}`],
    ['an escaped name', `{"d\\u0061ta":"${b64}"}`],
    ['escaped quotes before it', `{"a":"say \\"data\\":","data":"${b64}"}`],
    ['a trailing backslash pair before it', `{"a":"\\\\","data":"${b64}"}`],
    ['data in an array', `{"data":["${b64}"]}`],
    ['an escaped slash inside', `{"data":"${b64.slice(0, -4)}\\/AAA"}`],
    ['duplicate names (the last wins)', `{"data":"${b64}","data":"${long(20_000)}"}`],
    ['nested, with multi-byte text around', `{"é":[{"r":{"data":"${b64}","t":"ünï"}}]}`],
    ['a forged marker', `{"data":"${b64}","m":"lifted:000000000000000000000000:0"}`],
    ['a short data member', `{"data":"QUJD"}`],
  ])('%s', (_name, text) => {
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['a character outside base64', `{"data":"${b64.slice(0, -4)}*AAA"}`],
    ['a space inside', `{"data":"${b64.slice(0, -4)} AAA"}`],
    ['a URL-safe minus', `{"data":"${b64.slice(0, -4)}-AAA"}`],
    ['a URL-safe underscore', `{"data":"${b64.slice(0, 100)}_${b64.slice(101)}"}`],
    ['a character beyond ASCII', `{"data":"${b64.slice(0, -4)}éAA"}`],
    ['a length not a multiple of 4', `{"data":"${b64}A"}`],
    ['padding in the middle', `{"data":"${b64.slice(0, 100)}==${b64.slice(102)}"}`],
    ['three padding characters', `{"data":"${b64.slice(0, -3)}==="}`],
  ])('leaves text that is not strict base64 as text, even where kept: %s', (_name, text) => {
    expect(parse(text, keepAll)).toEqual(JSON.parse(text));
  });

  it.each([
    ['an unterminated object', `{"data":"${long()}"`],
    ['a missing comma after it', `{"data":"${long()}" "x":1}`],
    ['an unterminated string', `{"data":"${long()}`],
    ['a raw control character elsewhere', `{"a":"\u0001","data":"${long()}"}`],
  ])('refuses malformed JSON with a lifted string: %s', (_name, text) => {
    expect(() => parse(text, keepAll)).toThrow(SyntaxError);
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });
});

describe('a data member the rule keeps', () => {
  it('is read as bytes from its holder, and holds no base64 text', () => {
    const content = randomBytes(40_001);
    const text = JSON.stringify({
      resourceType: 'Bundle',
      entry: [{ resource: { resourceType: 'Binary', data: content.toString('base64') } }],
    });

    const parsed = parse(text, keepAll) as { entry: { resource: { data: string } }[] };

    const holder = parsed.entry[0]?.resource ?? { data: '' };
    expect(liftedBytesOf(holder)?.equals(content)).toBe(true);
    expect(typeof holder.data).toBe('string');
    expect(holder.data.length).toBeLessThan(100);
  });

  it('is offered to the rule with its holder, path and root', () => {
    const seen: unknown[] = [];
    const text = `{"entry":[{"resource":{"resourceType":"Binary","data":"${long()}"}}]}`;

    parse(text, (holder, path, root) => {
      seen.push([holder.resourceType, path, (root as { entry: unknown[] }).entry.length]);
      return false;
    });

    expect(seen).toEqual([['Binary', ['entry', 0, 'resource'], 1]]);
  });

  it('is put back as text where the rule refuses it, and only there', () => {
    const kept = long();
    const other = long();
    const text = `{"a":{"data":"${kept}"},"b":{"data":"${other}"}}`;

    const parsed = parse(text, (_holder, path) => path[0] === 'a') as Record<
      string,
      { data: string }
    >;

    expect(liftedBytesOf(parsed.a ?? {})?.toString('base64')).toBe(kept);
    expect(parsed.b?.data).toBe(other);
    expect(liftedBytesOf(parsed.b ?? {})).toBeUndefined();
  });
});
