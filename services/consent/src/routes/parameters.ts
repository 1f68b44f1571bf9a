import type { Identifier, Parameters, ParametersParameter, Period } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import type { PreferenceChange } from '../domain/preferences';

/** Reading the `Parameters` bodies of the consent service's FHIR operations. */

export function parametersOf(body: unknown): ParametersParameter[] {
  if (
    typeof body !== 'object' ||
    body === null ||
    (body as Parameters).resourceType !== 'Parameters'
  ) {
    throw fhirError(
      'DMP-RESOURCE-TYPE-MISMATCH',
      'The body must be a Parameters resource',
      'resourceType',
    );
  }
  const parameter = (body as Parameters).parameter ?? [];
  if (!Array.isArray(parameter)) {
    throw fhirError(
      'DMP-CONSENT-REQUEST-INVALID',
      'parameter must be an array',
      'Parameters.parameter',
    );
  }
  assertParameterShapes(parameter, 'Parameters.parameter');
  return parameter;
}

/** Every parameter (and nested part) is an object with a string name; parts are arrays. */
function assertParameterShapes(parameters: unknown[], path: string): void {
  parameters.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw fhirError('DMP-CONSENT-REQUEST-INVALID', 'A parameter must be an object', at);
    }
    const { name, part } = item as { name?: unknown; part?: unknown };
    if (typeof name !== 'string') {
      throw fhirError('DMP-CONSENT-REQUEST-INVALID', 'A parameter needs a name', `${at}.name`);
    }
    if (part === undefined) return;
    if (!Array.isArray(part)) {
      throw fhirError('DMP-CONSENT-REQUEST-INVALID', 'part must be an array', `${at}.part`);
    }
    assertParameterShapes(part, `${at}.part`);
  });
}

export function named(parameters: ParametersParameter[], name: string): ParametersParameter[] {
  return parameters.filter((p) => p.name === name);
}

function where(name: string): string {
  return `Parameters.parameter.where(name='${name}')`;
}

/** The `patient` parameter (valueIdentifier or valueString INS), if given. */
export function patientParameter(
  parameters: ParametersParameter[],
): Identifier | string | undefined {
  const [patient] = named(parameters, 'patient');
  return patient?.valueIdentifier ?? patient?.valueString;
}

export function optionalStringParameter(
  parameters: ParametersParameter[],
  name: string,
): string | undefined {
  const [parameter] = named(parameters, name);
  if (!parameter) return undefined;
  const value = parameter.valueString ?? parameter.valueCode;
  if (typeof value !== 'string' || value.trim() === '') {
    throw fhirError(
      'DMP-CONSENT-REQUEST-INVALID',
      `${name} must be a non-empty string`,
      where(name),
    );
  }
  return value;
}

const PROFESSIONAL_KINDS = [
  'authorize',
  'revoke',
  'block',
  'unblock',
  'add-delegate',
  'remove-delegate',
] as const;

/**
 * `change` parts, in order. Each has a `type` (valueCode) and, as the type needs, a
 * `professional` (valueString or valueIdentifier: idNat_PS), a `period` (valuePeriod) or a
 * `value` (valueBoolean). `attending-physician` without a professional clears it.
 */
export function changesOf(parameters: ParametersParameter[]): PreferenceChange[] {
  return named(parameters, 'change').map((change, index) => {
    const at = `${where('change')}[${index}]`;
    const part = (name: string) => change.part?.find((p) => p.name === name);
    const type = part('type')?.valueCode ?? part('type')?.valueString ?? '';
    const professionalPart = part('professional');
    const professional = professionalPart?.valueString ?? professionalPart?.valueIdentifier?.value;
    const value = part('value')?.valueBoolean;
    const bad = (message: string) => fhirError('DMP-CONSENT-REQUEST-INVALID', message, at);
    if (professional !== undefined && !/^[0-9A-Za-z]{1,64}$/.test(professional)) {
      throw bad('professional must be an idNat_PS');
    }
    switch (type) {
      case 'emergency-opposition':
      case 'hide-everything':
        if (typeof value !== 'boolean') throw bad(`${type} needs a boolean value`);
        return { kind: type, value };
      case 'attending-physician':
        return professional === undefined ? { kind: type } : { kind: type, professional };
      default: {
        const kind = PROFESSIONAL_KINDS.find((k) => k === type);
        if (!kind) throw bad(`unknown change type ${type}`);
        if (professional === undefined) throw bad(`${kind} needs a professional`);
        if (kind === 'authorize') {
          const period: Period | undefined = part('period')?.valuePeriod;
          return period ? { kind, professional, period: { ...period } } : { kind, professional };
        }
        return { kind, professional };
      }
    }
  });
}
