/** The signed-in pages by path. */
import { Empty } from './components/states.tsx';
import { Link, matchPath } from './lib/router.tsx';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { AuditLogPage } from './pages/audit-log.tsx';
import { IntegrationDetailPage } from './pages/integration-detail.tsx';
import { IntegrationNewPage } from './pages/integration-new.tsx';
import { IntegrationsPage } from './pages/integrations.tsx';
import { KeyActivityPage } from './pages/key-activity.tsx';
import { TeamPage } from './pages/team.tsx';
import { UsagePage } from './pages/usage.tsx';
import { WebhookDetailPage } from './pages/webhook-detail.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { WorkspacePage } from './pages/workspace.tsx';

export function Routes({ path }: { path: string }) {
  if (path === '/settings/api-keys') return <ApiKeysPage />;
  const key = matchPath('/settings/api-keys/:id', path);
  if (key) return <KeyActivityPage id={key.id!} />;
  if (path === '/settings/integrations') return <IntegrationsPage />;
  if (path === '/settings/integrations/new') return <IntegrationNewPage />;
  const integration = matchPath('/settings/integrations/:id', path);
  if (integration) return <IntegrationDetailPage id={integration.id!} />;
  if (path === '/settings/webhooks') return <WebhooksPage />;
  const webhook = matchPath('/settings/webhooks/:id', path);
  if (webhook) return <WebhookDetailPage id={webhook.id!} />;
  if (path === '/usage') return <UsagePage />;
  if (path === '/audit-log') return <AuditLogPage />;
  if (path === '/team') return <TeamPage />;
  if (path === '/settings/workspace') return <WorkspacePage />;
  return (
    <Empty title="There is no page here.">
      <Link to="/settings/api-keys">Go to API keys</Link>
    </Empty>
  );
}
