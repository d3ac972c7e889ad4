/** Loads something from the API for a component: loading, value or a readable error, and reload. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.ts';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  /** Replaces the loaded value after a change the page made itself (no refetch). */
  set: (value: T) => void;
}

/** A mistake in a form caught before calling the API; its message is meant for the person. */
export class InputError extends Error {}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof InputError) return new ApiError(0, 'ERR_VALIDATION', err.message);
  return new ApiError(
    0,
    'ERR_UNEXPECTED',
    'Something went wrong in the dashboard. Reload the page and try again.',
  );
}

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: callers list what the load depends on
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loader.current().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState((s) => ({ data: s.data, error: asApiError(err), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}
