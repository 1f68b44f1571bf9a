import type {
  CodeableConcept,
  DocumentReference,
  Extension,
  Parameters,
  ParametersParameter,
} from 'fhir/r4';
import { IS_ARCHIVED_URL } from './constants';
import { PatchError } from './json-patch';

export class PatchNotAllowed extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
  }
}

const ALLOWED =
  'Only DocumentReference.status, securityLabel and the isArchived extension may change';

function part(operation: ParametersParameter, name: string): ParametersParameter | undefined {
  return operation.part?.find((p) => p.name === name);
}

function labelValue(value: ParametersParameter | undefined, path: string): CodeableConcept {
  if (value?.valueCodeableConcept) return value.valueCodeableConcept;
  if (value?.valueCoding) return { coding: [value.valueCoding] };
  throw new PatchError('A securityLabel value is a CodeableConcept or a Coding', path);
}

function archivedValue(value: ParametersParameter | undefined, path: string): boolean {
  const direct = value?.valueBoolean;
  const nested = value?.part?.find((p) => p.name === 'valueBoolean')?.valueBoolean;
  const result = direct ?? nested;
  if (result === undefined) throw new PatchError('isArchived takes a boolean', path);
  return result;
}

function setArchived(document: DocumentReference, archived: boolean): void {
  const others = (document.extension ?? []).filter((e) => e.url !== IS_ARCHIVED_URL);
  const extension: Extension = { url: IS_ARCHIVED_URL, valueBoolean: archived };
  document.extension = [...others, extension];
}

const ARCHIVED_PATH =
  /^DocumentReference\.extension(?:\.where\(url\s*=\s*'([^']+)'\)|\('([^']+)'\))(?:\.value(?:Boolean)?)?$/;
const LABEL_WHERE = /^DocumentReference\.securityLabel\.where\((.*)\)$/;
const LABEL_INDEX = /^DocumentReference\.securityLabel\[(\d+)\]$/;

function applyOperation(
  document: DocumentReference,
  operation: ParametersParameter,
  index: number,
): void {
  const type = part(operation, 'type')?.valueCode;
  const path = part(operation, 'path')?.valueString ?? '';
  const name = part(operation, 'name')?.valueString;
  const value = part(operation, 'value');
  const where = `Parameters.parameter[${String(index)}]`;
  if (type === undefined || path === '')
    throw new PatchError('An operation has a type and a path', where);
  const archivedUrl = ARCHIVED_PATH.exec(path);
  if (type === 'replace' && path === 'DocumentReference.status') {
    const status = value?.valueCode ?? value?.valueString;
    if (status === undefined) throw new PatchError('status takes a code', where);
    document.status = status as DocumentReference['status'];
  } else if (type === 'add' && path === 'DocumentReference' && name === 'securityLabel') {
    document.securityLabel = [...(document.securityLabel ?? []), labelValue(value, where)];
  } else if (type === 'delete' && LABEL_INDEX.test(path)) {
    const at = Number(LABEL_INDEX.exec(path)?.[1]);
    if (at >= (document.securityLabel ?? []).length)
      throw new PatchError('No such securityLabel', where);
    document.securityLabel = (document.securityLabel ?? []).filter((_, i) => i !== at);
  } else if (type === 'delete' && LABEL_WHERE.test(path)) {
    const code = /code\s*=\s*'([^']+)'/.exec(LABEL_WHERE.exec(path)?.[1] ?? '')?.[1];
    if (code === undefined)
      throw new PatchError("Name the label to delete with where(coding.code='…')", where);
    document.securityLabel = (document.securityLabel ?? []).filter(
      (label) => !(label.coding ?? []).some((c) => c.code === code),
    );
  } else if ((type === 'replace' || type === 'add') && archivedUrl) {
    if ((archivedUrl[1] ?? archivedUrl[2]) !== IS_ARCHIVED_URL)
      throw new PatchNotAllowed(ALLOWED, where);
    setArchived(document, archivedValue(value, where));
  } else if (type === 'add' && path === 'DocumentReference' && name === 'extension') {
    const url = value?.part?.find((p) => p.name === 'url')?.valueUri;
    if (url !== IS_ARCHIVED_URL) throw new PatchNotAllowed(ALLOWED, where);
    setArchived(document, archivedValue(value, where));
  } else if (
    type === 'delete' &&
    archivedUrl &&
    (archivedUrl[1] ?? archivedUrl[2]) === IS_ARCHIVED_URL
  ) {
    document.extension = (document.extension ?? []).filter((e) => e.url !== IS_ARCHIVED_URL);
  } else {
    throw new PatchNotAllowed(ALLOWED, `${where} (${path})`);
  }
}

/**
 * FHIRPath Patch (a `Parameters`) limited to the PDSm metadata update: replace `status`; add or
 * delete one `securityLabel`; set or delete the `isArchived` extension. Anything else is not
 * allowed ({@link PatchNotAllowed}); a malformed operation is a {@link PatchError}.
 */
export function applyFhirPathPatch(
  document: DocumentReference,
  parameters: Parameters,
): DocumentReference {
  const copy = structuredClone(document);
  const operations = parameters.parameter ?? [];
  if (operations.length === 0)
    throw new PatchError('The patch has no operation', 'Parameters.parameter');
  operations.forEach((operation, i) => {
    if (operation.name !== 'operation')
      throw new PatchError(
        "Each parameter is an 'operation'",
        `Parameters.parameter[${String(i)}]`,
      );
    applyOperation(copy, operation, i);
  });
  return copy;
}
