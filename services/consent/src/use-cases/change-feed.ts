import { performance } from 'node:perf_hooks';
import type { ChangesResponse, ConsentChange } from '@dmp/consent-client';
import type { FeedEntry, StoreTransaction } from '@dmp/storage';
import type { PatientKey } from '../storage/dmp-repository';
import type { ConsentServices } from './context';

/**
 * The consent service's change feed: every change after which an earlier decision may be stale
 * (a patient's DMP state or choices, the access policy) is appended in the change's own
 * transaction, numbered by the database. The documents instances follow it
 * (`GET /access/v1/changes`): each poll renews the follower's lease and acknowledges what it
 * applied. A change answers once every follower whose lease ran when it committed acknowledged
 * it, or once the lease has passed since the commit; a follower reuses decisions only while its
 * last answered poll is younger than the lease (minus a margin), so by then one that could not
 * be reached has stopped reusing them. Either way, a request that starts after the change
 * answered is decided on the new state.
 */
export type FeedPayload =
  { kind: 'patient'; patient: { system: string; value: string } } | { kind: 'policy' };

/** How often a waiting poll or change looks at the database for other instances' writes. */
const FEED_POLL_MS = 50;
const ACK_POLL_MS = 10;
/** Most changes one poll answers. */
const POLL_LIMIT = 500;

/**
 * In-process wake-ups: a change committed here wakes this instance's waiting polls, a poll
 * answered here wakes its changes waiting for acknowledgements. Other instances are seen by
 * reading the database every few milliseconds.
 */
export class FeedSignal {
  private waiters = new Set<() => void>();

  /** Resolves at the next `notify`, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Runs a change in a transaction. `announce` appends the change to the feed in that
 * transaction (call it when the work changed something a decision depends on); once committed,
 * the call resolves when the followers acknowledged the feed's head (which the change's entry is
 * numbered at or below), or when the bound passed.
 */
export async function announcedChange<R>(
  services: ConsentServices,
  work: (tx: StoreTransaction, announce: (change: FeedPayload) => Promise<void>) => Promise<R>,
): Promise<R> {
  let announced = false;
  const result = await services.store.transaction((tx) => {
    announced = false; // MongoDB may run the work again
    return work(tx, async (change) => {
      await tx.feed.append(change);
      announced = true;
    });
  });
  if (!announced) return result;
  try {
    await awaitFollowers(services, await services.store.feed.head());
  } catch {
    // The change is committed: answer it, but only once the bound has passed, as for a
    // follower that does not acknowledge (which then no longer serves what it kept).
    await new Promise((resolve) => setTimeout(resolve, services.feed.leaseMs));
    services.feed.acknowledgements.inc({ result: 'bound' });
  }
  return result;
}

/** The change of one patient's DMP (its state, or the patient's choices). */
export function patientChange(key: PatientKey): FeedPayload {
  return { kind: 'patient', patient: { system: key.system, value: key.ins } };
}

/**
 * After a change committed at or below `seq`: wakes this instance's polls, then waits until every
 * follower whose lease runs now acknowledged it, at most the lease (measured on this process's
 * monotonic clock, from after the commit).
 */
export async function awaitFollowers(services: ConsentServices, seq: number): Promise<void> {
  const { feed } = services;
  feed.signal.notify();
  const started = performance.now();
  const waiting = new Set(
    (await services.store.feed.followers()).filter((f) => f.live && f.acked < seq).map((f) => f.id),
  );
  while (waiting.size > 0) {
    const left = feed.leaseMs - (performance.now() - started);
    if (left <= 0) {
      feed.acknowledgements.inc({ result: 'bound' });
      feed.onUnacknowledged([...waiting], seq);
      return;
    }
    await feed.signal.wait(Math.min(ACK_POLL_MS, left));
    for (const follower of await services.store.feed.followers()) {
      if (follower.acked >= seq) waiting.delete(follower.id);
    }
  }
  feed.acknowledgements.inc({ result: 'acknowledged' });
}

function changeOf(entry: FeedEntry): ConsentChange {
  const payload = entry.payload as Partial<FeedPayload> | null;
  const patient = payload?.kind === 'patient' ? payload.patient : undefined;
  if (patient && typeof patient.system === 'string' && typeof patient.value === 'string') {
    return { seq: entry.seq, kind: 'patient', patient };
  }
  // Anything else invalidates everything: the safe reading of an entry this version cannot read.
  return { seq: entry.seq, kind: 'policy' };
}

/**
 * One poll of a follower: without `after`, registers it at the head (it has nothing to
 * invalidate yet); with `after`, records that it applied every change up to `after` (its lease
 * renewed), then answers the changes after it, waiting up to a quarter of the lease for one.
 * An `after` beyond the head (a database restored from an older copy) answers at once with the
 * head, which the follower takes as "invalidate everything and start from there".
 */
export async function followChanges(
  services: ConsentServices,
  follower: string,
  after: number | undefined,
): Promise<ChangesResponse> {
  const { feed, store } = services;
  const head = await store.feed.head();
  const answer = (changes: ConsentChange[], at: number): ChangesResponse => ({
    changes,
    head: at,
    lease_ms: feed.leaseMs,
    policy: services.policyFingerprint,
  });
  if (after !== undefined && after > head) return answer([], head);
  await store.feed.renew(follower, after ?? head, feed.leaseMs);
  feed.signal.notify();
  if (after === undefined) return answer([], head);
  const deadline = performance.now() + feed.leaseMs / 4;
  for (;;) {
    const entries = await store.feed.read(after, POLL_LIMIT + 1);
    const answered = entries.slice(0, POLL_LIMIT);
    const last = answered[answered.length - 1];
    if (last) {
      const more = entries.length > POLL_LIMIT;
      return { ...answer(answered.map(changeOf), last.seq), ...(more ? { more } : {}) };
    }
    const left = deadline - performance.now();
    if (left <= 0) return answer([], after);
    await feed.signal.wait(Math.min(FEED_POLL_MS, left));
  }
}
