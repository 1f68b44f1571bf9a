import type { Actor } from '@dmp/auth';
import type { AccessDecider } from './access-decider';

export interface AccessDeciderHarness {
  name: string;
  decider: () => AccessDecider;
  /** An actor the implementation permits to search DocumentReferences (ITI-67). */
  permitted: () => Actor;
  /** An actor it refuses for the same request. */
  refused: () => Actor;
}

/** What every AccessDecider must do, whichever decision point is behind it. */
export function describeAccessDeciderContract(harness: AccessDeciderHarness): void {
  describe(`${harness.name}: AccessDecider contract`, () => {
    const request = {
      interaction: 'search' as const,
      resourceType: 'DocumentReference' as const,
      transaction: 'ITI-67' as const,
      patient: { identifier: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '255081416802538' } },
    };

    it('permits an allowed actor with a list of search obligations', async () => {
      const decision = await harness.decider().decide(harness.permitted(), request);

      expect(decision.permit).toBe(true);
      if (decision.permit) expect(Array.isArray(decision.filters)).toBe(true);
    });

    it('refuses a disallowed actor with a 403 OperationOutcome that says why', async () => {
      const decision = await harness.decider().decide(harness.refused(), request);

      expect(decision.permit).toBe(false);
      if (!decision.permit) {
        expect(decision.error.status).toBe(403);
        expect(decision.error.outcome.issue[0]?.diagnostics?.length).toBeGreaterThan(0);
      }
    });
  });
}
