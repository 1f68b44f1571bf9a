import type { DocumentReference, Identifier } from 'fhir/r4';
import { parseSearch } from '@dmp/fhir';
import type { ResourceStore } from '@dmp/storage';

/** The label that keeps a document from its patient until it is announced (SPEC C3.4). */
const INVISIBLE_PATIENT = 'INVISIBLE_PATIENT';
const TWO_WEEKS_MS = 14 * 86_400_000;

/** A document kept from its patient for two weeks or more: the patient must be told. */
export interface DueNotice {
  patient: Identifier;
  document: string;
}

export interface InvisiblePatientSweepOptions {
  store: ResourceStore;
  /** Tells the consent service (idempotent there: a notice reported twice is sent once). */
  notify: (notice: DueNotice) => Promise<void>;
  now?: () => Date;
}

function monthBefore(now: Date): Date {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCMonth(cutoff.getUTCMonth() - 1);
  return cutoff;
}

/**
 * One pass of the `INVISIBLE_PATIENT` rule (SPEC C3.4, C.8 gotcha 2): every current document
 * still labelled `INVISIBLE_PATIENT` (no announcement: whoever announced it removed the label)
 * deposited (`date`) between one month and two weeks ago is reported to the consent service,
 * which notifies the patient once. After one month the document is visible to the patient
 * anyway (the decision's `invisible_patient_cutoff`), so older ones are not reported. A failed
 * report is retried by the next pass. Returns how many documents were reported.
 */
export async function sweepInvisiblePatientNotices(
  options: InvisiblePatientSweepOptions,
): Promise<number> {
  const now = (options.now ?? (() => new Date()))();
  const params = new URLSearchParams({ 'security-label': INVISIBLE_PATIENT, status: 'current' });
  params.append('date', `gt${monthBefore(now).toISOString()}`);
  params.append('date', `le${new Date(now.getTime() - TWO_WEEKS_MS).toISOString()}`);
  params.set('_count', '100');
  let reported = 0;
  let cursor: string | undefined;
  do {
    const { query } = parseSearch('DocumentReference', params);
    const page = await options.store.search<DocumentReference>({
      ...query,
      ...(cursor ? { cursor } : {}),
    });
    for (const document of page.resources) {
      const patient = document.subject?.identifier;
      if (!document.id || patient?.value === undefined) continue;
      await options.notify({ patient, document: `DocumentReference/${document.id}` });
      reported += 1;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return reported;
}

export interface InvisiblePatientSweep {
  /** One pass now (tests, or an operator). */
  runOnce(): Promise<number>;
  stop(): void;
}

/**
 * Runs {@link sweepInvisiblePatientNotices} every `intervalMs` (a pass never overlaps the
 * previous one); errors are logged and the next pass retries.
 */
export function startInvisiblePatientSweep(
  options: InvisiblePatientSweepOptions & {
    intervalMs: number;
    onError: (error: unknown) => void;
  },
): InvisiblePatientSweep {
  let running: Promise<number> | undefined;
  const runOnce = () => {
    running ??= sweepInvisiblePatientNotices(options).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch(options.onError);
  }, options.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
