/**
 * JSON parsing that lifts a document's base64 out of the text. A 100 KiB document in an ITI-65
 * Bundle arrives as 137 KiB of base64 inside one JSON string: parsed the usual way, the body
 * becomes one large JavaScript string and the document another, both in V8's large-object space,
 * which grows the heap under load for objects that live a few milliseconds. Here, a long string
 * that is the value of a `data` member and is valid base64 is decoded straight from the body's
 * bytes, slice by slice, into one Buffer; only the JSON around it becomes JavaScript strings.
 *
 * The parsed value is the one `JSON.parse` gives, except where the route's `LiftRule` keeps a
 * lifted string lifted: that `data` member then holds a marker and its bytes are read with
 * `liftedBytesOf(holder)`. A lifted string the rule does not keep (say, an attachment inside a
 * FHIR document) is put back as text, so nothing else ever sees a marker.
 */
import { randomBytes } from 'node:crypto';

/** Whether the `data` member of `holder`, at `path` from the root, stays lifted. */
export type LiftRule = (
  holder: Readonly<Record<string, unknown>>,
  path: readonly (string | number)[],
  root: unknown,
) => boolean;

/** Shorter strings cost less parsed than lifted. */
const LIFT_MIN_LENGTH = 16 * 1024;
/** Decoded slice by slice: a multiple of 4, and each slice's text stays a young, small string. */
const SLICE = 48 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

const liftedBytes = new WeakMap<object, Buffer>();

/** The bytes of the `data` member of `holder` when the parser kept them lifted. */
export function liftedBytesOf(holder: object): Buffer | undefined {
  return liftedBytes.get(holder);
}

interface Lifted {
  start: number;
  end: number;
  bytes: Buffer;
}

/**
 * Parses a UTF-8 JSON body (as `JSON.parse` would: it throws a SyntaxError on malformed JSON),
 * lifting the base64 `data` strings `keep` accepts.
 */
export function parseJsonLiftingBase64(body: Buffer, keep: LiftRule): unknown {
  const nonce = randomBytes(12).toString('hex');
  const lifted: Lifted[] = [];
  const parts: Buffer[] = [];
  let copied = 0;
  for (const { start, end } of longDataStrings(body)) {
    const bytes = decodeStrictBase64(bodyRange(body, start, end));
    if (bytes === undefined) continue;
    parts.push(body.subarray(copied, start), Buffer.from(marker(nonce, lifted.length)));
    lifted.push({ start, end, bytes });
    copied = end;
  }
  if (lifted.length === 0) return JSON.parse(body.toString('utf8'));
  parts.push(body.subarray(copied));
  const root: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'));
  settleMarkers(root, nonce, lifted, keep, body);
  return root;
}

function marker(nonce: string, index: number): string {
  return `lifted:${nonce}:${String(index)}`;
}

/**
 * The content ranges of the strings that are the value of a `data` member, long and without
 * escapes. Tokens are found with `indexOf` hops: a quote byte never occurs inside a multi-byte
 * UTF-8 character, and a quote preceded by an odd number of backslashes is inside its string.
 * A string followed by `:` is a member name; one preceded by `:` is the value of the name
 * before it. Malformed JSON may yield ranges: `JSON.parse` then refuses the text they leave.
 */
function* longDataStrings(body: Buffer): Generator<{ start: number; end: number }> {
  let position = 0;
  let dataColon = -1;
  for (;;) {
    const open = body.indexOf(QUOTE, position);
    if (open < 0) return;
    const close = closingQuote(body, open + 1);
    if (close < 0) return;
    const next = significantAfter(body, close + 1);
    if (body[next] === COLON) {
      dataColon =
        close - open === 5 && body.toString('latin1', open + 1, close) === 'data' ? next : -1;
    } else if (
      dataColon >= 0 &&
      significantBefore(body, open - 1) === dataColon &&
      close - open - 1 >= LIFT_MIN_LENGTH &&
      !rangeHas(body, BACKSLASH, open + 1, close)
    ) {
      yield { start: open + 1, end: close };
    }
    position = close + 1;
  }
}

function closingQuote(body: Buffer, from: number): number {
  for (let at = from; ;) {
    const quote = body.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

export function isJsonSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function significantAfter(body: Buffer, from: number): number {
  let at = from;
  while (isJsonSpace(body[at])) at += 1;
  return at;
}

function significantBefore(body: Buffer, from: number): number {
  let at = from;
  while (isJsonSpace(body[at])) at -= 1;
  return at;
}

function rangeHas(body: Buffer, byte: number, start: number, end: number): boolean {
  const found = body.indexOf(byte, start);
  return found >= 0 && found < end;
}

/** Base64 text to decode: a string, or a range of a body's bytes read as Latin-1. */
interface Base64Text {
  readonly length: number;
  indexOf(character: string): number;
  slice(from: number, to: number): string;
}

function bodyRange(body: Buffer, start: number, end: number): Base64Text {
  return {
    length: end - start,
    indexOf: (character) => {
      const found = body.indexOf(character, start, 'latin1');
      return found >= 0 && found < end ? found - start : -1;
    },
    slice: (from, to) => body.toString('latin1', start + from, start + to),
  };
}

/**
 * Strict base64 (RFC 4648 alphabet, padded to a multiple of 4, `=` only at the end) decoded into
 * one buffer, slice by slice; undefined when the text is anything else. Node's decoder skips
 * the characters it does not know, so any of them leaves the buffer short of its exact size; it
 * also takes the URL-safe `-` and `_`, which are looked for. (A regular expression over the text
 * cost as much as the rest of a submission's parse.)
 */
export function decodeStrictBase64(text: Base64Text): Buffer | undefined {
  const { length } = text;
  if (length % 4 !== 0) return undefined;
  const firstEquals = text.indexOf('=');
  const padding = firstEquals < 0 ? 0 : length - firstEquals;
  if (padding > 2 || (padding === 2 && text.slice(length - 1, length) !== '=')) return undefined;
  if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return undefined;
  const bytes = Buffer.allocUnsafe((length / 4) * 3 - padding);
  let written = 0;
  for (let at = 0; at < length; at += SLICE) {
    written += bytes.write(text.slice(at, Math.min(at + SLICE, length)), written, 'base64');
  }
  return written === bytes.length ? bytes : undefined;
}

/**
 * Finds each marker in the parsed value (iteratively: the depth limit is checked later) and
 * either records its bytes for `liftedBytesOf` (the rule keeps it) or puts the text back.
 */
function settleMarkers(
  root: unknown,
  nonce: string,
  lifted: readonly Lifted[],
  keep: LiftRule,
  body: Buffer,
): void {
  const byMarker = new Map(lifted.map((item, index) => [marker(nonce, index), item]));
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => stack.push({ value: item, path: [...path, index] }));
      continue;
    }
    const holder = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(holder)) {
      const found = typeof item === 'string' ? byMarker.get(item) : undefined;
      if (found === undefined) {
        stack.push({ value: item, path: [...path, key] });
      } else if (key === 'data' && keep(holder, path, root)) {
        liftedBytes.set(holder, found.bytes);
      } else {
        holder[key] = body.toString('latin1', found.start, found.end);
      }
    }
  }
}
