import type { DocumentReference, Identifier, List, Reference, Resource } from 'fhir/r4';
import { FhirError, fhirError, isFhirError, withTrace } from '@dmp/errors';
import type { BlobWriter, CreateOptions, ResourceStore, StoreTransaction } from '@dmp/storage';
import type { AuditEntityInput } from '../domain/audit-event';
import type { Relation } from '../domain/submission-links';
import { isConditionalReference } from '../domain/conditional-reference';
import { sameIns, type PatientIns } from '../domain/patient-ins';
import { xdsFault } from '../domain/xds-fault';
import type { CallContext } from '../use-cases/context';
import { storedPatientOf, type Decisions, type Permit } from './decisions';

export type { Relation } from '../domain/submission-links';

export interface Submission {
  transaction: 'ITI-65' | 'ITI-105';
  /** The patient the submission names (a `Patient/id`, an INS, or both). */
  patient: Reference;
  relations: readonly Relation[];
}

/**
 * What a submission's work may do, inside one store transaction: store new resources (every
 * DocumentReference and List gets the decided patient's INS on its subject), update what it
 * created or what belongs to the decided patient, supersede the targets decided as replaced.
 */
export interface SubmissionScope {
  readonly patient: PatientIns;
  readonly blobs: BlobWriter;
  /** Stores a new resource (under `options.id` when the submission assigned it beforehand). */
  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<T>;
  update<T extends Resource>(resource: T): Promise<T>;
  /** A List of the decided patient with this identifier (Folder updates), or undefined. */
  findList(identifier: Identifier): Promise<List | undefined>;
  /**
   * Takes a document uniqueId (masterIdentifier) for this submission: false when a document of
   * anyone already has it. A write (unique claim) that commits with the submission, so that it
   * holds across instances; it says nothing else of the other document.
   */
  claimUniqueId(identifier: Identifier): Promise<boolean>;
  /** Moves a decided `replaces` target to `superseded` (412 if it changed since the decision). */
  supersede(targetId: string): Promise<DocumentReference>;
}

/** The work returns its result and the entities its AuditEvent names (SubmissionSet, document). */
export type SubmissionWork<R> = (
  scope: SubmissionScope,
) => Promise<{ result: R; entities: AuditEntityInput[] }>;

interface Deps {
  store: ResourceStore;
  decisions: Decisions;
}

function unknownTarget(relation: Relation, reason: string): FhirError {
  const error = new FhirError(
    xdsFault(
      'DMP-MHD-RELATED-DOCUMENT-INVALID',
      'UnresolvedReferenceException',
      'The related DocumentReference is not known',
      relation.path,
    ),
  );
  return withTrace(error, { entities: [`DocumentReference/${relation.targetId}`], reason });
}

function isKeptUnder(resource: DocumentReference | List, patient: PatientIns): boolean {
  const key = storedPatientOf(resource).identifier;
  return key !== undefined && sameIns(key, patient);
}

/**
 * Decides a relationship target: it must exist, belong to the submission's patient and be
 * visible to the caller (else it is "not known", whatever the reason); a replaced one must also
 * be current and the caller allowed to replace it (403 otherwise).
 */
async function decideTarget(
  deps: Deps,
  call: CallContext,
  submission: Submission,
  patient: PatientIns,
  relation: Relation,
): Promise<DocumentReference> {
  const target = await deps.store
    .read<DocumentReference>('DocumentReference', relation.targetId)
    .catch((error: unknown) => {
      if (isFhirError(error) && error.status < 500) return undefined;
      throw error;
    });
  if (!target) throw unknownTarget(relation, 'no such document');
  if (!isKeptUnder(target, patient)) throw unknownTarget(relation, 'another patient');
  const about = {
    resourceType: 'DocumentReference' as const,
    transaction: submission.transaction,
    patient: { identifier: patient },
    document: target,
  };
  await deps.decisions
    .requireVisible(call, { ...about, interaction: 'relate' }, target)
    .catch((error: unknown) => {
      if (isFhirError(error) && error.status === 404) throw unknownTarget(relation, 'not visible');
      throw error;
    });
  if (!relation.replaces) return target;
  if (target.status !== 'current') {
    throw new FhirError(
      xdsFault(
        'DMP-MHD-RELATED-DOCUMENT-INVALID',
        'XDSRegistryMetadataError',
        'Only a current document can be replaced',
        relation.path,
      ),
    );
  }
  await deps.decisions.require(call, { ...about, interaction: 'replace' });
  return target;
}

/** The patient a submission was decided for: its INS (the search key) and registry reference. */
interface DecidedPatient {
  ins: PatientIns;
  reference?: string;
}

