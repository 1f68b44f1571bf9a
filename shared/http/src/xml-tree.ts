import { SaxesParser } from 'saxes';
import { fhirError, isFhirError, type FhirError } from '@dmp/errors';

/**
 * XML as a tree of plain objects, in the shape the `fhir` package's converters read and write
 * (xml-js's non-compact form): `{ type: 'element', name, attributes, elements }` and
 * `{ type: 'text', text }`.
 */
export interface XmlElement {
  type: 'element';
  name: string;
  attributes?: Record<string, string | number | boolean | null | undefined>;
  elements?: XmlNode[];
  /** Where the element starts (`<`) and ends (after `>`) in the parsed text. */
  start?: number;
  end?: number;
}
export interface XmlText {
  type: 'text';
  text: string;
}
export interface XmlOther {
  type: 'comment' | 'cdata' | 'instruction' | 'doctype';
}
export type XmlNode = XmlElement | XmlText | XmlOther;

export const FHIR_NAMESPACE = 'http://hl7.org/fhir';
export const XHTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

export function malformedXml(detail: string, expression?: string): FhirError {
  return fhirError(
    'DMP-HTTP-MALFORMED-XML',
    `The request body is not well-formed FHIR XML: ${detail}`,
    expression,
  );
}

/**
 * Parses one XML document with saxes (a strict, non-validating XML 1.0 parser that reads no DTD
 * and knows only the five predefined entities). A DOCTYPE or ENTITY declaration is refused
 * before parsing, so neither entity expansion ("billion laughs") nor external entities can
 * happen; comments and processing instructions are dropped; CDATA becomes text. Elements nested
 * deeper than `maxDepth` are refused while reading (400 `DMP-HTTP-JSON-TOO-DEEP`), so that no
 * later recursive walk can exhaust the stack. Returns the root element and the text parsed
 * (elements know their place in it).
 */
export function parseXmlDocument(
  text: string,
  maxDepth: number,
): { root: XmlElement; source: string } {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (/<!(DOCTYPE|ENTITY)/i.test(source)) {
    throw malformedXml('DOCTYPE and ENTITY declarations are refused');
  }
  const document: XmlElement = { type: 'element', name: '#document', elements: [] };
  const open: XmlElement[] = [document];
  const current = (): XmlElement => open[open.length - 1] ?? document;
  const parser = new SaxesParser<{ xmlns: false; position: true }>({
    xmlns: false,
    position: true,
  });
  parser.on('doctype', () => {
    throw malformedXml('DOCTYPE declarations are refused');
  });
  parser.on('opentag', (tag) => {
    if (open.length > maxDepth) {
      throw fhirError(
        'DMP-HTTP-JSON-TOO-DEEP',
        `The request body nests deeper than ${String(maxDepth)} levels`,
      );
    }
    const element: XmlElement = {
      type: 'element',
      name: tag.name,
      attributes: { ...tag.attributes },
      elements: [],
      // `<` cannot occur inside a tag, so the last one before the tag's end is its start.
      start: source.lastIndexOf('<', parser.position - 1),
    };
    current().elements?.push(element);
    open.push(element);
  });
  parser.on('closetag', () => {
    const element = open.pop();
    if (element) element.end = parser.position;
  });
  const addText = (value: string) => {
    if (open.length > 1) current().elements?.push({ type: 'text', text: value });
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(source).close();
  } catch (error) {
    if (isFhirError(error)) throw error;
    throw malformedXml(error instanceof Error ? error.message : String(error));
  }
  const roots = (document.elements ?? []).filter(isElement);
  const [root] = roots;
  if (!root || roots.length > 1) throw malformedXml('expected exactly one root element');
  return { root, source };
}

export function isElement(node: XmlNode): node is XmlElement {
  return node.type === 'element';
}

const escapeText = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Escapes an attribute value completely (for text read by the parser, hence unescaped). */
export const escapeAttribute = (value: string): string =>
  escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');

/**
 * Serialises an element: attributes in their order, `<x/>` when empty, text escaped.
 * `attribute` escapes attribute values (they may come pre-escaped from the `fhir` package).
 */
export function writeXml(
  element: XmlElement,
  attribute: (value: string) => string = escapeAttribute,
): string {
  const parts: string[] = [];
  const write = (node: XmlNode) => {
    if (node.type === 'text') {
      parts.push(escapeText(node.text));
      return;
    }
    if (!isElement(node)) return;
    parts.push('<', node.name);
    for (const [name, value] of Object.entries(node.attributes ?? {})) {
      if (value === undefined || value === null) continue;
      parts.push(' ', name, '="', attribute(String(value)), '"');
    }
    const children = node.elements ?? [];
    if (children.length === 0) {
      parts.push('/>');
      return;
    }
    parts.push('>');
    children.forEach(write);
    parts.push('</', node.name, '>');
  };
  write(element);
  return parts.join('');
}
