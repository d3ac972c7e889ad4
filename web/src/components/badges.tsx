/** Small labels: a credential's status, a request's status code, a role. */
import type { Badge } from '../lib/credential-status.ts';

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
