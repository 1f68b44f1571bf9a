import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import type {
  Bundle,
  DocumentReference,
  Identifier,
  List,
  Organization,
  Parameters as FhirParameters,
  Patient,
  Practitioner,
  PractitionerRole,
} from 'fhir/r4';
import { silentLogger } from '@dmp/http';
import { AUDIT_TOPIC } from '@dmp/documents-service';
import { startAuditShipper, type AuditShipper } from '@dmp/runtime';
import { benchBundle, benchIns } from '../../../services/documents/src/bench/bench-data';
import {
  close,
  INS_SYSTEM,
  listen,
  openWired,
  type Wired,
  type WiredOptions,
} from '../wiring/wired-harness';

/**
 * The world the access-control tests attack: the three real services wired over HTTP (consent
 * decides, documents enforces, audit records what both ship), three patients, and one document
 * of patient A in each state a rule depends on. Every document carries a marker (in its
 * description and in its bytes) so that a test can check that no byte of it leaks.
 */
export const VISIBILITY = 'urn:oid:1.2.250.1.213.1.1.4.13';
export const IDNAT = 'urn:oid:1.2.250.1.71.4.2.1';
const DAY = 86_400_000;

export const INS_A = benchIns(7001);
export const INS_B = benchIns(7002);
/** Patient H hides everything from professionals (C3.6). */
export const INS_H = benchIns(7003);

/** idNat_PS of the professionals, and the establishments. */
export const PS = {
  careTeam: '810000007001',
  authorized: '810000007002',
  blocked: '810000007003',
  stranger: '810000007004',
  author: '810000007005',
  attending: '810000007006',
  emergency: '810000007007',
  regulator: '810000007008',
  otherAuthor: '810000007009',
} as const;
export const ORG_A = 'FINESS-A';
export const ORG_B = 'FINESS-B';

/** The states a document of patient A can be in (and the documents of B and H). */
export const STATES = [
  'plain',
  'masked',
  'invisibleRecent',
  'invisibleOld',
  'archived',
  'enteredInError',
  'superseded',
  'hideAll',
  'otherPatient',
] as const;
export type DocumentState = (typeof STATES)[number];

export interface SeededDocument {
  state: DocumentState;
  id: string;
  binaryId: string;
  /** A string found in its description and in its bytes, and nowhere else. */
  marker: string;
  masterIdentifier: Identifier;
  /** Number of versions it has (vread of each). */
  versions: number;
}

