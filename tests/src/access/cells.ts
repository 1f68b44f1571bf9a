import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { INS_SYSTEM } from '../wiring/wired-harness';
import {
  ACTOR_NAMES,
  AUTHOR_SIDE,
  CANNOT_FEED_A,
  CANNOT_SEARCH_A,
  PROFESSIONALS,
  sees,
  SYSTEMS,
  type ActorName,
} from './actors';
import {
  blockProfessional,
  documentBundle,
  INS_A,
  INS_B,
  PS,
  STATES,
  VISIBILITY,
  relatedBundle,
  statusPatch,
  type DocumentState,
  type World,
} from './world';

/**
 * One cell of the permission matrix: an actor, an interaction, a document state (when the
 * interaction is on a document), the answer expected, and what must not appear in the body.
 */
export interface Cell {
  name: string;
  actor: ActorName;
  state?: DocumentState;
  expected: number;
  send(world: World, token: string, requestId: string): request.Test;
  /** States whose document must not show in the body (markers, and ids for Lists). */
  hidden: DocumentState[];
}

/** Status of a document in its state (for PATCH `test` operations that change nothing). */
const STATUS: Record<DocumentState, string> = {
  plain: 'current',
  masked: 'current',
  invisibleRecent: 'current',
  invisibleOld: 'current',
  archived: 'current',
  enteredInError: 'entered-in-error',
  superseded: 'superseded',
  hideAll: 'current',
  otherPatient: 'current',
};

/** Versions each seeded document has (the world masks, deletes and replaces some). */
const VERSIONS: Record<DocumentState, number> = {
  plain: 1,
  masked: 2,
  invisibleRecent: 1,
  invisibleOld: 1,
  archived: 1,
  enteredInError: 2,
  superseded: 2,
  hideAll: 1,
  otherPatient: 1,
};

const PATIENT_A_STATES: readonly DocumentState[] = STATES.filter(
  (s) => s !== 'hideAll' && s !== 'otherPatient',
);
const A = `${INS_SYSTEM}|${INS_A}`;
const B = `${INS_SYSTEM}|${INS_B}`;

function hiddenFrom(actor: ActorName): DocumentState[] {
  return STATES.filter((state) => !sees(actor, state));
}

const get = (world: World, app: 'documents' | 'consent' | 'audit', path: string) =>
  request(world.wired[app]).get(path);

function withAuth(test: request.Test, token: string, requestId: string): request.Test {
  return test.set('Authorization', `Bearer ${token}`).set('X-Request-Id', requestId);
}

