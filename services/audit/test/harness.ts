import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { AuditEvent } from 'fhir/r4';
import { createTokenVerifier, openDevIssuer, type DevIssuer } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createMetrics, silentLogger } from '@dmp/http';
import type { AuditLog, ResourceStore } from '@dmp/storage';
import { openSqliteAuditLog, openSqliteStore } from '@dmp/storage-sqlite';
import { fixtureNames, readFixture } from '@dmp/test-fixtures';
import { Checkpointer, createApp, generateCheckpointKey, type CheckpointKey } from '../src/app';

export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
export const IDNAT_PS = 'urn:oid:1.2.250.1.71.4.2.1';

export interface Harness {
  app: Express;
  log: AuditLog;
  key: CheckpointKey;
  checkpointer: Checkpointer;
  issuer: DevIssuer;
  dir: string;
  /** The audit log file (a real file, so tests can tamper with it). */
  file: string;
  close(): Promise<void>;
}

/** The audit app on a temp-file SQLite audit log, real tokens, checkpoints every `every` events. */
export async function openHarness(name: string, every = 1000): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), `dmp-audit-${name}-`));
  const issuer = await openDevIssuer(dir);
  const store: ResourceStore = openSqliteStore({
    file: ':memory:',
    blobDir: path.join(dir, 'blobs'),
    searchParameters: SEARCH_PARAMETERS,
  });
  const file = path.join(dir, 'audit-log.sqlite');
  const log = openSqliteAuditLog({
    file,
    searchParameters: SEARCH_PARAMETERS,
    synchronous: 'NORMAL',
  });
  const key = generateCheckpointKey();
  const checkpointer = new Checkpointer({ log, key, everyEvents: every });
  const verifier = createTokenVerifier({
    jwks: issuer.jwks,
    issuers: [issuer.issuer],
    audience: 'urn:dmp:services',
  });
  const app = createApp({
    store,
    auditLog: log,
    checkpointer,
    authenticate: (header) => verifier.verify(header),
    logger: silentLogger(),
    metrics: createMetrics(`audit-${name}`),
    bodyLimit: '5mb',
    softwareVersion: '0.0.0-test',
  });
  return {
    app,
    log,
    key,
    checkpointer,
    issuer,
    dir,
    file,
    close: async () => {
      await log.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function auditorToken(issuer: DevIssuer, sub = 'auditor-1'): Promise<string> {
  return issuer.sign({
    sub,
    scope: 'system/AuditEvent.rs',
    extensions: { fr_dmp: { actor_kind: 'auditor' } },
  });
}

/** The documents service's own identity: a client the audit feed trusts. */
export function feederToken(issuer: DevIssuer): Promise<string> {
  return issuer.sign({
    sub: 'dmp-documents',
    client_id: 'dmp-documents',
    scope: 'system/AuditEvent.c',
    extensions: { fr_dmp: { actor_kind: 'system' } },
  });
}

export function patientToken(issuer: DevIssuer, ins: string): Promise<string> {
  return issuer.sign({
    sub: ins,
    scope: 'patient/AuditEvent.rs',
    extensions: {
      ihe_iua: { person_id: { system: INS_SYSTEM, value: ins } },
      fr_dmp: { actor_kind: 'patient' },
    },
  });
}

export function professionalToken(issuer: DevIssuer, idNat: string): Promise<string> {
  return issuer.sign({
    sub: idNat,
    scope: 'user/AuditEvent.rs',
    extensions: {
      ihe_iua: {
        national_provider_identifier: idNat,
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
      },
      fr_dmp: { actor_kind: 'practitioner', attestation: 'care_team' },
    },
  });
}

/** The BALP 1.1.4 AuditEvent examples (`tests/fixtures/balp-1.1.4`). */
export function balpExamples(): AuditEvent[] {
  return auditExamples('balp-1.1.4');
}

/** The MHD 4.2.3 AuditEvent examples (ITI-65/66/67/68/105 audit profiles). */
export function mhdExamples(): AuditEvent[] {
  return auditExamples('mhd-4.2.3');
}

function auditExamples(folder: string): AuditEvent[] {
  return fixtureNames(folder)
    .filter((name) => name.startsWith('AuditEvent-') && name.endsWith('.json'))
    .map((name) => readFixture<AuditEvent>(folder, name));
}

/** A DMP-style event (SPEC D.5) about a patient (INS) by a professional (idNat_PS). */
export function dmpEvent(options: {
  ins: string;
  idNat: string;
  recorded?: string;
  action?: AuditEvent['action'];
  mode?: 'normal' | 'bris_de_glace' | 'centre_15';
  id?: string;
  outcome?: AuditEvent['outcome'];
}): AuditEvent {
  const mode = options.mode ?? 'normal';
  const hl7 =
    mode === 'bris_de_glace' ? ['ETREAT', 'BTG'] : mode === 'centre_15' ? ['ETREAT'] : ['TREAT'];
  return {
    resourceType: 'AuditEvent',
    ...(options.id ? { id: options.id } : {}),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-68' }],
    action: options.action ?? 'R',
    recorded: options.recorded ?? new Date().toISOString(),
    outcome: options.outcome ?? '0',
    agent: [
      {
        type: {
          coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110152' }],
        },
        who: { display: 'LPS client' },
        requestor: false,
        network: { address: '10.0.0.7', type: '2' },
      },
      {
        who: {
          type: 'Practitioner',
          identifier: { system: IDNAT_PS, value: options.idNat },
          display: 'Dr Martin',
        },
        name: 'Dr Martin',
        requestor: true,
        role: [
          { coding: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10', display: 'Médecin' }] },
        ],
        purposeOfUse: [
          {
            coding: [
              ...hl7.map((code) => ({
                system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                code,
              })),
              { system: 'urn:oid:1.2.250.1.213.1.1.4.248', code: mode },
            ],
          },
        ],
      },
      {
        who: { type: 'Organization', identifier: { value: '1750000001' }, display: 'CH Test' },
        name: 'CH Test',
        requestor: false,
      },
    ],
    source: { observer: { display: 'DMP documents service' } },
    entity: [
      {
        what: { type: 'Patient', identifier: { system: INS_SYSTEM, value: options.ins } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
      },
      {
        what: { reference: 'DocumentReference/doc-1', display: 'Compte rendu opératoire' },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3' },
      },
    ],
  };
}