export interface World {
  wired: Wired;
  documents: Record<DocumentState, SeededDocument>;
  /** `Patient/<id>` of patient A in the consent registry. */
  patientA: string;
  token(claims: Record<string, unknown>): Promise<string>;
  /** Waits until every audit event of both outboxes reached the audit service. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

/** Token claims of each kind of caller. */
export const claims = {
  patient: (ins: string) => ({
    sub: ins,
    scope: 'patient/*.cruds',
    extensions: {
      ihe_iua: { person_id: { system: INS_SYSTEM, value: ins } },
      fr_dmp: { actor_kind: 'patient' },
    },
  }),
  practitioner: (
    id: string,
    fr: { attestation?: string; access_mode?: string; access_reason?: string } = {},
    org?: string,
  ) => ({
    sub: id,
    scope: 'user/*.cruds',
    extensions: {
      ihe_iua: {
        subject_name: `Dr ${id}`,
        subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
        national_provider_identifier: id,
        ...(org ? { subject_organization_id: org } : {}),
      },
      fr_dmp: { actor_kind: 'practitioner', ...fr },
    },
  }),
  system: (client: string, org?: string) => ({
    sub: client,
    client_id: client,
    scope: 'system/*.cruds',
    extensions: {
      ...(org ? { ihe_iua: { subject_organization_id: org } } : {}),
      fr_dmp: { actor_kind: 'system' },
    },
  }),
  auditor: () => ({
    sub: 'auditor-1',
    scope: 'system/*.cruds',
    extensions: { fr_dmp: { actor_kind: 'auditor' } },
  }),
};

/**
 * A PDSm-style bundle for `ins`: the author given as a contained PractitionerRole pointing at a
 * contained Practitioner (idNat) and Organization, as the official PDSm examples write it.
 */
export interface DocumentOptions {
  author?: string;
  org?: string;
  labels?: string[];
  daysAgo?: number;
  archived?: boolean;
}

export function documentBundle(ins: string, marker: string, options: DocumentOptions = {}): Bundle {
  const bundle = benchBundle(ins, Buffer.from(`%PDF-1.4\n${marker}\n%%EOF\n`));
  const document = bundle.entry?.[1]?.resource as DocumentReference;
  document.description = marker;
  document.masterIdentifier = { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` };
  const author: (Practitioner | Organization | PractitionerRole)[] = [
    {
      resourceType: 'Practitioner',
      id: 'pract',
      identifier: [{ system: IDNAT, value: options.author ?? PS.author }],
    },
    { resourceType: 'Organization', id: 'org', identifier: [{ value: options.org ?? ORG_A }] },
    {
      resourceType: 'PractitionerRole',
      id: 'role',
      practitioner: { reference: '#pract' },
      organization: { reference: '#org' },
    },
  ];
  document.contained = [
    ...(document.contained ?? []).filter((r) => r.resourceType === 'Patient'),
    ...author,
  ];
  document.author = [{ reference: '#role' }];
  if (options.daysAgo !== undefined) {
    document.date = new Date(Date.now() - options.daysAgo * DAY).toISOString();
  }
  for (const code of options.labels ?? []) {
    document.securityLabel = [
      ...(document.securityLabel ?? []),
      { coding: [{ system: VISIBILITY, code }] },
    ];
  }
  if (options.archived) {
    document.extension = [
      {
        url: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived',
        valueBoolean: true,
      },
    ];
  }
  return bundle;
}

/** Makes `bundle`'s document replace (or append to, transform) a stored one. */
export function relatedBundle(
  bundle: Bundle,
  code: 'replaces' | 'appends' | 'transforms',
  targetId: string,
): Bundle {
  const document = bundle.entry?.[1]?.resource as DocumentReference;
  document.relatesTo = [{ code, target: { reference: `DocumentReference/${targetId}` } }];
  if (code !== 'replaces') return bundle;
  const supersede = statusPatch('superseded');
  return {
    ...bundle,
    entry: [
      ...(bundle.entry ?? []),
      { resource: supersede, request: { method: 'PATCH', url: `DocumentReference/${targetId}` } },
    ],
  };
}

/** A FHIRPath Patch setting `DocumentReference.status`. */
/** The JSON Patch that masks a document from professionals (adds the `MASQUE_PS` label). */
export const MASK_PATCH = [
  {
    op: 'add',
    path: '/securityLabel/-',
    value: { coding: [{ system: VISIBILITY, code: 'MASQUE_PS' }] },
  },
];

export function statusPatch(status: string): FhirParameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      {
        name: 'operation',
        part: [
          { name: 'type', valueCode: 'replace' },
          { name: 'path', valueString: 'DocumentReference.status' },
          { name: 'value', valueCode: status },
        ],
      },
    ],
  };
}

/** The `$dmp-change` body by which patient `ins` blocks professional `idNat`. */
export function blockProfessional(ins: string, idNat: string): FhirParameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: INS_SYSTEM, value: ins } },
      {
        name: 'change',
        part: [
          { name: 'type', valueCode: 'block' },
          { name: 'professional', valueString: idNat },
        ],
      },
    ],
  };
}

export function sha1Of(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

function postBundle(wired: Wired, token: string, bundle: Bundle) {
  return request(wired.documents)
    .post('/fhir')
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));
}

function idsOf(response: request.Response): { id: string; binaryId: string } {
  const locations = (response.body as Bundle).entry?.map((e) => e.response?.location ?? '') ?? [];
  const idOf = (type: string) =>
    locations.find((l) => l.startsWith(`${type}/`))?.split('/')[1] ?? '';
  return { id: idOf('DocumentReference'), binaryId: idOf('Binary') };
}

/** The `patient` parameter of a consent operation. */
export const patientParameter = (ins: string) => ({
  name: 'patient',
  valueIdentifier: { system: INS_SYSTEM, value: ins },
});

/** One `change` of `$dmp-change`. */
export const change = (
  type: string,
  professional?: string,
  value?: boolean,
  period?: { start?: string; end?: string },
) => ({
  name: 'change',
  part: [
    { name: 'type', valueCode: type },
    ...(professional ? [{ name: 'professional', valueString: professional }] : []),
    ...(value !== undefined ? [{ name: 'value', valueBoolean: value }] : []),
    ...(period ? [{ name: 'period', valuePeriod: period }] : []),
  ],
});

/** Opens the world: services, audit shipping, patients, consents and one document per state. */
export async function openWorld(options: WiredOptions = {}): Promise<World> {
  const wired = await openWired(options);
  const token = (c: Record<string, unknown>) => wired.issuer.sign(c, { ttlSeconds: 3600 });
  const audit = await listen(wired.audit);
  const consentToken = () =>
    wired.issuer.sign({ ...claims.system('dmp-consent'), scope: 'system/AuditEvent.c' });
  const ship = (outbox: Wired['documentsStore']['outbox'], serviceToken: () => Promise<string>) =>
    startAuditShipper({
      outbox,
      topic: AUDIT_TOPIC,
      auditUrl: audit.url,
      token: serviceToken,
      logger: silentLogger(),
      leaseMs: 2000,
      idleMs: 20,
      minBackoffMs: 20,
      maxBackoffMs: 200,
    });
  const shippers: AuditShipper[] = [
    ship(wired.documentsStore.outbox, wired.serviceToken),
    ship(wired.consentStore.outbox, consentToken),
  ];

  const consent = (path: string, bearer: string, body: object) =>
    request(wired.consent)
      .post(path)
      .set('Authorization', `Bearer ${bearer}`)
      .send(body)
      .expect((res) => {
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.text}`);
      });
  let patientA = '';
  for (const ins of [INS_A, INS_B, INS_H]) {
    const opened = await consent('/fhir/Patient/$dmp-open', await token(claims.patient(ins)), {
      resourceType: 'Parameters',
      parameter: [patientParameter(ins)],
    });
    if (ins === INS_A) patientA = `Patient/${String((opened.body as Patient).id)}`;
  }
  await consent('/fhir/Consent/$dmp-change', await token(claims.patient(INS_A)), {
    resourceType: 'Parameters',
    parameter: [
      patientParameter(INS_A),
      change('authorize', PS.authorized),
      change('block', PS.blocked),
      change('attending-physician', PS.attending),
    ],
  });

  const hospitalA = await token(claims.system('chu-a', ORG_A));
  const hospitalB = await token(claims.system('chu-b', ORG_B));
  const documents = {} as Record<DocumentState, SeededDocument>;
  const seed = async (
    state: DocumentState,
    ins: string,
    by: string,
    options: DocumentOptions = {},
  ): Promise<SeededDocument> => {
    const marker = `MARKER-${state}-${randomUUID()}`;
    const bundle = documentBundle(ins, marker, options);
    const res = await postBundle(wired, by, bundle).expect(200);
    const document = bundle.entry?.[1]?.resource as DocumentReference;
    const seeded = {
      state,
      ...idsOf(res),
      marker,
      masterIdentifier: document.masterIdentifier ?? {},
      versions: 1,
    };
    documents[state] = seeded;
    return seeded;
  };
  const patch = (id: string, bearer: string, body: unknown) =>
    request(wired.documents)
      .patch(`/fhir/DocumentReference/${id}`)
      .set('Authorization', `Bearer ${bearer}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(body))
      .expect(200);

  await seed('plain', INS_A, hospitalA);
  const masked = await seed('masked', INS_A, hospitalA);
  await patch(masked.id, await token(claims.patient(INS_A)), MASK_PATCH);
  masked.versions = 2;
  await seed('invisibleRecent', INS_A, hospitalA, { labels: ['INVISIBLE_PATIENT'], daysAgo: 1 });
  await seed('invisibleOld', INS_A, hospitalA, { labels: ['INVISIBLE_PATIENT'], daysAgo: 40 });
  await seed('archived', INS_A, hospitalA, { archived: true });
  const deleted = await seed('enteredInError', INS_A, hospitalA);
  await patch(deleted.id, hospitalA, [
    { op: 'replace', path: '/status', value: 'entered-in-error' },
  ]);
  deleted.versions = 2;
  const replaced = await seed('superseded', INS_A, hospitalA);
  await postBundle(
    wired,
    hospitalA,
    relatedBundle(documentBundle(INS_A, `REPLACEMENT-${randomUUID()}`), 'replaces', replaced.id),
  ).expect(200);
  replaced.versions = 2;
  await seed('hideAll', INS_H, hospitalA);
  await consent('/fhir/Consent/$dmp-change', await token(claims.patient(INS_H)), {
    resourceType: 'Parameters',
    parameter: [patientParameter(INS_H), change('hide-everything', undefined, true)],
  });
  await seed('otherPatient', INS_B, hospitalB, { author: PS.otherAuthor, org: ORG_B });

  return {
    wired,
    documents,
    patientA,
    token,
    drained: async () => {
      for (const shipper of shippers) await shipper.drained();
    },
    close: async () => {
      for (const shipper of shippers) await shipper.stop();
      await close(audit.server);
      await wired.close();
    },
  };
}

/** The stored List ids of a patient's submissions (ITI-66), for List reads. */
export function listIdsOf(bundle: Bundle): string[] {
  return (bundle.entry ?? []).flatMap((e) =>
    e.resource?.resourceType === 'List' ? [(e.resource as List).id ?? ''] : [],
  );
}
