/** Asks before something that cannot be undone, saying what will break; shows the failure in words. */
import { type ReactNode, useState } from 'react';
import { asApiError } from '../lib/use-resource.ts';
import { Dialog } from './dialog.tsx';
import { ErrorNote } from './states.tsx';

export interface ConfirmDialogProps {
  title: string;
  /** What happens, and what stops working. */
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  tone?: 'danger' | 'primary';
}

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  tone = 'danger',
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} busy={busy} size="small">
      <div className="confirm-text">{children}</div>
      {error && <ErrorNote error={error} />}
      <div className="dialog-actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={onClose}
          disabled={busy}
          data-autofocus
        >
          Cancel
        </button>
        <button type="button" className={`button button-${tone}`} onClick={confirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
