import { MongoErrorLabel, MongoServerError, type ClientSession, type MongoClient } from 'mongodb';
import { fhirError } from '@dmp/errors';
import { ConflictRetry } from './driver-errors';
import { runTransaction } from './transactions';

/** A stand-in for the driver's session: records the calls, fails commits on demand. */
function fakeClient(commitFailures: unknown[] = []) {
  const calls: string[] = [];
  let open = false;
  const session = {
    startTransaction: () => {
      calls.push('start');
      open = true;
    },
    commitTransaction: () => {
      calls.push('commit');
      const failure = commitFailures.shift();
      if (failure) return Promise.reject(failure instanceof Error ? failure : new Error('commit'));
      open = false;
      return Promise.resolve();
    },
    abortTransaction: () => {
      calls.push('abort');
      open = false;
      return Promise.resolve();
    },
    inTransaction: () => open,
    endSession: () => {
      calls.push('end');
      return Promise.resolve();
    },
  };
  const client = { startSession: () => session } as unknown as MongoClient;
  return { client, calls };
}

const transient = () =>
  new MongoServerError({
    ok: 0,
    code: 112,
    errmsg: 'WriteConflict',
    errorLabels: [MongoErrorLabel.TransientTransactionError],
  });
const POLICY = { maxAttempts: 3, backoffMs: 1 };

describe('runTransaction', () => {
  it('commits once when the work succeeds', async () => {
    const { client, calls } = fakeClient();
    await expect(
      runTransaction(client, () => Promise.resolve(42), undefined, POLICY),
    ).resolves.toBe(42);
    expect(calls).toEqual(['start', 'commit', 'end']);
  });

  it('runs the work again after a write conflict, cleaning up after each aborted attempt', async () => {
    const { client, calls } = fakeClient();
    let attempts = 0;
    const aborted: number[] = [];
    const result = await runTransaction(
      client,
      (_session: ClientSession) => {
        attempts += 1;
        return attempts < 3
          ? Promise.reject(attempts === 1 ? transient() : new ConflictRetry('raced'))
          : Promise.resolve('ok');
      },
      () => {
        aborted.push(attempts);
        return Promise.resolve();
      },
      POLICY,
    );
    expect(result).toBe('ok');
    expect(aborted).toEqual([1, 2]);
    expect(calls.filter((c) => c === 'abort')).toHaveLength(2);
  });

  it.each([
    ['a write conflict', transient],
    ['a lost conditional write', () => new ConflictRetry('raced')],
  ])(
    'gives up after the last attempt on %s with a 503, never a driver error',
    async (_name, failure) => {
      const { client } = fakeClient();
      await expect(
        runTransaction(client, () => Promise.reject(failure()), undefined, POLICY),
      ).rejects.toMatchObject({
        status: 503,
        code: 'DMP-STORAGE-UNAVAILABLE',
      });
    },
  );

  it('does not retry a business error: aborts and rethrows it unchanged', async () => {
    const { client, calls } = fakeClient();
    const conflict = fhirError('DMP-RESOURCE-VERSION-CONFLICT', 'stale');
    await expect(
      runTransaction(client, () => Promise.reject(conflict), undefined, POLICY),
    ).rejects.toBe(conflict);
    expect(calls).toEqual(['start', 'abort', 'end']);
  });

  it('commits again when the commit result is unknown, without re-running the work', async () => {
    const unknown = new MongoServerError({
      ok: 0,
      code: 91,
      errmsg: 'shutdown',
      errorLabels: [MongoErrorLabel.UnknownTransactionCommitResult],
    });
    const { client, calls } = fakeClient([unknown]);
    let runs = 0;
    const aborted: string[] = [];
    await runTransaction(
      client,
      () => Promise.resolve((runs += 1)),
      () => Promise.resolve(void aborted.push('x')),
      POLICY,
    );
    expect(runs).toBe(1);
    expect(calls).toEqual(['start', 'commit', 'commit', 'end']);
    expect(aborted).toEqual([]);
  });

  it('a commit refused as transient (certainly not applied) runs the work again', async () => {
    const { client } = fakeClient([transient()]);
    let runs = 0;
    await runTransaction(client, () => Promise.resolve((runs += 1)), undefined, POLICY);
    expect(runs).toBe(2);
  });
});
