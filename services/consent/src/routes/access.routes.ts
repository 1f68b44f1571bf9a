import type { RouteDefinition } from '@dmp/http';
import type { AccessObligations, CodeListValue, EvaluationResponse } from '@dmp/consent-client';
import type { CodeList } from '../domain/access-policy';
import type { AccessAnswer } from '../use-cases/evaluate-access';
import { assertMayAskDecisions, evaluateAccess } from '../use-cases/evaluate-access';
import type { ConsentServices } from '../use-cases/context';
import { fhirError } from '@dmp/errors';
import { recordInvisiblePatientNotice } from '../use-cases/invisible-patient-notice';
import { callerOf } from './caller';
import { patientKeyOf } from './patient-key';
import { parseEvaluation, parseEvaluations } from './evaluation-request';

function obligationsOf(answer: AccessAnswer): AccessObligations | undefined {
  const o = answer.decision.obligations;
  if (!o) return undefined;
  return {
    exclude_labels: o.excludeLabels,
    ...(o.authorException ? { author_exception: o.authorException } : {}),
    ...(o.allowedClasses !== undefined ? { allowed_classes: codeList(o.allowedClasses) } : {}),
    ...(o.allowedTypes !== undefined ? { allowed_types: codeList(o.allowedTypes) } : {}),
    ...(o.invisiblePatientCutoff ? { invisible_patient_cutoff: o.invisiblePatientCutoff } : {}),
    ...(o.submittedBy ? { submitted_by: o.submittedBy } : {}),
    ...(o.emergency
      ? {
          break_glass: {
            mode: o.emergency,
            ...(answer.grant?.id ? { grant: `Consent/${answer.grant.id}` } : {}),
            ...(answer.grant?.provision?.period?.end
              ? { expires_at: answer.grant.provision.period.end }
              : {}),
          },
        }
      : {}),
    notify_patient: o.notifyPatient,
    audit_as: o.auditAs,
  };
}

function codeList(list: CodeList): CodeListValue {
  return list === '*' ? '*' : [...list];
}

/** AuthZEN response: `decision` plus the reasons and obligations in `context`. */
export function toEvaluationResponse(answer: AccessAnswer): EvaluationResponse {
  const obligations = obligationsOf(answer);
  return {
    decision: answer.decision.permit,
    context: {
      id: answer.decisionId,
      policy_version: answer.policyVersion,
      reasons: answer.decision.reasons,
      reason_admin: { en: answer.decision.reasons.map((r) => r.text).join('; ') },
      ...(obligations ? { obligations } : {}),
      ...(answer.reuse
        ? {
            reuse: answer.reuse.withinMs === undefined ? {} : { within_ms: answer.reuse.withinMs },
          }
        : {}),
    },
  };
}

/** The access decision point, outside the FHIR base (OpenID AuthZEN shape). */
export function accessRoutes(services: ConsentServices): RouteDefinition[] {
  return [
    {
      method: 'POST',
      path: '/access/v1/evaluation',
      root: true,
      body: 'resource',
      authorize: (actor) => assertMayAskDecisions(services, actor),
      handler: async (request) => {
        const question = parseEvaluation(request.body);
        const [answer] = await evaluateAccess(services, callerOf(request), [question]);
        return { status: 200, json: answer ? toEvaluationResponse(answer) : {} };
      },
    },
    {
      method: 'POST',
      path: '/access/v1/evaluations',
      root: true,
      body: 'resource',
      authorize: (actor) => assertMayAskDecisions(services, actor),
      handler: async (request) => {
        const questions = parseEvaluations(request.body);
        const answers = await evaluateAccess(services, callerOf(request), questions);
        return { status: 200, json: { evaluations: answers.map(toEvaluationResponse) } };
      },
    },
    {
      method: 'POST',
      path: '/access/v1/invisible-patient-notices',
      root: true,
      body: 'resource',
      authorize: (actor) => assertMayAskDecisions(services, actor),
      handler: async (request) => {
        const body = (request.body ?? {}) as { patient?: unknown; document?: unknown };
        const document = typeof body.document === 'string' ? body.document : '';
        if (!/^DocumentReference\/[A-Za-z0-9\-.]{1,64}$/.test(document)) {
          throw fhirError(
            'DMP-CONSENT-REQUEST-INVALID',
            'document must be DocumentReference/<id>',
            'document',
          );
        }
        const key = patientKeyOf(body.patient as Parameters<typeof patientKeyOf>[0], 'patient');
        const outcome = await recordInvisiblePatientNotice(services, callerOf(request), {
          key,
          document,
        });
        return { status: 200, json: { outcome } };
      },
    },
  ];
}
