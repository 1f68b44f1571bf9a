/**
 * Storage benchmark: load MHD-shaped DocumentReferences into a file SQLite store, then time the
 * ITI-67 search the documents service runs for a care-team doctor (the enforcement point's
 * query: the patient key `dmp-patient`, `status=current`, masked documents excluded, newest
 * first, 20 per page) and a patient reference + type search sorted by -date. Prints the load
 * rate, search latencies, the database size per document and the index rows per document.
 *
 *   npm run bench:storage
 *   BENCH_DOCS=1000000 npm run bench:storage     # patients default to one per 10 documents
 *   BENCH_DOCS=10000 BENCH_PATIENTS=1000 BENCH_SEARCHES=200 npm run bench:storage
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DocumentReference, Practitioner } from 'fhir/r4';
import { SEARCH_PARAMETERS, type SearchQuery } from '@dmp/fhir';
import { createIndexer } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import Database from 'better-sqlite3';
import { machineLoad } from './load';

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
/** One patient per 10 documents unless told: a patient's file stays the same size at any scale. */
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? Math.max(1, Math.round(DOCS / 10)));
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 1000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const KEEP = process.env.BENCH_KEEP === '1';
const SYNCHRONOUS = process.env.BENCH_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL';

const LOINC = 'http://loinc.org';
const INS = 'urn:oid:1.2.250.1.213.1.4.8';
/** Document types, the first ones much more frequent (as in a real DMP). */
const TYPES = ['11488-4', '34133-9', '18842-5', '57833-6', '60591-5', '11506-3', '34794-8'];
const FACILITIES = ['SA01', 'SA02', 'SA05', 'SA07', 'SA29'];
const SETTINGS = ['ETABLISSEMENT', 'AMBULATOIRE', 'DOMICILE'];

/** Deterministic pseudo-random numbers (mulberry32), so two runs load the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
const pick = <T>(list: T[]): T => list[Math.floor(rand() ** 2 * list.length)] as T;

/** 1% of the patients hold about 10% of the documents (chronic care), the rest uniformly. */
function patientOf(): number {
  const heavy = Math.max(1, Math.floor(PATIENTS / 100));
  return rand() < 0.1 ? Math.floor(rand() * heavy) : Math.floor(rand() * PATIENTS);
}

const patientId = (n: number): string => `pat-${String(n).padStart(6, '0')}`;

