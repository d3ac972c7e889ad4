/** Workspace usage: every credential's requests together, the plan's shared pool, and usage alerts. */
import type { ReactNode } from 'react';
import { api } from '../api.ts';
import { PageHeader } from '../components/shell.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { UsagePanel } from '../components/usage-panel.tsx';
import { formatDateTime, formatNumber, formatRelative } from '../lib/format.ts';
import { Link, useTitle } from '../lib/router.tsx';
import { usePagedList } from '../lib/use-paged-list.ts';
import { useSession } from '../session.tsx';

export function UsagePage() {
  useTitle('Usage');
  const { workspace } = useSession();
  const limits = workspace.plan_limits;

  return (
    <>
      <PageHeader title="Usage">
        All API keys and integrations of {workspace.name} together, against the{' '}
        <Link to="/settings/workspace">{workspace.plan} plan</Link>'s shared pool.
      </PageHeader>
      {!limits.api_access && (
        <p className="callout callout-warning" role="note">
          The {workspace.plan} plan has no API access: every request is refused with 403 until the plan
          changes.
        </p>
      )}
      <section className="card">
        <dl className="details">
          <div>
            <dt>Plan</dt>
            <dd className="capitalize">{workspace.plan}</dd>
          </div>
          <div>
            <dt>Shared pool</dt>
            <dd>{limits.workspace_rate_limit ?? 'No shared limit'}</dd>
          </div>
          <div>
            <dt>Default per key</dt>
            <dd>{limits.key_rate_limit}</dd>
          </div>
        </dl>
      </section>
      <UsagePanel
        title="Workspace requests"
        load={(query) => api.workspaceUsage(query)}
        budgetLabel="Shared pool"
      />
      <Alerts />
    </>
  );
}

function Alerts() {
  const alerts = usePagedList((cursor) => api.alerts({ cursor, limit: 20 }), []);
  return (
    <section className="card" aria-label="Usage alerts">
      <h2 className="card-title">Usage alerts</h2>
      {alerts.error && <ErrorNote error={alerts.error} onRetry={alerts.reload} />}
      {!alerts.items && alerts.loading && <Loading />}
      {alerts.items?.length === 0 && (
        <Empty title="No alerts">
          <p>
            Set thresholds on the <Link to="/settings/workspace">workspace page</Link> to be told when a key
            nears its budget or errors pile up.
          </p>
        </Empty>
      )}
      {alerts.items && alerts.items.length > 0 && (
        <ul className="alert-list">
          {alerts.items.map((a) => (
            <li key={a.id}>
              <span title={formatDateTime(a.created_at)} className="hint">
                {formatRelative(a.created_at)}
              </span>
              <span>{describeAlert(a.data)}</span>
            </li>
          ))}
        </ul>
      )}
      {alerts.hasMore && (
        <button type="button" className="button button-secondary" onClick={alerts.loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}

/** Alert payloads are typed loosely by the API (a record): read the fields each kind is known to carry. */
function describeAlert(data: Record<string, unknown>): ReactNode {
  const num = (k: string) => (typeof data[k] === 'number' ? (data[k] as number) : undefined);
  const str = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : undefined);
  const id = str('credential_id');
  const who = id ? (
    <Link to={id.startsWith('int_') ? `/settings/integrations/${id}` : `/settings/api-keys/${id}`}>
      <code>{id}</code>
    </Link>
  ) : (
    'A credential'
  );
  if (data.kind === 'key_budget') {
    return (
      <>
        {who} used {formatNumber(num('used') ?? 0)} of {formatNumber(num('limit') ?? 0)} requests (over{' '}
        {num('threshold_percent')}% of its budget) in the window ending{' '}
        {formatDateTime(str('window_resets_at') ?? '')}.
      </>
    );
  }
  if (data.kind === 'error_rate') {
    return (
      <>
        {who}: {num('error_rate_percent')}% of {formatNumber(num('requests') ?? 0)} requests failed in the
        hour from {formatDateTime(str('hour') ?? '')} (threshold {num('threshold_percent')}%).
      </>
    );
  }
  return <>{who}: usage alert.</>;
}
