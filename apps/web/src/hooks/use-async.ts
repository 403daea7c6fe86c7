import { useEffect, useState } from 'react';

export type AsyncState<T> = { status: 'loading'; data: T | null } | { status: 'done'; data: T } | { status: 'error'; error: unknown; data: T | null };

/**
 * Runs `load` whenever `key` changes and keeps the previous data while the next load runs, so the
 * screen does not flash empty between filters. Stale answers (an older key) are dropped.
 *
 * @example
 * const state = useAsync(() => client.getEvent(id), id);
 */
export function useAsync<T>(load: () => Promise<T>, key: string): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading', data: null });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ status: 'loading', data: previous.data }));
    load().then(
      (data) => current && setState({ status: 'done', data }),
      (error: unknown) => current && setState((previous) => ({ status: 'error', error, data: previous.data })),
    );
    return () => {
      current = false;
    };
    // `load` closes over what `key` describes; re-running on each new closure would loop.
  }, [key, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
