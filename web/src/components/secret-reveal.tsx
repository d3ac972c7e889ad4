/** A secret shown exactly once: a copy button and a plain warning that it will not be shown again. */
import type { ReactNode } from 'react';
import { PRODUCT_NAME } from '../lib/product.ts';
import { CopyButton } from './copy-button.tsx';

export function SecretReveal({
  secret,
  children,
  note = `${PRODUCT_NAME} keeps only a hash of it. If it is lost, create a new one.`,
}: {
  secret: string;
  children?: ReactNode;
  /** After the warning: why it cannot be shown again and what to do if it is lost. */
  note?: ReactNode;
}) {
  return (
    <div className="secret-reveal">
      <p className="callout callout-warning" role="note">
        <strong>Copy it now — you won't see this again.</strong> {note}
      </p>
      <div className="secret-box">
        <code data-testid="secret">{secret}</code>
        <CopyButton value={secret} label="Copy secret" />
      </div>
      {children}
    </div>
  );
}
