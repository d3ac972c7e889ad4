/** Keyset pagination over time-sortable ids, newest first. */
import type { SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.ts';

export interface PageRequest {
  limit: number;
  /** The id of the last item of the previous page. */
  after?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** The id to pass as `after` for the next page, or null at the end. */
  nextAfter: string | null;
}

export async function fetchPage<T extends { id: string }, TB extends keyof Database>(
  query: SelectQueryBuilder<Database, TB, T>,
  idColumn: `${TB & string}.id`,
  page: PageRequest,
): Promise<Page<T>> {
  let q = query.orderBy(idColumn as never, 'desc').limit(page.limit + 1);
  if (page.after) q = q.where(idColumn as never, '<', page.after as never);
  const rows = await q.execute();
  const items = rows.slice(0, page.limit);
  return { items, nextAfter: rows.length > page.limit ? (items[items.length - 1]?.id ?? null) : null };
}
