/**
 * `attachment.hash` is the base64 of the raw 20-byte SHA-1 digest. The MHD 4.2.3 examples carry
 * the base64 of the 40-character hex text instead (an erratum of that version): both encodings
 * are accepted when they name the same digest, and the canonical one is stored.
 */
export type HashCheck = { matches: true; canonical: string } | { matches: false };

export function checkAttachmentHash(given: string, actualBase64Sha1: string): HashCheck {
  const actual = Buffer.from(actualBase64Sha1, 'base64');
  const decoded = Buffer.from(given, 'base64');
  if (decoded.length === 20 && decoded.equals(actual)) {
    return { matches: true, canonical: actualBase64Sha1 };
  }
  const text = decoded.toString('latin1');
  if (/^[0-9a-fA-F]{40}$/.test(text) && text.toLowerCase() === actual.toString('hex')) {
    return { matches: true, canonical: actualBase64Sha1 };
  }
  return { matches: false };
}
