/** The card of the pages before signing in: the brand, the form's fields, its error and one button. */
import type { ReactNode } from 'react';
import type { Submit } from '../lib/use-submit.ts';
import { ErrorNote } from './states.tsx';

export function AuthCard({
  title,
  form,
  label,
  busyLabel,
  children,
}: {
  title: string;
  form: Submit;
  label: string;
  busyLabel: string;
  children: ReactNode;
}) {
  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={form.submit}>
        <div className="auth-brand">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <h1>{title}</h1>
        </div>
        {children}
        {form.error && <ErrorNote error={form.error} />}
        <button type="submit" className="button button-primary button-block" disabled={form.busy}>
          {form.busy ? busyLabel : label}
        </button>
      </form>
    </main>
  );
}
