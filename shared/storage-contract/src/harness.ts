import type { ResourceStore } from '@dmp/storage';

/** How a contract suite reaches one adapter. */
export interface ContractHarness<S = ResourceStore> {
  /** Adapter name shown in the test titles, e.g. `sqlite :memory:`. */
  name: string;
  /** A store ready to use (fresh per test where cheap; the suite uses random ids anyway). */
  open(): Promise<S>;
  teardown(store: S): Promise<void>;
  /**
   * What the backend can do; a missing capability skips its group visibly.
   * `serializedTransactions`: transactions never interleave (SQLite); MongoDB runs them
   * concurrently on snapshots and retries the loser of a conflict instead.
   */
  caps?: { multiDocTransactions?: boolean; serializedTransactions?: boolean };
  /** A second handle on the same database, as another instance of the service would open it. */
  openPeer?(store: S): Promise<S>;
  /** Back door: every file under the adapter's blob area, to prove a rollback left none. */
  listBlobFiles?(store: S): Promise<string[]>;
}

/** Opens a store before each test and tears it down after; returns the accessor. */
export function useStore<S>(harness: ContractHarness<S>): () => S {
  let store: S | undefined;
  beforeEach(async () => {
    store = await harness.open();
  });
  afterEach(async () => {
    if (store !== undefined) await harness.teardown(store);
    store = undefined;
  });
  return () => {
    if (store === undefined) throw new Error('The store is only available inside a test.');
    return store;
  };
}
