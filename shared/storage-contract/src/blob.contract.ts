import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import type { ResourceStore } from '@dmp/storage';
import { randomId } from './builders';
import { useStore, type ContractHarness } from './harness';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function describeBlobContract(harness: ContractHarness<ResourceStore>): void {
  describe(`${harness.name}: blobs`, () => {
    const store = useStore(harness);

    it('put reports the SHA-1 (base64), SHA-256 (hex) and size node:crypto computes', async () => {
      const bytes = Buffer.from(`%PDF-1.7 ${randomId()}`);
      const info = await store().blobs.put(bytes, 'application/pdf');
      expect(info).toMatchObject({
        sha1: createHash('sha1').update(bytes).digest('base64'),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        contentType: 'application/pdf',
      });
      expect(await store().blobs.stat(info.key)).toEqual(info);
      expect(await readAll(await store().blobs.get(info.key))).toEqual(bytes);
    });

    it('get with a byte range returns exactly the inclusive range', async () => {
      const bytes = randomBytes(1000);
      const { key } = await store().blobs.put(bytes, 'application/octet-stream');
      expect(await readAll(await store().blobs.get(key, { start: 10, end: 19 }))).toEqual(
        bytes.subarray(10, 20),
      );
      expect(await readAll(await store().blobs.get(key, { start: 990, end: 5000 }))).toEqual(
        bytes.subarray(990),
      );
    });

    it('streams more than 1 MiB from a Readable in chunks', async () => {
      const chunks = Array.from({ length: 20 }, () => randomBytes(64 * 1024 + 7));
      const whole = Buffer.concat(chunks);
      const info = await store().blobs.put(ReadableStream.from(chunks), 'application/pdf');
      expect(info.size).toBe(whole.length);
      expect(info.size).toBeGreaterThan(1024 * 1024);
      expect(info.sha256).toBe(createHash('sha256').update(whole).digest('hex'));
      expect((await readAll(await store().blobs.get(info.key))).equals(whole)).toBe(true);
    });

    it('the same bytes stored twice give the same key', async () => {
      const bytes = Buffer.from(randomId());
      const a = await store().blobs.put(bytes, 'text/plain');
      const b = await store().blobs.put(bytes, 'text/plain');
      expect(b.key).toBe(a.key);
    });

    it('an unknown key is a 404 and stat answers undefined', async () => {
      const key = createHash('sha256').update(randomId()).digest('hex');
      expect(await store().blobs.stat(key)).toBeUndefined();
      await expect(store().blobs.get(key)).rejects.toMatchObject({
        status: 404,
        code: 'DMP-RESOURCE-NOT-FOUND',
      });
    });
  });
}
