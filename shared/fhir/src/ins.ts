/** INS-NIR, the qualified national health identifier (SPEC B.6). */
export const INS_NIR_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
/** INS-NIA, temporary number given while the NIR is unknown. */
export const INS_NIA_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.9';
/** INS-NIR for test identities. */
export const INS_NIR_TEST_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.10';
/** INS-NIR for demonstration identities. */
export const INS_NIR_DEMO_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.11';

export const INS_SYSTEMS: readonly string[] = [
  INS_NIR_SYSTEM,
  INS_NIA_SYSTEM,
  INS_NIR_TEST_SYSTEM,
  INS_NIR_DEMO_SYSTEM,
];

/** True for the four INS identifier systems (not the obsolete INS-A / INS-C OIDs). */
export function isInsSystem(system: string | undefined): boolean {
  return system !== undefined && INS_SYSTEMS.includes(system);
}

export type InsCheck = { valid: true } | { valid: false; reason: string };

const SHAPE = /^[1278]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/;

/**
 * Checks the format and control key of a matricule INS (NIR or NIA): 13-character body + 2-digit
 * key, key = 97 − (body mod 97), Corsica `2A`/`2B` counted as `19`/`18`. The sex digit is 1/2
 * (NIR) or 7/8 (temporary numbers). A passing key proves nothing about identity (SPEC B.7).
 * Reasons never echo the value.
 */
export function checkIns(value: string): InsCheck {
  if (value.length !== 15) return { valid: false, reason: 'an INS has 15 characters' };
  if (!/^\d{5}(?:\d{2}|2A|2B)\d{8}$/.test(value)) {
    return { valid: false, reason: 'an INS has digits only, except 2A/2B for Corsica' };
  }
  if (!SHAPE.test(value)) return { valid: false, reason: 'the sex digit must be 1, 2, 7 or 8' };
  const department = value.slice(5, 7);
  const corsica = department === '2A' ? '19' : department === '2B' ? '18' : department;
  const body = value.slice(0, 5) + corsica + value.slice(7, 13);
  const key = Number(value.slice(13));
  const expected = 97n - (BigInt(body) % 97n);
  if (key < 1 || key > 97 || BigInt(key) !== expected) {
    return { valid: false, reason: 'the control key does not match' };
  }
  return { valid: true };
}
