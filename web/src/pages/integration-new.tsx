/** Create a private integration: name, description and scopes; the token comes next, on its page. */
import { type FormEvent, useState } from 'react';
import { api, type IntegrationScope } from '../api.ts';
import { Field } from '../components/field.tsx';
import { GuardedButton } from '../components/guarded-button.tsx';
import { ScopePicker } from '../components/scope-picker.tsx';
import { PageHeader } from '../components/shell.tsx';
import { ErrorNote } from '../components/states.tsx';
import { Link, navigate, useTitle } from '../lib/router.tsx';
import { normalizeScopes } from '../lib/scopes.ts';
import { asApiError } from '../lib/use-resource.ts';

export function IntegrationNewPage() {
  useTitle('New integration');
  const [scopes, setScopes] = useState<IntegrationScope[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (scopes.length === 0) return setError('Choose at least one scope.');
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createIntegration({
        name: String(form.get('name')),
        description: String(form.get('description') ?? ''),
        scopes: normalizeScopes(scopes),
      });
      navigate(`/settings/integrations/${encodeURIComponent(created.id)}?created=1`);
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/settings/integrations">Private integrations</Link> <span aria-hidden="true">/</span> New
      </nav>
      <PageHeader title="New private integration">
        Name it after the system that will use it, then choose what it may do.
      </PageHeader>
      <form className="card form" onSubmit={submit}>
        <Field label="Name">
          <input name="name" required maxLength={200} autoComplete="off" placeholder="Zapier" />
        </Field>
        <Field label="Description (optional)" hint="Who owns it, what it syncs.">
          <textarea name="description" maxLength={1000} rows={2} />
        </Field>
        <ScopePicker value={scopes} onChange={setScopes} />
        {error && <ErrorNote error={error} />}
        <div className="form-actions">
          <Link to="/settings/integrations" className="button button-secondary">
            Cancel
          </Link>
          <GuardedButton need="admin" type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create integration'}
          </GuardedButton>
        </div>
      </form>
    </>
  );
}
