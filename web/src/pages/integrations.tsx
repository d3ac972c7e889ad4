/** Settings → Private integrations: every integration with its scopes, token and last use. */
import { api, type Credential } from '../api.ts';
import { StatusBadge, Tag } from '../components/badges.tsx';
import { GuardedButton, ReadOnlyNote } from '../components/guarded-button.tsx';
import { PagedTable } from '../components/paged-table.tsx';
import { PageHeader } from '../components/shell.tsx';
import { Empty } from '../components/states.tsx';
import { badgeOf, maskedSecret } from '../lib/credential-status.ts';
import { formatDate, formatDateTime, formatRelative } from '../lib/format.ts';
import { Link, navigate, useTitle } from '../lib/router.tsx';
import { usePagedList } from '../lib/use-paged-list.ts';

export function IntegrationsPage() {
  useTitle('Private integrations');
  const list = usePagedList((cursor) => api.integrations({ cursor, limit: 50 }), []);

  return (
    <>
      <PageHeader
        title="Private integrations"
        actions={
          <GuardedButton
            need="admin"
            className="button button-primary"
            onClick={() => navigate('/settings/integrations/new')}
          >
            New integration
          </GuardedButton>
        }
      >
        An integration has granular scopes and a token you can rotate without downtime: the old token keeps
        working for a grace period you choose.
      </PageHeader>
      <ReadOnlyNote need="admin" what="create or change integrations" />
      <section className="card card-flush" aria-label="Integrations">
        <PagedTable
          list={list}
          columns={['Name', 'Scopes', 'Token', 'Last used', 'Created', 'Status']}
          className="nowrap-cells"
          loadingLabel="Loading integrations…"
          empty={
            <Empty title="No private integrations yet">
              <p>
                Create one for each external system (Zapier, a data warehouse, a partner) so you can scope and
                rotate it on its own.
              </p>
            </Empty>
          }
          row={(i) => <IntegrationRow key={i.id} integration={i} />}
        />
      </section>
    </>
  );
}

function IntegrationRow({ integration: i }: { integration: Credential }) {
  return (
    <tr>
      <td data-label="Name">
        <Link to={`/settings/integrations/${encodeURIComponent(i.id)}`} className="strong-link">
          {i.name}
        </Link>
        {i.description && <div className="hint truncate">{i.description}</div>}
      </td>
      <td data-label="Scopes">
        <span className="tags">
          {i.scopes.map((s) => (
            <Tag key={s}>{s}</Tag>
          ))}
        </span>
      </td>
      <td data-label="Token">
        {i.token ? (
          <code className="secret-start">{maskedSecret(i.token.prefix, i.token.start)}</code>
        ) : (
          <span className="muted">No token yet</span>
        )}
        {i.previous_token && <div className="hint">+ previous token in grace</div>}
      </td>
      <td data-label="Last used">
        {i.last_used_at ? (
          <span title={formatDateTime(i.last_used_at)}>{formatRelative(i.last_used_at)}</span>
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td data-label="Created">{formatDate(i.created_at)}</td>
      <td data-label="Status">
        <StatusBadge badge={badgeOf(i)} />
      </td>
    </tr>
  );
}
