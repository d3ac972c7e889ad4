/** The audit log and usage alerts, readable through the management API. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { iso } from '../../../core/time.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponse } from '../../pagination.ts';
import { commonErrors, listEnvelope, pageQuery } from '../../schemas.ts';
import { manage, workspaceOf } from './common.ts';

const json = (text: string | null): Record<string, unknown> | null => (text ? (JSON.parse(text) as Record<string, unknown>) : null);

const auditSchema = z
  .object({
    id: z.string(),
    action: z.string(),
    actor: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    ip: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const eventSchema = z.object({ id: z.string(), type: z.string(), data: z.record(z.string(), z.unknown()), created_at: z.string() });

export const auditRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { storage } = deps;

  app.get(
    '/audit-log',
    manage('admin', 'Every change to credentials, integrations, users and settings', {
      querystring: pageQuery.extend({ action: z.string().max(100).optional(), target_id: z.string().max(100).optional(), actor_id: z.string().max(100).optional() }),
      response: { 200: listEnvelope(auditSchema), ...commonErrors },
    }),
    async (request) => {
      const q = request.query;
      const page = await storage.audit.list(workspaceOf(request), { action: q.action, targetId: q.target_id, actorId: q.actor_id }, { limit: q.limit, after: decodeCursor(q.cursor) });
      return listResponse(page, (a) => ({
        id: a.id,
        action: a.action,
        actor: { type: a.actor_type, id: a.actor_id, label: a.actor_label },
        target: { type: a.target_type, id: a.target_id },
        ip: a.ip,
        before: json(a.before),
        after: json(a.after),
        created_at: iso(a.created_at),
      }));
    },
  );

  app.get(
    '/alerts',
    manage('member', 'Usage alerts (usage.alert events), newest first', { querystring: pageQuery, response: { 200: listEnvelope(eventSchema), ...commonErrors } }),
    async (request) => {
      const page = await storage.events.list(workspaceOf(request), 'usage.alert', { limit: request.query.limit, after: decodeCursor(request.query.cursor) });
      return listResponse(page, (e) => ({ id: e.id, type: e.type, data: json(e.data) ?? {}, created_at: iso(e.created_at) }));
    },
  );
};
