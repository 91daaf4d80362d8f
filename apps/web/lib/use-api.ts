'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './problem.ts';
import { apiFetch } from './session.ts';

/** A client-side read: loading, the data, or the error (a 404 of a whole feature is `missing`). */
export type ApiState<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'missing' } | { status: 'error'; error: ApiError };

/**
 * Reads `path` as the signed-in user when it changes (null: not yet), with `reload` to read again.
 * `optional`: a 404 means the feature is not installed (`missing`), not an error. `everyMs`: read
 * again on that period; the last data stays shown while the next read is under way.
 */
export function useApi<T>(path: string | null, options: { optional?: boolean; everyMs?: number } = {}): ApiState<T> & { reload: () => void } {
  const [state, setState] = useState<ApiState<T>>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const optional = options.optional ?? false;
  const everyMs = options.everyMs;
  useEffect(() => {
    if (path === null || everyMs === undefined) return;
    const timer = setInterval(reload, everyMs);
    return () => clearInterval(timer);
  }, [path, everyMs, reload]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger `reload` bumps to read again
  useEffect(() => {
    if (path === null) return;
    let current = true;
    apiFetch<T>(path).then(
      (data) => current && setState({ status: 'ready', data }),
      (error: unknown) => {
        if (!current) return;
        const failure = error instanceof ApiError ? error : ApiError.unreachable();
        setState(optional && failure.status === 404 ? { status: 'missing' } : { status: 'error', error: failure });
      },
    );
    return () => {
      current = false;
    };
  }, [path, version, optional]);
  return { ...state, reload };
}