function buildDocument(n: number): DocumentReference {
  const patient = patientOf();
  const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(rand() * 3650) * 86_400_000);
  const date = day.toISOString().slice(0, 10);
  const author: Practitioner = {
    resourceType: 'Practitioner',
    id: 'author',
    identifier: [
      { system: 'urn:oid:1.2.250.1.71.4.2.1', value: `8${String(n % 5000).padStart(10, '0')}` },
    ],
    name: [
      { family: pick(['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau']), given: ['Claire'] },
    ],
  };
  return {
    resourceType: 'DocumentReference',
    contained: [author],
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:1.2.250.1.999.1.${n}` },
    identifier: [
      {
        system: 'urn:ietf:rfc:3986',
        value: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      },
    ],
    status: rand() < 0.9 ? 'current' : 'superseded',
    type: { coding: [{ system: LOINC, code: pick(TYPES) }] },
    category: [
      {
        coding: [
          {
            system:
              'https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument',
            code: '10',
          },
        ],
      },
    ],
    subject: {
      reference: `Patient/${patientId(patient)}`,
      identifier: { system: INS, value: String(1_800_000_000_000 + patient) },
    },
    date: `${date}T10:00:00+01:00`,
    author: [{ reference: '#author' }],
    securityLabel: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
      },
    ],
    content: [
      {
        attachment: {
          contentType: 'application/pdf',
          language: 'fr-FR',
          url: `Binary/${n}`,
          size: 20_000 + Math.floor(rand() * 500_000),
          hash: '2jmj7l5rSw0yVb/vlWAYkK/YBwk=',
          creation: `${date}T09:30:00+01:00`,
          title: 'Compte rendu',
        },
        format: {
          system: 'https://mos.esante.gouv.fr/NOS/TRE_A11-IheFormatCode/FHIR/TRE-A11-IheFormatCode',
          code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient',
        },
      },
    ],
    context: {
      period: { start: `${date}T08:00:00+01:00`, end: `${date}T18:00:00+01:00` },
      facilityType: {
        coding: [
          {
            system:
              'https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite',
            code: pick(FACILITIES),
          },
        ],
      },
      practiceSetting: {
        coding: [
          {
            system:
              'https://mos.esante.gouv.fr/NOS/TRE_A01-CadreExercice/FHIR/TRE-A01-CadreExercice',
            code: pick(SETTINGS),
          },
        ],
      },
    },
  };
}

/** The query the documents service's enforcement point runs for an ITI-67 of a care-team doctor. */
function iti67For(patient: number, cursor?: string): SearchQuery {
  return {
    resourceType: 'DocumentReference',
    filters: [
      {
        kind: 'token',
        param: 'dmp-patient',
        negate: false,
        anyOf: [{ system: INS, code: String(1_800_000_000_000 + patient) }],
      },
      { kind: 'token', param: 'status', negate: false, anyOf: [{ code: 'current' }] },
      { kind: 'token', param: 'security-label', negate: true, anyOf: [{ code: 'MASQUE_PS' }] },
    ],
    sort: [],
    count: 20,
    total: 'none',
    summaryCount: false,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

function searchFor(patient: number, type: string, cursor?: string): SearchQuery {
  return {
    resourceType: 'DocumentReference',
    filters: [
      { kind: 'reference', param: 'patient', anyOf: [{ type: 'Patient', id: patientId(patient) }] },
      { kind: 'token', param: 'status', negate: false, anyOf: [{ code: 'current' }] },
      { kind: 'token', param: 'type', negate: false, anyOf: [{ system: LOINC, code: type }] },
    ],
    sort: [{ param: 'date', descending: true }],
    count: 20,
    total: 'none',
    summaryCount: false,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN);

const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmp-storage-bench-'));
  const file = path.join(dir, 'bench.sqlite');
  const store = openSqliteStore({
    file,
    blobDir: path.join(dir, 'blobs'),
    searchParameters: SEARCH_PARAMETERS,
    synchronous: SYNCHRONOUS,
  });
  console.log(
    `storage bench: ${DOCS} documents, ${PATIENTS} patients, batches of ${BATCH}, ${SEARCHES} searches, synchronous=${SYNCHRONOUS}`,
  );

  // Built batch by batch: a million documents held at once would not fit the heap.
  const loadStart = performance.now();
  for (let i = 0; i < DOCS; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, DOCS - i) }, (_, k) => buildDocument(i + k));
    await store.transaction(async (tx) => {
      for (const doc of batch) await tx.create(doc);
    });
  }
  const loadMs = performance.now() - loadStart;

  const heavy = Math.max(1, Math.floor(PATIENTS / 100));
  const iti67: number[] = [];
  const iti67Next: number[] = [];
  let iti67Hits = 0;
  for (let i = 0; i < SEARCHES; i += 1) {
    const patient = i % 2 === 0 ? Math.floor(rand() * heavy) : Math.floor(rand() * PATIENTS);
    let t = performance.now();
    const page = await store.search(iti67For(patient));
    iti67.push(performance.now() - t);
    iti67Hits += page.resources.length;
    if (page.nextCursor) {
      t = performance.now();
      await store.search(iti67For(patient, page.nextCursor));
      iti67Next.push(performance.now() - t);
    }
  }
  const first: number[] = [];
  const next: number[] = [];
  let hits = 0;
  for (let i = 0; i < SEARCHES; i += 1) {
    // Half the searches on heavily documented patients, so that next pages exist.
    const patient = i % 2 === 0 ? Math.floor(rand() * heavy) : Math.floor(rand() * PATIENTS);
    const type = TYPES[i % 3] ?? '11488-4';
    let t = performance.now();
    const page = await store.search(searchFor(patient, type));
    first.push(performance.now() - t);
    hits += page.resources.length;
    if (page.nextCursor) {
      t = performance.now();
      await store.search(searchFor(patient, type, page.nextCursor));
      next.push(performance.now() - t);
    }
  }
  // Index extraction alone, on a sample of the same shape (with the id and meta the store adds).
  const indexer = createIndexer(SEARCH_PARAMETERS);
  const sample = Array.from({ length: Math.min(DOCS, 10_000) }, (_, n) => buildDocument(n));
  let entries = 0;
  const extractStart = performance.now();
  for (const [n, doc] of sample.entries()) {
    entries += indexer.extract({
      ...doc,
      id: `id-${n}`,
      meta: { versionId: '1', lastUpdated: '2026-01-01T00:00:00.000Z' },
    }).length;
  }
  const extractMs = ((performance.now() - extractStart) * DOCS) / sample.length;

  for (const list of [iti67, iti67Next, first, next]) list.sort((a, b) => a - b);
  await store.close();
  const counted = new Database(file, { readonly: true });
  const count = (sql: string) => (counted.prepare(sql).get() as { n: number }).n;
  const indexRows = count('SELECT COUNT(*) AS n FROM search_index');
  const resources = count('SELECT COUNT(*) AS n FROM resources');
  counted.close();
  const bytes = fileSize(file) + fileSize(`${file}-wal`) + fileSize(`${file}-shm`);
  const fmt = (n: number) => n.toFixed(2);
  console.log(
    `inserts/s                 ${Math.round(DOCS / (loadMs / 1000))} (${fmt(loadMs / 1000)} s total)`,
  );
  console.log(
    `index extraction          ${fmt(extractMs / 1000)} s = ${fmt((100 * extractMs) / loadMs)}% of load time (${fmt((1000 * extractMs) / DOCS)} µs/doc, ${fmt(entries / sample.length)} entries/doc)`,
  );
  console.log(
    `ITI-67 first page  p50    ${fmt(percentile(iti67, 0.5))} ms   p99 ${fmt(percentile(iti67, 0.99))} ms   (${iti67.length} searches, ${fmt(iti67Hits / iti67.length)} hits avg)`,
  );
  console.log(
    `ITI-67 next page   p50    ${fmt(percentile(iti67Next, 0.5))} ms   p99 ${fmt(percentile(iti67Next, 0.99))} ms   (${iti67Next.length} next pages)`,
  );
  console.log(
    `search first page  p50    ${fmt(percentile(first, 0.5))} ms   p99 ${fmt(percentile(first, 0.99))} ms   (${first.length} searches, ${fmt(hits / first.length)} hits avg)`,
  );
  console.log(
    `search next page   p50    ${fmt(percentile(next, 0.5))} ms   p99 ${fmt(percentile(next, 0.99))} ms   (${next.length} next pages)`,
  );
  console.log(
    `database size             ${fmt(bytes / 1024 / 1024)} MB (db + wal + shm) = ${fmt(bytes / 1024 / DOCS)} KiB per document, ${fmt(indexRows / resources)} index rows per document`,
  );
  console.log(`machine                   ${machineLoad()}`);
  if (KEEP) console.log(`kept: ${file}`);
  else rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
