'use client';

import { type DependencyList, useCallback, useEffect, useState } from 'react';
import { DemaApiError, type DemaClient } from '@dema/client';
import { api } from './session.ts';

/** A client-side read: loading, the data, or the error (a 404 of a whole feature is `missing`). */
export type ApiState<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'missing' } | { status: 'error'; error: DemaApiError };

/**
 * Reads with `read` (a typed call of the browser's client, as the signed-in user) whenever `deps`
 * change — as `useEffect` takes them, and checked by the linter like its own — with `reload` to read
 * again; `read` answering null: nothing to read yet. `optional`: a 404 means the feature is not installed (`missing`), not
 * an error. `everyMs`: read again on that period; the last data stays shown while the next read is
 * under way.
 */
export function useApi<T>(
  read: (client: DemaClient) => Promise<T> | null,
  deps: DependencyList,
  options: { optional?: boolean; everyMs?: number } = {},
): ApiState<T> & { reload: () => void } {
  const [state, setState] = useState<ApiState<T>>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const optional = options.optional ?? false;
  const everyMs = options.everyMs;
  useEffect(() => {
    if (everyMs === undefined) return;
    const timer = setInterval(reload, everyMs);
    return () => clearInterval(timer);
  }, [everyMs, reload]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's `deps` stand for `read`; `version` is the trigger `reload` bumps to read again
  useEffect(() => {
    const reading = read(api);
    if (reading === null) return;
    let current = true;
    reading.then(
      (data) => current && setState({ status: 'ready', data }),
      (error: unknown) => {
        if (!current) return;
        const failure = error instanceof DemaApiError ? error : DemaApiError.unreachable(error);
        setState(optional && failure.status === 404 ? { status: 'missing' } : { status: 'error', error: failure });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, version, optional]);
  return { ...state, reload };
}
