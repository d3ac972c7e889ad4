/** Create an API key (name, scope, optional expiry and rate limit); then its secret, shown once. */
import { useState } from 'react';
import { type ApiKeyScope, api, type Credential, type CredentialWithSecret } from '../api.ts';
import { Choice } from '../components/choice.tsx';
import { Dialog } from '../components/dialog.tsx';
import { DialogActions } from '../components/dialog-actions.tsx';
import { Field } from '../components/field.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, toLocalInput } from '../lib/format.ts';
import { API_KEY_SCOPE_INFO } from '../lib/scopes.ts';
import { useSubmit } from '../lib/use-submit.ts';
import { useSession } from '../session.tsx';

const EXPIRY_CHOICES = [
  { value: 'never', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
  { value: 'custom', label: 'On a date…' },
] as const;

function expiryFrom(choice: string, custom: string): string | undefined {
  if (choice === 'never') return undefined;
  if (choice === 'custom') return custom ? new Date(custom).toISOString() : undefined;
  return new Date(Date.now() + Number(choice) * 86_400_000).toISOString();
}

export function CreateKeyDialog({
  onCreated,
  onClose,
}: {
  onCreated: (key: Credential) => void;
  onClose: () => void;
}) {
  const { workspace } = useSession();
  const [scope, setScope] = useState<ApiKeyScope>('read');
  const [expiry, setExpiry] = useState('never');
  const [customExpiry, setCustomExpiry] = useState('');
  const [created, setCreated] = useState<CredentialWithSecret>();
  const form = useSubmit(async (fields) => {
    const rateLimit = String(fields.get('rate_limit') ?? '').trim();
    const key = await api.createKey({
      name: String(fields.get('name')),
      scope,
      expires_at: expiryFrom(expiry, customExpiry),
      rate_limit: rateLimit || undefined,
    });
    const { secret: _secret, ...withoutSecret } = key;
    onCreated(withoutSecret);
    setCreated(key);
  });

  if (created) {
    return (
      <SecretDialog title="Your new API key" secret={created.secret} onClose={onClose}>
        <p className="hint">
          <strong>{created.name}</strong> · {API_KEY_SCOPE_INFO[scope].label}
          {created.expires_at ? ` · expires ${formatDateTime(created.expires_at)}` : ' · never expires'}
          {created.rate_limit ? ` · ${created.rate_limit}` : ''}
        </p>
      </SecretDialog>
    );
  }

  return (
    <Dialog title="Create an API key" onClose={onClose} busy={form.busy}>
      <form onSubmit={form.submit} className="form">
        <Field label="Name" hint="What uses it, e.g. “Nightly export” or “Staging server”.">
          <input name="name" required maxLength={200} autoComplete="off" data-autofocus />
        </Field>
        <fieldset className="choice-group">
          <legend>Scope</legend>
          {(Object.keys(API_KEY_SCOPE_INFO) as ApiKeyScope[]).map((value) => (
            <Choice
              key={value}
              type="radio"
              name="scope"
              value={value}
              checked={scope === value}
              onChange={() => setScope(value)}
              title={API_KEY_SCOPE_INFO[value].label}
              hint={API_KEY_SCOPE_INFO[value].description}
            />
          ))}
        </fieldset>
        <div className="field-row">
          <Field label="Expires">
            <select value={expiry} onChange={(e) => setExpiry(e.target.value)}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </Field>
          {expiry === 'custom' && (
            <Field label="Expiry date">
              <input
                type="datetime-local"
                required
                min={toLocalInput(new Date())}
                value={customExpiry}
                onChange={(e) => setCustomExpiry(e.target.value)}
              />
            </Field>
          )}
        </div>
        <Field
          label="Rate limit (optional)"
          hint={`Requests per window, like 100/m or 5000/h. Empty uses the plan's ${workspace.plan_limits.key_rate_limit}.`}
        >
          <input
            name="rate_limit"
            placeholder={workspace.plan_limits.key_rate_limit}
            pattern="\d+/\d*[smhd]"
            title="A number, a slash and a window: 100/m, 1000/h, 50000/1d"
            autoComplete="off"
          />
        </Field>
        {form.error && <ErrorNote error={form.error} />}
        <DialogActions label="Create key" busyLabel="Creating…" busy={form.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
