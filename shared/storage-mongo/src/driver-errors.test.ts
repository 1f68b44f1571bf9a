import {
  MongoError,
  MongoErrorLabel,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { FhirError, fhirError } from '@dmp/errors';
import {
  ConflictRetry,
  guard,
  isTransientTransactionError,
  isUnknownCommitResult,
  toStoreError,
} from './driver-errors';

const serverError = (code: number, labels: string[] = []): MongoServerError =>
  new MongoServerError({ ok: 0, code, errmsg: `server said ${code}`, errorLabels: labels });

describe('driver errors never leave the adapter', () => {
  it('a duplicate key (E11000) becomes a 409 DMP-RESOURCE-DUPLICATE FhirError', () => {
    const mapped = toStoreError(serverError(11000));
    expect(mapped).toBeInstanceOf(FhirError);
    expect(mapped).toMatchObject({ status: 409, code: 'DMP-RESOURCE-DUPLICATE' });
  });

  it.each([
    [
      'a write conflict after the last retry',
      serverError(112, [MongoErrorLabel.TransientTransactionError]),
    ],
    ['an operation time limit', serverError(50)],
    ['a primary step-down', serverError(10107)],
    ['a network timeout', new MongoNetworkTimeoutError('socket timed out')],
    [
      'no reachable server',
      new MongoServerSelectionError('Server selection timed out after 10000 ms', {
        error: undefined,
      } as never),
    ],
    ['any other driver error', new MongoError('driver trouble')],
  ])('%s becomes a 503 DMP-STORAGE-UNAVAILABLE without driver text', (_name, error) => {
    const mapped = toStoreError(error);
    expect(mapped).toMatchObject({ status: 503, code: 'DMP-STORAGE-UNAVAILABLE' });
    expect((mapped as FhirError).outcome.issue[0]?.diagnostics ?? '').not.toMatch(
      /server said|socket|Mongo/,
    );
  });

  it('our own FhirErrors and programming errors pass through unchanged', () => {
    const own = fhirError('DMP-RESOURCE-GONE', 'gone');
    expect(toStoreError(own)).toBe(own);
    const bug = new TypeError('bad');
    expect(toStoreError(bug)).toBe(bug);
  });

  it('guard maps a lost race that exhausted its retries to 503', async () => {
    await expect(guard(() => Promise.reject(new ConflictRetry('raced')))).rejects.toMatchObject({
      status: 503,
    });
  });
});

describe('which errors are retried', () => {
  it('retries transient transaction errors (label or known code) and our conflict signal', () => {
    expect(
      isTransientTransactionError(serverError(251, [MongoErrorLabel.TransientTransactionError])),
    ).toBe(true);
    expect(isTransientTransactionError(serverError(112))).toBe(true);
    expect(isTransientTransactionError(new ConflictRetry('raced'))).toBe(true);
  });

  it('never retries a duplicate key or a business error', () => {
    expect(isTransientTransactionError(serverError(11000))).toBe(false);
    expect(isTransientTransactionError(fhirError('DMP-RESOURCE-VERSION-CONFLICT', 'x'))).toBe(
      false,
    );
    expect(isTransientTransactionError(new Error('business rule'))).toBe(false);
  });

  it('recommits only on an unknown commit result', () => {
    expect(
      isUnknownCommitResult(serverError(91, [MongoErrorLabel.UnknownTransactionCommitResult])),
    ).toBe(true);
    expect(isUnknownCommitResult(serverError(91))).toBe(false);
  });
});
