import type { DocumentReference } from 'fhir/r4';
import { FhirError } from '@dmp/errors';
import type { PatchTarget } from '../access/enforcement-point';
import { presentDocument } from '../domain/binary-link';
import { applyMetadataPatch } from '../domain/metadata-patch';
import { throwFaults, type CallContext, type DocumentsContext } from './context';

export type { PatchTarget } from '../access/enforcement-point';

/**
 * PDSm metadata update (flux 03/04): JSON Patch or FHIRPath Patch on status, securityLabel and
 * isArchived only, by id or conditionally by identifier; each change is a new version. The
 * enforcement point decides who may see the document, then who may make each change (a logical
 * deletion is the author's); the patched document is checked against the R4 schema.
 */
export async function updateMetadata(
  ctx: DocumentsContext,
  call: CallContext,
  target: PatchTarget,
  body: unknown,
  ifMatch: string | undefined,
): Promise<DocumentReference> {
  const stored = await ctx.access.patch(
    call,
    target,
    (current) => {
      const outcome = applyMetadataPatch(current, body);
      if ('fault' in outcome) throw new FhirError(outcome.fault);
      // The result must still be a valid R4 DocumentReference (a label nested 1,000 deep is not).
      throwFaults(
        ctx.validator
          .validate(outcome.document, 'DocumentReference')
          .map((fault) => ({ ...fault, code: 'DMP-PDSM-PATCH-INVALID' as const })),
      );
      return outcome.document;
    },
    ifMatch,
  );
  return presentDocument(stored, call.baseUrl);
}
