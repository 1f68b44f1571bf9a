/** The services behind the console, by the name its API uses. */
export type ServiceName = 'documents' | 'consent' | 'audit';

/**
 * The console path for a URL a service gave (a `next` link, an `attachment.url`): the same FHIR
 * path and query under `/api/fhir/<service>`. Relative FHIR paths (`Binary/1`) work too.
 */
export function consolePathOf(service: ServiceName, url: string): string {
  const parsed = new URL(url, 'http://service.invalid/fhir/');
  const index = parsed.pathname.indexOf('/fhir');
  const fhirPath = index >= 0 ? parsed.pathname.slice(index + '/fhir'.length) : parsed.pathname;
  return `/api/fhir/${service}${fhirPath.startsWith('/') ? fhirPath : `/${fhirPath}`}${parsed.search}`;
}

/** `/api/fhir/<service>/<path>?<params>`. */
export function apiPath(
  service: ServiceName,
  path: string,
  params?: URLSearchParams | Record<string, string>,
): string {
  const query = params ? new URLSearchParams(params).toString() : '';
  return `/api/fhir/${service}/${path.replace(/^\/+/, '')}${query ? `?${query}` : ''}`;
}

export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

/** `urn:oid:1.2.250.1.213.1.4.8|<INS>`: a patient's INS as a token search value. */
export function insToken(ins: string): string {
  return `${INS_SYSTEM}|${ins}`;
}

/** Whether `ins` is a well-formed INS: 13 characters (Corsica: 2A / 2B) and the key mod 97. */
export function isValidIns(ins: string): boolean {
  if (!/^\d{6}[\dAB]\d{8}$/.test(ins)) return false;
  const body = ins
    .slice(0, 13)
    .replace(
      /^(\d{5})2([AB])/,
      (_all, head: string, letter: string) => head + (letter === 'A' ? '19' : '18'),
    );
  if (!/^\d{13}$/.test(body)) return false;
  return 97 - Number(BigInt(body) % 97n) === Number(ins.slice(13));
}
