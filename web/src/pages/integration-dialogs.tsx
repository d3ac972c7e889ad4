/** The smaller integration dialogs: the first token, expire later, and edit name/scopes. */
import { type FormEvent, useState } from 'react';
import { api, type Credential, type CredentialWithSecret, type IntegrationScope } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { Field } from '../components/field.tsx';
import { ScopePicker } from '../components/scope-picker.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, toLocalInput } from '../lib/format.ts';
import { isIntegrationScope, normalizeScopes } from '../lib/scopes.ts';
import { asApiError, InputError } from '../lib/use-resource.ts';

export function TokenDialog({ issued, onClose }: { issued: CredentialWithSecret; onClose: () => void }) {
  return (
    <Dialog title={`Token for “${issued.name}”`} onClose={onClose}>
      <SecretReveal secret={issued.secret}>
        <p className="hint">
          Use it as <code>Authorization: Bearer &lt;token&gt;</code>. Scopes: {issued.scopes.join(', ')}.
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

/** Runs a change for a dialog form: busy while it runs, the error in words if it fails. */
function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}

export function ExpireLaterDialog({
  integration,
  onDone,
  onClose,
}: {
  integration: Credential;
  onDone: (next: Credential) => void;
  onClose: () => void;
}) {
  const [when, setWhen] = useState(() => toLocalInput(new Date(Date.now() + 30 * 86_400_000)));
  const at = when ? new Date(when) : undefined;
  const form = useSubmit(async () => {
    if (!at || Number.isNaN(at.getTime()) || at.getTime() <= Date.now())
      throw new InputError('Choose a time in the future.');
    onDone(await api.expireIntegration(integration.id, { at: at.toISOString() }));
    onClose();
  });

  return (
    <Dialog title={`Expire “${integration.name}” later`} onClose={onClose} busy={form.busy} size="small">
      <form className="form" onSubmit={form.submit}>
        <Field
          label="Expires at"
          hint="Every token of this integration stops working at this time (your local time)."
        >
          <input
            type="datetime-local"
            required
            min={toLocalInput(new Date())}
            value={when}
            onChange={(e) => setWhen(e.target.value)}
          />
        </Field>
        {at && !Number.isNaN(at.getTime()) && (
          <p className="hint">That is {formatDateTime(at.toISOString())}.</p>
        )}
        {form.error && <ErrorNote error={form.error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={form.busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Set expiry
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function EditIntegrationDialog({
  integration,
  onSaved,
  onClose,
}: {
  integration: Credential;
  onSaved: (next: Credential) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(integration.name);
  const [description, setDescription] = useState(integration.description);
  const [scopes, setScopes] = useState<IntegrationScope[]>(integration.scopes.filter(isIntegrationScope));
  const form = useSubmit(async () => {
    if (scopes.length === 0) throw new InputError('Choose at least one scope.');
    onSaved(
      await api.updateIntegration(integration.id, { name, description, scopes: normalizeScopes(scopes) }),
    );
    onClose();
  });

  return (
    <Dialog title={`Edit “${integration.name}”`} onClose={onClose} busy={form.busy} size="large">
      <form className="form" onSubmit={form.submit}>
        <Field label="Name">
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Description">
          <textarea
            maxLength={1000}
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <ScopePicker value={scopes} onChange={setScopes} />
        <p className="hint">Scope changes apply to the integration's very next request.</p>
        {form.error && <ErrorNote error={form.error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={form.busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save changes
          </button>
        </div>
      </form>
    </Dialog>
  );
}
