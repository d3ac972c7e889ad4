/**
 * The admin API under /admin/v1: what the operator's backend calls with an admin operator token to
 * provision its customers' workspaces, their keys, and read usage and the audit log across them.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../deps.ts';
import { adminAuditRoutes } from './audit.ts';
import { adminKeyRoutes } from './keys.ts';
import { adminMemberRoutes } from './members.ts';
import { adminUsageRoutes } from './usage.ts';
import { adminWorkspaceRoutes } from './workspaces.ts';

export const adminRoutes =
  (deps: AppDeps): FastifyPluginAsync =>
  async (app) => {
    await app.register(adminWorkspaceRoutes(deps));
    await app.register(adminMemberRoutes(deps));
    await app.register(adminKeyRoutes(deps));
    await app.register(adminUsageRoutes(deps));
    await app.register(adminAuditRoutes(deps));
  };
