/**
 * The delivery log of one webhook endpoint, newest first: status, attempts, the last response and its
 * time, the next retry, each attempt's (truncated) response body on expand, and "Redeliver". While a
 * delivery is due soon the log refreshes itself, so a test event's outcome shows up without a reload.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { api, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookEndpoint } from '../api.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { usePagedList } from '../lib/use-paged-list.ts';
import { asApiError } from '../lib/use-resource.ts';
import { deliveryBadgeOf } from '../lib/webhook-events.ts';
import { DeliveryStatusBadge, HttpStatus } from './badges.tsx';
import { GuardedButton } from './guarded-button.tsx';
import { LogHeader } from './log-header.tsx';
import { PagedTable } from './paged-table.tsx';
import { Empty, ErrorNote } from './states.tsx';

const PAGE_SIZE = 25;
/** Refresh by itself while a delivery is pending and due within this long. */
const WATCH_WITHIN_MS = 60_000;
const WATCH_EVERY_MS = 1_500;

const FILTERS: { value: string; label: string; status: WebhookDeliveryStatus | undefined }[] = [
  { value: 'all', label: 'All deliveries', status: undefined },
  { value: 'pending', label: 'Pending and retrying', status: 'pending' },
  { value: 'succeeded', label: 'Succeeded', status: 'succeeded' },
  { value: 'failed', label: 'Failed', status: 'failed' },
];

const formatMs = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;

/** The first retries come seconds apart: "in 4 s", "due now", then "in 5 minutes", "in 2 hours". */
function formatNextAttempt(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return '—';
  if (ms <= 0) return 'due now';
  if (ms < 60_000) return `in ${Math.ceil(ms / 1000)} s`;
  return formatRelative(iso, now);
}

export function DeliveryLog({
  endpoint,
  reloadKey,
  onSettled,
}: {
  endpoint: WebhookEndpoint;
  /** Changes when the page queued a delivery (a test event), so the log shows it at once. */
  reloadKey?: unknown;
  /** Called when no delivery is due soon any more (the endpoint's health may have changed). */
  onSettled?: () => void;
}) {
  const [filter, setFilter] = useState('all');
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string }>();
  const status = FILTERS.find((f) => f.value === filter)?.status;
  const log = usePagedList(
    (cursor) => api.deliveries(endpoint.id, { cursor, status, limit: PAGE_SIZE }),
    [endpoint.id, filter, reloadKey],
  );

  // Watch deliveries that are about to be attempted, as long as only the first page is shown.
  const watching =
    (log.items?.length ?? 0) <= PAGE_SIZE &&
    (log.items ?? []).some(
      (d) =>
        d.status === 'pending' &&
        (!d.next_attempt_at || Date.parse(d.next_attempt_at) - Date.now() < WATCH_WITHIN_MS),
    );
  const { loading, reload } = log;
  useEffect(() => {
    if (!watching || loading) return;
    const timer = setTimeout(reload, WATCH_EVERY_MS);
    return () => clearTimeout(timer);
  }, [watching, loading, reload]);
  const settled = useRef(onSettled);
  settled.current = onSettled;
  const wasWatching = useRef(false);
  useEffect(() => {
    if (wasWatching.current && !watching) settled.current?.();
    wasWatching.current = watching;
  }, [watching]);

  // A delivery whose event has an older delivery in the list was sent again by hand.
  const redeliveries = new Set<string>();
  const seen = new Set<string>();
  for (const d of [...(log.items ?? [])].reverse()) {
    if (seen.has(d.event_id)) redeliveries.add(d.id);
    seen.add(d.event_id);
  }

  const redeliver = async (delivery: WebhookDelivery) => {
    setNotice(undefined);
    try {
      await api.redeliver(endpoint.id, delivery.id);
      setNotice({
        tone: 'success',
        text: `${delivery.event_type} is queued again as a new delivery, with the same webhook-id so your receiver can tell it already has it.`,
      });
      log.reload();
    } catch (err) {
      setNotice({ tone: 'error', text: asApiError(err).message });
    }
  };
  const disabledReason = endpoint.enabled ? undefined : 'The endpoint is disabled; enable it first.';

  return (
    <section className="card card-flush" aria-label="Deliveries">
      <LogHeader
        title="Deliveries"
        filters={FILTERS}
        filter={filter}
        onFilter={setFilter}
        onRefresh={log.reload}
        refreshing={log.loading}
      />
      {notice?.tone === 'success' && (
        <p className="callout callout-success" role="status">
          {notice.text}
        </p>
      )}
      {notice?.tone === 'error' && <ErrorNote error={notice.text} />}
      <PagedTable
        list={log}
        columns={['Event', 'Status', 'Attempts', 'Response', 'Time', 'Next retry', 'Created']}
        actionsColumn
        className="delivery-log"
        loadingLabel="Loading deliveries…"
        empty={
          <Empty title={filter === 'all' ? 'No deliveries yet' : 'No deliveries match this filter'}>
            <p>Each event this endpoint subscribes to appears here. Send a test event to try it.</p>
          </Empty>
        }
        moreLabel="Load older deliveries"
        row={(d) => (
          <DeliveryRows
            key={d.id}
            delivery={d}
            redelivery={redeliveries.has(d.id)}
            onRedeliver={() => redeliver(d)}
            disabledReason={disabledReason}
          />
        )}
      />
    </section>
  );
}