/** Interactions on one stored document, decided on its current state. */
function documentCells(actor: ActorName, state: DocumentState): Cell[] {
  const visible = sees(actor, state);
  const gone = state === 'enteredInError';
  const doc = (w: World) => w.documents[state];
  const cells: Omit<Cell, 'actor' | 'state' | 'hidden'>[] = [
    {
      name: 'read',
      expected: visible ? 200 : 404,
      send: (w, t, r) =>
        withAuth(get(w, 'documents', `/fhir/DocumentReference/${doc(w).id}`), t, r),
    },
    {
      name: 'vread of version 1',
      expected: visible ? 200 : 404,
      send: (w, t, r) =>
        withAuth(get(w, 'documents', `/fhir/DocumentReference/${doc(w).id}/_history/1`), t, r),
    },
    ...(VERSIONS[state] > 1
      ? [
          {
            name: 'vread of version 2',
            expected: visible ? 200 : 404,
            send: (w: World, t: string, r: string) =>
              withAuth(
                get(w, 'documents', `/fhir/DocumentReference/${doc(w).id}/_history/2`),
                t,
                r,
              ),
          },
        ]
      : []),
    {
      name: 'history',
      expected: visible ? 200 : 404,
      send: (w, t, r) =>
        withAuth(get(w, 'documents', `/fhir/DocumentReference/${doc(w).id}/_history`), t, r),
    },
    {
      name: 'Binary',
      expected: visible ? (gone ? 410 : 200) : 404,
      send: (w, t, r) => withAuth(get(w, 'documents', `/fhir/Binary/${doc(w).binaryId}`), t, r),
    },
    {
      name: 'Binary with Range',
      expected: visible ? (gone ? 410 : 206) : 404,
      send: (w, t, r) =>
        withAuth(get(w, 'documents', `/fhir/Binary/${doc(w).binaryId}`), t, r).set(
          'Range',
          'bytes=0-7',
        ),
    },
    {
      name: 'Binary as FHIR',
      expected: visible ? (gone ? 410 : 200) : 404,
      send: (w, t, r) =>
        withAuth(get(w, 'documents', `/fhir/Binary/${doc(w).binaryId}`), t, r).set(
          'Accept',
          'application/fhir+json',
        ),
    },
    {
      name: 'PATCH JSON test (changes nothing)',
      expected: visible ? 200 : 404,
      send: (w, t, r) =>
        withAuth(request(w.wired.documents).patch(`/fhir/DocumentReference/${doc(w).id}`), t, r)
          .set('Content-Type', 'application/json-patch+json')
          .send(JSON.stringify([{ op: 'test', path: '/status', value: STATUS[state] }])),
    },
    {
      name: 'PATCH FHIRPath (same status)',
      expected: visible ? 200 : 404,
      send: (w, t, r) =>
        withAuth(request(w.wired.documents).patch(`/fhir/DocumentReference/${doc(w).id}`), t, r)
          .set('Content-Type', 'application/fhir+json')
          .send(statusPatch(STATUS[state])),
    },
    {
      name: 'conditional PATCH by identifier (test)',
      expected: visible ? 200 : 404,
      send: (w, t, r) => {
        const master = doc(w).masterIdentifier;
        const identifier = encodeURIComponent(`${master.system ?? ''}|${master.value ?? ''}`);
        return withAuth(
          request(w.wired.documents).patch(`/fhir/DocumentReference?identifier=${identifier}`),
          t,
          r,
        )
          .set('Content-Type', 'application/json-patch+json')
          .send(JSON.stringify([{ op: 'test', path: '/status', value: STATUS[state] }]));
      },
    },
    ...relationCells(actor, state),
    ...changeCells(actor, state),
  ];
  return cells.map((cell) => ({ ...cell, actor, state, hidden: hiddenFrom(actor) }));
}

/** ITI-65 for patient A relating to the document: replace, append, transform. */
function relationCells(
  actor: ActorName,
  state: DocumentState,
): Omit<Cell, 'actor' | 'state' | 'hidden'>[] {
  const ofA = PATIENT_A_STATES.includes(state);
  const visible = ofA && sees(actor, state);
  const send = (code: 'replaces' | 'appends' | 'transforms') => (w: World, t: string, r: string) =>
    withAuth(request(w.wired.documents).post('/fhir'), t, r)
      .set('Content-Type', 'application/fhir+json')
      .send(
        JSON.stringify(
          relatedBundle(documentBundle(INS_A, `NEW-${randomUUID()}`), code, w.documents[state].id),
        ),
      );
  const refusedBefore = CANNOT_FEED_A.includes(actor) ? 403 : !visible ? 422 : undefined;
  const cells: Omit<Cell, 'actor' | 'state' | 'hidden'>[] = [];
  const replace =
    refusedBefore ??
    (STATUS[state] !== 'current' ? 422 : AUTHOR_SIDE.includes(actor) ? undefined : 403);
  // A permitted replacement would change the world: the regression tests cover it.
  if (replace !== undefined) {
    cells.push({ name: 'ITI-65 replacing it', expected: replace, send: send('replaces') });
  }
  for (const code of ['appends', 'transforms'] as const) {
    cells.push({
      name: `ITI-65 that ${code} it`,
      expected: refusedBefore ?? 200,
      send: send(code),
    });
  }
  return cells;
}

