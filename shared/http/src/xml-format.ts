import { ConvertToJs } from 'fhir/convertToJs';
import { ConvertToXml } from 'fhir/convertToXml';
import { ParseConformance } from 'fhir/parseConformance';
import { isFhirError } from '@dmp/errors';
import { assertNothingDropped } from './xml-coverage';
import { NarrativeSlots } from './xml-narrative';
import {
  FHIR_NAMESPACE,
  isElement,
  malformedXml,
  parseXmlDocument,
  writeXml,
  type XmlElement,
} from './xml-tree';

/**
 * FHIR XML ↔ FHIR JSON, with the `fhir` package (FHIR.js, pinned): it walks the R4
 * StructureDefinitions, so every element, choice type, primitive extension (`_x`) and contained
 * resource maps as the specification says. Around it we add what it lacks for a server:
 * - safe, strict parsing (saxes; no DOCTYPE, so no entity expansion or external entity; a depth
 *   bound before any recursion), see `xml-tree.ts`;
 * - decimals as JSON numbers (its `xmlToObj` leaves them strings, e.g. a Quantity `1` → `"1"`);
 * - the narrative XHTML kept as written (see `xml-narrative.ts`);
 * - refusal of whatever it would drop silently (unknown elements, text content, empty values),
 *   see `xml-coverage.ts`, so that an XML body means exactly what its JSON twin means.
 * Two internal methods of the package are used (`resourceToJS`, `resourceToXML`) and one is
 * wrapped (`propertyToXML`, to skip absent properties: four times faster, same output); the
 * version is pinned in package.json and the fixture round-trip tests guard both.
 */

type JsonObject = Record<string, unknown>;

interface ToJsInternals {
  resourceToJS(element: XmlElement, surroundDecimalsWith: object | null): JsonObject;
}
type PropertyToXml = (
  parent: XmlElement,
  parentType: unknown,
  value: JsonObject | null | undefined,
  name: string,
  parentPropertyType?: string,
) => void;
interface ToXmlInternals {
  resourceToXML(resource: unknown): { elements: XmlElement[] };
  propertyToXML: PropertyToXml;
}

interface Converters {
  toJs: ToJsInternals;
  toXml: ToXmlInternals;
  resourceTypes: ReadonlySet<string>;
}

let converters: Converters | undefined;

/** Loaded on first use (about 0.2 s and 16 MB for the R4 definitions), then shared. */
function loadConverters(): Converters {
  if (converters) return converters;
  const definitions = new ParseConformance(true);
  const toJs = new ConvertToJs(definitions) as unknown as ToJsInternals;
  const toXml = new ConvertToXml(definitions) as unknown as ToXmlInternals;
  const propertyToXML = toXml.propertyToXML.bind(toXml);
  toXml.propertyToXML = (parent, parentType, value, name, parentPropertyType) => {
    if (value === null || value === undefined) return;
    if (value[name] === undefined && value[`_${name}`] === undefined) return;
    propertyToXML(parent, parentType, value, name, parentPropertyType);
  };
  const resourceTypes = new Set(
    Object.entries(definitions.parsedStructureDefinitions)
      .filter(([, structure]) => structure._kind === 'resource')
      .map(([name]) => name),
  );
  converters = { toJs, toXml, resourceTypes };
  return converters;
}

/** The package's decimals come as `{ value, toJSON }` holders: made JSON numbers here. */
function numbersForDecimals(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(numbersForDecimals);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as JsonObject;
  if (typeof record.toJSON === 'function' && typeof record.value === 'string') {
    return Number(record.value);
  }
  for (const [key, child] of Object.entries(record)) record[key] = numbersForDecimals(child);
  return record;
}

function rootOf(tree: { elements: XmlElement[] }): XmlElement {
  const root = tree.elements.find(isElement);
  if (!root) throw new Error('The fhir package wrote no XML element');
  return root;
}

/**
 * Reads a FHIR XML document into the FHIR JSON object it stands for. Anything wrong is a 400
 * `DMP-HTTP-MALFORMED-XML` (or `DMP-HTTP-JSON-TOO-DEEP` past `maxDepth` element levels); the
 * JSON depth limit itself is checked by the caller on the result, as for a JSON body.
 */
export function fhirXmlToJson(text: string, maxDepth: number): JsonObject {
  const { root, source } = parseXmlDocument(text, maxDepth);
  if (root.attributes?.xmlns !== FHIR_NAMESPACE) {
    throw malformedXml(`the root element must be in the FHIR namespace ${FHIR_NAMESPACE}`);
  }
  const { toJs, toXml, resourceTypes } = loadConverters();
  if (!resourceTypes.has(root.name)) {
    throw malformedXml(`${root.name} is not a FHIR R4 resource type`);
  }
  const narratives = new NarrativeSlots();
  narratives.takeFromTree(root, source);
  let resource: JsonObject;
  try {
    resource = numbersForDecimals(toJs.resourceToJS(root, {})) as JsonObject;
  } catch (error) {
    if (isFhirError(error)) throw error;
    throw malformedXml(error instanceof Error ? error.message : String(error));
  }
  assertNothingDropped(root, rootOf(toXml.resourceToXML(resource)));
  narratives.restoreIn(resource);
  return resource;
}

/**
 * Pre-escaped by the package (`&`, `<`, `>`, CR, LF in string values); only `"` and tab are
 * left to escape, tab because attribute normalisation would turn it into a space.
 */
const finishAttribute = (value: string) => value.replace(/"/g, '&quot;').replace(/\t/g, '&#x9;');

/** Writes a FHIR JSON resource as a FHIR XML document (UTF-8, with its XML declaration). */
export function jsonToFhirXml(resource: object): string {
  const narratives = new NarrativeSlots();
  const prepared = narratives.replaceInJson(resource);
  const root = rootOf(loadConverters().toXml.resourceToXML(prepared));
  return narratives.restore(
    `<?xml version="1.0" encoding="UTF-8"?>${writeXml(root, finishAttribute)}`,
  );
}
