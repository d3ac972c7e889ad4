/** Token activity of one credential: last use, a usage chart with its budget, and the request log. */
import { api, type Credential } from '../api.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { RequestLog } from './request-log.tsx';
import { UsagePanel } from './usage-panel.tsx';

export function LastUsed({ credential }: { credential: Credential }) {
  if (!credential.last_used_at) return <span className="muted">Never used</span>;
  return (
    <span data-testid="last-used">
      <span title={formatDateTime(credential.last_used_at)}>{formatRelative(credential.last_used_at)}</span>
      {credential.last_used_ip && (
        <>
          {' '}
          from <code>{credential.last_used_ip}</code>
        </>
      )}
    </span>
  );
}

export function CredentialActivity({
  credential,
  reloadKey,
}: {
  credential: Credential;
  reloadKey?: unknown;
}) {
  return (
    <>
      <UsagePanel
        title="Usage"
        load={(query) => api.credentialUsage(credential.id, query)}
        budgetLabel={credential.rate_limit ? `Own limit (${credential.rate_limit})` : 'Budget'}
        reloadKey={reloadKey}
      />
      <RequestLog credentialId={credential.id} reloadKey={reloadKey} />
    </>
  );
}
