/**
 * The webhook endpoint dialogs: add one (then its signing secret, shown once), edit it (URL, events,
 * description, enabled), and rotate its signing secret with an overlap (then the new one, once).
 */
import { type FormEvent, useState } from 'react';
import { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS } from '../../../src/contract/limits.ts';
import { api, type PatchWebhookBody, type WebhookEndpoint, type WebhookEndpointWithSecret } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { EventPicker, type EventSelection, EventTags } from '../components/event-picker.tsx';
import { Field } from '../components/field.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';
import { asApiError, InputError } from '../lib/use-resource.ts';
import { ALL_EVENTS, isEventType } from '../lib/webhook-events.ts';

const SECRET_NOTE =
  'Keyward signs every delivery with it and cannot show it again. If it is lost, rotate it.';
const URL_HINT =
  'Keyward POSTs each event here as JSON. Use https://; private and local addresses are refused unless the server allows them.';

/** Runs a dialog's change: busy while it runs, the error in words if it fails. */
function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
      setBusy(false);
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

const selectionOf = (events: readonly string[]): EventSelection =>
  events.includes(ALL_EVENTS) ? [ALL_EVENTS] : events.filter(isEventType);

function checkEvents(events: EventSelection): EventSelection {
  if (events.length === 0) throw new InputError('Choose at least one event, or All events.');
  return events;
}

