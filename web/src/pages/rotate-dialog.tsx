/**
 * Rotate an integration's token: now (the old token ends at once) or later, keeping the old token
 * for a grace period whose end is shown before and after; then the new secret, once.
 */
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../../../src/contract/limits.ts';
import { api, type Credential, type RotatedCredential } from '../api.ts';
import { RotationDialog } from '../components/rotation-dialog.tsx';
import { periodChoices } from '../components/rotation-timing.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { maskedSecret } from '../lib/credential-status.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';

const HOUR = 3600;
const DAY = 86_400;
const GRACE_CHOICES = periodChoices(
  [HOUR, 6 * HOUR, DAY, 3 * DAY, DEFAULT_GRACE_SECONDS, 14 * DAY, MAX_GRACE_SECONDS],
  MAX_GRACE_SECONDS,
);

export function RotateDialog({
  integration,
  onRotated,
  onClose,
}: {
  integration: Credential;
  onRotated: (next: Credential) => void;
  onClose: () => void;
}) {
  const current = integration.token
    ? maskedSecret(integration.token.prefix, integration.token.start)
    : 'the current token';
  return (
    <RotationDialog<RotatedCredential>
      title={`Rotate the token of “${integration.name}”`}
      legend={`When should ${current} stop working?`}
      later={{
        title: 'Rotate later',
        hint: 'Both tokens work during a grace period, so you can switch without downtime.',
      }}
      now={{
        title: 'Rotate now',
        hint: 'The current token stops working immediately. Use this if it leaked.',
      }}
      period={{
        id: 'grace',
        label: 'Grace period',
        choices: GRACE_CHOICES,
        defaultValue: DEFAULT_GRACE_SECONDS,
      }}
      keepsWorkingUntil={(until) => (
        <>
          {current} keeps working until {until}.
        </>
      )}
      actionLabel={(mode) => (mode === 'now' ? 'Rotate now' : 'Rotate later')}
      rotate={async (mode, grace) => {
        const result = await api.rotate(
          integration.id,
          mode === 'now' ? { mode } : { mode, grace_seconds: grace },
        );
        const { secret: _secret, previous_valid_until: _until, ...withoutSecret } = result;
        onRotated(withoutSecret);
        return result;
      }}
      rotated={(rotated) => (
        <SecretDialog title="Your new token" secret={rotated.secret} onClose={onClose}>
          <p className="callout callout-info" data-testid="previous-valid-until">
            {rotated.previous_valid_until
              ? `The previous token ${current} keeps working until ${formatDateTime(rotated.previous_valid_until)} (${formatRelative(rotated.previous_valid_until)}). Switch your integration over before then.`
              : `The previous token ${current} has stopped working.`}
          </p>
        </SecretDialog>
      )}
      onClose={onClose}
    />
  );
}
