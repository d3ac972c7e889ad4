/** Settings → API keys: the workspace id, every key with its status, create, revoke and delete. */
import { useState } from 'react';
import { api, type Credential } from '../api.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { CopyButton } from '../components/copy-button.tsx';
import { GuardedButton, ReadOnlyNote } from '../components/guarded-button.tsx';
import { PagedTable } from '../components/paged-table.tsx';
import { PageHeader } from '../components/shell.tsx';
import { Empty } from '../components/states.tsx';
import { badgeOf, maskedSecret } from '../lib/credential-status.ts';
import { formatDate, formatDateTime, formatRelative } from '../lib/format.ts';
import { Link, useTitle } from '../lib/router.tsx';
import { apiKeyScopeLabel } from '../lib/scopes.ts';
import { usePagedList } from '../lib/use-paged-list.ts';
import { useSession } from '../session.tsx';
import { CreateKeyDialog } from './create-key-dialog.tsx';

type Pending = { kind: 'create' } | { kind: 'revoke' | 'delete'; key: Credential } | null;

export function ApiKeysPage() {
  useTitle('API keys');
  const { workspace } = useSession();
  const keys = usePagedList((cursor) => api.keys({ cursor, limit: 50 }), []);
  const [pending, setPending] = useState<Pending>(null);
  const replace = (next: Credential) =>
    keys.update((items) => items.map((k) => (k.id === next.id ? next : k)));

  return (
    <>
      <PageHeader
        title="API keys"
        actions={
          <GuardedButton
            need="admin"
            className="button button-primary"
            onClick={() => setPending({ kind: 'create' })}
          >
            Create API key
          </GuardedButton>
        }
      >
        Keys let your own scripts and servers call the API with <code>Authorization: Bearer &lt;key&gt;</code>
        .
      </PageHeader>
      <ReadOnlyNote need="admin" what="create, revoke or delete keys" />

      <section className="card workspace-id-card" aria-label="Workspace ID">
        <div>
          <h2 className="card-title">Workspace ID</h2>
          <p className="hint">Support and the verify endpoint use it to identify your workspace.</p>
        </div>
        <div className="inline-copy">
          <code>{workspace.id}</code>
          <CopyButton value={workspace.id} label="Copy workspace ID" />
        </div>
      </section>

      <section className="card card-flush" aria-label="API keys">
        <PagedTable
          list={keys}
          columns={['Name', 'Scope', 'Key', 'Created', 'Last used', 'Expires', 'Status']}
          actionsColumn
          className="nowrap-cells"
          loadingLabel="Loading API keys…"
          empty={
            <Empty title="No API keys yet">
              <p>Create one to call the API from a script or server.</p>
            </Empty>
          }
          row={(key) => (
            <KeyRow
              key={key.id}
              credential={key}
              onRevoke={() => setPending({ kind: 'revoke', key })}
              onDelete={() => setPending({ kind: 'delete', key })}
            />
          )}
        />
      </section>

      {pending?.kind === 'create' && (
        <CreateKeyDialog
          onCreated={(key) => keys.update((items) => [key, ...items])}
          onClose={() => setPending(null)}
        />
      )}
      {pending?.kind === 'revoke' && (
        <ConfirmDialog
          title={`Revoke “${pending.key.name}”?`}
          confirmLabel="Revoke key"
          onConfirm={async () => replace(await api.revokeKey(pending.key.id))}
          onClose={() => setPending(null)}
        >
          <p>
            Every request made with <code>{maskedSecret(pending.key.prefix, pending.key.start)}</code> will be
            refused with 401 from now on, on every server. Scripts and integrations using it stop working
            until they get a new key.
          </p>
          <p>Revoking is permanent: the key cannot be turned back on.</p>
        </ConfirmDialog>
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete “${pending.key.name}”?`}
          confirmLabel="Delete key"
          onConfirm={async () => {
            await api.deleteKey(pending.key.id);
            keys.update((items) => items.filter((k) => k.id !== pending.key.id));
          }}
          onClose={() => setPending(null)}
        >
          <p>
            The key disappears from this list and{' '}
            <code>{maskedSecret(pending.key.prefix, pending.key.start)}</code> stops working at once: anything
            still using it gets 401.
          </p>
          <p>This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function KeyRow({
  credential: key,
  onRevoke,
  onDelete,
}: {
  credential: Credential;
  onRevoke: () => void;
  onDelete: () => void;
}) {
  const badge = badgeOf(key);
  return (
    <tr>
      <td data-label="Name">
        <Link
          to={`/settings/api-keys/${encodeURIComponent(key.id)}`}
          className="strong-link"
          title="Usage and recent requests"
        >
          {key.name}
        </Link>
      </td>
      <td data-label="Scope">{apiKeyScopeLabel(key.scopes[0] ?? '')}</td>
      <td data-label="Key">
        <code className="secret-start">{maskedSecret(key.prefix, key.start)}</code>
      </td>
      <td data-label="Created">{formatDate(key.created_at)}</td>
      <td data-label="Last used">
        {key.last_used_at ? (
          <span
            title={`${formatDateTime(key.last_used_at)}${key.last_used_ip ? ` from ${key.last_used_ip}` : ''}`}
          >
            {formatRelative(key.last_used_at)}
          </span>
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td data-label="Expires">
        <Expiry at={key.expires_at} />
      </td>
      <td data-label="Status">
        <StatusBadge
          badge={badge}
          title={key.revoked_at ? `Revoked ${formatDateTime(key.revoked_at)}` : undefined}
        />
      </td>
      <td className="row-actions">
        {key.status !== 'revoked' && (
          <GuardedButton
            need="admin"
            className="button button-ghost button-small danger-text"
            aria-label={`Revoke ${key.name}`}
            onClick={onRevoke}
          >
            Revoke
          </GuardedButton>
        )}
        <GuardedButton
          need="admin"
          className="button button-ghost button-small danger-text"
          aria-label={`Delete ${key.name}`}
          onClick={onDelete}
        >
          Delete
        </GuardedButton>
      </td>
    </tr>
  );
}

/** Soon is said relatively ("in 5 days"), later as a date; the exact time is in the tooltip. */
function Expiry({ at }: { at: string | null }) {
  if (!at) return <span className="muted">Never</span>;
  const soon = Math.abs(Date.parse(at) - Date.now()) < 30 * 86_400_000;
  return <span title={formatDateTime(at)}>{soon ? formatRelative(at) : formatDate(at)}</span>;
}
