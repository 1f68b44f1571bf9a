import { randomUUID } from 'node:crypto';
import type { Binary, DocumentReference, List } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import type { SubmissionScope } from '../access/enforcement-point';
import { linkedBinary, presentDocument } from '../domain/binary-link';
import { documentBytes } from '../domain/document-bytes';
import { checkAttachmentHash } from '../domain/hash';
import { decisionPatientOf } from '../domain/patient-key';
import { freshUniqueIdOid } from '../domain/mhd-identifiers';
import {
  checkSimplifiedPublish,
  deriveSubmissionSet,
  storedDocument,
} from '../domain/simplified-publish';
import { relationsOf } from '../domain/submission-links';
import { xdsFault } from '../domain/xds-fault';
import { throwFaults, type CallContext, type DocumentsContext } from './context';
import { submitterOf } from './store-submission';

/** The checks that need the stored bytes: uniqueness, then hash and size against the data. */
async function checkStored(
  scope: SubmissionScope,
  input: DocumentReference,
  sha1: string,
  size: number,
): Promise<void> {
  const master = input.masterIdentifier;
  if (master?.value && !(await scope.claimUniqueId(master))) {
    throwFaults([
      xdsFault(
        'DMP-MHD-DUPLICATE-UNIQUE-ID',
        'XDSDuplicateUniqueIdInRegistry',
        'A document with this masterIdentifier already exists',
        'DocumentReference.masterIdentifier',
      ),
    ]);
  }
  const attachment = input.content[0]?.attachment;
  if (attachment?.hash !== undefined && !checkAttachmentHash(attachment.hash, sha1).matches) {
    throwFaults([
      xdsFault(
        'DMP-MHD-HASH-MISMATCH',
        'XDSNonIdenticalHash',
        'attachment.hash is not the SHA-1 of the data',
        'DocumentReference.content[0].attachment.hash',
      ),
    ]);
  }
  if (attachment?.size !== undefined && attachment.size !== size) {
    throwFaults([
      xdsFault(
        'DMP-MHD-SIZE-MISMATCH',
        'XDSNonIdenticalSize',
        `attachment.size is not the data length (${String(size)})`,
        'DocumentReference.content[0].attachment.size',
      ),
    ]);
  }
}

/**
 * ITI-105 Simplified Publish: one DocumentReference with inline data. The enforcement point
 * decides the patient and any replaced document; in its scope the bytes go to a Binary, hash and
 * size are computed, the SubmissionSet derived and a replaced document superseded, with the
 * audit record, in one transaction.
 */
export async function simplifiedPublish(
  ctx: DocumentsContext,
  call: CallContext,
  body: unknown,
): Promise<DocumentReference> {
  if ((body as { resourceType?: unknown } | undefined)?.resourceType !== 'DocumentReference') {
    throw fhirError(
      'DMP-RESOURCE-TYPE-MISMATCH',
      'ITI-105 expects a DocumentReference',
      'DocumentReference',
    );
  }
  const input = body as DocumentReference;
  throwFaults(ctx.validator.validate(input, 'DocumentReference'));
  const faults = checkSimplifiedPublish(input, call.baseUrl);
  const relations = relationsOf(
    [{ resource: input, path: 'DocumentReference' }],
    call.baseUrl,
    faults,
  );
  throwFaults(faults);
  const bytes = documentBytes(
    input.content[0]?.attachment ?? {},
    'DocumentReference.content[0].attachment.data',
  );
  if (bytes.length > ctx.maxDocumentBytes) {
    throw fhirError(
      'DMP-MHD-DOCUMENT-TOO-LARGE',
      `The document exceeds ${String(ctx.maxDocumentBytes)} bytes`,
      'DocumentReference.content[0].attachment.data',
    );
  }
  const patient = decisionPatientOf(input.subject ?? {}, call.baseUrl, () => undefined);

  const stored = await ctx.access.submit(
    call,
    { transaction: 'ITI-105', patient, relations },
    async (scope) => {
      const [content] = input.content;
      const contentType = content?.attachment.contentType ?? 'application/octet-stream';
      const info = await scope.blobs.put(bytes, contentType);
      await checkStored(scope, input, info.sha1, info.size);
      // The document's id is chosen first: the Binary is created pointing at it (version 1).
      const documentId = randomUUID();
      const binary = await scope.create<Binary>(
        linkedBinary(contentType, info.key, `DocumentReference/${documentId}`),
      );
      const document = await scope.create<DocumentReference>(
        storedDocument(input, {
          binary: `Binary/${binary.id ?? ''}`,
          sha1: info.sha1,
          size: info.size,
          submitter: submitterOf(call),
        }),
        { id: documentId },
      );
      for (const relation of relations) {
        if (relation.replaces) await scope.supersede(relation.targetId);
      }
      const set = await scope.create<List>(
        deriveSubmissionSet(
          document,
          `DocumentReference/${document.id ?? ''}`,
          ctx.sourceId,
          new Date().toISOString(),
          { uniqueId: freshUniqueIdOid(), entryUuid: `urn:uuid:${randomUUID()}` },
        ),
      );
      return {
        result: document,
        entities: [
          { what: { reference: `DocumentReference/${document.id ?? ''}` }, role: '3' as const },
          { what: { reference: `List/${set.id ?? ''}` }, role: '20' as const },
        ],
      };
    },
  );
  return presentDocument(stored, call.baseUrl);
}
