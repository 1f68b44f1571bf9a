import type { Identifier } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { requireScope } from '@dmp/auth';
import { fhirError } from '@dmp/errors';
import { parseETag } from '@dmp/fhir';
import type { FhirRequest, RouteDefinition } from '@dmp/http';
import { CLOSURE_REASONS } from '../domain/dmp-state';
import type { PatientKey } from '../storage/dmp-repository';
import { declareEmergencyAccess } from '../use-cases/break-glass';
import { changeConsent } from '../use-cases/change-consent';
import type { ConsentServices } from '../use-cases/context';
import { closeDmpOf, openDmp, requestDmpErasure } from '../use-cases/dmp-lifecycle';
import { callerOf } from './caller';
import { resourceResult } from './fhir.routes';
import { changesOf, optionalStringParameter, parametersOf, patientParameter } from './parameters';
import { patientKeyOf } from './patient-key';

const PATIENT_PARAM = "Parameters.parameter.where(name='patient')";

/** The patient named by the `patient` parameter, else the one a patient token is bound to. */
function patientKey(request: FhirRequest, actor: Actor): PatientKey {
  const parameters = parametersOf(request.body);
  const given: Identifier | string | undefined =
    patientParameter(parameters) ?? (actor.kind === 'patient' ? actor.patient : undefined);
  return patientKeyOf(given, PATIENT_PARAM);
}

function operation(name: string, type: 'Patient' | 'Consent'): RouteDefinition['capability'] {
  return {
    resourceType: type,
    operation: {
      name,
      definition: `https://dmp.example.fr/fhir/OperationDefinition/${type}-${name}`,
    },
  };
}

/** FHIR operations through which the DMP state and the patient's choices change. */
export function operationRoutes(services: ConsentServices): RouteDefinition[] {
  return [
    {
      method: 'POST',
      path: '/Patient/$dmp-open',
      body: 'resource',
      capability: operation('dmp-open', 'Patient'),
      authorize: (actor) => requireScope(actor, 'Patient', 'c'),
      handler: async (request) => {
        const caller = callerOf(request);
        const result = await openDmp(services, caller, patientKey(request, caller.actor));
        return resourceResult(result.patient, result.status);
      },
    },
    {
      method: 'POST',
      path: '/Patient/$dmp-close',
      body: 'resource',
      capability: operation('dmp-close', 'Patient'),
      authorize: (actor) => requireScope(actor, 'Patient', 'u'),
      handler: async (request) => {
        const caller = callerOf(request);
        const key = patientKey(request, caller.actor);
        const parameters = parametersOf(request.body);
        const code = optionalStringParameter(parameters, 'reason') ?? 'patient-request';
        const reason = CLOSURE_REASONS.find((r) => r === code);
        if (!reason) {
          throw fhirError(
            'DMP-CONSENT-REQUEST-INVALID',
            `reason must be one of ${CLOSURE_REASONS.join(', ')}`,
            "Parameters.parameter.where(name='reason')",
          );
        }
        const text = optionalStringParameter(parameters, 'reasonText');
        const result = await closeDmpOf(services, caller, key, reason, text);
        return resourceResult(result.patient, result.status);
      },
    },
    {
      method: 'POST',
      path: '/Patient/$dmp-erase',
      body: 'resource',
      capability: operation('dmp-erase', 'Patient'),
      authorize: (actor) => requireScope(actor, 'Patient', 'u'),
      handler: async (request) => {
        const caller = callerOf(request);
        const result = await requestDmpErasure(services, caller, patientKey(request, caller.actor));
        return resourceResult(result.patient, result.status);
      },
    },
    {
      method: 'POST',
      path: '/Consent/$dmp-change',
      body: 'resource',
      capability: operation('dmp-change', 'Consent'),
      authorize: (actor) => requireScope(actor, 'Consent', 'u'),
      handler: async (request) => {
        const caller = callerOf(request);
        const key = patientKey(request, caller.actor);
        const changes = changesOf(parametersOf(request.body));
        const ifMatchHeader = request.headers['if-match'];
        const ifMatch = typeof ifMatchHeader === 'string' ? parseETag(ifMatchHeader) : undefined;
        if (typeof ifMatchHeader === 'string' && ifMatch === undefined) {
          throw fhirError('DMP-HTTP-INVALID-HEADER', 'If-Match must be an ETag such as W/"3"');
        }
        const consent = await changeConsent(services, caller, {
          key,
          changes,
          ...(ifMatch ? { ifMatch } : {}),
        });
        return resourceResult(consent);
      },
    },
    {
      method: 'POST',
      path: '/Consent/$break-glass',
      body: 'resource',
      capability: operation('break-glass', 'Consent'),
      handler: async (request) => {
        const caller = callerOf(request);
        const result = await declareEmergencyAccess(
          services,
          caller,
          patientKey(request, caller.actor),
        );
        return resourceResult(result.grant, result.created ? 201 : 200);
      },
    },
  ];
}
