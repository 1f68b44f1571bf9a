import { randomUUID } from 'node:crypto';
import {
  isElement,
  malformedXml,
  parseXmlDocument,
  writeXml,
  XHTML_NAMESPACE,
  type XmlElement,
} from './xml-tree';

/**
 * The narrative (`Narrative.div`, XHTML) is carried by us, not by the `fhir` package: its own
 * XHTML round trip drops whitespace-only text (`<a name="x"> </a>` comes back `<a name="x"/>`)
 * and writes `<` unescaped in attribute values. Each div is swapped for a placeholder before the
 * package converts, and put back afterwards: as the XHTML exactly as written in the XML (XML →
 * JSON), or as the JSON string itself once checked well-formed (JSON → XML). Both directions
 * copy the text, so a narrative round-trips unchanged, character for character.
 */
export class NarrativeSlots {
  private readonly token = `dmp-xhtml-${randomUUID()}`;
  private readonly values: string[] = [];

  /** A placeholder standing for `xhtml`, to be put back by {@link restore} / {@link restoreIn}. */
  private slot(xhtml: string): string {
    this.values.push(xhtml);
    return `${this.token}-${String(this.values.length - 1)}`;
  }

  private readonly pattern = () => new RegExp(`${this.token}-(\\d+)`);

  /**
   * XML → JSON: every narrative `div` of the tree becomes a div holding a placeholder; its XHTML
   * is kept exactly as the client wrote it in `source` (a well-formed element, entities already
   * checked by the parser). A `div` outside the XHTML namespace is refused.
   */
  takeFromTree(root: XmlElement, source: string): void {
    const stack: XmlElement[] = [root];
    while (stack.length > 0) {
      const element = stack.pop() as XmlElement;
      for (const child of element.elements ?? []) {
        if (!isElement(child)) continue;
        if (child.name !== 'div') {
          stack.push(child);
          continue;
        }
        if (child.attributes?.xmlns !== XHTML_NAMESPACE) {
          throw malformedXml(`a narrative div must be in the XHTML namespace ${XHTML_NAMESPACE}`);
        }
        const xhtml =
          child.start !== undefined && child.end !== undefined
            ? source.slice(child.start, child.end)
            : writeXml(child);
        child.elements = [{ type: 'text', text: this.slot(xhtml) }];
      }
    }
  }

  /** XML → JSON: puts the XHTML strings back in place of the converted placeholders. */
  restoreIn(value: unknown): void {
    const pattern = this.pattern();
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const node = stack.pop();
      if (typeof node !== 'object' || node === null) continue;
      const record = node as Record<string, unknown>;
      for (const [key, child] of Object.entries(record)) {
        const match = key === 'div' && typeof child === 'string' ? pattern.exec(child) : null;
        if (match) record[key] = this.values[Number(match[1])];
        else if (typeof child === 'object') stack.push(child);
      }
    }
  }

  /**
   * JSON → XML: a copy of `resource` whose narrative divs are placeholders (the `fhir` package
   * re-parses div strings itself); the originals are kept, made ready for XML output.
   */
  replaceInJson(resource: unknown): unknown {
    const copy = (value: unknown, key: string | undefined): unknown => {
      if (Array.isArray(value)) return value.map((item) => copy(item, key));
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(
        Object.entries(value).map(([name, child]) => [
          name,
          name === 'div' && key === 'text' && typeof child === 'string'
            ? `<div xmlns="${XHTML_NAMESPACE}">${this.slot(xhtmlForXml(child))}</div>`
            : copy(child, name),
        ]),
      );
    };
    return copy(resource, undefined);
  }

  /** JSON → XML: puts the narratives back in the serialised XML. */
  restore(xml: string): string {
    const escapedNs = XHTML_NAMESPACE.replace(/[.]/g, '\\.');
    return xml.replace(
      new RegExp(`<div xmlns="${escapedNs}">${this.token}-(\\d+)</div>`, 'g'),
      (_whole, index: string) => this.values[Number(index)] ?? '',
    );
  }
}

/**
 * A JSON narrative as it goes into XML: unchanged when it is one well-formed XHTML `div` element
 * and nothing else (with the XHTML namespace added when it lacks one); otherwise its text,
 * escaped, in a div, so that what was stored can neither break the XML document nor add
 * elements of another namespace to the resource around it.
 */
function xhtmlForXml(div: string): string {
  const trimmed = div.trim();
  try {
    const { root } = parseXmlDocument(trimmed, 256);
    const xmlns = root.attributes?.xmlns;
    const onlyTheDiv =
      root.name === 'div' && trimmed.startsWith('<div') && /(<\/div>|\/>)$/.test(trimmed);
    if (onlyTheDiv && (xmlns === undefined || xmlns === XHTML_NAMESPACE)) {
      return xmlns === undefined
        ? trimmed.replace(/^<div/, `<div xmlns="${XHTML_NAMESPACE}"`)
        : trimmed;
    }
  } catch {
    // Not well-formed: falls through to the escaped form.
  }
  return writeXml({
    type: 'element',
    name: 'div',
    attributes: { xmlns: XHTML_NAMESPACE },
    elements: [{ type: 'text', text: div }],
  });
}
