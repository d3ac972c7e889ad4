/** Every workspace's audit log, oldest first, for a follower (a SIEM) that polls with the last cursor. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditFeedEnvelope, auditFeedQuery } from '../../../contract/admin.ts';
import type { AuditRow } from '../../../storage/repositories/audit-log.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, encodeCursor } from '../../pagination.ts';
import { commonErrors } from '../../schemas.ts';
import { presentAuditEntry } from '../api/audit.ts';
import { adminRouteOptions } from './common.ts';

/** The management API's entry, with the workspace it belongs to (the feed spans every workspace). */
const present = (a: AuditRow) => {
  const { id, ...entry } = presentAuditEntry(a);
  return { id, workspace_id: a.workspace_id, ...entry };
};

export const adminAuditRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage } = deps;
    const admin = adminRouteOptions(deps);

    app.get(
      '/audit-log',
      admin("Every workspace's audit entries, oldest first; pass next_cursor as `after` to follow", {
        querystring: auditFeedQuery,
        response: { 200: auditFeedEnvelope, ...commonErrors },
      }),
      async (request) => {
        const { limit, after } = request.query;
        const rows = await storage.audit.feed(decodeCursor(after), limit + 1);
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          data: page.map(present),
          // Where to go on from: the last entry, or where the caller already was when nothing is new.
          next_cursor: last ? encodeCursor(last.id) : (after ?? null),
          has_more: rows.length > limit,
        };
      },
    );
  };
