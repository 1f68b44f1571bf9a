import type { Readable } from 'node:stream';
import type { Binary, DocumentReference, List, Resource } from 'fhir/r4';
import { fhirError, isFhirError } from '@dmp/errors';
import type { SearchFilter, SearchPage, SearchQuery } from '@dmp/fhir';
import type { BlobInfo, ByteRange, ResourceStore } from '@dmp/storage';
import { documentEntity } from '../domain/audit-event';
import { metadataChanges } from '../domain/metadata-changes';
import { listedDocumentId } from '../domain/submission-links';
import type { PatientIns } from '../domain/patient-ins';
import { searchPatientOf } from '../domain/search-patient';
import { blobKeyOf } from '../domain/binary-link';
import type { AccessDecider } from '../ports/access-decider';
import type { AuditSink } from '../ports/audit-sink';
import type { CallContext } from '../use-cases/context';
import {
  createDecisions,
  notFound,
  storedPatientOf,
  type Decisions,
  type Permit,
} from './decisions';
import { submitWithin, type Submission, type SubmissionWork } from './submission-scope';

export type { Submission, SubmissionScope, SubmissionWork, Relation } from './submission-scope';

export type ReadableType = 'DocumentReference' | 'List';
type Stored = DocumentReference | List;
export type PatchTarget = { id: string } | { identifier: string };

/** The bytes of one document, delivered only after the access is recorded. */
export interface DocumentGrant {
  binary: Binary;
  document: DocumentReference;
  info: BlobInfo;
  /** Records the retrieval, then streams the bytes (all, or one inclusive range). */
  open(range?: ByteRange): Promise<Readable>;
  /** Records the retrieval, then reads every byte (the FHIR Binary representation). */
  readAll(): Promise<Buffer>;
  /** Records the retrieval when no byte is sent (the client's copy is current: 304). */
  confirm(): Promise<void>;
}

/**
 * The documents service's one enforcement point. Every interaction with patient data goes
 * through one of these methods, and nothing else in the service holds the store:
 * - it takes the *parsed* request (the search AST the store will run, the document's *current*
 *   state, the targets of a submission's relationships);
 * - it asks the decision point once per question (`AccessDecider`: scopes, patient, consent);
 * - it runs only what was decided: searches AND the decided patient's key and the permit's
 *   obligations into the query; reads, Binary and PATCH are decided on the current document,
 *   and any refusal of something named by id answers 404, like an unknown id; writes happen in a
 *   scope that stamps the decided patient on what it stores and touches nothing else;
 * - it records the access before the answer (in the write's transaction for writes).
 */
export interface EnforcementPoint {
  /** ITI-66/67: the patient the query names, decided, then the query run on that record only. */
  search<T extends Resource>(
    call: CallContext,
    query: SearchQuery,
    transaction: 'ITI-66' | 'ITI-67',
  ): Promise<SearchPage<T>>;
  read<T extends Stored>(call: CallContext, type: ReadableType, id: string): Promise<T>;
  /** A past version, decided on the current one (a version never escapes today's rules). */
  vread<T extends Stored>(
    call: CallContext,
    type: ReadableType,
    id: string,
    versionId: string,
  ): Promise<T>;
  history<T extends Stored>(call: CallContext, type: ReadableType, id: string): Promise<T[]>;
  /** ITI-68: decided on the Binary's DocumentReference, current state. */
  retrieve(call: CallContext, binaryId: string): Promise<DocumentGrant>;
  /**
   * PDSm metadata update: visibility decided on the current document first (the patch is not
   * even tried on a document the caller may not see), then the changes it makes, then the write.
   */
  patch(
    call: CallContext,
    target: PatchTarget,
    apply: (current: DocumentReference) => DocumentReference,
    ifMatch?: string,
  ): Promise<DocumentReference>;
  /** ITI-65 / ITI-105: the submission's patient and every relationship target decided first. */
  submit<R>(call: CallContext, submission: Submission, work: SubmissionWork<R>): Promise<R>;
}

export interface EnforcementPointDeps {
  store: ResourceStore;
  decider: AccessDecider;
  audit: AuditSink;
}

/** The filter that keeps a query on one patient's record: the key stamped on what is stored. */
export function patientKeyFilter(patient: PatientIns): SearchFilter {
  return {
    kind: 'token',
    param: 'dmp-patient',
    negate: false,
    anyOf: [{ system: patient.system, code: patient.value }],
  };
}