/**
 * A conditional reference (`Patient?identifier=…`) replaced, as FHIR transactions do, by the
 * literal reference of the patient it found, the decided one (the analysis refused a
 * submission whose conditional references name another); other references stay as sent.
 */
function resolved(reference: Reference, patient: DecidedPatient): Reference {
  if (!isConditionalReference(reference.reference)) return reference;
  const { reference: _conditional, ...rest } = reference;
  return patient.reference ? { ...rest, reference: patient.reference } : rest;
}

/**
 * Stamps the decided patient's INS on the subject of what is stored (the search key), with
 * conditional references to it resolved (subject, `context.sourcePatientInfo`).
 */
function stamped<T extends Resource>(resource: T, patient: DecidedPatient): T {
  if (resource.resourceType !== 'DocumentReference' && resource.resourceType !== 'List') {
    return resource;
  }
  const stored = resource as unknown as DocumentReference | List;
  const subject = {
    ...resolved(stored.subject ?? {}, patient),
    type: 'Patient',
    identifier: { ...patient.ins },
  };
  const source =
    stored.resourceType === 'DocumentReference' ? stored.context?.sourcePatientInfo : undefined;
  const context =
    stored.resourceType === 'DocumentReference' && source
      ? { context: { ...stored.context, sourcePatientInfo: resolved(source, patient) } }
      : {};
  return { ...resource, subject, ...context };
}

function scopeOf(
  tx: StoreTransaction,
  decided: DecidedPatient,
  replaced: ReadonlyMap<string, DocumentReference>,
): SubmissionScope {
  const patient = decided.ins;
  const created = new Set<string>();
  const own = async (resource: Resource): Promise<boolean> => {
    const key = `${resource.resourceType}/${resource.id ?? ''}`;
    if (created.has(key)) return true;
    if (resource.resourceType !== 'DocumentReference' && resource.resourceType !== 'List') {
      return false;
    }
    const current = await tx.read<DocumentReference | List>(
      resource.resourceType,
      resource.id ?? '',
    );
    return isKeptUnder(current, patient);
  };
  return {
    patient,
    blobs: tx.blobs,
    async create(resource, options) {
      const stored = await tx.create(stamped(resource, decided), options);
      created.add(`${stored.resourceType}/${stored.id ?? ''}`);
      return stored;
    },
    async update(resource) {
      if (!(await own(resource))) {
        throw fhirError('DMP-INTERNAL', 'A submission may only update what belongs to its patient');
      }
      return tx.update(stamped(resource, decided));
    },
    async findList(identifier) {
      const lists = await tx.findByIdentifier<List>('List', identifier);
      return lists.find((list) => isKeptUnder(list, patient));
    },
    async claimUniqueId(identifier) {
      // Documents stored before claims existed hold no claim: look for them too.
      const stored = await tx.findByIdentifier('DocumentReference', identifier);
      const key = `${identifier.system ?? ''}|${identifier.value ?? ''}`;
      return stored.length === 0 && (await tx.claimUnique('master-identifier', key));
    },
    async supersede(targetId) {
      const decided = replaced.get(targetId);
      if (!decided) throw fhirError('DMP-INTERNAL', 'Only a decided replacement is superseded');
      return tx.update<DocumentReference>(
        { ...decided, status: 'superseded' },
        { ifMatch: decided.meta?.versionId },
      );
    },
  };
}

/**
 * ITI-65 / ITI-105 as the enforcement point runs them: the submission's patient decided
 * (`create`), every relationship target decided, then the work in one transaction with the
 * AuditEvent recorded in it, so that resources, blobs and trace commit together or not at all.
 */
export async function submitWithin<R>(
  deps: Deps,
  call: CallContext,
  submission: Submission,
  work: SubmissionWork<R>,
): Promise<R> {
  const permit: Permit = await deps.decisions.require(call, {
    interaction: submission.transaction === 'ITI-65' ? 'provide' : 'publish',
    resourceType: 'DocumentReference',
    transaction: submission.transaction,
    patient: submission.patient,
  });
  const replaced = new Map<string, DocumentReference>();
  for (const relation of submission.relations) {
    const target = await decideTarget(deps, call, submission, permit.patient, relation);
    if (relation.replaces) replaced.set(relation.targetId, target);
  }
  return deps.store.transaction(async (tx) => {
    const decided = {
      ins: permit.patient,
      ...(permit.patientReference ? { reference: permit.patientReference } : {}),
    };
    const { result, entities } = await work(scopeOf(tx, decided, replaced));
    await deps.decisions.record(
      call,
      permit,
      { interaction: submission.transaction, entities },
      tx.outbox,
    );
    return result;
  });
}
