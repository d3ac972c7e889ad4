/** Small labels: a credential's status, a request's status code, a webhook's state, a role. */
import type { WebhookEndpoint } from '../api.ts';
import type { Badge } from '../lib/credential-status.ts';
import { formatDateTime } from '../lib/format.ts';
import type { DeliveryBadge } from '../lib/webhook-events.ts';

const BADGE_TEXT: Record<Badge, string> = {
  active: 'Active',
  expiring: 'Expiring',
  expired: 'Expired',
  revoked: 'Revoked',
};

export function StatusBadge({ badge, title }: { badge: Badge; title?: string }) {
  return (
    <span className={`badge badge-${badge}`} title={title}>
      {BADGE_TEXT[badge]}
    </span>
  );
}

export function HttpStatus({ status }: { status: number }) {
  const kind = status === 429 ? 'limited' : status >= 500 ? 'server' : status >= 400 ? 'client' : 'ok';
  return <span className={`badge badge-http-${kind}`}>{status}</span>;
}

export function Tag({ children }: { children: string }) {
  return <span className="tag">{children}</span>;
}

/** Enabled, failing (enabled, but every attempt since a time failed) or disabled, with the reason. */
export function EndpointBadge({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (!endpoint.enabled) {
    const reason = endpoint.disabled_reason ?? 'disabled';
    return (
      <span className="badge badge-disabled" title={reason}>
        Disabled
      </span>
    );
  }
  if (endpoint.failing_since) {
    return (
      <span className="badge badge-failing" title={`Failing since ${formatDateTime(endpoint.failing_since)}`}>
        Failing
      </span>
    );
  }
  return <span className="badge badge-enabled">Enabled</span>;
}

const DELIVERY_TEXT: Record<DeliveryBadge, string> = {
  pending: 'Pending',
  retrying: 'Retrying',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

export function DeliveryStatusBadge({ badge }: { badge: DeliveryBadge }) {
  return <span className={`badge badge-delivery-${badge}`}>{DELIVERY_TEXT[badge]}</span>;
}
