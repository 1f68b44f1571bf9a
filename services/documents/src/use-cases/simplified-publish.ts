import { randomUUID } from 'node:crypto';
import type { Binary, DocumentReference, List } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import { buildAuditEvent } from '../domain/audit-event';
import { linkedBinary, presentDocument } from '../domain/binary-link';
import { checkAttachmentHash } from '../domain/hash';
import { normalizeSecurityLabels } from '../domain/security-labels';
import { checkSimplifiedPublish, deriveSubmissionSet } from '../domain/simplified-publish';
import { documentIdOf } from '../domain/submission-analysis';
import { typedSubject } from '../domain/subject';
import { xdsFault } from '../domain/xds-fault';
import {
  auditInput,
  authorize,
  throwFaults,
  type CallContext,
  type DocumentsContext,
} from './context';
import { checkReplacedTarget, supersede } from './replaced-target';
import { submitterOf, withEntryUuid } from './store-submission';

/**
 * ITI-105 Simplified Publish: one DocumentReference with inline data. The bytes go to a Binary,
 * hash and size are computed, the SubmissionSet derived; a `replaces` target is superseded.
 * Everything is written in one transaction with the audit record.
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
  const { faults, patientKey } = checkSimplifiedPublish(input, call.baseUrl);
  throwFaults(faults);
  const bytes = Buffer.from(input.content[0]?.attachment.data ?? '', 'base64');
  if (bytes.length > ctx.maxDocumentBytes) {
    throw fhirError(
      'DMP-MHD-DOCUMENT-TOO-LARGE',
      `The document exceeds ${String(ctx.maxDocumentBytes)} bytes`,
      'DocumentReference.content[0].attachment.data',
    );
  }
  await authorize(
    ctx,
    call,
    {
      interaction: 'publish',
      resourceType: 'DocumentReference',
      transaction: 'ITI-105',
      patient: input.subject,
    },
    { interaction: 'ITI-105', patient: input.subject },
  );
  const replaced = (input.relatesTo ?? []).flatMap((relation, i) =>
    relation.code === 'replaces'
      ? [
          {
            id: documentIdOf(relation.target.reference, call.baseUrl),
            path: `DocumentReference.relatesTo[${String(i)}].target`,
          },
        ]
      : [],
  );

  const stored = await ctx.store.transaction(async (tx) => {
    const master = input.masterIdentifier;
    if (master?.value && (await tx.findByIdentifier('DocumentReference', master)).length > 0) {
      throwFaults([
        xdsFault(
          'DMP-MHD-DUPLICATE-UNIQUE-ID',
          'XDSDuplicateUniqueIdInRegistry',
          'A document with this masterIdentifier already exists',
          'DocumentReference.masterIdentifier',
        ),
      ]);
    }
    for (const target of replaced) {
      if (target.id === undefined) {
        throwFaults([
          xdsFault(
            'DMP-MHD-RELATED-DOCUMENT-INVALID',
            'UnresolvedReferenceException',
            'A replaced document is DocumentReference/[id] of this repository',
            target.path,
          ),
        ]);
      } else {
        throwFaults(
          await checkReplacedTarget(tx, target.id, patientKey, call.baseUrl, target.path),
        );
      }
    }
    const [content] = input.content;
    const contentType = content?.attachment.contentType ?? 'application/octet-stream';
    const info = await tx.blobs.put(bytes, contentType);
    const attachment = content?.attachment;
    if (
      attachment?.hash !== undefined &&
      !checkAttachmentHash(attachment.hash, info.sha1).matches
    ) {
      throwFaults([
        xdsFault(
          'DMP-MHD-HASH-MISMATCH',
          'XDSNonIdenticalHash',
          'attachment.hash is not the SHA-1 of the data',
          'DocumentReference.content[0].attachment.hash',
        ),
      ]);
    }
    if (attachment?.size !== undefined && attachment.size !== info.size) {
      throwFaults([
        xdsFault(
          'DMP-MHD-SIZE-MISMATCH',
          'XDSNonIdenticalSize',
          `attachment.size is not the data length (${String(info.size)})`,
          'DocumentReference.content[0].attachment.size',
        ),
      ]);
    }
    const binary = await tx.create<Binary>(linkedBinary(contentType, info.key));
    const { id: _id, ...rest } = input;
    const { data: _data, ...storedAttachment } = attachment ?? { contentType };
    const document = await tx.create<DocumentReference>({
      ...rest,
      meta: { ...input.meta, source: submitterOf(call) },
      subject: typedSubject(input.subject),
      identifier: withEntryUuid(input.identifier?.filter((i) => i.use !== 'official')),
      ...(input.securityLabel
        ? { securityLabel: normalizeSecurityLabels(input.securityLabel) }
        : {}),
      content: [
        {
          ...content,
          attachment: {
            ...storedAttachment,
            url: `Binary/${binary.id ?? ''}`,
            hash: info.sha1,
            size: info.size,
          },
        },
      ],
    });
    await tx.update<Binary>({
      ...binary,
      securityContext: { reference: `DocumentReference/${document.id ?? ''}` },
    });
    for (const target of replaced) if (target.id) await supersede(tx, target.id);
    const set = await tx.create<List>(
      deriveSubmissionSet(
        document,
        `DocumentReference/${document.id ?? ''}`,
        ctx.sourceId,
        new Date().toISOString(),
        {
          uniqueId: `urn:uuid:${randomUUID()}`,
          entryUuid: `urn:uuid:${randomUUID()}`,
        },
      ),
    );
    await ctx.audit.record(
      buildAuditEvent(
        auditInput(call, {
          interaction: 'ITI-105',
          patient: document.subject,
          entities: [
            { what: { reference: `DocumentReference/${document.id ?? ''}` }, role: '3' },
            { what: { reference: `List/${set.id ?? ''}` }, role: '20' },
          ],
        }),
      ),
      tx.outbox,
    );
    return document;
  });
  return presentDocument(stored, call.baseUrl);
}
