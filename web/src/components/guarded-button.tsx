/** A button that needs a role: for everyone else it stays visible but disabled, with the reason. */
import { type ButtonHTMLAttributes, useId } from 'react';
import type { Role } from '../api.ts';
import { deniedReason } from '../lib/permissions.ts';
import { useSession } from '../session.tsx';

export function GuardedButton({
  need,
  children,
  disabled,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { need: Role }) {
  const { user } = useSession();
  const reason = deniedReason(user.role, need);
  const reasonId = useId();
  return (
    <>
      <button
        type="button"
        {...rest}
        disabled={disabled || reason !== undefined}
        title={reason ?? rest.title}
        aria-describedby={reason ? reasonId : rest['aria-describedby']}
      >
        {children}
      </button>
      {reason && (
        <span id={reasonId} className="visually-hidden">
          {reason}
        </span>
      )}
    </>
  );
}

/** A note at the top of a page a person can only read. */
export function ReadOnlyNote({ need, what }: { need: Role; what: string }) {
  const { user } = useSession();
  const reason = deniedReason(user.role, need);
  if (!reason) return null;
  return (
    <p className="callout callout-info" role="note">
      You have read-only access here. {reason.replace('do this', what)}
    </p>
  );
}
