import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { networkFailure, type Failure } from '../logic/operation-outcome';

export type CallState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; value: T }
  | { status: 'failed'; failure: Failure };

export function failureFrom(error: unknown): Failure {
  return error instanceof ApiError ? error.failure : networkFailure(error);
}

/**
 * Runs `load` when `key` changes (and on `reload`), keeping the last answer or failure; a late
 * answer of an older call never overwrites a newer one.
 */
export function useLoad<T>(load: (() => Promise<T>) | undefined, key: string) {
  const [state, setState] = useState<CallState<T>>({ status: 'idle' });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const run = loadRef.current;
    if (!run) {
      setState({ status: 'idle' });
      return;
    }
    const call = ++latest.current;
    setState({ status: 'loading' });
    run().then(
      (value) => {
        if (call === latest.current) setState({ status: 'done', value });
      },
      (error: unknown) => {
        if (call === latest.current) setState({ status: 'failed', failure: failureFrom(error) });
      },
    );
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { state, reload };
}
