import Database from 'better-sqlite3';
import { FhirError, fhirError, isFhirError } from '@dmp/errors';

/**
 * Translates anything the driver or the file system throws into the shared error kinds, so no
 * driver error leaves the adapter: constraint violations become `DMP-RESOURCE-DUPLICATE` (409),
 * busy/locked/IO/full/closed databases `DMP-STORAGE-UNAVAILABLE` (503). `FhirError`s and
 * programming errors (TypeError, RangeError raised by our own checks) pass through.
 */
export function toStoreError(error: unknown): unknown {
  if (isFhirError(error)) return error;
  if (error instanceof Database.SqliteError || isNamed(error, 'SqliteError')) {
    const raw = (error as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : '';
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return new FhirError(
        { code: 'DMP-RESOURCE-DUPLICATE', message: 'The record already exists.' },
        { cause: error },
      );
    }
    return unavailable(error);
  }
  // Native errors come from the main realm (instanceof fails under jest's vm), so match by shape.
  if (isNamed(error, 'TypeError') && /database connection is not open/i.test(error.message)) {
    return unavailable(error);
  }
  if (isSystemError(error)) return unavailable(error);
  return error;
}

function isNamed(error: unknown, name: string): error is Error {
  return typeof error === 'object' && error !== null && (error as Error).name === name;
}

function unavailable(cause: unknown): FhirError {
  return new FhirError(
    { code: 'DMP-STORAGE-UNAVAILABLE', message: 'The storage is temporarily unavailable.' },
    { cause },
  );
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** Runs `fn`, translating its errors with {@link toStoreError}. */
export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toStoreError(error);
  }
}

/** Async variant of {@link guard}. */
export async function guardAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error);
  }
}

export const notFound = (type: string, id: string): FhirError =>
  fhirError('DMP-RESOURCE-NOT-FOUND', `${type}/${id} is not known.`);