/** PATCHes that would change the document: only the refused ones run here. */
function changeCells(
  actor: ActorName,
  state: DocumentState,
): Omit<Cell, 'actor' | 'state' | 'hidden'>[] {
  const visible = sees(actor, state);
  const emergency = actor === 'breakGlass' || actor === 'centre15';
  const patch = (operations: object[]) => (w: World, t: string, r: string) =>
    withAuth(
      request(w.wired.documents).patch(`/fhir/DocumentReference/${w.documents[state].id}`),
      t,
      r,
    )
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(operations));
  const cells: Omit<Cell, 'actor' | 'state' | 'hidden'>[] = [];
  if (state === 'masked' && !visible) {
    cells.push({
      name: 'PATCH removing MASQUE_PS',
      expected: 404,
      send: patch([{ op: 'remove', path: '/securityLabel/1' }]),
    });
  }
  if (state === 'plain' && !AUTHOR_SIDE.includes(actor)) {
    cells.push({
      name: 'PATCH deleting it (entered-in-error)',
      expected: visible ? 403 : 404,
      send: patch([{ op: 'replace', path: '/status', value: 'entered-in-error' }]),
    });
  }
  if (state === 'invisibleRecent' || state === 'invisibleOld') {
    const mayAnnounce = visible && actor !== 'patientA' && !emergency;
    if (!mayAnnounce) {
      cells.push({
        name: 'PATCH lifting INVISIBLE_PATIENT',
        expected: visible ? 403 : 404,
        send: patch([{ op: 'remove', path: '/securityLabel/1' }]),
      });
    }
  }
  return cells;
}

