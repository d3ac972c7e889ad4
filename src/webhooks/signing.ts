/**
 * Signing secrets (`whsec_` + base64 of 32 random bytes, the Standard Webhooks format) and the
 * signed headers of a delivery. During a rotation's overlap both secrets sign, so a receiver that
 * still holds the old one keeps verifying.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export interface SignedMessage {
  /** `webhook-id`: the event id, the same on every attempt. */
  id: string;
  /** When this attempt is sent (receivers compare it with their own clock). */
  sentAt: Date;
  body: string;
}

/** The Standard Webhooks headers for one attempt, signed with every secret given (newest first). */
export function signedHeaders(secrets: readonly string[], message: SignedMessage): Record<string, string> {
  const signatures = secrets.map((s) => new Webhook(s).sign(message.id, message.sentAt, message.body));
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(message.sentAt.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** The secrets that sign right now: the current one, and the previous one inside its overlap. */
export function activeSecrets(
  endpoint: { secret: string; previous_secret: string | null; previous_secret_expires_at: number | null },
  now: number,
): string[] {
  const previousValid =
    endpoint.previous_secret !== null &&
    endpoint.previous_secret_expires_at !== null &&
    endpoint.previous_secret_expires_at > now;
  return previousValid ? [endpoint.secret, endpoint.previous_secret as string] : [endpoint.secret];
}
