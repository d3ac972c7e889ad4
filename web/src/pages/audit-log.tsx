/** The audit log: every change to keys, integrations, users and settings, filterable. */
import { type FormEvent, useState } from 'react';
import { type AuditEntry, type AuditQuery, api } from '../api.ts';
import { PagedTable } from '../components/paged-table.tsx';
import { PageHeader } from '../components/shell.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { deniedReason } from '../lib/permissions.ts';
import { useTitle } from '../lib/router.tsx';
import { usePagedList } from '../lib/use-paged-list.ts';
import { useSession } from '../session.tsx';

const ACTIONS = [
  'api_key.created',
  'api_key.revoked',
  'api_key.expired',
  'api_key.deleted',
  'integration.created',
  'integration.updated',
  'integration.token_created',
  'integration.rotated',
  'integration.expired',
  'integration.deleted',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.test_sent',
  'webhook.redelivered',
  'webhook.disabled',
  'user.created',
  'user.role_changed',
  'user.removed',
  'workspace.updated',
];

type Filters = Pick<AuditQuery, 'action' | 'target_id' | 'actor_id'>;

export function AuditLogPage() {
  useTitle('Audit log');
  const { user } = useSession();
  const denied = deniedReason(user.role, 'admin');
  return (
    <>
      <PageHeader title="Audit log">
        Who changed what, when and from where. Entries cannot be edited or deleted.
      </PageHeader>
      {denied ? (
        <p className="callout callout-info" role="note">
          The audit log is visible to admins and owners; you are a member. Ask an admin if you need to know
          who changed something.
        </p>
      ) : (
        <AuditTable />
      )}
    </>
  );
}

function AuditTable() {
  const [filters, setFilters] = useState<Filters>({});
  const [draft, setDraft] = useState<Filters>({});
  const edit = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });
  const log = usePagedList(
    (cursor) => api.auditLog({ ...filters, cursor, limit: 50 }),
    [filters.action, filters.target_id, filters.actor_id],
  );
  const actors = new Map<string, string>();
  for (const e of log.items ?? []) if (e.actor.id) actors.set(e.actor.id, e.actor.label ?? e.actor.id);
  if (filters.actor_id && !actors.has(filters.actor_id)) actors.set(filters.actor_id, filters.actor_id);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = (v: string | undefined) => v?.trim() || undefined;
    setFilters({
      action: value(draft.action),
      target_id: value(draft.target_id),
      actor_id: value(draft.actor_id),
    });
  };
  const clear = () => {
    setDraft({});
    setFilters({});
  };

  return (
    <section className="card card-flush" aria-label="Audit entries">
      <form className="filters" onSubmit={apply}>
        <label className="inline-label">
          <span>Action</span>
          <select value={draft.action ?? ''} onChange={edit('action')}>
            <option value="">Any action</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-label">
          <span>Actor</span>
          <select value={draft.actor_id ?? ''} onChange={edit('actor_id')}>
            <option value="">Anyone</option>
            {[...actors].map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-label">
          <span>Target ID</span>
          <input
            value={draft.target_id ?? ''}
            onChange={edit('target_id')}
            placeholder="key_…, int_…, whk_…"
          />
        </label>
        <button type="submit" className="button button-secondary button-small">
          Apply
        </button>
        {(filters.action || filters.actor_id || filters.target_id) && (
          <button type="button" className="button button-ghost button-small" onClick={clear}>
            Clear
          </button>
        )}
      </form>
      <PagedTable
        list={log}
        columns={['When', 'Who', 'Action', 'Target', 'Change']}
        loadingLabel="Loading the audit log…"
        empty="No entries match"
        moreLabel="Load older entries"
        row={(e) => <AuditRow key={e.id} entry={e} />}
      />
    </section>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const actor = e.actor.label ?? (e.actor.type === 'user' ? e.actor.id : e.actor.type.toUpperCase());
  return (
    <tr>
      <td data-label="When">
        <span title={formatDateTime(e.created_at)}>{formatRelative(e.created_at)}</span>
      </td>
      <td data-label="Who">
        {actor}
        {e.ip && <div className="hint">{e.ip}</div>}
      </td>
      <td data-label="Action">
        <code>{e.action}</code>
      </td>
      <td data-label="Target">{e.target.id ? <code>{e.target.id}</code> : e.target.type}</td>
      <td data-label="Change">
        {e.before || e.after ? (
          <details>
            <summary>Show</summary>
            <ChangeList before={e.before} after={e.after} />
          </details>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

function ChangeList({
  before,
  after,
}: {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return (
    <dl className="change-list">
      {keys.map((k) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            {before && <del>{show(before[k])}</del>} {after && <ins>{show(after[k])}</ins>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