function DeliveryRows({
  delivery: d,
  redelivery,
  onRedeliver,
  disabledReason,
}: {
  delivery: WebhookDelivery;
  redelivery: boolean;
  onRedeliver: () => Promise<void>;
  disabledReason: string | undefined;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const detailsId = useId();
  const last = d.attempts.at(-1);
  const badge = deliveryBadgeOf(d);

  const redeliver = async () => {
    setBusy(true);
    try {
      await onRedeliver();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <tr data-testid="delivery" className={open ? 'is-expanded' : undefined}>
        <td data-label="Event">
          <span>
            <code>{d.event_type}</code>
            {redelivery && (
              <span className="hint" title={`Sent again by hand, with the same webhook-id: ${d.event_id}`}>
                {' '}
                redelivery
              </span>
            )}
          </span>
        </td>
        <td data-label="Status">
          <DeliveryStatusBadge badge={badge} />
        </td>
        <td data-label="Attempts">{d.attempt_count}</td>
        <td data-label="Response">
          <LastResponse status={d.response_status} error={d.last_error} />
        </td>
        <td data-label="Time">{last ? formatMs(last.duration_ms) : '—'}</td>
        <td data-label="Next retry">
          {d.status === 'pending' && d.next_attempt_at ? (
            <span title={formatDateTime(d.next_attempt_at)}>{formatNextAttempt(d.next_attempt_at)}</span>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td data-label="Created">
          <span title={formatDateTime(d.created_at)}>{formatRelative(d.created_at)}</span>
        </td>
        <td className="row-actions">
          <button
            type="button"
            className="button button-ghost button-small"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide attempts' : 'Attempts'}
          </button>
          <GuardedButton
            need="admin"
            className="button button-ghost button-small"
            onClick={redeliver}
            disabled={busy || disabledReason !== undefined}
            title={disabledReason ?? 'Send this event again, as a new delivery with the same webhook-id'}
          >
            {busy ? 'Queuing…' : 'Redeliver'}
          </GuardedButton>
        </td>
      </tr>
      {open && (
        <tr className="delivery-details-row">
          <td colSpan={8} id={detailsId}>
            <DeliveryDetails delivery={d} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The HTTP status, or why there was none (timeout, refused destination, …). */
function LastResponse({
  status,
  error,
  full = false,
}: {
  status: number | null;
  error: string | null;
  full?: boolean;
}) {
  if (status !== null) return <HttpStatus status={status} />;
  if (error)
    return (
      <span className={`delivery-error ${full ? '' : 'truncate'}`} title={error}>
        {error}
      </span>
    );
  return <span className="muted">—</span>;
}

function DeliveryDetails({ delivery: d }: { delivery: WebhookDelivery }) {
  return (
    <div className="delivery-details">
      <dl className="details">
        <div>
          <dt>Event ID (webhook-id)</dt>
          <dd>
            <code>{d.event_id}</code>
          </dd>
        </div>
        <div>
          <dt>Delivery ID</dt>
          <dd>
            <code>{d.id}</code>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDateTime(d.created_at)}</dd>
        </div>
        <div>
          <dt>{d.status === 'failed' ? 'Gave up' : 'Completed'}</dt>
          <dd>{d.completed_at ? formatDateTime(d.completed_at) : <span className="muted">Not yet</span>}</dd>
        </div>
      </dl>
      {d.attempts.length === 0 ? (
        <p className="muted">
          {d.status === 'pending'
            ? 'Not attempted yet: it is sent within a second or so.'
            : `Never attempted${d.last_error ? `: ${d.last_error}` : ''}.`}
        </p>
      ) : (
        <ol className="attempt-list">
          {d.attempts.map((a) => (
            <li key={a.attempt}>
              <div className="attempt-summary">
                <strong>Attempt {a.attempt}</strong>
                <span title={formatDateTime(a.created_at)}>{formatRelative(a.created_at)}</span>
                <LastResponse status={a.response_status} error={a.error} full />
                <span>{formatMs(a.duration_ms)}</span>
              </div>
              {a.error && a.response_status !== null && <p className="hint">{a.error}</p>}
              {a.response_body ? (
                <pre className="response-body">{a.response_body}</pre>
              ) : (
                <p className="hint">No response body.</p>
              )}
            </li>
          ))}
        </ol>
      )}
      <p className="hint">Response bodies are cut after their first 2 KiB.</p>
    </div>
  );
}
