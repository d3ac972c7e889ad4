/** Team (owners): who can sign in, with which role; add people, change roles, remove them. */
import { useState } from 'react';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../src/contract/limits.ts';
import { api, type Role, type User } from '../api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Dialog } from '../components/dialog.tsx';
import { DialogActions } from '../components/dialog-actions.tsx';
import { Field } from '../components/field.tsx';
import { PageHeader } from '../components/shell.tsx';
import { ErrorNote, Loading } from '../components/states.tsx';
import { formatDate } from '../lib/format.ts';
import { deniedReason } from '../lib/permissions.ts';
import { useTitle } from '../lib/router.tsx';
import { asApiError, useResource } from '../lib/use-resource.ts';
import { useSubmit } from '../lib/use-submit.ts';
import { useSession } from '../session.tsx';

const ROLE_INFO: Record<Role, string> = {
  owner: 'Everything, including the team and workspace settings',
  admin: 'Create, rotate, revoke and delete keys and integrations',
  member: 'Read only',
};
const ROLES = Object.keys(ROLE_INFO) as Role[];

export function TeamPage() {
  useTitle('Team');
  const { user } = useSession();
  const denied = deniedReason(user.role, 'owner');
  return (
    <>
      <PageHeader title="Team">People who can sign in to this workspace's dashboard.</PageHeader>
      <ul className="role-legend">
        {ROLES.map((r) => (
          <li key={r}>
            <span className={`tag role-${r}`}>{r}</span> {ROLE_INFO[r]}
          </li>
        ))}
      </ul>
      {denied ? (
        <p className="callout callout-info" role="note">
          Only workspace owners can see and manage the team; you are{' '}
          {user.role === 'admin' ? 'an admin' : 'a member'}.
        </p>
      ) : (
        <TeamTable />
      )}
    </>
  );
}

function TeamTable() {
  const { user: me } = useSession();
  const users = useResource(() => api.users(), []);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<User>();
  const [error, setError] = useState<string>();

  const changeRole = async (u: User, role: Role) => {
    setError(undefined);
    try {
      const updated = await api.changeRole(u.id, { role });
      users.set({
        data: (users.data?.data ?? []).map((x) => (x.id === u.id ? updated : x)),
        next_cursor: null,
      });
    } catch (err) {
      setError(asApiError(err).message);
    }
  };

  return (
    <section className="card card-flush" aria-label="Team members">
      <div className="card-header card-header-padded">
        <h2 className="card-title">Members</h2>
        <button type="button" className="button button-primary button-small" onClick={() => setAdding(true)}>
          Add person
        </button>
      </div>
      {(users.error || error) && (
        <ErrorNote error={error ?? users.error!} onRetry={error ? undefined : users.reload} />
      )}
      {!users.data && users.loading && <Loading label="Loading the team…" />}
      {users.data && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.data.map((u) => (
              <tr key={u.id}>
                <td data-label="Email">
                  {u.email} {u.id === me.id && <span className="tag">you</span>}
                </td>
                <td data-label="Role">
                  <select
                    value={u.role}
                    onChange={(e) => void changeRole(u, e.target.value as Role)}
                    aria-label={`Role of ${u.email}`}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td data-label="Added">{formatDate(u.created_at)}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="button button-ghost button-small danger-text"
                    onClick={() => setRemoving(u)}
                    aria-label={`Remove ${u.email}`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding && (
        <AddUserDialog
          onAdded={(u) => users.set({ data: [...(users.data?.data ?? []), u], next_cursor: null })}
          onClose={() => setAdding(false)}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.email}?`}
          confirmLabel="Remove"
          onConfirm={async () => {
            await api.removeUser(removing.id);
            users.set({
              data: (users.data?.data ?? []).filter((x) => x.id !== removing.id),
              next_cursor: null,
            });
          }}
          onClose={() => setRemoving(undefined)}
        >
          <p>
            They are signed out everywhere at once and can no longer sign in. Keys and integrations they
            created keep working.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function AddUserDialog({ onAdded, onClose }: { onAdded: (user: User) => void; onClose: () => void }) {
  const form = useSubmit(async (fields) => {
    onAdded(
      await api.addUser({
        email: String(fields.get('email')),
        password: String(fields.get('password')),
        role: fields.get('role') as Role,
      }),
    );
    onClose();
  });
  return (
    <Dialog title="Add a person" onClose={onClose} busy={form.busy}>
      <form className="form" onSubmit={form.submit}>
        <Field label="Email">
          <input name="email" type="email" required autoComplete="off" data-autofocus />
        </Field>
        <Field
          label="Initial password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters. Share it with them privately.`}
        >
          <input
            name="password"
            type="password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={MAX_PASSWORD_LENGTH}
            autoComplete="new-password"
          />
        </Field>
        <Field label="Role">
          <select name="role" defaultValue="member">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r} — {ROLE_INFO[r]}
              </option>
            ))}
          </select>
        </Field>
        {form.error && <ErrorNote error={form.error} />}
        <DialogActions label="Add person" busyLabel="Adding…" busy={form.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
