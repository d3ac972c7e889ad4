/** Settings → Webhooks: the workspace's endpoints with their events and state; add one. */
import { useState } from 'react';
import { api, type WebhookEndpoint } from '../api.ts';
import { EndpointBadge } from '../components/badges.tsx';
import { EventTags } from '../components/event-picker.tsx';
import { GuardedButton, ReadOnlyNote } from '../components/guarded-button.tsx';
import { PagedTable } from '../components/paged-table.tsx';
import { PageHeader } from '../components/shell.tsx';
import { Empty } from '../components/states.tsx';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { PRODUCT_NAME } from '../lib/product.ts';
import { Link, navigate, useTitle } from '../lib/router.tsx';
import { usePagedList } from '../lib/use-paged-list.ts';
import { CreateWebhookDialog } from './webhook-dialogs.tsx';

export const webhookPath = (id: string) => `/settings/webhooks/${encodeURIComponent(id)}`;

export function WebhooksPage() {
  useTitle('Webhooks');
  const list = usePagedList((cursor) => api.webhooks({ cursor, limit: 50 }), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string>();

  return (
    <>
      <PageHeader
        title="Webhooks"
        actions={
          <GuardedButton
            need="admin"
            className="button button-primary"
            onClick={() => {
              setCreated(undefined);
              setCreating(true);
            }}
          >
            Add endpoint
          </GuardedButton>
        }
      >
        {PRODUCT_NAME} tells your systems when something happens — a post, a vote, a revoked key — with a
        signed <code>POST</code> to each endpoint that subscribes to it, retried until it gets a 2xx.
      </PageHeader>
      <ReadOnlyNote need="admin" what="add or change endpoints" />
      <section className="card card-flush" aria-label="Webhook endpoints">
        <PagedTable
          list={list}
          columns={['Endpoint', 'Events', 'Status', 'Created']}
          loadingLabel="Loading webhook endpoints…"
          empty={
            <Empty title="No webhook endpoints yet">
              <p>
                Add one with the URL of a server that should receive events. Its deliveries are logged here.
              </p>
            </Empty>
          }
          row={(e) => <EndpointRow key={e.id} endpoint={e} />}
        />
      </section>

      {creating && (
        <CreateWebhookDialog
          onCreated={(endpoint) => {
            list.update((items) => [endpoint, ...items]);
            setCreated(endpoint.id);
          }}
          onClose={() => {
            setCreating(false);
            // After the secret was copied, the endpoint's page: send a test event, watch the log.
            if (created) navigate(webhookPath(created));
          }}
        />
      )}
    </>
  );
}

function EndpointRow({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  return (
    <tr>
      <td data-label="Endpoint">
        <span className="endpoint-name">
          <Link to={webhookPath(e.id)} className="strong-link endpoint-url">
            {e.url}
          </Link>
          {e.description && <span className="hint truncate">{e.description}</span>}
        </span>
      </td>
      <td data-label="Events">
        <EventTags events={e.events} max={3} />
      </td>
      <td data-label="Status">
        <span className="status-cell">
          <EndpointBadge endpoint={e} />
          {!e.enabled && e.disabled_reason && (
            <span className="hint truncate" title={e.disabled_reason}>
              {e.disabled_reason}
            </span>
          )}
          {e.enabled && e.failing_since && (
            <span className="hint" title={formatDateTime(e.failing_since)}>
              failing since {formatDate(e.failing_since)}
            </span>
          )}
        </span>
      </td>
      <td data-label="Created">{formatDate(e.created_at)}</td>
    </tr>
  );
}
