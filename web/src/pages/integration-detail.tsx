/** One private integration: its token (generate, rotate), expiry, scopes, and its activity. */
import { useState } from 'react';
import { api, type Credential, type CredentialWithSecret } from '../api.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { CredentialActivity, LastUsed } from '../components/credential-activity.tsx';
import { Breadcrumb, DetailPending } from '../components/detail-frame.tsx';
import { GuardedButton, ReadOnlyNote } from '../components/guarded-button.tsx';
import { ScopeSummary } from '../components/scope-picker.tsx';
import { PageHeader } from '../components/shell.tsx';
import { ErrorNote } from '../components/states.tsx';
import { badgeOf, maskedSecret } from '../lib/credential-status.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { navigate, useSearch, useTitle } from '../lib/router.tsx';
import { asApiError, useResource } from '../lib/use-resource.ts';
import { EditIntegrationDialog, ExpireLaterDialog, TokenDialog } from './integration-dialogs.tsx';
import { RotateDialog } from './rotate-dialog.tsx';

const BREADCRUMB = <Breadcrumb to="/settings/integrations" parent="Private integrations" here="Details" />;

type Open = 'rotate' | 'expire-now' | 'expire-later' | 'edit' | 'delete' | null;

export function IntegrationDetailPage({ id }: { id: string }) {
  const integration = useResource(() => api.integration(id), [id]);
  const justCreated = useSearch().get('created') === '1';
  const [open, setOpen] = useState<Open>(null);
  const [issued, setIssued] = useState<CredentialWithSecret>();
  const [issuing, setIssuing] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const [refreshed, setRefreshed] = useState(0);
  useTitle(integration.data ? `${integration.data.name} · Integrations` : 'Integration');

  if (!integration.data) {
    return (
      <DetailPending breadcrumb={BREADCRUMB} resource={integration} loadingLabel="Loading the integration…" />
    );
  }
  const i = integration.data;
  const ended = i.status !== 'active';
  const endedReason = ended ? `This integration is ${i.status}; create a new one.` : undefined;
  const update = (next: Credential) => integration.set(next);

  const generate = async () => {
    setIssuing({ busy: true });
    try {
      const result = await api.issueToken(i.id);
      const { secret: _secret, ...withoutSecret } = result;
      update(withoutSecret);
      setIssued(result);
      setIssuing({ busy: false });
    } catch (err) {
      setIssuing({ busy: false, error: asApiError(err).message });
    }
  };

  return (
    <>
      {BREADCRUMB}
      <PageHeader
        title={i.name}
        actions={
          <>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                integration.reload();
                setRefreshed((n) => n + 1);
              }}
            >
              Refresh
            </button>
            <GuardedButton
              need="admin"
              className="button button-secondary"
              onClick={() => setOpen('edit')}
              disabled={ended}
            >
              Edit scopes
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
        <StatusBadge badge={badgeOf(i)} /> {i.description}
      </PageHeader>
      <ReadOnlyNote need="admin" what="generate, rotate or expire tokens" />
      {justCreated && !i.token && (
        <p className="callout callout-success" role="status">
          Integration created. Generate its token to start using it.
        </p>
      )}

      <div className="grid-2">
        <section className="card" aria-label="Token">
          <h2 className="card-title">Token</h2>
          {i.token ? (
            <dl className="details details-stacked">
              <div>
                <dt>Current token</dt>
                <dd>
                  <code className="secret-start" data-testid="current-token">
                    {maskedSecret(i.token.prefix, i.token.start)}
                  </code>
                  {i.token.created_at && (
                    <span className="hint"> created {formatRelative(i.token.created_at)}</span>
                  )}
                </dd>
              </div>
              {i.previous_token && (
                <div>
                  <dt>Previous token</dt>
                  <dd>
                    <code className="secret-start">
                      {maskedSecret(i.previous_token.prefix, i.previous_token.start)}
                    </code>
                    {ended ? (
                      <span className="hint"> no longer works: the integration is {i.status}</span>
                    ) : (
                      i.previous_token.valid_until && (
                        <span className="hint">
                          {' '}
                          works until {formatDateTime(i.previous_token.valid_until)} (
                          {formatRelative(i.previous_token.valid_until)})
                        </span>
                      )
                    )}
                  </dd>
                </div>
              )}
              <div>
                <dt>Last used</dt>
                <dd>
                  <LastUsed credential={i} />
                </dd>
              </div>
            </dl>
          ) : (
            <p className="muted">
              No token yet. Generate one and give it to the system that will call the API.
            </p>
          )}
          {issuing.error && <ErrorNote error={issuing.error} />}
          <div className="card-actions">
            {i.token ? (
              <GuardedButton
                need="admin"
                className="button button-primary"
                onClick={() => setOpen('rotate')}
                disabled={ended}
                title={endedReason}
              >
                Rotate token…
              </GuardedButton>
            ) : (
              <GuardedButton
                need="admin"
                className="button button-primary"
                onClick={generate}
                disabled={ended || issuing.busy}
                title={endedReason}
              >
                {issuing.busy ? 'Generating…' : 'Generate token'}
              </GuardedButton>
            )}
          </div>
        </section>

        <section className="card" aria-label="Expiry">
          <h2 className="card-title">Expiry</h2>
          <p>
            {i.status === 'expired' && i.expires_at
              ? `Expired ${formatDateTime(i.expires_at)}. Its tokens no longer work.`
              : i.expires_at
                ? `Expires ${formatDateTime(i.expires_at)} (${formatRelative(i.expires_at)}).`
                : 'Never expires.'}
          </p>
          <div className="card-actions">
            <GuardedButton
              need="admin"
              className="button button-secondary"
              onClick={() => setOpen('expire-later')}
              disabled={ended}
              title={endedReason}
            >
              Expire later…
            </GuardedButton>
            <GuardedButton
              need="admin"
              className="button button-danger-outline"
              onClick={() => setOpen('expire-now')}
              disabled={ended}
              title={endedReason}
            >
              Expire now
            </GuardedButton>
          </div>
        </section>
      </div>

      <section className="card" aria-label="Scopes">
        <h2 className="card-title">Scopes</h2>
        <ScopeSummary scopes={i.scopes} />
      </section>

      <CredentialActivity credential={i} reloadKey={refreshed} />

      {issued && <TokenDialog issued={issued} onClose={() => setIssued(undefined)} />}
      {open === 'rotate' && <RotateDialog integration={i} onRotated={update} onClose={() => setOpen(null)} />}
      {open === 'expire-later' && (
        <ExpireLaterDialog integration={i} onDone={update} onClose={() => setOpen(null)} />
      )}
      {open === 'edit' && (
        <EditIntegrationDialog integration={i} onSaved={update} onClose={() => setOpen(null)} />
      )}
      {open === 'expire-now' && (
        <ConfirmDialog
          title={`Expire “${i.name}” now?`}
          confirmLabel="Expire now"
          onConfirm={async () => update(await api.expireIntegration(i.id))}
          onClose={() => setOpen(null)}
        >
          <p>
            Every token of this integration —{' '}
            {i.token ? <code>{maskedSecret(i.token.prefix, i.token.start)}</code> : 'the current one'}
            {i.previous_token ? ' and the previous one still in its grace period' : ''} — stops working at
            once; requests get 401. An expired integration cannot be renewed.
          </p>
        </ConfirmDialog>
      )}
      {open === 'delete' && (
        <ConfirmDialog
          title={`Delete “${i.name}”?`}
          confirmLabel="Delete integration"
          onConfirm={async () => {
            await api.deleteIntegration(i.id);
            navigate('/settings/integrations');
          }}
          onClose={() => setOpen(null)}
        >
          <p>
            The integration disappears and its tokens stop working at once: the system using it gets 401. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
