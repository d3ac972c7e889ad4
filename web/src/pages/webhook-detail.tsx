/**
 * One webhook endpoint: its URL, events and state; edit, enable again, rotate the signing secret,
 * delete; send a test event; and its delivery log with redelivery.
 */
import { useState } from 'react';
import { api, type WebhookEndpoint } from '../api.ts';
import { EndpointBadge } from '../components/badges.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { CopyButton } from '../components/copy-button.tsx';
import { DeliveryLog } from '../components/delivery-log.tsx';
import { Breadcrumb, DetailPending } from '../components/detail-frame.tsx';
import { EventTags } from '../components/event-picker.tsx';
import { GuardedButton, ReadOnlyNote } from '../components/guarded-button.tsx';
import { PageHeader } from '../components/shell.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { PRODUCT_NAME } from '../lib/product.ts';
import { navigate, useTitle } from '../lib/router.tsx';
import { asApiError, useResource } from '../lib/use-resource.ts';
import { EditWebhookDialog, RotateSecretDialog } from './webhook-dialogs.tsx';

const BREADCRUMB = <Breadcrumb to="/settings/webhooks" parent="Webhooks" here="Endpoint" />;

type Open = 'edit' | 'rotate' | 'delete' | null;
type Action = { busy: boolean; notice?: string; error?: string };

export function WebhookDetailPage({ id }: { id: string }) {
  const endpoint = useResource(() => api.webhook(id), [id]);
  const [open, setOpen] = useState<Open>(null);
  const [action, setAction] = useState<Action>({ busy: false });
  const [queued, setQueued] = useState(0);
  useTitle(endpoint.data ? `${endpoint.data.url} · Webhooks` : 'Webhook endpoint');

  if (!endpoint.data) {
    return <DetailPending breadcrumb={BREADCRUMB} resource={endpoint} loadingLabel="Loading the endpoint…" />;
  }
  const e = endpoint.data;
  const update = (next: WebhookEndpoint) => endpoint.set(next);
  const disabledReason = e.enabled ? undefined : 'The endpoint is disabled; enable it first.';

  /** Runs a one-click change (test event, enable) and says how it went. */
  const run = async (work: () => Promise<string>) => {
    setAction({ busy: true });
    try {
      setAction({ busy: false, notice: await work() });
    } catch (err) {
      setAction({ busy: false, error: asApiError(err).message });
    }
  };
  const sendTest = () =>
    run(async () => {
      await api.sendTestEvent(e.id);
      setQueued((n) => n + 1);
      return 'A webhook.test event is queued: it is sent within a second or so, and shows up in the deliveries below.';
    });
  const enable = () =>
    run(async () => {
      update(await api.updateWebhook(e.id, { enabled: true }));
      return 'The endpoint is enabled again: new events are queued for it. Redeliver what it missed below.';
    });

  return (
    <>
      {BREADCRUMB}
      <PageHeader
        title={e.url}
        actions={
          <>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                endpoint.reload();
                setQueued((n) => n + 1);
              }}
            >
              Refresh
            </button>
            <GuardedButton
              need="admin"
              className="button button-primary"
              onClick={sendTest}
              disabled={action.busy || disabledReason !== undefined}
              title={disabledReason}
            >
              {action.busy ? 'Sending…' : 'Send test event'}
            </GuardedButton>
            <GuardedButton need="admin" className="button button-secondary" onClick={() => setOpen('edit')}>
              Edit
            </GuardedButton>
            <GuardedButton
              need="admin"
              className="button button-danger-outline"
              onClick={() => setOpen('delete')}
            >
              Delete
            </GuardedButton>
          </>
        }
      >
        <EndpointBadge endpoint={e} /> {e.description}
      </PageHeader>
      <ReadOnlyNote need="admin" what="change endpoints, rotate secrets, send test events or redeliver" />
      {!e.enabled && (
        <div className="callout callout-warning endpoint-state" role="note">
          <p>
            <strong>This endpoint is disabled</strong>
            {e.disabled_at && ` since ${formatDateTime(e.disabled_at)}`}: {e.disabled_reason ?? 'by hand'}.
            New events are not queued for it.
          </p>
          <GuardedButton
            need="admin"
            className="button button-secondary button-small"
            onClick={enable}
            disabled={action.busy}
          >
            Enable endpoint
          </GuardedButton>
        </div>
      )}
      {e.enabled && e.failing_since && (
        <p className="callout callout-warning" role="note">
          Every delivery has failed since {formatDateTime(e.failing_since)} ({formatRelative(e.failing_since)}
          ). {PRODUCT_NAME} keeps retrying; an endpoint that fails for days (5 by default) is disabled.
        </p>
      )}
      {action.notice && (
        <p className="callout callout-success" role="status">
          {action.notice}
        </p>
      )}
      {action.error && <ErrorNote error={action.error} />}

      <div className="grid-2">
        <section className="card" aria-label="Endpoint">
          <h2 className="card-title">Endpoint</h2>
          <dl className="details details-stacked">
            <div>
              <dt>URL</dt>
              <dd className="inline-copy">
                <code>{e.url}</code>
                <CopyButton value={e.url} label="Copy URL" />
              </dd>
            </div>
            <div>
              <dt>Events</dt>
              <dd>
                <EventTags events={e.events} />
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                {formatDateTime(e.created_at)}
                {e.updated_at !== e.created_at && (
                  <span className="hint"> · changed {formatRelative(e.updated_at)}</span>
                )}
              </dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-label="Signing secret">
          <h2 className="card-title">Signing secret</h2>
          <p>
            Every delivery is signed with it (Standard Webhooks: <code>webhook-id</code>,{' '}
            <code>webhook-timestamp</code>, <code>webhook-signature</code>). It was shown once, when the
            endpoint was added or the secret last rotated.
          </p>
          {e.previous_secret_expires_at && (
            <p className="hint" data-testid="previous-secret">
              The previous secret also signs deliveries until {formatDateTime(e.previous_secret_expires_at)} (
              {formatRelative(e.previous_secret_expires_at)}).
            </p>
          )}
          <div className="card-actions">
            <GuardedButton need="admin" className="button button-secondary" onClick={() => setOpen('rotate')}>
              Rotate secret…
            </GuardedButton>
          </div>
        </section>
      </div>

      <DeliveryLog endpoint={e} reloadKey={queued} onSettled={endpoint.reload} />

      {open === 'edit' && <EditWebhookDialog endpoint={e} onSaved={update} onClose={() => setOpen(null)} />}
      {open === 'rotate' && (
        <RotateSecretDialog endpoint={e} onRotated={update} onClose={() => setOpen(null)} />
      )}
      {open === 'delete' && (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          onConfirm={async () => {
            await api.deleteWebhook(e.id);
            navigate('/settings/webhooks');
          }}
          onClose={() => setOpen(null)}
        >
          <p>
            <code>{e.url}</code> stops receiving events at once: deliveries still waiting are dropped, and its
            delivery log is deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