/** What patient A's record answers as a whole: searches, publish, consent and audit reads. */
function recordCells(actor: ActorName): Cell[] {
  const searchStatus = CANNOT_SEARCH_A.includes(actor) ? 403 : 200;
  const hidden = hiddenFrom(actor);
  const system = SYSTEMS.includes(actor);
  const professional = PROFESSIONALS.includes(actor);
  const search = (query: string) => (w: World, t: string, r: string) =>
    withAuth(get(w, 'documents', `/fhir/DocumentReference?${query}`), t, r);
  const spellings = (w: World) => [
    `patient.identifier=${A}`,
    `patient.identifier=${INS_A}`,
    `subject.identifier=${A}`,
    `patient:Patient.identifier=${A}`,
    `subject:Patient.identifier=${A}`,
    `patient=${w.patientA}`,
    `subject=${w.patientA}`,
    `patient:Patient=${w.patientA.split('/')[1] ?? ''}`,
  ];
  const cells: Omit<Cell, 'actor' | 'hidden'>[] = [
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      name: `ITI-67 search, spelling ${i + 1}`,
      expected: searchStatus,
      send: (w: World, t: string, r: string) =>
        search(`${spellings(w)[i] ?? ''}&status=current`)(w, t, r),
    })),
    {
      name: 'ITI-67 POST _search',
      expected: searchStatus,
      send: (w, t, r) =>
        withAuth(request(w.wired.documents).post('/fhir/DocumentReference/_search'), t, r)
          .type('form')
          .send(`patient.identifier=${A}&status=current`),
    },
    {
      name: 'ITI-67 with a lenient unknown modifier naming the patient',
      expected: 400,
      send: (w, t, r) =>
        search(`patient:Foo.identifier=${A}&status=current&_count=100`)(w, t, r).set(
          'Prefer',
          'handling=lenient',
        ),
    },
    {
      name: 'ITI-67 naming two patients',
      expected: 400,
      send: search(`patient.identifier=${A}&patient.identifier=${B}&status=current`),
    },
    {
      name: 'ITI-67 naming two patients in one OR list',
      expected: 400,
      send: search(`patient.identifier=${A},${B}&status=current`),
    },
    {
      name: 'ITI-67 archived ones too',
      expected: searchStatus,
      send: search(
        `patient.identifier=${A}&status=current,superseded,entered-in-error&isArchived=true,false`,
      ),
    },
    {
      name: 'ITI-66 List search',
      expected: searchStatus,
      send: (w, t, r) =>
        withAuth(get(w, 'documents', `/fhir/List?patient.identifier=${A}&status=current`), t, r),
    },
    {
      name: 'ITI-105 publish',
      expected: CANNOT_FEED_A.includes(actor) ? 403 : 201,
      send: (w, t, r) => {
        const content = Buffer.from(`%PDF-1.4 ${randomUUID()}`);
        const doc = documentBundle(INS_A, `PUBLISHED-${randomUUID()}`).entry?.[1]
          ?.resource as unknown as {
          content: { attachment: Record<string, unknown> }[];
        };
        const attachment = doc.content[0]?.attachment ?? {};
        delete attachment.url;
        delete attachment.hash;
        delete attachment.size;
        attachment.data = content.toString('base64');
        return withAuth(request(w.wired.documents).post('/fhir/DocumentReference'), t, r)
          .set('Content-Type', 'application/fhir+json')
          .send(doc);
      },
    },
    {
      name: "consent: search A's Consent",
      expected: system || professional ? 403 : 200,
      send: (w, t, r) => withAuth(get(w, 'consent', `/fhir/Consent?patient.identifier=${A}`), t, r),
    },
    {
      name: "consent: search A's notices",
      expected: system ? 403 : 200,
      send: (w, t, r) =>
        withAuth(get(w, 'consent', `/fhir/Communication?patient.identifier=${A}`), t, r),
    },
    {
      name: "consent: read A's Patient by id",
      expected: ['patientA', 'auditor', 'documentsService'].includes(actor) ? 200 : 403,
      send: (w, t, r) => withAuth(get(w, 'consent', `/fhir/${w.patientA}`), t, r),
    },
    {
      name: "consent: A's DMP state (TD0.2)",
      expected: 200,
      send: (w, t, r) => withAuth(get(w, 'consent', `/fhir/Patient?identifier=${A}`), t, r),
    },
    {
      name: 'consent: block a professional for A',
      expected: 403,
      send: (w, t, r) =>
        withAuth(request(w.wired.consent).post('/fhir/Consent/$dmp-change'), t, r).send(
          blockProfessional(INS_A, PS.careTeam),
        ),
    },
    {
      name: 'consent: AuthZEN evaluation',
      expected: actor === 'documentsService' ? 200 : 403,
      send: (w, t, r) =>
        withAuth(request(w.wired.consent).post('/access/v1/evaluation'), t, r).send({
          subject: { type: 'practitioner', id: PS.blocked, properties: { profession: '10' } },
          action: { name: 'read' },
          resource: { type: 'dmp', properties: { patient: { system: INS_SYSTEM, value: INS_A } } },
          context: { access_mode: 'bris_de_glace', access_reason: 'forged' },
        }),
    },
    {
      name: 'audit: POST a forged break-glass AuditEvent about A',
      expected: actor === 'documentsService' ? 201 : 403,
      send: (w, t, r) =>
        withAuth(request(w.wired.audit).post('/fhir/AuditEvent'), t, r).send(forgedEvent()),
    },
    {
      name: "audit: ITI-81 on A's trail",
      expected: system ? 403 : 200,
      send: (w, t, r) =>
        withAuth(get(w, 'audit', `/fhir/AuditEvent?patient.identifier=${A}`), t, r),
    },
    {
      name: 'audit: $patient-history',
      expected: actor === 'patientA' || actor === 'patientB' ? 200 : 403,
      send: (w, t, r) => withAuth(get(w, 'audit', '/fhir/AuditEvent/$patient-history'), t, r),
    },
    {
      name: 'audit: $verify',
      expected: actor === 'auditor' ? 200 : 403,
      send: (w, t, r) => withAuth(get(w, 'audit', '/fhir/AuditEvent/$verify'), t, r),
    },
  ];
  // The holder may block (a change to the world): the regression tests cover it.
  return cells
    .filter((c) => !(actor === 'patientA' && c.name.startsWith('consent: block')))
    .map((cell) => ({ ...cell, actor, hidden }));
}

function forgedEvent(): object {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-68' }],
    action: 'R',
    recorded: new Date().toISOString(),
    outcome: '0',
    purposeOfEvent: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' }] },
    ],
    agent: [
      {
        who: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: PS.blocked } },
        requestor: true,
      },
    ],
    source: { observer: { display: 'forged' } },
    entity: [{ what: { identifier: { system: INS_SYSTEM, value: INS_A } } }],
  };
}

/** Every cell, generated from the tables (actors × interactions × states). */
export function allCells(): Cell[] {
  return ACTOR_NAMES.flatMap((actor) => [
    ...STATES.flatMap((state) => documentCells(actor, state)),
    ...recordCells(actor),
  ]);
}

export { VISIBILITY };
