import { AccessDecisionUnavailable } from './access-client';

/** A patient identifier (system + value), e.g. the INS. */
export interface RegistryIdentifier {
  system?: string;
  value: string;
}

/** What the consent service's patient registry knows of a patient. */
export interface RegistryPatient {
  id: string;
  /** Patient.active: the DMP is open. */
  active: boolean;
  identifiers: RegistryIdentifier[];
}

export interface PatientRegistryOptions {
  /** Root URL of the consent service (no `/fhir`). */
  baseUrl: string;
  token: () => Promise<string> | string;
  fetch?: typeof fetch;
  /** Milliseconds before giving up (default 2000). */
  timeoutMs?: number;
}

/**
 * The consent service's patient registry (`GET /fhir/Patient/{id}`,
 * `GET /fhir/Patient?identifier=`). Unknown → `undefined` / no match; any other failure throws
 * {@link AccessDecisionUnavailable} (fail closed).
 */
export interface PatientRegistryClient {
  byId(id: string): Promise<RegistryPatient | undefined>;
  /** The patients carrying one of these identifiers (one search, OR list; its first page). */
  byIdentifiers(identifiers: readonly RegistryIdentifier[]): Promise<RegistryPatient[]>;
}

function toPatient(value: unknown): RegistryPatient | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const patient = value as { resourceType?: unknown; id?: unknown; active?: unknown };
  if (patient.resourceType !== 'Patient' || typeof patient.id !== 'string') return undefined;
  const raw = (value as { identifier?: unknown }).identifier;
  const identifiers = (Array.isArray(raw) ? (raw as unknown[]) : []).flatMap((item) => {
    const i = item as { system?: unknown; value?: unknown } | null;
    if (typeof i?.value !== 'string') return [];
    return [{ ...(typeof i.system === 'string' ? { system: i.system } : {}), value: i.value }];
  });
  return { id: patient.id, active: patient.active === true, identifiers };
}

export function createPatientRegistryClient(
  options: PatientRegistryOptions,
): PatientRegistryClient {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.baseUrl.replace(/\/+$/, '')}/fhir`;
  async function get(path: string): Promise<{ status: number; body: unknown }> {
    try {
      const response = await doFetch(`${base}${path}`, {
        headers: {
          accept: 'application/fhir+json',
          authorization: `Bearer ${await options.token()}`,
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
      });
      return { status: response.status, body: await response.json().catch(() => undefined) };
    } catch (error) {
      throw new AccessDecisionUnavailable(`patient registry unreachable: ${String(error)}`);
    }
  }
  return {
    async byId(id) {
      const { status, body } = await get(`/Patient/${encodeURIComponent(id)}`);
      if (status === 404 || status === 410) return undefined;
      const patient = status === 200 ? toPatient(body) : undefined;
      if (!patient) throw new AccessDecisionUnavailable(`patient registry answered ${status}`);
      return patient;
    },
    async byIdentifiers(identifiers) {
      const tokens = identifiers.map((i) => `${i.system ? `${i.system}|` : ''}${i.value}`);
      const { status, body } = await get(
        `/Patient?identifier=${encodeURIComponent(tokens.join(','))}`,
      );
      const entries = (body as { entry?: { resource?: unknown }[] } | undefined)?.entry;
      if (status !== 200 || (entries !== undefined && !Array.isArray(entries))) {
        throw new AccessDecisionUnavailable(`patient registry answered ${status}`);
      }
      return (entries ?? []).flatMap((entry) => {
        const patient = toPatient(entry.resource);
        return patient ? [patient] : [];
      });
    },
  };
}
