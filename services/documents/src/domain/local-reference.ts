/**
 * A reference as this server's own (`Type/id`, `Type?query`): written under `baseUrl`
 * (`[base]/Type/id`) it loses that prefix; anything else is returned as it is.
 */
export function localReference(reference: string, baseUrl: string): string {
  return baseUrl !== '' && reference.startsWith(`${baseUrl}/`)
    ? reference.slice(baseUrl.length + 1)
    : reference;
}
