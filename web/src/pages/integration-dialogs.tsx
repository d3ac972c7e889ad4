/** The smaller integration dialogs: the first token, expire later, and edit name/scopes. */
import { useState } from 'react';
import { api, type Credential, type CredentialWithSecret } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { DialogActions } from '../components/dialog-actions.tsx';
import { DescriptionField, Field } from '../components/field.tsx';
import { ScopePicker } from '../components/scope-picker.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, toLocalInput } from '../lib/format.ts';
import { normalizeScopes } from '../lib/scopes.ts';
import { InputError } from '../lib/use-resource.ts';
import { useSubmit } from '../lib/use-submit.ts';

export function TokenDialog({ issued, onClose }: { issued: CredentialWithSecret; onClose: () => void }) {
  return (
    <SecretDialog title={`Token for “${issued.name}”`} secret={issued.secret} onClose={onClose}>
      <p className="hint">
        Use it as <code>Authorization: Bearer &lt;token&gt;</code>. Scopes: {issued.scopes.join(', ')}.
      </p>
    </SecretDialog>
  );
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
        <DialogActions label="Set expiry" busy={form.busy} onCancel={onClose} />
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
  const [scopes, setScopes] = useState<string[]>(integration.scopes);
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
        <DescriptionField value={description} onChange={setDescription} />
        <ScopePicker value={scopes} onChange={setScopes} />
        <p className="hint">Scope changes apply to the integration's very next request.</p>
        {form.error && <ErrorNote error={form.error} />}
        <DialogActions label="Save changes" busy={form.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