export function CreateWebhookDialog({
  onCreated,
  onClose,
}: {
  onCreated: (endpoint: WebhookEndpoint) => void;
  onClose: () => void;
}) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<EventSelection>([]);
  const [created, setCreated] = useState<WebhookEndpointWithSecret>();
  const form = useSubmit(async () => {
    const endpoint = await api.createWebhook({ url: url.trim(), events: checkEvents(events), description });
    const { secret: _secret, ...withoutSecret } = endpoint;
    onCreated(withoutSecret);
    setCreated(endpoint);
  });

  if (created) {
    return (
      <Dialog key="secret" title="Your endpoint's signing secret" onClose={onClose}>
        <SecretReveal secret={created.secret} note={SECRET_NOTE}>
          <p className="hint">
            Verify the <code>webhook-signature</code> header of every delivery to <code>{created.url}</code>{' '}
            with it (Standard Webhooks). Events: <EventTags events={created.events} max={4} />
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
    <Dialog key="form" title="Add a webhook endpoint" onClose={onClose} busy={form.busy} size="large">
      <form className="form" onSubmit={form.submit}>
        <Field label="Endpoint URL" hint={URL_HINT}>
          <input
            type="url"
            required
            maxLength={2048}
            autoComplete="off"
            placeholder="https://example.com/webhooks/keyward"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            data-autofocus
          />
        </Field>
        <EventPicker value={events} onChange={setEvents} />
        <Field label="Description (optional)" hint="What receives these events, and who owns it.">
          <textarea
            maxLength={1000}
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        {form.error && <ErrorNote error={form.error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={form.busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form.busy}>
            {form.busy ? 'Adding…' : 'Add endpoint'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function EditWebhookDialog({
  endpoint,
  onSaved,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  onSaved: (next: WebhookEndpoint) => void;
  onClose: () => void;
}) {
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description);
  const [events, setEvents] = useState<EventSelection>(() => selectionOf(endpoint.events));
  const [enabled, setEnabled] = useState(endpoint.enabled);
  const form = useSubmit(async () => {
    checkEvents(events);
    // Only what changed: an unchanged URL is not checked again, an unchanged flag not re-applied.
    const patch: PatchWebhookBody = {};
    if (url.trim() !== endpoint.url) patch.url = url.trim();
    if (description !== endpoint.description) patch.description = description;
    if ([...events].sort().join() !== [...endpoint.events].sort().join()) patch.events = events;
    if (enabled !== endpoint.enabled) patch.enabled = enabled;
    if (Object.keys(patch).length > 0) onSaved(await api.updateWebhook(endpoint.id, patch));
    onClose();
  });

  return (
    <Dialog title="Edit the endpoint" onClose={onClose} busy={form.busy} size="large">
      <form className="form" onSubmit={form.submit}>
        <Field label="Endpoint URL" hint={URL_HINT}>
          <input
            type="url"
            required
            maxLength={2048}
            autoComplete="off"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </Field>
        <EventPicker value={events} onChange={setEvents} />
        <Field label="Description">
          <textarea
            maxLength={1000}
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <label className="choice">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <span>
            <strong>Enabled</strong>
            <span className="hint">
              {enabled && !endpoint.enabled
                ? 'Turning it back on clears the failure streak; new events are queued for it again.'
                : !enabled && endpoint.enabled
                  ? 'A disabled endpoint gets nothing: deliveries waiting for it are given up (you can redeliver them later).'
                  : enabled
                    ? 'Events it subscribes to are delivered.'
                    : `Disabled: ${endpoint.disabled_reason ?? 'nothing is delivered'}.`}
            </span>
          </span>
        </label>
        {form.error && <ErrorNote error={form.error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={form.busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form.busy}>
            {form.busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const HOUR = 3600;
const DAY = 86_400;
const OVERLAP_CHOICES = [
  ...new Set([HOUR, 6 * HOUR, DAY, 3 * DAY, DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS]),
]
  .filter((s) => s <= MAX_SECRET_OVERLAP_SECONDS)
  .sort((a, b) => a - b);

export function RotateSecretDialog({
  endpoint,
  onRotated,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  onRotated: (next: WebhookEndpoint) => void;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<'now' | 'later'>('later');
  const [overlap, setOverlap] = useState(DEFAULT_SECRET_OVERLAP_SECONDS);
  const [rotated, setRotated] = useState<WebhookEndpointWithSecret>();
  const until = new Date(Date.now() + overlap * 1000).toISOString();
  const form = useSubmit(async () => {
    const result = await api.rotateWebhookSecret(endpoint.id, {
      overlap_seconds: mode === 'now' ? 0 : overlap,
    });
    const { secret: _secret, ...withoutSecret } = result;
    onRotated(withoutSecret);
    setRotated(result);
  });

  if (rotated) {
    const previousUntil = rotated.previous_secret_expires_at;
    return (
      <Dialog key="secret" title="Your new signing secret" onClose={onClose}>
        <SecretReveal secret={rotated.secret} note={SECRET_NOTE}>
          <p className="callout callout-info" data-testid="previous-secret-until">
            {previousUntil
              ? `The previous secret keeps signing deliveries until ${formatDateTime(previousUntil)} (${formatRelative(previousUntil)}): until then each delivery carries both signatures. Switch your receiver over before then.`
              : 'The previous secret no longer signs deliveries: receivers must use this one from now on.'}
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
    <Dialog key="form" title="Rotate the signing secret" onClose={onClose} busy={form.busy}>
      <form className="form" onSubmit={form.submit}>
        <fieldset className="choice-group">
          <legend>What happens to the current secret?</legend>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              value="later"
              checked={mode === 'later'}
              onChange={() => setMode('later')}
            />
            <span>
              <strong>Keep signing with it for a while</strong>
              <span className="hint">
                Deliveries carry two signatures, one per secret, so your receiver verifies them with either
                while you switch it over.
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
              <strong>Stop using it now</strong>
              <span className="hint">
                Only the new secret signs from now on. Use this if the current one leaked.
              </span>
            </span>
          </label>
        </fieldset>
        {mode === 'later' && (
          <div className="field">
            <label htmlFor="overlap">Overlap</label>
            <select
              id="overlap"
              value={overlap}
              onChange={(e) => setOverlap(Number(e.target.value))}
              aria-describedby="overlap-until"
            >
              {OVERLAP_CHOICES.map((s) => (
                <option key={s} value={s}>
                  {formatDuration(s)}
                  {s === DEFAULT_SECRET_OVERLAP_SECONDS ? ' (default)' : ''}
                </option>
              ))}
            </select>
            <p className="hint" id="overlap-until">
              The current secret keeps signing until <strong>{formatDateTime(until)}</strong>.
            </p>
          </div>
        )}
        {form.error && <ErrorNote error={form.error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={form.busy}>
            Cancel
          </button>
          <button
            type="submit"
            className={`button ${mode === 'now' ? 'button-danger' : 'button-primary'}`}
            disabled={form.busy}
          >
            {form.busy ? 'Rotating…' : 'Rotate secret'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
