/** Sign in with email and password. */
import { api, type Session } from '../api.ts';
import { AuthCard } from '../components/auth-card.tsx';
import { Field } from '../components/field.tsx';
import { PRODUCT_NAME } from '../lib/product.ts';
import { useTitle } from '../lib/router.tsx';
import { useSubmit } from '../lib/use-submit.ts';

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (session: Session) => void;
  notice?: string;
}) {
  useTitle('Sign in');
  const form = useSubmit(async (fields) =>
    onSignedIn(
      await api.signIn({ email: String(fields.get('email')), password: String(fields.get('password')) }),
    ),
  );

  return (
    <AuthCard title={`Sign in to ${PRODUCT_NAME}`} form={form} label="Sign in" busyLabel="Signing in…">
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
    </AuthCard>
  );
}
