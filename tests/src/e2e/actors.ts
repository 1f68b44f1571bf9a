import type {
  Bundle,
  BundleEntry,
  DocumentReference,
  FhirResource,
  Parameters,
  Practitioner,
} from 'fhir/r4';
import Client from 'fhir-kit-client';
import { benchBundle } from '../../../services/documents/src/bench/bench-data';
import { INS_SYSTEM } from './running-product';

/**
 * What the actors' software does, through fhir-kit-client (1.x: CommonJS, default export)
 * against a service's root URL.
 */
export function fhirClient(rootUrl: string, token: string): Client {
  return new Client({ baseUrl: `${rootUrl}/fhir`, bearerToken: token });
}

export interface Failure {
  status: number;
  /** The OperationOutcome (or body) as JSON text, to look for a code. */
  body: string;
}

/** The HTTP failure of a fhir-kit-client call (it throws `{ response: { status, data } }`). */
export async function failureOf(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status?: unknown; data?: unknown } }).response;
    if (typeof response?.status === 'number') {
      return { status: response.status, body: JSON.stringify(response.data) };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

const patientParameter = (ins: string) => ({
  name: 'patient',
  valueIdentifier: { system: INS_SYSTEM, value: ins },
});

/** The patient (or their software) opens their DMP in the consent service. */
export function openDmp(consent: Client, ins: string): Promise<unknown> {
  return consent.operation({
    resourceType: 'Patient',
    name: '$dmp-open',
    input: { resourceType: 'Parameters', parameter: [patientParameter(ins)] },
  });
}

/** One `change` of `Consent/$dmp-change` (authorize, block, unblock, revoke…). */
export function change(type: string, professional: string) {
  return {
    name: 'change',
    part: [
      { name: 'type', valueCode: type },
      { name: 'professional', valueString: professional },
    ],
  };
}

/** The patient changes their choices; the new DMP Consent comes back. */
export function changeConsent(
  consent: Client,
  ins: string,
  ...changes: ReturnType<typeof change>[]
): Promise<unknown> {
  return consent.operation({
    resourceType: 'Consent',
    name: '$dmp-change',
    input: { resourceType: 'Parameters', parameter: [patientParameter(ins), ...changes] },
  });
}

/** An ITI-65 Comprehensive Provide Document Bundle with one PDF of `text` for the patient. */
export function provideBundle(ins: string, text: string): Bundle & { type: 'transaction' } {
  return benchBundle(ins, Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`)) as Bundle & {
    type: 'transaction';
  };
}

/** The same bundle, its document authored by this professional (idNat_PS). */
export function authoredBy(bundle: Bundle, professional: string): Bundle & { type: 'transaction' } {
  const document = bundle.entry?.[1]?.resource as DocumentReference;
  for (const contained of document.contained ?? []) {
    if (contained.resourceType === 'Practitioner') {
      (contained as Practitioner).identifier = [
        { system: 'urn:oid:1.2.250.1.71.4.2.1', value: professional },
      ];
    }
  }
  return bundle as Bundle & { type: 'transaction' };
}

/** The visibility flags of TRE_A07 (SPEC B.8, C.3). */
const VISIBILITY = 'urn:oid:1.2.250.1.213.1.1.4.13';

/** PDSm metadata update (TD3.3a): adds `MASQUE_PS` to the document's labels (additive, C.3). */
export function maskDocument(documents: Client, id: string): Promise<unknown> {
  return documents.patch({
    resourceType: 'DocumentReference',
    id,
    JSONPatch: [
      {
        op: 'add',
        path: '/securityLabel/-',
        value: { coding: [{ system: VISIBILITY, code: 'MASQUE_PS' }] },
      },
    ],
  });
}

/** ITI-67: the patient's current DocumentReferences. */
export async function findDocuments(documents: Client, ins: string): Promise<DocumentReference[]> {
  const bundle = (await documents.search({
    resourceType: 'DocumentReference',
    searchParams: { 'patient.identifier': `${INS_SYSTEM}|${ins}`, status: 'current' },
  })) as Bundle;
  return (bundle.entry ?? []).map((entry) => entry.resource as DocumentReference);
}

/** The Binary id of a DocumentReference's first attachment (`…/fhir/Binary/{id}`). */
export function binaryIdOf(document: DocumentReference): string {
  const url = document.content[0]?.attachment.url ?? '';
  return url.slice(url.lastIndexOf('/') + 1);
}

export function resourcesOf<T extends FhirResource>(bundle: unknown): T[] {
  return ((bundle as Bundle).entry ?? []).map((entry: BundleEntry) => entry.resource as T);
}

export function partsOf(parameters: unknown): Record<string, unknown>[] {
  return ((parameters as Parameters).parameter ?? []).map((p) =>
    Object.fromEntries(
      (p.part ?? []).map((part) => [
        part.name,
        part.valueString ?? part.valueCode ?? part.valueDateTime ?? part.valueBoolean,
      ]),
    ),
  );
}

/** Polls `probe` until it returns a value (the audit shipper delivers in the background). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
