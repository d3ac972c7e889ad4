/** The foot of a dialog's form: Cancel, and the submit button that says what it is doing. */
export function DialogActions({
  label,
  busyLabel = label,
  busy,
  onCancel,
  tone = 'primary',
}: {
  label: string;
  /** Shown on the submit button while the change runs. */
  busyLabel?: string;
  busy: boolean;
  onCancel: () => void;
  tone?: 'primary' | 'danger';
}) {
  return (
    <div className="dialog-actions">
      <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <button type="submit" className={`button button-${tone}`} disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}
