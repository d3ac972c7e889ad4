/** First run: name the workspace and create its owner, who is then signed in. */
import { type FormEvent, useState } from 'react';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../src/contract/limits.ts';
import { api, type Session } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ErrorNote } from '../components/states.tsx';
import { useTitle } from '../lib/router.tsx';
import { asApiError } from '../lib/use-resource.ts';

export function SetupPage({ onDone }: { onDone: (session: Session) => void }) {
  useTitle('Set up Keyward');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      onDone(
        await api.setup({
          workspace_name: String(form.get('workspace_name')),
          email: String(form.get('email')),
          password: String(form.get('password')),
        }),
      );
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <div className="auth-brand">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <h1>Welcome to Keyward</h1>
        </div>
        <p className="page-lede">
          Create your workspace and its owner account. You can invite your team afterwards.
        </p>
        <Field label="Workspace name">
          <input
            name="workspace_name"
            required
            maxLength={200}
            autoComplete="organization"
            placeholder="Acme Inc."
          />
        </Field>
        <Field label="Your email">
          <input name="email" type="email" required autoComplete="email" />
        </Field>
        <Field label="Password" hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}>
          <input
            name="password"
            type="password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={MAX_PASSWORD_LENGTH}
            autoComplete="new-password"
          />
        </Field>
        {error && <ErrorNote error={error} />}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Creating…' : 'Create workspace'}
        </button>
      </form>
    </main>
  );
}
