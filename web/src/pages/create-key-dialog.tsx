/** Create an API key (name, scope, optional expiry and rate limit); then its secret, shown once. */
import { type FormEvent, useState } from 'react';
import { type ApiKeyScope, api, type Credential, type CredentialWithSecret } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { Field } from '../components/field.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, toLocalInput } from '../lib/format.ts';
import { API_KEY_SCOPE_INFO } from '../lib/scopes.ts';
import { asApiError } from '../lib/use-resource.ts';
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CredentialWithSecret>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const rateLimit = String(form.get('rate_limit') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const key = await api.createKey({
        name: String(form.get('name')),
        scope,
        expires_at: expiryFrom(expiry, customExpiry),
        rate_limit: rateLimit || undefined,
      });
      const { secret: _secret, ...withoutSecret } = key;
      onCreated(withoutSecret);
      setCreated(key);
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog key="secret" title="Your new API key" onClose={onClose}>
        <SecretReveal secret={created.secret}>
          <p className="hint">
            <strong>{created.name}</strong> · {API_KEY_SCOPE_INFO[scope].label}
            {created.expires_at ? ` · expires ${formatDateTime(created.expires_at)}` : ' · never expires'}
            {created.rate_limit ? ` · ${created.rate_limit}` : ''}
          </p>
        </SecretReveal>
        <div className="dialog-actions">
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title="Create an API key" onClose={onClose} busy={busy}>
      <form onSubmit={submit} className="form">
        <Field label="Name" hint="What uses it, e.g. “Nightly export” or “Staging server”.">
          <input name="name" required maxLength={200} autoComplete="off" data-autofocus />
        </Field>
        <fieldset className="choice-group">
          <legend>Scope</legend>
          {(Object.keys(API_KEY_SCOPE_INFO) as ApiKeyScope[]).map((value) => (
            <label key={value} className="choice">
              <input
                type="radio"
                name="scope"
                value={value}
                checked={scope === value}
                onChange={() => setScope(value)}
              />
              <span>
                <strong>{API_KEY_SCOPE_INFO[value].label}</strong>
                <span className="hint">{API_KEY_SCOPE_INFO[value].description}</span>
              </span>
            </label>
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
        {error && <ErrorNote error={error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
