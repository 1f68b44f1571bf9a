import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Binary, DocumentReference } from 'fhir/r4';
import { createTokenVerifier, openDevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger, startHttpServer } from '@dmp/http';
import { openStore } from '@dmp/runtime';
import { parseStorageUrl, type ResourceStore } from '@dmp/storage';
import { createApp, createScopeAccessDecider } from '../app';
import { linkedBinary } from '../domain/binary-link';
import { benchBundle, benchDocument, benchIns, benchSubmissionSet } from './bench-data';

/**
 * `npm run bench:documents`: the documents service over HTTP on a file SQLite store seeded with
 * BENCH_DOCUMENTS documents (default 100 000, BENCH_PATIENTS patients): ITI-65 bundles/s (one
 * 100 KB PDF), ITI-67 patient-scoped searches/s with p50/p99, ITI-68 MB/s for a 1 MB document,
 * and peak RSS while a BENCH_LARGE_MB (default 500) document streams into the blob store and
 * out through ITI-68. Numbers are printed, never asserted.
 */
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 100_000);
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 2_000);
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function seed(store: ResourceStore): Promise<void> {
  const pdf = randomBytes(2048);
  const started = Date.now();
  for (let done = 0; done < DOCUMENTS;) {
    const batch = Math.min(500, DOCUMENTS - done);
    await store.transaction(async (tx) => {
      const info = await tx.blobs.put(pdf, 'application/pdf');
      for (let i = 0; i < batch; i++) {
        const n = done + i;
        const ins = benchIns(n % PATIENTS);
        const binary = await tx.create<Binary>(linkedBinary('application/pdf', info.key));
        const doc = await tx.create<DocumentReference>(
          benchDocument(ins, `Binary/${binary.id ?? ''}`, info, n % 1500),
        );
        await tx.create(benchSubmissionSet(ins, [`DocumentReference/${doc.id ?? ''}`]));
      }
    });
    done += batch;
    if (done % 10_000 === 0)
      process.stdout.write(
        `  seeded ${String(done)} documents (${String(Math.round((Date.now() - started) / 1000))} s)\n`,
      );
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function timed<T>(
  seconds: number,
  work: (i: number) => Promise<T>,
): Promise<{ count: number; elapsed: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    await work(count++);
    latencies.push(performance.now() - t0);
  }
  return {
    count,
    elapsed: (performance.now() - start) / 1000,
    latencies: latencies.sort((a, b) => a - b),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dmp-documents-bench-'));
  const store = await openStore(
    parseStorageUrl(`sqlite:${path.join(dir, 'documents.sqlite')}`),
    SEARCH_PARAMETERS,
  );
  const issuer = await openDevIssuer(dir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const app = createApp({
    store,
    accessDecider: createScopeAccessDecider(),
    authenticate: (header) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics('documents-bench'),
    bodyLimit: '1mb',
    softwareVersion: 'bench',
    maxDocumentBytes: (LARGE_MB + 1) * 1024 * 1024,
  });
  const server = await startHttpServer(app, 0, '127.0.0.1');
  const token = await issuer.sign(
    { sub: 'bench', scope: 'system/*.cruds', extensions: { fr_dmp: { actor_kind: 'system' } } },
    { ttlSeconds: 7200 },
  );
  const headers = { Authorization: `Bearer ${token}` };
  const base = `${server.url}/fhir`;
  try {
    process.stdout.write(
      `Seeding ${String(DOCUMENTS)} documents for ${String(PATIENTS)} patients…\n`,
    );
    await seed(store);

    const pdf = randomBytes(100 * 1024);
    // Warm-up: the first bundle compiles the R4 JSON schema (seconds); not part of the numbers.
    await fetch(base, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify(benchBundle(benchIns(0), pdf)),
    });
    const provide = await timed(SECONDS, async (i) => {
      const res = await fetch(base, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/fhir+json' },
        body: JSON.stringify(benchBundle(benchIns(i % PATIENTS), pdf)),
      });
      if (res.status !== 200) throw new Error(`ITI-65 answered ${String(res.status)}`);
      await res.arrayBuffer();
    });
    process.stdout.write(
      `ITI-65 (100 KB PDF): ${(provide.count / provide.elapsed).toFixed(1)} bundles/s, p50 ${percentile(provide.latencies, 50).toFixed(1)} ms, p99 ${percentile(provide.latencies, 99).toFixed(1)} ms\n`,
    );

    const search = await timed(SECONDS, async (i) => {
      const ins = benchIns((i * 7919) % PATIENTS);
      const res = await fetch(
        `${base}/DocumentReference?patient.identifier=urn:oid:1.2.250.1.213.1.4.8|${ins}&status=current&_count=20`,
        { headers },
      );
      if (res.status !== 200) throw new Error(`ITI-67 answered ${String(res.status)}`);
      await res.arrayBuffer();
    });
    process.stdout.write(
      `ITI-67 (patient-scoped, _count=20): ${(search.count / search.elapsed).toFixed(1)} searches/s, p50 ${percentile(search.latencies, 50).toFixed(2)} ms, p99 ${percentile(search.latencies, 99).toFixed(2)} ms\n`,
    );

    const oneMb = randomBytes(1024 * 1024);
    const created = await fetch(base, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify(benchBundle(benchIns(1), oneMb)),
    });
    const entries = ((await created.json()) as { entry: { response: { location: string } }[] })
      .entry;
    const binaryPath =
      entries
        .map((e) => e.response.location)
        .find((l) => l.startsWith('Binary/'))
        ?.split('/_history')[0] ?? '';
    const retrieve = await timed(SECONDS, async () => {
      const res = await fetch(`${base}/${binaryPath}`, { headers });
      if (res.status !== 200) throw new Error(`ITI-68 answered ${String(res.status)}`);
      await res.arrayBuffer();
    });
    process.stdout.write(
      `ITI-68 (1 MB document): ${(retrieve.count / retrieve.elapsed).toFixed(1)} MB/s (${String(retrieve.count)} retrievals)\n`,
    );

    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const baseline = process.memoryUsage().rss;
    const chunk = randomBytes(1024 * 1024);
    const large = Readable.from(
      (function* () {
        for (let i = 0; i < LARGE_MB; i++) yield chunk;
      })(),
    );
    const t0 = performance.now();
    const info = await store.transaction((tx) => tx.blobs.put(large, 'application/octet-stream'));
    const inSeconds = (performance.now() - t0) / 1000;
    // A Binary is served only as the content of a document the caller may read: its
    // securityContext names that document.
    const binary = await store.create<Binary>(linkedBinary('application/octet-stream', info.key));
    const document = await store.create(
      benchDocument(benchIns(1), `Binary/${binary.id ?? ''}`, info, 0),
    );
    await store.update<Binary>({
      ...binary,
      securityContext: { reference: `DocumentReference/${document.id ?? ''}` },
    });
    const t1 = performance.now();
    const res = await fetch(`${base}/Binary/${binary.id ?? ''}`, { headers });
    if (res.status !== 200) throw new Error(`ITI-68 of the large document answered ${res.status}`);
    let received = 0;
    for await (const part of res.body ?? []) received += (part as Uint8Array).length;
    const outSeconds = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    process.stdout.write(
      `Large document ${String(LARGE_MB)} MB: in ${(LARGE_MB / inSeconds).toFixed(0)} MB/s (blob store stream), out ${(received / 1024 / 1024 / outSeconds).toFixed(0)} MB/s (ITI-68); RSS baseline ${mb(baseline)} MB, peak ${mb(peak)} MB\n`,
    );
  } finally {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
