import { fhirError } from '@dmp/errors';
import type { Identifier } from 'fhir/r4';
import type { AccessQuestion } from '../use-cases/evaluate-access';
import type { DocumentFacts, SubjectFacts, SubjectKind } from '../domain/decision';
import { parseChange, type DocumentChange } from '../domain/document-changes';
import { isAction } from '../domain/vocabulary';
import { patientKeyOf } from './patient-key';

type Json = Record<string, unknown>;

const KINDS: readonly SubjectKind[] = ['practitioner', 'patient', 'system', 'auditor'];
const MODES = ['normal', 'bris_de_glace', 'centre_15'] as const;
const ATTESTATIONS = ['care_team', 'consent', 'regulation'] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, expression: string) {
  return fhirError('DMP-CONSENT-REQUEST-INVALID', message, expression);
}

function optionalString(object: Json, name: string, where: string): string | undefined {
  const value = object[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`, `${where}.${name}`);
  return value;
}

function oneOf<T extends string>(
  object: Json,
  name: string,
  allowed: readonly T[],
  where: string,
): T | undefined {
  const value = optionalString(object, name, where);
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (!found) throw invalid(`${name} must be one of ${allowed.join(', ')}`, `${where}.${name}`);
  return found;
}

function patientOf(value: unknown, where: string): Identifier | string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (isObject(value)) {
    return {
      ...(typeof value['system'] === 'string' ? { system: value['system'] } : {}),
      ...(typeof value['value'] === 'string' ? { value: value['value'] } : {}),
    };
  }
  throw invalid('patient must be an INS string or an identifier', where);
}

function objectAt(body: Json, name: string, where: string, required = true): Json {
  const value = body[name];
  if (value === undefined && !required) return {};
  if (!isObject(value)) throw invalid(`${name} must be an object`, `${where}${name}`);
  return value;
}

function subjectOf(body: Json, context: Json, where: string): SubjectFacts {
  const subject = objectAt(body, 'subject', where);
  const properties = objectAt(subject, 'properties', `${where}subject.`, false);
  const kind = oneOf(subject, 'type', KINDS, `${where}subject`);
  const id = optionalString(subject, 'id', `${where}subject`);
  if (!kind || !id) throw invalid('subject needs a type and an id', `${where}subject`);
  const accessMode = oneOf(context, 'access_mode', MODES, `${where}context`) ?? 'normal';
  const accessReason = optionalString(context, 'access_reason', `${where}context`);
  if (
    accessMode === 'bris_de_glace' &&
    (accessReason === undefined || accessReason.trim() === '')
  ) {
    throw fhirError(
      'DMP-CONSENT-BREAK-GLASS-REASON-REQUIRED',
      'bris_de_glace needs context.access_reason',
      `${where}context.access_reason`,
    );
  }
  const bound = patientOf(properties['patient'], `${where}subject.properties.patient`);
  const boundIns = typeof bound === 'string' ? bound : bound?.value;
  const attestation = oneOf(context, 'attestation', ATTESTATIONS, `${where}context`);
  const profession = optionalString(properties, 'profession', `${where}subject.properties`);
  const organizationId = optionalString(
    properties,
    'organization_id',
    `${where}subject.properties`,
  );
  return {
    kind,
    id,
    accessMode,
    legalRepresentative: properties['legal_representative'] === true,
    ...(profession !== undefined ? { profession } : {}),
    ...(organizationId !== undefined ? { organizationId } : {}),
    ...(accessReason !== undefined ? { accessReason } : {}),
    ...(attestation !== undefined ? { attestation } : {}),
    ...(boundIns !== undefined ? { patientIns: boundIns } : {}),
  };
}

function strings(object: Json, name: string, where: string): string[] {
  const value = object[name] ?? [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(`${name} must be an array of strings`, `${where}.${name}`);
  }
  return value;
}

function documentOf(properties: Json, where: string): DocumentFacts {
  const depositDate = optionalString(properties, 'deposit_date', where);
  if (depositDate !== undefined && Number.isNaN(Date.parse(depositDate))) {
    throw invalid('deposit_date must be an ISO 8601 date', `${where}.deposit_date`);
  }
  const classCode = optionalString(properties, 'class', where);
  const typeCode = optionalString(properties, 'type', where);
  const submitter = optionalString(properties, 'submitter', where);
  return {
    labels: strings(properties, 'security_labels', where),
    authors: strings(properties, 'authors', where),
    authorOrganizations: strings(properties, 'author_organizations', where),
    ...(classCode !== undefined ? { classCode } : {}),
    ...(typeCode !== undefined ? { typeCode } : {}),
    ...(submitter !== undefined ? { submitter } : {}),
    ...(depositDate !== undefined ? { depositDate } : {}),
  };
}

/** `action.properties.changes` of an update: each a known change code (400 otherwise). */
function changesOf(action: Json, where: string): DocumentChange[] {
  const properties = objectAt(action, 'properties', `${where}action.`, false);
  return strings(properties, 'changes', `${where}action.properties`).map((text, i) => {
    const change = parseChange(text);
    if (!change) {
      throw invalid(`unknown change '${text}'`, `${where}action.properties.changes[${i}]`);
    }
    return change;
  });
}

/** Validates one AuthZEN evaluation request (`where` prefixes error expressions in a batch). */
export function parseEvaluation(body: unknown, where = ''): AccessQuestion {
  if (!isObject(body)) throw invalid('The request body must be a JSON object', where || '$');
  const context = objectAt(body, 'context', where, false);
  const subject = subjectOf(body, context, where);
  const action = objectAt(body, 'action', where);
  if (!isAction(action['name'])) {
    throw invalid('action.name is not a known action', `${where}action.name`);
  }
  if (!isObject(body['resource'])) {
    throw fhirError(
      'DMP-CONSENT-PATIENT-REQUIRED',
      'resource.properties.patient is required',
      `${where}resource`,
    );
  }
  const resource = body['resource'];
  const properties = objectAt(resource, 'properties', `${where}resource.`, false);
  const key = patientKeyOf(
    patientOf(properties['patient'], `${where}resource.properties.patient`),
    `${where}resource.properties.patient`,
  );
  const type = oneOf(resource, 'type', ['DocumentReference', 'dmp'] as const, `${where}resource`);
  const changes = changesOf(action, where);
  if (action['name'] === 'update-metadata' && changes.length === 0) {
    throw invalid('update-metadata names its changes', `${where}action.properties.changes`);
  }
  return {
    subject,
    action: action['name'],
    key,
    ...(changes.length > 0 ? { changes } : {}),
    ...(type === 'DocumentReference'
      ? { document: documentOf(properties, `${where}resource.properties`) }
      : {}),
  };
}

const MAX_BATCH = 100;

/** AuthZEN batch: top-level subject/action/resource/context are defaults for each item. */
export function parseEvaluations(body: unknown): AccessQuestion[] {
  if (!isObject(body) || !Array.isArray(body['evaluations']) || body['evaluations'].length === 0) {
    throw invalid('evaluations must be a non-empty array', 'evaluations');
  }
  if (body['evaluations'].length > MAX_BATCH) {
    throw invalid(`at most ${MAX_BATCH} evaluations per request`, 'evaluations');
  }
  const defaults: Json = {};
  for (const name of ['subject', 'action', 'resource', 'context']) {
    if (body[name] !== undefined) defaults[name] = body[name];
  }
  return body['evaluations'].map((item: unknown, index) => {
    if (!isObject(item))
      throw invalid('each evaluation must be an object', `evaluations[${index}]`);
    return parseEvaluation({ ...defaults, ...item }, `evaluations[${index}].`);
  });
}
