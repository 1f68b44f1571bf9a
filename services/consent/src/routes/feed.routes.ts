import { fhirError } from '@dmp/errors';
import type { RouteDefinition } from '@dmp/http';
import { followChanges } from '../use-cases/change-feed';
import type { ConsentServices } from '../use-cases/context';
import { assertMayAskDecisions } from '../use-cases/evaluate-access';

const FOLLOWER = /^[A-Za-z0-9._:-]{1,128}$/;

function invalid(message: string, parameter: string) {
  return fhirError('DMP-CONSENT-REQUEST-INVALID', message, parameter);
}

/** `after`: absent (register at the head), else a sequence number. */
function afterOf(value: string | null): number | undefined {
  if (value === null) return undefined;
  const after = Number(value);
  if (!/^\d{1,15}$/.test(value) || !Number.isSafeInteger(after)) {
    throw invalid('after must be a sequence number (a non-negative integer)', 'after');
  }
  return after;
}

/**
 * The change feed the documents service follows to forget decisions that went stale: a long
 * poll that acknowledges `after` and answers the changes after it (see `change-feed.ts`). Only
 * for the decision clients, like the decisions themselves.
 */
export function feedRoutes(services: ConsentServices): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/access/v1/changes',
      root: true,
      quietLog: true,
      authorize: (actor) => assertMayAskDecisions(services, actor),
      handler: async (request) => {
        const follower = request.searchParams.get('follower') ?? '';
        if (!FOLLOWER.test(follower)) {
          throw invalid('follower must be 1 to 128 letters, digits or ._:-', 'follower');
        }
        const after = afterOf(request.searchParams.get('after'));
        return { status: 200, json: await followChanges(services, follower, after) };
      },
    },
  ];
}
