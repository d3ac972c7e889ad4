/** The recent-request log of one credential, newest first, filtered by outcome or status code. */
import { useState } from 'react';
import { api, type RequestsQuery } from '../api.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { usePagedList } from '../lib/use-paged-list.ts';
import { HttpStatus } from './badges.tsx';
import { Empty, ErrorNote, Loading } from './states.tsx';

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
      <div className="card-header card-header-padded">
        <h2 className="card-title">Recent requests</h2>
        <div className="toolbar">
          <label className="inline-label">
            <span>Show</span>
            <select value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter by status">
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={log.reload}
            disabled={log.loading}
          >
            Refresh
          </button>
        </div>
      </div>
      {log.error && <ErrorNote error={log.error} onRetry={log.reload} />}
      {!log.items && log.loading && <Loading label="Loading requests…" />}
      {log.items?.length === 0 && (
        <Empty title={filter === 'all' ? 'No requests yet' : 'No requests match this filter'}>
          <p>Requests appear here a second or so after they are made.</p>
        </Empty>
      )}
      {log.items && log.items.length > 0 && (
        <table className="table responsive-table request-log">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            {log.items.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log entries have no id; pages only append
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
            ))}
          </tbody>
        </table>
      )}
      {log.hasMore && (
        <div className="card-footer">
          <button
            type="button"
            className="button button-secondary"
            onClick={log.loadMore}
            disabled={log.loading}
          >
            Load older requests
          </button>
        </div>
      )}
    </section>
  );
}
