import type { Identifier, Resource } from 'fhir/r4';
import type { SearchPage, SearchQuery } from '@dmp/fhir';
import type { Readable } from 'node:stream';

/**
 * The storage ports every service is written against. Adapters (SQLite embedded, MongoDB
 * scale-out) implement them and prove it by running the shared contract suite.
 *
 * Errors: adapters never leak driver errors; they throw `FhirError` with the catalogue codes
 * `DMP-RESOURCE-NOT-FOUND` (404), `DMP-RESOURCE-VERSION-NOT-FOUND` (404), `DMP-RESOURCE-GONE`
 * (410), `DMP-RESOURCE-VERSION-CONFLICT` (412), `DMP-RESOURCE-DUPLICATE` (409),
 * `DMP-SEARCH-INVALID-CURSOR` (400) and `DMP-STORAGE-UNAVAILABLE` (503).
 */

export interface HistoryOptions {
  /** Newest first; at most this many versions. */
  count?: number;
}

/** How a new resource is stored. */
export interface CreateOptions {
  /** An id the service assigned itself (a fresh UUID); the store assigns one otherwise. */
  id?: string;
}

/** Read and write operations on FHIR resources, usable inside and outside a transaction. */
export interface ResourceOperations {
  /**
   * Stores a new resource with versionId `1` and lastUpdated now, under a fresh server-assigned
   * id, or under `options.id` when the service chose it beforehand (two new resources that name
   * each other, such as a Binary and its DocumentReference); an id already taken: 409. A client's
   * `resource.id` is never used.
   */
  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<T>;
  /** Current version; 404 when unknown, 410 when deleted. */
  read<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<T>;
  /** A given version; 404 when unknown. */
  vread<T extends Resource>(
    resourceType: T['resourceType'],
    id: string,
    versionId: string,
  ): Promise<T>;
  /**
   * New version of an existing resource (`resource.id` required). With `ifMatch` (a versionId,
   * not an ETag) the update happens only if it is the current version, else 412.
   */
  update<T extends Resource>(resource: T, options?: { ifMatch?: string }): Promise<T>;
  /** Logical delete: a tombstone version; later reads answer 410, history keeps every version. */
  delete(resourceType: string, id: string, options?: { ifMatch?: string }): Promise<void>;
  /** All versions, newest first (tombstones are not returned as resources). */
  history<T extends Resource>(
    resourceType: T['resourceType'],
    id: string,
    options?: HistoryOptions,
  ): Promise<T[]>;
  /** Runs the query (filters, sort, count, cursor) and returns one page. */
  search<T extends Resource>(query: SearchQuery): Promise<SearchPage<T>>;
  /**
   * Current resources of a type carrying this identifier (system and value both compared
   * exactly), for conditional create/update/patch and uniqueness checks. Searches every
   * `identifier`-typed element the type indexes (e.g. DocumentReference masterIdentifier too).
   */
  findByIdentifier<T extends Resource>(
    resourceType: T['resourceType'],
    identifier: Identifier,
  ): Promise<T[]>;
}

/** Durable queue of records written in the same transaction as the data (the audit outbox). */
export interface OutboxRecord {
  /**
   * Store-assigned and unique; increasing in append order within one process (claims come oldest
   * first), neither gapless nor a global order across instances, so appends share no counter.
   */
  id: string;
  topic: string;
  /** The payload, parsed from its JSON text each time it is read. */
  readonly payload: unknown;
  /** The payload's JSON text, as stored (to forward it without parsing). */
  payloadJson: string;
  /** How many times it has been claimed before this claim. */
  attempts: number;
  createdAt: string;
}

export interface OutboxWriter {
  /** Appends a record; inside a transaction it commits or rolls back with the data. */
  append(topic: string, payload: unknown): Promise<void>;
}

export interface Outbox extends OutboxWriter {
  /**
   * Claims up to `limit` unacknowledged records of a topic, oldest first, hiding them from other
   * claims for `leaseMs`; a record whose lease expires without ack is claimable again.
   */
  claim(topic: string, limit: number, leaseMs: number): Promise<OutboxRecord[]>;
  /** Acknowledged records are never claimed again. */
  ack(ids: string[]): Promise<void>;
  /** Unacknowledged records (metrics, readiness). */
  pending(topic: string): Promise<number>;
}

/**
 * One entry of a service's change feed: what other services must learn of a change to this
 * service's data (the consent service tells the documents service whose decisions went stale).
 */