const INTERACTION = { 'ITI-66': 'List', 'ITI-67': 'DocumentReference' } as const;
/** Document ids looked up per query when redacting Lists (below every store's page bound). */
const LIST_REDACTION_SLICE = 200;

export function createEnforcementPoint(deps: EnforcementPointDeps): EnforcementPoint {
  const { store } = deps;
  const decisions: Decisions = createDecisions(deps.decider, deps.audit);

  /** The current resource and its read decision; any refusal is a 404. */
  async function visible<T extends Stored>(call: CallContext, type: ReadableType, id: string) {
    const current = await store.read<T>(type, id);
    const permit = await decisions.requireVisible(
      call,
      {
        interaction: 'read',
        resourceType: type,
        patient: storedPatientOf(current),
        ...(current.resourceType === 'DocumentReference' ? { document: current } : {}),
      },
      current,
    );
    const reference = `${type}/${id}`;
    const what =
      current.resourceType === 'DocumentReference'
        ? documentEntity(reference, current)
        : { reference };
    const facts = { interaction: 'read' as const, entities: [{ what, role: '4' as const }] };
    return { current, permit, facts };
  }

  /**
   * A SubmissionSet or Folder names its documents: only those the permit lets the caller see
   * stay in `entry`, so that a List never gives away the id of a masked or hidden document.
   */
  async function redactLists<T extends Resource>(resources: T[], permit: Permit): Promise<T[]> {
    const ids = new Set<string>();
    for (const resource of resources) {
      if (resource.resourceType !== 'List') continue;
      for (const entry of (resource as unknown as List).entry ?? []) {
        const id = listedDocumentId(entry.item.reference);
        if (id) ids.add(id);
      }
    }
    if (ids.size === 0) return resources;
    const seen = new Set<string | undefined>();
    const all = [...ids];
    // In slices the store answers whole (its page size is bounded).
    for (let start = 0; start < all.length; start += LIST_REDACTION_SLICE) {
      const slice = all.slice(start, start + LIST_REDACTION_SLICE);
      const visible = await store.search<DocumentReference>({
        resourceType: 'DocumentReference',
        filters: [
          patientKeyFilter(permit.patient),
          { kind: 'token', param: '_id', negate: false, anyOf: slice.map((code) => ({ code })) },
          ...permit.filters,
        ],
        sort: [],
        count: slice.length,
        total: 'none',
        summaryCount: false,
      });
      for (const document of visible.resources) seen.add(document.id);
    }
    const shown = (reference: string | undefined) => {
      const id = listedDocumentId(reference);
      return id === undefined || seen.has(id);
    };
    return resources.map((resource) => {
      if (resource.resourceType !== 'List') return resource;
      const { entry, ...list } = resource as unknown as List;
      const kept = (entry ?? []).filter((e) => shown(e.item.reference));
      // FHIR JSON has no empty arrays: a List left with no visible entry has no `entry`.
      return (kept.length > 0 ? { ...list, entry: kept } : list) as unknown as T;
    });
  }

  async function locateForPatch(target: PatchTarget): Promise<DocumentReference> {
    if ('id' in target) return store.read<DocumentReference>('DocumentReference', target.id);
    const [system, value] = target.identifier.includes('|')
      ? target.identifier.split('|', 2)
      : [undefined, target.identifier];
    if (!value) {
      throw fhirError(
        'DMP-SEARCH-INVALID-VALUE',
        'identifier=system|value is required',
        'identifier',
      );
    }
    const matches = await store.findByIdentifier<DocumentReference>('DocumentReference', {
      system,
      value,
    });
    const [only] = matches;
    if (!only) throw notFound({ resourceType: 'DocumentReference', id: '?identifier' });
    if (matches.length > 1) {
      throw fhirError(
        'DMP-CONDITIONAL-MULTIPLE-MATCHES',
        'Several DocumentReferences have this identifier',
        'identifier',
      );
    }
    return only;
  }

  return {
    async search<T extends Resource>(
      call: CallContext,
      query: SearchQuery,
      transaction: 'ITI-66' | 'ITI-67',
    ) {
      const resourceType = INTERACTION[transaction];
      const { patient, filters } = searchPatientOf(query.filters);
      const permit = await decisions.require(call, {
        interaction: 'search',
        resourceType,
        transaction,
        patient,
      });
      const page = await store.search<T>({
        ...query,
        resourceType,
        filters: [patientKeyFilter(permit.patient), ...filters, ...permit.filters],
      });
      const resources = await redactLists(page.resources, permit);
      await decisions.record(call, permit, { interaction: transaction, query: call.rawQuery });
      return { ...page, resources };
    },

    async read<T extends Stored>(call: CallContext, type: ReadableType, id: string) {
      const { current, permit, facts } = await visible<T>(call, type, id);
      const [shown] = await redactLists([current], permit);
      await decisions.record(call, permit, facts);
      return shown ?? current;
    },

    async vread<T extends Stored>(
      call: CallContext,
      type: ReadableType,
      id: string,
      versionId: string,
    ) {
      const { permit, facts } = await visible<T>(call, type, id);
      const [version] = await redactLists([await store.vread<T>(type, id, versionId)], permit);
      await decisions.record(call, permit, facts);
      if (!version) throw notFound({ resourceType: type, id });
      return version;
    },

    async history<T extends Stored>(call: CallContext, type: ReadableType, id: string) {
      const { permit, facts } = await visible<T>(call, type, id);
      const versions = await redactLists(await store.history<T>(type, id), permit);
      await decisions.record(call, permit, facts);
      return versions;
    },

    async retrieve(call, binaryId) {
      const binary = await store.read<Binary>('Binary', binaryId);
      const link = binary.securityContext?.reference;
      const documentId = link?.startsWith('DocumentReference/')
        ? link.slice('DocumentReference/'.length)
        : undefined;
      // A Binary is reached only through its document: without one, there is nothing to decide on.
      const document =
        documentId === undefined
          ? undefined
          : await store.read<DocumentReference>('DocumentReference', documentId).catch((error) => {
              if (isFhirError(error) && error.status < 500) return undefined;
              throw error;
            });
      if (!document) throw notFound(binary);
      const permit = await decisions.requireVisible(
        call,
        {
          interaction: 'retrieve',
          resourceType: 'Binary',
          transaction: 'ITI-68',
          patient: storedPatientOf(document),
          document,
        },
        binary,
      );
      if (document.status === 'entered-in-error') {
        throw fhirError('DMP-RESOURCE-GONE', 'The document has been deleted');
      }
      const key = blobKeyOf(binary);
      const info = key ? await store.blobs.stat(key) : undefined;
      if (!key || !info) {
        throw fhirError('DMP-RESOURCE-GONE', 'The document bytes are no longer available');
      }
      const record = () =>
        decisions.record(call, permit, {
          interaction: 'ITI-68',
          entities: [
            {
              what: documentEntity(`Binary/${binaryId}`, document),
              role: '3',
              securityLabel: document.securityLabel?.flatMap((l) => l.coding ?? []),
            },
          ],
        });
      return {
        binary,
        document,
        info,
        async open(range) {
          await record();
          return store.blobs.get(key, range);
        },
        async readAll() {
          await record();
          const chunks: Buffer[] = [];
          for await (const chunk of await store.blobs.get(key)) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks);
        },
        confirm: record,
      };
    },

    async patch(call, target, apply, ifMatch) {
      const current = await locateForPatch(target);
      const patient = storedPatientOf(current);
      const reference = { resourceType: 'DocumentReference', id: current.id };
      const seen = await decisions.requireVisible(
        call,
        { interaction: 'read', resourceType: 'DocumentReference', patient, document: current },
        reference,
      );
      const patched = apply(current);
      const changes = metadataChanges(current, patched);
      const facts = {
        interaction: 'PDSm-update' as const,
        entities: [
          {
            what: documentEntity(`DocumentReference/${current.id ?? ''}`, current),
            role: '3' as const,
          },
        ],
      };
      // A patch that changes nothing (`test` operations) shows the document, no more.
      if (changes.length === 0) {
        await decisions.record(call, seen, facts);
        return current;
      }
      const permit = await decisions.require(call, {
        interaction: 'update',
        resourceType: 'DocumentReference',
        patient,
        document: current,
        changes,
      });
      return store.transaction(async (tx) => {
        const updated = await tx.update<DocumentReference>(patched, {
          ifMatch: ifMatch ?? current.meta?.versionId,
        });
        await decisions.record(call, permit, facts, tx.outbox);
        return updated;
      });
    },

    submit(call, submission, work) {
      return submitWithin({ store, decisions }, call, submission, work);
    },
  };
}
