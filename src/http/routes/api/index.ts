/** The management API under /api, used by the dashboard and by scripts of signed-in users. */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../deps.ts';
import { registerSessionAuth } from '../../plugins/session.ts';
import { auditRoutes } from './audit.ts';
import { integrationRoutes } from './integrations.ts';
import { keyRoutes } from './keys.ts';
import { scopeRoutes } from './scopes.ts';
import { sessionRoutes } from './session.ts';
import { usageRoutes } from './usage.ts';
import { userRoutes } from './users.ts';
import { webhookManagementRoutes } from './webhooks.ts';
import { workspaceRoutes } from './workspace.ts';

export const managementRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    // Sessions and cookies exist only here: /v1 requests never pay for them.
    await registerSessionAuth(app, deps);
    await app.register(sessionRoutes(deps));
    await app.register(workspaceRoutes(deps));
    await app.register(keyRoutes(deps));
    await app.register(integrationRoutes(deps));
    await app.register(userRoutes(deps));
    await app.register(usageRoutes(deps));
    await app.register(auditRoutes(deps));
    await app.register(webhookManagementRoutes(deps));
    await app.register(scopeRoutes(deps));
  };
