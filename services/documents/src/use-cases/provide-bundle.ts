import type { Bundle, BundleEntry, Identifier, Patient } from 'fhir/r4';
import { fhirError, type Fault } from '@dmp/errors';
import { isInsSystem, type ResourceValidator } from '@dmp/fhir';
import { entryPath } from '../domain/bundle-entries';
import { documentBytes } from '../domain/document-bytes';
import { decisionPatientOf } from '../domain/patient-key';
import { analyzeSubmission } from '../domain/submission-analysis';
import { throwFaults, type CallContext, type DocumentsContext } from './context';
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
      const expression = `${entryPath(entry.index)}.resource.data`;
      if (entry.resource.data === undefined) {
        throw fhirError('DMP-MHD-MISSING-DOCUMENT', 'The Binary carries no data', expression);
      }
      content = documentBytes(entry.resource, expression);
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

/** The INS of a Patient carried in the bundle under `fullUrl`, if any. */
function bundledIdentifier(bundle: Bundle): (fullUrl: string) => Identifier | undefined {
  return (fullUrl) => {
    const entry = bundle.entry?.find((e) => e.fullUrl === fullUrl);
    if (entry?.resource?.resourceType !== 'Patient') return undefined;
    return (entry.resource as Patient).identifier?.find((i) => isInsSystem(i.system));
  };
}

/**
 * ITI-65 Provide Document Bundle: every check that needs no database first (schema, MHD/PDSm
 * rules), then the enforcement point decides the patient and every related document, and the
 * submission is written in its scope: resources, blobs and the audit record together or nothing.
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
  const bytes = decodeDocuments(ctx, bundle, plan);
  const patient = decisionPatientOf(plan.subject ?? {}, call.baseUrl, bundledIdentifier(bundle));
  return ctx.access.submit(
    call,
    { transaction: 'ITI-65', patient, relations: plan.relations },
    (scope) => storeSubmission(call, plan, bytes, scope),
  );
}
