import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS, parseSearch } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import type { ResourceStore } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { createApp, parseAccessPolicy } from '../src/app';
import { DMP_PATIENT_CLAIM } from '../src/use-cases/dmp-lifecycle';
import { INVISIBLE_PATIENT_NOTICE } from '../src/use-cases/invisible-patient-notice';
import { INS_SYSTEM, insNumber, patientParameters, patientToken, systemToken } from './harness';

/**
 * Two instances of the consent service on one database (two store handles on one SQLite file,
 * two apps): opening a DMP and the INVISIBLE_PATIENT notice stay once per patient / document
 * when both instances are asked at once, because each takes a unique claim in its transaction
 * (the check-then-create they do first is not enough across instances on MongoDB).
 */
let dir: string;
let issuer: DevIssuer;
const stores: ResourceStore[] = [];
const apps: Express[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dmp-consent-unique-'));
  issuer = await openDevIssuer(dir);
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const policyFile = path.resolve(__dirname, '..', 'config', 'consent-policy.example.json');
  const policy = parseAccessPolicy(JSON.parse(readFileSync(policyFile, 'utf8')));
  for (const name of ['a', 'b']) {
    const store = openSqliteStore({
      file: path.join(dir, 'consent.sqlite'),
      blobDir: path.join(dir, 'blobs'),
      searchParameters: SEARCH_PARAMETERS,
    });
    stores.push(store);
    apps.push(
      createApp({
        store,
        authenticate: (header) => verifier.verify(header),
        logger: silentLogger(),
        metrics: createMetrics(`consent-unique-${name}`),
        bodyLimit: '1mb',
        softwareVersion: '0.0.0-test',
        policy,
      }),
    );
  }
});

afterAll(async () => {
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = () => stores[0] as ResourceStore;
const app = (i: number) => apps[i % 2] as Express;

it('opening one DMP on both instances at once creates one Patient: one 201, the others 200', async () => {
  const ins = insNumber(4242);
  const token = await patientToken(issuer, ins);
  const answers = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) =>
      request(app(i))
        .post('/fhir/Patient/$dmp-open')
        .set('Authorization', `Bearer ${token}`)
        .send(patientParameters(ins)),
    ),
  );
  expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
  expect(new Set(answers.map((r) => r.body.id as string)).size).toBe(1);
  const patients = await store().findByIdentifier('Patient', { system: INS_SYSTEM, value: ins });
  expect(patients).toHaveLength(1);
  // The claim is taken: a create that skipped the lookup would be refused by it.
  expect(
    await store().transaction((tx) => tx.claimUnique(DMP_PATIENT_CLAIM, `${INS_SYSTEM}|${ins}`)),
  ).toBe(false);
});

it('one document reported to both instances at once is notified once', async () => {
  const ins = insNumber(4343);
  await request(app(0))
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${await patientToken(issuer, ins)}`)
    .send(patientParameters(ins))
    .expect(201);
  const system = await systemToken(issuer);
  const document = 'DocumentReference/doc-unique-1';
  const answers = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      request(app(i))
        .post('/access/v1/invisible-patient-notices')
        .set('Authorization', `Bearer ${system}`)
        .send({ patient: { system: INS_SYSTEM, value: ins }, document }),
    ),
  );
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  expect(answers.map((r) => r.body.outcome as string).sort()).toEqual([
    'already-notified',
    'already-notified',
    'already-notified',
    'notified',
  ]);
  const { query } = parseSearch('Communication', new URLSearchParams({ _count: '100' }));
  const sent = (await store().search(query)).resources.filter((c) =>
    JSON.stringify(c).includes(document),
  );
  expect(sent).toHaveLength(1);
  expect(
    await store().transaction((tx) => tx.claimUnique(INVISIBLE_PATIENT_NOTICE, document)),
  ).toBe(false);
});
