import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compactDecrypt, CompactEncrypt } from 'jose';

/**
 * Sealed cookies: JSON sealed with authenticated encryption (JWE compact, `dir` + `A256GCM`)
 * under keys every console instance shares (`CONSOLE_SESSION_KEYS`), so any instance opens what
 * another sealed and nothing needs to be stored server-side. The browser can neither read nor
 * change a sealed value; a value sealed under another key, altered or cut fails to open.
 */

/** What a sealed value is for: each purpose has its own derived key and `typ`. */
export type SealPurpose = 'session' | 'sign-in';

/** A 32-byte key, base64url without padding: 43 characters. */
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
const ENC = 'A256GCM';

interface DerivedKey {
  kid: string;
  keys: Record<SealPurpose, Uint8Array>;
}

function derive(secret: Buffer): DerivedKey {
  const kid = createHash('sha256')
    .update('dmp-console-session-key-id\0')
    .update(secret)
    .digest('base64url')
    .slice(0, 8);
  const purposeKey = (purpose: SealPurpose) =>
    new Uint8Array(hkdfSync('sha256', secret, '', `dmp-console ${purpose} v1`, 32));
  return { kid, keys: { session: purposeKey('session'), 'sign-in': purposeKey('sign-in') } };
}

/** Parses `CONSOLE_SESSION_KEYS` items; throws naming the bad position, never the key. */
export function parseSessionKeys(items: readonly string[]): Buffer[] {
  return items.map((item, index) => {
    const text = item.trim();
    const key = Buffer.from(text, 'base64url');
    if (!KEY_TEXT.test(text) || key.length !== 32 || key.toString('base64url') !== text) {
      throw new Error(
        `CONSOLE_SESSION_KEYS: key ${index + 1} is not 32 random bytes in base64url (43 characters)`,
      );
    }
    return key;
  });
}

/** A new random key as `CONSOLE_SESSION_KEYS` takes it. */
export function generateSessionKey(): string {
  return randomBytes(32).toString('base64url');
}

function isNodeError(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

/**
 * Development only: the key in `file`, created (mode 0600, atomically: a temp file hard-linked
 * in place, so two processes starting together end up with the same key) on first start.
 */
export async function openDevSessionKey(file: string): Promise<Buffer> {
  const read = async () => {
    try {
      return parseSessionKeys([await readFile(file, 'utf8')])[0];
    } catch (error) {
      if (isNodeError(error, 'ENOENT')) return undefined;
      throw error;
    }
  };
  const existing = await read();
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${generateSessionKey()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    if (!isNodeError(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp);
  }
  const winner = await read();
  if (!winner) throw new Error(`console session key vanished: ${file}`);
  return winner;
}

/**
 * The keys sealing the console's cookies: the configured ones (`CONSOLE_SESSION_KEYS`, the same
 * on every instance), or, when they are not `required` (development), one generated in
 * `devKeyFile` and reused, so that `npm start` needs no configuration.
 */
export async function loadSessionKeys(options: {
  configured: readonly string[] | undefined;
  required: boolean;
  devKeyFile: string;
}): Promise<Buffer[]> {
  if (options.configured && options.configured.length > 0) {
    return parseSessionKeys(options.configured);
  }
  if (options.required) {
    throw new Error(
      'CONSOLE_SESSION_KEYS is required (NODE_ENV=production or AUTH_DEV_ISSUER=false): the same base64url 32-byte key(s) on every console instance',
    );
  }
  return [await openDevSessionKey(options.devKeyFile)];
}

/**
 * Seals and opens values with a key ring: the first key seals, every key opens (rotation: add
 * the new key second everywhere, then move it first, then drop the old one once no cookie sealed
 * with it can still be live). Each key is never used directly: HKDF derives one key per purpose.
 */
export class CookieSealer {
  private readonly ring: DerivedKey[];

  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new Error('at least one session key is needed');
    this.ring = keys.map((key) => {
      if (key.length !== 32) throw new Error('a session key is 32 bytes');
      return derive(Buffer.from(key));
    });
  }

  async seal(purpose: SealPurpose, value: object): Promise<string> {
    const [current] = this.ring as [DerivedKey];
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value)))
      .setProtectedHeader({ alg: 'dir', enc: ENC, kid: current.kid, typ: typOf(purpose) })
      .encrypt(current.keys[purpose]);
  }

  /** The sealed JSON value, or undefined for anything that does not open (never throws). */
  async open(purpose: SealPurpose, sealed: string | undefined): Promise<unknown> {
    if (!sealed) return undefined;
    try {
      const { plaintext } = await compactDecrypt(
        sealed,
        (header) => {
          const entry = this.ring.find((key) => key.kid === header.kid);
          if (!entry || header.typ !== typOf(purpose)) throw new Error('not ours');
          return entry.keys[purpose];
        },
        { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: [ENC] },
      );
      return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
    } catch {
      return undefined;
    }
  }
}

function typOf(purpose: SealPurpose): string {
  return `dmp-console-${purpose}`;
}
