import type { DocumentReference } from 'fhir/r4';
import { fhirError, FhirError, withTrace } from '@dmp/errors';
import { buildAuditEvent } from '../domain/audit-event';
import { isAuthor } from '../domain/authorship';
import { presentDocument } from '../domain/binary-link';
import { applyMetadataPatch } from '../domain/metadata-patch';
import {
  auditInput,
  authorize,
  traceContextOf,
  type CallContext,
  type DocumentsContext,
} from './context';

export type PatchTarget = { id: string } | { identifier: string };

async function resolveTarget(
  ctx: DocumentsContext,
  target: PatchTarget,
): Promise<DocumentReference> {
  if ('id' in target) return ctx.store.read<DocumentReference>('DocumentReference', target.id);
  const [system, value] = target.identifier.includes('|')
    ? target.identifier.split('|', 2)
    : [undefined, target.identifier];
  if (!value)
    throw fhirError(
      'DMP-SEARCH-INVALID-VALUE',
      'identifier=system|value is required',
      'identifier',
    );
  const matches = await ctx.store.findByIdentifier<DocumentReference>('DocumentReference', {
    system,
    value,
  });
  if (matches.length === 0)
    throw fhirError(
      'DMP-RESOURCE-NOT-FOUND',
      'No DocumentReference has this identifier',
      'identifier',
    );
  const [only] = matches;
  if (!only || matches.length > 1) {
    throw fhirError(
      'DMP-CONDITIONAL-MULTIPLE-MATCHES',
      'Several DocumentReferences have this identifier',
      'identifier',
    );
  }
  return only;
}

const DELETION = new Set(['entered-in-error', 'superseded']);

/**
 * PDSm metadata update (flux 03/04): JSON Patch or FHIRPath Patch on status, securityLabel and
 * isArchived only, by id or conditionally by identifier; each change is a new version. A
 * logical deletion (status to entered-in-error or superseded) is for the document's author only.
 */
export async function updateMetadata(
  ctx: DocumentsContext,
  call: CallContext,
  target: PatchTarget,
  body: unknown,
  ifMatch: string | undefined,
): Promise<DocumentReference> {
  const original = await resolveTarget(ctx, target);
  const outcome = applyMetadataPatch(original, body);
  if ('fault' in outcome) throw new FhirError(outcome.fault);
  const patched = outcome.document;
  const deletion = patched.status !== original.status && DELETION.has(patched.status);
  const reference = `DocumentReference/${original.id ?? ''}`;
  const audit = {
    interaction: 'PDSm-update' as const,
    patient: original.subject,
    entities: [{ what: { reference }, role: '3' as const }],
  };
  await authorize(
    ctx,
    call,
    {
      interaction: deletion ? 'delete' : 'update',
      resourceType: 'DocumentReference',
      patient: original.subject,
      document: original,
    },
    audit,
  );
  if (deletion && !isAuthor(call.actor, original)) {
    const error = fhirError(
      'DMP-PDSM-DELETE-NOT-AUTHOR',
      "Only the document's author may delete it",
      'DocumentReference.status',
    );
    throw withTrace(error, traceContextOf(audit));
  }
  const stored = await ctx.store.transaction(async (tx) => {
    const updated = await tx.update<DocumentReference>(patched, {
      ifMatch: ifMatch ?? original.meta?.versionId,
    });
    await ctx.audit.record(buildAuditEvent(auditInput(call, audit)), tx.outbox);
    return updated;
  });
  return presentDocument(stored, call.baseUrl);
}
