/** A cursor-paged list for a table: first page, "load more", reload, and local updates after a change. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api.ts';
import { asApiError } from './use-resource.ts';

export interface PagedList<T> {
  items: T[] | undefined;
  error: ApiError | undefined;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  update: (fn: (items: T[]) => T[]) => void;
}

export function usePagedList<T>(
  load: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>,
  deps: readonly unknown[],
): PagedList<T> {
  const [items, setItems] = useState<T[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  const generation = useRef(0);

  const fetchPage = useCallback(async (after: string | undefined, append: boolean) => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const page = await loader.current(after);
      if (mine !== generation.current) return;
      setItems((prev) => (append && prev ? [...prev, ...page.data] : page.data));
      setCursor(page.next_cursor);
      setError(undefined);
    } catch (err) {
      if (mine === generation.current) setError(asApiError(err));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: callers list what the load depends on
  useEffect(() => {
    void fetchPage(undefined, false);
  }, [...deps, version, fetchPage]);

  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    loadMore: () => cursor !== null && void fetchPage(cursor, true),
    reload: useCallback(() => setVersion((v) => v + 1), []),
    update: useCallback((fn: (items: T[]) => T[]) => setItems((prev) => (prev ? fn(prev) : prev)), []),
  };
}
