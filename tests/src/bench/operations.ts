import { randomFillSync } from 'node:crypto';
/**
 * The operations the product benchmarks drive, each with its Express floor: the same load shape
 * answered by a hello-world (a small JSON, the document's bytes, the same bundle parsed).
 */
import { benchBundle } from '@dmp/documents-service/dist/src/bench/bench-data';
import type { BenchProduct, Seeded } from './bench-product';
import { bearer, call, fhirJson } from './load';

export interface Operation {
  key: 'ITI-67' | 'ITI-68' | 'ITI-65';
  label: string;
  product: () => Promise<number>;
  floorLabel: string;
  floor: () => Promise<number>;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;

/**
 * The PDF with 16 random bytes before its `%%EOF`: each submission stores a new file, as in real
 * life (the same bytes twice share one file, which skips the file's rename and directory sync).
 */
function distinct(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf);
  randomFillSync(copy, Math.max(0, copy.length - 24), Math.min(16, copy.length));
  return copy;
}

export function benchOperations(
  product: BenchProduct,
  seeded: Seeded,
  pdf: Buffer,
  docKb: number,
): Operation[] {
  const get = async (target: string, headers: Record<string, string>) =>
    (await call(target, 'GET', headers)).status;
  const postBundle = async (target: string, token: string | undefined, body: unknown) =>
    (
      await call(
        target,
        'POST',
        { ...fhirJson, ...(token ? bearer(token) : {}), 'content-type': 'application/fhir+json' },
        JSON.stringify(body),
      )
    ).status;
  return [
    {
      key: 'ITI-67',
      label: 'ITI-67 search, one patient',
      product: () =>
        get(seeded.searchUrl(pick(seeded.patients)), { ...fhirJson, ...bearer(seeded.doctor) }),
      floorLabel: 'express GET small JSON',
      floor: () => get(`${product.helloUrl}/hello`, fhirJson),
    },
    {
      key: 'ITI-68',
      label: `ITI-68 read, ${docKb} KiB PDF`,
      product: () => get(pick(seeded.binaries), bearer(seeded.doctor)),
      floorLabel: `express GET ${docKb} KiB bytes`,
      floor: () => get(`${product.helloUrl}/bytes`, {}),
    },
    {
      key: 'ITI-65',
      label: `ITI-65 bundle, ${docKb} KiB PDF`,
      product: () =>
        postBundle(
          `${product.url('documents')}/fhir`,
          seeded.hospital,
          benchBundle(pick(seeded.patients), distinct(pdf)),
        ),
      floorLabel: 'express POST same bundle (parse)',
      floor: () =>
        postBundle(
          `${product.helloUrl}/bundle`,
          undefined,
          benchBundle(pick(seeded.patients), distinct(pdf)),
        ),
    },
  ];
}
