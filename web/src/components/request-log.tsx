/** The recent-request log of one credential, newest first, filtered by outcome or status code. */
import { useState } from 'react';
import { api, type RequestsQuery } from '../api.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { usePagedList } from '../lib/use-paged-list.ts';
import { HttpStatus } from './badges.tsx';
import { LogHeader } from './log-header.tsx';
import { PagedTable } from './paged-table.tsx';
import { Empty } from './states.tsx';

const FILTERS: { value: string; label: string; status: RequestsQuery['status'] }[] = [
  { value: 'all', label: 'All requests', status: undefined },
  { value: 'success', label: 'Successful (2xx/3xx)', status: 'success' },
  { value: 'error', label: 'Errors (4xx/5xx)', status: 'error' },
  { value: '401', label: '401 Unauthenticated', status: 401 },
  { value: '403', label: '403 Forbidden', status: 403 },
  { value: '404', label: '404 Not found', status: 404 },
  { value: '422', label: '422 Validation', status: 422 },
  { value: '429', label: '429 Rate limited', status: 429 },
  { value: '500', label: '500 Server error', status: 500 },
];

export function RequestLog({ credentialId, reloadKey }: { credentialId: string; reloadKey?: unknown }) {
  const [filter, setFilter] = useState('all');
  const status = FILTERS.find((f) => f.value === filter)?.status;
  const log = usePagedList(
    (cursor) => api.requests(credentialId, { cursor, status, limit: 50 }),
    [credentialId, filter, reloadKey],
  );

  return (
    <section className="card card-flush" aria-label="Recent requests">
      <LogHeader
        title="Recent requests"
        filters={FILTERS}
        filter={filter}
        onFilter={setFilter}
        onRefresh={log.reload}
        refreshing={log.loading}
      />
      <PagedTable
        list={log}
        columns={['Time', 'Request', 'Status', 'Latency', 'IP']}
        className="request-log"
        loadingLabel="Loading requests…"
        empty={
          <Empty title={filter === 'all' ? 'No requests yet' : 'No requests match this filter'}>
            <p>Requests appear here a second or so after they are made.</p>
          </Empty>
        }
        moreLabel="Load older requests"
        row={(r, i) => (
          // Log entries have no id; pages only append, so the index keeps a key stable.
          <tr key={`${r.created_at}-${i}`}>
            <td data-label="Time">
              <span title={formatDateTime(r.created_at)}>{formatRelative(r.created_at)}</span>
            </td>
            <td data-label="Request">
              <code>
                {r.method} {r.route}
              </code>
            </td>
            <td data-label="Status">
              <HttpStatus status={r.status} />
            </td>
            <td data-label="Latency">
              {r.latency_ms < 10 ? r.latency_ms.toFixed(1) : Math.round(r.latency_ms)} ms
            </td>
            <td data-label="IP">{r.ip ?? '—'}</td>
          </tr>
        )}
      />
    </section>
  );
}
