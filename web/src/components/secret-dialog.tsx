/** The dialog that shows a new secret once, with what it belongs to, and a Done button. */
import type { ReactNode } from 'react';
import { Dialog } from './dialog.tsx';
import { SecretReveal } from './secret-reveal.tsx';

export function SecretDialog({
  title,
  secret,
  note,
  children,
  onClose,
}: {
  title: string;
  secret: string;
  /** Why it cannot be shown again and what to do if it is lost (SecretReveal's default otherwise). */
  note?: ReactNode;
  /** What the secret is for, under it. */
  children: ReactNode;
  onClose: () => void;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <SecretReveal secret={secret} note={note}>
        {children}
      </SecretReveal>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
