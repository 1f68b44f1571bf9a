import { FHIR_NAMESPACE, isElement, malformedXml, type XmlElement } from './xml-tree';

/**
 * What a FHIR XML tree holds, as counts of element paths (`Patient/name/given`) and attribute
 * paths (`Patient/name/given@value`); namespace declarations and the inside of narrative divs
 * are left out. Comparing the tree a client sent with the tree the `fhir` package writes back
 * from the JSON it read tells what the package dropped without a word: unknown or misplaced
 * elements and attributes, a repeated element allowed once, an empty `value`.
 */
type Coverage = Map<string, number>;

function coverageOf(root: XmlElement, fromClient: boolean): Coverage {
  const counts: Coverage = new Map();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const stack: { element: XmlElement; path: string }[] = [{ element: root, path: root.name }];
  while (stack.length > 0) {
    const { element, path } = stack.pop() as { element: XmlElement; path: string };
    add(path);
    if (element.name === 'div') continue; // the narrative: its XHTML is carried as it is
    for (const [name, value] of Object.entries(element.attributes ?? {})) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      if (value === undefined || value === null) continue;
      add(`${path}@${name}`);
    }
    const ns = element.attributes?.xmlns;
    if (fromClient && ns !== undefined && ns !== FHIR_NAMESPACE) {
      throw malformedXml(`${expressionOf(path)} is not in the FHIR namespace`, expressionOf(path));
    }
    if (fromClient && isEmpty(element)) {
      throw malformedXml(
        `${expressionOf(path)} is empty: a FHIR element has a value attribute or children (ele-1)`,
        expressionOf(path),
      );
    }
    for (const child of element.elements ?? []) {
      if (isElement(child)) {
        stack.push({ element: child, path: `${path}/${child.name}` });
      } else if (fromClient && child.type === 'text' && 'text' in child && child.text.trim()) {
        throw malformedXml(
          `${expressionOf(path)} has text content; FHIR XML carries values in value attributes`,
          expressionOf(path),
        );
      }
    }
  }
  return counts;
}

/** An element (not a resource: those may be empty) with no attribute and no child element. */
function isEmpty(element: XmlElement): boolean {
  if (/^[A-Z]/.test(element.name)) return false;
  const attributes = Object.keys(element.attributes ?? {}).filter(
    (name) => name !== 'xmlns' && !name.startsWith('xmlns:'),
  );
  return attributes.length === 0 && !(element.elements ?? []).some(isElement);
}

/** `Bundle/entry/resource/Patient/name` → `Bundle.entry.resource.name` (FHIRPath-like). */
function expressionOf(path: string): string {
  return path
    .split('/')
    .filter((segment, index) => index === 0 || !/^[A-Z]/.test(segment))
    .join('.');
}

/**
 * Throws 400 `DMP-HTTP-MALFORMED-XML` naming the first thing of `sent` (the client's tree) that
 * `written` (the package's re-serialisation of what it read) lacks.
 */
export function assertNothingDropped(sent: XmlElement, written: XmlElement): void {
  const kept = coverageOf(written, false);
  for (const [key, count] of coverageOf(sent, true)) {
    if ((kept.get(key) ?? 0) >= count) continue;
    const [path = key, attribute] = key.split('@');
    const expression = expressionOf(path);
    if (attribute === 'value') {
      throw malformedXml(`${expression} has an empty or unusable value attribute`, expression);
    }
    if (attribute !== undefined) {
      throw malformedXml(`attribute ${attribute} is not allowed on ${expression}`, expression);
    }
    throw malformedXml(
      `${expression} is not a FHIR R4 element at this place (unknown, misplaced, or repeated where only one is allowed)`,
      expression,
    );
  }
}
