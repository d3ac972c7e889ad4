/** First run: name the workspace and create its owner, who is then signed in. */
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../src/contract/limits.ts';
import { api, type Session } from '../api.ts';
import { AuthCard } from '../components/auth-card.tsx';
import { Field } from '../components/field.tsx';
import { PRODUCT_NAME } from '../lib/product.ts';
import { useTitle } from '../lib/router.tsx';
import { useSubmit } from '../lib/use-submit.ts';

export function SetupPage({ onDone }: { onDone: (session: Session) => void }) {
  useTitle(`Set up ${PRODUCT_NAME}`);
  const form = useSubmit(async (fields) =>
    onDone(
      await api.setup({
        workspace_name: String(fields.get('workspace_name')),
        email: String(fields.get('email')),
        password: String(fields.get('password')),
      }),
    ),
  );

  return (
    <AuthCard title={`Welcome to ${PRODUCT_NAME}`} form={form} label="Create workspace" busyLabel="Creating…">
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
    </AuthCard>
  );
}
