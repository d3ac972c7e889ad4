/** One API key: its details, last use, usage chart with budget, and recent requests. */
import { useState } from 'react';
import { api } from '../api.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { CredentialActivity, LastUsed } from '../components/credential-activity.tsx';
import { Breadcrumb, DetailPending } from '../components/detail-frame.tsx';
import { GuardedButton } from '../components/guarded-button.tsx';
import { PageHeader } from '../components/shell.tsx';
import { badgeOf, maskedSecret } from '../lib/credential-status.ts';
import { formatDateTime } from '../lib/format.ts';
import { navigate, useTitle } from '../lib/router.tsx';
import { apiKeyScopeLabel } from '../lib/scopes.ts';
import { useResource } from '../lib/use-resource.ts';

const BREADCRUMB = <Breadcrumb to="/settings/api-keys" parent="API keys" here="Activity" />;

export function KeyActivityPage({ id }: { id: string }) {
  const key = useResource(() => api.key(id), [id]);
  const [confirm, setConfirm] = useState<'revoke' | 'delete' | null>(null);
  const [refreshed, setRefreshed] = useState(0);
  useTitle(key.data ? `${key.data.name} · API keys` : 'API key');

  if (!key.data) {
    return <DetailPending breadcrumb={BREADCRUMB} resource={key} loadingLabel="Loading the key…" />;
  }
  const k = key.data;
  const refresh = () => {
    key.reload();
    setRefreshed((n) => n + 1);
  };

  return (
    <>
      {BREADCRUMB}
      <PageHeader
        title={k.name}
        actions={
          <>
            <button type="button" className="button button-secondary" onClick={refresh}>
              Refresh
            </button>
            {k.status !== 'revoked' && (
              <GuardedButton
                need="admin"
                className="button button-danger-outline"
                onClick={() => setConfirm('revoke')}
              >
                Revoke
              </GuardedButton>
            )}
            <GuardedButton
              need="admin"
              className="button button-danger-outline"
              onClick={() => setConfirm('delete')}
            >
              Delete
            </GuardedButton>
          </>
        }
      >
        <StatusBadge badge={badgeOf(k)} /> <code>{maskedSecret(k.prefix, k.start)}</code>
      </PageHeader>

      <section className="card">
        <dl className="details">
          <div>
            <dt>Last used</dt>
            <dd>
              <LastUsed credential={k} />
            </dd>
          </div>
          <div>
            <dt>Scope</dt>
            <dd>{apiKeyScopeLabel(k.scopes[0] ?? '')}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateTime(k.created_at)}</dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>{k.expires_at ? formatDateTime(k.expires_at) : 'Never'}</dd>
          </div>
          <div>
            <dt>Rate limit</dt>
            <dd>{k.rate_limit ?? "The plan's limit"}</dd>
          </div>
          {k.revoked_at && (
            <div>
              <dt>Revoked</dt>
              <dd>{formatDateTime(k.revoked_at)}</dd>
            </div>
          )}
        </dl>
      </section>

      <CredentialActivity credential={k} reloadKey={refreshed} />

      {confirm === 'revoke' && (
        <ConfirmDialog
          title={`Revoke “${k.name}”?`}
          confirmLabel="Revoke key"
          onConfirm={async () => key.set(await api.revokeKey(k.id))}
          onClose={() => setConfirm(null)}
        >
          <p>
            Every request made with <code>{maskedSecret(k.prefix, k.start)}</code> will be refused with 401
            from now on. Anything using it stops working until it gets a new key. Revoking is permanent.
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title={`Delete “${k.name}”?`}
          confirmLabel="Delete key"
          onConfirm={async () => {
            await api.deleteKey(k.id);
            navigate('/settings/api-keys');
          }}
          onClose={() => setConfirm(null)}
        >
          <p>
            The key and its activity disappear from the dashboard and{' '}
            <code>{maskedSecret(k.prefix, k.start)}</code> stops working at once. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