export interface FeedEntry {
  /**
   * Assigned by the database once the entry committed: 1, 2, 3… with no gap, across instances;
   * an entry is only ever read once every lower number is readable too.
   */
  seq: number;
  payload: unknown;
  /** When it was appended (ISO 8601, the appending process's clock; informative only). */
  at: string;
}

/** A reader of the feed that reports how far it has applied it (see {@link ChangeFeed.renew}). */
export interface FeedFollower {
  id: string;
  /** The follower has applied every entry up to this `seq`. */
  acked: number;
  /** Its lease is running: renewed less than its `leaseMs` ago, by the database's clock. */
  live: boolean;
}

export interface ChangeFeedWriter {
  /**
   * Appends an entry that commits (or rolls back) with the transaction. It is numbered when it
   * commits, or at the latest by the next `head()` or `read()` on any handle of the database.
   */
  append(payload: unknown): Promise<void>;
}

/** Followers whose lease ended this long ago are forgotten (every adapter). */
export const FORGET_FOLLOWER_MS = 3_600_000;

/**
 * The change feed: entries appended in the data's transactions, read in `seq` order by
 * followers, each of which renews a lease (timed by the database's clock, so that every
 * instance of the service sees the same followers) and reports the last entry it applied.
 */
export interface ChangeFeed {
  /**
   * Entries with `seq > after`, ascending, at most `limit`; every entry committed before the
   * call is numbered first.
   */
  read(after: number, limit: number): Promise<FeedEntry[]>;
  /**
   * The highest `seq` (0 when the feed is empty), once every entry committed before the call is
   * numbered: an entry this process committed has a number at most the head.
   */
  head(): Promise<number>;
  /**
   * Records that `follower` is alive and has applied every entry up to `acked`; its lease runs
   * until the database's now + `leaseMs`. Followers whose lease ended an hour ago are forgotten.
   */
  renew(follower: string, acked: number, leaseMs: number): Promise<void>;
  /** Every known follower, with its acknowledged `seq` and whether its lease is running. */
  followers(): Promise<FeedFollower[]>;
}

export interface BlobInfo {
  /** Store key, derived from the content (content-addressed). */
  key: string;
  /** Base64 of the raw SHA-1 digest (MHD `attachment.hash`). */
  sha1: string;
  /** Hex SHA-256 digest. */
  sha256: string;
  size: number;
  contentType: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobWriter {
  /**
   * Streams bytes into the store, hashing as they pass (never buffering the whole content).
   * Inside a transaction the blob is staged and becomes visible only on commit; a rollback
   * removes it.
   */
  put(content: Readable | Buffer, contentType: string): Promise<BlobInfo>;
}

export interface BlobStore extends BlobWriter {
  /** Metadata of a stored blob, or undefined. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /** The bytes (all, or one inclusive range); 404 `DMP-RESOURCE-NOT-FOUND` when unknown. */
  get(key: string, range?: ByteRange): Promise<Readable>;
}

/** What a transaction's work function gets: every write joins the transaction. */
export interface StoreTransaction extends ResourceOperations {
  readonly blobs: BlobWriter;
  readonly outbox: OutboxWriter;
  readonly feed: ChangeFeedWriter;
  /**
   * Takes `key` in `namespace` for good (e.g. a masterIdentifier, a patient's INS): true when
   * this transaction took it, false when a committed transaction (or an earlier call of this
   * one) holds it. The claim commits and rolls back with the transaction and is enforced by a
   * unique key in the database, so it holds across processes and instances where a read-then-
   * create does not (MongoDB transactions see a snapshot). Claims are never released.
   */
  claimUnique(namespace: string, key: string): Promise<boolean>;
}

export interface ResourceStore extends ResourceOperations {
  /**
   * Runs `work` atomically: everything it wrote (resources, blobs, outbox records, claims) is
   * committed together when it resolves, and nothing remains when it throws (the error is
   * rethrown). Reads outside a transaction never see uncommitted data. Isolation: SQLite runs
   * transactions one at a time; MongoDB runs them concurrently on snapshots, and when two write
   * the same resource or claim the same key one of them runs `work` again, so `work` may run
   * more than once and must not have effects outside `tx`. A check-then-create is not unique
   * across instances: use `claimUnique`. Put blobs before the first read (a MongoDB server
   * transaction starts at the first read or write and has a time limit).
   */
  transaction<R>(work: (tx: StoreTransaction) => Promise<R>): Promise<R>;
  readonly blobs: BlobStore;
  readonly outbox: Outbox;
  readonly feed: ChangeFeed;
  /** Cheap liveness check for `/readyz`; throws when the database is unusable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
