/** A table over a cursor-paged list: its error, loading and empty states, and "load more" at the foot. */
import type { ReactNode } from 'react';
import type { PagedList } from '../lib/use-paged-list.ts';
import { Empty, ErrorNote, Loading } from './states.tsx';

export function PagedTable<T>({
  list,
  columns,
  actionsColumn = false,
  className = '',
  loadingLabel,
  empty,
  moreLabel = 'Load more',
  row,
}: {
  list: PagedList<T>;
  columns: readonly string[];
  /** A last column of buttons, titled for screen readers only. */
  actionsColumn?: boolean;
  /** Classes beside `table responsive-table`. */
  className?: string;
  loadingLabel: string;
  /** The empty state; an `<Empty>` title alone when a string. */
  empty: ReactNode;
  moreLabel?: string;
  row: (item: T, index: number) => ReactNode;
}) {
  return (
    <>
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {!list.items && list.loading && <Loading label={loadingLabel} />}
      {list.items?.length === 0 && (typeof empty === 'string' ? <Empty title={empty} /> : empty)}
      {list.items && list.items.length > 0 && (
        <table className={`table responsive-table${className ? ` ${className}` : ''}`}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
              {actionsColumn && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>{list.items.map(row)}</tbody>
        </table>
      )}
      {list.hasMore && (
        <div className="card-footer">
          <button
            type="button"
            className="button button-secondary"
            onClick={list.loadMore}
            disabled={list.loading}
          >
            {moreLabel}
          </button>
        </div>
      )}
    </>
  );
}
