import type { OperationOutcome } from 'fhir/r4';

/** A failed call as the console shows it: the service's own words, never a blank page. */
export interface Failure {
  status: number;
  /** The OperationOutcome's text (every issue), or a plain description. */
  text: string;
  /** Our stable error code (`DMP-…`), when the service gave one. */
  code?: string;
}

const ERROR_CODE_SYSTEM = 'https://dmp.example.fr/fhir/CodeSystem/error-code';

const STATUS_TITLES: Record<number, string> = {
  400: 'Demande invalide',
  401: 'Connexion requise',
  403: 'Accès refusé',
  404: 'Introuvable',
  409: 'Conflit',
  410: 'Supprimé',
  412: 'Modifié entre-temps',
  413: 'Trop volumineux',
  422: 'Refusé par les règles du DMP',
  502: 'Service injoignable',
  503: 'Service indisponible',
};

/** A short French title for an HTTP status. */
export function titleOfStatus(status: number): string {
  return STATUS_TITLES[status] ?? (status >= 500 ? 'Erreur du service' : `Erreur ${status}`);
}

function isOutcome(body: unknown): body is OperationOutcome {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'OperationOutcome'
  );
}

/** The failure a response body describes: its OperationOutcome's text and code when it has one. */
export function failureOf(status: number, body: unknown): Failure {
  if (!isOutcome(body)) {
    const text = typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 300) : '';
    return { status, text: text || `Le service a répondu ${status}.` };
  }
  const texts = (body.issue ?? [])
    .map((issue) => issue.details?.text ?? issue.diagnostics ?? '')
    .filter((text) => text !== '');
  const code = (body.issue ?? [])
    .flatMap((issue) => issue.details?.coding ?? [])
    .find((coding) => coding.system === ERROR_CODE_SYSTEM)?.code;
  return {
    status,
    text: texts.length > 0 ? [...new Set(texts)].join(' ') : `Le service a répondu ${status}.`,
    ...(code ? { code } : {}),
  };
}

/** The failure of a call that got no answer at all. */
export function networkFailure(error: unknown): Failure {
  const detail = error instanceof Error ? error.message : String(error);
  return { status: 0, text: `La console est injoignable (${detail}).` };
}
