import { createHash } from 'node:crypto';
import { checkAttachmentHash } from './hash';

const bytes = Buffer.from('Hello World');
const digest = createHash('sha1').update(bytes).digest();
const canonical = digest.toString('base64');

describe('attachment hash check', () => {
  it('accepts the base64 of the raw digest', () => {
    expect(checkAttachmentHash(canonical, canonical)).toEqual({ matches: true, canonical });
  });

  it('accepts the MHD 4.2.3 erratum (base64 of the hex text) and gives the canonical form', () => {
    const erratum = Buffer.from(digest.toString('hex')).toString('base64');

    expect(checkAttachmentHash(erratum, canonical)).toEqual({ matches: true, canonical });
  });

  it('rejects another digest, the bare hex and the hash of the base64 text', () => {
    const ofBase64 = createHash('sha1').update(bytes.toString('base64')).digest('base64');

    expect(checkAttachmentHash(ofBase64, canonical).matches).toBe(false);
    expect(checkAttachmentHash(digest.toString('hex'), canonical).matches).toBe(false);
  });
});
