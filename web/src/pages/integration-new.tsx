/** Create a private integration: name, description and scopes; the token comes next, on its page. */
import { useState } from 'react';
import { api } from '../api.ts';
import { Breadcrumb } from '../components/detail-frame.tsx';
import { Field } from '../components/field.tsx';
import { GuardedButton } from '../components/guarded-button.tsx';
import { ScopePicker } from '../components/scope-picker.tsx';
import { PageHeader } from '../components/shell.tsx';
import { ErrorNote } from '../components/states.tsx';
import { Link, navigate, useTitle } from '../lib/router.tsx';
import { normalizeScopes } from '../lib/scopes.ts';
import { InputError } from '../lib/use-resource.ts';
import { useSubmit } from '../lib/use-submit.ts';

export function IntegrationNewPage() {
  useTitle('New integration');
  const [scopes, setScopes] = useState<string[]>([]);
  const form = useSubmit(async (fields) => {
    if (scopes.length === 0) throw new InputError('Choose at least one scope.');
    const created = await api.createIntegration({
      name: String(fields.get('name')),
      description: String(fields.get('description') ?? ''),
      scopes: normalizeScopes(scopes),
    });
    navigate(`/settings/integrations/${encodeURIComponent(created.id)}?created=1`);
  });

  return (
    <>
      <Breadcrumb to="/settings/integrations" parent="Private integrations" here="New" />
      <PageHeader title="New private integration">
        Name it after the system that will use it, then choose what it may do.
      </PageHeader>
      <form className="card form" onSubmit={form.submit}>
        <Field label="Name">
          <input name="name" required maxLength={200} autoComplete="off" placeholder="Zapier" />
        </Field>
        <Field label="Description (optional)" hint="Who owns it, what it syncs.">
          <textarea name="description" maxLength={1000} rows={2} />
        </Field>
        <ScopePicker value={scopes} onChange={setScopes} />
        {form.error && <ErrorNote error={form.error} />}
        <div className="form-actions">
          <Link to="/settings/integrations" className="button button-secondary">
            Cancel
          </Link>
          <GuardedButton need="admin" type="submit" className="button button-primary" disabled={form.busy}>
            {form.busy ? 'Creating…' : 'Create integration'}
          </GuardedButton>
        </div>
      </form>
    </>
  );
}
