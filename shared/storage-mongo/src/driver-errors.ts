import { MongoError, MongoErrorLabel } from 'mongodb';
import { FhirError, isFhirError } from '@dmp/errors';

/**
 * Translates what the driver throws into the shared error kinds, so no driver error leaves the
 * adapter (same kinds as SQLite, hence the same FHIR statuses): a duplicate key (11000/11001)
 * becomes `DMP-RESOURCE-DUPLICATE` (409); every other driver or server error (write conflicts
 * after retries, timeouts, network, not primary, shutdown) `DMP-STORAGE-UNAVAILABLE` (503), with
 * the driver error as `cause` for logs only. `FhirError`s and our own programming errors pass.
 */
export function toStoreError(error: unknown): unknown {
  if (isFhirError(error)) return error;
  if (isDuplicateKey(error)) {
    return new FhirError(
      { code: 'DMP-RESOURCE-DUPLICATE', message: 'The record already exists.' },
      { cause: error },
    );
  }
  if (isMongoError(error) || isNamed(error, 'ConflictRetry')) {
    return new FhirError(
      { code: 'DMP-STORAGE-UNAVAILABLE', message: 'The storage is temporarily unavailable.' },
      { cause: error },
    );
  }
  return error;
}

const DUPLICATE_KEY = new Set([11000, 11001]);
/** WriteConflict, LockTimeout, NoSuchTransaction, ExceededTimeLimit… retried even without label. */
const TRANSIENT_CODES = new Set([
  112, 24, 251, 262, 50, 91, 189, 10107, 11600, 11602, 13435, 13436,
]);

export function isDuplicateKey(error: unknown): boolean {
  return isMongoError(error) && typeof error.code === 'number' && DUPLICATE_KEY.has(error.code);
}

/**
 * Whether the whole transaction is worth running again: the driver's label, a known code, or a
 * network error (inside a transaction the server may have lost it; the driver labels those too).
 */
export function isTransientTransactionError(error: unknown): boolean {
  if (isNamed(error, 'ConflictRetry')) return true;
  if (!isMongoError(error)) return false;
  if (error.hasErrorLabel(MongoErrorLabel.TransientTransactionError)) return true;
  if (isNetworkError(error)) return true;
  return typeof error.code === 'number' && TRANSIENT_CODES.has(error.code);
}

/** Whether a commit whose outcome is unknown should be committed again. */
export function isUnknownCommitResult(error: unknown): boolean {
  return isMongoError(error) && error.hasErrorLabel(MongoErrorLabel.UnknownTransactionCommitResult);
}

/** A commit that failed without saying whether it applied: the label, or a network error. */
export function isCommitOutcomeUnknown(error: unknown): boolean {
  return isUnknownCommitResult(error) || (isMongoError(error) && isNetworkError(error));
}

function isNetworkError(error: MongoError): boolean {
  return error.name.startsWith('MongoNetwork') || error.name === 'MongoServerSelectionError';
}

const isNamed = (error: unknown, name: string): boolean =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;

/** Our own signal: a conditional write lost a race; the transaction runs again. */
export class ConflictRetry extends Error {
  override name = 'ConflictRetry';
}

/**
 * Driver errors are matched by class and, since jest runs modules in a separate realm where
 * `instanceof` can fail, by shape as well.
 */
function isMongoError(error: unknown): error is MongoError {
  if (error instanceof MongoError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return (
    typeof name === 'string' &&
    name.startsWith('Mongo') &&
    typeof (error as { hasErrorLabel?: unknown }).hasErrorLabel === 'function'
  );
}

/** Runs `fn`, translating its errors with {@link toStoreError}. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error);
  }
}

export const notFoundMessage = (type: string, id: string): string => `${type}/${id} is not known.`;
