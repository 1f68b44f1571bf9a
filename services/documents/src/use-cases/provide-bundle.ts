import type { Bundle, BundleEntry, Patient, Reference } from 'fhir/r4';
import { fhirError, type Fault } from '@dmp/errors';
import { isInsSystem, type ResourceValidator } from '@dmp/fhir';
import { entryPath } from '../domain/bundle-entries';
import { analyzeSubmission } from '../domain/submission-analysis';
import { authorize, throwFaults, type CallContext, type DocumentsContext } from './context';
import { storeSubmission } from './store-submission';

/**
 * R4 schema check of the bundle shell, then of each entry's resource on its own (fast). The shell
 * keeps malformed `entry` values as sent (not an array, an entry that is not an object), so the
 * schema names them instead of later code tripping on them.
 */
export function validateBundleSchema(validator: ResourceValidator, bundle: Bundle): Fault[] {
  const entries: unknown = bundle.entry;
  const objects = Array.isArray(entries) ? entries.map(asEntry) : [];
  const shell = {
    ...bundle,
    entry: Array.isArray(entries)
      ? entries.map((entry, index) => {
          const object = objects[index];
          if (!object) return entry as unknown;
          const { resource: _resource, ...rest } = object;
          return rest;
        })
      : entries,
  };
  const faults = validator.validate(shell, 'Bundle');
  objects.forEach((entry, index) => {
    if (entry?.resource !== undefined) {
      faults.push(...validator.validate(entry.resource, `${entryPath(index)}.resource`));
    }
  });
  return faults;
}

function asEntry(value: unknown): BundleEntry | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** Decodes a Binary's base64 `data`; an absent or oversized document is refused up front. */
function decodeDocuments(
  ctx: DocumentsContext,
  bundle: Bundle,
  plan: NonNullable<ReturnType<typeof analyzeSubmission>['plan']>,
): Map<number, Buffer> {
  const bytes = new Map<number, Buffer>();
  for (const entry of plan.entries) {
    let content: Buffer | undefined;
    if (entry.kind === 'binary') {
      if (entry.resource.data === undefined) {
        throw fhirError(
          'DMP-MHD-MISSING-DOCUMENT',
          'The Binary carries no data',
          `${entryPath(entry.index)}.resource.data`,
        );
      }
      content = Buffer.from(entry.resource.data, 'base64');
    } else if (entry.kind === 'fhir-document') {
      content = Buffer.from(JSON.stringify(bundle.entry?.[entry.index]?.resource));
    }
    if (content === undefined) continue;
    if (content.length > ctx.maxDocumentBytes) {
      throw fhirError(
        'DMP-MHD-DOCUMENT-TOO-LARGE',
        `A document exceeds ${String(ctx.maxDocumentBytes)} bytes`,
        `${entryPath(entry.index)}.resource`,
      );
    }
    bytes.set(entry.index, content);
  }
  return bytes;
}

/** A subject naming a bundled Patient (`urn:uuid:`) also carries that Patient's identifier (INS). */
function withBundledIdentifier(
  bundle: Bundle,
  subject: Reference | undefined,
): Reference | undefined {
  const literal = subject?.reference;
  if (subject === undefined || subject.identifier || !literal?.startsWith('urn:')) return subject;
  const entry = bundle.entry?.find((e) => e.fullUrl === literal);
  if (entry?.resource?.resourceType !== 'Patient') return subject;
  const resource = entry.resource as Patient;
  const identifier =
    resource.identifier?.find((i) => isInsSystem(i.system)) ?? resource.identifier?.[0];
  return identifier ? { ...subject, identifier } : subject;
}

/**
 * ITI-65 Provide Document Bundle: every check first (schema, MHD/PDSm rules), then one store
 * transaction that writes resources, blobs and the audit record together or nothing at all.
 */
export async function provideBundle(
  ctx: DocumentsContext,
  call: CallContext,
  body: unknown,
): Promise<Bundle> {
  const resource = body as { resourceType?: unknown } | undefined;
  if (resource?.resourceType !== 'Bundle') {
    throw fhirError('DMP-RESOURCE-TYPE-MISMATCH', 'ITI-65 expects a transaction Bundle', 'Bundle');
  }
  const bundle = body as Bundle;
  throwFaults(validateBundleSchema(ctx.validator, bundle));
  const analysis = analyzeSubmission(bundle, call.baseUrl);
  if (!analysis.plan) {
    throwFaults(analysis.faults);
    throw fhirError('DMP-MHD-BUNDLE-INVALID');
  }
  const plan = analysis.plan;
  const patient = withBundledIdentifier(bundle, plan.subject);
  await authorize(
    ctx,
    call,
    {
      interaction: 'provide',
      resourceType: 'DocumentReference',
      transaction: 'ITI-65',
      patient,
    },
    { interaction: 'ITI-65', patient },
  );
  const bytes = decodeDocuments(ctx, bundle, plan);
  return ctx.store.transaction((tx) => storeSubmission(ctx, call, plan, bytes, tx));
}
