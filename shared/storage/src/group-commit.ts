import type { OutboxWriter, ResourceStore } from './ports';

/** What one item of a group came to: its value, or the error that failed it alone. */
export type GroupOutcome<R> = { value: R } | { error: unknown };

export interface GroupCommitOptions {
  /** Largest group committed at once (default 500); the rest wait for the next commit. */
  maxGroup?: number;
  /**
   * Milliseconds the first item of an idle committer waits for others (default 0: the next turn
   * of the event loop, which already gathers what arrived while the previous commit ran).
   */
  windowMs?: number;
}

export interface GroupCommit<T, R> {
  /** Queues the item; resolves with its own outcome once its group is committed. */
  submit(item: T): Promise<R>;
  /** Resolves once nothing is queued or being committed (to close what commits). */
  settled(): Promise<void>;
}

/**
 * Group commit: items submitted while a commit is running, or during the same turn of the event
 * loop, are committed together by one call of `commitGroup` (one transaction, one fsync instead
 * of one each), without adding latency to a lone item. Each submitter still waits for its own
 * item's outcome: `commitGroup` returns one outcome per item, in order, or throws to fail the
 * whole group. Groups are committed one after the other. The one mechanism of the repository
 * for it: outbox appends (below) and both audit logs use it.
 */
export function createGroupCommit<T, R>(
  commitGroup: (items: readonly T[]) => Promise<readonly GroupOutcome<R>[]>,
  options: GroupCommitOptions = {},
): GroupCommit<T, R> {
  const maxGroup = options.maxGroup ?? 500;
  const windowMs = options.windowMs ?? 0;
  let queue: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  let running = false;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.slice(0, maxGroup);
      queue = queue.slice(group.length);
      try {
        const outcomes = await commitGroup(group.map((pending) => pending.item));
        group.forEach((pending, i) => {
          const outcome = outcomes[i];
          if (outcome && 'value' in outcome) pending.resolve(outcome.value);
          else pending.reject(outcome?.error ?? new Error('the group commit lost an item'));
        });
      } catch (error) {
        for (const pending of group) pending.reject(error);
      }
      // Let the requests that arrived during the commit queue their items first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    running = false;
  }

  return {
    submit: (item) =>
      new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) {
          running = true;
          if (windowMs > 0) setTimeout(() => void drain(), windowMs);
          else setImmediate(() => void drain());
        }
      }),
    async settled() {
      while (running) await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * An outbox writer whose appends (outside any data transaction: the audit record of a read, of
 * a decision) are group-committed: concurrent appends share one store transaction. `append`
 * resolves once its record is durable, and rejects if the commit failed.
 */
export function createGroupCommitOutbox(
  store: Pick<ResourceStore, 'transaction'>,
  options: GroupCommitOptions = {},
): OutboxWriter {
  const group = createGroupCommit<{ topic: string; payload: unknown }, void>(
    (records) =>
      store.transaction(async (tx) => {
        for (const record of records) await tx.outbox.append(record.topic, record.payload);
        return records.map(() => ({ value: undefined }));
      }),
    options,
  );
  return { append: (topic, payload) => group.submit({ topic, payload }) };
}
