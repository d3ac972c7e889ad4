/** Sign in with email and password. */
import { type FormEvent, useState } from 'react';
import { api, type Session } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ErrorNote } from '../components/states.tsx';
import { useTitle } from '../lib/router.tsx';
import { asApiError } from '../lib/use-resource.ts';

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (session: Session) => void;
  notice?: string;
}) {
  useTitle('Sign in');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(
        await api.signIn({ email: String(form.get('email')), password: String(form.get('password')) }),
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
          <h1>Sign in to Keyward</h1>
        </div>
        {notice && (
          <p className="callout callout-info" role="status">
            {notice}
          </p>
        )}
        <Field label="Email">
          <input name="email" type="email" required autoComplete="username" />
        </Field>
        <Field label="Password">
          <input name="password" type="password" required autoComplete="current-password" />
        </Field>
        {error && <ErrorNote error={error} />}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
