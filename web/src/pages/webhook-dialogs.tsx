/**
 * The webhook endpoint dialogs: add one (then its signing secret, shown once), edit it (URL, events,
 * description, enabled), and rotate its signing secret with an overlap (then the new one, once).
 */
import { useState } from 'react';
import { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS } from '../../../src/contract/limits.ts';
import { api, type PatchWebhookBody, type WebhookEndpoint, type WebhookEndpointWithSecret } from '../api.ts';
import { Choice } from '../components/choice.tsx';
import { Dialog } from '../components/dialog.tsx';
import { DialogActions } from '../components/dialog-actions.tsx';
import { EventPicker, type EventSelection, EventTags } from '../components/event-picker.tsx';
import { DescriptionField, Field } from '../components/field.tsx';
import { RotationDialog } from '../components/rotation-dialog.tsx';
import { periodChoices } from '../components/rotation-timing.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { PRODUCT_NAME } from '../lib/product.ts';
import { InputError } from '../lib/use-resource.ts';
import { useSubmit } from '../lib/use-submit.ts';
import { ALL_EVENTS, isEventType } from '../lib/webhook-events.ts';

const SECRET_NOTE = `${PRODUCT_NAME} signs every delivery with it and cannot show it again. If it is lost, rotate it.`;
const URL_HINT = `${PRODUCT_NAME} POSTs each event here as JSON. Use https://; private and local addresses are refused unless the server allows them.`;

const selectionOf = (events: readonly string[]): EventSelection =>
  events.includes(ALL_EVENTS) ? [ALL_EVENTS] : events.filter(isEventType);

function checkEvents(events: EventSelection): EventSelection {
  if (events.length === 0) throw new InputError('Choose at least one event, or All events.');
  return events;
}

/** Where an endpoint receives events; a new one gets an example and the focus. */
function EndpointUrlField({
  value,
  onChange,
  isNew = false,
}: {
  value: string;
  onChange: (url: string) => void;
  isNew?: boolean;
}) {
  return (
    <Field label="Endpoint URL" hint={URL_HINT}>
      <input
        type="url"
        required
        maxLength={2048}
        autoComplete="off"
        placeholder={isNew ? 'https://example.com/webhooks/keyward' : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-autofocus={isNew || undefined}
      />
    </Field>
  );
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
      <SecretDialog
        title="Your endpoint's signing secret"
        secret={created.secret}
        note={SECRET_NOTE}
        onClose={onClose}
      >
        <p className="hint">
          Verify the <code>webhook-signature</code> header of every delivery to <code>{created.url}</code>{' '}
          with it (Standard Webhooks). Events: <EventTags events={created.events} max={4} />
        </p>
      </SecretDialog>
    );
  }

  return (
    <Dialog title="Add a webhook endpoint" onClose={onClose} busy={form.busy} size="large">
      <form className="form" onSubmit={form.submit}>
        <EndpointUrlField value={url} onChange={setUrl} isNew />
        <EventPicker value={events} onChange={setEvents} />
        <DescriptionField
          label="Description (optional)"
          hint="What receives these events, and who owns it."
          value={description}
          onChange={setDescription}
        />
        {form.error && <ErrorNote error={form.error} />}
        <DialogActions label="Add endpoint" busyLabel="Adding…" busy={form.busy} onCancel={onClose} />
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
        <EndpointUrlField value={url} onChange={setUrl} />
        <EventPicker value={events} onChange={setEvents} />
        <DescriptionField value={description} onChange={setDescription} />
        <Choice
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
          title="Enabled"
          hint={
            enabled && !endpoint.enabled
              ? 'Turning it back on clears the failure streak; new events are queued for it again.'
              : !enabled && endpoint.enabled
                ? 'A disabled endpoint gets nothing: deliveries waiting for it are given up (you can redeliver them later).'
                : enabled
                  ? 'Events it subscribes to are delivered.'
                  : `Disabled: ${endpoint.disabled_reason ?? 'nothing is delivered'}.`
          }
        />
        {form.error && <ErrorNote error={form.error} />}
        <DialogActions label="Save changes" busyLabel="Saving…" busy={form.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const HOUR = 3600;
const DAY = 86_400;
const OVERLAP_CHOICES = periodChoices(
  [HOUR, 6 * HOUR, DAY, 3 * DAY, DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS],
  MAX_SECRET_OVERLAP_SECONDS,
);

export function RotateSecretDialog({
  endpoint,
  onRotated,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  onRotated: (next: WebhookEndpoint) => void;
  onClose: () => void;
}) {
  return (
    <RotationDialog<WebhookEndpointWithSecret>
      title="Rotate the signing secret"
      legend="What happens to the current secret?"
      later={{
        title: 'Keep signing with it for a while',
        hint: 'Deliveries carry two signatures, one per secret, so your receiver verifies them with either while you switch it over.',
      }}
      now={{
        title: 'Stop using it now',
        hint: 'Only the new secret signs from now on. Use this if the current one leaked.',
      }}
      period={{
        id: 'overlap',
        label: 'Overlap',
        choices: OVERLAP_CHOICES,
        defaultValue: DEFAULT_SECRET_OVERLAP_SECONDS,
      }}
      keepsWorkingUntil={(until) => <>The current secret keeps signing until {until}.</>}
      actionLabel={() => 'Rotate secret'}
      rotate={async (mode, overlap) => {
        const result = await api.rotateWebhookSecret(endpoint.id, {
          overlap_seconds: mode === 'now' ? 0 : overlap,
        });
        const { secret: _secret, ...withoutSecret } = result;
        onRotated(withoutSecret);
        return result;
      }}
      rotated={(rotated) => {
        const previousUntil = rotated.previous_secret_expires_at;
        return (
          <SecretDialog
            title="Your new signing secret"
            secret={rotated.secret}
            note={SECRET_NOTE}
            onClose={onClose}
          >
            <p className="callout callout-info" data-testid="previous-secret-until">
              {previousUntil
                ? `The previous secret keeps signing deliveries until ${formatDateTime(previousUntil)} (${formatRelative(previousUntil)}): until then each delivery carries both signatures. Switch your receiver over before then.`
                : 'The previous secret no longer signs deliveries: receivers must use this one from now on.'}
            </p>
          </SecretDialog>
        );
      }}
      onClose={onClose}
    />
  );
}
