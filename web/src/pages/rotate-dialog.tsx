/**
 * Rotate an integration's token: now (the old token ends at once) or later, keeping the old token
 * for a grace period whose end is shown before and after; then the new secret, once.
 */
import { type FormEvent, useState } from 'react';
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../../../src/contract/limits.ts';
import { api, type Credential, type RotatedCredential } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { ErrorNote } from '../components/states.tsx';
import { maskedSecret } from '../lib/credential-status.ts';
import { formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';
import { asApiError } from '../lib/use-resource.ts';

const HOUR = 3600;
const DAY = 86_400;
const GRACE_CHOICES = [
  ...new Set([HOUR, 6 * HOUR, DAY, 3 * DAY, DEFAULT_GRACE_SECONDS, 14 * DAY, MAX_GRACE_SECONDS]),
]
  .filter((s) => s <= MAX_GRACE_SECONDS)
  .sort((a, b) => a - b);
const DEFAULT_GRACE = DEFAULT_GRACE_SECONDS;

export function RotateDialog({
  integration,
  onRotated,
  onClose,
}: {
  integration: Credential;
  onRotated: (next: Credential) => void;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<'now' | 'later'>('later');
  const [grace, setGrace] = useState(DEFAULT_GRACE);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [rotated, setRotated] = useState<RotatedCredential>();
  const current = integration.token
    ? maskedSecret(integration.token.prefix, integration.token.start)
    : 'the current token';
  const until = new Date(Date.now() + grace * 1000).toISOString();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.rotate(
        integration.id,
        mode === 'now' ? { mode } : { mode, grace_seconds: grace },
      );
      const { secret: _secret, previous_valid_until: _until, ...withoutSecret } = result;
      onRotated(withoutSecret);
      setRotated(result);
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  if (rotated) {
    return (
      <Dialog key="secret" title="Your new token" onClose={onClose}>
        <SecretReveal secret={rotated.secret}>
          <p className="callout callout-info" data-testid="previous-valid-until">
            {rotated.previous_valid_until
              ? `The previous token ${current} keeps working until ${formatDateTime(rotated.previous_valid_until)} (${formatRelative(rotated.previous_valid_until)}). Switch your integration over before then.`
              : `The previous token ${current} has stopped working.`}
          </p>
        </SecretReveal>
        <div className="dialog-actions">
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title={`Rotate the token of “${integration.name}”`} onClose={onClose} busy={busy}>
      <form onSubmit={submit} className="form">
        <fieldset className="choice-group">
          <legend>When should {current} stop working?</legend>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              value="later"
              checked={mode === 'later'}
              onChange={() => setMode('later')}
            />
            <span>
              <strong>Rotate later</strong>
              <span className="hint">
                Both tokens work during a grace period, so you can switch without downtime.
              </span>
            </span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              value="now"
              checked={mode === 'now'}
              onChange={() => setMode('now')}
            />
            <span>
              <strong>Rotate now</strong>
              <span className="hint">
                The current token stops working immediately. Use this if it leaked.
              </span>
            </span>
          </label>
        </fieldset>
        {mode === 'later' && (
          <div className="field">
            <label htmlFor="grace">Grace period</label>
            <select
              id="grace"
              value={grace}
              onChange={(e) => setGrace(Number(e.target.value))}
              aria-describedby="grace-until"
            >
              {GRACE_CHOICES.map((s) => (
                <option key={s} value={s}>
                  {formatDuration(s)}
                  {s === DEFAULT_GRACE ? ' (default)' : ''}
                </option>
              ))}
            </select>
            <p className="hint" id="grace-until">
              {current} keeps working until <strong>{formatDateTime(until)}</strong>.
            </p>
          </div>
        )}
        {error && <ErrorNote error={error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className={`button ${mode === 'now' ? 'button-danger' : 'button-primary'}`}
            disabled={busy}
          >
            {busy ? 'Rotating…' : mode === 'now' ? 'Rotate now' : 'Rotate later'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
